//! The RDP-relevant Windows events, recognised by provider and event ID (never by message text,
//! which Windows localizes), and how to read their key fields.
//!
//! Fields come from the event's named data when the input has it (XML, .evtx). Text exports carry
//! only the rendered, possibly localized message; then the language-independent parts of it are
//! used: hex status codes, numbers in order, IP addresses.

use std::net::IpAddr;

use super::EventRecord;
use crate::codes;
use crate::evidence::{EvidenceId, Severity};
use crate::kb::{
    self,
    model::{CodeEntry, EventEntry, EventLevel, LogonStatus},
};

/// The event sources RDP Doctor knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Provider {
    Schannel,
    RemoteConnectionManager,
    RdpCoreTs,
    LocalSessionManager,
    SecurityAuditing,
    LsaSrv,
    RdpClient,
    ServiceControlManager,
    TermDd,
    Netlogon,
    Kerberos,
    TimeService,
    TermService,
    Gateway,
}

impl Provider {
    /// Matches the provider name as XML, wevtutil and PowerShell print it
    /// (`Microsoft-Windows-TerminalServices-RemoteConnectionManager`) and as Event Viewer's
    /// Source column shows it (`TerminalServices-RemoteConnectionManager`,
    /// `Microsoft Windows security auditing.`).
    pub(crate) fn from_name(name: &str) -> Option<Provider> {
        // Lowercase letters and digits only, on the stack: this runs for every event read.
        let mut key = [0u8; 64];
        let mut len = 0;
        for byte in name.bytes().filter(u8::is_ascii_alphanumeric) {
            *key.get_mut(len)? = byte.to_ascii_lowercase();
            len += 1;
        }
        let key = key.get(..len)?;
        let key = key.strip_prefix(b"microsoftwindows").unwrap_or(key);
        Some(match key {
            b"schannel" => Provider::Schannel,
            b"terminalservicesremoteconnectionmanager" => Provider::RemoteConnectionManager,
            b"remotedesktopservicesrdpcorets" => Provider::RdpCoreTs,
            b"terminalserviceslocalsessionmanager" => Provider::LocalSessionManager,
            b"securityauditing" => Provider::SecurityAuditing,
            b"lsasrv" => Provider::LsaSrv,
            b"terminalservicesclientactivexcore" => Provider::RdpClient,
            b"servicecontrolmanager" => Provider::ServiceControlManager,
            b"termdd" => Provider::TermDd,
            b"netlogon" => Provider::Netlogon,
            b"securitykerberos" | b"kerberos" => Provider::Kerberos,
            b"timeservice" | b"w32time" => Provider::TimeService,
            b"termservice" => Provider::TermService,
            b"terminalservicesgateway" => Provider::Gateway,
            _ => return None,
        })
    }

    pub(crate) fn short_name(self) -> &'static str {
        match self {
            Provider::Schannel => "Schannel",
            Provider::RemoteConnectionManager => "RemoteConnectionManager",
            Provider::RdpCoreTs => "RdpCoreTS",
            Provider::LocalSessionManager => "LocalSessionManager",
            Provider::SecurityAuditing => "Security",
            Provider::LsaSrv => "LsaSrv",
            Provider::RdpClient => "RDP client",
            Provider::ServiceControlManager => "Service Control Manager",
            Provider::TermDd => "TermDD",
            Provider::Netlogon => "Netlogon",
            Provider::Kerberos => "Kerberos",
            Provider::TimeService => "Time-Service",
            Provider::TermService => "TermService",
            Provider::Gateway => "RD Gateway",
        }
    }

    /// The provider's key in `kb/events.toml` (build.rs checks the file uses only these).
    fn key(self) -> &'static str {
        match self {
            Provider::Schannel => "schannel",
            Provider::RemoteConnectionManager => "remote_connection_manager",
            Provider::RdpCoreTs => "rdpcorets",
            Provider::LocalSessionManager => "local_session_manager",
            Provider::SecurityAuditing => "security_auditing",
            Provider::LsaSrv => "lsasrv",
            Provider::RdpClient => "rdp_client",
            Provider::ServiceControlManager => "service_control_manager",
            Provider::TermDd => "termdd",
            Provider::Netlogon => "netlogon",
            Provider::Kerberos => "kerberos",
            Provider::TimeService => "time_service",
            Provider::TermService => "termservice",
            Provider::Gateway => "gateway",
        }
    }
}

