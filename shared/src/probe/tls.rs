//! Stage 3, TLS seen from outside: hand-built ClientHellos for any version (rustls does not speak
//! TLS 1.0/1.1 and offers no way to send an arbitrary offer) and a reader of the server's first
//! flight that reports the ServerHello, the certificate chain sent in the clear before TLS 1.3,
//! or the alert, drop or garbage that came instead.
//!
//! The ClientHello is encoded by hand: tls-parser's serializer takes extensions as raw bytes, so
//! it would only save the two framing headers. The server's reply is parsed with tls-parser.

use tls_parser::{
    TlsAlertDescription, TlsCipherSuite, TlsMessage, TlsMessageHandshake, TlsRecordType,
    parse_tls_message_alert, parse_tls_message_handshake, parse_tls_raw_record,
};

use super::driver::{Reply, StreamEnd};
use super::x224::is_mcs_disconnect;
pub use crate::report::{HelloOutcome, TlsVersion};

/// What a ClientHello offers.
#[derive(Clone, Copy, Debug)]
pub struct HelloOffer<'a> {
    pub versions: &'a [TlsVersion],
    pub cipher_suites: &'a [u16],
    pub groups: &'a [u16],
    pub signature_algorithms: &'a [u16],
}

pub mod suites {
    //! Cipher suite lists for the version probes: every suite a server might plausibly choose, so
    //! that a refusal means "not this version", not "not these suites".
    pub const TLS13: &[u16] = &[0x1301, 0x1302, 0x1303];
    /// ECDHE/DHE/RSA with AES-GCM, ChaCha20, AES-CBC and 3DES, then the NULL suites last so a
    /// NULL-only server still answers (and is reported as such).
    pub const LEGACY: &[u16] = &[
        0xc02c, 0xc02b, 0xc030, 0xc02f, 0xcca9, 0xcca8, 0x009f, 0x009e, 0xc024, 0xc023, 0xc028,
        0xc027, 0xc00a, 0xc009, 0xc014, 0xc013, 0x0039, 0x0033, 0x009d, 0x009c, 0x003d, 0x003c,
        0x0035, 0x002f, 0x000a, 0x0005, 0x0004, 0x003b, 0x0002, 0x0001,
    ];
    pub const GROUPS: &[u16] = &[0x001d, 0x0017, 0x0018, 0x0019, 0x0100];
    pub const SIGNATURE_ALGORITHMS: &[u16] = &[
        0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201,
    ];
}

/// The offer the version probe for `version` sends: that one version and every suite for it.
pub fn version_probe_offer(version: TlsVersion) -> HelloOffer<'static> {
    let versions: &'static [TlsVersion] = match version {
        TlsVersion::Ssl3 => &[TlsVersion::Ssl3],
        TlsVersion::Tls10 => &[TlsVersion::Tls10],
        TlsVersion::Tls11 => &[TlsVersion::Tls11],
        TlsVersion::Tls12 => &[TlsVersion::Tls12],
        TlsVersion::Tls13 => &[TlsVersion::Tls13],
    };
    HelloOffer {
        versions,
        cipher_suites: if version == TlsVersion::Tls13 {
            suites::TLS13
        } else {
            suites::LEGACY
        },
        groups: suites::GROUPS,
        signature_algorithms: suites::SIGNATURE_ALGORITHMS,
    }
}

const EXT_SUPPORTED_GROUPS: u16 = 0x000a;
const EXT_EC_POINT_FORMATS: u16 = 0x000b;
const EXT_SIGNATURE_ALGORITHMS: u16 = 0x000d;
const EXT_EXTENDED_MASTER_SECRET: u16 = 0x0017;
const EXT_SUPPORTED_VERSIONS: u16 = 0x002b;
const EXT_PSK_KEY_EXCHANGE_MODES: u16 = 0x002d;
const EXT_KEY_SHARE: u16 = 0x0033;
const EXT_RENEGOTIATION_INFO: u16 = 0xff01;
const GROUP_X25519: u16 = 0x001d;
const CONTENT_HANDSHAKE: u8 = TlsRecordType::Handshake.0;
const CONTENT_ALERT: u8 = TlsRecordType::Alert.0;
const CONTENT_CHANGE_CIPHER_SPEC: u8 = TlsRecordType::ChangeCipherSpec.0;
const CONTENT_APPLICATION_DATA: u8 = TlsRecordType::ApplicationData.0;
const HANDSHAKE_CLIENT_HELLO: u8 = 1;
const HANDSHAKE_SERVER_HELLO: u8 = 2;
const HANDSHAKE_CERTIFICATE: u8 = 11;
/// RFC 8446 4.1.3: the ServerHello random that marks a HelloRetryRequest.
const HELLO_RETRY_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Appends `body` behind a big-endian length prefix of `width` bytes.
fn put_prefixed(out: &mut Vec<u8>, width: usize, body: &[u8]) {
    let len = body.len().to_be_bytes();
    out.extend_from_slice(&len[len.len() - width..]);
    out.extend_from_slice(body);
}

