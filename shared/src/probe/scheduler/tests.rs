//! The schedule and the deadlines, over in-memory streams and tokio's paused clock.

use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream, ReadBuf};

use super::*;
use crate::evidence::EvidenceId;
use crate::probe::driver::ConnectError;

/// tokio's clock, which `start_paused` advances only when every task waits.
struct PausedClock(tokio::time::Instant);

impl PausedClock {
    fn new() -> Self {
        PausedClock(tokio::time::Instant::now())
    }
}

impl Clock for PausedClock {
    fn now_unix_ms(&self) -> u64 {
        1_700_000_000_000
    }
    fn elapsed_ms(&self) -> u64 {
        self.0.elapsed().as_millis() as u64
    }
    async fn sleep(&self, ms: u64) {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
}

/// How the in-memory server treats the bytes after its Connection Confirm.
#[derive(Clone, Copy)]
enum AfterConfirm {
    Alert,
    Silent,
    /// A TLS record header, then one byte a second, forever.
    SlowDrip,
    /// TLS records as fast as the stream takes them, forever, announcing a ServerHello that
    /// never ends.
    EndlessStream,
}

/// Counts open connections; each stream decrements on drop.
struct Tracked {
    inner: DuplexStream,
    open: Rc<Cell<usize>>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.open.set(self.open.get() - 1);
    }
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

struct MemoryConnector {
    after: AfterConfirm,
    open: Rc<Cell<usize>>,
    peak: Cell<usize>,
    total: Cell<u32>,
    /// When each connection was opened.
    starts: std::cell::RefCell<Vec<tokio::time::Instant>>,
}

impl MemoryConnector {
    fn new(after: AfterConfirm) -> Self {
        MemoryConnector {
            after,
            open: Rc::default(),
            peak: Cell::new(0),
            total: Cell::new(0),
            starts: std::cell::RefCell::default(),
        }
    }
}

impl Connector for MemoryConnector {
    type Stream = Tracked;