/// What one known event means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Decoded {
    pub provider: Provider,
    pub meaning: String,
    pub severity: Severity,
    pub evidence: Option<EvidenceId>,
    /// Decoded key fields for the timeline, e.g. ("TLS alert", "40 handshake_failure").
    pub fields: Vec<(String, String)>,
    /// Events with the same provider, ID and variant are counted as one finding
    /// (e.g. 4625 per failure reason, 36888 per alert).
    pub variant: String,
    /// What to do about it, when there is something to do.
    pub advice: &'static str,
}

/// The service names of Remote Desktop Services and its UserMode Port Redirector, as Service
/// Control Manager events carry them: display names in the message or `param1`, and the service
/// key name in the event's binary data (UTF-16LE hex, `TermService`).
const RDP_SERVICE_MARKERS: &[&str] = &[
    "remote desktop services",
    "termservice",
    "umrdpservice",
    "5400650072006d00530065007200760069006300650",
    "55006d0052006400700053006500720076006900630065",
];

/// The Netlogon service, as Service Control Manager events carry it: its name in the message or
/// `param1` (also when another service's event says it depends on Netlogon), and its key name in
/// the binary data (UTF-16LE hex, `Netlogon`).
const NETLOGON_SERVICE_MARKERS: &[&str] = &["netlogon", "4e00650074006c006f0067006f006e00"];

/// The RDP port the filtering-platform events are read for.
const RDP_PORT: &str = "3389";

/// Reads one event, if RDP Doctor knows it. Meanings, severities, evidence and advice come from
/// `kb/events.toml`; this reads the fields and picks the entry's variant.
pub(crate) fn decode(record: &EventRecord) -> Option<Decoded> {
    let provider = Provider::from_name(&record.provider)?;
    let facts = Facts::new(record);
    let variant = entry_variant(provider, record.event_id, &facts)?;
    let entry = entry(provider, record.event_id, variant)?;
    let mut decoded = Decoded {
        provider,
        meaning: entry.meaning.clone(),
        severity: severity(entry.severity),
        evidence: entry.evidence.as_deref().and_then(EvidenceId::parse),
        fields: Vec::new(),
        variant: variant.unwrap_or_default().to_string(),
        advice: entry.advice.as_deref().unwrap_or_default(),
    };
    read_fields(&mut decoded, record.event_id, &facts);
    Some(decoded)
}

/// Which entry of an event applies; `None` when the event is not the RDP-relevant kind (another
/// service's crash, a logon that is not over RDP, traffic on another port).
#[allow(clippy::option_option)]
fn entry_variant(provider: Provider, event_id: u32, facts: &Facts) -> Option<Option<&'static str>> {
    Some(match (provider, event_id) {
        (Provider::Schannel, 36871)
            if facts
                .named(&["Type"])
                .is_some_and(|t| t.eq_ignore_ascii_case("client")) =>
        {
            // The same event for an outgoing (client) credential is common noise, not the RDP listener.
            Some("client")
        }
        (Provider::ServiceControlManager, _) => {
            let text = facts.all_text().to_ascii_lowercase();
            let names = |markers: &[&str]| markers.iter().any(|m| text.contains(m));
            if names(RDP_SERVICE_MARKERS) {
                Some("rdp_service")
            } else if names(NETLOGON_SERVICE_MARKERS) {
                Some("netlogon_service")
            } else {
                return None;
            }
        }
        (Provider::SecurityAuditing, 4624) => (facts.named_number(&["LogonType"]) == Some(10)
            || facts.labelled_number("logon type") == Some(10))
        .then_some(Some("remote_interactive"))?,
        (Provider::SecurityAuditing, 5152 | 5157) => {
            let port = facts
                .named(&["DestPort"])
                .or_else(|| facts.labelled_word("destination port"));
            (port.as_deref() == Some(RDP_PORT)).then_some(Some("rdp_port"))?
        }
        _ => None,
    })
}

fn entry(provider: Provider, event_id: u32, variant: Option<&str>) -> Option<&'static EventEntry> {
    kb::events().event.iter().find(|e| {
        e.provider == provider.key() && e.ids.contains(&event_id) && e.variant.as_deref() == variant
    })
}

fn severity(level: EventLevel) -> Severity {
    match level {
        EventLevel::Info => Severity::Info,
        EventLevel::Warning => Severity::Warning,
        EventLevel::Error => Severity::Error,
    }
}

