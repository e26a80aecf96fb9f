//! `certutil -store "Remote Desktop"` (or `My`): one block per certificate between
//! `================ Certificate N ================` lines, with `Label: value` lines and the key's
//! container and test result. English labels; dates as certutil prints them.

use super::label_value;
use crate::analyze::snapshot::facts::CertificateFacts;
use crate::analyze::text::parse_printed_time;

const MAX_CERTIFICATES: usize = 500;

pub(super) fn looks_like(text: &str) -> bool {
    text.contains("================ Certificate") || text.contains("================ Zertifikat")
}

pub(super) fn read(text: &str) -> Vec<CertificateFacts> {
    let store = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .and_then(|l| l.split_whitespace().next())
        .map(|s| s.trim_matches('"').to_string())
        .unwrap_or_default();
    let mut certificates: Vec<CertificateFacts> = Vec::new();
    for line in text.lines() {
        if line.starts_with("================ ") {
            if certificates.len() >= MAX_CERTIFICATES {
                break;
            }
            certificates.push(CertificateFacts {
                store: store.clone(),
                ..CertificateFacts::default()
            });
            continue;
        }
        let Some(cert) = certificates.last_mut() else {
            continue;
        };
        let trimmed = line.trim();
        // The key tests: certutil opens the key as the person running it.
        if trimmed.ends_with("test passed") || trimmed.ends_with("Test wurde bestanden.") {
            cert.has_private_key = Some(true);
        } else if trimmed.starts_with("Missing stored keyset") || trimmed.contains("NTE_BAD_KEYSET")
        {
            cert.has_private_key = Some(false);
        } else if trimmed.starts_with("Unique container name:") {
            cert.key_file = trimmed.split_once(':').map(|(_, v)| v.trim().to_string());
        }
        let Some((label, value)) = label_value(trimmed) else {
            continue;
        };
        match label {
            "Subject" | "Antragsteller" => cert.subject = value.to_string(),
            "NotAfter" => {
                cert.not_after_text = Some(value.to_string());
                cert.not_after_unix = parse_printed_time(value).map(|t| t.unix_if_utc);
            }
            "Cert Hash(sha1)" | "Zertifikathash(sha1)" => {
                cert.thumbprint = value.replace(' ', "").to_ascii_uppercase()
            }
            _ => {}
        }
    }
    certificates
}
