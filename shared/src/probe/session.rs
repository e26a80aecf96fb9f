//! The main connection's full TLS handshake with rustls: a verifier that records the chain
//! instead of trusting it, a clock passed in, a cap on bytes read. How the handshake ended is
//! part of the TLS stage's verdict; a completed session carries CredSSP (`super::credssp`).

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::time_provider::TimeProvider;
use rustls::{
    ClientConfig, ClientConnection, DigitallySignedStruct, PeerIncompatible, SignatureScheme,
};
use tls_parser::{TlsAlertDescription, TlsCipherSuite};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};

use super::credssp::{CredsspError, ts_request_len};
use super::driver::{Clock, StreamEnd, with_deadline, write_all};
use crate::report::{FullHandshake, HandshakeEnd, SessionFailure, TlsVersion};

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
    pub(crate) fn step(&self, clock: &impl Clock) -> u64 {
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
    let setup_failed = |error: &dyn std::fmt::Display| Handshake {
        outcome: FullHandshake {
            server_hello: None,
            cipher_suite: None,
            received_bytes: 0,
            end: HandshakeEnd::Failed {
                error: SessionFailure::Setup {
                    detail: error.to_string(),
                },
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
        Err(error) => return setup_failed(&error),
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
        Err(error) => return setup_failed(&error),
    };

    let handshake = with_deadline(clock, limits.step(clock), session.handshake(stream)).await;
    let chain = verifier.chain.lock().map(|c| c.clone()).unwrap_or_default();
    let end = match handshake {
        Some(Ok(())) => HandshakeEnd::Completed,
        Some(Err(error)) => handshake_end(error),
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

/// Why a TLS session stopped: the stream ended, TLS itself failed, or the server ended the
/// session. The report says it as a [`SessionFailure`].
#[derive(Debug)]
pub(crate) enum SessionError {
    Stream(StreamEnd),
    Tls(rustls::Error),
    SessionClosed,
    Credssp(CredsspError),
}

impl From<std::io::Error> for SessionError {
    fn from(error: std::io::Error) -> Self {
        SessionError::Stream(StreamEnd::from_io(&error))
    }
}

impl From<rustls::Error> for SessionError {
    fn from(error: rustls::Error) -> Self {
        SessionError::Tls(error)
    }
}

impl From<CredsspError> for SessionError {
    fn from(error: CredsspError) -> Self {
        SessionError::Credssp(error)
    }
}

impl SessionError {
    /// In the report's terms; rustls's words are kept except where a server's oversized
    /// handshake makes them cryptic.
    pub(crate) fn failure(self) -> SessionFailure {
        match self {
            SessionError::Stream(StreamEnd::Closed) => SessionFailure::Closed,
            SessionError::Stream(StreamEnd::Reset) => SessionFailure::Reset,
            SessionError::Stream(StreamEnd::TimedOut) => SessionFailure::TimedOut,
            SessionError::Stream(StreamEnd::LimitReached) => SessionFailure::LimitReached,
            SessionError::Stream(StreamEnd::Failed(detail)) => SessionFailure::Io { detail },
            SessionError::Tls(rustls::Error::InvalidMessage(
                rustls::InvalidMessage::HandshakePayloadTooLarge,
            )) => SessionFailure::HandshakeMessageTooLarge,
            SessionError::Tls(error) => SessionFailure::Tls {
                detail: error.to_string(),
            },
            SessionError::SessionClosed => SessionFailure::SessionClosed,
            SessionError::Credssp(error) => SessionFailure::InvalidCredssp {
                detail: error.to_string(),
            },
        }
    }
}

/// How a handshake that did not complete ended, in the report's terms.
fn handshake_end(error: SessionError) -> HandshakeEnd {
    match error {
        SessionError::Stream(StreamEnd::Closed) => HandshakeEnd::Closed,
        SessionError::Stream(StreamEnd::Reset) => HandshakeEnd::Reset,
        SessionError::Tls(rustls::Error::AlertReceived(alert)) => {
            let description = u8::from(alert);
            HandshakeEnd::Alert {
                description,
                name: TlsAlertDescription(description).to_string(),
            }
        }
        SessionError::Tls(rustls::Error::PeerIncompatible(
            PeerIncompatible::ServerDoesNotSupportTls12Or13,
        )) => HandshakeEnd::BelowProbeTls,
        error => HandshakeEnd::Failed {
            error: error.failure(),
        },
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
            self.connection.read_tls(&mut input)?;
            if let Err(error) = self.connection.process_new_packets() {
                // Tell the server why (rustls queued an alert); the error is what gets reported.
                let _ = self.flush(stream).await;
                return Err(SessionError::Tls(error));
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
    pub(crate) async fn request<S: AsyncRead + AsyncWrite + Unpin>(
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
                    Ok(0) => return Err(SessionError::SessionClosed),
                    Ok(n) => plaintext.extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e.into()),
                }
            }
            if let Some(len) = ts_request_len(&plaintext)?
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
