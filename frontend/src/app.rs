use rdp_doctor_core::api::SiteConfig;
use yew::prelude::*;

use crate::audience::Audience;
use crate::browser;
use crate::components::decode::DecodePanel;
use crate::components::diagnosis::DiagnosisPanel;
use crate::components::evidence::EvidencePanel;
use crate::components::handoff::HandOffPanel;
use crate::components::inside::InsidePanel;
use crate::components::page::Page;
use crate::components::probe::ProbePanel;
use crate::components::support::{PrepareLinkForm, SupportNoteBanner};
use crate::components::wizard::WizardPanel;
use crate::link::Link;
use crate::net;
use crate::state::{Action, Journey, Session};

#[derive(Properties, PartialEq)]
pub struct AppProps {
    /// What the person typed on the first screen before this module loaded.
    pub typed: AttrValue,
}

/// A link's case wins over the saved session, and the saved session over what was typed on the
/// first screen (boot.js shows the first screen only when there is neither). Once read, the
/// link's fields leave the address bar so a reload shows the person's own progress.
fn initial_journey(link: &Link, typed: &str) -> Journey {
    let session = if link.has_case() {
        browser::replace_fragment(if link.embed { "#embed=1" } else { "" });
        Session::from_link(link)
    } else {
        browser::load_session()
            .map(Session::resumed)
            .unwrap_or_else(|| Session {
                error_text: typed.to_owned(),
                ..Session::default()
            })
    };
    Journey::new(session)
}

#[function_component(App)]
pub fn app(props: &AppProps) -> Html {
    let link = use_memo((), |_| Link::parse(&browser::fragment()));
    let embed = link.embed || browser::query_has("embed");
    let journey = {
        let link = link.clone();
        let typed = props.typed.clone();
        use_reducer(move || initial_journey(&link, &typed))
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
    let on_error_text = {
        let journey = journey.clone();
        Callback::from(move |text| journey.dispatch(Action::ErrorTextChanged(text)))
    };
    html! {
        <Page {embed} org={org.clone().map(AttrValue::from)}>
            <SupportNoteBanner journey={journey.clone()} />
            <DecodePanel error_text={journey.session.error_text.clone()}
                decoded={journey.decoded.clone()} on_change={on_error_text} />
            <WizardPanel journey={journey.clone()} />
            if Audience::of(&journey.session.answers) == Some(Audience::Helpdesk) {
                <PrepareLinkForm contact={contact.clone().map(AttrValue::from)} />
            }
            <ProbePanel journey={journey.clone()} {allowed_ports} />
            <EvidencePanel journey={journey.clone()} />
            <InsidePanel journey={journey.clone()} />
            <DiagnosisPanel journey={journey.clone()} />
            <HandOffPanel journey={journey.clone()} />
            if let Some(contact) = &contact {
                <p class="support">{ "Still stuck? Contact " }{ org.as_deref().unwrap_or("your support team") }{ ": " }{ contact }</p>
            }
        </Page>
    }
}
