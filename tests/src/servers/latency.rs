//! Added latency without kernel support (this kernel has no netem): a loopback TCP relay that
//! holds every chunk for half the round-trip time in each direction, and a connector that
//! charges one round trip for the TCP handshake.

use std::time::Duration;

use rdp_doctor_core::probe::tokio_driver::TokioConnector;
use rdp_doctor_core::probe::{ConnectError, Connector};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// Relays 127.0.0.1:`port` to a back end with `rtt / 2` of delay each way.
pub struct LatencyRelay {
    pub port: u16,
    accept_loop: JoinHandle<()>,
}

impl LatencyRelay {
    pub async fn start(backend_port: u16, rtt: Duration) -> std::io::Result<LatencyRelay> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let accept_loop = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let Ok(backend) = TcpStream::connect(("127.0.0.1", backend_port)).await else {
                        return;
                    };
                    let _ = client.set_nodelay(true);
                    let _ = backend.set_nodelay(true);
                    let (client_read, client_write) = client.into_split();
                    let (backend_read, backend_write) = backend.into_split();
                    tokio::join!(
                        delayed_copy(client_read, backend_write, rtt / 2),
                        delayed_copy(backend_read, client_write, rtt / 2),
                    );
                });
            }
        });
        Ok(LatencyRelay { port, accept_loop })
    }
}

impl Drop for LatencyRelay {
    fn drop(&mut self) {
        self.accept_loop.abort();
    }
}

/// Copies `from` to `to`, each chunk (and the end of stream) delivered `delay` after it arrived.
async fn delayed_copy<R, W>(mut from: R, mut to: W, delay: Duration)
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (sender, mut receiver) = mpsc::unbounded_channel::<(Instant, Option<Vec<u8>>)>();
    let reader = tokio::spawn(async move {
        let mut buffer = vec![0u8; 16 * 1024];
        loop {
            let chunk = match from.read(&mut buffer).await {
                Ok(0) | Err(_) => None,
                Ok(n) => Some(buffer[..n].to_vec()),
            };
            let end = chunk.is_none();
            if sender.send((Instant::now() + delay, chunk)).is_err() || end {
                break;
            }
        }
    });
    while let Some((due, chunk)) = receiver.recv().await {
        tokio::time::sleep_until(due).await;
        match chunk {
            Some(bytes) if to.write_all(&bytes).await.is_ok() => {}
            _ => break,
        }
    }
    let _ = to.shutdown().await;
    reader.abort();
}

/// [`TokioConnector`] plus one round trip per connection, as a TCP handshake costs on a real path.
pub struct SlowConnector {
    pub rtt: Duration,
}

impl Connector for SlowConnector {
    type Stream = TcpStream;

    async fn connect(&self, host: &str, port: u16) -> Result<TcpStream, ConnectError> {
        tokio::time::sleep(self.rtt).await;
        TokioConnector.connect(host, port).await
    }
}
