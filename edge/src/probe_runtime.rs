//! The Worker's side of the probe engine: TCP through the runtime's `connect()` to the address
//! the target policy checked, time through `Date` and `setTimeout`, and the report as JSON or as
//! an NDJSON stream.
//!
//! Local workerd has no connect or wall-clock timeout of its own (a black-holed SYN waited
//! ~135 s), so every await that touches the network is raced against a [`Delay`]. The sockets
//! themselves are [`RuntimeSocket`]s.

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use futures::StreamExt;
use futures::channel::mpsc;
use futures::future::{Either, select};
use rdp_doctor_core::api::{
    ApiError, CheckedTarget, Destination, NDJSON_CONTENT_TYPE, ProbeConfig, StreamEvent,
};
use rdp_doctor_core::probe::{
    self, Clock, ConnectError, Connector, ProbeOptions, ProbeReport, StageReport,
};
use serde::Serialize;
use worker::wasm_bindgen_futures::spawn_local;
use worker::{Date, Delay, Response, console_error};

use crate::runtime_socket::{Opened, RuntimeSocket};

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
    type Stream = RuntimeSocket;

    async fn connect(&self, _name: &str, port: u16) -> Result<RuntimeSocket, ConnectError> {
        let address = match self.destination {
            Destination::Address(address) => address,
            Destination::Unresolved => return Err(ConnectError::NameNotResolved),
        };
        let connecting = RuntimeSocket::connect(address, port).map_err(|e| connect_error(&e))?;
        // On a timeout the attempt is dropped, which closes it.
        match within(self.connect_timeout_ms, connecting).await {
            Some(Opened::Open(socket) | Opened::LostOnOpen(socket)) => Ok(socket),
            Some(Opened::Failed(error)) => Err(connect_error(&error)),
            None => Err(ConnectError::TimedOut),
        }
    }
}

/// workerd reports a refused port, and also an unreachable or unresolvable host, as
/// "proxy request failed, cannot connect to the specified address"; it does not tell them
/// apart, so the most common cause stands for all three.
fn connect_error(message: &str) -> ConnectError {
    if message.contains("cannot connect to the specified address") {
        ConnectError::Refused
    } else {
        ConnectError::Other(message.to_owned())
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
