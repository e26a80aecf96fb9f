//! Facts from DER certificates, read with x509-parser: names, dates, key, signature and the
//! extensions the checks judge.

use std::net::IpAddr;

use sha1::{Digest, Sha1};
use x509_parser::certificate::X509Certificate;
use x509_parser::der_parser::asn1_rs::Tag;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::X509Name;

use super::oids::{
    ATTRIBUTE_NAMES, CURVE_NAMES, KEY_ALGORITHM_NAMES, OID_ANY_EKU, OID_SERVER_AUTH,
    SIGNATURE_NAMES, eku_display, key_usage_names, known_name, weak_hash,
};
use super::{CertSummary, Facts, KeyInfo, Known, MAX_CERTIFICATES, unchecked_certificates};
use crate::analyze::AnalyzeError;
use crate::analyze::text::format_unix_utc;
use crate::evidence::Finding;

/// Binary input: one DER certificate, or several back to back.
pub(super) fn facts_from_concatenated_der(
    mut der: &[u8],
) -> Result<(Vec<Facts>, Vec<Finding>), AnalyzeError> {
    let mut certs = Vec::new();
    while !der.is_empty() && certs.len() < MAX_CERTIFICATES {
        let (facts, rest) = facts_from_der(der, certs.len())?;
        certs.push(facts);
        der = rest;
    }
    let findings = if der.is_empty() {
        Vec::new()
    } else {
        vec![unchecked_certificates(&format!(
            "more than {MAX_CERTIFICATES}"
        ))]
    };
    Ok((certs, findings))
}

/// Names what DER that is not a certificate most likely is, for a useful error.
fn classify_non_certificate(der: &[u8], index: usize, reason: String) -> AnalyzeError {
    // Skip the outer SEQUENCE header (tag, then a short or long-form length).
    let content = match der.get(1) {
        Some(&len) if len < 0x80 => der.get(2..),
        Some(&len) if (0x81..=0x84).contains(&len) => der.get(2 + usize::from(len & 0x7F)..),
        _ => None,
    };
    const PKCS7_SIGNED_DATA: &[u8] = &[
        0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02,
    ];
    match content {
        // PKCS#8 and PKCS#1 keys start with version 0, SEC1 EC keys with version 1.
        Some([0x02, 0x01, 0x00 | 0x01, ..]) => AnalyzeError::PrivateKey,
        Some([0x02, 0x01, 0x03, ..]) => AnalyzeError::MalformedCertificate {
            index,
            reason: "this is a PKCS#12 (.pfx) bundle with a private key; export the certificate alone as a .cer file".into(),
        },
        Some(c) if c.starts_with(PKCS7_SIGNED_DATA) => AnalyzeError::MalformedCertificate {
            index,
            reason: "this is a PKCS#7 (.p7b) bundle; export each certificate as a Base-64 .cer file".into(),
        },
        _ => AnalyzeError::MalformedCertificate { index, reason },
    }
}

/// Reads one certificate from the start of `der`; returns its facts and the bytes after it.
pub(super) fn facts_from_der(der: &[u8], index: usize) -> Result<(Facts, &[u8]), AnalyzeError> {
    let (rest, cert) = X509Certificate::from_der(der)
        .map_err(|e| classify_non_certificate(der, index, e.to_string()))?;
    let raw = &der[..der.len() - rest.len()];
    let Extensions {
        dns_names,
        ips,
        has_san,
        ekus,
        key_usage,
        authority_key_id,
        subject_key_id,
    } = read_extensions(&cert);

    let (key, rsa_bits) = key_info(&cert);
    let signature_oid = cert.signature_algorithm.algorithm.to_id_string();
    let signature_name = known_name(SIGNATURE_NAMES, &signature_oid);
    let subject_raw = cert.subject().as_raw();
    let issuer_raw = cert.issuer().as_raw();
    // Without signature verification (no crypto here), "self-signed" means issued by its own name
    // and, when both key identifiers are present, by its own key.
    let self_signed = subject_raw == issuer_raw
        && (authority_key_id.is_none() || authority_key_id == subject_key_id);
    let validity = cert.validity();
    let not_before = validity.not_before.timestamp();
    let not_after = validity.not_after.timestamp();

    let summary = CertSummary {
        subject: display_name(cert.subject()),
        issuer: display_name(cert.issuer()),
        dns_names,
        ip_addresses: ips.iter().map(IpAddr::to_string).collect(),
        not_before: format_unix_utc(not_before),
        not_after: format_unix_utc(not_after),
        key,
        signature_algorithm: Some(signature_name),
        extended_key_usage: match &ekus {
            Known::Present(oids) => Some(oids.iter().map(|oid| eku_display(oid)).collect()),
            _ => None,
        },
        key_usage: match key_usage {
            Known::Present(flags) => Some(key_usage_names(flags)),
            _ => None,
        },
        is_ca: Some(cert.is_ca()),
        self_signed,
        thumbprint_sha1: Some(thumbprint(raw)),
    };
    let facts = Facts {
        common_names: cert
            .subject()
            .iter_common_name()
            .filter_map(|cn| cn.as_str().ok())
            .map(str::to_string)
            .collect(),
        summary,
        not_before: Some(not_before),
        not_after: Some(not_after),
        dates_are_local: false,
        has_san,
        ips_shown: true,
        ekus,
        key_usage,
        rsa_bits,
        weak_hash: weak_hash(&signature_oid),
        subject_key: subject_raw.to_vec(),
        issuer_key: issuer_raw.to_vec(),
    };
    Ok((facts, rest))
}

