//! A scriptable fake RDP server: how it treats the Connection Request, and what it does once
//! it has confirmed a protocol.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ironrdp_pdu::ironrdp_core::{decode, encode_vec};
use ironrdp_pdu::nego::{
    ConnectionConfirm, ConnectionRequest, FailureCode, ResponseFlags, SecurityProtocol,
};
use ironrdp_pdu::x224::X224;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use super::TestCert;

/// What the server does with a connection.
#[derive(Clone)]
pub enum OnRequest {
    /// RST as soon as the connection is accepted.
    ResetOnAccept,
    /// FIN as soon as the connection is accepted, before any request arrives.
    CloseOnAccept,
    /// Reads the Connection Request, then resets (RST).
    ResetAfterRequest,
    /// Reads the Connection Request, then closes (FIN).
    CloseAfterRequest,
    /// Reads the Connection Request, then shuts down its sending half (FIN) but keeps reading:
    /// a half-open connection.
    HalfCloseAfterRequest,
    /// Reads the Connection Request and never answers.
    SilentAfterRequest,
    /// Sends these bytes on accept (another service's banner), then waits.
    Banner(Vec<u8>),
    /// Answers the negotiation.
    Negotiate(Negotiation),
}

/// How the server negotiates: the first accepted protocol the client asked for wins
/// (`SecurityProtocol` bits; 0 is standard RDP security, which every client implies).
#[derive(Clone)]
pub struct Negotiation {
    pub accepts: Vec<u32>,
    /// RDP_NEG_FAILURE code when the request contains none of them.
    pub refusal: u32,
    pub after: AfterConfirm,
}

/// What follows a Connection Confirm that selected a protocol.
#[derive(Clone)]
pub enum AfterConfirm {
    Close,
    Reset,
    Silent,
    /// Shuts down its sending half (FIN) and keeps reading.
    HalfClose,
    /// Reads the ClientHello, answers with these bytes, then waits.
    Reply(Vec<u8>),
    /// Reads the ClientHello, sends these bytes, then resets.
    ReplyThenReset(Vec<u8>),
    /// Reads the ClientHello, then sends a record header one byte a second, and zeros after it, forever.
    SlowDrip,
    /// Reads the ClientHello, then sends handshake records as fast as the socket takes them,
    /// forever, announcing a ServerHello too large to finish.
    Flood,
    /// Relays the rest of the connection to a TLS back end on this port.
    Proxy(u16),
    /// TLS, then answers the first TSRequest with an NTLM CHALLENGE.
    Nla(Arc<ChallengeFixture>),
    /// TLS, then resets once the first TSRequest arrives.
    ResetDuringCredssp(Arc<ChallengeFixture>),
    /// Answers the ClientHello as this TLS server would, but passes on only the first `records`
    /// TLS records of its reply, then `cut`s: a handshake cut part-way through the server's
    /// flight, on every connection.
    CutAfterRecords {
        tls: Arc<rustls::ServerConfig>,
        records: usize,
        cut: FlightCut,
    },
}

/// How a server's TLS flight is cut short.
#[derive(Clone, Copy, Debug)]
pub enum FlightCut {
    /// The connection is reset.
    Reset,
    /// Nothing more arrives and the connection stays open: what a client sees when a path
    /// with a too-large MTU loses the flight's full-size packets.
    Stall,
}

pub struct FakeRdpServer {
    pub port: u16,
    accept_loop: JoinHandle<()>,
}

