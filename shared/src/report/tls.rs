//! TLS as the report names it: protocol versions and the server's answer to one ClientHello.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum TlsVersion {
    #[serde(rename = "ssl3")]
    Ssl3,
    #[serde(rename = "tls1_0")]
    Tls10,
    #[serde(rename = "tls1_1")]
    Tls11,
    #[serde(rename = "tls1_2")]
    Tls12,
    #[serde(rename = "tls1_3")]
    Tls13,
}

impl TlsVersion {
    pub const PROBED: [TlsVersion; 4] = [
        TlsVersion::Tls10,
        TlsVersion::Tls11,
        TlsVersion::Tls12,
        TlsVersion::Tls13,
    ];

    pub fn wire(self) -> u16 {
        match self {
            TlsVersion::Ssl3 => 0x0300,
            TlsVersion::Tls10 => 0x0301,
            TlsVersion::Tls11 => 0x0302,
            TlsVersion::Tls12 => 0x0303,
            TlsVersion::Tls13 => 0x0304,
        }
    }

    pub fn from_wire(value: u16) -> Option<TlsVersion> {
        [
            TlsVersion::Ssl3,
            TlsVersion::Tls10,
            TlsVersion::Tls11,
            TlsVersion::Tls12,
            TlsVersion::Tls13,
        ]
        .into_iter()
        .find(|v| v.wire() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            TlsVersion::Ssl3 => "SSL 3.0",
            TlsVersion::Tls10 => "TLS 1.0",
            TlsVersion::Tls11 => "TLS 1.1",
            TlsVersion::Tls12 => "TLS 1.2",
            TlsVersion::Tls13 => "TLS 1.3",
        }
    }
}

/// The server's answer to a ClientHello.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum HelloOutcome {
    /// A ServerHello (or a TLS 1.3 HelloRetryRequest, which also means the version is accepted).
    Accepted {
        version: TlsVersion,
        cipher_suite: u16,
        cipher_suite_name: Option<String>,
        hello_retry: bool,
    },
    /// A TLS alert instead of a ServerHello.
    Alert {
        level: u8,
        description: u8,
        name: String,
    },
    /// FIN before any ServerHello: how Schannel fails when it cannot read its private key.
    ClosedBeforeServerHello,
    /// RST before any ServerHello.
    ResetBeforeServerHello,
    /// Nothing before the deadline.
    Silent,
    /// An MCS Disconnect Provider Ultimatum (`03 00 00 09 02 f0 80 21 80`) instead of a
    /// ServerHello: the RDP server's own TLS setup failed (its certificate, key or cipher
    /// configuration) and it hung up in RDP's words.
    McsDisconnect,
    /// The reply is not TLS (e.g. a TPKT other than an MCS Disconnect).
    NotTls {
        first_bytes: String,
        looks_like_tpkt: bool,
    },
    /// The server began its first flight, then closed or reset the connection before the flight
    /// was complete: what inline inspection does to a connection it first let through.
    DroppedMidHandshake {
        received_bytes: usize,
        reset: bool,
    },
    /// TLS records that make no sense as a server's first flight.
    Malformed {
        reason: String,
    },
    /// No TLS handshake happened: the RDP negotiation did not select a TLS-based protocol.
    NotNegotiated {
        reason: String,
    },
    ConnectFailed {
        reason: String,
    },
}

impl HelloOutcome {
    pub fn accepted_version(&self) -> Option<TlsVersion> {
        match self {
            HelloOutcome::Accepted { version, .. } => Some(*version),
            _ => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            HelloOutcome::Accepted {
                version,
                cipher_suite,
                cipher_suite_name,
                hello_retry,
            } => {
                let suite = cipher_suite_name
                    .clone()
                    .unwrap_or_else(|| format!("0x{cipher_suite:04x}"));
                let retry = if *hello_retry {
                    " (after a HelloRetryRequest)"
                } else {
                    ""
                };
                format!(
                    "handshake accepted: {} with {suite}{retry}",
                    version.label()
                )
            }
            HelloOutcome::Alert {
                level,
                description,
                name,
            } => {
                let level = if *level == 2 { "fatal" } else { "warning" };
                format!("{level} alert {description} ({name})")
            }
            HelloOutcome::ClosedBeforeServerHello => {
                "connection closed before the ServerHello".to_owned()
            }
            HelloOutcome::ResetBeforeServerHello => {
                "connection reset before the ServerHello".to_owned()
            }
            HelloOutcome::Silent => "no answer to the ClientHello".to_owned(),
            HelloOutcome::McsDisconnect => {
                "answered the ClientHello with an MCS Disconnect instead of a ServerHello"
                    .to_owned()
            }
            HelloOutcome::NotTls {
                looks_like_tpkt: true,
                ..
            } => "answered the ClientHello with an RDP packet instead of TLS".to_owned(),
            HelloOutcome::NotTls { first_bytes, .. } => {
                format!("answered with bytes that are not TLS ({first_bytes})")
            }
            HelloOutcome::DroppedMidHandshake {
                received_bytes,
                reset,
            } => {
                let how = if *reset { "reset" } else { "closed" };
                format!(
                    "connection {how} part-way through the server's handshake (after {received_bytes} bytes)"
                )
            }
            HelloOutcome::Malformed { reason } => format!("invalid TLS reply: {reason}"),
            HelloOutcome::NotNegotiated { reason } => format!("no TLS handshake: {reason}"),
            HelloOutcome::ConnectFailed { reason } => format!("could not connect: {reason}"),
        }
    }
}
