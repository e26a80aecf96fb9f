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
    pub failure: Option<String>,
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
        reason: String,
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
            HandshakeEnd::Failed { reason } => reason.clone(),
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
            failure: (!handshake.completed())
                .then(|| format!("TLS handshake failed: {}", handshake.describe())),
            ..NlaDetails::default()
        }
    }
}
