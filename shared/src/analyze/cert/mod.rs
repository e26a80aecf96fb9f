//! Certificate analyzer: reads a server certificate (or chain) in whatever form a person has it
//! and says, in plain words, what would make an RDP client refuse it.
//!
//! Accepted: PEM (one or many blocks, surrounding text ignored), bare base64 DER, binary DER
//! (.cer/.crt/.der), and the text of `certutil -dump` and
//! `Get-ChildItem Cert:\LocalMachine\... | Format-List *`. The text forms carry less than the
//! certificate itself; checks they cannot support are named in an info finding, never guessed.

//!
//! The rooms: this file holds the public API, the facts every reader produces and the choice of
//! reader; `pem`, `der`, `certutil` and `format_list` read one input form each (`printed` holds
//! what the two Windows text forms share); `checks` judges the facts; `oids` names OIDs.

mod certutil;
mod checks;
mod der;
mod format_list;
mod oids;
mod pem;
mod printed;

use serde::{Deserialize, Serialize};

use self::checks::{Layout, check};
use self::der::{facts_from_concatenated_der, facts_from_der};
use self::pem::{decode_base64, read_pem};
use super::text::decode_text;
use super::{AnalyzeError, check_size};
use crate::evidence::{Finding, Severity};
pub use crate::report::{CertInputFormat, CertReport, CertSummary, KeyInfo};

/// Larger than any real certificate chain by orders of magnitude.
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
/// More certificates than this in one input is not a chain; the rest are ignored, with a finding.
const MAX_CERTIFICATES: usize = 64;

/// What the checks are relative to. `now_unix` comes from the caller (JavaScript's clock in the
/// browser); `host` is the name or address the client connects to, if known.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertContext {
    pub now_unix: i64,
    pub host: Option<String>,
}

/// Reads certificates in any supported form and checks them.
pub fn analyze(input: &[u8], ctx: &CertContext) -> Result<CertReport, AnalyzeError> {
    check_size(input, MAX_INPUT_BYTES)?;
    let (input_format, certs, mut findings) = read_input(input)?;
    let layout = match input_format {
        CertInputFormat::CertutilDump | CertInputFormat::PowershellFormatList => Layout::Listing,
        _ => Layout::Chain,
    };
    findings.extend(check(&certs, layout, ctx));
    Ok(report(input_format, certs, findings))
}

/// Checks the certificates a server sent (leaf first). Certificates that do not parse become
/// findings, so the probe always gets a report.
pub fn analyze_chain_der(chain: &[Vec<u8>], ctx: &CertContext) -> CertReport {
    let mut certs = Vec::new();
    let mut findings = Vec::new();
    if chain.len() > MAX_CERTIFICATES {
        findings.push(unchecked_certificates(&chain.len().to_string()));
    }
    for (index, der) in chain.iter().take(MAX_CERTIFICATES).enumerate() {
        match facts_from_der(der, index) {
            Ok((facts, _)) => certs.push(facts),
            Err(e) => findings.push(Finding::new(
                Severity::Error,
                None,
                "A certificate the server sent is unreadable",
                e.to_string(),
            )),
        }
    }
    if certs.is_empty() && findings.is_empty() {
        findings.push(Finding::new(
            Severity::Error,
            None,
            "The server sent no certificate",
            "The TLS handshake carried an empty certificate list.",
        ));
    }
    findings.extend(check(&certs, Layout::Chain, ctx));
    report(CertInputFormat::Wire, certs, findings)
}

/// The limit was reached: say so rather than judge a list that was cut short in silence.
fn unchecked_certificates(how_many: &str) -> Finding {
    Finding::new(
        Severity::Warning,
        None,
        format!("Only the first {MAX_CERTIFICATES} certificates were checked"),
        format!(
            "there are {how_many} certificates; a server needs only its own and the intermediates up to a root, so a list this long is a misconfigured certificate bundle"
        ),
    )
}

fn report(input_format: CertInputFormat, certs: Vec<Facts>, findings: Vec<Finding>) -> CertReport {
    CertReport {
        input_format,
        certificates: certs.into_iter().map(|f| f.summary).collect(),
        findings,
    }
}

/// A fact the input shows as present or absent, or does not show at all (text formats).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Known<T> {
    Present(T),
    Absent,
    Unknown,
}

/// What the checks need about one certificate, whether read from DER or from a tool's text.
#[derive(Clone, Debug)]
struct Facts {
    summary: CertSummary,
    not_before: Option<i64>,
    not_after: Option<i64>,
    /// Dates printed by Windows tools are local time; comparisons may be off by the zone offset.
    dates_are_local: bool,
    common_names: Vec<String>,
    /// Whether the certificate has a subjectAltName; `NotShown` when the text only lists names.
    has_san: Known<()>,
    ips_shown: bool,
    ekus: Known<Vec<String>>,
    key_usage: Known<u16>,
    rsa_bits: Option<u32>,
    weak_hash: Option<&'static str>,
    /// Names compared to link a chain: raw DER for certificates, normalized text otherwise.
    subject_key: Vec<u8>,
    issuer_key: Vec<u8>,
}

/// Tells the input's form from its first byte or its text, and reads it with the matching reader.
fn read_input(input: &[u8]) -> Result<(CertInputFormat, Vec<Facts>, Vec<Finding>), AnalyzeError> {
    if input.first() == Some(&0x30) {
        let (certs, findings) = facts_from_concatenated_der(input)?;
        return Ok((CertInputFormat::Der, certs, findings));
    }
    let text = decode_text(input);
    if text.contains("-----BEGIN ") {
        let (certs, findings) = read_pem(&text)?;
        return Ok((CertInputFormat::Pem, certs, findings));
    }
    if certutil::looks_like(&text) {
        return Ok((
            CertInputFormat::CertutilDump,
            certutil::read(&text)?,
            Vec::new(),
        ));
    }
    if format_list::looks_like(&text) {
        return Ok((
            CertInputFormat::PowershellFormatList,
            format_list::read(&text)?,
            Vec::new(),
        ));
    }
    let der = decode_base64(&text).ok_or(AnalyzeError::NoCertificate)?;
    if der.first() != Some(&0x30) {
        return Err(AnalyzeError::NoCertificate);
    }
    let (certs, findings) = facts_from_concatenated_der(&der)?;
    Ok((CertInputFormat::Base64, certs, findings))
}
