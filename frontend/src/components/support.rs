//! Support links from both sides: the form a helpdesk agent fills in to prepare a link for a
//! user, and what the user sees on opening it (who prepared it, their note, the probe one click
//! away).

use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use rdp_doctor_core::report::Target;

use super::probe::{inside_network, start_probe};
use super::{CopyButton, JourneyProps};
use crate::browser;
use crate::link::Link;
use crate::state::ProbeRun;

/// Shown at the top of a page opened from a prepared link.
#[function_component(SupportNoteBanner)]
pub fn support_note_banner(props: &JourneyProps) -> Html {
    let journey = &props.journey;
    let session = &journey.session;
    let Some(support) = &session.support else {
        return html! {};
    };
    let host = session.host.trim();
    let port = session.port.trim();
    let target = if port.is_empty() {
        host.to_owned()
    } else {
        format!("{host}:{port}")
    };
    let can_probe = !host.is_empty()
        && matches!(session.probe, ProbeRun::NotRun)
        && inside_network(host, port.parse().unwrap_or(Target::DEFAULT_PORT)).is_none();
    let on_probe = {
        let journey = journey.clone();
        Callback::from(move |_| start_probe(&journey))
    };
    html! {
        <section class="card prepared" aria-labelledby="prepared-title">
            <h2 id="prepared-title">
                { match &support.contact {
                    Some(contact) => format!("Prepared for you by {contact}"),
                    None => "Prepared for you by your support team".to_owned(),
                } }
            </h2>
            if let Some(note) = &support.note { <p class="note">{ note }</p> }
            if !host.is_empty() {
                <p>{ "The server to check: " }<code>{ &target }</code></p>
            }
            if can_probe {
                <button type="button" onclick={on_probe}>{ format!("Check {target} from outside now") }</button>
            }
            <p class="muted">{ "Then answer the questions below; your answers and what you paste stay in this browser until you send a link back." }</p>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct PrepareLinkProps {
    /// The deployment's support contact, as the default for the form's contact field.
    #[prop_or_default]
    pub contact: Option<AttrValue>,
}

/// "Prepare a link for a user": what the agent knows goes into the link, nothing to a server.
#[function_component(PrepareLinkForm)]
pub fn prepare_link_form(props: &PrepareLinkProps) -> Html {
    let host = use_state(String::new);
    let port = use_state(String::new);
    let error = use_state(String::new);
    let note = use_state(String::new);
    let contact = {
        let initial = props.contact.as_deref().unwrap_or_default().to_owned();
        use_state(move || initial)
    };
    let on_input = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            state.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_textarea = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| {
            state.set(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        })
    };
    let link = Link::prepared(&host, &port, &error, &note, &contact);
    let url = link
        .has_case()
        .then(|| browser::page_url_with(&link.to_fragment()));
    html! {
        <section class="card" aria-labelledby="prepare-title">
            <h2 id="prepare-title">{ "Prepare a link for a user" }</h2>
            <p class="muted">{ "Fill in what you know; the link opens this page with it filled in. Everything is in the part after #, which browsers never send to a server." }</p>
            <div class="form-grid">
                <div class="field">
                    <label for="prepare-host">{ "Server name or address" }</label>
                    <input id="prepare-host" type="text" autocomplete="off" spellcheck="false" value={(*host).clone()} oninput={on_input(&host)} />
                </div>
                <div class="field port">
                    <label for="prepare-port">{ "Port" }</label>
                    <input id="prepare-port" type="text" inputmode="numeric" placeholder="3389" value={(*port).clone()} oninput={on_input(&port)} />
                </div>
                <div class="field wide">
                    <label for="prepare-error">{ "The error the user reported" }</label>
                    <textarea id="prepare-error" spellcheck="false" placeholder={"Error code: 0x904\nExtended error code: 0x7"} value={(*error).clone()} oninput={on_textarea(&error)} />
                </div>
                <div class="field wide">
                    <label for="prepare-note">{ "A note for the user" }</label>
                    <textarea id="prepare-note" placeholder="Please run the check below and send me the link to your results." value={(*note).clone()} oninput={on_textarea(&note)} />
                </div>
                <div class="field wide">
                    <label for="prepare-contact">{ "Who you are and how to reach you (shown to the user)" }</label>
                    <input id="prepare-contact" type="text" placeholder="Sam at Contoso IT, ext. 1234" value={(*contact).clone()} oninput={on_input(&contact)} />
                </div>
            </div>
            if let Some(url) = url {
                <label for="prepared-link">{ "The link to send" }</label>
                <div class="row">
                    <input id="prepared-link" type="text" readonly=true value={url.clone()} />
                    <CopyButton text={AttrValue::from(url.clone())} label="Copy the link for the user" />
                    <a class="button secondary" href={url} target="_blank" rel="noopener">{ "Open it as the user will" }</a>
                </div>
            }
        </section>
    }
}
