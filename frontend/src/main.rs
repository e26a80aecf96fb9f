//! RDP Doctor's web app. Views render what `rdp-doctor-core` computed; all analysis of what the
//! person pastes happens here in the page, and none of it is sent anywhere.

mod app;
mod components;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