fn u16_list(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_be_bytes()).collect()
}

fn put_extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    put_prefixed(out, 2, body);
}

/// A complete TLS record holding a ClientHello for `offer`. `random` fills the client random,
/// the session id (TLS 1.3 middlebox compatibility) and the X25519 key share; the handshake never
/// completes, so the key share needs no private half.
pub fn client_hello(offer: &HelloOffer<'_>, random: &[u8; 32]) -> Vec<u8> {
    let highest = offer
        .versions
        .iter()
        .copied()
        .max()
        .unwrap_or(TlsVersion::Tls12);
    let offers_tls13 = highest >= TlsVersion::Tls13;
    let legacy_version = highest.min(TlsVersion::Tls12);

    let mut extensions = Vec::new();
    put_extension(
        &mut extensions,
        EXT_SUPPORTED_GROUPS,
        &prefixed(2, &u16_list(offer.groups)),
    );
    put_extension(&mut extensions, EXT_EC_POINT_FORMATS, &[1, 0]);
    if highest >= TlsVersion::Tls12 {
        put_extension(
            &mut extensions,
            EXT_SIGNATURE_ALGORITHMS,
            &prefixed(2, &u16_list(offer.signature_algorithms)),
        );
    }
    put_extension(&mut extensions, EXT_EXTENDED_MASTER_SECRET, &[]);
    put_extension(&mut extensions, EXT_RENEGOTIATION_INFO, &[0]);
    if offers_tls13 {
        let mut versions: Vec<u16> = offer.versions.iter().map(|v| v.wire()).collect();
        versions.sort_unstable_by(|a, b| b.cmp(a));
        put_extension(
            &mut extensions,
            EXT_SUPPORTED_VERSIONS,
            &prefixed(1, &u16_list(&versions)),
        );
        put_extension(&mut extensions, EXT_PSK_KEY_EXCHANGE_MODES, &[1, 1]);
        let mut share = GROUP_X25519.to_be_bytes().to_vec();
        put_prefixed(&mut share, 2, random);
        put_extension(&mut extensions, EXT_KEY_SHARE, &prefixed(2, &share));
    }

    let mut body = legacy_version.wire().to_be_bytes().to_vec();
    body.extend_from_slice(random);
    put_prefixed(&mut body, 1, if offers_tls13 { random } else { &[] });
    put_prefixed(&mut body, 2, &u16_list(offer.cipher_suites));
    body.extend_from_slice(&[1, 0]); // compression methods: null only
    put_prefixed(&mut body, 2, &extensions);

    let mut handshake = vec![HANDSHAKE_CLIENT_HELLO];
    put_prefixed(&mut handshake, 3, &body);
    let mut record = vec![CONTENT_HANDSHAKE];
    record.extend_from_slice(&TlsVersion::Tls10.wire().to_be_bytes());
    put_prefixed(&mut record, 2, &handshake);
    record
}

fn prefixed(width: usize, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + width);
    put_prefixed(&mut out, width, body);
    out
}

