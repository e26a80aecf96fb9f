//! The outside-in probe: host and port in, one line per stage as the streamed results arrive.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::FindingList;
use crate::net::{self, ProbeEvent};
use rdp_doctor_core::report::{StageReport, StageStatus};

use super::evidence::cert_summary;
use crate::net::ProbeFailure;
use crate::state::{Action, ProbeRun};

#[derive(Properties, PartialEq)]
pub struct ProbePanelProps {
    pub journey: UseReducerHandle<crate::state::Journey>,
    /// The ports this site's probe accepts; empty when the site's configuration is unknown.
    pub allowed_ports: Vec<u16>,
}

#[function_component(ProbePanel)]
pub fn probe_panel(props: &ProbePanelProps) -> Html {
    let journey = &props.journey;
    let session = &journey.session;
    let running = matches!(session.probe, ProbeRun::Running { .. });
    let on_host = {
        let journey = journey.clone();
        Callback::from(move |e: InputEvent| {
            journey.dispatch(Action::HostChanged(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let on_port = {
        let journey = journey.clone();
        Callback::from(move |e: InputEvent| {
            journey.dispatch(Action::PortChanged(
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        })
    };
    let port = session.port.trim();
    let port_error = match port.parse::<u16>() {
        _ if port.is_empty() => None,
        Ok(port) if port > 0 => {
            (!props.allowed_ports.is_empty() && !props.allowed_ports.contains(&port)).then(|| {
                format!(
                    "This site's probe only checks port {}.",
                    ports_list(&props.allowed_ports)
                )
            })
        }
        _ => Some("The port is a number from 1 to 65535.".to_owned()),
    };
    let onsubmit = {
        let journey = journey.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let host = journey.session.host.trim().to_owned();
            let port = journey.session.port.trim().parse::<u16>().ok();
            if host.is_empty() {
                return;
            }
            journey.dispatch(Action::ProbeStarted);
            let events = {
                let journey = journey.clone();
                Callback::from(move |event| {
                    journey.dispatch(match event {
                        ProbeEvent::Stage(stage) => Action::ProbeStageFinished(stage),
                        ProbeEvent::Finished(report) => Action::ProbeFinished(report),
                        ProbeEvent::Failed(failure) => Action::ProbeFailed(failure),
                    })
                })
            };
            wasm_bindgen_futures::spawn_local(net::run_probe(host, port, events));
        })
    };
    html! {
        <section class="card" aria-labelledby="probe-title">
            <h2 id="probe-title">{ "Probe the server from outside" }</h2>
            <p class="muted">{ "RDP Doctor's service connects to the address you give, the way a client would, and reports each step. Only the host and port are sent." }</p>
            <form class="probe-form" {onsubmit}>
                <div class="field grow">
                    <label for="probe-host">{ "Server name or public IP address" }</label>
                    <input id="probe-host" type="text" autocomplete="off" spellcheck="false"
                        placeholder="rdp.example.com" value={session.host.clone()} oninput={on_host} />
                </div>
                <div class="field port">
                    <label for="probe-port">{ "Port" }</label>
                    <input id="probe-port" type="text" inputmode="numeric" placeholder="3389"
                        aria-invalid={port_error.is_some().to_string()} aria-describedby="probe-port-error"
                        value={session.port.clone()} oninput={on_port} />
                </div>
                <button type="submit" disabled={running || session.host.trim().is_empty() || port_error.is_some()}>
                    { if running { "Probing…" } else { "Probe from outside" } }
                </button>
            </form>
            <p id="probe-port-error" class="field-error">{ port_error.clone().unwrap_or_default() }</p>
            <ProbeResult run={session.probe.clone()} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ProbeResultProps {
    run: ProbeRun,
}

#[function_component(ProbeResult)]
fn probe_result(props: &ProbeResultProps) -> Html {
    let body = match &props.run {
        ProbeRun::NotRun => html! {},
        ProbeRun::Running { stages } => html! {
            <>
                <StageList stages={stages.clone()} />
                <p class="muted">{ "Waiting for the next stage…" }</p>
            </>
        },
        ProbeRun::Finished(report) => html! {
            <>
                <StageList stages={report.stages.clone()} />
                if let Some(certificate) = &report.certificate {
                    <h3>{ "The certificate the server sent" }</h3>
                    { cert_summary(certificate) }
                    <FindingList findings={certificate.findings.clone()} />
                }
                <p class="muted">{ format!("Probe finished in {}.", duration(report.duration_ms)) }</p>
            </>
        },
        ProbeRun::Failed(ProbeFailure::Unreachable) => html! {
            <p class="notice" role="alert">{ "The probe service can't be reached from here; everything else still works." }</p>
        },
        ProbeRun::Failed(ProbeFailure::Refused(message)) => html! {
            <p class="notice" role="alert">{ "The probe service did not run: " }{ message }</p>
        },
    };
    html! { <div class="probe-result" aria-live="polite">{ body }</div> }
}

#[derive(Properties, PartialEq)]
struct StageListProps {
    stages: Vec<StageReport>,
}

#[function_component(StageList)]
fn stage_list(props: &StageListProps) -> Html {
    html! {
        <ol class="stages" aria-label="Probe stages">
            { for props.stages.iter().map(|stage| {
                let (status, class) = match stage.status {
                    StageStatus::Ok => ("Passed", "sev-ok"),
                    StageStatus::Failed => ("Failed", "sev-error"),
                    StageStatus::Skipped => ("Skipped", "sev-info"),
                    StageStatus::NotApplicable => ("Not applicable", "sev-info"),
                };
                html! {
                    <li class="stage">
                        <span class={classes!("badge", class)}>{ status }</span>{ " " }
                        <strong>{ stage.stage.label() }</strong>{ " — " }{ &stage.verdict }
                        <FindingList findings={stage.findings.clone()} />
                    </li>
                }
            }) }
        </ol>
    }
}

fn ports_list(ports: &[u16]) -> String {
    ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(" or ")
}

fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}
