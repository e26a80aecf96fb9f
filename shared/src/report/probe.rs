//! The probe's report: the JSON the Worker streams and the CLI prints. Field names are the API.

use serde::{Deserialize, Serialize};

use super::cert::CertReport;
use super::clients::ClientResult;
use super::negotiation::{NegotiationOutcome, Protocol};
use super::nla::{FullHandshake, NlaDetails};
use super::target::Target;
use super::tls::{HelloOutcome, TlsVersion};
use crate::evidence::{Evidence, Finding, Layer, Source};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    Tcp,
    Negotiation,
    SecurityProtocols,
    Tls,
    ClientCompatibility,
    Nla,
}

impl StageKind {
    pub const ALL: [StageKind; 6] = [
        StageKind::Tcp,
        StageKind::Negotiation,
        StageKind::SecurityProtocols,
        StageKind::Tls,
        StageKind::ClientCompatibility,
        StageKind::Nla,
    ];

    /// The stage's name for people, the same in the CLI's text and on the page.
    pub fn label(self) -> &'static str {
        match self {
            StageKind::Tcp => "TCP connection",
            StageKind::Negotiation => "RDP negotiation",
            StageKind::SecurityProtocols => "Security protocols offered",
            StageKind::Tls => "TLS handshake",
            StageKind::ClientCompatibility => "Client compatibility",
            StageKind::Nla => "NLA / CredSSP",
        }
    }

    /// The layer of the connection path this stage tests.
    pub fn layer(self) -> Layer {
        match self {
            StageKind::Tcp => Layer::Tcp,
            StageKind::Negotiation | StageKind::SecurityProtocols => Layer::Negotiation,
            StageKind::Tls | StageKind::ClientCompatibility => Layer::Tls,
            StageKind::Nla => Layer::Nla,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageStatus {
    Ok,
    Failed,
    Skipped,
    NotApplicable,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum TcpOutcome {
    Open,
    Refused,
    TimedOut,
    NameNotResolved,
    Failed { reason: String },
}

/// One security protocol asked for alone, and the server's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtocolResult {
    pub protocol: Protocol,
    pub accepted: bool,
    pub outcome: NegotiationOutcome,
}

/// One TLS version offered alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsVersionResult {
    pub version: TlsVersion,
    pub supported: bool,
    pub outcome: HelloOutcome,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NegotiatedTls {
    pub version: TlsVersion,
    pub cipher_suite: u16,
    pub cipher_suite_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsDetails {
    pub versions: Vec<TlsVersionResult>,
    /// What the highest supported version negotiated.
    pub negotiated: Option<NegotiatedTls>,
    /// DER certificates, leaf first, as sent in the clear (TLS 1.2 and lower); base64 in JSON.
    #[serde(with = "der_list")]
    pub certificate_chain: Vec<Vec<u8>>,
    /// How the full handshake on the main connection ended (absent in reports from before it
    /// was recorded).
    #[serde(default)]
    pub full_handshake: Option<FullHandshake>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum StageDetails {
    Tcp {
        outcome: TcpOutcome,
        connect_ms: Option<u64>,
    },
    Negotiation {
        requested: Vec<Protocol>,
        outcome: NegotiationOutcome,
    },
    SecurityProtocols {
        protocols: Vec<ProtocolResult>,
    },
    Tls(TlsDetails),
    ClientCompatibility {
        clients: Vec<ClientResult>,
    },
    Nla(NlaDetails),
    None,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageReport {
    pub stage: StageKind,
    pub status: StageStatus,
    /// Milliseconds from the start of the probe.
    pub started_ms: u64,
    pub duration_ms: u64,
    /// The stage's verdict in plain words.
    pub verdict: String,
    pub details: StageDetails,
    pub findings: Vec<Finding>,
    pub connections_opened: u32,
}

impl StageReport {
    pub fn without_result(
        stage: StageKind,
        status: StageStatus,
        verdict: impl Into<String>,
    ) -> StageReport {
        StageReport {
            stage,
            status,
            started_ms: 0,
            duration_ms: 0,
            verdict: verdict.into(),
            details: StageDetails::None,
            findings: Vec::new(),
            connections_opened: 0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeReport {
    pub target: Target,
    /// Wall clock at the start, Unix milliseconds.
    pub started_unix_ms: u64,
    pub duration_ms: u64,
    pub connections_opened: u32,
    /// Stages in their fixed order (tcp, negotiation, security_protocols, tls,
    /// client_compatibility, nla).
    pub stages: Vec<StageReport>,
    /// The server certificate chain, leaf first, from whichever stage saw it; base64 in JSON.
    #[serde(with = "der_list")]
    pub certificate_chain: Vec<Vec<u8>>,
    /// That chain through the certificate analyzer, judged for the probed host at the probe's
    /// start time: the same checks as a pasted certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertReport>,
}

impl ProbeReport {
    pub fn stage(&self, kind: StageKind) -> Option<&StageReport> {
        self.stages.iter().find(|s| s.stage == kind)
    }

    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.stages.iter().flat_map(|s| &s.findings)
    }

    /// The layer of the first stage that failed: where the probe saw the connection break.
    pub fn failing_layer(&self) -> Option<Layer> {
        self.stages
            .iter()
            .find(|s| s.status == StageStatus::Failed)
            .map(|s| s.stage.layer())
    }

    /// Every finding that carries an evidence id, the certificate's included, for the
    /// diagnosis engine.
    pub fn evidence(&self) -> Vec<Evidence> {
        let certificate = self
            .certificate
            .iter()
            .flat_map(|c| c.evidence(Source::Probe));
        self.findings()
            .filter_map(|f| f.to_evidence(Source::Probe))
            .chain(certificate)
            .collect()
    }
}

/// `Vec<Vec<u8>>` as a list of base64 strings.
mod der_list {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(list: &[Vec<u8>], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(list.iter().map(|der| STANDARD.encode(der)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Vec<u8>>, D::Error> {
        Vec::<String>::deserialize(deserializer)?
            .iter()
            .map(|text| STANDARD.decode(text).map_err(serde::de::Error::custom))
            .collect()
    }
}