/// What the server's first flight contained, as far as it was received.
#[derive(Debug, Default, PartialEq, Eq)]
struct Flight {
    server_hello: Option<ServerHello>,
    /// DER certificates, leaf first, from a Certificate message sent in the clear.
    chain: Option<Vec<Vec<u8>>>,
    alert: Option<(u8, u8)>,
    /// Nothing more of interest will come in the clear (TLS 1.3, ServerHelloDone, encrypted data).
    complete: bool,
    error: Option<Problem>,
    /// Type and length of a handshake message whose header arrived but whose body has not.
    pending: Option<(u8, usize)>,
    /// Length of a Certificate message larger than the probe reads.
    oversized_chain_bytes: Option<usize>,
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
struct ServerHello {
    version: u16,
    cipher_suite: u16,
    hello_retry: bool,
}

#[derive(Debug, PartialEq, Eq)]
enum Problem {
    NotTls,
    Malformed(String),
}

/// Largest TLSCiphertext fragment (RFC 8446 5.2) — anything longer is not a TLS record.
const MAX_RECORD_LEN: usize = 16384 + 2048;

fn read_flight(received: &[u8], max_handshake: usize) -> Flight {
    let mut flight = Flight::default();
    let mut handshake = Vec::new();
    let mut rest = received;
    while !rest.is_empty() && !flight.complete && flight.alert.is_none() {
        let Some(&content_type) = rest.first() else {
            break;
        };
        let plausible_type = matches!(
            content_type,
            CONTENT_HANDSHAKE
                | CONTENT_ALERT
                | CONTENT_CHANGE_CIPHER_SPEC
                | CONTENT_APPLICATION_DATA
        );
        if !plausible_type || rest.get(1).is_some_and(|&major| major != 3) {
            flight.error = Some(Problem::NotTls);
            break;
        }
        if let Some(len) = rest
            .get(3..5)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
            && len > MAX_RECORD_LEN
        {
            flight.error = Some(Problem::Malformed(format!(
                "record length {len} exceeds the TLS maximum"
            )));
            break;
        }
        let Ok((after, record)) = parse_tls_raw_record(rest) else {
            break;
        }; // incomplete record
        rest = after;
        match record.hdr.record_type.0 {
            CONTENT_ALERT => match parse_tls_message_alert(record.data) {
                Ok((_, TlsMessage::Alert(alert))) => {
                    flight.alert = Some((alert.severity.0, alert.code.0))
                }
                _ => flight.error = Some(Problem::Malformed("truncated alert".to_owned())),
            },
            CONTENT_HANDSHAKE => {
                if handshake.len() + record.data.len() > max_handshake {
                    flight.error = Some(Problem::Malformed(
                        "handshake larger than the size limit".to_owned(),
                    ));
                    break;
                }
                handshake.extend_from_slice(record.data);
                read_handshake_messages(&mut handshake, max_handshake, &mut flight);
            }
            CONTENT_CHANGE_CIPHER_SPEC => {} // TLS 1.3 middlebox compatibility; nothing to learn
            _ => {
                if flight.server_hello.is_some() {
                    flight.complete = true;
                } else {
                    flight.error = Some(Problem::Malformed(
                        "application data before the handshake".to_owned(),
                    ));
                }
            }
        }
        if flight.error.is_some() {
            break;
        }
    }
    flight
}

/// Consumes the complete handshake messages at the front of `buffer`.
fn read_handshake_messages(buffer: &mut Vec<u8>, max_len: usize, flight: &mut Flight) {
    let mut consumed = 0;
    while !flight.complete && flight.error.is_none() {
        let pending = &buffer[consumed..];
        let Some(header) = pending.get(..4) else {
            break;
        };
        let body_len =
            usize::from(header[1]) << 16 | usize::from(header[2]) << 8 | usize::from(header[3]);
        if body_len > max_len && flight.server_hello.is_some() && header[0] == HANDSHAKE_CERTIFICATE
        {
            // A valid handshake with a chain too large to read: the version is still answered.
            flight.oversized_chain_bytes = Some(body_len);
            flight.complete = true;
            break;
        }
        if body_len > max_len {
            flight.error = Some(Problem::Malformed(format!(
                "handshake message of {body_len} bytes"
            )));
            break;
        }
        if flight.server_hello.is_none() && header[0] != HANDSHAKE_SERVER_HELLO {
            flight.error = Some(Problem::Malformed(format!(
                "handshake message {} before the ServerHello",
                header[0]
            )));
            break;
        }
        let Some(message) = pending.get(..4 + body_len) else {
            flight.pending = Some((header[0], body_len));
            break;
        };
        flight.pending = None;
        consumed += message.len();
        match parse_tls_message_handshake(message) {
            Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ServerHello(hello)))) => {
                let version = negotiated_version(hello.version.0, hello.ext.unwrap_or_default());
                let hello_retry = hello.random == HELLO_RETRY_RANDOM;
                flight.server_hello = Some(ServerHello {
                    version,
                    cipher_suite: hello.cipher.0,
                    hello_retry,
                });
                // From TLS 1.3 on, everything after the ServerHello is encrypted.
                flight.complete = version >= TlsVersion::Tls13.wire();
            }
            Ok((_, TlsMessage::Handshake(TlsMessageHandshake::Certificate(certificate)))) => {
                flight.chain = Some(
                    certificate
                        .cert_chain
                        .iter()
                        .map(|c| c.data.to_vec())
                        .collect(),
                );
                flight.complete = true;
            }
            Ok((_, TlsMessage::Handshake(TlsMessageHandshake::ServerDone(_)))) => {
                flight.complete = true
            }
            Ok(_) => {}
            Err(_) => {
                flight.error = Some(Problem::Malformed(format!(
                    "undecodable handshake message {}",
                    header[0]
                )))
            }
        }
    }
    buffer.drain(..consumed);
}

