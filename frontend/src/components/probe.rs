//! The outside-in probe: host and port in, one line per stage as the streamed results arrive.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use rdp_doctor_core::api::{TargetPolicy, check_target};
use rdp_doctor_core::engine::Diagnosis;
use rdp_doctor_core::report::Target;

use super::CopyButton;
use super::probe_report::{ProbeReportView, StageList};
use crate::net::ProbeFailure;
use crate::net::{self, ProbeEvent};
use crate::state::{Action, Journey, ProbeRun};

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
            start_probe(&journey);
        })
    };
    let inside = inside_network(&session.host, port.parse().unwrap_or(Target::DEFAULT_PORT));
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
                <button type="submit" disabled={running || session.host.trim().is_empty() || port_error.is_some() || inside.is_some()}>
                    { if running { "Probing…" } else { "Probe from outside" } }
                </button>
            </form>
            <p id="probe-port-error" class="field-error">{ port_error.clone().unwrap_or_default() }</p>
            if let Some(why) = inside {
                <InsideYourNetwork host={session.host.trim().to_owned()} port={port.parse().unwrap_or(Target::DEFAULT_PORT)} {why} />
            }
            <ProbeResult run={session.probe.clone()} diagnosis={journey.diagnosis.clone()} />
        </section>
    }
}

/// Starts the probe of the session's host and port; a support link's "probe" button calls it
/// too.
pub fn start_probe(journey: &UseReducerHandle<Journey>) {
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
}

/// Why `host` is a server only its own network reaches (a private address, a single-label or
/// `.local`/`.corp` name), judged by the same policy the probe service applies, so the page
/// says so before the service refuses. Loopback is left to the service: it is this computer,
/// not a network, and a development setup probes it.
pub fn inside_network(host: &str, port: u16) -> Option<String> {
    if host.trim().is_empty() {
        return None;
    }
    let policy = TargetPolicy {
        allowed_ports: vec![port],
        allow_loopback: true,
    };
    match check_target(host, port, &policy) {
        Err(error) if error.code() == "target_not_allowed" => Some(error.message()),
        _ => None,
    }
}

#[derive(Properties, PartialEq)]
struct InsideYourNetworkProps {
    host: String,
    port: u16,
    why: String,
}

/// A server the public probe cannot reach: the same checks, run from inside its network.
#[function_component(InsideYourNetwork)]
fn inside_your_network(props: &InsideYourNetworkProps) -> Html {
    let target = format!("{}:{}", props.host, props.port);
    let probe = format!("rdp-doctor probe {target}");
    let test_net = format!("Test-NetConnection {} -Port {}", props.host, props.port);
    let nc = format!("nc -vz {} {}", props.host, props.port);
    html! {
        <div class="inside" role="note" aria-labelledby="inside-title">
            <h3 id="inside-title">{ "This site can't reach a server inside your network: run the check inside it" }</h3>
            <p class="muted">{ "Why: " }{ &props.why }</p>
            <p>{ "On a computer in the same network as the server, RDP Doctor's command-line tool runs the same probe:" }</p>
            <div class="command">
                <pre><code>{ &probe }</code></pre>
                <CopyButton text={AttrValue::from(probe.clone())} label={format!("Copy the probe command for {target}")} />
            </div>
            <p>{ "On the computer that fails to connect, check that the port answers:" }</p>
            <div class="command">
                <span class="badge">{ "PowerShell" }</span>
                <pre><code>{ &test_net }</code></pre>
                <CopyButton text={AttrValue::from(test_net.clone())} label={format!("Copy the Test-NetConnection command for {target}")} />
            </div>
            <div class="command">
                <span class="badge">{ "macOS or Linux" }</span>
                <pre><code>{ &nc }</code></pre>
                <CopyButton text={AttrValue::from(nc.clone())} label={format!("Copy the nc command for {target}")} />
            </div>
            <p class="muted">{ "Then answer the question about the port above, or send the probe's output with your results." }</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ProbeResultProps {
    run: ProbeRun,
    diagnosis: Diagnosis,
}

#[function_component(ProbeResult)]
fn probe_result(props: &ProbeResultProps) -> Html {
    let body = match &props.run {
        ProbeRun::NotRun => html! {},
        ProbeRun::Running { stages } => html! {
            <StageList stages={stages.clone()} running=true diagnosis={props.diagnosis.clone()} />
        },
        ProbeRun::Finished(report) => html! {
            <>
                <ProbeReportView report={report.clone()} diagnosis={props.diagnosis.clone()} />
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
