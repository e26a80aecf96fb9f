//! The main connection's full TLS handshake and what the NLA stage learned from the server's
//! CredSSP and NTLM answers.

use serde::{Deserialize, Serialize};

use super::tls::TlsVersion;

/// What the NLA stage learned.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NlaDetails {
    pub tls_version: Option<TlsVersion>,
    pub cipher_suite: Option<String>,
    /// The CredSSP version of the server's TSRequest.
    pub credssp_version: Option<u32>,
    /// TSRequest errorCode (an NTSTATUS), when the server sent one instead of a token.
    pub server_error_code: Option<u32>,
    pub ntlm: Option<NtlmChallengeInfo>,
    /// Where and why the exchange stopped, when it did not reach the CHALLENGE.
    pub failure: Option<NlaFailure>,
}

/// Where and why the NLA stage stopped before the server's NTLM CHALLENGE.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "stopped")]
pub enum NlaFailure {
    /// The TLS handshake under CredSSP did not complete.
    TlsHandshake { handshake: Box<FullHandshake> },
    /// The CredSSP round trip failed.
    Exchange { error: SessionFailure },
    /// The server sent no CredSSP reply before the deadline.
    NoReply,
    /// The reply is not a TSRequest the probe can read (the parser's words).
    InvalidReply { detail: String },
    /// The TSRequest's token is not an NTLM CHALLENGE the probe can read (the parser's words).
    InvalidToken { detail: String },
    /// The TSRequest carries no NTLM token.
    NoNtlmToken,
}

impl NlaFailure {
    pub fn describe(&self) -> String {
        match self {
            NlaFailure::TlsHandshake { handshake } => {
                format!("TLS handshake failed: {}", handshake.describe())
            }
            NlaFailure::Exchange { error } => {
                format!("CredSSP exchange failed: {}", error.describe())
            }
            NlaFailure::NoReply => "no CredSSP reply before the deadline".to_owned(),
            NlaFailure::InvalidReply { detail } => format!("invalid CredSSP reply: {detail}"),
            NlaFailure::InvalidToken { detail } => format!("CredSSP token: {detail}"),
            NlaFailure::NoNtlmToken => "the server's TSRequest carries no NTLM token".to_owned(),
        }
    }
}

impl std::fmt::Display for NlaFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Why the probe's TLS session on the main connection stopped, in the report's terms: the
/// stream ended, the probe's TLS client (rustls) gave up, or the server ended the session.
/// Third-party words (rustls's, the socket's, the CredSSP parser's) travel as `detail`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SessionFailure {
    /// The probe could not set up its TLS client.
    Setup {
        detail: String,
    },
    /// FIN.
    Closed,
    /// RST.
    Reset,
    TimedOut,
    /// The server sent more than the exchange's byte limit.
    LimitReached,
    /// Another socket error.
    Io {
        detail: String,
    },
    /// A handshake message (in practice the certificate chain) larger than rustls accepts.
    HandshakeMessageTooLarge,
    /// Another rustls error: a limit of its own, a message it refuses.
    Tls {
        detail: String,
    },
    /// The server closed the TLS session.
    SessionClosed,
    /// The server's CredSSP reply could not be read.
    InvalidCredssp {
        detail: String,
    },
}

impl SessionFailure {
    pub fn describe(&self) -> String {
        match self {
            SessionFailure::Setup { detail } => format!("TLS setup failed: {detail}"),
            SessionFailure::Closed => "connection closed".to_owned(),
            SessionFailure::Reset => "connection reset".to_owned(),
            SessionFailure::TimedOut => "timed out".to_owned(),
            SessionFailure::LimitReached => "size limit reached".to_owned(),
            SessionFailure::Io { detail } | SessionFailure::Tls { detail } => detail.clone(),
            SessionFailure::HandshakeMessageTooLarge => {
                "a handshake message (in practice the certificate chain) is larger than the 64 KB the probe's TLS client accepts".to_owned()
            }
            SessionFailure::SessionClosed => "the server closed the TLS session".to_owned(),
            SessionFailure::InvalidCredssp { detail } => format!("invalid CredSSP reply: {detail}"),
        }
    }
}

