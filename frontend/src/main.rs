//! The whole journey's module. boot.js mounts it at once for a returning visitor or a support
//! link, and otherwise in place of the first screen as soon as it has loaded.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
pub fn mount(root: web_sys::Element, typed: String) {
    rdp_doctor_frontend::mount_journey(root, typed);
}

// Started by boot.js through `mount`, which knows where and with what.
fn main() {}
