//! The page's only requests: the probe (streamed, one JSON object per line) and the site
//! configuration, both on the page's own origin. Pasted evidence never goes through here.

use js_sys::{Reflect, Uint8Array};
use rdp_doctor_core::api::{ErrorBody, ProbeRequest, SiteConfig, StreamEvent};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, ReadableStreamDefaultReader, Request, RequestInit, Response};
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
    let unreachable = |_| ProbeFailure::Unreachable;
    let request = ProbeRequest {
        host: host.to_owned(),
        port,
    };
    let body = serde_json::to_string(&request).map_err(|e| ProbeFailure::Refused(e.to_string()))?;
    let headers = Headers::new().map_err(unreachable)?;
    headers
        .set("Content-Type", "application/json")
        .map_err(unreachable)?;
    headers
        .set("Accept", "application/x-ndjson")
        .map_err(unreachable)?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(&body));
    let response =
        fetch(&Request::new_with_str_and_init("/api/probe", &init).map_err(unreachable)?)
            .await
            .ok_or(ProbeFailure::Unreachable)?;

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

    let reader: ReadableStreamDefaultReader = response
        .body()
        .ok_or(ProbeFailure::Unreachable)?
        .get_reader()
        .dyn_into()
        .map_err(|_| ProbeFailure::Unreachable)?;
    let mut pending: Vec<u8> = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(unreachable)?;
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

/// The site's branding and the ports its probe accepts; `None` when the API is not reachable.
pub async fn site_config() -> Option<SiteConfig> {
    let response = fetch(&Request::new_with_str("/api/config").ok()?).await?;
    if !response.ok() {
        return None;
    }
    serde_json::from_str(&read_text(&response).await?).ok()
}

async fn fetch(request: &Request) -> Option<Response> {
    let window = web_sys::window()?;
    JsFuture::from(window.fetch_with_request(request))
        .await
        .ok()?
        .dyn_into()
        .ok()
}

async fn read_text(response: &Response) -> Option<String> {
    JsFuture::from(response.text().ok()?)
        .await
        .ok()?
        .as_string()
}
