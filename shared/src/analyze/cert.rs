//! Certificate analyzer: reads a server certificate (or chain) in whatever form a person has it
//! and says, in plain words, what would make an RDP client refuse it.
//!
//! Accepted: PEM (one or many blocks, surrounding text ignored), bare base64 DER, binary DER
//! (.cer/.crt/.der), and the text of `certutil -dump` and
//! `Get-ChildItem Cert:\LocalMachine\... | Format-List *`. The text forms carry less than the
//! certificate itself; checks they cannot support are named in an info finding, never guessed.

use std::net::IpAddr;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use x509_parser::certificate::X509Certificate;
use x509_parser::der_parser::asn1_rs::Tag;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::X509Name;

use super::text::{PrintedTime, decode_text, format_unix_utc, parse_printed_time};
use super::{AnalyzeError, check_size};
use crate::evidence::{EvidenceId, Finding, Severity};
pub use crate::report::{CertInputFormat, CertReport, CertSummary, KeyInfo};

/// Larger than any real certificate chain by orders of magnitude.
pub const MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;
/// More certificates than this in one input is not a chain; the rest are ignored, with a finding.
const MAX_CERTIFICATES: usize = 64;
const EXPIRING_SOON_SECS: i64 = 30 * 24 * 60 * 60;
const MIN_RSA_BITS: u32 = 2048;

const OID_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
const OID_REMOTE_DESKTOP_AUTH: &str = "1.3.6.1.4.1.311.54.1.2";
const OID_ANY_EKU: &str = "2.5.29.37.0";

/// Signature algorithms whose hash (SHA-1, MD5, MD2) current Windows clients distrust.
const WEAK_SIGNATURES: &[(&str, &str)] = &[
    ("1.2.840.113549.1.1.5", "SHA-1"),
    ("1.3.14.3.2.29", "SHA-1"),
    ("1.2.840.10045.4.1", "SHA-1"),
    ("1.2.840.10040.4.3", "SHA-1"),
    ("1.2.840.113549.1.1.4", "MD5"),
    ("1.3.14.3.2.25", "MD5"),
    ("1.2.840.113549.1.1.2", "MD2"),
];

/// Windows' names for the EKUs that matter here, as certmgr and PowerShell print them.
const EKU_NAMES: &[(&str, &str)] = &[
    (OID_SERVER_AUTH, "Server Authentication"),
    ("1.3.6.1.5.5.7.3.2", "Client Authentication"),
    ("1.3.6.1.5.5.7.3.3", "Code Signing"),
    ("1.3.6.1.5.5.7.3.4", "Secure Email"),
    ("1.3.6.1.5.5.7.3.8", "Time Stamping"),
    ("1.3.6.1.5.5.7.3.9", "OCSP Signing"),
    (OID_REMOTE_DESKTOP_AUTH, "Remote Desktop Authentication"),
    (OID_ANY_EKU, "Any Purpose"),
];

