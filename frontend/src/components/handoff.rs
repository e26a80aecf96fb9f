//! Step 5: hand the case to someone else: a message for IT (for someone who only connects), a
//! link, Markdown for a ticket, JSON, print; a link prepared for someone else; "clear my data".

use yew::prelude::*;

use super::support::PrepareLinkForm;
use super::{CopyButton, JourneyProps};
use crate::audience::Audience;
use crate::browser;
use crate::export;
use crate::link::Link;
use crate::state::Action;

#[function_component(HandOffPanel)]
pub fn hand_off_panel(props: &JourneyProps) -> Html {
    let journey = &props.journey;
    let audience = Audience::of(&journey.session.answers);
    let include_pasted = use_state(|| false);
    let preparing = use_state(|| false);
    let on_prepare = {
        let preparing = preparing.clone();
        Callback::from(move |_| preparing.set(!*preparing))
    };
    let link = browser::page_url_with(
        &Link::from_session(&journey.session, &journey.decoded, *include_pasted).to_fragment(),
    );
    let on_include = {
        let include_pasted = include_pasted.clone();
        Callback::from(move |_| include_pasted.set(!*include_pasted))
    };
    let on_markdown = {
        let (journey, link) = (journey.clone(), link.clone());
        Callback::from(move |_| {
            browser::download(
                "rdp-doctor-diagnosis.md",
                "text/markdown",
                &export::markdown(&journey, &browser::now_iso(), &link),
            )
        })
    };
    let on_json = {
        let journey = journey.clone();
        Callback::from(move |_| {
            browser::download(
                "rdp-doctor-diagnosis.json",
                "application/json",
                &export::json(&journey, &browser::now_iso()),
            )
        })
    };
    let on_clear = {
        let journey = journey.clone();
        Callback::from(move |_| {
            browser::forget_session();
            journey.dispatch(Action::Cleared);
        })
    };
    let message = export::message_for_it(journey, &link);
    let markdown = export::markdown(journey, &browser::now_iso(), &link);
    html! {
        <section class="card" aria-labelledby="handoff-title">
            <h2 id="handoff-title">{ "5. Hand it over" }</h2>
            if audience == Some(Audience::EndUser) {
                <div class="message-for-it">
                    <h3 id="message-title">{ "Send this to your IT" }</h3>
                    <p class="muted">{ "Most of these fixes are made on the server. Copy this message into an e-mail or a ticket: the link in it carries your answers and the checks you ran." }</p>
                    <textarea id="message-for-it" aria-labelledby="message-title" readonly=true value={message.clone()} />
                    <CopyButton text={AttrValue::from(message)} label="Copy the message for IT" idle="Copy the message" />
                </div>
            }
            <p>{ "A link to your results carries your codes, answers and the probe's findings in the part after #, which browsers never send to a server." }</p>
            <label class="checkbox no-print">
                <input type="checkbox" checked={*include_pasted} onchange={on_include} />
                { " Include what my pasted evidence showed (certificate, events, .rdp file findings; never the pasted text)" }
            </label>
            <label for="results-link">{ "Link to my results" }</label>
            <div class="row">
                <input id="results-link" type="text" readonly=true value={link.clone()} />
                <CopyButton text={AttrValue::from(link)} label="Copy the link to my results" />
            </div>
            <div class="row actions no-print">
                <button type="button" class="secondary" onclick={on_markdown}>{ "Download Markdown (for a ticket)" }</button>
                <button type="button" class="secondary" onclick={on_json}>{ "Download JSON" }</button>
                <button type="button" class="secondary" onclick={Callback::from(|_| browser::print())}>{ "Print" }</button>
                <CopyButton text={AttrValue::from(markdown)} label="Copy the diagnosis as Markdown" idle="Copy as Markdown" />
            </div>
            if audience != Some(Audience::Helpdesk) {
                <p class="no-print">
                    <button type="button" class="link-button" aria-expanded={preparing.to_string()} onclick={on_prepare}>
                        { "Prepare a link for someone else" }
                    </button>
                </p>
                if *preparing { <PrepareLinkForm /> }
            }
            <p class="privacy no-print">{ "Your progress is kept in this browser only, so a reload does not lose it. " }
                <button type="button" class="link-button" onclick={on_clear}>{ "Clear my data" }</button>
            </p>
        </section>
    }
}
