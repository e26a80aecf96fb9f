pub mod decode;
pub mod diagnosis;
pub mod evidence;
pub mod handoff;
pub mod inside;
pub mod page;
pub mod probe;
pub mod probe_report;
pub mod rdp_settings;
pub mod support;
pub mod wizard;

use rdp_doctor_core::evidence::Finding;
use yew::prelude::*;

use crate::labels;

use crate::state::Journey;

/// Every panel gets the journey: what to render and where to send changes.
#[derive(Properties, PartialEq)]
pub struct JourneyProps {
    pub journey: UseReducerHandle<Journey>,
}

#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    pub text: AttrValue,
    /// What is copied, for screen readers ("Copy command").
    pub label: AttrValue,
    /// The button's visible text before it is pressed.
    #[prop_or(AttrValue::Static("Copy"))]
    pub idle: AttrValue,
}

/// Copies `text` and says so.
#[function_component(CopyButton)]
pub fn copy_button(props: &CopyButtonProps) -> Html {
    let copied = use_state(|| None::<bool>);
    let onclick = {
        let copied = copied.clone();
        let text = props.text.clone();
        Callback::from(move |_| {
            let copied = copied.clone();
            let text = text.clone();
            wasm_bindgen_futures::spawn_local(async move {
                copied.set(Some(crate::browser::copy_text(&text).await));
            });
        })
    };
    let shown = match *copied {
        Some(true) => AttrValue::Static("Copied"),
        Some(false) => AttrValue::Static("Copy failed: select and copy by hand"),
        None => props.idle.clone(),
    };
    html! {
        <button type="button" class="secondary copy" aria-label={props.label.clone()} {onclick}>
            { shown }
        </button>
    }
}

#[derive(Properties, PartialEq)]
pub struct RichTextProps {
    pub text: AttrValue,
}

/// Knowledge-base text, where `backticks` mark commands and names: shown as code, not as
/// backticks.
#[function_component(RichText)]
pub fn rich_text(props: &RichTextProps) -> Html {
    html! {
        { for props.text.split('`').enumerate().map(|(i, part)| {
            if i % 2 == 1 { html! { <code>{ part }</code> } } else { html! { { part } } }
        }) }
    }
}

#[derive(Properties, PartialEq)]
pub struct FindingListProps {
    pub findings: Vec<Finding>,
}

/// What an analyzer or a probe stage found, each with its severity.
#[function_component(FindingList)]
pub fn finding_list(props: &FindingListProps) -> Html {
    if props.findings.is_empty() {
        return html! {};
    }
    html! {
        <ul class="findings">
            { for props.findings.iter().map(|f| {
                let (label, class) = labels::severity(f.severity);
                html! {
                    <li>
                        <span class={classes!("badge", class)}>{ label }</span>{ " " }<RichText text={f.title.clone()} />
                        if !f.detail.is_empty() { <span class="muted">{ ": " }{ &f.detail }</span> }
                    </li>
                }
            }) }
        </ul>
    }
}
