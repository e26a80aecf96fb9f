//! Step 5: hand the case to someone else: a link, Markdown for a ticket, JSON, print; and
//! "clear my data".

use yew::prelude::*;

use super::{CopyButton, JourneyProps};
use crate::browser;
use crate::export;
use crate::link::Link;
use crate::state::Action;

#[function_component(HandOffPanel)]
pub fn hand_off_panel(props: &JourneyProps) -> Html {
    let journey = &props.journey;
    let include_pasted = use_state(|| false);
    let link = browser::page_url_with(
        &Link::from_session(&journey.session, &journey.decoded, *include_pasted).to_fragment(),
    );
    let on_include = {
        let include_pasted = include_pasted.clone();
        Callback::from(move |_| include_pasted.set(!*include_pasted))
    };
    let on_markdown = {
        let journey = journey.clone();
        Callback::from(move |_| {
            browser::download(
                "rdp-doctor-diagnosis.md",
                "text/markdown",
                &export::markdown(&journey),
            )
        })
    };
    let on_json = {
        let journey = journey.clone();
        Callback::from(move |_| {
            browser::download(
                "rdp-doctor-diagnosis.json",
                "application/json",
                &export::json(&journey),
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
    html! {
        <section class="card no-print" aria-labelledby="handoff-title">
            <h2 id="handoff-title">{ "5. Hand it over" }</h2>
            <p>{ "A link to your results carries your codes, answers and the probe's findings in the part after #, which browsers never send to a server." }</p>
            <label class="checkbox">
                <input type="checkbox" checked={*include_pasted} onchange={on_include} />
                { " Include what my pasted evidence showed (certificate, events, .rdp file findings; never the pasted text)" }
            </label>
            <label for="results-link">{ "Link to my results" }</label>
            <div class="row">
                <input id="results-link" type="text" readonly=true value={link.clone()} />
                <CopyButton text={AttrValue::from(link)} label="Copy link to my results" />
            </div>
            <div class="row actions">
                <button type="button" class="secondary" onclick={on_markdown}>{ "Download Markdown (for a ticket)" }</button>
                <button type="button" class="secondary" onclick={on_json}>{ "Download JSON" }</button>
                <button type="button" class="secondary" onclick={Callback::from(|_| browser::print())}>{ "Print" }</button>
                <CopyButton text={AttrValue::from(export::markdown(journey))} label="Copy diagnosis as Markdown" idle="Copy as Markdown" />
            </div>
            <p class="privacy">{ "Your progress is kept in this browser only, so a reload does not lose it. " }
                <button type="button" class="link-button" onclick={on_clear}>{ "Clear my data" }</button>
            </p>
        </section>
    }
}
