//! The object identifiers the analyzer names or judges, and the names Windows shows for them.
//! Small tables instead of x509-parser's OID registry, which would add its whole registry
//! (some 15 KB gzip) to the browser bundle.

pub(super) const OID_SERVER_AUTH: &str = "1.3.6.1.5.5.7.3.1";
pub(super) const OID_REMOTE_DESKTOP_AUTH: &str = "1.3.6.1.4.1.311.54.1.2";
pub(super) const OID_ANY_EKU: &str = "2.5.29.37.0";

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
pub(super) const KU_DIGITAL_SIGNATURE: u16 = 1;
pub(super) const KU_KEY_ENCIPHERMENT: u16 = 1 << 2;
pub(super) const KU_KEY_AGREEMENT: u16 = 1 << 4;

/// Signature algorithm names as Windows shows them.
pub(super) const SIGNATURE_NAMES: &[(&str, &str)] = &[
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
/// Named elliptic curves of EC keys.
pub(super) const CURVE_NAMES: &[(&str, &str)] = &[
    ("1.2.840.10045.3.1.7", "P-256"),
    ("1.3.132.0.34", "P-384"),
    ("1.3.132.0.35", "P-521"),
];
/// Key algorithms other than RSA and EC, which are named from their parameters.
pub(super) const KEY_ALGORITHM_NAMES: &[(&str, &str)] = &[
    ("1.2.840.10040.4.1", "DSA"),
    ("1.3.101.112", "Ed25519"),
    ("1.3.101.113", "Ed448"),
];
/// Attribute names in distinguished names, as Windows abbreviates them.
pub(super) const ATTRIBUTE_NAMES: &[(&str, &str)] = &[
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
pub(super) fn known_name(table: &[(&str, &str)], oid: &str) -> String {
    table
        .iter()
        .find(|(known, _)| *known == oid)
        .map_or_else(|| oid.to_string(), |(_, name)| (*name).to_string())
}

/// The distrusted hash a signature algorithm uses, if any.
pub(super) fn weak_hash(signature_oid: &str) -> Option<&'static str> {
    WEAK_SIGNATURES
        .iter()
        .find(|(oid, _)| *oid == signature_oid)
        .map(|(_, hash)| *hash)
}

/// `Server Authentication (1.3.6.1.5.5.7.3.1)`, or the bare OID when it has no known name.
pub(super) fn eku_display(oid: &str) -> String {
    match EKU_NAMES.iter().find(|(known, _)| *known == oid) {
        Some((_, name)) => format!("{name} ({oid})"),
        None => oid.to_string(),
    }
}

/// The names of the key usage bits set in `flags`.
pub(super) fn key_usage_names(flags: u16) -> Vec<String> {
    KEY_USAGE_NAMES
        .iter()
        .enumerate()
        .filter(|(bit, _)| flags & (1 << bit) != 0)
        .map(|(_, n)| (*n).to_string())
        .collect()
}

/// Whether an EKU lets a certificate serve an RDP listener.
pub(super) fn eku_allows_rdp(oid: &str) -> bool {
    [OID_SERVER_AUTH, OID_REMOTE_DESKTOP_AUTH, OID_ANY_EKU].contains(&oid)
}
