//! Stage 5, NLA: the first CredSSP TSRequest with an NTLM NEGOTIATE, over the TLS session of
//! `session`. The server's NTLM CHALLENGE names the machine, its OS version and its clock. No
//! credential is ever sent: the probe stops after reading the CHALLENGE.
//!
//! TSRequest and the two NTLM messages are encoded and parsed by hand: the probe needs four DER
//! fields and two fixed layouts (MS-CSSP 2.2.1, MS-NLMP 2.2.1.1–2.2.1.2), while the crates that
//! implement them (sspi, ironrdp-connector) bring a whole authentication stack that does not
//! build for wasm32-unknown-unknown. The NTLM fields are read with ironrdp's `ReadCursor`.

use ironrdp_pdu::ironrdp_core::ReadCursor;
use tokio::io::{AsyncRead, AsyncWrite};

use super::driver::{Clock, with_deadline};
use super::session::{NlaLimits, TlsSession};
use crate::report::{NlaDetails, NlaFailure, NtlmChallengeInfo};

/// Why a TSRequest or an NTLM message could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CredsspError {
    #[error("truncated {0}")]
    Truncated(&'static str),
    #[error("unsupported DER length form 0x{0:02x}")]
    DerLengthForm(u8),
    #[error("INTEGER out of range")]
    IntegerOutOfRange,
    #[error("not a TSRequest (tag 0x{0:02x})")]
    NotTsRequest(u8),
    #[error("not an NTLM CHALLENGE message")]
    NotChallenge,
}

// ---- DER, just enough for TSRequest ----

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    let significant: Vec<u8> = len
        .to_be_bytes()
        .into_iter()
        .skip_while(|&b| b == 0)
        .collect();
    match u8::try_from(len) {
        Ok(short) if short < 0x80 => out.push(short),
        // At most 8 length bytes: the count always fits the 7 bits it has.
        _ => {
            out.push(0x80 | u8::try_from(significant.len()).unwrap_or(0x7f));
            out.extend_from_slice(&significant);
        }
    }
    out.extend_from_slice(content);
    out
}

/// CredSSP version the probe announces (MS-CSSP 2.2.1: 6 is current).
const CREDSSP_VERSION: u8 = 6;

/// The first TSRequest: version and one negoToken.
pub fn ts_request(token: &[u8]) -> Vec<u8> {
    let version = der(0xa0, &der(0x02, &[CREDSSP_VERSION]));
    let nego_item = der(0x30, &der(0xa0, &der(0x04, token)));
    let nego_tokens = der(0xa1, &der(0x30, &nego_item));
    der(0x30, &[version, nego_tokens].concat())
}

#[derive(Debug)]
struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
    rest: &'a [u8],
}

/// Reads one DER TLV. `Ok(None)` means more bytes are needed.
fn read_tlv(input: &[u8]) -> Result<Option<Tlv<'_>>, CredsspError> {
    let (Some(&tag), Some(&first_len)) = (input.first(), input.get(1)) else {
        return Ok(None);
    };
    let (len, header) = if first_len < 0x80 {
        (usize::from(first_len), 2)
    } else {
        let count = usize::from(first_len & 0x7f);
        if count == 0 || count > 3 {
            return Err(CredsspError::DerLengthForm(first_len));
        }
        let Some(bytes) = input.get(2..2 + count) else {
            return Ok(None);
        };
        (
            bytes
                .iter()
                .fold(0usize, |acc, &b| acc << 8 | usize::from(b)),
            2 + count,
        )
    };
    let (Some(content), Some(rest)) = (input.get(header..header + len), input.get(header + len..))
    else {
        return Ok(None);
    };
    Ok(Some(Tlv { tag, content, rest }))
}

fn complete_tlv<'a>(input: &'a [u8], what: &'static str) -> Result<Tlv<'a>, CredsspError> {
    read_tlv(input)?.ok_or(CredsspError::Truncated(what))
}

fn der_u32(content: &[u8]) -> Result<u32, CredsspError> {
    let significant: Vec<u8> = content.iter().copied().skip_while(|&b| b == 0).collect();
    if content.is_empty() || significant.len() > 4 {
        return Err(CredsspError::IntegerOutOfRange);
    }
    Ok(significant
        .iter()
        .fold(0u32, |acc, &b| acc << 8 | u32::from(b)))
}

/// The server's TSRequest, as far as the probe needs it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TsRequest {
    pub version: u32,
    pub nego_token: Option<Vec<u8>>,
    pub error_code: Option<u32>,
}

