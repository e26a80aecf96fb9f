//! The main connection's full TLS handshake with rustls (a verifier that records the chain
//! instead of trusting it; how it ended is part of the TLS stage's verdict), then stage 5, NLA:
//! the first CredSSP TSRequest with an NTLM NEGOTIATE. The server's NTLM
//! CHALLENGE names the machine, its OS version and its clock. No credential is ever sent: the
//! probe stops after reading the CHALLENGE.
//!
//! TSRequest and the two NTLM messages are encoded and parsed by hand: the probe needs four DER
//! fields and two fixed layouts (MS-CSSP 2.2.1, MS-NLMP 2.2.1.1–2.2.1.2), while the crates that
//! implement them (sspi, ironrdp-connector) bring a whole authentication stack that does not
//! build for wasm32-unknown-unknown.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::time_provider::TimeProvider;
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};
use tls_parser::TlsCipherSuite;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};

use super::driver::{Clock, StreamEnd, with_deadline, write_all};
use super::tls::TlsVersion;
pub use crate::report::{FullHandshake, HandshakeEnd, NlaDetails, NtlmChallengeInfo};

// ---- DER, just enough for TSRequest ----

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let significant: Vec<u8> = bytes.iter().copied().skip_while(|&b| b == 0).collect();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(&significant);
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
fn read_tlv(input: &[u8]) -> Result<Option<Tlv<'_>>, String> {
    let (Some(&tag), Some(&first_len)) = (input.first(), input.get(1)) else {
        return Ok(None);
    };
    let (len, header) = if first_len < 0x80 {
        (usize::from(first_len), 2)
    } else {
        let count = usize::from(first_len & 0x7f);
        if count == 0 || count > 3 {
            return Err(format!("unsupported DER length form 0x{first_len:02x}"));
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
    let Some(content) = input.get(header..header + len) else {
        return Ok(None);
    };
    Ok(Some(Tlv {
        tag,
        content,
        rest: &input[header + len..],
    }))
}

fn complete_tlv<'a>(input: &'a [u8], what: &str) -> Result<Tlv<'a>, String> {
    read_tlv(input)?.ok_or_else(|| format!("truncated {what}"))
}

