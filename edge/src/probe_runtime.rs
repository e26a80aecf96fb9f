//! The Worker's side of the probe engine: TCP through the runtime's `connect()`, time through
//! `Date` and `setTimeout`, and the report as JSON or as an NDJSON stream.
//!
//! Local workerd has no connect or wall-clock timeout of its own (a black-holed SYN waited
//! ~135 s), so every await that touches the network is raced against a [`Delay`].

use std::future::Future;
use std::net::Ipv6Addr;
use std::pin::pin;
use std::time::Duration;

use futures::StreamExt;
use futures::channel::mpsc;
use futures::future::{Either, select};
use rdp_doctor_core::api::{
    ApiError, NDJSON_CONTENT_TYPE, ProbeConfig, StreamEvent, Target as CheckedTarget,
};
use rdp_doctor_core::probe::{
    self, Clock, ConnectError, Connector, ProbeOptions, ProbeReport, StageReport,
};
use serde::Serialize;
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
    config: &ProbeConfig,
) -> Result<ProbeReport, ApiError> {
    run_probe(target, config, |_| {}).await
}

/// A streamed response: one `stage` line as each stage is decided, then one `report` (or
/// `error`) line. The probe runs as a task of its own rather than inside the body's reads:
/// `worker::Delay` keeps the waker of its first poll, and every read of a response stream
/// polls with a new one, so a timer armed during one read would wake a read already done and
/// the probe would stall. If the client goes away, the probe still ends at its deadline.
pub fn probe_ndjson_response(
    target: CheckedTarget,
    config: &ProbeConfig,
) -> worker::Result<Response> {
    let config = config.clone();
    let (lines, received) = mpsc::unbounded::<Vec<u8>>();
    spawn_local(async move {
        let send_stage = |stage: &StageReport| {
            let _ = lines.unbounded_send(ndjson_line(&Event::Stage(stage)));
        };
        let last = match run_probe(target, &config, send_stage).await {
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
    config: &ProbeConfig,
    on_stage: impl FnMut(&StageReport),
) -> Result<ProbeReport, ApiError> {
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).map_err(|error| {
        console_error!("probe seed: {error}");
        ApiError::internal()
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
        connect_timeout_ms: opts.connect_timeout_ms,
    };
    let run = probe::run(&target, &opts, &connector, &clock, on_stage);
    within(opts.total_timeout_ms + SAFETY_MARGIN_MS, run)
        .await
        .ok_or_else(|| ApiError::probe_timed_out(config.timeout_ms))
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

/// TCP through the runtime. Only policy-checked, normalized hosts reach it.
struct WorkerConnector {
    connect_timeout_ms: u64,
}

impl Connector for WorkerConnector {
    type Stream = Socket;

    async fn connect(&self, host: &str, port: u16) -> Result<Socket, ConnectError> {
        let mut socket = Socket::builder()
            .secure_transport(SecureTransport::Off)
            .connect(workerd_hostname(host), port)
            .map_err(|error| connect_error(&error))?;
        match within(self.connect_timeout_ms, socket.opened()).await {
            Some(Ok(_)) => Ok(socket),
            Some(Err(error)) => Err(connect_error(&error)),
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
fn workerd_hostname(host: &str) -> String {
    if host.parse::<Ipv6Addr>().is_ok() {
        format!("[{host}]")
    } else {
        host.to_owned()
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
