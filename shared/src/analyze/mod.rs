//! Evidence analyzers: certificates, Windows event logs and `.rdp` files.
//!
//! Each analyzer takes untrusted bytes (pasted, dropped, or read off the wire), never panics,
//! never reads a clock or a file, refuses input over its size limit, and returns a report whose
//! findings carry [`EvidenceId`]s for the diagnosis engine:
//!
//! - [`cert::analyze`] (any certificate form) and [`cert::analyze_chain_der`] (the probe's chain),
//!   then [`cert::CertReport::evidence`];
//! - [`events::analyze`] (text exports), [`events::analyze_records`] (records parsed elsewhere),
//!   and, with feature `evtx`, `evtx::analyze` / `evtx::records` for binary .evtx files;
//!   then [`events::EventReport::evidence`];
//! - [`rdpfile::analyze`], then [`rdpfile::RdpFileReport::evidence`] and its `target` for the probe.

pub mod cert;
pub mod events;
#[cfg(feature = "evtx")]
pub mod evtx;
pub mod rdpfile;
mod text;

pub use text::{format_unix_utc, parse_rfc3339};

/// Why an analyzer could not read its input at all. Problems *in* the input (an expired
/// certificate, a failed logon) are findings, not errors.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnalyzeError {
    #[error("the input is empty")]
    Empty,
    #[error("the input is {size} bytes, larger than the {} MiB limit", limit / (1024 * 1024))]
    TooLarge { size: usize, limit: usize },
    #[error(
        "this looks like a private key, not a certificate; paste the certificate (never share a private key)"
    )]
    PrivateKey,
    #[error("this is a certificate signing request, not a certificate")]
    CertificateRequest,
    #[error("this is a PEM block labelled \"{label}\", not a certificate")]
    UnsupportedPem { label: String },
    #[error(
        "no certificate found: expected PEM (-----BEGIN CERTIFICATE-----), base64, a binary .cer/.der file, \
         or the text of certutil -dump or Get-ChildItem Cert:\\... | Format-List *"
    )]
    NoCertificate,
    #[error("certificate {index} could not be read: {reason}")]
    MalformedCertificate { index: usize, reason: String },
    #[error(
        "the text shows certificate properties but not enough to judge (no subject, issuer, dates or thumbprint)"
    )]
    TooLittleCertificateText,
    #[error(
        "no Windows events found: expected event XML, wevtutil text, Get-WinEvent | Format-List output, \
         Event Viewer \"Copy details as text\" or a CSV export, or an .evtx file"
    )]
    NoEvents,
    #[error("found {count} events, but none could be read (truncated or malformed)")]
    EventsUnreadable { count: usize },
    #[error("this is a binary .evtx file; it is read by the separate .evtx reader")]
    EvtxNeedsEvtxReader,
    #[error("the .evtx file could not be read: {0}")]
    Evtx(String),
    #[error("no .rdp settings found: expected lines like \"full address:s:server.example.com\"")]
    NotAnRdpFile,
}

/// Refuses input over `limit` bytes before any parsing starts.
fn check_size(input: &[u8], limit: usize) -> Result<(), AnalyzeError> {
    if input.is_empty() {
        return Err(AnalyzeError::Empty);
    }
    if input.len() > limit {
        return Err(AnalyzeError::TooLarge {
            size: input.len(),
            limit,
        });
    }
    Ok(())
}