/// What the checks need from a certificate's extensions; absent unless the extension is there.
struct Extensions<'a> {
    dns_names: Vec<String>,
    ips: Vec<IpAddr>,
    has_san: Known<()>,
    ekus: Known<Vec<String>>,
    key_usage: Known<u16>,
    authority_key_id: Option<&'a [u8]>,
    subject_key_id: Option<&'a [u8]>,
}

fn read_extensions<'a>(cert: &'a X509Certificate<'_>) -> Extensions<'a> {
    let mut found = Extensions {
        dns_names: Vec::new(),
        ips: Vec::new(),
        has_san: Known::Absent,
        ekus: Known::Absent,
        key_usage: Known::Absent,
        authority_key_id: None,
        subject_key_id: None,
    };
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::SubjectAlternativeName(san) => {
                found.has_san = Known::Present(());
                for name in &san.general_names {
                    match name {
                        GeneralName::DNSName(dns) => found.dns_names.push((*dns).to_string()),
                        GeneralName::IPAddress(bytes) => found.ips.extend(ip_from_bytes(bytes)),
                        _ => {}
                    }
                }
            }
            ParsedExtension::ExtendedKeyUsage(eku) => {
                let mut oids: Vec<String> = Vec::new();
                for (set, oid) in [
                    (eku.any, OID_ANY_EKU),
                    (eku.server_auth, OID_SERVER_AUTH),
                    (eku.client_auth, "1.3.6.1.5.5.7.3.2"),
                    (eku.code_signing, "1.3.6.1.5.5.7.3.3"),
                    (eku.email_protection, "1.3.6.1.5.5.7.3.4"),
                    (eku.time_stamping, "1.3.6.1.5.5.7.3.8"),
                    (eku.ocsp_signing, "1.3.6.1.5.5.7.3.9"),
                ] {
                    if set {
                        oids.push(oid.into());
                    }
                }
                oids.extend(eku.other.iter().map(|oid| oid.to_id_string()));
                found.ekus = Known::Present(oids);
            }
            ParsedExtension::KeyUsage(ku) => found.key_usage = Known::Present(ku.flags),
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                found.authority_key_id = aki.key_identifier.as_ref().map(|k| k.0)
            }
            ParsedExtension::SubjectKeyIdentifier(ski) => found.subject_key_id = Some(ski.0),
            _ => {}
        }
    }
    found
}

/// The key as shown, and its size in bits when it is RSA (the only size the checks judge).
fn key_info(cert: &X509Certificate<'_>) -> (Option<KeyInfo>, Option<u32>) {
    let spki = cert.public_key();
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => {
            // x509-parser's key_size() assumes a leading zero byte; count the modulus bits instead.
            let modulus = rsa.modulus;
            let first = modulus
                .iter()
                .position(|&b| b != 0)
                .unwrap_or(modulus.len());
            let significant = &modulus[first..];
            let bits = significant.first().map_or(0, |&top| {
                (significant.len() as u32 - 1) * 8 + (8 - top.leading_zeros())
            });
            (
                Some(KeyInfo {
                    algorithm: "RSA".into(),
                    bits: Some(bits),
                }),
                Some(bits),
            )
        }
        Ok(PublicKey::EC(point)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| known_name(CURVE_NAMES, &oid.to_id_string()));
            let algorithm = curve.map_or("EC".to_string(), |c| format!("EC {c}"));
            (
                Some(KeyInfo {
                    algorithm,
                    bits: u32::try_from(point.key_size()).ok().filter(|&b| b > 0),
                }),
                None,
            )
        }
        _ => {
            let oid = &spki.algorithm.algorithm;
            let name = known_name(KEY_ALGORITHM_NAMES, &oid.to_id_string());
            (
                Some(KeyInfo {
                    algorithm: name,
                    bits: None,
                }),
                None,
            )
        }
    }
}

/// `CN=rds01.corp.example.com, O=Contoso`: most specific part first, as Windows prints names.
fn display_name(name: &X509Name<'_>) -> String {
    let parts: Vec<String> = name
        .iter_rdn()
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .flat_map(|rdn| rdn.iter())
        .map(|attribute| {
            let key = known_name(ATTRIBUTE_NAMES, &attribute.attr_type().to_id_string());
            let value = match attribute.as_str() {
                Ok(text) => text.to_string(),
                // Older Windows CAs write BMPString (UTF-16BE); anything else is shown as best we can.
                Err(_) if attribute.attr_value().tag() == Tag::BmpString => {
                    let units = attribute
                        .as_slice()
                        .chunks_exact(2)
                        .map(|p| u16::from_be_bytes([p[0], p[1]]));
                    char::decode_utf16(units)
                        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                        .collect()
                }
                Err(_) => String::from_utf8_lossy(attribute.as_slice()).into_owned(),
            };
            format!("{key}={value}")
        })
        .collect();
    parts.join(", ")
}

/// A SAN iPAddress entry: 4 bytes for IPv4, 16 for IPv6.
fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

/// The SHA-1 thumbprint Windows shows and matches the RDP listener's certificate by.
fn thumbprint(der: &[u8]) -> String {
    Sha1::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{CertContext, analyze};
    use crate::analyze::AnalyzeError;

    #[test]
    fn recognises_keys_and_bundles_in_der() {
        let pkcs8 = [0x30, 0x10, 0x02, 0x01, 0x00, 0x30, 0x00];
        assert_eq!(
            analyze(&pkcs8, &CertContext::default()),
            Err(AnalyzeError::PrivateKey)
        );
        let pfx = [0x30, 0x82, 0x00, 0x10, 0x02, 0x01, 0x03];
        assert!(
            matches!(analyze(&pfx, &CertContext::default()), Err(AnalyzeError::MalformedCertificate { reason, .. }) if reason.contains("PKCS#12"))
        );
    }
}
