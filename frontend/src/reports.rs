//! The parts of the probe's and the analyzers' reports the page shows. The core's full report
//! types sit behind its `probe` and `analyzers` features, which would pull TLS and X.509 parsers
//! into the first download; these views read the same JSON and ignore the fields the page
//! does not use.

use rdp_doctor_core::evidence::{Finding, Layer, Severity, Source};
use serde::{Deserialize, Serialize};

/// A kind of evidence the person can paste or drop, analysed in the analysis worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EvidenceKind {
    Certificate,
    EventLog,
    RdpFile,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 3] = [
        EvidenceKind::Certificate,
        EvidenceKind::EventLog,
        EvidenceKind::RdpFile,
    ];

    /// The `kind` of an analysis worker request.
    pub fn protocol_name(self) -> &'static str {
        match self {
            EvidenceKind::Certificate => "cert",
            EvidenceKind::EventLog => "events",
            EvidenceKind::RdpFile => "rdp",
        }
    }

    pub fn source(self) -> Source {
        match self {
            EvidenceKind::Certificate => Source::Certificate,
            EvidenceKind::EventLog => Source::EventLog,
            EvidenceKind::RdpFile => Source::RdpFile,
        }
    }

    /// Parses the worker's report (as JSON text) into the view for this kind.
    pub fn parse_report(self, json: &str) -> Result<AnalysisReport, String> {
        let parsed = match self {
            EvidenceKind::Certificate => {
                serde_json::from_str(json).map(AnalysisReport::Certificate)
            }
            EvidenceKind::EventLog => serde_json::from_str(json).map(AnalysisReport::EventLog),
            EvidenceKind::RdpFile => serde_json::from_str(json).map(AnalysisReport::RdpFile),
        };
        parsed.map_err(|e| format!("The analysis result could not be read: {e}"))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum AnalysisReport {
    Certificate(CertView),
    EventLog(EventView),
    RdpFile(RdpView),
}

impl AnalysisReport {
    pub fn findings(&self) -> &[Finding] {
        match self {
            AnalysisReport::Certificate(r) => &r.findings,
            AnalysisReport::EventLog(r) => &r.findings,
            AnalysisReport::RdpFile(r) => &r.findings,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CertView {
    #[serde(default)]
    pub certificates: Vec<CertSummaryView>,
    #[serde(default)]
    pub findings: Vec<Finding>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CertSummaryView {
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub dns_names: Vec<String>,
    pub not_before: Option<String>,
    pub not_after: Option<String>,
    #[serde(default)]
    pub self_signed: bool,
    pub thumbprint_sha1: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    #[serde(default)]
    pub events_read: usize,
    #[serde(default)]
    pub timeline: Vec<TimelineEntryView>,
    #[serde(default)]
    pub timeline_omitted: usize,
    #[serde(default)]
    pub findings: Vec<Finding>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntryView {
    pub time: Option<String>,
    pub source: String,
    pub event_id: u32,
    pub severity: Severity,
    pub meaning: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RdpView {
    pub target: Option<(String, u16)>,
    #[serde(default)]
    pub settings: Vec<RdpSettingView>,
    #[serde(default)]
    pub findings: Vec<Finding>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RdpSettingView {
    pub name: String,
    pub value: String,
}

/// One finished probe stage, as streamed by `POST /api/probe` with `Accept: application/x-ndjson`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageView {
    /// `tcp`, `negotiation`, `security_protocols`, `tls`, `client_compatibility`, `nla`.
    pub stage: String,
    /// `ok`, `failed`, `skipped`, `not_applicable`.
    pub status: String,
    #[serde(default)]
    pub verdict: String,
    #[serde(default)]
    pub duration_ms: u64,
    #[serde(default)]
    pub findings: Vec<Finding>,
}

impl StageView {
    /// The stage's name for people.
    pub fn label(&self) -> &str {
        match self.stage.as_str() {
            "tcp" => "TCP connection",
            "negotiation" => "RDP negotiation",
            "security_protocols" => "Security protocols offered",
            "tls" => "TLS handshake",
            "client_compatibility" => "Compatibility with Windows clients",
            "nla" => "NLA / CredSSP",
            other => other,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProbeReportView {
    #[serde(default)]
    pub stages: Vec<StageView>,
    #[serde(default)]
    pub duration_ms: u64,
}

impl ProbeReportView {
    pub fn findings(&self) -> Vec<Finding> {
        self.stages
            .iter()
            .flat_map(|s| s.findings.iter().cloned())
            .collect()
    }

    /// The layer of the first stage that failed: where the probe saw the connection break.
    pub fn failing_layer(&self) -> Option<Layer> {
        let failed = self.stages.iter().find(|s| s.status == "failed")?;
        match failed.stage.as_str() {
            "tcp" => Some(Layer::Tcp),
            "negotiation" | "security_protocols" => Some(Layer::Negotiation),
            "tls" | "client_compatibility" => Some(Layer::Tls),
            "nla" => Some(Layer::Nla),
            _ => None,
        }
    }
}

/// Why the probe gave no report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ProbeFailure {
    /// No answer from the probe service (blocked, offline, not deployed here).
    Unreachable,
    /// The service refused the request and said why.
    Refused(String),
}
