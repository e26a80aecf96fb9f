//! Stage 2, RDP security negotiation: the X.224 Connection Request the probe sends and the
//! classification of whatever comes back (MS-RDPBCGR 2.2.1.1 and 2.2.1.2). The PDUs themselves
//! are ironrdp-pdu's; this module only decides what a reply means.

use ironrdp_pdu::ironrdp_core::{decode, encode_vec};
use ironrdp_pdu::mcs::McsMessage;
use ironrdp_pdu::nego::{
    ConnectionConfirm, ConnectionRequest, FailureCode, NegoRequestData, RequestFlags,
    SecurityProtocol,
};
use ironrdp_pdu::x224::X224;

use super::driver::{Reply, StreamEnd};
pub use crate::report::{NegotiationOutcome, Protocol};

impl Protocol {
    pub fn bits(self) -> u32 {
        match self {
            Protocol::Rdp => 0,
            Protocol::Ssl => SecurityProtocol::SSL.bits(),
            Protocol::Hybrid => SecurityProtocol::HYBRID.bits(),
            Protocol::HybridEx => SecurityProtocol::HYBRID_EX.bits(),
            Protocol::Rdstls => SecurityProtocol::RDSTLS.bits(),
            Protocol::Rdsaad => SecurityProtocol::RDSAAD.bits(),
        }
    }

    /// The protocol a server selected; `None` for values that are not exactly one protocol.
    pub fn from_selected(bits: u32) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.bits() == bits)
    }
}

/// What a current Windows client (mstsc) asks for: TLS, CredSSP and CredSSP with early
/// user authorization.
pub const MODERN_CLIENT_REQUEST: u32 = 0x1 | 0x2 | 0x8;

/// The X.224 Connection Request with an RDP_NEG_REQ for `protocols` (a bit set).
pub fn connection_request(protocols: u32) -> Vec<u8> {
    let request = ConnectionRequest {
        // A cookie like mstsc's; the name is not a credential and no server checks it here.
        nego_data: Some(NegoRequestData::cookie("rdpdoctor".to_owned())),
        flags: RequestFlags::empty(),
        protocol: SecurityProtocol::from_bits_retain(protocols),
        correlation_info: None,
    };
    // Encoding a fixed, valid PDU into a Vec cannot fail.
    encode_vec(&X224(request)).unwrap_or_default()
}

/// MS-RDPBCGR 2.2.1.2.2 failure codes by their specification names (ironrdp-pdu's `FailureCode`
/// names the values; its `Display` is prose).
pub fn failure_code_name(code: u32) -> &'static str {
    match FailureCode::from(code) {
        FailureCode::SSL_REQUIRED_BY_SERVER => "SSL_REQUIRED_BY_SERVER",
        FailureCode::SSL_NOT_ALLOWED_BY_SERVER => "SSL_NOT_ALLOWED_BY_SERVER",
        FailureCode::SSL_CERT_NOT_ON_SERVER => "SSL_CERT_NOT_ON_SERVER",
        FailureCode::INCONSISTENT_FLAGS => "INCONSISTENT_FLAGS",
        FailureCode::HYBRID_REQUIRED_BY_SERVER => "HYBRID_REQUIRED_BY_SERVER",
        FailureCode::SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER => {
            "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER"
        }
        FailureCode::ENTRA_AUTH_REQUIRED_BY_SERVER => "ENTRA_AUTH_REQUIRED_BY_SERVER",
        _ => "unknown failure code",
    }
}

fn server_flag_names(flags: u8) -> Vec<String> {
    const NAMES: [(u8, &str); 5] = [
        (0x01, "EXTENDED_CLIENT_DATA_SUPPORTED"),
        (0x02, "DYNVC_GFX_PROTOCOL_SUPPORTED"),
        (0x04, "NEGRSP_FLAG_RESERVED"),
        (0x08, "RESTRICTED_ADMIN_MODE_SUPPORTED"),
        (0x10, "REDIRECTED_AUTHENTICATION_MODE_SUPPORTED"),
    ];
    NAMES
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, name)| (*name).to_owned())
        .collect()
}

const TPKT_HEADER_LEN: usize = 4;
/// TPKT header plus the fixed part of an X.224 Connection Confirm.
const MIN_CONFIRM_LEN: usize = TPKT_HEADER_LEN + 7;