    async fn connect(&self, _host: &str, _port: u16) -> Result<Tracked, ConnectError> {
        self.starts.borrow_mut().push(tokio::time::Instant::now());
        let (client, mut server) = tokio::io::duplex(64 * 1024);
        let after = self.after;
        tokio::spawn(async move {
            let mut request = [0u8; 512];
            if server.read(&mut request).await.unwrap_or(0) == 0 {
                return;
            }
            let selects_tls = [3, 0, 0, 19, 14, 0xd0, 0, 0, 0, 0, 0, 2, 0, 8, 0, 1, 0, 0, 0];
            let _ = server.write_all(&selects_tls).await;
            let mut hello = vec![0u8; 4096];
            if server.read(&mut hello).await.unwrap_or(0) == 0 {
                return;
            }
            match after {
                AfterConfirm::Alert => {
                    let _ = server.write_all(&[21, 3, 3, 0, 2, 2, 40]).await;
                }
                AfterConfirm::Silent => {}
                AfterConfirm::SlowDrip => {
                    let drip = [22, 3, 3, 0x40, 0].into_iter().chain(std::iter::repeat(0));
                    for byte in drip {
                        if server.write_all(&[byte]).await.is_err() {
                            return;
                        }
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
                AfterConfirm::EndlessStream => {
                    let mut record = vec![22, 3, 3, 0x40, 0];
                    record.resize(5 + 0x4000, 0);
                    let mut first = record.clone();
                    first[5..9].copy_from_slice(&[2, 3, 0xff, 0xff]); // a 256 KiB ServerHello
                    let _ = server.write_all(&first).await;
                    while server.write_all(&record).await.is_ok() {}
                    return;
                }
            }
            let _ = server.read(&mut hello).await; // hold the connection until the client drops it
        });
        self.open.set(self.open.get() + 1);
        self.peak.set(self.peak.get().max(self.open.get()));
        self.total.set(self.total.get() + 1);
        Ok(Tracked {
            inner: client,
            open: self.open.clone(),
        })
    }
}

/// Never connects: a port behind a firewall that drops SYNs.
struct BlackHole;

impl Connector for BlackHole {
    type Stream = DuplexStream;

    async fn connect(&self, _host: &str, _port: u16) -> Result<DuplexStream, ConnectError> {
        futures::future::pending().await
    }
}

/// Answers every connect with the same error.
struct Failing(ConnectError);

impl Connector for Failing {
    type Stream = DuplexStream;

    async fn connect(&self, _host: &str, _port: u16) -> Result<DuplexStream, ConnectError> {
        Err(self.0.clone())
    }
}

fn target() -> Target {
    Target {
        host: "rdp.test".into(),
        port: 3389,
    }
}

#[tokio::test(start_paused = true)]
async fn at_most_max_parallel_connections() {
    let connector = MemoryConnector::new(AfterConfirm::Alert);
    let mut streamed = 0;
    // Unspaced starts: in-memory connections end before the next spaced start would come.
    let options = ProbeOptions {
        connect_spacing_ms: 0,
        ..ProbeOptions::default()
    };
    let report = run(&target(), &options, &connector, &PausedClock::new(), |_| {
        streamed += 1
    })
    .await;
    assert_eq!(streamed, StageKind::ALL.len());
    assert_eq!(
        connector.peak.get(),
        6,
        "runs in parallel, never above the limit"
    );
    assert_eq!(report.connections_opened, connector.total.get());
    // 1 primary + 4 versions + 6 protocols; every client verdict follows from the versions.
    assert_eq!(connector.total.get(), 11);
    assert_eq!(
        connector.open.get(),
        0,
        "every connection is closed at the end"
    );
    assert_eq!(
        report.stage(StageKind::Tls).map(|s| s.status),
        Some(StageStatus::Failed)
    );
}

#[tokio::test(start_paused = true)]
async fn a_slow_drip_or_an_endless_stream_ends_within_the_deadline() {
    let options = ProbeOptions {
        total_timeout_ms: 8_000,
        ..ProbeOptions::default()
    };
    for (after, cut_by) in [
        (AfterConfirm::SlowDrip, "(timed out)"),
        (AfterConfirm::EndlessStream, "(size limit reached)"),
    ] {
        let connector = MemoryConnector::new(after);
        let report = run(&target(), &options, &connector, &PausedClock::new(), |_| {}).await;
        assert!(
            report.duration_ms <= options.total_timeout_ms,
            "took {} ms",
            report.duration_ms
        );
        let tls = report.stage(StageKind::Tls).expect("tls stage");
        let StageDetails::Tls(details) = &tls.details else {
            panic!("no TLS details: {}", tls.verdict);
        };
        for version in &details.versions {
            assert!(
                matches!(&version.outcome, HelloOutcome::Malformed { reason } if reason.ends_with(cut_by)),
                "{:?}",
                version.outcome
            );
        }
        assert_eq!(tls.status, StageStatus::Failed);
        assert_eq!(connector.open.get(), 0, "every connection is closed");
    }
}

#[tokio::test(start_paused = true)]
async fn filtered_port_times_out_at_the_connect_deadline() {
    let report = run(
        &target(),
        &ProbeOptions::default(),
        &BlackHole,
        &PausedClock::new(),
        |_| {},
    )
    .await;
    let tcp = report.stage(StageKind::Tcp).expect("tcp stage");
    assert_eq!(
        tcp.details,
        StageDetails::Tcp {
            outcome: TcpOutcome::TimedOut,
            connect_ms: None
        }
    );
    assert_eq!(report.duration_ms, 5_000);
    assert!(
        report.stages[1..]
            .iter()
            .all(|s| s.status == StageStatus::Skipped)
    );
}

#[tokio::test(start_paused = true)]
async fn unresolved_name_is_named() {
    let connector = Failing(ConnectError::NameNotResolved);
    let report = run(
        &target(),
        &ProbeOptions::default(),
        &connector,
        &PausedClock::new(),
        |_| {},
    )
    .await;
    let evidence: Vec<EvidenceId> = report.evidence().iter().map(|e| e.id).collect();
    assert_eq!(evidence, [EvidenceId::ProbeDnsFailed]);
    assert_eq!(report.stages[0].verdict, "The host name does not resolve.");
}

#[tokio::test(start_paused = true)]
async fn silent_servers_cannot_outlast_the_whole_probe_deadline() {
    let connector = MemoryConnector::new(AfterConfirm::Silent);
    let options = ProbeOptions {
        total_timeout_ms: 3_000,
        ..ProbeOptions::default()
    };
    let report = run(&target(), &options, &connector, &PausedClock::new(), |_| {}).await;
    assert!(
        report.duration_ms <= 3_000,
        "took {} ms",
        report.duration_ms
    );
    let tls = report.stage(StageKind::Tls).expect("tls stage");
    assert_eq!(tls.status, StageStatus::Failed);
    assert!(tls.verdict.contains("no answer"), "{}", tls.verdict);
}

#[tokio::test(start_paused = true)]
async fn connection_starts_are_spaced_so_a_small_backlog_never_overflows() {
    let connector = MemoryConnector::new(AfterConfirm::Alert);
    let options = ProbeOptions::default();
    run(&target(), &options, &connector, &PausedClock::new(), |_| {}).await;
    let starts = connector.starts.borrow();
    assert_eq!(starts.len(), 11);
    for pair in starts.windows(2) {
        let gap = pair[1].duration_since(pair[0]).as_millis();
        assert!(
            gap >= u128::from(options.connect_spacing_ms),
            "connections {gap} ms apart"
        );
    }
}