fn der_u32(content: &[u8]) -> Result<u32, String> {
    let significant: Vec<u8> = content.iter().copied().skip_while(|&b| b == 0).collect();
    if content.is_empty() || significant.len() > 4 {
        return Err("INTEGER out of range".to_owned());
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
fn ts_request_len(input: &[u8]) -> Result<Option<usize>, String> {
    match read_tlv(input)? {
        Some(tlv) => Ok(Some(input.len() - tlv.rest.len())),
        None => Ok(None),
    }
}

pub fn parse_ts_request(input: &[u8]) -> Result<TsRequest, String> {
    let outer = complete_tlv(input, "TSRequest")?;
    if outer.tag != 0x30 {
        return Err(format!("not a TSRequest (tag 0x{:02x})", outer.tag));
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

fn le_u16(bytes: &[u8], at: usize) -> Option<u16> {
    bytes
        .get(at..at + 2)
        .map(|b| u16::from_le_bytes([b[0], b[1]]))
}

fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    bytes
        .get(at..at + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// The payload a (len, maxlen, offset) field points at.
fn payload_field(message: &[u8], at: usize) -> Option<&[u8]> {
    let len = usize::from(le_u16(message, at)?);
    let offset = usize::try_from(le_u32(message, at + 4)?).ok()?;
    message.get(offset..offset.checked_add(len)?)
}

fn utf16le(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16_lossy(&units)
}

/// Milliseconds between 1601-01-01 (FILETIME epoch) and 1970-01-01.
const FILETIME_UNIX_OFFSET_MS: i64 = 11_644_473_600_000;

/// Reads an NTLM CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2) and its AV pairs (2.2.2.1).
pub fn parse_ntlm_challenge(message: &[u8]) -> Result<NtlmChallengeInfo, String> {
    if !message.starts_with(NTLM_SIGNATURE) || le_u32(message, 8) != Some(2) {
        return Err("not an NTLM CHALLENGE message".to_owned());
    }
    let negotiate_flags = le_u32(message, 20).ok_or("truncated CHALLENGE")?;
    let mut info = NtlmChallengeInfo {
        negotiate_flags,
        ..NtlmChallengeInfo::default()
    };
    info.target_name = payload_field(message, 12)
        .filter(|n| !n.is_empty())
        .map(utf16le);
    const NEGOTIATE_VERSION: u32 = 0x0200_0000;
    if negotiate_flags & NEGOTIATE_VERSION != 0
        && let (Some(&[major, minor]), Some(build)) = (message.get(48..50), le_u16(message, 50))
    {
        info.os_version = Some(format!("{major}.{minor}.{build}"));
    }
    let mut pairs = payload_field(message, 40).unwrap_or_default();
    while let (Some(id), Some(len)) = (le_u16(pairs, 0), le_u16(pairs, 2)) {
        let value = pairs
            .get(4..4 + usize::from(len))
            .ok_or("truncated AV pair")?;
        pairs = &pairs[4 + usize::from(len)..];
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
    Ok(info)
}

// ---- TLS with rustls ----

/// Accepts any certificate and records the chain: the probe reports certificates, it does not
/// trust them, and it sends nothing secret over this channel.
#[derive(Debug)]
struct RecordingVerifier {
    chain: Mutex<Vec<Vec<u8>>>,
    schemes: Vec<SignatureScheme>,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.to_vec())
            .collect();
        if let Ok(mut recorded) = self.chain.lock() {
            *recorded = chain;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

/// rustls asks for the time to check certificates; the probe passes its injected wall clock
/// (std's clock panics on wasm32-unknown-unknown).
#[derive(Debug)]
struct InjectedTime(UnixTime);

impl TimeProvider for InjectedTime {
    fn current_time(&self) -> Option<UnixTime> {
        Some(self.0)
    }
}

/// Limits for the TLS handshake and the CredSSP round trip.
pub(crate) struct NlaLimits {
    /// Each of the two steps.
    pub step_ms: u64,
    /// The whole probe's end, on the clock's monotonic scale (`Clock::elapsed_ms`).
    pub probe_ends_at_ms: u64,
    /// Bytes read in all.
    pub max_bytes: usize,
}

impl NlaLimits {
    fn step(&self, clock: &impl Clock) -> u64 {
        self.step_ms
            .min(self.probe_ends_at_ms.saturating_sub(clock.elapsed_ms()))
    }
}

/// The main connection's full handshake: how it ended, the certificate chain the server
/// presented (leaf first), and the session for CredSSP when it completed.
pub(crate) struct Handshake {
    pub outcome: FullHandshake,
    pub chain: Vec<Vec<u8>>,
    pub session: Option<Box<TlsSession>>,
}

/// Runs a full TLS handshake with rustls on a stream whose RDP negotiation selected a TLS-based
/// protocol.
pub(crate) async fn handshake<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    host: &str,
    limits: &NlaLimits,
    clock: &impl Clock,
) -> Handshake {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(RecordingVerifier {
        chain: Mutex::new(Vec::new()),
        schemes: provider
            .signature_verification_algorithms
            .supported_schemes(),
    });
    let now = UnixTime::since_unix_epoch(std::time::Duration::from_millis(clock.now_unix_ms()));
    let setup_failed = |error: rustls::Error| Handshake {
        outcome: FullHandshake {
            server_hello: None,
            cipher_suite: None,
            received_bytes: 0,
            end: HandshakeEnd::Failed {
                reason: format!("TLS setup failed: {error}"),
            },
        },
        chain: Vec::new(),
        session: None,
    };
    let config = match ClientConfig::builder_with_details(provider, Arc::new(InjectedTime(now)))
        .with_protocol_versions(rustls::ALL_VERSIONS)
    {
        Ok(builder) => builder
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone())
            .with_no_client_auth(),
        Err(error) => return setup_failed(error),
    };
    // RDP servers ignore SNI; for a host that is not a valid DNS name or IP, none is sent
    // (rustls sends no SNI for an address).
    let server_name = ServerName::try_from(host.to_owned()).unwrap_or(ServerName::IpAddress(
        std::net::Ipv4Addr::UNSPECIFIED.into(),
    ));
    let mut session = match ClientConnection::new(Arc::new(config), server_name) {
        Ok(connection) => TlsSession {
            connection,
            received: 0,
            max_bytes: limits.max_bytes,
        },
        Err(error) => return setup_failed(error),
    };

    let handshake = with_deadline(clock, limits.step(clock), session.handshake(stream)).await;
    let chain = verifier.chain.lock().map(|c| c.clone()).unwrap_or_default();
    let end = match handshake {
        Some(Ok(())) => HandshakeEnd::Completed,
        Some(Err(SessionError::Stream(StreamEnd::Closed))) => HandshakeEnd::Closed,
        Some(Err(SessionError::Stream(StreamEnd::Reset))) => HandshakeEnd::Reset,
        Some(Err(error)) => HandshakeEnd::Failed {
            reason: error.describe(),
        },
        None => HandshakeEnd::TimedOut,
    };
    let outcome = FullHandshake {
        server_hello: session
            .connection
            .protocol_version()
            .and_then(|v| TlsVersion::from_wire(u16::from(v))),
        // IANA names from tls-parser's table, as the TLS stage reports them.
        cipher_suite: session.connection.negotiated_cipher_suite().map(|s| {
            let id = u16::from(s.suite());
            TlsCipherSuite::from_id(id)
                .map_or_else(|| format!("0x{id:04x}"), |known| known.name.to_owned())
        }),
        received_bytes: session.received,
        end,
    };
    let session = outcome.completed().then(|| Box::new(session));
    Handshake {
        outcome,
        chain,
        session,
    }
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
    match reply {
        Some(Ok(bytes)) => match parse_ts_request(&bytes) {
            Ok(ts) => {
                details.credssp_version = Some(ts.version);
                details.server_error_code = ts.error_code;
                match ts.nego_token.as_deref().map(parse_ntlm_challenge) {
                    Some(Ok(mut info)) => {
                        let now = i64::try_from(clock.now_unix_ms()).unwrap_or(i64::MAX);
                        info.clock_skew_ms = info.server_time_unix_ms.map(|server| server - now);
                        details.ntlm = Some(info);
                    }
                    Some(Err(error)) => details.failure = Some(format!("CredSSP token: {error}")),
                    None => {
                        details.failure =
                            Some("the server's TSRequest carries no NTLM token".to_owned())
                    }
                }
            }
            Err(error) => details.failure = Some(format!("invalid CredSSP reply: {error}")),
        },
        Some(Err(error)) => {
            details.failure = Some(format!("CredSSP exchange failed: {}", error.describe()))
        }
        None => details.failure = Some("no CredSSP reply before the deadline".to_owned()),
    }
    details
}

/// rustls's words, except where a server's oversized handshake makes them cryptic.
fn describe_tls_error(error: &rustls::Error) -> String {
    match error {
        rustls::Error::InvalidMessage(rustls::InvalidMessage::HandshakePayloadTooLarge) => {
            "a handshake message (in practice the certificate chain) is larger than the 64 KB the probe's TLS client accepts".to_owned()
        }
        _ => error.to_string(),
    }
}

/// Why a TLS session stopped: the stream ended, or TLS itself failed.
#[derive(Debug)]
enum SessionError {
    Stream(StreamEnd),
    Tls(String),
}

impl SessionError {
    fn describe(&self) -> String {
        match self {
            SessionError::Stream(end) => end.describe(),
            SessionError::Tls(reason) => reason.clone(),
        }
    }
}

impl From<std::io::Error> for SessionError {
    fn from(error: std::io::Error) -> Self {
        SessionError::Stream(StreamEnd::from_io(&error))
    }
}

/// A rustls client connection pumped over an async stream, with a cap on bytes read.
pub(crate) struct TlsSession {
    connection: ClientConnection,
    received: usize,
    max_bytes: usize,
}

impl TlsSession {
    async fn flush<S: AsyncWrite + Unpin>(&mut self, stream: &mut S) -> Result<(), SessionError> {
        while self.connection.wants_write() {
            let mut out = Vec::new();
            self.connection.write_tls(&mut out)?;
            write_all(stream, &out).await?;
        }
        Ok(())
    }

    async fn read_more<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> Result<(), SessionError> {
        let mut buffer = vec![0u8; 16 * 1024];
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            return Err(SessionError::Stream(StreamEnd::Closed));
        }
        self.received += n;
        if self.received > self.max_bytes {
            return Err(SessionError::Stream(StreamEnd::LimitReached));
        }
        let mut input = &buffer[..n];
        while !input.is_empty() {
            self.connection
                .read_tls(&mut input)
                .map_err(|e| SessionError::Tls(e.to_string()))?;
            if let Err(error) = self.connection.process_new_packets() {
                // Tell the server why (rustls queued an alert); the error is what gets reported.
                let _ = self.flush(stream).await;
                return Err(SessionError::Tls(describe_tls_error(&error)));
            }
        }
        Ok(())
    }

    async fn handshake<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
    ) -> Result<(), SessionError> {
        while self.connection.is_handshaking() {
            self.flush(stream).await?;
            if self.connection.is_handshaking() {
                self.read_more(stream).await?;
            }
        }
        Ok(())
    }

    /// Sends `request` as application data and returns the first complete TSRequest back.
    async fn request<S: AsyncRead + AsyncWrite + Unpin>(
        &mut self,
        stream: &mut S,
        request: &[u8],
    ) -> Result<Vec<u8>, SessionError> {
        self.connection.writer().write_all(request)?;
        self.flush(stream).await?;
        let mut plaintext = Vec::new();
        loop {
            let mut chunk = [0u8; 4096];
            loop {
                match self.connection.reader().read(&mut chunk) {
                    Ok(0) => {
                        return Err(SessionError::Tls(
                            "the server closed the TLS session".to_owned(),
                        ));
                    }
                    Ok(n) => plaintext.extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(SessionError::Tls(e.to_string())),
                }
            }
            if let Some(len) = ts_request_len(&plaintext).map_err(SessionError::Tls)?
                && plaintext.len() >= len
            {
                plaintext.truncate(len);
                return Ok(plaintext);
            }
            self.read_more(stream).await?;
            self.flush(stream).await?;
        }
    }
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
            Err("truncated AV pair".into())
        );
    }

    #[test]
    fn negotiate_message_layout() {
        let message = ntlm_negotiate();
        assert_eq!(message.len(), 40);
        assert_eq!(&message[..12], b"NTLMSSP\0\x01\0\0\0");
        assert_eq!(le_u32(&message, 12), Some(NEGOTIATE_FLAGS));
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
