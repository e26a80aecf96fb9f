//! The main thread's side of the analysis Web Worker (`static/analysis-worker.js`): started on
//! first use, so the certificate, event log and .rdp parsers are downloaded only when someone
//! adds evidence. Requests carry an id; replies and progress messages are matched back by it.
//! The evidence goes over as its own bytes (the ArrayBuffer is transferred, not copied) and the
//! report comes back as the analyzer's JSON text, parsed once by serde here.
//!
//! Written against web-sys rather than gloo-worker 0.5: its bridge never reports a worker that
//! died (an analyzer out of memory on a 100 MB log would leave the page waiting for ever; here the
//! worker answers with a sentence and reloads), it posts without transferring the buffer (copies
//! of a 100 MB log), its `Codec` has no way to fail but panicking, and it loads a classic
//! `no-modules` script where the app builds ES modules.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};
use yew::Callback;

use rdp_doctor_core::report::AnalysisReport;
use serde::{Deserialize, Serialize};

const WORKER_URL: &str = "./analysis-worker.js";

/// A kind of evidence the person can paste or drop, analysed in the analysis worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EvidenceKind {
    Certificate,
    EventLog,
    RdpFile,
    /// The server check's output, or one server command's.
    ServerCheck,
    /// The client check's output.
    ClientCheck,
}

impl EvidenceKind {
    pub const ALL: [EvidenceKind; 5] = [
        EvidenceKind::Certificate,
        EvidenceKind::EventLog,
        EvidenceKind::RdpFile,
        EvidenceKind::ServerCheck,
        EvidenceKind::ClientCheck,
    ];
    /// The files people already have; the checks have their own panel.
    pub const FILES: [EvidenceKind; 3] = [
        EvidenceKind::Certificate,
        EvidenceKind::EventLog,
        EvidenceKind::RdpFile,
    ];

    /// The `kind` of an analysis worker request.
    pub fn protocol_name(self) -> &'static str {
        match self {
            EvidenceKind::Certificate => "cert",
            EvidenceKind::EventLog => "events",
            EvidenceKind::RdpFile => "rdp",
            EvidenceKind::ServerCheck | EvidenceKind::ClientCheck => "snapshot",
        }
    }

    /// A name unique to the kind, for element ids.
    pub fn id(self) -> &'static str {
        match self {
            EvidenceKind::ServerCheck => "server-check",
            EvidenceKind::ClientCheck => "client-check",
            other => other.protocol_name(),
        }
    }
}

/// What an analysis reports as it goes.
pub enum AnalysisEvent {
    Progress(f64),
    Finished(AnalysisReport),
    Failed(String),
}

struct Bridge {
    worker: Worker,
    next_id: u32,
    /// The callback of each request in flight, by request id.
    pending: HashMap<u32, Callback<AnalysisEvent>>,
    // Kept alive as long as the worker: the browser calls them.
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static BRIDGE: RefCell<Option<Bridge>> = const { RefCell::new(None) };
}

/// Sends `bytes` to the analysis worker. `host` is the name the certificate should carry.
pub fn analyze(
    kind: EvidenceKind,
    bytes: Vec<u8>,
    host: Option<String>,
    on_event: Callback<AnalysisEvent>,
) {
    if let Err(message) = send(kind, bytes, host, on_event.clone()) {
        on_event.emit(AnalysisEvent::Failed(message));
    }
}

fn send(
    kind: EvidenceKind,
    bytes: Vec<u8>,
    host: Option<String>,
    on_event: Callback<AnalysisEvent>,
) -> Result<(), String> {
    BRIDGE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(start()?);
        }
        let Some(bridge) = slot.as_mut() else {
            return Err(cannot_start("no worker"));
        };
        let id = bridge.next_id;
        bridge.next_id = bridge.next_id.wrapping_add(1);

        let buffer = Uint8Array::from(bytes.as_slice()).buffer();
        let message = Object::new();
        let set = |key: &str, value: JsValue| Reflect::set(&message, &key.into(), &value);
        set("id", id.into())
            .and_then(|_| set("kind", kind.protocol_name().into()))
            .and_then(|_| set("bytes", buffer.clone().into()))
            .and_then(|_| set("now_unix", (js_sys::Date::now() / 1000.0).floor().into()))
            .and_then(|_| match &host {
                Some(host) if !host.trim().is_empty() => set("host", host.trim().into()),
                _ => Ok(true),
            })
            .map_err(|e| cannot_start(&describe(&e)))?;
        bridge
            .worker
            .post_message_with_transfer(&message, &Array::of1(&buffer))
            .map_err(|e| cannot_start(&describe(&e)))?;
        bridge.pending.insert(id, on_event);
        Ok(())
    })
}

fn start() -> Result<Bridge, String> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker =
        Worker::new_with_options(WORKER_URL, &options).map_err(|e| cannot_start(&describe(&e)))?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(on_message);
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
        let detail = Reflect::get(&event, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| "it did not load".to_owned());
        fail_all(cannot_start(&detail));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Bridge {
        worker,
        next_id: 1,
        pending: HashMap::new(),
        _on_message: on_message,
        _on_error: on_error,
    })
}

fn on_message(event: MessageEvent) {
    let data = event.data();
    let field = |key: &str| Reflect::get(&data, &key.into()).unwrap_or(JsValue::UNDEFINED);
    let Some(id) = field("id").as_f64().map(|id| id as u32) else {
        return;
    };
    if let Some(progress) = field("progress").as_f64() {
        if let Some(on_event) = pending_callback(id) {
            on_event.emit(AnalysisEvent::Progress(progress));
        }
        return;
    }
    let Some(on_event) = BRIDGE.with(|cell| cell.borrow_mut().as_mut()?.pending.remove(&id)) else {
        return;
    };
    let outcome = if field("ok").is_truthy() {
        // The worker passes serde_json's text through untouched: one parse, by serde, here.
        field("report_json")
            .as_string()
            .ok_or_else(|| "The analysis returned no report.".to_owned())
            .and_then(|json| {
                serde_json::from_str::<AnalysisReport>(&json)
                    .map_err(|e| format!("The analysis result could not be read: {e}"))
            })
    } else {
        Err(field("error")
            .as_string()
            .unwrap_or_else(|| "The analysis failed without saying why.".to_owned()))
    };
    on_event.emit(match outcome {
        Ok(report) => AnalysisEvent::Finished(report),
        Err(message) => AnalysisEvent::Failed(message),
    });
}

fn pending_callback(id: u32) -> Option<Callback<AnalysisEvent>> {
    BRIDGE.with(|cell| {
        let slot = cell.borrow();
        Some(slot.as_ref()?.pending.get(&id)?.clone())
    })
}

/// The worker failed to start or crashed: every request in flight fails, and the next request
/// starts a fresh worker.
fn fail_all(message: String) {
    let Some(mut bridge) = BRIDGE.with(|cell| cell.borrow_mut().take()) else {
        return;
    };
    bridge.worker.terminate();
    for (_, on_event) in bridge.pending.drain() {
        on_event.emit(AnalysisEvent::Failed(message.clone()));
    }
    // This runs inside the bridge's own error handler: free its closures once it has returned.
    wasm_bindgen_futures::spawn_local(async move { drop(bridge) });
}

fn cannot_start(detail: &str) -> String {
    format!("The in-page analyzer could not start ({detail}). Nothing was sent anywhere.")
}

fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}
