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
use crate::kb::model::CodeEntry;

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

/// Reads one event, if RDP Doctor knows it.
pub(crate) fn decode(record: &EventRecord) -> Option<Decoded> {
    let provider = Provider::from_name(&record.provider)?;
    let facts = Facts::new(record);
    let mut decoded = Decoded {
        provider,
        meaning: String::new(),
        severity: Severity::Info,
        evidence: None,
        fields: Vec::new(),
        variant: String::new(),
        advice: "",
    };
    let d = &mut decoded;
    match (provider, record.event_id) {
        (Provider::Schannel, 36870) => {
            d.set(
                "The TLS server credential's private key could not be accessed",
                Severity::Error,
                EvidenceId::EventSchannelKeyInaccessible,
            );
            if let Some(code) = facts.first_hex_code() {
                d.field("Error", describe_schannel_error(&code));
            }
            d.advice = "The RDP service (NETWORK SERVICE) cannot read the certificate's private key: check the permissions on \
                        C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys, or delete the certificate from the \
                        Remote Desktop store and restart the Remote Desktop Services service to regenerate it.";
        }
        (Provider::Schannel, 36871) => {
            d.set(
                "A fatal error occurred while creating a TLS credential",
                Severity::Error,
                EvidenceId::EventSchannelCredentialFailed,
            );
            if let Some(state) = facts.numbers().into_iter().find(|n| *n >= 10000) {
                d.field("Error state", state.to_string());
                d.variant = state.to_string();
            }
            d.advice = "Error state 10013 usually means the TLS versions or cipher suites the server needs are disabled \
                        (SCHANNEL\\Protocols registry keys, IIS Crypto, a hardening baseline).";
            // The same event for an outgoing (client) credential is common noise, not the RDP listener.
            if facts
                .named(&["Type"])
                .is_some_and(|t| t.eq_ignore_ascii_case("client"))
            {
                d.meaning = "A fatal error occurred while creating a TLS client credential".into();
                d.severity = Severity::Info;
                d.evidence = None;
                d.variant = format!("client {}", d.variant);
                d.advice = "This concerns outgoing TLS connections from this machine, not its RDP listener.";
            }
        }
        (Provider::Schannel, 36874) => {
            d.set(
                "A client connected with no cipher suite in common with the server",
                Severity::Error,
                EvidenceId::EventSchannelNoCommonCipher,
            );
            if let Some(version) = facts.tls_version() {
                d.field("Protocol", version.clone());
                d.variant = version;
            }
            d.advice = "Compare the cipher suites enabled on the server (Get-TlsCipherSuite, Group Policy SSL Cipher Suite Order) \
                        with what the clients offer.";
        }
        (Provider::Schannel, 36888) => {
            d.set(
                "The server sent a fatal TLS alert",
                Severity::Warning,
                EvidenceId::EventSchannelFatalAlert,
            );
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
            d.advice = "Alert 40 (handshake_failure) or 70 (protocol_version) points to disabled TLS versions or ciphers; \
                        many 36888 events with other alerts are often harmless scanners.";
        }
        (Provider::RemoteConnectionManager, 1057) => {
            d.set(
                "The RDP listener failed to create a new self-signed certificate",
                Severity::Error,
                EvidenceId::EventRcmSelfsignedFailed,
            );
            d.hex_field(&facts);
            d.advice = "Check the MachineKeys folder permissions and that the Remote Desktop certificate store is writable.";
        }
        (Provider::RemoteConnectionManager, 1058) => {
            d.set(
                "The RDP listener failed to replace its expired self-signed certificate",
                Severity::Error,
                EvidenceId::EventRcmSelfsignedFailed,
            );
            d.hex_field(&facts);
            d.advice = "Delete the expired certificate from the Remote Desktop store and restart Remote Desktop Services.";
        }
        (Provider::RemoteConnectionManager, 1059) => {
            d.set(
                "The RDP listener's configured certificate hash is invalid",
                Severity::Error,
                EvidenceId::EventRcmCertHashInvalid,
            );
            d.hex_field(&facts);
            d.advice = "SSLCertificateSHA1Hash names a certificate that is missing or unusable; set it to a valid \
                        certificate's thumbprint or remove it to fall back to the self-signed one.";
        }
        (Provider::RemoteConnectionManager, id @ (1050..=1053 | 1063..=1065)) => {
            d.set(
                "The RDP listener reported a security or certificate configuration problem",
                Severity::Error,
                EvidenceId::EventRcmSecurityConfig,
            );
            d.variant = id.to_string();
            d.hex_field(&facts);
        }
        (Provider::RemoteConnectionManager, 1149) => {
            d.set(
                "Network Level Authentication succeeded",
                Severity::Info,
                EvidenceId::EventNlaAuthSucceeded,
            );
            d.user_fields(&facts, &["Param1"], &["Param2"], &["Param3"]);
        }
        (Provider::RemoteConnectionManager, 261) => {
            d.set(
                "The RDP listener received a connection",
                Severity::Info,
                EvidenceId::EventConnectionReceived,
            );
        }
        (Provider::RemoteConnectionManager, 258) => {
            d.set_plain("The RDP listener started", Severity::Info)
        }
        (Provider::RdpCoreTs, 131) => {
            d.set(
                "The server accepted a TCP connection",
                Severity::Info,
                EvidenceId::EventConnectionReceived,
            );
            d.address_field(&facts, &["ClientIP"]);
        }
        (Provider::RdpCoreTs, 140) => {
            d.set(
                "A logon over RDP failed: wrong user name or password",
                Severity::Warning,
                EvidenceId::EventRdpcoretsFailedLogon,
            );
            d.address_field(&facts, &["IPString"]);
        }
        (Provider::RdpCoreTs, 226) => {
            d.set(
                "An error occurred in an RDP connection state transition",
                Severity::Warning,
                EvidenceId::EventRdpcoretsStateError,
            );
            d.hex_field(&facts);
            if let Some(code) = facts.first_hex_code() {
                d.variant = code;
            }
            d.advice = "Often the client or something in between dropped the connection (0x80070040: the network name is no \
                        longer available).";
        }
        (Provider::RdpCoreTs, 98) => {
            d.set_plain("A TCP connection was established", Severity::Info)
        }
        (Provider::RdpCoreTs, 65 | 66) => {
            d.set_plain("A new RDP connection was created", Severity::Info)
        }
        (Provider::RdpCoreTs, 68 | 104 | 148 | 168) => {
            d.set_plain("RDP connection detail", Severity::Info)
        }
        (Provider::LocalSessionManager, 21) => {
            d.set_plain("A user logged on to a session", Severity::Info);
            d.user_fields(&facts, &["User"], &[], &["Address"]);
        }
        (Provider::LocalSessionManager, 22) => {
            d.set_plain("The shell started in a session", Severity::Info)
        }
        (Provider::LocalSessionManager, 23) => d.set_plain("A user logged off", Severity::Info),
        (Provider::LocalSessionManager, 24) => {
            d.set(
                "A session was disconnected",
                Severity::Info,
                EvidenceId::EventSessionDisconnected,
            );
            d.user_fields(&facts, &["User"], &[], &["Address"]);
        }
        (Provider::LocalSessionManager, 25) => {
            d.set_plain("A session was reconnected", Severity::Info);
            d.user_fields(&facts, &["User"], &[], &["Address"]);
        }
        (Provider::LocalSessionManager, 40) => {
            // UserData Session and Reason, or the message's two numbers ("Session 3 … reason code 5").
            let reason = facts
                .named_number(&["Reason"])
                .or_else(|| facts.numbers().get(1).copied());
            d.set(
                "A session was disconnected with a reason code",
                Severity::Info,
                EvidenceId::EventSessionDisconnected,
            );
            if let Some(reason) = reason {
                let entry = u32::try_from(reason).ok().and_then(codes::lookup_extended);
                d.field("Reason", format!("{reason}{}", short_meaning(entry)));
                d.variant = reason.to_string();
                if reason == 7 || reason == 8 || reason == 9 {
                    d.severity = Severity::Warning;
                }
            }
        }
        (Provider::SecurityAuditing, 4625) => decode_logon_failure(d, &facts),
        (Provider::LsaSrv, 6041) => {
            d.set(
                "CredSSP failed to negotiate a common protocol version",
                Severity::Error,
                EvidenceId::EventCredsspOracleMismatch,
            );
            d.advice = "Client and server disagree on the CredSSP \"Encryption Oracle Remediation\" policy: install current \
                        updates on both sides rather than lowering the policy.";
        }
        (Provider::RdpClient, 1024) => {
            d.set_plain("The RDP client started connecting", Severity::Info);
            if let Some(server) = facts
                .named(&["Value", "Name"])
                .or_else(|| facts.parenthesized())
            {
                d.field("Server", server);
            }
        }
        (Provider::RdpClient, 1026) => {
            d.set(
                "The RDP client was disconnected",
                Severity::Info,
                EvidenceId::EventClientDisconnect,
            );
            if let Some(reason) = facts
                .named_number(&["Value"])
                .or_else(|| facts.numbers().first().copied())
            {
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
        }
        (Provider::RdpClient, 1027) => d.set_plain("The RDP client connected", Severity::Info),
        (Provider::RdpClient, 1028) => d.set_plain("The server supports TLS", Severity::Info),
        _ => return None,
    }
    Some(decoded)
}

impl Decoded {
    fn set(&mut self, meaning: &str, severity: Severity, evidence: EvidenceId) {
        self.set_plain(meaning, severity);
        self.evidence = Some(evidence);
    }

    fn set_plain(&mut self, meaning: &str, severity: Severity) {
        self.meaning = meaning.to_string();
        self.severity = severity;
    }

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
    d.meaning = "A logon failed".into();
    d.severity = Severity::Warning;
    match reason {
        Some((code, (text, evidence))) => {
            d.meaning = format!("A logon failed: {text}");
            d.evidence = Some(evidence);
            d.field("Status", code.clone());
            d.variant = code;
        }
        None => {
            if let Some(code) = codes.first() {
                d.field("Status", code.clone());
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
    d.advice = match d.evidence {
        Some(EvidenceId::EventLogonNoRemoteRight) => {
            "Add the user to Remote Desktop Users, and check \"Allow log on through Remote Desktop Services\" and \
             \"Deny log on through Remote Desktop Services\" in the server's user rights."
        }
        Some(EvidenceId::EventLogonClockSkew) => {
            "Fix the time on the client and the server (w32tm /resync), then retry."
        }
        Some(EvidenceId::EventLogonAccountLocked) => {
            "Unlock the account, then find what keeps trying an old password."
        }
        _ => "",
    };
}

/// NTSTATUS codes of failed logons (4625 Status / SubStatus).
fn logon_status(code: &str) -> Option<(&'static str, EvidenceId)> {
    Some(match code {
        "0xC000006A" => ("wrong password", EvidenceId::EventLogonBadCredentials),
        "0xC0000064" => ("no such user", EvidenceId::EventLogonBadCredentials),
        "0xC000006D" => (
            "bad user name or password",
            EvidenceId::EventLogonBadCredentials,
        ),
        "0xC000015B" => (
            "the user is not granted this logon type (no Remote Desktop right)",
            EvidenceId::EventLogonNoRemoteRight,
        ),
        "0xC0000234" => (
            "the account is locked out",
            EvidenceId::EventLogonAccountLocked,
        ),
        "0xC0000072" => (
            "the account is disabled",
            EvidenceId::EventLogonAccountDisabled,
        ),
        "0xC0000071" => (
            "the password has expired",
            EvidenceId::EventLogonPasswordExpired,
        ),
        "0xC0000193" => (
            "the account has expired",
            EvidenceId::EventLogonPasswordExpired,
        ),
        "0xC0000224" => (
            "the password must be changed",
            EvidenceId::EventLogonPasswordExpired,
        ),
        "0xC000006E" => (
            "an account restriction applies",
            EvidenceId::EventLogonRestricted,
        ),
        "0xC000006F" => (
            "outside the allowed logon hours",
            EvidenceId::EventLogonRestricted,
        ),
        "0xC0000070" => (
            "not allowed from this workstation",
            EvidenceId::EventLogonRestricted,
        ),
        "0xC0000133" => (
            "the clocks of client and server differ too much",
            EvidenceId::EventLogonClockSkew,
        ),
        _ => return None,
    })
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

fn describe_schannel_error(code: &str) -> String {
    let meaning = match code {
        "0x8009030D" => {
            " (SEC_E_UNKNOWN_CREDENTIALS: the key cannot be used, typically permissions)"
        }
        "0x8009030E" => " (SEC_E_NO_CREDENTIALS: no key for the certificate)",
        "0x80090016" => " (NTE_BAD_KEYSET: the key container is missing)",
        _ => "",
    };
    format!("{code}{meaning}")
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
        assert_eq!(Provider::from_name("Service Control Manager"), None);
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
