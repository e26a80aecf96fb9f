//! PEM and bare base64: the text forms that carry the certificate itself.

use base64::Engine as _;

use super::der::facts_from_der;
use super::{Facts, MAX_CERTIFICATES, unchecked_certificates};
use crate::analyze::AnalyzeError;
use crate::evidence::{Finding, Severity};

/// Base64 with or without padding, whitespace and line breaks ignored.
pub(super) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.trim_end_matches('='))
        .ok()
        .or_else(|| {
            base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(compact.trim_end_matches('='))
                .ok()
        })
}

/// Finds PEM blocks by hand: x509-parser's reader wants blocks at the start of a line, while
/// pasted text is often indented (mail quotes, PowerShell output) or mixes keys and requests in.
pub(super) fn read_pem(text: &str) -> Result<(Vec<Facts>, Vec<Finding>), AnalyzeError> {
    let mut certs = Vec::new();
    let mut findings = Vec::new();
    let mut other_label: Option<String> = None;
    let mut saw_key = false;
    let mut saw_request = false;
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = after[..label_end].trim();
        let body_start = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let (body, next) = match body_start.find(&end_marker) {
            Some(end) => (&body_start[..end], &body_start[end + end_marker.len()..]),
            None => (body_start, ""),
        };
        rest = next;
        if label.contains("PRIVATE KEY") {
            saw_key = true;
        } else if label.contains("CERTIFICATE REQUEST") {
            saw_request = true;
        } else if matches!(
            label,
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"
        ) {
            if certs.len() >= MAX_CERTIFICATES {
                findings.push(unchecked_certificates(&format!(
                    "more than {MAX_CERTIFICATES}"
                )));
                break;
            }
            // Skip RFC 1421 headers ("Proc-Type: …") that some tools put before the base64.
            let base64: String = body.lines().filter(|l| !l.contains(':')).collect();
            let der = decode_base64(&base64).ok_or(AnalyzeError::MalformedCertificate {
                index: certs.len(),
                reason: "the text between the BEGIN and END lines is not valid base64".into(),
            })?;
            let (facts, _trailing) = facts_from_der(&der, certs.len())?;
            certs.push(facts);
        } else {
            other_label.get_or_insert_with(|| label.to_string());
        }
    }
    if certs.is_empty() {
        return Err(if saw_key {
            AnalyzeError::PrivateKey
        } else if saw_request {
            AnalyzeError::CertificateRequest
        } else if let Some(label) = other_label {
            AnalyzeError::UnsupportedPem { label }
        } else {
            AnalyzeError::NoCertificate
        });
    }
    if saw_key {
        findings.push(Finding::new(Severity::Warning, None, "The input also contains a private key", "It was not read. A private key must stay on the server: do not paste or send it anywhere."));
    }
    Ok((certs, findings))
}
