use yew::prelude::*;

use crate::components::decode::DecodePanel;

#[function_component(App)]
pub fn app() -> Html {
    html! {
        <>
            <a class="skip-link" href="#content">{ "Skip to content" }</a>
            <header class="site-header">
                <div class="inner">
                    <a class="brand" href="./">{ "RDP Doctor" }</a>
                    <span class="tagline">{ "Fix “Error code: 0x904, Extended error code: 0x7” and its relatives" }</span>
                </div>
            </header>
            <main id="content">
                <DecodePanel />
            </main>
        </>
    }
}
