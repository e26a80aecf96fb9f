//! `.rdp` file analyzer: reads the connection settings, flags those that cause or hide
//! 0x904-type failures, and names the host and port for the probe.
//!
//! Format: one `name:type:value` setting a line (type `s` string, `i` integer, `b` binary).
//! mstsc saves it as UTF-16LE with a BOM; other tools write UTF-8.

use super::text::decode_text;
use super::{AnalyzeError, check_size};
use crate::evidence::{EvidenceId, Finding, Severity};
pub use crate::report::{RdpFileReport, RdpSetting, Target};

/// Real .rdp files are a few kilobytes.
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;
/// More settings than this is not an .rdp file anyone wrote; the rest are ignored.
const MAX_SETTINGS: usize = 4096;

pub fn analyze(input: &[u8]) -> Result<RdpFileReport, AnalyzeError> {
    check_size(input, MAX_INPUT_BYTES)?;
    let text = decode_text(input);
    let mut settings = Vec::new();
    let mut unreadable_lines = 0;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if line.is_empty() {
            continue;
        }
        match parse_line(line) {
            Some((name, kind, value)) if settings.len() < MAX_SETTINGS => {
                settings.push(RdpSetting {
                    name: name.to_string(),
                    kind: kind.to_string(),
                    value: value.to_string(),
                    line: index + 1,
                })
            }
            Some(_) => break,
            None => unreadable_lines += 1,
        }
    }
    if settings.is_empty() {
        return Err(AnalyzeError::NotAnRdpFile);
    }
    let mut report = RdpFileReport {
        target: None,
        settings,
        findings: Vec::new(),
        unreadable_lines,
    };
    report.target = target(&report);
    report.findings = findings(&report);
    report
        .findings
        .sort_by_key(|f| std::cmp::Reverse(f.severity));
    Ok(report)
}

/// `name:type:value`, where the value may itself contain colons (`full address:s:host:3390`).
fn parse_line(line: &str) -> Option<(&str, &str, &str)> {
    let mut parts = line.splitn(3, ':');
    let name = parts.next()?.trim();
    let kind = parts.next()?.trim();
    let value = parts.next()?.trim();
    let valid_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.'));
    (valid_name && matches!(kind, "s" | "i" | "b" | "S" | "I" | "B")).then_some((name, kind, value))
}

/// Splits `host`, `host:port`, `[v6]:port` or a bare IPv6 address.
fn split_address(address: &str) -> (String, Option<u16>) {
    let address = address.trim();
    if let Some((host, after)) = address
        .strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
    {
        return (
            host.to_string(),
            after.strip_prefix(':').and_then(|p| p.parse().ok()),
        );
    }
    match address.split_once(':') {
        Some((host, port)) if !port.contains(':') => (host.to_string(), port.parse().ok()),
        _ => (address.to_string(), None),
    }
}

fn target(report: &RdpFileReport) -> Option<Target> {
    let (host, port) = split_address(report.setting("full address")?);
    if host.is_empty() {
        return None;
    }
    let server_port = report
        .integer("server port")
        .and_then(|p| u16::try_from(p).ok())
        .filter(|&p| p != 0);
    Some(Target {
        host,
        port: port.or(server_port).unwrap_or(Target::DEFAULT_PORT),
    })
}

