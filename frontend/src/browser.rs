//! Small wrappers over browser APIs the page uses: local storage and downloads (through gloo),
//! the URL fragment and the clipboard. Failures are quiet where the page can carry on without them
//! (private browsing without storage, for instance).

use gloo::file::{Blob, ObjectUrl};
use gloo::storage::{LocalStorage, Storage};
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlAnchorElement;

use crate::state::Session;

/// static/boot.js checks this key too, to start a returning visitor with the whole journey.
const STORAGE_KEY: &str = "rdp-doctor:session:v1";

/// The session saved by the last visit, if any.
pub fn load_session() -> Option<Session> {
    LocalStorage::get(STORAGE_KEY).ok()
}

pub fn save_session(session: &Session) {
    // Full or disabled storage only means progress is not kept.
    let _ = LocalStorage::set(STORAGE_KEY, session);
}

pub fn forget_session() {
    LocalStorage::delete(STORAGE_KEY);
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
    // Revoked when `url` is dropped, after the click has started the download.
    let url = ObjectUrl::from(Blob::new_with_options(content, Some(mime)));
    if let Some(anchor) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<HtmlAnchorElement>().ok())
    {
        anchor.set_href(&url);
        anchor.set_download(file_name);
        anchor.click();
    }
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

/// Unix milliseconds as the person's local date and time.
pub fn local_time(unix_ms: u64) -> String {
    let date = js_sys::Date::new(&JsValue::from_f64(unix_ms as f64));
    String::from(date.to_locale_string("default", &JsValue::UNDEFINED))
}

/// An RFC 3339 time as Unix milliseconds; `None` when the browser cannot read it.
pub fn parse_time(text: &str) -> Option<f64> {
    let ms = js_sys::Date::parse(text);
    ms.is_finite().then_some(ms)
}

/// Opens the `<details>` inside the element `id`, scrolls it into view and moves focus to it.
pub fn reveal(id: &str) {
    let Some(element) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    else {
        return;
    };
    if let Ok(Some(details)) = element.query_selector("details") {
        let _ = details.set_attribute("open", "");
    }
    if let Ok(Some(summary)) = element.query_selector("summary")
        && let Ok(summary) = summary.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = summary.focus();
    }
    element.scroll_into_view();
}
