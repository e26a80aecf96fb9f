//! RDP Doctor's web app. Views render what `rdp-doctor-core` computed; all analysis of what the
//! person pastes happens here in the page, and none of it is sent anywhere.

mod analysis_client;
mod app;
mod browser;
mod components;
mod export;
mod labels;
mod link;
mod net;
mod reports;
mod state;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