/// The version a ServerHello settles on: its supported_versions extension, else its legacy field.
fn negotiated_version(legacy: u16, mut extensions: &[u8]) -> u16 {
    while let [t0, t1, l0, l1, rest @ ..] = extensions {
        let len = usize::from(u16::from_be_bytes([*l0, *l1]));
        let Some(data) = rest.get(..len) else { break };
        if u16::from_be_bytes([*t0, *t1]) == EXT_SUPPORTED_VERSIONS
            && let [v0, v1] = data
        {
            return u16::from_be_bytes([*v0, *v1]);
        }
        extensions = &rest[len..];
    }
    legacy
}

/// `None` when `received` does not start like a TPKT; `Some(None)` while the TPKT its header
/// announces is still incomplete.
fn tpkt(received: &[u8]) -> Option<Option<&[u8]>> {
    if received.first() != Some(&3) || received.get(1).is_some_and(|&reserved| reserved != 0) {
        return None;
    }
    let Some(&[high, low]) = received.get(2..4) else {
        return Some(None);
    };
    Some(received.get(..usize::from(u16::from_be_bytes([high, low]))))
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The reply reader for a ClientHello; the outcome carries the certificate chain when one was
/// sent in the clear.
pub(crate) struct ServerHelloReply {
    pub max_handshake: usize,
}

/// What a version or client probe learned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelloResult {
    pub outcome: HelloOutcome,
    pub chain: Vec<Vec<u8>>,
    /// The size of a Certificate message too large to read (the chain is then empty).
    pub oversized_chain_bytes: Option<usize>,
}