/// The event's key fields, read from its named data or, in text exports, from the
/// language-independent parts of its message.
fn read_fields(d: &mut Decoded, event_id: u32, facts: &Facts) {
    match (d.provider, event_id) {
        (Provider::Schannel, 36870) => {
            if let Some(code) = facts.first_hex_code() {
                d.field("Error", status_words(&code));
            }
        }
        (Provider::Schannel, 36871) => {
            if let Some(state) = facts.numbers().into_iter().find(|n| *n >= 10000) {
                d.field("Error state", state.to_string());
                d.variant = format!("{} {state}", d.variant).trim().to_string();
            }
        }
        (Provider::Schannel, 36874) => {
            if let Some(version) = facts.tls_version() {
                d.field("Protocol", version.clone());
                d.variant = version;
            }
        }
        (Provider::Schannel, 36888) => {
            // Data (AlertDesc, ErrorState) or the message's two numbers, in that order.
            let alert = facts
                .named_number(&["AlertDesc"])
                .or_else(|| facts.numbers().first().copied());
            let state = facts
                .named_number(&["ErrorState"])
                .or_else(|| facts.numbers().get(1).copied());
            if let Some(alert) = alert {
                d.field("TLS alert", format!("{alert} {}", tls_alert_name(alert)));
                d.variant = alert.to_string();
            }
            if let Some(state) = state {
                d.field("Schannel error state", state.to_string());
            }
        }
        (Provider::RemoteConnectionManager, 1050..=1065) => {
            d.variant = event_id.to_string();
            d.hex_field(facts);
        }
        (Provider::RemoteConnectionManager, 1149) => {
            d.user_fields(facts, &["Param1"], &["Param2"], &["Param3"]);
        }
        (Provider::RdpCoreTs, 131) => d.address_field(facts, &["ClientIP"]),
        (Provider::RdpCoreTs, 140) => d.address_field(facts, &["IPString"]),
        (Provider::RdpCoreTs, 226) => {
            // Each error code its own meaning: the status tables name it.
            if let Some(code) = facts.first_hex_code() {
                if let Some(meaning) = hex_value(&code).and_then(codes::status_meaning) {
                    d.meaning = format!("{}: {meaning}", d.meaning);
                }
                let words = status_words(&code);
                d.field("Error", words);
                d.variant = code;
            }
        }
        (Provider::LocalSessionManager, 21 | 24 | 25) => {
            d.user_fields(facts, &["User"], &[], &["Address"]);
        }
        (Provider::LocalSessionManager, 40) => {
            // UserData Session and Reason, or the message's two numbers ("Session 3 … reason code 5").
            let reason = facts
                .named_number(&["Reason"])
                .or_else(|| facts.numbers().get(1).copied());
            if let Some(reason) = reason {
                let entry = u32::try_from(reason).ok().and_then(codes::lookup_extended);
                d.field("Reason", format!("{reason}{}", short_meaning(entry)));
                d.variant = reason.to_string();
                if reason == 7 || reason == 8 || reason == 9 {
                    d.severity = Severity::Warning;
                }
            }
        }
        (Provider::SecurityAuditing, 4625) => decode_logon_failure(d, facts),
        (Provider::SecurityAuditing, 4624) => {
            d.user_fields(
                facts,
                &["TargetUserName"],
                &["TargetDomainName"],
                &["IpAddress"],
            );
        }
        (Provider::SecurityAuditing, 5152 | 5157) => {
            d.address_field(facts, &["SourceAddress"]);
            if let Some(filter) = facts.named(&["FilterRTID"]) {
                d.field("Filter", filter);
            }
        }
        (Provider::ServiceControlManager, _) => {
            if let Some(service) = facts.named(&["param1"]) {
                d.field("Service", service);
            }
            d.variant = event_id.to_string();
        }
        (Provider::RdpClient, 1024) => {
            if let Some(server) = facts
                .named(&["Value", "Name"])
                .or_else(|| facts.parenthesized())
            {
                d.field("Server", server);
            }
        }
        (Provider::RdpClient, 1026) => read_client_disconnect(d, facts),
        (Provider::Gateway, _) => read_gateway_fields(d, facts),
        _ => {}
    }
}

