//! The Worker's side of the probe engine: TCP through the runtime's `connect()` to the address
//! the target policy checked, time through `Date` and `setTimeout`, and the report as JSON or as
//! an NDJSON stream.
//!
//! Local workerd has no connect or wall-clock timeout of its own (a black-holed SYN waited
//! ~135 s), so every await that touches the network is raced against a [`Delay`]. Dropping a
//! runtime `Socket` does not close its connection, so every socket the engine is done with is
//! closed explicitly ([`ClosingSocket`]).

use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::{Pin, pin};
use std::task::{Context, Poll};
use std::time::Duration;

use futures::channel::mpsc;
use futures::future::{Either, select};
use futures::{FutureExt, StreamExt};
use rdp_doctor_core::api::{
    ApiError, CheckedTarget, Destination, NDJSON_CONTENT_TYPE, ProbeConfig, StreamEvent,
};
use rdp_doctor_core::probe::{
    self, Clock, ConnectError, Connector, ProbeOptions, ProbeReport, StageReport,
};
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use worker::wasm_bindgen_futures::spawn_local;
use worker::{Date, Delay, Response, SecureTransport, Socket, console_error};

/// Runs `future` until it finishes or `ms` pass; `None` on timeout (the future is dropped).
pub async fn within<F: Future>(ms: u64, future: F) -> Option<F::Output> {
    match select(pin!(future), pin!(delay(ms))).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(((), _)) => None,
    }
}

fn delay(ms: u64) -> Delay {
    // setTimeout takes an i32; longer waits than ~24 days are not waits this Worker makes.
    Delay::from(Duration::from_millis(ms.min(i32::MAX as u64)))
}

/// Past the engine's own total deadline, the Worker stops waiting regardless.
const SAFETY_MARGIN_MS: u64 = 2_000;

/// Runs the probe to its report, or the reason it could not finish.
pub async fn probe_report(
    target: CheckedTarget,
    destination: Destination,
    config: &ProbeConfig,
) -> Result<ProbeReport, ApiError> {
    run_probe(target, destination, config, |_| {}).await
}

/// A streamed response: one `stage` line as each stage is decided, then one `report` (or
/// `error`) line. The probe runs as a task of its own rather than inside the body's reads:
/// `worker::Delay` keeps the waker of its first poll, and every read of a response stream
/// polls with a new one, so a timer armed during one read would wake a read already done and
/// the probe would stall. If the client goes away, the probe still ends at its deadline.
pub fn probe_ndjson_response(
    target: CheckedTarget,
    destination: Destination,
    config: &ProbeConfig,
) -> worker::Result<Response> {
    let config = config.clone();
    let (lines, received) = mpsc::unbounded::<Vec<u8>>();
    spawn_local(async move {
        let send_stage = |stage: &StageReport| {
            let _ = lines.unbounded_send(ndjson_line(&Event::Stage(stage)));
        };
        let last = match run_probe(target, destination, &config, send_stage).await {
            Ok(report) => ndjson_line(&Event::Report(&report)),
            Err(error) => ndjson_line(&Event::Error {
                error: error.body().error,
            }),
        };
        // A send fails only when the client has gone; there is no one left to tell.
        let _ = lines.unbounded_send(last);
    });
    // Ends when the task is done and has dropped `lines`.
    let body = received.map(Ok::<_, worker::Error>);
    let response = Response::from_stream(body)?;
    response
        .headers()
        .set("Content-Type", NDJSON_CONTENT_TYPE)?;
    Ok(response)
}

async fn run_probe(
    target: CheckedTarget,
    destination: Destination,
    config: &ProbeConfig,
    on_stage: impl FnMut(&StageReport),
) -> Result<ProbeReport, ApiError> {
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).map_err(|error| {
        console_error!("probe seed: {error}");
        ApiError::Internal
    })?;
    let opts = ProbeOptions {
        total_timeout_ms: config.timeout_ms,
        seed,
        ..ProbeOptions::default()
    };
    let target = probe::Target {
        host: target.host,
        port: target.port,
    };
    let clock = WorkerClock::start();
    let connector = WorkerConnector {
        destination,
        connect_timeout_ms: opts.connect_timeout_ms,
    };
    let run = probe::run(&target, &opts, &connector, &clock, on_stage);
    within(opts.total_timeout_ms + SAFETY_MARGIN_MS, run)
        .await
        .ok_or(ApiError::ProbeTimedOut {
            timeout_ms: config.timeout_ms,
        })
}

type Event<'a> = StreamEvent<&'a StageReport, &'a ProbeReport>;

fn ndjson_line(event: &impl Serialize) -> Vec<u8> {
    match serde_json::to_vec(event) {
        Ok(mut line) => {
            line.push(b'\n');
            line
        }
        Err(error) => {
            console_error!("probe stream: {error}");
            br#"{"type":"error","error":{"code":"internal_error","message":"the report could not be encoded"}}"#
                .iter()
                .copied()
                .chain([b'\n'])
                .collect()
        }
    }
}