fn findings(report: &RdpFileReport) -> Vec<Finding> {
    let mut findings = Vec::new();
    match &report.target {
        None => findings.push(Finding::new(Severity::Warning, None, "The file names no server", "It has no \"full address\" setting, so the client asks for the computer to connect to.")),
        Some(Target { host, port }) => {
            findings.push(Finding::new(Severity::Info, None, format!("Connects to {host} on port {port}"), "From \"full address\"; the probe can test this host and port."));
            if *port != Target::DEFAULT_PORT {
                findings.push(Finding::new(Severity::Info, Some(EvidenceId::RdpNonstandardPort), format!("The file connects to port {port}, not 3389"), "The server's listener and every firewall on the way must use this port too."));
            }
        }
    }
    if let (Some(alternate), Some(Target { host, .. })) =
        (report.setting("alternate full address"), &report.target)
    {
        let (alternate_host, _) = split_address(alternate);
        if !alternate_host.is_empty() && !alternate_host.eq_ignore_ascii_case(host) {
            findings.push(Finding::new(Severity::Info, None, format!("An alternate address is set: {alternate}"), "mstsc connects to \"alternate full address\" instead of \"full address\" when it is set; test that one too."));
        }
    }
    if report.integer("enablecredsspsupport") == Some(0) {
        findings.push(Finding::new(Severity::Warning, Some(EvidenceId::RdpNlaDisabled), "The file turns Network Level Authentication off", "enablecredsspsupport:i:0 stops the client from using CredSSP. A server that requires NLA (the Windows default) \
             then refuses the connection, which the client reports as 0x904 / extended 0x7. Remove the line or set it to 1."));
    }
    match report.integer("authentication level") {
        Some(0) => findings.push(Finding::new(Severity::Warning, Some(EvidenceId::RdpAuthLevelLenient), "The file connects without verifying the server", "authentication level:i:0 accepts any server certificate silently, which hides certificate problems \
             (expired, wrong name, untrusted) rather than fixing them.")),
        Some(1) => findings.push(Finding::new(Severity::Warning, Some(EvidenceId::RdpAuthLevelStrict), "The file refuses to connect if the server cannot be verified", "authentication level:i:1 makes any certificate problem (expired, self-signed, wrong name, untrusted issuer) \
             stop the connection instead of showing a warning.")),
        _ => {}
    }
    if report.integer("negotiate security layer") == Some(0) {
        findings.push(Finding::new(Severity::Warning, Some(EvidenceId::RdpSecurityNegotiationOff), "The file turns security layer negotiation off", "negotiate security layer:i:0 makes the client use legacy RDP security without TLS; a server that requires \
             TLS or NLA refuses it. Remove the line or set it to 1."));
    }
    let gateway = report
        .setting("gatewayhostname")
        .map(str::trim)
        .filter(|g| !g.is_empty());
    let gateway_use = report.integer("gatewayusagemethod");
    if let Some(gateway) = gateway.filter(|_| matches!(gateway_use, Some(1 | 2))) {
        let when = if gateway_use == Some(1) {
            "always"
        } else {
            "when a direct connection fails"
        };
        findings.push(Finding::new(Severity::Info, Some(EvidenceId::RdpGatewayConfigured), format!("The connection goes through the RD Gateway {gateway}"), format!(
                "gatewayusagemethod:i:{} uses the gateway {when}. A failure may come from the gateway, its certificate \
                 or its policies (CAP/RAP), not only from the server; the probe reaches the gateway over HTTPS, not RDP.",
                gateway_use.unwrap_or_default()
            )));
    }
    if report.integer("prompt for credentials") == Some(1) {
        findings.push(Finding::new(
            Severity::Info,
            None,
            "The file always asks for credentials",
            "prompt for credentials:i:1 asks before connecting, so saved credentials are not used.",
        ));
    }
    if report.integer("use redirection server name") == Some(1) {
        findings.push(Finding::new(Severity::Info, None, "The file follows RD Connection Broker redirection by name", "use redirection server name:i:1 connects to the name the broker returns; that name must resolve and \
             match the session host's certificate."));
    }
    if report.integer("enablerdsaadauth") == Some(1) {
        findings.push(Finding::new(Severity::Info, None, "The file uses Microsoft Entra ID authentication", "enablerdsaadauth:i:1 needs an Entra-joined (or hybrid-joined) server and a user allowed by its policies; \
             a changed Conditional Access policy or an expired token can end the connection."));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_addresses_with_and_without_ports() {
        assert_eq!(split_address("rds01"), ("rds01".into(), None));
        assert_eq!(split_address("rds01:3390"), ("rds01".into(), Some(3390)));
        assert_eq!(
            split_address("[2001:db8::1]:3391"),
            ("2001:db8::1".into(), Some(3391))
        );
        assert_eq!(split_address("2001:db8::1"), ("2001:db8::1".into(), None));
        assert_eq!(split_address("rds01:99999"), ("rds01".into(), None));
    }

    #[test]
    fn reads_name_type_value_lines() {
        assert_eq!(
            parse_line("full address:s:host:3390"),
            Some(("full address", "s", "host:3390"))
        );
        assert_eq!(
            parse_line("screen mode id:i:2"),
            Some(("screen mode id", "i", "2"))
        );
        assert_eq!(parse_line("just text"), None);
        assert_eq!(parse_line("a:x:1"), None);
    }
}