/// Whether `tpkt` (one whole TPKT) is an MCS Disconnect Provider Ultimatum: what an RDP server
/// sends when it gives up on a connection in RDP's own words.
pub(crate) fn is_mcs_disconnect(tpkt: &[u8]) -> bool {
    matches!(
        decode::<X224<McsMessage<'_>>>(tpkt),
        Ok(X224(McsMessage::DisconnectProviderUltimatum(_)))
    )
}

/// Classifies the bytes received so far. `None` means a TPKT has started but is not complete.
pub fn classify_confirm(received: &[u8]) -> Option<NegotiationOutcome> {
    let first = *received.first()?;
    if first != 3 {
        return Some(not_rdp(received));
    }
    let declared = usize::from(u16::from_be_bytes([*received.get(2)?, *received.get(3)?]));
    if received.get(..declared).is_some_and(is_mcs_disconnect) {
        return Some(NegotiationOutcome::McsDisconnect);
    }
    if declared < MIN_CONFIRM_LEN {
        return Some(NegotiationOutcome::Malformed {
            reason: format!("TPKT length {declared} is too short"),
        });
    }
    let pdu = received.get(..declared)?;
    Some(match decode::<X224<ConnectionConfirm>>(pdu) {
        Ok(X224(ConnectionConfirm::Response { flags, protocol })) => NegotiationOutcome::Selected {
            protocol: Protocol::from_selected(protocol.bits()),
            protocol_bits: protocol.bits(),
            server_flags: flags.bits(),
            server_flag_names: server_flag_names(flags.bits()),
            // No RDP_NEG_RSP after the fixed part, although the request carried RDP_NEG_REQ.
            legacy_confirm: pdu.len() == MIN_CONFIRM_LEN,
        },
        Ok(X224(ConnectionConfirm::Failure { code })) => {
            let code = u32::from(code);
            NegotiationOutcome::Failure {
                code,
                name: failure_code_name(code).to_owned(),
            }
        }
        Err(error) => NegotiationOutcome::Malformed {
            reason: error.to_string(),
        },
    })
}

fn not_rdp(received: &[u8]) -> NegotiationOutcome {
    let head = &received[..received.len().min(16)];
    let first_bytes = head
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ");
    let line = received.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = &line[..line.len().min(80)];
    let printable = !line.is_empty()
        && line
            .iter()
            .all(|&b| b == b'\r' || (0x20..0x7f).contains(&b));
    let text = printable.then(|| String::from_utf8_lossy(line).trim_end().to_owned());
    NegotiationOutcome::NotRdp { first_bytes, text }
}

/// The reply reader for a Connection Request.
pub(crate) struct ConfirmReply;

impl Reply for ConfirmReply {
    type Outcome = NegotiationOutcome;

    fn advance(&mut self, received: &[u8]) -> Option<NegotiationOutcome> {
        classify_confirm(received)
    }