/// TCP through the runtime, always to the address the target policy checked: the engine passes
/// the target's name (which its report shows), but a name is never handed to the runtime, whose
/// own lookup could answer differently.
struct WorkerConnector {
    destination: Destination,
    connect_timeout_ms: u64,
}

impl Connector for WorkerConnector {
    type Stream = ClosingSocket;

    async fn connect(&self, _name: &str, port: u16) -> Result<ClosingSocket, ConnectError> {
        let address = match self.destination {
            Destination::Address(address) => address,
            Destination::Unresolved => return Err(ConnectError::NameNotResolved),
        };
        let mut socket = Socket::builder()
            .secure_transport(SecureTransport::Off)
            .connect(workerd_hostname(address), port)
            .map_err(|error| connect_error(&error))?;
        match within(self.connect_timeout_ms, socket.opened()).await {
            Some(Ok(_)) => Ok(ClosingSocket(Some(socket))),
            // The service accepted and reset (or closed) before the runtime finished opening:
            // the port is open, and the engine reads that reset from the stream.
            Some(Err(error)) if is_connection_lost(&error.to_string()) => {
                close_now(socket);
                Ok(ClosingSocket(None))
            }
            Some(Err(error)) => {
                close_now(socket);
                Err(connect_error(&error))
            }
            None => {
                // Give the runtime a moment to tear the attempt down, but no more.
                let _ = within(1_000, socket.close()).await;
                Err(ConnectError::TimedOut)
            }
        }
    }
}

/// workerd joins `hostname:port` into one address string, so an IPv6 address needs its
/// brackets (`2001:db8::1:3389` would read as another address, without a port).
fn workerd_hostname(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// A runtime socket that is closed when the engine drops it, i.e. as soon as its stage is done.
/// Without this the connection stays open until the whole request ends: a silent target saw
/// 11–12 connections at once from one probe, and on Cloudflare a 7th open socket waits for
/// one of the first six to close. `None` is a connection the service dropped as it was opened.
pub struct ClosingSocket(Option<Socket>);

impl ClosingSocket {
    fn socket(&mut self) -> io::Result<Pin<&mut Socket>> {
        self.0.as_mut().map(Pin::new).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::ConnectionReset,
                "the connection was lost as it was opened",
            )
        })
    }
}

/// workerd's words for a connection the peer reset or dropped ("Network connection lost.").
fn is_connection_lost(message: &str) -> bool {
    message.contains("Network connection lost")
}

/// The runtime reports a reset as a plain error; the engine tells a reset apart by its kind.
fn reset_kind(error: io::Error) -> io::Error {
    if is_connection_lost(&error.to_string()) {
        io::Error::new(io::ErrorKind::ConnectionReset, error.to_string())
    } else {
        error
    }
}

impl Drop for ClosingSocket {
    fn drop(&mut self) {
        if let Some(socket) = self.0.take() {
            close_now(socket);
        }
    }
}

/// Closes `socket` now, not at the next turn of the event loop: the first poll of `close()` calls
/// the runtime's `close()`, which closes the connection whether or not anyone awaits the promise
/// (js-sys keeps its callbacks valid without the future). Closing a socket the peer already
/// closed or reset fails; it is closed either way.
fn close_now(mut socket: Socket) {
    let _ = socket.close().now_or_never();
}

impl AsyncRead for ClosingSocket {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.socket() {
            Ok(socket) => socket.poll_read(cx, buf).map_err(reset_kind),
            Err(error) => Poll::Ready(Err(error)),
        }
    }
}

impl AsyncWrite for ClosingSocket {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.socket() {
            Ok(socket) => socket.poll_write(cx, buf).map_err(reset_kind),
            Err(error) => Poll::Ready(Err(error)),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.socket() {
            Ok(socket) => socket.poll_flush(cx),
            Err(error) => Poll::Ready(Err(error)),
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.socket() {
            Ok(socket) => socket.poll_shutdown(cx),
            Err(error) => Poll::Ready(Err(error)),
        }
    }
}

/// workerd reports a refused port, and also an unreachable or unresolvable host, as
/// "proxy request failed, cannot connect to the specified address"; it does not tell them
/// apart, so the most common cause stands for all three.
fn connect_error(error: &worker::Error) -> ConnectError {
    let message = error.to_string();
    if message.contains("cannot connect to the specified address") {
        ConnectError::Refused
    } else {
        ConnectError::Other(message)
    }
}

/// `Date.now()` for both clocks: workerd advances it only across I/O (a Spectre
/// mitigation), which is exactly what the probe times: network waits.
struct WorkerClock {
    started_unix_ms: u64,
}

impl WorkerClock {
    fn start() -> Self {
        WorkerClock {
            started_unix_ms: Date::now().as_millis(),
        }
    }
}

impl Clock for WorkerClock {
    fn now_unix_ms(&self) -> u64 {
        Date::now().as_millis()
    }

    fn elapsed_ms(&self) -> u64 {
        self.now_unix_ms().saturating_sub(self.started_unix_ms)
    }

    async fn sleep(&self, ms: u64) {
        delay(ms).await
    }
}
