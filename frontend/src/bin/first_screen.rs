//! The first screen's module: what a new visitor downloads before anything else.

use rdp_doctor_frontend::FirstScreenApp;
use wasm_bindgen::prelude::wasm_bindgen;

/// The mounted first screen, until the journey replaces it.
#[wasm_bindgen]
pub struct FirstScreen(FirstScreenApp);

#[wasm_bindgen]
impl FirstScreen {
    pub fn unmount(self) {
        self.0.destroy();
    }
}

#[wasm_bindgen]
pub fn mount(root: web_sys::Element, embed: bool) -> FirstScreen {
    FirstScreen(rdp_doctor_frontend::mount_first_screen(root, embed))
}

// Started by boot.js through `mount`, which knows where and with what.
fn main() {}