/// Length of the TSRequest at the start of `input` once its header is readable.
pub(crate) fn ts_request_len(input: &[u8]) -> Result<Option<usize>, CredsspError> {
    match read_tlv(input)? {
        Some(tlv) => Ok(Some(input.len() - tlv.rest.len())),
        None => Ok(None),
    }
}

pub fn parse_ts_request(input: &[u8]) -> Result<TsRequest, CredsspError> {
    let outer = complete_tlv(input, "TSRequest")?;
    if outer.tag != 0x30 {
        return Err(CredsspError::NotTsRequest(outer.tag));
    }
    let mut request = TsRequest::default();
    let mut fields = outer.content;
    while !fields.is_empty() {
        let field = complete_tlv(fields, "TSRequest field")?;
        fields = field.rest;
        match field.tag {
            0xa0 => request.version = der_u32(complete_tlv(field.content, "version")?.content)?,
            0xa1 => {
                let list = complete_tlv(field.content, "negoTokens")?;
                let item = complete_tlv(list.content, "NegoData item")?;
                let token = complete_tlv(item.content, "negoToken")?;
                let octets = complete_tlv(token.content, "negoToken octets")?;
                request.nego_token = Some(octets.content.to_vec());
            }
            0xa4 => {
                request.error_code =
                    Some(der_u32(complete_tlv(field.content, "errorCode")?.content)?)
            }
            _ => {}
        }
    }
    Ok(request)
}

// ---- NTLM ----

const NTLM_SIGNATURE: &[u8; 8] = b"NTLMSSP\0";
/// UNICODE | OEM | REQUEST_TARGET | SIGN | SEAL | NTLM | ALWAYS_SIGN | EXTENDED_SESSIONSECURITY |
/// VERSION | 128 | KEY_EXCH | 56 — what Windows clients send.
const NEGOTIATE_FLAGS: u32 = 0xe208_82b7;
const NEGOTIATE_VERSION: u32 = 0x0200_0000;
/// MS-NLMP 2.2.1.2: the CHALLENGE's fixed part up to its Version field.
const CHALLENGE_FIXED_LEN: usize = 48;

/// NTLM NEGOTIATE_MESSAGE without domain or workstation (MS-NLMP 2.2.1.1).
pub fn ntlm_negotiate() -> Vec<u8> {
    let mut message = NTLM_SIGNATURE.to_vec();
    message.extend_from_slice(&1u32.to_le_bytes());
    message.extend_from_slice(&NEGOTIATE_FLAGS.to_le_bytes());
    message.extend_from_slice(&[0; 16]); // empty DomainNameFields and WorkstationFields
    // Version: 10.0 build 19041, NTLM revision 15 (informational only).
    message.extend_from_slice(&[10, 0, 0x61, 0x4a, 0, 0, 0, 15]);
    message
}

