//! The native driver: tokio TCP and timers, for the CLI and the test suites.

use std::io::ErrorKind;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use tokio::net::TcpStream;

use super::driver::{Clock, ConnectError, Connector};

/// Resolves with the system resolver and connects to the first address that answers, with
/// TCP_NODELAY (Nagle's delay doubles the NLA exchange time on a 50 ms path).
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioConnector;

impl Connector for TokioConnector {
    type Stream = TcpStream;

    async fn connect(&self, host: &str, port: u16) -> Result<TcpStream, ConnectError> {
        let addresses: Vec<_> = match tokio::net::lookup_host((host, port)).await {
            Ok(addresses) => addresses.collect(),
            Err(_) => return Err(ConnectError::NameNotResolved),
        };
        let mut last = ConnectError::NameNotResolved;
        for address in addresses {
            match TcpStream::connect(address).await {
                Ok(stream) => {
                    stream
                        .set_nodelay(true)
                        .map_err(|e| ConnectError::Other(e.to_string()))?;
                    return Ok(stream);
                }
                Err(error) => {
                    last = match error.kind() {
                        ErrorKind::ConnectionRefused => ConnectError::Refused,
                        ErrorKind::TimedOut => ConnectError::TimedOut,
                        _ => ConnectError::Other(error.to_string()),
                    }
                }
            }
        }
        Err(last)
    }
}

/// The system clock and tokio's timer.
#[derive(Clone, Copy, Debug)]
pub struct TokioClock {
    origin: Instant,
}

impl Default for TokioClock {
    fn default() -> Self {
        TokioClock {
            origin: Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now_unix_ms(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64)
    }

    fn elapsed_ms(&self) -> u64 {
        self.origin.elapsed().as_millis() as u64
    }

    async fn sleep(&self, ms: u64) {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
}
