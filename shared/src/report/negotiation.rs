//! RDP security negotiation as the report names it: the protocols of RDP_NEG_REQ and what the
//! server did with a Connection Request (MS-RDPBCGR 2.2.1.1, 2.2.1.2).

use serde::{Deserialize, Serialize};

/// The security protocols of RDP_NEG_REQ, one flag each (PROTOCOL_RDP is the absence of flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    Rdp,
    Ssl,
    Hybrid,
    HybridEx,
    Rdstls,
    Rdsaad,
}

impl Protocol {
    pub const ALL: [Protocol; 6] = [
        Protocol::Rdp,
        Protocol::Ssl,
        Protocol::Hybrid,
        Protocol::HybridEx,
        Protocol::Rdstls,
        Protocol::Rdsaad,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Protocol::Rdp => "standard RDP security",
            Protocol::Ssl => "TLS",
            Protocol::Hybrid => "NLA (CredSSP)",
            Protocol::HybridEx => "NLA with early user authorization (HYBRID_EX)",
            Protocol::Rdstls => "RDSTLS",
            Protocol::Rdsaad => "Entra ID authentication (RDSAAD)",
        }
    }

    /// Whether the next thing on the wire is a TLS handshake.
    pub fn uses_tls(self) -> bool {
        !matches!(self, Protocol::Rdp)
    }
}

/// What the server did with a Connection Request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum NegotiationOutcome {
    /// RDP_NEG_RSP (or a Connection Confirm without negotiation data, which means standard RDP).
    Selected {
        protocol: Option<Protocol>,
        protocol_bits: u32,
        server_flags: u8,
        server_flag_names: Vec<String>,
        /// The Connection Confirm carried no negotiation data although the request did: a
        /// server from before RDP 5.2 that knows neither TLS nor NLA.
        #[serde(default)]
        legacy_confirm: bool,
    },
    /// RDP_NEG_FAILURE with its code.
    Failure { code: u32, name: String },
    /// The server reset the connection (RST) instead of answering.
    Reset,
    /// The server closed the connection cleanly (FIN) without answering.
    Closed,
    /// The service resets every connection as soon as it accepts it, before any request.
    ResetOnAccept,
    /// The service closes every connection as soon as it accepts it, before any request.
    ClosedOnAccept,
    /// An MCS Disconnect Provider Ultimatum instead of a Connection Confirm: the RDP stack
    /// refused the connection.
    McsDisconnect,
    /// Nothing came back before the deadline.
    Silent,
    /// The bytes are not a TPKT, so whatever listens does not speak RDP.
    NotRdp {
        first_bytes: String,
        text: Option<String>,
    },
    /// A TPKT came back but is not a valid Connection Confirm.
    Malformed { reason: String },
    /// The connection could not be opened or failed at the socket level.
    ConnectFailed { reason: String },
}

impl NegotiationOutcome {
    pub fn selected_protocol(&self) -> Option<Protocol> {
        match self {
            NegotiationOutcome::Selected { protocol, .. } => *protocol,
            _ => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            NegotiationOutcome::Selected {
                protocol: Some(p),
                legacy_confirm: true,
                ..
            } => format!(
                "answered without negotiation data, as servers before RDP 5.2 do: {}",
                p.label()
            ),
            NegotiationOutcome::Selected {
                protocol: Some(p), ..
            } => format!("selected {}", p.label()),
            NegotiationOutcome::Selected { protocol_bits, .. } => {
                format!("selected an unknown protocol value 0x{protocol_bits:x}")
            }
            NegotiationOutcome::Failure { code, name } => {
                format!("refused with RDP_NEG_FAILURE {code} ({name})")
            }
            NegotiationOutcome::Reset => "reset the connection without answering".to_owned(),
            NegotiationOutcome::Closed => "closed the connection without answering".to_owned(),
            NegotiationOutcome::ResetOnAccept => {
                "reset the connection as soon as it was accepted, before any request".to_owned()
            }
            NegotiationOutcome::ClosedOnAccept => {
                "closed the connection as soon as it was accepted, before any request".to_owned()
            }
            NegotiationOutcome::McsDisconnect => {
                "answered with an MCS Disconnect instead of a Connection Confirm".to_owned()
            }
            NegotiationOutcome::Silent => "sent nothing back".to_owned(),
            NegotiationOutcome::NotRdp { first_bytes, text } => match text {
                Some(text) => format!("answered with something that is not RDP: {text:?}"),
                None => format!("answered with something that is not RDP (bytes {first_bytes})"),
            },
            NegotiationOutcome::Malformed { reason } => {
                format!("sent an invalid Connection Confirm: {reason}")
            }
            NegotiationOutcome::ConnectFailed { reason } => {
                format!("could not be reached: {reason}")
            }
        }
    }
}
