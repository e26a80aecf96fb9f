//! Purpose-built RDP servers for the probe's failure modes. Each listens on 127.0.0.1 with a
//! port of its own, serves every connection the same way, and stops when dropped.

mod certs;
mod fake;
mod openssl;
mod replay;

pub use certs::{CertKind, TempDir, TestCert, long_chain};
pub use fake::{
    AfterConfirm, ChallengeFixture, FakeRdpServer, FlightCut, Negotiation, OnRequest,
    tls_server_config,
};
pub use openssl::OpensslServer;
pub use replay::{ReplayServer, WindowsCapture};

/// Polls until something accepts TCP connections on loopback `port`, for servers started as
/// processes.
pub async fn wait_for_port(port: u16, timeout: std::time::Duration) -> bool {
    wait_for_listener((std::net::Ipv4Addr::LOCALHOST, port).into(), timeout).await
}

/// Polls until something accepts TCP connections at `address`.
pub async fn wait_for_listener(
    address: std::net::SocketAddr,
    timeout: std::time::Duration,
) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    while tokio::time::Instant::now() < deadline {
        if tokio::net::TcpStream::connect(address).await.is_ok() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

/// A port that was free a moment ago, for servers that cannot report the port they bound.
pub fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
