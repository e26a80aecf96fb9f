use rdp_doctor_core::api::SiteConfig;
use yew::prelude::*;

use crate::browser;
use crate::components::decode::DecodePanel;
use crate::components::diagnosis::DiagnosisPanel;
use crate::components::evidence::EvidencePanel;
use crate::components::handoff::HandOffPanel;
use crate::components::probe::ProbePanel;
use crate::components::wizard::WizardPanel;
use crate::link::Link;
use crate::net;
use crate::state::{Journey, Session};

/// A link's case wins over the saved session; once read, the link's fields leave the address
/// bar so a reload shows the person's own progress.
fn initial_journey(link: &Link) -> Journey {
    let session = if link.has_case() {
        browser::replace_fragment(if link.embed { "#embed=1" } else { "" });
        Session::from_link(link)
    } else {
        browser::load_session()
            .map(Session::resumed)
            .unwrap_or_default()
    };
    Journey::new(session)
}

#[function_component(App)]
pub fn app() -> Html {
    let link = use_memo((), |_| Link::parse(&browser::fragment()));
    let embed = link.embed || browser::query_has("embed");
    let journey = {
        let link = link.clone();
        use_reducer(move || initial_journey(&link))
    };
    let config = use_state(|| None::<SiteConfig>);
    {
        let config = config.clone();
        use_effect_with((), move |_| {
            wasm_bindgen_futures::spawn_local(async move {
                if let Some(loaded) = net::site_config().await {
                    config.set(Some(loaded));
                }
            });
        });
    }
    use_effect_with(journey.session.clone(), |session| {
        browser::save_session(session)
    });

    let org = config.as_ref().and_then(|c| c.org_name.clone());
    let contact = config.as_ref().and_then(|c| c.support_contact.clone());
    let allowed_ports = config
        .as_ref()
        .map(|c| c.allowed_ports.clone())
        .unwrap_or_default();
    html! {
        <div class={classes!("page", embed.then_some("embed"))}>
            <a class="skip-link" href="#content">{ "Skip to content" }</a>
            if !embed {
                <header class="site-header">
                    <div class="inner">
                        <a class="brand" href="./">{ "RDP Doctor" }</a>
                        <span class="tagline">{ "Fix “Error code: 0x904, Extended error code: 0x7” and its relatives" }</span>
                        if let Some(org) = &org { <span class="org">{ format!("for {org}") }</span> }
                    </div>
                </header>
            }
            <main id="content">
                <div class={classes!("intro", embed.then_some("visually-hidden"))}>
                    <h1>{ "Fix a Remote Desktop connection that fails" }</h1>
                    <p class="lede">{ "Paste the error, answer a few questions and add any evidence you have: RDP Doctor ranks the likely causes, shows why, and says what to do next. What you paste stays in this browser." }</p>
                </div>
                <DecodePanel journey={journey.clone()} />
                <WizardPanel journey={journey.clone()} />
                <ProbePanel journey={journey.clone()} {allowed_ports} />
                <EvidencePanel journey={journey.clone()} />
                <DiagnosisPanel journey={journey.clone()} />
                <HandOffPanel journey={journey.clone()} />
                if let Some(contact) = &contact {
                    <p class="support">{ "Still stuck? Contact " }{ org.as_deref().unwrap_or("your support team") }{ ": " }{ contact }</p>
                }
            </main>
        </div>
    }
}