impl FakeRdpServer {
    /// Listens on 127.0.0.1 on a free port.
    pub async fn start(behaviour: OnRequest) -> std::io::Result<FakeRdpServer> {
        FakeRdpServer::start_at(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), behaviour).await
    }

    pub async fn start_at(
        address: SocketAddr,
        behaviour: OnRequest,
    ) -> std::io::Result<FakeRdpServer> {
        let listener = TcpListener::bind(address).await?;
        let port = listener.local_addr()?.port();
        let accept_loop = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, behaviour.clone()));
            }
        });
        Ok(FakeRdpServer { port, accept_loop })
    }

    /// Listens, so the kernel completes TCP handshakes into its backlog, but never accepts a
    /// connection: the other half-open case, a hung service whose port still answers SYNs.
    pub async fn never_accepting() -> std::io::Result<FakeRdpServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let accept_loop = tokio::spawn(async move {
            let _listening = listener;
            std::future::pending::<()>().await
        });
        Ok(FakeRdpServer { port, accept_loop })
    }

    /// Selects TLS for any request that offers it, then behaves as `after`.
    pub async fn tls(after: AfterConfirm) -> std::io::Result<FakeRdpServer> {
        let accepts = vec![SecurityProtocol::SSL.bits()];
        FakeRdpServer::start(OnRequest::Negotiate(Negotiation {
            accepts,
            refusal: 1,
            after,
        }))
        .await
    }
}