/// RD Gateway events carry `UserData/EventInfo`: the user, the client's address, the resource
/// (the computer asked for) and the gateway's error code (0 when there is none). Text exports
/// keep only the message, where the client's address is the first address.
fn read_gateway_fields(d: &mut Decoded, facts: &Facts) {
    d.user_fields(facts, &["Username"], &[], &["IpAddress"]);
    if let Some(resource) = facts.named(&["Resource"]).filter(|r| !r.is_empty()) {
        d.field("Resource", resource);
    }
    if let Some(code) = facts
        .named(&["ErrorCode"])
        .filter(|c| !c.is_empty() && c != "0")
    {
        d.field("Gateway error", code);
    }
}

fn read_client_disconnect(d: &mut Decoded, facts: &Facts) {
    let Some(reason) = facts
        .named_number(&["Value"])
        .or_else(|| facts.numbers().first().copied())
    else {
        return;
    };
    let entry = u32::try_from(reason)
        .ok()
        .and_then(codes::lookup_disconnect);
    d.field(
        "Reason",
        format!("{reason} = 0x{reason:X}{}", short_meaning(entry)),
    );
    // The reason is the code the error dialog shows: it weighs as that code would.
    if let Some(code_evidence) = entry
        .and_then(|e| e.evidence.as_deref())
        .and_then(EvidenceId::parse)
    {
        d.evidence = Some(code_evidence);
    }
    d.variant = reason.to_string();
    if reason != 1 && reason != 2 && reason != 3 {
        d.severity = Severity::Warning;
    }
}

/// `0x80070040` named through the status tables (`0x80070040 ERROR_NETNAME_DELETED`), or as it is.
fn status_words(code: &str) -> String {
    hex_value(code)
        .and_then(codes::status_name)
        .unwrap_or_else(|| code.to_string())
}

fn hex_value(code: &str) -> Option<u32> {
    u32::from_str_radix(code.get(2..)?, 16).ok()
}

impl Decoded {
    fn field(&mut self, name: &str, value: String) {
        self.fields.push((name.to_string(), value));
    }

    fn hex_field(&mut self, facts: &Facts) {
        if let Some(code) = facts.first_hex_code() {
            self.field("Error", code);
        }
    }

    fn address_field(&mut self, facts: &Facts, names: &[&str]) {
        if let Some(address) = facts.named(names).or_else(|| facts.address()) {
            self.field("Client address", address);
        }
    }

    fn user_fields(&mut self, facts: &Facts, user: &[&str], domain: &[&str], address: &[&str]) {
        match (facts.named(user), facts.named(domain)) {
            (Some(user), Some(domain)) if !domain.is_empty() => {
                self.field("User", format!("{domain}\\{user}"))
            }
            (Some(user), _) => self.field("User", user),
            _ => {}
        }
        self.address_field(facts, address);
    }
}

/// The language-independent facts of one event, read on demand: most events need one or two.
struct Facts<'a> {
    record: &'a EventRecord,
}

impl<'a> Facts<'a> {
    fn new(record: &'a EventRecord) -> Self {
        Facts { record }
    }

