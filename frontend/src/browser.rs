//! Small wrappers over browser APIs the page uses: local storage, the URL fragment, the
//! clipboard and file downloads. Failures are quiet where the page can carry on without them
//! (private browsing without storage, for instance).

use js_sys::Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Storage, Url};

use crate::state::Session;

/// static/boot.js checks this key too, to start a returning visitor with the whole journey.
const STORAGE_KEY: &str = "rdp-doctor:session:v1";

fn storage() -> Option<Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The session saved by the last visit, if any.
pub fn load_session() -> Option<Session> {
    let json = storage()?.get_item(STORAGE_KEY).ok()??;
    serde_json::from_str(&json).ok()
}

pub fn save_session(session: &Session) {
    let (Some(storage), Ok(json)) = (storage(), serde_json::to_string(session)) else {
        return;
    };
    // Full or disabled storage only means progress is not kept.
    let _ = storage.set_item(STORAGE_KEY, &json);
}

pub fn forget_session() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(STORAGE_KEY);
    }
}

/// The page's URL fragment, with its `#`.
pub fn fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Whether the page runs in embed mode: `#embed=1` or `?embed`.
pub fn query_has(key: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|search| {
            search
                .trim_start_matches('?')
                .split('&')
                .any(|pair| pair.split('=').next() == Some(key))
        })
}

/// Replaces the fragment without reloading or adding a history entry.
pub fn replace_fragment(fragment: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let base = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let url = if fragment.len() > 1 {
            format!("{base}{fragment}")
        } else {
            base
        };
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// This page's address with `fragment` appended.
pub fn page_url_with(fragment: &str) -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return fragment.to_owned();
    };
    format!(
        "{}{}{}{fragment}",
        location.origin().unwrap_or_default(),
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    )
}

/// Copies text to the clipboard; false when the browser refused.
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    JsFuture::from(window.navigator().clipboard().write_text(text))
        .await
        .is_ok()
}

/// Offers `content` as a file download, made in the page (no request).
pub fn download(file_name: &str, mime: &str, content: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let parts = Array::of1(&JsValue::from_str(content));
    let Ok(blob) = Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(anchor) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<HtmlAnchorElement>().ok())
    {
        anchor.set_href(&url);
        anchor.set_download(file_name);
        anchor.click();
    }
    let _ = Url::revoke_object_url(&url);
}

/// The current time in ISO 8601 (UTC), for stamping exports.
pub fn now_iso() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// Opens the browser's print dialog (the stylesheet has a print layout).
pub fn print() {
    if let Some(window) = web_sys::window() {
        let _ = window.print();
    }
}