    fn end(&mut self, received: &[u8], end: StreamEnd) -> NegotiationOutcome {
        if !received.is_empty() {
            return NegotiationOutcome::Malformed {
                reason: format!(
                    "the reply stopped after {} bytes ({})",
                    received.len(),
                    end.describe()
                ),
            };
        }
        match end {
            StreamEnd::Closed => NegotiationOutcome::Closed,
            StreamEnd::Reset => NegotiationOutcome::Reset,
            StreamEnd::TimedOut => NegotiationOutcome::Silent,
            StreamEnd::LimitReached => NegotiationOutcome::Malformed {
                reason: "reply too large".to_owned(),
            },
            StreamEnd::Failed(reason) => NegotiationOutcome::ConnectFailed { reason },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xrdp 0.9's Connection Confirm selecting TLS (source reference 0x1234, flags 0x1f).
    const XRDP_SELECTS_SSL: [u8; 19] = [
        3, 0, 0, 19, 14, 0xd0, 0, 0, 0x12, 0x34, 0, 2, 0x1f, 8, 0, 1, 0, 0, 0,
    ];
    const FAILURE_HYBRID_REQUIRED: [u8; 19] =
        [3, 0, 0, 19, 14, 0xd0, 0, 0, 0, 0, 0, 3, 0, 8, 0, 5, 0, 0, 0];

    #[test]
    fn request_carries_the_requested_protocols() {
        let bytes = connection_request(MODERN_CLIENT_REQUEST);
        assert_eq!(&bytes[..2], &[3, 0]);
        assert_eq!(
            usize::from(u16::from_be_bytes([bytes[2], bytes[3]])),
            bytes.len()
        );
        assert_eq!(bytes[5], 0xe0);
        assert_eq!(&bytes[bytes.len() - 8..], &[1, 0, 8, 0, 0x0b, 0, 0, 0]);
        assert!(bytes.windows(17).any(|w| w == b"Cookie: mstshash="));
    }

    #[test]
    fn selection_with_flags() {
        assert_eq!(
            classify_confirm(&XRDP_SELECTS_SSL),
            Some(NegotiationOutcome::Selected {
                protocol: Some(Protocol::Ssl),
                protocol_bits: 1,
                server_flags: 0x1f,
                server_flag_names: vec![
                    "EXTENDED_CLIENT_DATA_SUPPORTED".into(),
                    "DYNVC_GFX_PROTOCOL_SUPPORTED".into(),
                    "NEGRSP_FLAG_RESERVED".into(),
                    "RESTRICTED_ADMIN_MODE_SUPPORTED".into(),
                    "REDIRECTED_AUTHENTICATION_MODE_SUPPORTED".into(),
                ],
                legacy_confirm: false,
            })
        );
    }

    #[test]
    fn failure_code() {
        assert_eq!(
            classify_confirm(&FAILURE_HYBRID_REQUIRED),
            Some(NegotiationOutcome::Failure {
                code: 5,
                name: "HYBRID_REQUIRED_BY_SERVER".into()
            })
        );
    }

    #[test]
    fn confirm_without_negotiation_data_means_a_legacy_server() {
        let legacy = [3, 0, 0, 11, 6, 0xd0, 0, 0, 0x12, 0x34, 0];
        let outcome = classify_confirm(&legacy).expect("decided");
        assert_eq!(outcome.selected_protocol(), Some(Protocol::Rdp));
        assert!(
            matches!(
                outcome,
                NegotiationOutcome::Selected {
                    legacy_confirm: true,
                    ..
                }
            ),
            "{outcome:?}"
        );
        assert!(
            !matches!(
                classify_confirm(&XRDP_SELECTS_SSL),
                Some(NegotiationOutcome::Selected {
                    legacy_confirm: true,
                    ..
                })
            ),
            "a confirm with RDP_NEG_RSP is not legacy"
        );
    }

    #[test]
    fn mcs_disconnect_instead_of_a_confirm() {
        let disconnect = [3, 0, 0, 9, 2, 0xf0, 0x80, 0x21, 0x80];
        assert_eq!(
            classify_confirm(&disconnect),
            Some(NegotiationOutcome::McsDisconnect)
        );
    }

    #[test]
    fn waits_for_a_complete_tpkt() {
        for cut in 0..XRDP_SELECTS_SSL.len() {
            assert_eq!(
                classify_confirm(&XRDP_SELECTS_SSL[..cut]),
                None,
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn banner_is_not_rdp() {
        assert_eq!(
            classify_confirm(b"SSH-2.0-OpenSSH_9.2p1\r\n"),
            Some(NegotiationOutcome::NotRdp {
                first_bytes: "53 53 48 2d 32 2e 30 2d 4f 70 65 6e 53 53 48 5f".into(),
                text: Some("SSH-2.0-OpenSSH_9.2p1".into()),
            })
        );
    }

    #[test]
    fn other_tpdu_is_malformed() {
        let data_tpdu = [3, 0, 0, 11, 2, 0xf0, 0x80, 1, 2, 3, 4];
        assert!(matches!(
            classify_confirm(&data_tpdu),
            Some(NegotiationOutcome::Malformed { .. })
        ));
    }

    #[test]
    fn stream_ends_are_told_apart() {
        assert_eq!(
            ConfirmReply.end(&[], StreamEnd::Reset),
            NegotiationOutcome::Reset
        );
        assert_eq!(
            ConfirmReply.end(&[], StreamEnd::Closed),
            NegotiationOutcome::Closed
        );
        assert_eq!(
            ConfirmReply.end(&[], StreamEnd::TimedOut),
            NegotiationOutcome::Silent
        );
        assert!(matches!(
            ConfirmReply.end(&[3, 0], StreamEnd::Closed),
            NegotiationOutcome::Malformed { .. }
        ));
    }
}