impl Drop for FakeRdpServer {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

async fn serve(mut stream: TcpStream, behaviour: OnRequest) {
    let _ = stream.set_nodelay(true);
    match behaviour {
        OnRequest::ResetOnAccept => reset(stream),
        OnRequest::CloseOnAccept => drop(stream),
        OnRequest::Banner(bytes) => {
            let _ = stream.write_all(&bytes).await;
            wait_for_close(&mut stream).await;
        }
        OnRequest::ResetAfterRequest => {
            let _ = read_request(&mut stream).await;
            reset(stream);
        }
        OnRequest::CloseAfterRequest => {
            let _ = read_request(&mut stream).await;
        }
        OnRequest::HalfCloseAfterRequest => {
            let _ = read_request(&mut stream).await;
            half_close(&mut stream).await;
        }
        OnRequest::SilentAfterRequest => {
            let _ = read_request(&mut stream).await;
            wait_for_close(&mut stream).await;
        }
        OnRequest::Negotiate(negotiation) => {
            let Some(requested) = read_request(&mut stream).await else {
                return;
            };
            let selected = negotiation
                .accepts
                .iter()
                .copied()
                .find(|&p| p == 0 || requested & p != 0);
            let confirm = match selected {
                Some(bits) => ConnectionConfirm::Response {
                    flags: ResponseFlags::EXTENDED_CLIENT_DATA_SUPPORTED,
                    protocol: SecurityProtocol::from_bits_retain(bits),
                },
                None => ConnectionConfirm::Failure {
                    code: FailureCode::from(negotiation.refusal),
                },
            };
            let Ok(bytes) = encode_vec(&X224(confirm)) else {
                return;
            };
            if stream.write_all(&bytes).await.is_err() || selected.is_none() {
                return;
            }
            after_confirm(stream, negotiation.after).await;
        }
    }
}

async fn after_confirm(mut stream: TcpStream, after: AfterConfirm) {
    match after {
        AfterConfirm::Close => {}
        AfterConfirm::Reset => reset(stream),
        AfterConfirm::Silent => wait_for_close(&mut stream).await,
        AfterConfirm::HalfClose => half_close(&mut stream).await,
        AfterConfirm::Reply(bytes) => {
            let _ = read_some(&mut stream).await;
            let _ = stream.write_all(&bytes).await;
            wait_for_close(&mut stream).await;
        }
        AfterConfirm::ReplyThenReset(bytes) => {
            let _ = read_some(&mut stream).await;
            let _ = stream.write_all(&bytes).await;
            reset(stream);
        }
        AfterConfirm::SlowDrip => {
            let _ = read_some(&mut stream).await;
            let drip = [0x16, 3, 3, 0, 0x30]
                .into_iter()
                .chain(std::iter::repeat(0));
            for byte in drip {
                if stream.write_all(&[byte]).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        AfterConfirm::Flood => {
            let _ = read_some(&mut stream).await;
            let mut record = vec![0x16, 3, 3, 0x40, 0];
            record.resize(5 + 0x4000, 0);
            let mut first = record.clone();
            first[5..9].copy_from_slice(&[2, 0x03, 0xff, 0xff]); // a 256 KiB ServerHello
            let _ = stream.write_all(&first).await;
            while stream.write_all(&record).await.is_ok() {}
        }
        AfterConfirm::Proxy(port) => {
            if let Ok(mut backend) = TcpStream::connect(("127.0.0.1", port)).await {
                let _ = tokio::io::copy_bidirectional(&mut stream, &mut backend).await;
            }
        }
        AfterConfirm::Nla(fixture) => {
            let acceptor = tokio_rustls::TlsAcceptor::from(fixture.tls.clone());
            let Ok(mut tls) = acceptor.accept(stream).await else {
                return;
            };
            if read_some(&mut tls).await.is_some() {
                let _ = tls.write_all(&fixture.ts_request()).await;
                let _ = tls.flush().await;
            }
            wait_for_close(&mut tls).await;
        }
        AfterConfirm::ResetDuringCredssp(fixture) => {
            let acceptor = tokio_rustls::TlsAcceptor::from(fixture.tls.clone());
            let Ok(mut tls) = acceptor.accept(stream).await else {
                return;
            };
            let _ = read_some(&mut tls).await;
            reset(tls.into_inner().0);
        }
        AfterConfirm::CutAfterRecords { tls, records, cut } => {
            if let Some(flight) = first_flight(&mut stream, tls).await {
                let _ = stream.write_all(first_records(&flight, records)).await;
            }
            match cut {
                FlightCut::Reset => reset(stream),
                FlightCut::Stall => wait_for_close(&mut stream).await,
            }
        }
    }
}

/// What a rustls server answers to the ClientHello read from `stream` (an alert if it refuses).
async fn first_flight(stream: &mut TcpStream, tls: Arc<rustls::ServerConfig>) -> Option<Vec<u8>> {
    let mut server = rustls::ServerConnection::new(tls).ok()?;
    while !server.wants_write() {
        let bytes = read_some(stream).await?;
        server.read_tls(&mut &bytes[..]).ok()?;
        // A refused ClientHello leaves an alert to send, which is the reply then.
        let _ = server.process_new_packets();
    }
    let mut flight = Vec::new();
    while server.wants_write() {
        server.write_tls(&mut flight).ok()?;
    }
    Some(flight)
}

/// The first `count` TLS records of `flight` (5-byte headers with big-endian lengths).
fn first_records(flight: &[u8], count: usize) -> &[u8] {
    let mut end = 0;
    for _ in 0..count {
        let Some(header) = flight.get(end..end + 5) else {
            break;
        };
        end = (end + 5 + usize::from(u16::from_be_bytes([header[3], header[4]]))).min(flight.len());
    }
    &flight[..end]
}

/// A TLS server presenting `chain` (leaf first, for `key`) with these protocol versions.
pub fn tls_server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> Result<Arc<rustls::ServerConfig>, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    Ok(Arc::new(config))
}

fn reset(stream: TcpStream) {
    let _ = stream.set_zero_linger();
    drop(stream);
}

/// FIN on the sending half; the socket stays open and reads on until the client goes.
async fn half_close(stream: &mut TcpStream) {
    let _ = stream.shutdown().await;
    wait_for_close(stream).await;
}

/// Reads one TPKT and returns the protocols its RDP_NEG_REQ asks for.
async fn read_request(stream: &mut TcpStream) -> Option<u32> {
    let mut header = [0u8; 4];
    stream.read_exact(&mut header).await.ok()?;
    let len = usize::from(u16::from_be_bytes([header[2], header[3]]));
    let mut pdu = header.to_vec();
    pdu.resize(len.max(4), 0);
    stream.read_exact(&mut pdu[4..]).await.ok()?;
    let request = decode::<X224<ConnectionRequest>>(&pdu).ok()?.0;
    Some(request.protocol.bits())
}

async fn read_some<S: AsyncRead + Unpin>(stream: &mut S) -> Option<Vec<u8>> {
    let mut buffer = vec![0u8; 16 * 1024];
    match stream.read(&mut buffer).await {
        Ok(0) | Err(_) => None,
        Ok(n) => Some(buffer[..n].to_vec()),
    }
}

async fn wait_for_close<S: AsyncRead + AsyncWrite + Unpin>(stream: &mut S) {
    let mut sink = [0u8; 1024];
    while let Ok(n) = stream.read(&mut sink).await {
        if n == 0 {
            break;
        }
    }
}

/// What the fake NLA server says about itself in its NTLM CHALLENGE.
pub struct ChallengeFixture {
    pub tls: Arc<rustls::ServerConfig>,
    pub netbios_computer: String,
    pub netbios_domain: String,
    pub dns_computer: String,
    pub dns_domain: String,
    /// (major, minor, build)
    pub os_version: (u8, u8, u16),
    /// How far the server's clock is ahead of real time.
    pub clock_skew: Duration,
}

impl ChallengeFixture {
    pub fn new(
        cert: &TestCert,
        clock_skew: Duration,
    ) -> Result<ChallengeFixture, Box<dyn std::error::Error>> {
        let chain = vec![CertificateDer::from_pem_file(&cert.cert_pem)?];
        let key = PrivateKeyDer::from_pem_file(&cert.key_pem)?;
        ChallengeFixture::with_chain(chain, key, clock_skew)
    }

    /// The same server presenting `chain` (leaf first), whose leaf belongs to `key`.
    pub fn with_chain(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
        clock_skew: Duration,
    ) -> Result<ChallengeFixture, Box<dyn std::error::Error>> {
        Ok(ChallengeFixture {
            tls: tls_server_config(chain, key, rustls::DEFAULT_VERSIONS)?,
            netbios_computer: "RDSH01".into(),
            netbios_domain: "CONTOSO".into(),
            dns_computer: "rdsh01.contoso.test".into(),
            dns_domain: "contoso.test".into(),
            os_version: (10, 0, 20348),
            clock_skew,
        })
    }

    /// The server's TSRequest carrying the CHALLENGE (same shape as the client's first one).
    pub fn ts_request(&self) -> Vec<u8> {
        rdp_doctor_core::probe::credssp::ts_request(&self.challenge())
    }

    /// An NTLM CHALLENGE_MESSAGE (MS-NLMP 2.2.1.2) with target info AV pairs.
    pub fn challenge(&self) -> Vec<u8> {
        let utf16 = |s: &str| {
            s.encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<u8>>()
        };
        let target_name = utf16(&self.netbios_domain);
        let mut info = Vec::new();
        let mut pair = |id: u16, value: &[u8]| {
            info.extend_from_slice(&id.to_le_bytes());
            info.extend_from_slice(&(value.len() as u16).to_le_bytes());
            info.extend_from_slice(value);
        };
        pair(2, &utf16(&self.netbios_domain));
        pair(1, &utf16(&self.netbios_computer));
        pair(4, &utf16(&self.dns_domain));
        pair(3, &utf16(&self.dns_computer));
        pair(5, &utf16(&self.dns_domain));
        let server_time = SystemTime::now() + self.clock_skew;
        let unix_100ns = server_time
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() / 100) as u64;
        pair(7, &(unix_100ns + 116_444_736_000_000_000).to_le_bytes());
        pair(0, &[]);

        const HEADER_LEN: u32 = 56;
        let field = |len: usize, offset: u32| {
            let mut out = (len as u16).to_le_bytes().repeat(2);
            out.extend_from_slice(&offset.to_le_bytes());
            out
        };
        let mut message = b"NTLMSSP\0".to_vec();
        message.extend_from_slice(&2u32.to_le_bytes());
        message.extend(field(target_name.len(), HEADER_LEN));
        message.extend_from_slice(&0xe28a_8215u32.to_le_bytes()); // includes TARGET_INFO and VERSION
        message.extend_from_slice(&[0x11; 8]); // server challenge
        message.extend_from_slice(&[0; 8]);
        message.extend(field(info.len(), HEADER_LEN + target_name.len() as u32));
        let (major, minor, build) = self.os_version;
        message.extend_from_slice(&[major, minor]);
        message.extend_from_slice(&build.to_le_bytes());
        message.extend_from_slice(&[0, 0, 0, 15]);
        message.extend(target_name);
        message.extend(info);
        message
    }
}
