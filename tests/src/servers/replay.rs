//! A server that plays back what a real Windows RDP server sent in a public capture
//! (`tests/fixtures/windows-servers/`, sources in its README): its Connection Confirm, and where
//! it selected TLS, its first and second TLS flights.
//!
//! It answers only what was captured. A ClientHello that allows the captured version and cipher
//! suite gets the captured flight; any other gets a fatal `handshake_failure` alert, as from a
//! server that speaks only what the capture shows.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use tls_parser::{
    TlsExtension, TlsMessage, TlsMessageHandshake, parse_tls_extensions, parse_tls_plaintext,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The bytes one Windows server sent.
pub struct WindowsCapture {
    pub name: String,
    pub confirm: Vec<u8>,
    /// ServerHello … ServerHelloDone, when the server selected TLS.
    pub server_flight: Option<Vec<u8>>,
    /// ChangeCipherSpec and the encrypted Finished.
    pub server_finished: Option<Vec<u8>>,
}

impl WindowsCapture {
    /// Reads `tests/fixtures/windows-servers/<name>/`.
    pub fn load(name: &str) -> std::io::Result<WindowsCapture> {
        let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/windows-servers")
            .join(name);
        let optional = |file: &str| std::fs::read(folder.join(file)).ok();
        Ok(WindowsCapture {
            name: name.to_owned(),
            confirm: std::fs::read(folder.join("confirm.bin"))?,
            server_flight: optional("server_flight.bin"),
            server_finished: optional("server_finished.bin"),
        })
    }

    /// The version and cipher suite of the captured ServerHello.
    pub fn server_hello(&self) -> Option<(u16, u16)> {
        let (_, record) = parse_tls_plaintext(self.server_flight.as_deref()?).ok()?;
        record.msg.iter().find_map(|message| match message {
            TlsMessage::Handshake(TlsMessageHandshake::ServerHello(hello)) => {
                Some((hello.version.0, hello.cipher.0))
            }
            _ => None,
        })
    }
}

pub struct ReplayServer {
    pub port: u16,
    accept_loop: JoinHandle<()>,
}

impl ReplayServer {
    pub async fn start(capture: WindowsCapture) -> std::io::Result<ReplayServer> {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
        let port = listener.local_addr()?.port();
        let capture = Arc::new(capture);
        let accept_loop = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, capture.clone()));
            }
        });
        Ok(ReplayServer { port, accept_loop })
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

async fn serve(mut stream: TcpStream, capture: Arc<WindowsCapture>) {
    let _ = stream.set_nodelay(true);
    if read_tpkt_or_record(&mut stream).await.is_none()
        || stream.write_all(&capture.confirm).await.is_err()
    {
        return;
    }
    if let (Some(flight), Some((version, suite))) = (&capture.server_flight, capture.server_hello())
    {
        let Some(hello) = read_tpkt_or_record(&mut stream).await else {
            return;
        };
        if !allows(&hello, version, suite) {
            // A fatal handshake_failure alert in a record of the captured version.
            let [major, minor] = version.to_be_bytes();
            let _ = stream.write_all(&[21, major, minor, 0, 2, 2, 40]).await;
        } else if stream.write_all(flight).await.is_ok()
            && let Some(finished) = &capture.server_finished
            && read_tpkt_or_record(&mut stream).await.is_some()
        {
            let _ = stream.write_all(finished).await;
        }
    }
    let mut sink = [0u8; 4096];
    while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
}

/// One TPKT or TLS record: both carry their length in bytes 3–4 (the TPKT's includes its header).
async fn read_tpkt_or_record(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut header = [0u8; 5];
    stream.read_exact(&mut header[..4]).await.ok()?;
    let total = if header[0] == 3 {
        usize::from(u16::from_be_bytes([header[2], header[3]])).max(4)
    } else {
        stream.read_exact(&mut header[4..]).await.ok()?;
        5 + usize::from(u16::from_be_bytes([header[3], header[4]]))
    };
    let read = if header[0] == 3 { 4 } else { 5 };
    let mut bytes = header[..read].to_vec();
    bytes.resize(total, 0);
    stream.read_exact(&mut bytes[read..]).await.ok()?;
    Some(bytes)
}

/// Whether a ClientHello allows `version` (at or below the highest it offers, counting
/// supported_versions) with `suite`.
fn allows(client_hello: &[u8], version: u16, suite: u16) -> bool {
    let Ok((_, record)) = parse_tls_plaintext(client_hello) else {
        return false;
    };
    record.msg.iter().any(|message| {
        let TlsMessage::Handshake(TlsMessageHandshake::ClientHello(hello)) = message else {
            return false;
        };
        let listed = hello
            .ext
            .and_then(|ext| parse_tls_extensions(ext).ok())
            .map(|(_, extensions)| {
                extensions
                    .iter()
                    .filter_map(|e| match e {
                        TlsExtension::SupportedVersions(versions) => {
                            versions.iter().map(|v| v.0).max()
                        }
                        _ => None,
                    })
                    .max()
            })
            .unwrap_or_default();
        let highest = listed.unwrap_or_default().max(hello.version.0);
        version <= highest && hello.ciphers.iter().any(|c| c.0 == suite)
    })
}
