//! The page's only requests: the probe (streamed, one JSON object per line) and the site
//! configuration, both on the page's own origin. Pasted evidence never goes through here.
//!
//! Requests go through `gloo_net::http`. gloo-net has no reader for a streamed body, so the
//! probe's NDJSON lines are read from `response.body()` with web-sys's stream reader.

use gloo_net::http::{Request, Response};
use js_sys::{Reflect, Uint8Array};
use rdp_doctor_core::api::{ErrorBody, ProbeRequest, SiteConfig, StreamEvent};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::ReadableStreamDefaultReader;
use yew::Callback;

use rdp_doctor_core::report::{ProbeReport, StageReport};
use serde::{Deserialize, Serialize};

/// A streamed line longer than this is not one the probe service writes.
const MAX_LINE_BYTES: usize = 1 << 20;

/// One line of the streamed probe response.
type ProbeLine = StreamEvent<StageReport, ProbeReport>;

/// What the probe run reports as it goes.
pub enum ProbeEvent {
    Stage(StageReport),
    Finished(ProbeReport),
    Failed(ProbeFailure),
}

/// Why the probe gave no report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ProbeFailure {
    /// No answer from the probe service (blocked, offline, not deployed here).
    Unreachable,
    /// The service refused the request and said why.
    Refused(String),
}

/// Runs the outside-in probe and reports each stage as it finishes.
pub async fn run_probe(host: String, port: Option<u16>, on_event: Callback<ProbeEvent>) {
    if let Err(failure) = stream_probe(&host, port, &on_event).await {
        on_event.emit(ProbeEvent::Failed(failure));
    }
}

async fn stream_probe(
    host: &str,
    port: Option<u16>,
    on_event: &Callback<ProbeEvent>,
) -> Result<(), ProbeFailure> {
    let request = ProbeRequest {
        host: host.to_owned(),
        port,
    };
    // `json` sets `Content-Type: application/json` and the serialized body.
    let request = Request::post("/api/probe")
        .header("Accept", "application/x-ndjson")
        .json(&request)
        .map_err(|e| match e {
            gloo_net::Error::SerdeError(e) => ProbeFailure::Refused(e.to_string()),
            _ => ProbeFailure::Unreachable,
        })?;
    let response = request
        .send()
        .await
        .map_err(|_| ProbeFailure::Unreachable)?;

    let status = response.status();
    if status == 404 || status >= 500 {
        return Err(ProbeFailure::Unreachable);
    }
    if status >= 400 {
        let text = read_text(&response).await.unwrap_or_default();
        let message = serde_json::from_str::<ErrorBody>(&text)
            .map(|b| b.error.message)
            .unwrap_or_else(|_| format!("The probe service refused the request (HTTP {status})."));
        return Err(ProbeFailure::Refused(message));
    }

    // gloo-net reads a body only whole; the lines are wanted as they arrive.
    let reader: ReadableStreamDefaultReader = response
        .body()
        .ok_or(ProbeFailure::Unreachable)?
        .get_reader()
        .dyn_into()
        .map_err(|_| ProbeFailure::Unreachable)?;
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|_| ProbeFailure::Unreachable)?;
        let done = Reflect::get(&chunk, &"done".into())
            .map(|d| d.is_truthy())
            .unwrap_or(true);
        if let Ok(value) = Reflect::get(&chunk, &"value".into())
            && let Some(bytes) = value.dyn_ref::<Uint8Array>()
        {
            pending.extend(bytes.to_vec());
        }
        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            if handle_line(&line, on_event)? {
                return Ok(());
            }
        }
        if pending.len() > MAX_LINE_BYTES {
            return Err(ProbeFailure::Refused(
                "The probe service sent a line too long to be a probe result.".into(),
            ));
        }
        if done {
            if !pending.is_empty() && handle_line(&pending, on_event)? {
                return Ok(());
            }
            return Err(ProbeFailure::Unreachable);
        }
    }
}

/// Handles one NDJSON line; true once the run is over.
fn handle_line(line: &[u8], on_event: &Callback<ProbeEvent>) -> Result<bool, ProbeFailure> {
    let text = String::from_utf8_lossy(line);
    if text.trim().is_empty() {
        return Ok(false);
    }
    match serde_json::from_str::<ProbeLine>(&text) {
        Ok(StreamEvent::Stage(stage)) => {
            on_event.emit(ProbeEvent::Stage(stage));
            Ok(false)
        }
        Ok(StreamEvent::Report(report)) => {
            on_event.emit(ProbeEvent::Finished(report));
            Ok(true)
        }
        Ok(StreamEvent::Error { error }) => Err(ProbeFailure::Refused(error.message)),
        Err(e) => Err(ProbeFailure::Refused(format!(
            "The probe service sent a result this page cannot read: {e}"
        ))),
    }
}

/// The text of one of the check scripts the app serves (`/collect/server.ps1`), `None` when it
/// cannot be fetched.
pub async fn check_script(path: &str) -> Option<String> {
    let response = Request::get(path).send().await.ok()?;
    if !response.ok() {
        return None;
    }
    read_text(&response).await
}

/// The site's branding and the ports its probe accepts; `None` when the API is not reachable.
pub async fn site_config() -> Option<SiteConfig> {
    let response = Request::get("/api/config").send().await.ok()?;
    if !response.ok() {
        return None;
    }
    response.json().await.ok()
}

async fn read_text(response: &Response) -> Option<String> {
    response.text().await.ok()
}
