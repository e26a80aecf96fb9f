//! "Check from the inside": the read-only server and client checks, shown in full with a copy
//! button and a one-line way to run them, and a paste box for what they print. The engine's next
//! best check picks which one is recommended; the output is read in the analysis worker like any
//! other evidence and never leaves the page.

use yew::prelude::*;

use rdp_doctor_core::engine::CheckKind;

use super::evidence::EvidenceInput;
use super::{CopyButton, JourneyProps};
use crate::analysis_client::EvidenceKind;
use crate::net;

struct Check {
    kind: EvidenceKind,
    title: &'static str,
    /// Where and how to run it.
    intro: &'static str,
    script: &'static str,
    run: &'static str,
}

const SERVER: Check = Check {
    kind: EvidenceKind::ServerCheck,
    title: "Check the server",
    intro: "On the Remote Desktop server, in PowerShell run as administrator. It reads the listener, the certificate and its key's permissions, MachineKeys, Schannel, the firewall, the network profile, services, time, domain and licensing, and changes nothing.",
    script: "/collect/server.ps1",
    run: r"powershell -NoProfile -ExecutionPolicy Bypass -File .\server.ps1 -Clipboard",
};

const CLIENT: Check = Check {
    kind: EvidenceKind::ClientCheck,
    title: "Check your computer",
    intro: "On the computer that cannot connect, in PowerShell (no administrator needed), naming the server as you type it in Remote Desktop. It resolves the name, tries the port once, and reads VPN, MTU, proxy, client policies and the clock.",
    script: "/collect/client.ps1",
    run: r"powershell -NoProfile -ExecutionPolicy Bypass -File .\client.ps1 -Server <server> -Clipboard",
};

#[function_component(InsidePanel)]
pub fn inside_panel(props: &JourneyProps) -> Html {
    let recommended = props
        .journey
        .diagnosis
        .next_check
        .as_ref()
        .filter(|_| !props.journey.diagnosis.settled)
        .map(|check| check.kind);
    html! {
        <section class="card" id="inside" aria-labelledby="inside-title">
            <h2 id="inside-title">{ "Check from the inside" }</h2>
            <p class="privacy">{ "Two short read-only PowerShell scripts. Read them before you run them: they change nothing and send nothing anywhere. Paste their output here; it is read inside this page and never uploaded." }</p>
            <div class="evidence-grid">
                <CheckCard journey={props.journey.clone()} server=true recommended={recommended == Some(CheckKind::RunServerCheck)} />
                <CheckCard journey={props.journey.clone()} server=false recommended={recommended == Some(CheckKind::RunClientCheck)} />
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct CheckCardProps {
    journey: UseReducerHandle<crate::state::Journey>,
    server: bool,
    recommended: bool,
}

#[function_component(CheckCard)]
fn check_card(props: &CheckCardProps) -> Html {
    let check = if props.server { &SERVER } else { &CLIENT };
    let script = use_state(|| None::<Result<String, ()>>);
    {
        let script = script.clone();
        let path = check.script;
        use_effect_with(path, move |path| {
            let path = *path;
            wasm_bindgen_futures::spawn_local(async move {
                script.set(Some(net::check_script(path).await.ok_or(())));
            });
        });
    }
    let id = check.kind.id();
    let text = match &*script {
        Some(Ok(text)) => text.clone(),
        Some(Err(())) => String::new(),
        None => String::new(),
    };
    html! {
        <div class={classes!("evidence", "check", props.recommended.then_some("recommended"))} id={id}>
            <h3>{ check.title }</h3>
            if props.recommended {
                <p class="badge-line"><strong>{ "Most useful next step" }</strong></p>
            }
            <p class="muted">{ check.intro }</p>
            <details open={props.recommended}>
                <summary>{ format!("The script ({}), in full", check.script.trim_start_matches("/collect/")) }</summary>
                { match &*script {
                    Some(Ok(_)) => html! { <pre class="script" tabindex="0" aria-label={format!("{} script", check.title)}><code>{ text.clone() }</code></pre> },
                    Some(Err(())) => html! { <p class="notice">{ "The script could not be loaded; download it with the link below." }</p> },
                    None => html! { <p class="muted">{ "Loading the script…" }</p> },
                } }
                <div class="row">
                    <CopyButton text={AttrValue::from(text)} label={format!("Copy the {} script", if props.server { "server" } else { "client" })} idle="Copy the script" />
                    <a class="button secondary" href={check.script} download="">{ "Download" }</a>
                </div>
            </details>
            <p>{ "Save it, then run:" }</p>
            <div class="row command-line">
                <code>{ check.run }</code>
                <CopyButton text={AttrValue::from(check.run)} label="Copy the command" />
            </div>
            <EvidenceInput journey={props.journey.clone()} kind={check.kind} />
        </div>
    }
}
