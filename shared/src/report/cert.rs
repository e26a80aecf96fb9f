//! A certificate analysis: the certificates as a person needs to see them and the findings.

use serde::{Deserialize, Serialize};

use crate::evidence::{Evidence, Finding, Source, evidence_of};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertInputFormat {
    Pem,
    Base64,
    Der,
    CertutilDump,
    PowershellFormatList,
    /// Certificates the probe read off the wire.
    Wire,
}

impl CertInputFormat {
    pub fn label(self) -> &'static str {
        match self {
            CertInputFormat::Pem => "PEM",
            CertInputFormat::Base64 => "base64 DER",
            CertInputFormat::Der => "binary DER",
            CertInputFormat::CertutilDump => "certutil -dump text",
            CertInputFormat::PowershellFormatList => "PowerShell Format-List text",
            CertInputFormat::Wire => "certificates sent by the server",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    /// `RSA`, `EC P-256`, …
    pub algorithm: String,
    pub bits: Option<u32>,
}

/// One certificate as a person needs to see it. Fields the input did not show are `None`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertSummary {
    pub subject: String,
    pub issuer: String,
    pub dns_names: Vec<String>,
    pub ip_addresses: Vec<String>,
    /// RFC 3339 UTC, or `… (local time)` when read from text that printed local time.
    pub not_before: Option<String>,
    pub not_after: Option<String>,
    pub key: Option<KeyInfo>,
    pub signature_algorithm: Option<String>,
    /// `None`: no EKU extension (any purpose) or not shown; see `findings`.
    pub extended_key_usage: Option<Vec<String>>,
    pub key_usage: Option<Vec<String>>,
    pub is_ca: Option<bool>,
    pub self_signed: bool,
    /// SHA-1 of the DER, uppercase hex without spaces: what `SSLCertificateSHA1Hash` holds.
    pub thumbprint_sha1: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertReport {
    pub input_format: CertInputFormat,
    /// In input order; the first is taken as the server (leaf) certificate.
    pub certificates: Vec<CertSummary>,
    pub findings: Vec<Finding>,
}

impl CertReport {
    /// `source` is [`Source::Certificate`] for pasted input, [`Source::Probe`] for the wire.
    pub fn evidence(&self, source: Source) -> Vec<Evidence> {
        evidence_of(&self.findings, source)
    }
}
