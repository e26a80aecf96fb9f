//! RDP Doctor's web app. Views render what `rdp-doctor-core` computed; all analysis of what the
//! person pastes happens here in the page, and none of it is sent anywhere.
//!
//! Two Wasm modules are built from this library (see `src/bin/`): the small first screen and
//! the whole journey. Each exports only its own `mount`, so each carries only what it renders.

mod analysis_client;
mod app;
mod audience;
mod browser;
mod components;
mod export;
mod first_screen;
mod labels;
mod link;
mod net;
mod state;

/// The first screen while it is mounted.
pub type FirstScreenApp = yew::AppHandle<first_screen::FirstScreen>;

/// Renders the whole journey into `root`; `typed` is the error text from the first screen.
pub fn mount_journey(root: web_sys::Element, typed: String) {
    yew::Renderer::<app::App>::with_root_and_props(
        root,
        app::AppProps {
            typed: typed.into(),
        },
    )
    .render();
}

/// Renders the first screen into `root`.
pub fn mount_first_screen(root: web_sys::Element, embed: bool) -> FirstScreenApp {
    yew::Renderer::<first_screen::FirstScreen>::with_root_and_props(
        root,
        first_screen::FirstScreenProps { embed },
    )
    .render()
}
