//! Step 1 of the journey: paste the error text, see what each code means at once. Also the
//! whole of the first screen, so it takes plain values rather than the journey.

use rdp_doctor_core::codes::{Decoded, DecodedCode, RecognisedMessage};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DecodeProps {
    pub error_text: AttrValue,
    pub decoded: Decoded,
    pub on_change: Callback<String>,
}

#[function_component(DecodePanel)]
pub fn decode_panel(props: &DecodeProps) -> Html {
    let oninput = props
        .on_change
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlTextAreaElement>().value());
    html! {
        <section class="card" aria-labelledby="decode-title">
            <h2 id="decode-title">{ "1. What did the error say?" }</h2>
            <label for="error-text">{ "Paste the error message" }</label>
            <textarea id="error-text" {oninput} spellcheck="false"
                value={props.error_text.clone()}
                placeholder={"Error code: 0x904\nExtended error code: 0x7"} />
            <p class="privacy">{ "Decoded in your browser: nothing you paste is sent anywhere." }</p>
            <DecodedCodes decoded={props.decoded.clone()} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct DecodedCodesProps {
    decoded: Decoded,
}

#[function_component(DecodedCodes)]
fn decoded_codes(props: &DecodedCodesProps) -> Html {
    if props.decoded.codes.is_empty() && props.decoded.messages.is_empty() {
        return html! {};
    }
    html! {
        <section class="codes" aria-label="What the codes mean" aria-live="polite">
            { for props.decoded.messages.iter().map(message_view) }
            { for props.decoded.codes.iter().map(code_view) }
        </section>
    }
}

fn message_view(message: &RecognisedMessage) -> Html {
    html! {
        <div class="code">
            <div><span class="value">{ format!("\u{201c}{}\u{201d}", message.matched) }</span>{ " · Error wording" }</div>
            <div>{ &message.meaning }</div>
        </div>
    }
}

fn code_view(code: &DecodedCode) -> Html {
    let role = code.role.label();
    let class = classes!("code", (!code.known).then_some("unknown"));
    html! {
        <div {class}>
            <div><span class="value">{ &code.hex }</span>{ " · " }{ role }
                if let Some(layer) = code.layer { { " · " }<span class="badge">{ layer.label() }</span> }
            </div>
            if code.known {
                <div>{ code.meaning.as_deref().unwrap_or_default() }</div>
                <div class="name">{ code.name.as_deref().unwrap_or_default() }</div>
            } else {
                <div>{ code.kind.as_deref().unwrap_or_default() }</div>
                <div>{ "This code is in none of the published tables RDP Doctor reads: it does not guess its meaning." }</div>
            }
        </div>
    }
}