    fn data_values(&self) -> impl Iterator<Item = &'a str> {
        self.record.data.iter().map(|(_, v)| v.as_str())
    }

    fn message(&self) -> &'a str {
        self.record.message.as_deref().unwrap_or_default()
    }

    /// `0x…` codes, uppercased, from the data values, then the message.
    fn hex_codes(&self) -> Vec<String> {
        let mut codes: Vec<String> = self
            .data_values()
            .chain([self.message()])
            .flat_map(hex_codes_in)
            .collect();
        codes.dedup();
        codes
    }

    fn first_hex_code(&self) -> Option<String> {
        self.hex_codes().into_iter().next()
    }

    /// Decimal numbers from the data values, or from the message when there is no data.
    fn numbers(&self) -> Vec<u64> {
        if self.record.data.is_empty() {
            numbers_in(self.message())
        } else {
            self.data_values()
                .filter_map(|v| v.trim().parse().ok())
                .collect()
        }
    }

    /// The first IP address (possibly with a port) in the data values or the message.
    fn address(&self) -> Option<String> {
        self.data_values()
            .chain([self.message()])
            .find_map(first_ip_address)
    }

    fn named(&self, names: &[&str]) -> Option<String> {
        names.iter().find_map(|name| {
            self.record
                .data
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_string())
        })
    }

    /// The data values and the message as one text, for markers that may sit in any of them.
    fn all_text(&self) -> String {
        self.data_values()
            .chain([self.message()])
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The word after `label` ("Logon Type:\t\t10") in a message without named data; labels
    /// are English here, so localized text exports simply do not match.
    fn labelled_word(&self, label: &str) -> Option<String> {
        let message = self.message();
        let lower = message.to_ascii_lowercase();
        let at = lower.find(label)? + label.len();
        message
            .get(at..)?
            .trim_start_matches([':', ' ', '\t'])
            .split_whitespace()
            .next()
            .map(str::to_string)
    }

    fn labelled_number(&self, label: &str) -> Option<u64> {
        self.labelled_word(label)?.parse().ok()
    }

    fn named_number(&self, names: &[&str]) -> Option<u64> {
        self.named(names).and_then(|v| v.parse().ok())
    }

    fn parenthesized(&self) -> Option<String> {
        let message = self.record.message.as_deref()?;
        let (_, rest) = message.split_once('(')?;
        rest.split_once(')')
            .map(|(inside, _)| inside.trim().to_string())
    }

    fn tls_version(&self) -> Option<String> {
        let text = self
            .record
            .data
            .iter()
            .map(|(_, v)| v.as_str())
            .chain(self.record.message.as_deref())
            .collect::<Vec<_>>()
            .join(" ");
        ["TLS 1.3", "TLS 1.2", "TLS 1.1", "TLS 1.0", "SSL 3.0"]
            .iter()
            .find(|v| text.contains(*v))
            .map(|v| (*v).to_string())
    }
}

/// `0x8009030D`, `0xc000006d` → uppercase with a lowercase `0x`; at most 8 hex digits.
fn hex_codes_in(text: &str) -> Vec<String> {
    let mut codes = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("0x").or_else(|| rest.find("0X")) {
        let digits: String = rest[at + 2..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .collect();
        rest = &rest[at + 2 + digits.len()..];
        if !digits.is_empty() && digits.len() <= 8 && codes.len() < 16 {
            codes.push(format!("0x{}", digits.to_ascii_uppercase()));
        }
    }
    codes
}

/// Decimal numbers standing alone in a message (not inside hex codes, versions or addresses).
fn numbers_in(text: &str) -> Vec<u64> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '=' | ':' | ';'))
        .map(|word| word.trim_end_matches('.'))
        .filter(|word| !word.is_empty() && word.chars().all(|c| c.is_ascii_digit()))
        .filter_map(|word| word.parse().ok())
        .take(16)
        .collect()
}

fn first_ip_address(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '[' | ']' | '"'))
        .map(|word| word.trim_end_matches('.'))
        .find_map(|word| {
            // `10.0.0.20:51234` (IPv4 with port) or a bare IPv4/IPv6 address.
            let host = match word.rsplit_once(':') {
                Some((host, port))
                    if host.contains('.') && port.chars().all(|c| c.is_ascii_digit()) =>
                {
                    host
                }
                _ => word,
            };
            host.parse::<IpAddr>()
                .ok()
                .filter(|ip| !ip.is_unspecified())
                .map(|_| word.to_string())
        })
}

fn decode_logon_failure(d: &mut Decoded, facts: &Facts) {
    let status = facts.named(&["Status"]);
    let sub_status = facts.named(&["SubStatus"]);
    // The sub-status names the specific reason; a message without named data lists status, then sub-status.
    let codes: Vec<String> = match (&status, &sub_status) {
        (Some(s), Some(sub)) => vec![
            sub.to_ascii_uppercase().replace("0X", "0x"),
            s.to_ascii_uppercase().replace("0X", "0x"),
        ],
        _ => facts.hex_codes().into_iter().rev().collect(),
    };
    let reason = codes
        .iter()
        .find_map(|code| logon_status(code).map(|r| (code.clone(), r)));
    match reason {
        Some((code, status)) => {
            d.meaning = format!("{}: {}", d.meaning, status.reason);
            d.evidence = EvidenceId::parse(&status.evidence);
            d.advice = status.advice.as_deref().unwrap_or_default();
            d.field("Status", status_words(&code));
            d.variant = code;
        }
        None => {
            if let Some(code) = codes.first() {
                d.field("Status", status_words(code));
                d.variant = code.clone();
            }
        }
    }
    if let Some(logon_type) = facts.named_number(&["LogonType"]) {
        d.field(
            "Logon type",
            format!("{logon_type} {}", logon_type_name(logon_type)),
        );
    }
    d.user_fields(
        facts,
        &["TargetUserName"],
        &["TargetDomainName"],
        &["IpAddress"],
    );
}

