//! The page's frame: site header (not in embed mode), the introduction and the main landmark.
//! The first screen and the whole journey share it, so swapping one for the other changes
//! nothing above the panels.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PageProps {
    pub embed: bool,
    /// The organisation from the Worker's settings, once loaded.
    #[prop_or_default]
    pub org: Option<AttrValue>,
    pub children: Html,
}

#[function_component(Page)]
pub fn page(props: &PageProps) -> Html {
    let embed = props.embed;
    html! {
        <div class={classes!("page", embed.then_some("embed"))}>
            <a class="skip-link" href="#content">{ "Skip to content" }</a>
            if !embed {
                <header class="site-header">
                    <div class="inner">
                        <a class="brand" href="./">{ "RDP Doctor" }</a>
                        <span class="tagline">{ "Fix “Error code: 0x904, Extended error code: 0x7” and its relatives" }</span>
                        if let Some(org) = &props.org { <span class="org">{ format!("for {org}") }</span> }
                    </div>
                </header>
            }
            <main id="content">
                <div class={classes!("intro", embed.then_some("visually-hidden"))}>
                    <h1>{ "Fix a Remote Desktop connection that fails" }</h1>
                    <p class="lede">{ "Paste the error, answer a few questions and add any evidence you have: RDP Doctor ranks the likely causes, shows why, and says what to do next. What you paste stays in this browser." }</p>
                </div>
                { props.children.clone() }
            </main>
        </div>
    }
}
