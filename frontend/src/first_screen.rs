//! The first screen on its own: the page frame and the error decoder, without the knowledge
//! base, the engine or the other panels, so that it is interactive quickly on a slow
//! connection. boot.js swaps the whole journey in once its larger module has loaded, carrying
//! over what was typed.

use rdp_doctor_core::codes;
use yew::prelude::*;

use crate::components::decode::DecodePanel;
use crate::components::page::Page;

#[derive(Properties, PartialEq)]
pub struct FirstScreenProps {
    pub embed: bool,
}

#[function_component(FirstScreen)]
pub fn first_screen(props: &FirstScreenProps) -> Html {
    let error_text = use_state(AttrValue::default);
    let decoded = use_memo(error_text.clone(), |text| codes::decode(text));
    let on_change = {
        let error_text = error_text.clone();
        Callback::from(move |text: String| error_text.set(text.into()))
    };
    html! {
        <Page embed={props.embed}>
            <DecodePanel error_text={(*error_text).clone()} decoded={(*decoded).clone()} {on_change} />
            <p id="journey-loading" class="card muted" role="status">
                { "Loading the questions, the probe and the evidence checks…" }
            </p>
        </Page>
    }
}