/// Why a logon failed, from the NTSTATUS in 4625's Status or SubStatus (`kb/events.toml`).
fn logon_status(code: &str) -> Option<&'static LogonStatus> {
    let value = hex_value(code)?;
    kb::events().logon_status.iter().find(|s| s.status == value)
}

fn logon_type_name(logon_type: u64) -> &'static str {
    match logon_type {
        2 => "(interactive)",
        3 => "(network, e.g. NLA)",
        7 => "(unlock)",
        10 => "(remote interactive, RDP)",
        11 => "(cached interactive)",
        _ => "",
    }
}

/// TLS alert descriptions (RFC 8446 §6, RFC 5246 §7.2).
fn tls_alert_name(alert: u64) -> &'static str {
    match alert {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        21 => "decryption_failed",
        22 => "record_overflow",
        30 => "decompression_failure",
        40 => "handshake_failure",
        42 => "bad_certificate",
        43 => "unsupported_certificate",
        44 => "certificate_revoked",
        45 => "certificate_expired",
        46 => "certificate_unknown",
        47 => "illegal_parameter",
        48 => "unknown_ca",
        49 => "access_denied",
        50 => "decode_error",
        51 => "decrypt_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        100 => "no_renegotiation",
        109 => "missing_extension",
        110 => "unsupported_extension",
        112 => "unrecognized_name",
        116 => "certificate_required",
        120 => "no_application_protocol",
        _ => "(unknown alert)",
    }
}

/// The first sentence of a reason code's meaning in the knowledge base's code tables (LSM 40
/// reasons are the extended codes, 1026 reasons the disconnect codes), after a colon.
fn short_meaning(entry: Option<&CodeEntry>) -> String {
    let Some(entry) = entry else {
        return String::new();
    };
    let first = entry.meaning.split(". ").next().unwrap_or(&entry.meaning);
    format!(": {}", first.trim_end_matches('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_match_in_every_spelling() {
        for name in [
            "Microsoft-Windows-TerminalServices-RemoteConnectionManager",
            "TerminalServices-RemoteConnectionManager",
            "microsoft-windows-terminalservices-remoteconnectionmanager",
        ] {
            assert_eq!(
                Provider::from_name(name),
                Some(Provider::RemoteConnectionManager),
                "{name}"
            );
        }
        assert_eq!(
            Provider::from_name("Microsoft Windows security auditing."),
            Some(Provider::SecurityAuditing)
        );
        assert_eq!(
            Provider::from_name("Microsoft-Windows-Security-Auditing"),
            Some(Provider::SecurityAuditing)
        );
        assert_eq!(
            Provider::from_name("Service Control Manager"),
            Some(Provider::ServiceControlManager)
        );
        assert_eq!(
            Provider::from_name("Microsoft-Windows-Time-Service"),
            Some(Provider::TimeService)
        );
        assert_eq!(
            Provider::from_name("Microsoft-Windows-Security-Kerberos"),
            Some(Provider::Kerberos)
        );
        for name in [
            "Microsoft-Windows-TerminalServices-Gateway",
            "TerminalServices-Gateway",
        ] {
            assert_eq!(Provider::from_name(name), Some(Provider::Gateway), "{name}");
        }
        assert_eq!(Provider::from_name("Application Error"), None);
    }

    #[test]
    fn language_independent_parts_are_found() {
        assert_eq!(
            hex_codes_in("Status: 0xc000006d Sub Status: 0xC000006A"),
            ["0xC000006D", "0xC000006A"]
        );
        assert_eq!(
            numbers_in("Session 3 has been disconnected, reason code 5."),
            [3, 5]
        );
        assert_eq!(
            numbers_in("Die Sitzung 3 wurde getrennt. Ursachencode: 12"),
            [3, 12]
        );
        assert_eq!(
            first_ip_address("from client 10.0.0.20:51234."),
            Some("10.0.0.20:51234".into())
        );
        assert_eq!(
            first_ip_address("Adresse: fe80::1 Port"),
            Some("fe80::1".into())
        );
        assert_eq!(first_ip_address("TLS 1.2 and version 6.1"), None);
    }
}
