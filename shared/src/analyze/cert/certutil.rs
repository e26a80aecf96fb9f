//! `certutil -dump` text: sections introduced by unindented `Name:` lines, extensions by their
//! OID.

use std::net::IpAddr;

use super::oids::{eku_display, key_usage_names, weak_hash};
use super::printed::{finish_text_facts, oids_in_parentheses, printed_unix, text_facts};
use super::{Facts, KeyInfo, Known, MAX_CERTIFICATES};
use crate::analyze::AnalyzeError;

/// certutil's own fingerprint line, or the dates beside an algorithm OID.
pub(super) fn looks_like(text: &str) -> bool {
    text.contains("Cert Hash(sha1)")
        || (text.contains("NotAfter:") && text.contains("Algorithm ObjectId"))
}

/// The unindented section a line belongs to.
#[derive(Clone, Copy, PartialEq)]
enum Section {
    Other,
    Issuer,
    Subject,
    SignatureAlgorithm,
    PublicKeyAlgorithm,
    Extensions,
}

/// Within `Certificate Extensions`, the extension a line belongs to.
#[derive(Clone, Copy, PartialEq)]
enum Extension {
    Other,
    Eku,
    KeyUsage,
    San,
    BasicConstraints,
}

pub(super) fn read(text: &str) -> Result<Vec<Facts>, AnalyzeError> {
    let mut certs = Vec::new();
    let mut facts = fresh_facts();
    let mut section = Section::Other;
    let mut extension = Extension::Other;

    for line in text.lines() {
        let trimmed = line.trim();
        let indented = line.starts_with(char::is_whitespace);
        // A new certificate: "X509 Certificate:" or "================ Certificate 1 ================".
        if trimmed.starts_with("X509 Certificate")
            || (trimmed.starts_with("====") && trimmed.contains("Certificate"))
        {
            if let Some(done) = finish_text_facts(std::mem::replace(&mut facts, fresh_facts())) {
                certs.push(done);
            }
            if certs.len() >= MAX_CERTIFICATES {
                break;
            }
            section = Section::Other;
            continue;
        }
        if read_field(&mut facts, trimmed) {
            continue;
        }
        if !indented && !trimmed.is_empty() {
            section = section_named(trimmed);
            if section == Section::Extensions {
                extension = Extension::Other;
            }
            continue;
        }
        match section {
            Section::Issuer | Section::Subject => read_name(&mut facts, section, trimmed),
            Section::SignatureAlgorithm | Section::PublicKeyAlgorithm => {
                read_algorithm(&mut facts, section, trimmed);
            }
            Section::Extensions => read_extension_line(&mut facts, &mut extension, trimmed),
            Section::Other => {}
        }
    }
    if let Some(done) = finish_text_facts(facts) {
        certs.push(done);
    }
    for cert in &mut certs {
        if let Known::Present(oids) = &cert.ekus {
            cert.summary.extended_key_usage = Some(oids.iter().map(|o| eku_display(o)).collect());
        }
        if let Known::Present(flags) = cert.key_usage {
            cert.summary.key_usage = Some(key_usage_names(flags));
        }
    }
    if certs.is_empty() {
        Err(AnalyzeError::TooLittleCertificateText)
    } else {
        Ok(certs)
    }
}

/// certutil lists every extension, so one it does not list is absent, not unknown.
fn fresh_facts() -> Facts {
    Facts {
        ekus: Known::Absent,
        key_usage: Known::Absent,
        has_san: Known::Absent,
        ips_shown: true,
        ..text_facts()
    }
}

/// The section an unindented line starts: `Issuer:`, `Certificate Extensions: 9`, …
fn section_named(line: &str) -> Section {
    if line.ends_with(':') {
        match line.trim_end_matches(':') {
            "Issuer" => Section::Issuer,
            "Subject" => Section::Subject,
            "Signature Algorithm" => Section::SignatureAlgorithm,
            "Public Key Algorithm" => Section::PublicKeyAlgorithm,
            _ => Section::Other,
        }
    } else if line.starts_with("Certificate Extensions") {
        Section::Extensions
    } else {
        Section::Other
    }
}

/// The `Name: value` lines read wherever they stand; returns whether `line` was one.
fn read_field(facts: &mut Facts, line: &str) -> bool {
    if let Some(value) = line.strip_prefix("NotBefore:") {
        facts.not_before = printed_unix(value);
    } else if let Some(value) = line.strip_prefix("NotAfter:") {
        facts.not_after = printed_unix(value);
    } else if let Some(value) = line.strip_prefix("Public Key Length:") {
        let bits = value
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<u32>().ok());
        if let Some(key) = facts.summary.key.as_mut() {
            key.bits = bits;
        } else {
            facts.summary.key = Some(KeyInfo {
                algorithm: String::new(),
                bits,
            });
        }
        facts.rsa_bits = bits.filter(|_| {
            facts
                .summary
                .key
                .as_ref()
                .is_some_and(|k| k.algorithm.starts_with("RSA"))
        });
    } else if let Some(value) = line.strip_prefix("Cert Hash(sha1):") {
        let hex: String = value
            .chars()
            .filter(char::is_ascii_hexdigit)
            .collect::<String>()
            .to_ascii_uppercase();
        if hex.len() == 40 {
            facts.summary.thumbprint_sha1 = Some(hex);
        }
    } else {
        return false;
    }
    true
}