impl std::fmt::Display for SessionFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NtlmChallengeInfo {
    pub target_name: Option<String>,
    pub netbios_computer_name: Option<String>,
    pub netbios_domain_name: Option<String>,
    pub dns_computer_name: Option<String>,
    pub dns_domain_name: Option<String>,
    pub dns_tree_name: Option<String>,
    /// "major.minor.build" from the CHALLENGE's Version field.
    pub os_version: Option<String>,
    pub negotiate_flags: u32,
    /// The server's clock (MsvAvTimestamp), Unix milliseconds.
    pub server_time_unix_ms: Option<i64>,
    /// Server clock minus the probe's clock when the CHALLENGE arrived.
    pub clock_skew_ms: Option<i64>,
}

/// How the full TLS handshake on the main connection ended: the handshake a real client does,
/// past the ServerHello (and, before TLS 1.3, the Certificate) where the version probes stop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FullHandshake {
    /// The version the server's ServerHello chose, once one arrived.
    pub server_hello: Option<TlsVersion>,
    pub cipher_suite: Option<String>,
    pub received_bytes: usize,
    pub end: HandshakeEnd,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum HandshakeEnd {
    Completed,
    /// FIN before the handshake finished.
    Closed,
    /// RST before the handshake finished.
    Reset,
    /// The server stopped answering before the handshake finished.
    TimedOut,
    /// The probe's TLS client gave up: rustls's error (a limit of its own, a message it
    /// refuses), which a real client with other limits might not share.
    Failed {
        error: SessionFailure,
    },
    /// The server sent a fatal alert instead of finishing the handshake.
    Alert {
        description: u8,
        name: String,
    },
    /// The server answered with TLS 1.0 or 1.1, which the probe's TLS client (rustls: TLS 1.2
    /// and 1.3 only) does not speak; clients that do carry on.
    BelowProbeTls,
}

impl FullHandshake {
    pub fn completed(&self) -> bool {
        self.end == HandshakeEnd::Completed
    }

    pub fn describe(&self) -> String {
        let after = match self.server_hello {
            Some(version) => format!(
                "after the server's {} ServerHello, before the handshake finished ({} bytes received)",
                version.label(),
                self.received_bytes
            ),
            None => "before the ServerHello".to_owned(),
        };
        match &self.end {
            HandshakeEnd::Completed => format!(
                "handshake completed with {}",
                self.server_hello
                    .map_or("an unknown version", TlsVersion::label)
            ),
            HandshakeEnd::Closed => format!("connection closed {after}"),
            HandshakeEnd::Reset => format!("connection reset {after}"),
            HandshakeEnd::TimedOut => format!("no answer {after}"),
            HandshakeEnd::Failed { error } => error.describe(),
            HandshakeEnd::Alert { description, name } => {
                format!("fatal alert {description} ({name}) {after}")
            }
            HandshakeEnd::BelowProbeTls => {
                "the server offers only TLS 1.0/1.1, which the probe's TLS client does not speak"
                    .to_owned()
            }
        }
    }
}

impl NlaDetails {
    /// What the NLA stage knows once the TLS handshake under it has ended.
    pub fn after(handshake: &FullHandshake) -> NlaDetails {
        NlaDetails {
            tls_version: handshake.server_hello,
            cipher_suite: handshake.cipher_suite.clone(),
            failure: (!handshake.completed()).then(|| NlaFailure::TlsHandshake {
                handshake: Box::new(handshake.clone()),
            }),
            ..NlaDetails::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_read_back_from_tagged_json_and_keep_their_wording() {
        let failure = NlaFailure::Exchange {
            error: SessionFailure::Reset,
        };
        let json = serde_json::to_string(&failure).unwrap();
        assert_eq!(json, r#"{"stopped":"exchange","error":{"kind":"reset"}}"#);
        assert_eq!(serde_json::from_str::<NlaFailure>(&json).unwrap(), failure);
        assert_eq!(
            failure.describe(),
            "CredSSP exchange failed: connection reset"
        );

        let end = HandshakeEnd::Failed {
            error: SessionFailure::Setup {
                detail: "no versions".to_owned(),
            },
        };
        let json = serde_json::to_string(&end).unwrap();
        assert_eq!(
            json,
            r#"{"result":"failed","error":{"kind":"setup","detail":"no versions"}}"#
        );
        assert_eq!(serde_json::from_str::<HandshakeEnd>(&json).unwrap(), end);
    }
}
