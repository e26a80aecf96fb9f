//! Step 3: evidence in any order. Each kind has a paste box and a drop zone; the bytes go to
//! the in-page analysis worker and never leave the browser.

use web_sys::{DragEvent, HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::probe_report::cert_facts;
use super::rdp_settings::RdpSettingsList;
use super::{FindingList, JourneyProps};
use rdp_doctor_core::report::{
    AnalysisReport, CertReport, EventReport, RdpFileReport, SnapshotReport, Target,
};

use crate::analysis_client::{self, AnalysisEvent, EvidenceKind};
use crate::state::{Action, Analysis, Journey};

/// Larger inputs are refused before they are read into memory; a month of a busy server's
/// exported event log fits well under this.
const MAX_INPUT_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

struct Texts {
    title: &'static str,
    hint: &'static str,
    paste_label: &'static str,
    accept: &'static str,
}

fn texts(kind: EvidenceKind) -> Texts {
    match kind {
        EvidenceKind::Certificate => Texts {
            title: "The server's certificate",
            hint: "Paste a PEM or base64 certificate, certutil output or Get-ChildItem Cert: output, or drop a .cer/.crt/.pem file.",
            paste_label: "Paste the certificate",
            accept: ".cer,.crt,.pem,.der,.txt",
        },
        EvidenceKind::EventLog => Texts {
            title: "Event logs",
            hint: "Paste event text, XML or CSV from Event Viewer, or drop an exported .evtx, .xml or .csv file.",
            paste_label: "Paste the events",
            accept: ".evtx,.xml,.csv,.txt",
        },
        EvidenceKind::RdpFile => Texts {
            title: "The .rdp file",
            hint: "Paste the contents of the .rdp file the client uses, or drop the file. Its address fills in the probe.",
            paste_label: "Paste the .rdp file",
            accept: ".rdp,.txt",
        },
        EvidenceKind::ServerCheck => Texts {
            title: "The server check's output",
            hint: "Paste what the server check printed, or drop its file. The output of a single command works too: reg query, netsh advfirewall firewall show rule, Get-NetConnectionProfile, Get-Service, netstat -ano, certutil -store, icacls, w32tm /query /status, dsregcmd /status, qwinsta, Get-NetTCPConnection.",
            paste_label: "Paste the server check's output",
            accept: ".json,.txt",
        },
        EvidenceKind::ClientCheck => Texts {
            title: "The client check's output",
            hint: "Paste what the client check printed, or drop its file.",
            paste_label: "Paste the client check's output",
            accept: ".json,.txt",
        },
    }
}

#[function_component(EvidencePanel)]
pub fn evidence_panel(props: &JourneyProps) -> Html {
    html! {
        <section class="card" aria-labelledby="evidence-title">
            <h2 id="evidence-title">{ "3. Evidence, in any order" }</h2>
            <p class="privacy">{ "Certificates, event logs and .rdp files are read inside this page. They are never uploaded, and they are only put into a link if you choose to." }</p>
            <div class="evidence-grid">
                { for EvidenceKind::FILES.iter().map(|&kind| html! {
                    <EvidenceInput journey={props.journey.clone()} {kind} />
                }) }
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub(crate) struct EvidenceInputProps {
    pub journey: UseReducerHandle<Journey>,
    pub kind: EvidenceKind,
}

fn start_analysis(journey: &UseReducerHandle<Journey>, kind: EvidenceKind, bytes: Vec<u8>) {
    journey.dispatch(Action::AnalysisStarted(kind));
    let host = Some(journey.session.host.clone());
    let journey = journey.clone();
    let on_event = Callback::from(move |event| {
        journey.dispatch(match event {
            AnalysisEvent::Progress(p) => Action::AnalysisProgress(kind, p),
            AnalysisEvent::Finished(report) => Action::AnalysisFinished(kind, report),
            AnalysisEvent::Failed(message) => Action::AnalysisFailed(kind, message),
        })
    });
    analysis_client::analyze(kind, bytes, host, on_event);
}

fn read_file(journey: UseReducerHandle<Journey>, kind: EvidenceKind, file: web_sys::File) {
    let file = gloo::file::File::from(file);
    if file.size() as f64 > MAX_INPUT_BYTES {
        journey.dispatch(Action::AnalysisFailed(
            kind,
            format!(
                "{} is larger than 64 MB; export a shorter time range.",
                file.name()
            ),
        ));
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        match gloo::file::futures::read_as_bytes(&file).await {
            Ok(bytes) => start_analysis(&journey, kind, bytes),
            Err(_) => journey.dispatch(Action::AnalysisFailed(
                kind,
                format!("{} could not be read.", file.name()),
            )),
        }
    });
}

/// A paste box and a drop zone for one kind of evidence, and what its analysis found.
#[function_component(EvidenceInput)]
pub(crate) fn evidence_input(props: &EvidenceInputProps) -> Html {
    let kind = props.kind;
    let texts = texts(kind);
    let id = kind.id();
    let text = use_state(String::new);
    let dragging = use_state(|| false);

    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            text.set(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        })
    };
    let on_check = {
        let (journey, text) = (props.journey.clone(), text.clone());
        Callback::from(move |_| {
            if !text.trim().is_empty() {
                start_analysis(&journey, kind, text.as_bytes().to_vec());
            }
        })
    };
    let on_file = {
        let journey = props.journey.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                read_file(journey.clone(), kind, file);
            }
            input.set_value("");
        })
    };
    let on_drop = {
        let (journey, dragging) = (props.journey.clone(), dragging.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(file) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0))
            {
                read_file(journey.clone(), kind, file);
            }
        })
    };
    let on_drag_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let on_drag_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let analysis = props.journey.session.analysis(kind).clone();
    let working = matches!(analysis, Analysis::Working { .. });
    html! {
        <div class={classes!("evidence", "drop-zone", dragging.then_some("dragging"))}
            ondrop={on_drop} ondragover={on_drag_over} ondragleave={on_drag_leave}>
            <h3>{ texts.title }</h3>
            <p class="muted">{ texts.hint }</p>
            <label for={format!("paste-{id}")}>{ texts.paste_label }</label>
            <textarea id={format!("paste-{id}")} spellcheck="false" value={(*text).clone()} {oninput} />
            <div class="row">
                <button type="button" onclick={on_check} disabled={working || text.trim().is_empty()}>{ "Check" }</button>
                <label class="button secondary file-button" for={format!("file-{id}")}>{ "Choose a file…" }</label>
                <input class="visually-hidden" id={format!("file-{id}")} type="file" accept={texts.accept} onchange={on_file} />
            </div>
            <AnalysisResult journey={props.journey.clone()} {kind} {analysis} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct AnalysisResultProps {
    journey: UseReducerHandle<Journey>,
    kind: EvidenceKind,
    analysis: Analysis,
}

#[function_component(AnalysisResult)]
fn analysis_result(props: &AnalysisResultProps) -> Html {
    let body = match &props.analysis {
        Analysis::Empty => html! {},
        Analysis::Working { progress } => html! {
            <p class="muted">{ "Reading in this page…" }
                if let Some(p) = progress { <progress max="1" value={p.to_string()}></progress> }
            </p>
        },
        Analysis::Failed(message) => html! { <p class="notice" role="alert">{ message }</p> },
        // What was found comes first; the details it was found in follow, long ones folded.
        Analysis::Done(report) => html! {
            <>
                <FindingList findings={report.findings().to_vec()} />
                { match report {
                    AnalysisReport::Certificate(cert) => cert_summary(cert),
                    AnalysisReport::EventLog(events) => event_timeline(events),
                    AnalysisReport::RdpFile(rdp) => rdp_settings(&props.journey, rdp),
                    AnalysisReport::Snapshot(snapshot) => snapshot_summary(snapshot),
                } }
                if let AnalysisReport::Snapshot(SnapshotReport { events: Some(events), .. }) = report {
                    <p class="muted">{ format!("Events of the last 24 hours: {} read.", events.events_read) }</p>
                    <FindingList findings={events.findings.clone()} />
                }
            </>
        },
    };
    html! { <div class="analysis" aria-live="polite">{ body }</div> }
}

/// The pasted certificate's facts, as the probe report shows the one the server sent.
fn cert_summary(cert: &CertReport) -> Html {
    cert.certificates
        .first()
        .map(|leaf| cert_facts(leaf, js_sys::Date::now() as u64))
        .unwrap_or_default()
}

/// Events older than this are flagged: a log exported today often reaches back years, and an
/// old failure says little about today's.
const OLD_EVENT_DAYS: f64 = 30.0;

fn event_timeline(events: &EventReport) -> Html {
    let now = js_sys::Date::now();
    let age_days = |time: &Option<String>| {
        time.as_deref()
            .and_then(crate::browser::parse_time)
            .map(|ms| (now - ms) / 86_400_000.0)
    };
    let old = events
        .timeline
        .iter()
        .filter(|e| age_days(&e.time).is_some_and(|d| d > OLD_EVENT_DAYS))
        .count();
    html! {
        <>
            <p class="muted">{ format!("{} events read.", events.events_read) }</p>
            if old > 0 {
                <p class="notice">{ format!("{old} of the relevant events are more than {OLD_EVENT_DAYS:.0} days old: check that they are from the time of this failure.") }</p>
            }
            if !events.timeline.is_empty() {
                <details class="timeline-fold">
                    <summary>{ format!("Timeline of the {} relevant events", events.timeline.len()) }</summary>
                    <ol class="timeline" aria-label="Relevant events, oldest first">
                        { for events.timeline.iter().map(|e| {
                            let age = age_days(&e.time).filter(|d| *d > OLD_EVENT_DAYS);
                            html! {
                                <li>
                                    <span class="muted">{ e.time.as_deref().unwrap_or("time unknown") }</span>{ " " }
                                    if let Some(days) = age { <span class="badge sev-warning">{ format!("{days:.0} days old") }</span>{ " " } }
                                    <strong>{ format!("{} {}", e.source, e.event_id) }</strong>{ ": " }{ &e.meaning }
                                </li>
                            }
                        }) }
                    </ol>
                    if events.timeline_omitted > 0 {
                        <p class="muted">{ format!("{} more relevant events are counted in the findings.", events.timeline_omitted) }</p>
                    }
                </details>
            }
        </>
    }
}

/// What was read, and the sections the check could not collect (often: not run as administrator).
fn snapshot_summary(snapshot: &SnapshotReport) -> Html {
    html! {
        <>
            <p class="muted">{ format!("Read as the {}.", snapshot.snapshot.label()) }</p>
            if !snapshot.section_errors.is_empty() {
                <details class="section-errors">
                    <summary>{ format!("{} sections could not be collected", snapshot.section_errors.len()) }</summary>
                    <ul>
                        { for snapshot.section_errors.iter().map(|e| html! {
                            <li>
                                <code>{ &e.section }</code>{ ": " }{ &e.error }
                                if e.needs_elevation { { " (run PowerShell as administrator)" } }
                            </li>
                        }) }
                    </ul>
                </details>
            }
        </>
    }
}

fn rdp_settings(journey: &UseReducerHandle<Journey>, rdp: &RdpFileReport) -> Html {
    let use_target = rdp.target.clone().map(|Target { host, port }| {
        let journey = journey.clone();
        let label = format!("Use {host}:{port} for the probe");
        let onclick = Callback::from(move |_| {
            journey.dispatch(Action::ProbeTargetChosen {
                host: host.clone(),
                port,
            })
        });
        html! { <button type="button" class="secondary" {onclick}>{ label }</button> }
    });
    html! {
        <>
            { use_target.unwrap_or_default() }
            <RdpSettingsList settings={rdp.settings.iter().map(|s| (s.name.clone(), s.value.clone())).collect::<Vec<_>>()} />
        </>
    }
}