/// The first `CN=…, O=…` line of the Issuer or Subject section (hash lines follow it).
fn read_name(facts: &mut Facts, section: Section, line: &str) {
    let name = match section {
        Section::Issuer => &mut facts.summary.issuer,
        Section::Subject => &mut facts.summary.subject,
        _ => return,
    };
    if name.is_empty() && line.contains('=') && !line.contains("Hash(") {
        *name = line.to_string();
    }
}

/// `Algorithm ObjectId: 1.2.840.113549.1.1.11 sha256RSA` in the signature or key section.
fn read_algorithm(facts: &mut Facts, section: Section, line: &str) {
    let Some(value) = line.strip_prefix("Algorithm ObjectId:") else {
        return;
    };
    let mut words = value.split_whitespace();
    let oid = words.next().unwrap_or_default();
    let name = words.next().unwrap_or(oid).to_string();
    if section == Section::SignatureAlgorithm && facts.summary.signature_algorithm.is_none() {
        facts.weak_hash = weak_hash(oid);
        facts.summary.signature_algorithm = Some(name);
    } else if section == Section::PublicKeyAlgorithm {
        let bits = facts.summary.key.as_ref().and_then(|k| k.bits);
        facts.summary.key = Some(KeyInfo {
            algorithm: name,
            bits,
        });
    }
}

/// A line of `Certificate Extensions`: the start of an extension, or a line of its value.
fn read_extension_line(facts: &mut Facts, extension: &mut Extension, line: &str) {
    // "    2.5.29.37: Flags = 0, Length = c" starts an extension.
    if let Some((oid, _)) = line.split_once(": Flags") {
        *extension = match oid {
            "2.5.29.37" => {
                facts.ekus = Known::Present(Vec::new());
                Extension::Eku
            }
            "2.5.29.15" => Extension::KeyUsage,
            "2.5.29.17" => {
                facts.has_san = Known::Present(());
                Extension::San
            }
            "2.5.29.19" => Extension::BasicConstraints,
            _ => Extension::Other,
        };
        return;
    }
    match *extension {
        Extension::Eku => {
            if let Known::Present(oids) = &mut facts.ekus {
                oids.extend(oids_in_parentheses(line));
            }
        }
        Extension::KeyUsage => {
            if let Some(flags) = key_usage_flags(line) {
                facts.key_usage = Known::Present(flags);
            }
        }
        Extension::San => {
            if let Some((kind, value)) = line.split_once('=') {
                let value = value.trim();
                if let Ok(ip) = value.parse::<IpAddr>() {
                    facts.summary.ip_addresses.push(ip.to_string());
                } else if kind.to_ascii_uppercase().contains("DNS") {
                    facts.summary.dns_names.push(value.to_string());
                }
            }
        }
        Extension::BasicConstraints => {
            if let Some((_, value)) = line.split_once("Subject Type=") {
                facts.summary.is_ca = Some(value.trim() == "CA");
            }
        }
        Extension::Other => {}
    }
}

/// "Digital Signature, Key Encipherment (a0)": the hex is the DER bit string, most significant
/// bit first, and does not depend on the display language. Returns the RFC 5280 bit flags.
fn key_usage_flags(line: &str) -> Option<u16> {
    let hex = line
        .rsplit_once('(')
        .and_then(|(_, h)| h.strip_suffix(')'))?;
    let hex = hex.replace(' ', "");
    let bytes: Vec<u8> = (0..hex.len() / 2)
        .filter_map(|i| hex.get(2 * i..2 * i + 2))
        .filter_map(|h| u8::from_str_radix(h, 16).ok())
        .collect();
    let first = *bytes.first()?;
    let second = bytes.get(1).copied().unwrap_or(0);
    Some(u16::from(first.reverse_bits()) | (u16::from(second >> 7) << 8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_usage_hex_is_read_most_significant_bit_first() {
        // a0 = digitalSignature (bit 0) and keyEncipherment (bit 2).
        assert_eq!(
            key_usage_flags("Digital Signature, Key Encipherment (a0)"),
            Some(0b101)
        );
        // "80 80": digitalSignature and decipherOnly (bit 8, in the second byte).
        assert_eq!(
            key_usage_flags("Digital Signature, Decipher Only (80 80)"),
            Some(1 | 1 << 8)
        );
        assert_eq!(key_usage_flags("Digital Signature"), None);
    }
}