impl ServerHelloReply {
    // One decision over everything received, in the order TLS allows; splitting it would scatter
    // the precedence (alert, not TLS, ServerHello, how the stream ended) over several functions.
    fn decide(&self, received: &[u8], end: Option<&StreamEnd>) -> Option<HelloResult> {
        let flight = read_flight(received, self.max_handshake);
        let chain = flight.chain.clone().unwrap_or_default();
        // Reading stopped at the byte limit inside the Certificate message: the chain is too big.
        let oversized_chain_bytes = flight
            .oversized_chain_bytes
            .or(match (end, flight.pending) {
                (Some(StreamEnd::LimitReached), Some((HANDSHAKE_CERTIFICATE, len))) => Some(len),
                _ => None,
            });
        let dropped = |received_bytes: usize| match end {
            Some(StreamEnd::Closed) => Some(HelloOutcome::DroppedMidHandshake {
                received_bytes,
                reset: false,
            }),
            Some(StreamEnd::Reset) => Some(HelloOutcome::DroppedMidHandshake {
                received_bytes,
                reset: true,
            }),
            _ => None,
        };
        let outcome = if let Some((level, description)) = flight.alert {
            HelloOutcome::Alert {
                level,
                description,
                name: TlsAlertDescription(description).to_string(),
            }
        } else if let Some(problem) = flight.error {
            match problem {
                Problem::NotTls => match tpkt(received) {
                    // An RDP packet: read all of it before saying which.
                    Some(None) if end.is_none() => return None,
                    Some(Some(pdu)) if is_mcs_disconnect(pdu) => HelloOutcome::McsDisconnect,
                    looks_like_tpkt => HelloOutcome::NotTls {
                        first_bytes: hex_prefix(received),
                        looks_like_tpkt: looks_like_tpkt.is_some(),
                    },
                },
                Problem::Malformed(reason) => HelloOutcome::Malformed { reason },
            }
        } else if let Some(hello) = flight
            .server_hello
            .filter(|_| flight.complete || end.is_some())
        {
            let complete = flight.complete || oversized_chain_bytes.is_some();
            match (
                TlsVersion::from_wire(hello.version),
                dropped(received.len()),
            ) {
                // A ServerHello alone does not make a handshake a client could finish.
                (_, Some(outcome)) if !complete => outcome,
                (Some(version), _) => HelloOutcome::Accepted {
                    version,
                    cipher_suite: hello.cipher_suite,
                    cipher_suite_name: TlsCipherSuite::from_id(hello.cipher_suite)
                        .map(|s| s.name.to_owned()),
                    hello_retry: hello.hello_retry,
                },
                (None, _) => HelloOutcome::Malformed {
                    reason: format!("unknown version 0x{:04x}", hello.version),
                },
            }
        } else {
            match end? {
                _ if !received.is_empty() => match dropped(received.len()) {
                    Some(outcome) => outcome,
                    None => HelloOutcome::Malformed {
                        reason: format!(
                            "the reply stopped after {} bytes ({})",
                            received.len(),
                            end?.describe()
                        ),
                    },
                },
                StreamEnd::Closed => HelloOutcome::ClosedBeforeServerHello,
                StreamEnd::Reset => HelloOutcome::ResetBeforeServerHello,
                StreamEnd::TimedOut => HelloOutcome::Silent,
                StreamEnd::LimitReached => HelloOutcome::Malformed {
                    reason: "reply too large".to_owned(),
                },
                StreamEnd::Failed(reason) => HelloOutcome::Malformed {
                    reason: reason.clone(),
                },
            }
        };
        Some(HelloResult {
            outcome,
            chain,
            oversized_chain_bytes,
        })
    }
}

impl Reply for ServerHelloReply {
    type Outcome = HelloResult;

    fn advance(&mut self, received: &[u8]) -> Option<HelloResult> {
        self.decide(received, None)
    }

    fn end(&mut self, received: &[u8], end: StreamEnd) -> HelloResult {
        self.decide(received, Some(&end)).unwrap_or(HelloResult {
            outcome: HelloOutcome::Silent,
            chain: Vec::new(),
            oversized_chain_bytes: None,
        })
    }
}

/// Reads a server's reply to a ClientHello as the probe would, given the whole reply at once
/// and how the stream ended. Public for fuzzing and tests.
pub fn classify_server_flight(received: &[u8], end_of_stream: bool) -> HelloResult {
    let mut reply = ServerHelloReply {
        max_handshake: 256 * 1024,
    };
    match reply.advance(received) {
        Some(result) => result,
        None if end_of_stream => reply.end(received, StreamEnd::Closed),
        None => reply.end(received, StreamEnd::TimedOut),
    }
}

#[cfg(test)]
mod tests {
    use tls_parser::{TlsMessage, TlsMessageHandshake, parse_tls_plaintext};

    use super::*;

    const RANDOM: [u8; 32] = [7; 32];

    fn record(content: u8, version: u16, body: &[u8]) -> Vec<u8> {
        let mut out = vec![content];
        out.extend_from_slice(&version.to_be_bytes());
        put_prefixed(&mut out, 2, body);
        out
    }

    fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![kind];
        put_prefixed(&mut out, 3, body);
        out
    }

    fn server_hello(version: u16, suite: u16, extensions: &[u8]) -> Vec<u8> {
        let mut body = version.to_be_bytes().to_vec();
        body.extend_from_slice(&[9; 32]);
        body.push(0);
        body.extend_from_slice(&suite.to_be_bytes());
        body.push(0);
        put_prefixed(&mut body, 2, extensions);
        handshake(2, &body)
    }

    fn certificate(chain: &[&[u8]]) -> Vec<u8> {
        let mut list = Vec::new();
        for cert in chain {
            put_prefixed(&mut list, 3, cert);
        }
        handshake(11, &prefixed(3, &list))
    }

    #[test]
    fn client_hello_parses_back_with_the_offer() {
        let offer = version_probe_offer(TlsVersion::Tls13);
        let bytes = client_hello(&offer, &RANDOM);
        let (rest, plaintext) = parse_tls_plaintext(&bytes).expect("valid record");
        assert!(rest.is_empty());
        let Some(TlsMessage::Handshake(TlsMessageHandshake::ClientHello(hello))) =
            plaintext.msg.first()
        else {
            panic!("not a ClientHello: {plaintext:?}");
        };
        assert_eq!(hello.version.0, 0x0303);
        assert_eq!(hello.random, &RANDOM);
        assert_eq!(
            hello.ciphers.iter().map(|c| c.0).collect::<Vec<_>>(),
            suites::TLS13
        );
        let extensions = hello.ext.expect("extensions");
        let supported_versions = [0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04];
        assert!(extensions.windows(7).any(|w| w == supported_versions));
    }

    #[test]
    fn legacy_hello_has_no_tls13_extensions() {
        let bytes = client_hello(&version_probe_offer(TlsVersion::Tls10), &RANDOM);
        let (_, plaintext) = parse_tls_plaintext(&bytes).expect("valid record");
        let Some(TlsMessage::Handshake(TlsMessageHandshake::ClientHello(hello))) =
            plaintext.msg.first()
        else {
            panic!("not a ClientHello");
        };
        assert_eq!(hello.version.0, 0x0301);
        assert_eq!(hello.session_id, None);
        assert_eq!(
            negotiated_version(0x0301, hello.ext.unwrap_or_default()),
            0x0301
        );
    }

    #[test]
    fn tls12_flight_yields_suite_and_chain_even_across_records() {
        let mut messages = server_hello(0x0303, 0xc030, &[]);
        messages.extend(certificate(&[b"leaf-der", b"issuer-der"]));
        messages.extend(handshake(14, &[]));
        let (first, second) = messages.split_at(50);
        let mut bytes = record(22, 0x0303, first);
        bytes.extend(record(22, 0x0303, second));
        for cut in 0..bytes.len() {
            assert_eq!(
                ServerHelloReply {
                    max_handshake: 1 << 18
                }
                .advance(&bytes[..cut]),
                None,
                "cut {cut}"
            );
        }
        let result = classify_server_flight(&bytes, false);
        assert_eq!(
            result.outcome,
            HelloOutcome::Accepted {
                version: TlsVersion::Tls12,
                cipher_suite: 0xc030,
                cipher_suite_name: Some("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384".into()),
                hello_retry: false,
            }
        );
        assert_eq!(
            result.chain,
            vec![b"leaf-der".to_vec(), b"issuer-der".to_vec()]
        );
    }

    #[test]
    fn tls13_server_hello_completes_the_flight() {
        let bytes = record(
            22,
            0x0303,
            &server_hello(0x0303, 0x1301, &[0, 0x2b, 0, 2, 3, 4]),
        );
        let result = classify_server_flight(&bytes, false);
        assert_eq!(result.outcome.accepted_version(), Some(TlsVersion::Tls13));
        assert!(result.chain.is_empty());
    }

    #[test]
    fn alert_and_drops() {
        let alert = record(21, 0x0301, &[2, 70]);
        assert_eq!(
            classify_server_flight(&alert, false).outcome,
            HelloOutcome::Alert {
                level: 2,
                description: 70,
                name: "ProtocolVersion".into()
            }
        );
        assert_eq!(
            classify_server_flight(&[], true).outcome,
            HelloOutcome::ClosedBeforeServerHello
        );
        assert_eq!(
            classify_server_flight(&[], false).outcome,
            HelloOutcome::Silent
        );
    }

    #[test]
    fn certificate_before_server_hello_is_malformed() {
        let bytes = record(22, 0x0303, &certificate(&[b"leaf"]));
        let outcome = classify_server_flight(&bytes, false).outcome;
        assert_eq!(
            outcome,
            HelloOutcome::Malformed {
                reason: "handshake message 11 before the ServerHello".into()
            }
        );
    }

    #[test]
    fn mcs_disconnect_instead_of_a_server_hello_is_named() {
        let disconnect = [3, 0, 0, 9, 2, 0xf0, 0x80, 0x21, 0x80];
        for cut in 1..disconnect.len() {
            assert_eq!(
                ServerHelloReply {
                    max_handshake: 1 << 18
                }
                .advance(&disconnect[..cut]),
                None,
                "waits for the whole TPKT (cut {cut})"
            );
        }
        assert_eq!(
            classify_server_flight(&disconnect, false).outcome,
            HelloOutcome::McsDisconnect
        );
    }

    #[test]
    fn tpkt_reply_is_not_tls() {
        let outcome = classify_server_flight(&[3, 0, 0, 11, 6, 0xd0, 0, 0, 0, 0, 0], false).outcome;
        assert_eq!(
            outcome,
            HelloOutcome::NotTls {
                first_bytes: "03 00 00 0b 06 d0 00 00".into(),
                looks_like_tpkt: true
            }
        );
    }

    #[test]
    fn a_handshake_dropped_part_way_is_told_apart_from_garbage() {
        let hello = record(22, 0x0303, &server_hello(0x0303, 0xc02f, &[]));
        let reply = || ServerHelloReply {
            max_handshake: 1 << 18,
        };
        for (received, end, expected) in [
            (&hello[..20], StreamEnd::Reset, Some(true)),
            (&hello[..20], StreamEnd::Closed, Some(false)),
            // TLS 1.2: the ServerHello alone is not a flight a client could finish.
            (&hello[..], StreamEnd::Reset, Some(true)),
            (&hello[..], StreamEnd::Closed, Some(false)),
            (&hello[..20], StreamEnd::TimedOut, None),
        ] {
            let outcome = reply().end(received, end.clone()).outcome;
            match expected {
                Some(reset) => assert_eq!(
                    outcome,
                    HelloOutcome::DroppedMidHandshake {
                        received_bytes: received.len(),
                        reset
                    },
                    "{end:?} after {} bytes",
                    received.len()
                ),
                None => assert!(
                    matches!(&outcome, HelloOutcome::Malformed { reason } if reason.contains("timed out")),
                    "{outcome:?}"
                ),
            }
        }
        // A slow server that got its ServerHello out answered the version.
        let slow = reply().end(&hello, StreamEnd::TimedOut).outcome;
        assert_eq!(slow.accepted_version(), Some(TlsVersion::Tls12));
    }

    #[test]
    fn a_chain_larger_than_the_limit_still_answers_the_version() {
        let mut messages = server_hello(0x0303, 0xc02f, &[]);
        let big = vec![0x30; 3000];
        messages.extend(certificate(&[&big, &big]));
        let mut bytes = Vec::new();
        for chunk in messages.chunks(1000) {
            bytes.extend(record(22, 0x0303, chunk));
        }
        // Its header announces more than the limit: decided as soon as the header arrives.
        let small = ServerHelloReply {
            max_handshake: 4096,
        };
        let header_seen = small.decide(&bytes[..1100], None).expect("decided");
        assert_eq!(
            header_seen.outcome.accepted_version(),
            Some(TlsVersion::Tls12)
        );
        assert_eq!(header_seen.oversized_chain_bytes, Some(3 + 2 * 3003));
        assert!(header_seen.chain.is_empty());
        // Within the limit, but the read stopped at the byte limit inside it.
        let mut large = ServerHelloReply {
            max_handshake: 1 << 18,
        };
        let cut = large.end(&bytes[..4000], StreamEnd::LimitReached);
        assert_eq!(cut.outcome.accepted_version(), Some(TlsVersion::Tls12));
        assert_eq!(cut.oversized_chain_bytes, Some(3 + 2 * 3003));
        // Read whole, it is an ordinary chain.
        let whole = classify_server_flight(&bytes, false);
        assert_eq!(whole.chain.len(), 2);
        assert_eq!(whole.oversized_chain_bytes, None);
    }

    #[test]
    fn absurd_lengths_are_rejected_without_waiting() {
        let outcome = classify_server_flight(&[22, 3, 3, 0xff, 0xff], false).outcome;
        assert!(
            matches!(outcome, HelloOutcome::Malformed { .. }),
            "{outcome:?}"
        );
        let huge_message = record(22, 0x0303, &[2, 0xff, 0xff, 0xff]);
        let outcome = classify_server_flight(&huge_message, false).outcome;
        assert!(
            matches!(outcome, HelloOutcome::Malformed { .. }),
            "{outcome:?}"
        );
    }
}