fn utf16le(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// A (len, maxlen, offset) field read from `cursor`, resolved against the whole `message`.
fn payload_field<'a>(message: &'a [u8], cursor: &mut ReadCursor<'_>) -> Option<&'a [u8]> {
    let len = usize::from(cursor.read_u16());
    let _max_len = cursor.read_u16();
    let offset = usize::try_from(cursor.read_u32()).ok()?;
    message.get(offset..offset.checked_add(len)?)
}

/// Milliseconds between 1601-01-01 (FILETIME epoch) and 1970-01-01.
const FILETIME_UNIX_OFFSET_MS: i64 = 11_644_473_600_000;

/// Reads an NTLM CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2) and its AV pairs (2.2.2.1).
pub fn parse_ntlm_challenge(message: &[u8]) -> Result<NtlmChallengeInfo, CredsspError> {
    if message.len() < CHALLENGE_FIXED_LEN {
        return Err(if message.starts_with(NTLM_SIGNATURE) {
            CredsspError::Truncated("CHALLENGE")
        } else {
            CredsspError::NotChallenge
        });
    }
    // Fixed part, MS-NLMP 2.2.1.2: the length check above covers every read up to Version.
    let mut cursor = ReadCursor::new(message);
    let signature: [u8; 8] = cursor.read_array();
    if &signature != NTLM_SIGNATURE || cursor.read_u32() != 2 {
        return Err(CredsspError::NotChallenge);
    }
    let target_name = payload_field(message, &mut cursor);
    let negotiate_flags = cursor.read_u32();
    let _server_challenge: [u8; 8] = cursor.read_array();
    let _reserved: [u8; 8] = cursor.read_array();
    let target_info = payload_field(message, &mut cursor);
    let mut info = NtlmChallengeInfo {
        negotiate_flags,
        target_name: target_name.filter(|n| !n.is_empty()).map(utf16le),
        ..NtlmChallengeInfo::default()
    };
    if negotiate_flags & NEGOTIATE_VERSION != 0 && cursor.len() >= 4 {
        let [major, minor] = cursor.read_array();
        info.os_version = Some(format!("{major}.{minor}.{}", cursor.read_u16()));
    }
    read_av_pairs(target_info.unwrap_or_default(), &mut info)?;
    Ok(info)
}

/// The AV pairs of the CHALLENGE's target info (MS-NLMP 2.2.2.1).
fn read_av_pairs(pairs: &[u8], info: &mut NtlmChallengeInfo) -> Result<(), CredsspError> {
    let mut cursor = ReadCursor::new(pairs);
    while cursor.len() >= 4 {
        let id = cursor.read_u16();
        let len = usize::from(cursor.read_u16());
        if cursor.len() < len {
            return Err(CredsspError::Truncated("AV pair"));
        }
        let value = cursor.read_slice(len);
        let text = || Some(utf16le(value));
        match id {
            0 => break, // MsvAvEOL
            1 => info.netbios_computer_name = text(),
            2 => info.netbios_domain_name = text(),
            3 => info.dns_computer_name = text(),
            4 => info.dns_domain_name = text(),
            5 => info.dns_tree_name = text(),
            7 => {
                if let Ok(filetime) = <[u8; 8]>::try_from(value) {
                    let ticks = i64::try_from(u64::from_le_bytes(filetime)).unwrap_or(i64::MAX);
                    info.server_time_unix_ms = Some(ticks / 10_000 - FILETIME_UNIX_OFFSET_MS);
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The first CredSSP round trip over a completed handshake (HYBRID or HYBRID_EX selected):
/// sends the NTLM NEGOTIATE and reads the server's CHALLENGE into `details`.
pub(crate) async fn credssp<S: AsyncRead + AsyncWrite + Unpin>(
    session: &mut TlsSession,
    stream: &mut S,
    limits: &NlaLimits,
    clock: &impl Clock,
    mut details: NlaDetails,
) -> NlaDetails {
    let request = ts_request(&ntlm_negotiate());
    let reply = with_deadline(clock, limits.step(clock), session.request(stream, &request)).await;
    let bytes = match reply {
        Some(Ok(bytes)) => bytes,
        Some(Err(error)) => {
            details.failure = Some(NlaFailure::Exchange {
                error: error.failure(),
            });
            return details;
        }
        None => {
            details.failure = Some(NlaFailure::NoReply);
            return details;
        }
    };
    match parse_ts_request(&bytes) {
        Ok(ts) => {
            details.credssp_version = Some(ts.version);
            details.server_error_code = ts.error_code;
            match ts.nego_token.as_deref().map(parse_ntlm_challenge) {
                Some(Ok(mut info)) => {
                    let now = i64::try_from(clock.now_unix_ms()).unwrap_or(i64::MAX);
                    info.clock_skew_ms = info.server_time_unix_ms.map(|server| server - now);
                    details.ntlm = Some(info);
                }
                Some(Err(error)) => {
                    details.failure = Some(NlaFailure::InvalidToken {
                        detail: error.to_string(),
                    })
                }
                None => details.failure = Some(NlaFailure::NoNtlmToken),
            }
        }
        Err(error) => {
            details.failure = Some(NlaFailure::InvalidReply {
                detail: error.to_string(),
            })
        }
    }
    details
}

#[cfg(test)]
mod tests {
    use super::*;

    /// MS-NLMP 4.2.4.3, the example CHALLENGE_MESSAGE: target "Server", domain "Domain",
    /// version 6.0.6000, no timestamp.
    const SPEC_CHALLENGE: &[u8] = &[
        0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00, 0x02, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x0c,
        0x00, 0x38, 0x00, 0x00, 0x00, 0x33, 0x82, 0x8a, 0xe2, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
        0xcd, 0xef, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0x24, 0x00, 0x44,
        0x00, 0x00, 0x00, 0x06, 0x00, 0x70, 0x17, 0x00, 0x00, 0x00, 0x0f, 0x53, 0x00, 0x65, 0x00,
        0x72, 0x00, 0x76, 0x00, 0x65, 0x00, 0x72, 0x00, 0x02, 0x00, 0x0c, 0x00, 0x44, 0x00, 0x6f,
        0x00, 0x6d, 0x00, 0x61, 0x00, 0x69, 0x00, 0x6e, 0x00, 0x01, 0x00, 0x0c, 0x00, 0x53, 0x00,
        0x65, 0x00, 0x72, 0x00, 0x76, 0x00, 0x65, 0x00, 0x72, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    #[test]
    fn spec_challenge() {
        assert_eq!(
            parse_ntlm_challenge(SPEC_CHALLENGE),
            Ok(NtlmChallengeInfo {
                target_name: Some("Server".into()),
                netbios_computer_name: Some("Server".into()),
                netbios_domain_name: Some("Domain".into()),
                os_version: Some("6.0.6000".into()),
                negotiate_flags: 0xe28a_8233,
                ..NtlmChallengeInfo::default()
            })
        );
    }

    #[test]
    fn challenge_timestamp_becomes_unix_time() {
        // Replace the EOL pair with a timestamp (2023-11-14T22:13:20Z) followed by EOL.
        let mut message = SPEC_CHALLENGE[..SPEC_CHALLENGE.len() - 4].to_vec();
        let filetime: u64 = (1_700_000_000_000 + 11_644_473_600_000) * 10_000;
        message.extend_from_slice(&[7, 0, 8, 0]);
        message.extend_from_slice(&filetime.to_le_bytes());
        message.extend_from_slice(&[0, 0, 0, 0]);
        message[40] = 0x24 + 12; // TargetInfoFields length
        let info = parse_ntlm_challenge(&message).expect("valid");
        assert_eq!(info.server_time_unix_ms, Some(1_700_000_000_000));
    }

    #[test]
    fn challenge_errors() {
        assert!(
            parse_ntlm_challenge(b"NTLMSSP\0\x01\0\0\0").is_err(),
            "a NEGOTIATE is not a CHALLENGE"
        );
        assert!(parse_ntlm_challenge(&SPEC_CHALLENGE[..20]).is_err());
        let mut bad_pair = SPEC_CHALLENGE.to_vec();
        bad_pair[70] = 0xff; // first AV pair claims 255 bytes
        assert_eq!(
            parse_ntlm_challenge(&bad_pair),
            Err(CredsspError::Truncated("AV pair"))
        );
    }

    #[test]
    fn negotiate_message_layout() {
        let message = ntlm_negotiate();
        assert_eq!(message.len(), 40);
        assert_eq!(&message[..12], b"NTLMSSP\0\x01\0\0\0");
        assert_eq!(&message[12..16], &NEGOTIATE_FLAGS.to_le_bytes());
    }

    #[test]
    fn ts_request_encoding() {
        let expected = [
            0x30, 0x11, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa1, 0x0a, 0x30, 0x08, 0x30, 0x06, 0xa0,
            0x04, 0x04, 0x02, b'A', b'B',
        ];
        assert_eq!(ts_request(b"AB"), expected);
        let long = ts_request(&[0x55; 300]);
        assert_eq!(&long[..4], &[0x30, 0x82, 0x01, 0x45]);
        assert_eq!(ts_request_len(&long), Ok(Some(long.len())));
        assert_eq!(ts_request_len(&long[..3]), Ok(None));
        assert_eq!(
            parse_ts_request(&long),
            Ok(TsRequest {
                version: 6,
                nego_token: Some(vec![0x55; 300]),
                error_code: None
            })
        );
    }

    #[test]
    fn ts_request_with_error_code() {
        // version 6, errorCode STATUS_LOGON_FAILURE (0xC000006D) with a leading zero byte.
        let bytes = [
            0x30, 0x0e, 0xa0, 0x03, 0x02, 0x01, 0x06, 0xa4, 0x07, 0x02, 0x05, 0x00, 0xc0, 0x00,
            0x00, 0x6d,
        ];
        let request = parse_ts_request(&bytes[..]).expect("valid");
        assert_eq!(
            request,
            TsRequest {
                version: 6,
                nego_token: None,
                error_code: Some(0xc000_006d)
            }
        );
        assert!(parse_ts_request(&[0x04, 0x00]).is_err());
        assert!(
            parse_ts_request(&[0x30, 0x84, 0, 0, 0, 1]).is_err(),
            "4-byte lengths are refused"
        );
    }
}
