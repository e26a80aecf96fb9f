//! Every check over the facts of an input's certificates: validity, key, signature, name, key
//! usages, chain order and completeness, and a note of what the input could not show.

use std::net::IpAddr;

use super::oids::{
    KU_DIGITAL_SIGNATURE, KU_KEY_AGREEMENT, KU_KEY_ENCIPHERMENT, OID_REMOTE_DESKTOP_AUTH,
    OID_SERVER_AUTH, eku_allows_rdp, eku_display, key_usage_names,
};
use super::{CertContext, Facts, Known};
use crate::evidence::{EvidenceId, Finding, Severity};

/// Within this of its end, a certificate is reported as expiring soon.
const EXPIRING_SOON_SECS: i64 = 30 * 24 * 60 * 60;
/// The smallest RSA key current Windows and TLS libraries accept.
const MIN_RSA_BITS: u32 = 2048;

/// How the certificates of one input relate to each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Layout {
    /// The server certificate first, then its issuers (PEM, DER, the wire).
    Chain,
    /// A certificate store listing: any of them may be the one the RDP listener uses.
    Listing,
}

/// All findings for one input, most severe first.
pub(super) fn check(certs: &[Facts], layout: Layout, ctx: &CertContext) -> Vec<Finding> {
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

/// A chain given leaf first should continue with the leaf's issuer, then that one's, and so on.
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
}