/// Key usage bits in RFC 5280 order (bit 0 = digitalSignature), named as Windows shows them.
const KEY_USAGE_NAMES: [&str; 9] = [
    "Digital Signature",
    "Non-Repudiation",
    "Key Encipherment",
    "Data Encipherment",
    "Key Agreement",
    "Certificate Signing",
    "CRL Signing",
    "Encipher Only",
    "Decipher Only",
];
const KU_DIGITAL_SIGNATURE: u16 = 1;
const KU_KEY_ENCIPHERMENT: u16 = 1 << 2;
const KU_KEY_AGREEMENT: u16 = 1 << 4;

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
    if looks_like_certutil(&text) {
        return Ok((
            CertInputFormat::CertutilDump,
            read_certutil(&text)?,
            Vec::new(),
        ));
    }
    if looks_like_format_list(&text) {
        return Ok((
            CertInputFormat::PowershellFormatList,
            read_format_list(&text)?,
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

fn decode_base64(text: &str) -> Option<Vec<u8>> {
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
fn read_pem(text: &str) -> Result<(Vec<Facts>, Vec<Finding>), AnalyzeError> {
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

/// Binary input: one DER certificate, or several back to back.
fn facts_from_concatenated_der(mut der: &[u8]) -> Result<(Vec<Facts>, Vec<Finding>), AnalyzeError> {
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

fn facts_from_der(der: &[u8], index: usize) -> Result<(Facts, &[u8]), AnalyzeError> {
    let (rest, cert) = X509Certificate::from_der(der)
        .map_err(|e| classify_non_certificate(der, index, e.to_string()))?;
    let raw = &der[..der.len() - rest.len()];

    let mut dns_names = Vec::new();
    let mut ips = Vec::new();
    let mut has_san = Known::Absent;
    let mut ekus = Known::Absent;
    let mut key_usage = Known::Absent;
    let mut authority_key_id = None;
    let mut subject_key_id = None;
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::SubjectAlternativeName(san) => {
                has_san = Known::Present(());
                for name in &san.general_names {
                    match name {
                        GeneralName::DNSName(dns) => dns_names.push((*dns).to_string()),
                        GeneralName::IPAddress(bytes) => ips.extend(ip_from_bytes(bytes)),
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
                ekus = Known::Present(oids);
            }
            ParsedExtension::KeyUsage(ku) => key_usage = Known::Present(ku.flags),
            ParsedExtension::AuthorityKeyIdentifier(aki) => {
                authority_key_id = aki.key_identifier.as_ref().map(|k| k.0)
            }
            ParsedExtension::SubjectKeyIdentifier(ski) => subject_key_id = Some(ski.0),
            _ => {}
        }
    }

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

// Names as Windows shows them. Small tables instead of x509-parser's OID registry, which
// would add its whole registry (some 15 KB gzip) to the browser bundle.
const SIGNATURE_NAMES: &[(&str, &str)] = &[
    ("1.2.840.113549.1.1.11", "sha256RSA"),
    ("1.2.840.113549.1.1.12", "sha384RSA"),
    ("1.2.840.113549.1.1.13", "sha512RSA"),
    ("1.2.840.113549.1.1.10", "RSASSA-PSS"),
    ("1.2.840.113549.1.1.5", "sha1RSA"),
    ("1.3.14.3.2.29", "sha1RSA"),
    ("1.2.840.113549.1.1.4", "md5RSA"),
    ("1.2.840.113549.1.1.2", "md2RSA"),
    ("1.2.840.10045.4.3.2", "sha256ECDSA"),
    ("1.2.840.10045.4.3.3", "sha384ECDSA"),
    ("1.2.840.10045.4.3.4", "sha512ECDSA"),
    ("1.2.840.10045.4.1", "sha1ECDSA"),
    ("1.2.840.10040.4.3", "sha1DSA"),
    ("1.3.101.112", "Ed25519"),
];
const CURVE_NAMES: &[(&str, &str)] = &[
    ("1.2.840.10045.3.1.7", "P-256"),
    ("1.3.132.0.34", "P-384"),
    ("1.3.132.0.35", "P-521"),
];
const KEY_ALGORITHM_NAMES: &[(&str, &str)] = &[
    ("1.2.840.10040.4.1", "DSA"),
    ("1.3.101.112", "Ed25519"),
    ("1.3.101.113", "Ed448"),
];
/// Attribute names in distinguished names, as Windows abbreviates them.
const ATTRIBUTE_NAMES: &[(&str, &str)] = &[
    ("2.5.4.3", "CN"),
    ("2.5.4.4", "SN"),
    ("2.5.4.5", "SERIALNUMBER"),
    ("2.5.4.6", "C"),
    ("2.5.4.7", "L"),
    ("2.5.4.8", "S"),
    ("2.5.4.9", "STREET"),
    ("2.5.4.10", "O"),
    ("2.5.4.11", "OU"),
    ("2.5.4.12", "T"),
    ("2.5.4.42", "G"),
    ("0.9.2342.19200300.100.1.25", "DC"),
    ("1.2.840.113549.1.9.1", "E"),
];

/// The name for `oid` in `table`, or the dotted OID itself.
fn known_name(table: &[(&str, &str)], oid: &str) -> String {
    table
        .iter()
        .find(|(known, _)| *known == oid)
        .map_or_else(|| oid.to_string(), |(_, name)| (*name).to_string())
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

fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

fn thumbprint(der: &[u8]) -> String {
    Sha1::digest(der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

fn weak_hash(signature_oid: &str) -> Option<&'static str> {
    WEAK_SIGNATURES
        .iter()
        .find(|(oid, _)| *oid == signature_oid)
        .map(|(_, hash)| *hash)
}

fn eku_display(oid: &str) -> String {
    match EKU_NAMES.iter().find(|(known, _)| *known == oid) {
        Some((_, name)) => format!("{name} ({oid})"),
        None => oid.to_string(),
    }
}

fn key_usage_names(flags: u16) -> Vec<String> {
    KEY_USAGE_NAMES
        .iter()
        .enumerate()
        .filter(|(bit, _)| flags & (1 << bit) != 0)
        .map(|(_, n)| (*n).to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Text printed by Windows tools

fn looks_like_certutil(text: &str) -> bool {
    text.contains("Cert Hash(sha1)")
        || (text.contains("NotAfter:") && text.contains("Algorithm ObjectId"))
}

fn looks_like_format_list(text: &str) -> bool {
    let has_key = |key: &str| {
        text.lines()
            .any(|l| l.split_once(':').is_some_and(|(k, _)| k.trim() == key))
    };
    has_key("Thumbprint") && (has_key("NotAfter") || has_key("Subject"))
}

/// Text-derived facts with everything unknown; readers fill in what their format shows.
fn text_facts() -> Facts {
    Facts {
        summary: CertSummary {
            subject: String::new(),
            issuer: String::new(),
            dns_names: Vec::new(),
            ip_addresses: Vec::new(),
            not_before: None,
            not_after: None,
            key: None,
            signature_algorithm: None,
            extended_key_usage: None,
            key_usage: None,
            is_ca: None,
            self_signed: false,
            thumbprint_sha1: None,
        },
        not_before: None,
        not_after: None,
        dates_are_local: true,
        common_names: Vec::new(),
        has_san: Known::Unknown,
        ips_shown: false,
        ekus: Known::Unknown,
        key_usage: Known::Unknown,
        rsa_bits: None,
        weak_hash: None,
        subject_key: Vec::new(),
        issuer_key: Vec::new(),
    }
}

/// Completes text-derived facts: names for chain links, self-signed, dates; refuses empty records.
fn finish_text_facts(mut facts: Facts) -> Option<Facts> {
    let s = &facts.summary;
    if s.subject.is_empty()
        && s.issuer.is_empty()
        && facts.not_after.is_none()
        && s.thumbprint_sha1.is_none()
    {
        return None;
    }
    facts.subject_key = normalize_name(&facts.summary.subject).into_bytes();
    facts.issuer_key = normalize_name(&facts.summary.issuer).into_bytes();
    facts.summary.self_signed =
        !facts.subject_key.is_empty() && facts.subject_key == facts.issuer_key;
    facts.common_names = facts
        .summary
        .subject
        .split([',', '\n'])
        .filter_map(|rdn| rdn.trim().strip_prefix("CN=").map(str::to_string))
        .collect();
    let printed = |unix: Option<i64>| {
        unix.map(|unix_if_utc| {
            PrintedTime {
                unix_if_utc,
                is_utc: false,
            }
            .display()
        })
    };
    facts.summary.not_before = printed(facts.not_before);
    facts.summary.not_after = printed(facts.not_after);
    Some(facts)
}

/// Distinguished names compared the way they are printed: whitespace collapsed, ASCII case
/// folded (full Unicode case tables would add kilobytes to the browser bundle for no real case).
fn normalize_name(name: &str) -> String {
    name.split(',')
        .map(|rdn| rdn.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join(",")
        .to_ascii_lowercase()
}

fn printed_unix(text: &str) -> Option<i64> {
    parse_printed_time(text).map(|t| t.unix_if_utc)
}

/// OIDs in parentheses, as Windows prints them: `Server Authentication (1.3.6.1.5.5.7.3.1)`.
fn oids_in_parentheses(text: &str) -> Vec<String> {
    text.split('(')
        .skip(1)
        .filter_map(|part| part.split_once(')').map(|(inside, _)| inside.trim()))
        .filter(|inside| {
            inside.contains('.') && inside.chars().all(|c| c.is_ascii_digit() || c == '.')
        })
        .map(str::to_string)
        .collect()
}

/// `certutil -dump`: sections introduced by unindented `Name:` lines, extensions by their OID.
fn read_certutil(text: &str) -> Result<Vec<Facts>, AnalyzeError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Section {
        Other,
        Issuer,
        Subject,
        SignatureAlgorithm,
        PublicKeyAlgorithm,
        Extensions,
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Extension {
        Other,
        Eku,
        KeyUsage,
        San,
        BasicConstraints,
    }

    let mut certs = Vec::new();
    // certutil lists every extension, so one it does not list is absent, not unknown.
    let fresh = || Facts {
        ekus: Known::Absent,
        key_usage: Known::Absent,
        has_san: Known::Absent,
        ips_shown: true,
        ..text_facts()
    };
    let mut facts = fresh();
    let mut section = Section::Other;
    let mut extension = Extension::Other;

    for line in text.lines() {
        let trimmed = line.trim();
        let indented = line.starts_with(char::is_whitespace);
        // A new certificate: "X509 Certificate:" or "================ Certificate 1 ================".
        if trimmed.starts_with("X509 Certificate")
            || (trimmed.starts_with("====") && trimmed.contains("Certificate"))
        {
            if let Some(done) = finish_text_facts(std::mem::replace(&mut facts, fresh())) {
                certs.push(done);
            }
            if certs.len() >= MAX_CERTIFICATES {
                break;
            }
            section = Section::Other;
            continue;
        }
        if let Some(value) = trimmed.strip_prefix("NotBefore:") {
            facts.not_before = printed_unix(value);
            continue;
        }
        if let Some(value) = trimmed.strip_prefix("NotAfter:") {
            facts.not_after = printed_unix(value);
            continue;
        }
        if let Some(value) = trimmed.strip_prefix("Public Key Length:") {
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
            continue;
        }
        if let Some(value) = trimmed.strip_prefix("Cert Hash(sha1):") {
            let hex: String = value
                .chars()
                .filter(char::is_ascii_hexdigit)
                .collect::<String>()
                .to_ascii_uppercase();
            if hex.len() == 40 {
                facts.summary.thumbprint_sha1 = Some(hex);
            }
            continue;
        }
        if !indented && trimmed.ends_with(':') {
            section = match trimmed.trim_end_matches(':') {
                "Issuer" => Section::Issuer,
                "Subject" => Section::Subject,
                "Signature Algorithm" => Section::SignatureAlgorithm,
                "Public Key Algorithm" => Section::PublicKeyAlgorithm,
                _ => Section::Other,
            };
            continue;
        }
        if !indented && trimmed.starts_with("Certificate Extensions") {
            section = Section::Extensions;
            extension = Extension::Other;
            continue;
        }
        if !indented && !trimmed.is_empty() {
            section = Section::Other;
            continue;
        }
        match section {
            Section::Issuer
                if facts.summary.issuer.is_empty()
                    && trimmed.contains('=')
                    && !trimmed.contains("Hash(") =>
            {
                facts.summary.issuer = trimmed.to_string();
            }
            Section::Subject
                if facts.summary.subject.is_empty()
                    && trimmed.contains('=')
                    && !trimmed.contains("Hash(") =>
            {
                facts.summary.subject = trimmed.to_string();
            }
            Section::SignatureAlgorithm | Section::PublicKeyAlgorithm => {
                if let Some(value) = trimmed.strip_prefix("Algorithm ObjectId:") {
                    let mut words = value.split_whitespace();
                    let oid = words.next().unwrap_or_default();
                    let name = words.next().unwrap_or(oid).to_string();
                    if section == Section::SignatureAlgorithm
                        && facts.summary.signature_algorithm.is_none()
                    {
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
            }
            Section::Extensions => {
                // "    2.5.29.37: Flags = 0, Length = c" starts an extension.
                if let Some((oid, _)) = trimmed.split_once(": Flags") {
                    extension = match oid {
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
                    continue;
                }
                match extension {
                    Extension::Eku => {
                        if let Known::Present(oids) = &mut facts.ekus {
                            oids.extend(oids_in_parentheses(trimmed));
                        }
                    }
                    Extension::KeyUsage => {
                        // "Digital Signature, Key Encipherment (a0)": the hex is the DER bit string,
                        // most significant bit first, and does not depend on the display language.
                        if let Some(hex) = trimmed
                            .rsplit_once('(')
                            .and_then(|(_, h)| h.strip_suffix(')'))
                        {
                            let hex = hex.replace(' ', "");
                            let bytes: Vec<u8> = (0..hex.len() / 2)
                                .filter_map(|i| hex.get(2 * i..2 * i + 2))
                                .filter_map(|h| u8::from_str_radix(h, 16).ok())
                                .collect();
                            if let Some(&first) = bytes.first() {
                                let second = bytes.get(1).copied().unwrap_or(0);
                                facts.key_usage = Known::Present(
                                    u16::from(first.reverse_bits()) | (u16::from(second >> 7) << 8),
                                );
                            }
                        }
                    }
                    Extension::San => {
                        if let Some((kind, value)) = trimmed.split_once('=') {
                            let value = value.trim();
                            if let Ok(ip) = value.parse::<IpAddr>() {
                                facts.summary.ip_addresses.push(ip.to_string());
                            } else if kind.to_ascii_uppercase().contains("DNS") {
                                facts.summary.dns_names.push(value.to_string());
                            }
                        }
                    }
                    Extension::BasicConstraints => {
                        if let Some((_, value)) = trimmed.split_once("Subject Type=") {
                            facts.summary.is_ca = Some(value.trim() == "CA");
                        }
                    }
                    Extension::Other => {}
                }
            }
            _ => {}
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

/// `Get-ChildItem Cert:\… | Format-List *`: `Name : value` lines, long values wrapped onto
/// indented lines, one record per certificate. Property names are .NET's and not localized.
fn read_format_list(text: &str) -> Result<Vec<Facts>, AnalyzeError> {
    let mut records: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for line in text.lines() {
        let Some(record) = records.last_mut() else {
            break;
        };
        match line
            .split_once(" : ")
            .or_else(|| line.trim_end().strip_suffix(" :").map(|k| (k, "")))
        {
            Some((key, value))
                if !key.starts_with(char::is_whitespace) && !key.trim().is_empty() =>
            {
                let key = key.trim().to_string();
                if record.iter().any(|(k, _)| *k == key) {
                    if records.len() >= MAX_CERTIFICATES {
                        break;
                    }
                    records.push(vec![(key, value.trim().to_string())]);
                } else {
                    record.push((key, value.trim().to_string()));
                }
            }
            _ => {
                if let Some((_, value)) = record
                    .last_mut()
                    .filter(|_| line.starts_with(' ') && !line.trim().is_empty())
                {
                    value.push(' ');
                    value.push_str(line.trim());
                }
            }
        }
    }

    let mut certs = Vec::new();
    for record in records {
        let get = |key: &str| {
            record
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let mut facts = text_facts();
        facts.summary.subject = get("Subject").unwrap_or_default().to_string();
        facts.summary.issuer = get("Issuer").unwrap_or_default().to_string();
        facts.not_before = get("NotBefore").and_then(printed_unix);
        facts.not_after = get("NotAfter").and_then(printed_unix);
        facts.summary.thumbprint_sha1 = get("Thumbprint")
            .map(str::to_ascii_uppercase)
            .filter(|t| t.len() == 40);
        if let Some(list) = get("DnsNameList") {
            // DnsNameList holds the SAN DNS names, or the CN when there are none: what Windows matches.
            facts.summary.dns_names = braced_list(list).0;
        }
        if let Some(list) = get("EnhancedKeyUsageList") {
            let (items, truncated) = braced_list(list);
            let oids: Vec<String> = items.iter().flat_map(|i| oids_in_parentheses(i)).collect();
            facts.ekus = if items.is_empty() && !truncated {
                Known::Absent
            } else if truncated && !oids.iter().any(|o| eku_allows_rdp(o)) {
                // PowerShell shows only the first few list items ($FormatEnumerationLimit).
                Known::Unknown
            } else {
                Known::Present(oids)
            };
            facts.summary.extended_key_usage = Some(items);
        }
        if let Some(done) = finish_text_facts(facts) {
            certs.push(done);
        }
    }
    if certs.is_empty() {
        Err(AnalyzeError::TooLittleCertificateText)
    } else {
        Ok(certs)
    }
}

/// `{a, b, c...}` → items, and whether PowerShell cut the list short with `...`.
fn braced_list(value: &str) -> (Vec<String>, bool) {
    let inner = value.trim().trim_start_matches('{').trim_end_matches('}');
    let truncated = inner.ends_with("...");
    let inner = inner.trim_end_matches("...");
    let items = inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    (items, truncated)
}

// ---------------------------------------------------------------------------------------------
// Checks

fn eku_allows_rdp(oid: &str) -> bool {
    [OID_SERVER_AUTH, OID_REMOTE_DESKTOP_AUTH, OID_ANY_EKU].contains(&oid)
}

/// How the certificates of one input relate to each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// The server certificate first, then its issuers (PEM, DER, the wire).
    Chain,
    /// A certificate store listing: any of them may be the one the RDP listener uses.
    Listing,
}

fn check(certs: &[Facts], layout: Layout, ctx: &CertContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, cert) in certs.iter().enumerate() {
        let is_server = layout == Layout::Listing || index == 0;
        let which = match (layout, index) {
            _ if certs.len() == 1 => "The server certificate".to_string(),
            (Layout::Chain, 0) => "The server certificate".to_string(),
            (Layout::Chain, _) => format!("Chain certificate \"{}\"", cert.summary.subject),
            (Layout::Listing, _) => match &cert.summary.thumbprint_sha1 {
                Some(thumbprint) => {
                    format!("Certificate {thumbprint} (\"{}\")", cert.summary.subject)
                }
                None => format!("Certificate \"{}\"", cert.summary.subject),
            },
        };
        check_validity(cert, &which, ctx.now_unix, &mut findings);
        check_key(cert, &which, &mut findings);
        if !cert.summary.self_signed {
            check_signature(cert, &which, &mut findings);
        } else if is_server {
            check_self_signature(cert, &which, &mut findings);
        }
        if is_server {
            check_server_certificate(cert, &which, ctx, &mut findings);
        }
    }
    if layout == Layout::Chain {
        check_chain(certs, &mut findings);
    }
    // Most severe first; the order within a severity stays that of the checks.
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    findings
}

/// The checks that apply to the certificate the RDP listener presents, not to its issuers.
fn check_server_certificate(
    cert: &Facts,
    which: &str,
    ctx: &CertContext,
    findings: &mut Vec<Finding>,
) {
    if cert.summary.self_signed {
        findings.push(Finding::new(Severity::Warning, Some(EvidenceId::CertSelfSigned), format!("{which} is self-signed"), format!(
                "\"{}\" issued itself. Clients that do not already trust it warn, and refuse to connect when the \
                 .rdp file or policy requires server authentication. This is Windows' default RDP certificate.",
                cert.summary.subject
            )));
    }
    if let Some(host) = ctx.host.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        check_name(cert, which, host, findings);
    }
    check_eku(cert, which, findings);
    check_key_usage(cert, which, findings);
    note_unchecked(cert, which, ctx, findings);
    if let Some(thumbprint) = &cert.summary.thumbprint_sha1 {
        findings.push(Finding::new(Severity::Info, None, format!("Thumbprint {thumbprint}"), "Compare with the SSLCertificateSHA1Hash the RDP listener uses: \
             Get-CimInstance -Namespace root\\cimv2\\TerminalServices -ClassName Win32_TSGeneralSetting"));
    }
}

fn days(seconds: i64) -> i64 {
    seconds / 86_400
}

fn check_validity(cert: &Facts, which: &str, now: i64, findings: &mut Vec<Finding>) {
    let zone_note = if cert.dates_are_local {
        " (dates as printed, in the server's local time)"
    } else {
        ""
    };
    if let Some(not_after) = cert.not_after {
        let when = cert.summary.not_after.clone().unwrap_or_default();
        if now > not_after {
            findings.push(Finding::new(Severity::Error, Some(EvidenceId::CertExpired), format!("{which} has expired"), format!("It expired on {when}, {} days ago{zone_note}. Clients refuse expired certificates.", days(now - not_after))));
        } else if not_after - now < EXPIRING_SOON_SECS {
            findings.push(Finding::new(
                Severity::Warning,
                Some(EvidenceId::CertExpiringSoon),
                format!("{which} expires soon"),
                format!(
                    "It expires on {when}, in {} days{zone_note}.",
                    days(not_after - now)
                ),
            ));
        }
    }
    if cert.not_before.is_some_and(|t| now < t) {
        let when = cert.summary.not_before.clone().unwrap_or_default();
        findings.push(Finding::new(Severity::Error, Some(EvidenceId::CertNotYetValid), format!("{which} is not valid yet"), format!("It becomes valid on {when}{zone_note}. Check the clock on the server and the client.")));
    }
}

fn check_key(cert: &Facts, which: &str, findings: &mut Vec<Finding>) {
    if let Some(bits) = cert.rsa_bits.filter(|&b| b < MIN_RSA_BITS) {
        findings.push(Finding::new(Severity::Error, Some(EvidenceId::CertKeyWeak), format!("{which} has a weak {bits}-bit RSA key"), format!("Current Windows and TLS libraries reject RSA keys under {MIN_RSA_BITS} bits; issue a new certificate.")));
    }
}

fn check_signature(cert: &Facts, which: &str, findings: &mut Vec<Finding>) {
    if let Some(hash) = cert.weak_hash {
        let algorithm = cert.summary.signature_algorithm.as_deref().unwrap_or(hash);
        findings.push(Finding::new(Severity::Error, Some(EvidenceId::CertSignatureWeak), format!("{which} is signed with {hash}"), format!("Its signature algorithm is {algorithm}; clients distrust {hash} signatures. Reissue it with SHA-256.")));
    }
}

/// Matches the way Windows does: SAN DNS names (with a single left-most `*` label) and SAN IP
/// addresses; the subject CN only when the certificate has no SAN at all.
fn check_name(leaf: &Facts, which: &str, host: &str, findings: &mut Vec<Finding>) {
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.');
    let host_ip = host.parse::<IpAddr>().ok();
    let names = &leaf.summary.dns_names;
    let cn_counts = leaf.has_san != Known::Present(());
    let matched = match host_ip {
        Some(ip) => {
            if !leaf.ips_shown && !cn_counts {
                findings.push(Finding::new(
                    Severity::Info,
                    None,
                    "The name check for an IP address was skipped",
                    "This text does not list the certificate's IP addresses.",
                ));
                return;
            }
            leaf.summary
                .ip_addresses
                .iter()
                .any(|a| a.parse::<IpAddr>().ok() == Some(ip))
                || (cn_counts
                    && leaf
                        .common_names
                        .iter()
                        .any(|cn| cn.parse::<IpAddr>().ok() == Some(ip)))
        }
        None => {
            names.iter().any(|n| dns_name_matches(n, host))
                || (cn_counts
                    && leaf
                        .common_names
                        .iter()
                        .any(|cn| dns_name_matches(cn, host)))
        }
    };
    if matched {
        return;
    }
    let mut listed: Vec<String> = names
        .iter()
        .chain(&leaf.summary.ip_addresses)
        .cloned()
        .collect();
    if cn_counts {
        listed.extend(leaf.common_names.iter().cloned());
    }
    let listed = if listed.is_empty() {
        "no names".to_string()
    } else {
        listed.join(", ")
    };
    let hint = if host_ip.is_none()
        && !host.contains('.')
        && names.iter().chain(&leaf.common_names).any(|n| {
            n.to_ascii_lowercase()
                .starts_with(&format!("{}.", host.to_ascii_lowercase()))
        }) {
        " Connect with the full DNS name the certificate lists instead of the short name."
    } else {
        ""
    };
    findings.push(Finding::new(
        Severity::Error,
        Some(EvidenceId::CertNameMismatch),
        format!("{which} is not valid for \"{host}\""),
        format!("It names {listed}.{hint}"),
    ));
}

fn dns_name_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim().trim_end_matches('.').to_ascii_lowercase();
    let host = host.to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(suffix) => host
            .split_once('.')
            .is_some_and(|(label, rest)| !label.is_empty() && rest == suffix),
        None => pattern == host,
    }
}

fn check_eku(leaf: &Facts, which: &str, findings: &mut Vec<Finding>) {
    let Known::Present(oids) = &leaf.ekus else {
        return;
    };
    if oids.iter().any(|o| eku_allows_rdp(o)) {
        return;
    }
    let listed = if oids.is_empty() {
        "none".to_string()
    } else {
        oids.iter()
            .map(|o| eku_display(o))
            .collect::<Vec<_>>()
            .join(", ")
    };
    findings.push(Finding::new(Severity::Error, Some(EvidenceId::CertEkuUnsuitable), format!("{which} is not allowed for server authentication"), format!(
            "Its Enhanced Key Usage lists {listed}; an RDP certificate needs Server Authentication ({OID_SERVER_AUTH}) \
             or Remote Desktop Authentication ({OID_REMOTE_DESKTOP_AUTH})."
        )));
}

fn check_key_usage(leaf: &Facts, which: &str, findings: &mut Vec<Finding>) {
    let Known::Present(flags) = leaf.key_usage else {
        return;
    };
    if flags & (KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT | KU_KEY_AGREEMENT) != 0 {
        return;
    }
    let listed = key_usage_names(flags);
    let listed = if listed.is_empty() {
        "nothing".to_string()
    } else {
        listed.join(", ")
    };
    findings.push(Finding::new(Severity::Error, Some(EvidenceId::CertKeyUsageUnsuitable), format!("{which}'s key usage does not allow a TLS server"), format!("Its Key Usage allows {listed}; a TLS server needs Digital Signature or Key Encipherment.")));
}

/// A chain given leaf first should continue with the leaf's issuer, then that one's, and so on.
/// A self-signed server certificate's own signature: nobody checks it when trusting the
/// certificate directly, but SHA-1 there marks a certificate from before 2012 (Windows Server 2008
/// R2 made its RDP certificates that way) and audits and policies that ban SHA-1 flag it.
fn check_self_signature(cert: &Facts, which: &str, findings: &mut Vec<Finding>) {
    if let Some(hash) = cert.weak_hash {
        let algorithm = cert.summary.signature_algorithm.as_deref().unwrap_or(hash);
        findings.push(Finding::new(
            Severity::Warning,
            Some(EvidenceId::CertSignatureWeak),
            format!("{which} signs itself with {hash}"),
            format!(
                "Its signature algorithm is {algorithm}. A client that trusts this certificate directly does not check it, \
                 but audits and policies that ban {hash} flag it. Windows makes a SHA-256 one when the self-signed \
                 certificate is deleted and Remote Desktop Services restarts (Windows Server 2012 and later)."
            ),
        ));
    }
}

fn check_chain(certs: &[Facts], findings: &mut Vec<Finding>) {
    if let [leaf] = certs
        && !leaf.summary.self_signed
    {
        findings.push(Finding::new(
            Severity::Info,
            None,
            "The issuer's certificate is not included",
            format!(
                "Only the server certificate is here (as the server sent it, when probed), issued by \"{}\". Clients \
                 must already have the issuer's certificate, or download it, to build the chain; a server normally sends \
                 its intermediate CA certificates with its own.",
                leaf.summary.issuer
            ),
        ));
        return;
    }
    if certs.len() < 2 {
        return;
    }
    let mut path = vec![0usize];
    let mut current = 0;
    while !certs[current].summary.self_signed {
        let issuer = certs
            .iter()
            .enumerate()
            .position(|(i, c)| !path.contains(&i) && c.subject_key == certs[current].issuer_key);
        let Some(next) = issuer else { break };
        path.push(next);
        current = next;
    }
    let top = &certs[current];
    if path.len() < certs.len() {
        let detached: Vec<String> = (0..certs.len())
            .filter(|i| !path.contains(i))
            .map(|i| format!("\"{}\"", certs[i].summary.subject))
            .collect();
        if top.summary.self_signed {
            findings.push(Finding::new(
                Severity::Info,
                None,
                "Some certificates are not part of the server certificate's chain",
                format!("Not linked to the chain: {}.", detached.join("; ")),
            ));
        } else {
            findings.push(Finding::new(Severity::Error, Some(EvidenceId::CertChainIncomplete), "The certificate chain is incomplete", format!(
                    "The certificate that issued \"{}\" (\"{}\") is missing, so {} cannot be linked to the server certificate. \
                     Install the intermediate CA certificate on the server.",
                    top.summary.subject,
                    top.summary.issuer,
                    detached.join("; ")
                )));
        }
    } else if path
        .iter()
        .enumerate()
        .any(|(position, &index)| position != index)
    {
        let order: Vec<&str> = path
            .iter()
            .map(|&i| certs[i].summary.subject.as_str())
            .collect();
        findings.push(Finding::new(
            Severity::Warning,
            Some(EvidenceId::CertChainOutOfOrder),
            "The certificate chain is out of order",
            format!(
                "Each certificate should be followed by its issuer: {}.",
                order.join(" → ")
            ),
        ));
    }
}

/// Says which checks the input could not support, so silence is never mistaken for a pass.
fn note_unchecked(leaf: &Facts, which: &str, ctx: &CertContext, findings: &mut Vec<Finding>) {
    let mut unchecked = Vec::new();
    if leaf.not_after.is_none() {
        unchecked.push("validity dates");
    }
    if leaf.summary.key.as_ref().and_then(|k| k.bits).is_none() {
        unchecked.push("key size");
    }
    if leaf.summary.signature_algorithm.is_none() {
        unchecked.push("signature algorithm");
    }
    if leaf.ekus == Known::Unknown {
        unchecked.push("Enhanced Key Usage");
    }
    if leaf.key_usage == Known::Unknown {
        unchecked.push("Key Usage");
    }
    if ctx.host.is_none() {
        unchecked.push("host name (no host given)");
    }
    if !unchecked.is_empty() {
        findings.push(Finding::new(
            Severity::Info,
            None,
            "Some checks were not possible with this input",
            format!("{which}: not checked: {}.", unchecked.join(", ")),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_exactly_one_label() {
        assert!(dns_name_matches(
            "*.corp.example.com",
            "rds01.corp.example.com"
        ));
        assert!(dns_name_matches(
            "RDS01.corp.example.com.",
            "rds01.CORP.example.com"
        ));
        assert!(!dns_name_matches(
            "*.corp.example.com",
            "a.b.corp.example.com"
        ));
        assert!(!dns_name_matches("*.corp.example.com", "corp.example.com"));
        assert!(!dns_name_matches("rds01.corp.example.com", "rds01"));
    }

    #[test]
    fn reads_powershell_braced_lists() {
        assert_eq!(
            braced_list("{a, b}"),
            (vec!["a".to_string(), "b".to_string()], false)
        );
        assert_eq!(braced_list("{}"), (vec![], false));
        assert_eq!(
            braced_list("{a, b, c, d...}"),
            (vec!["a".into(), "b".into(), "c".into(), "d".into()], true)
        );
    }

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
