//! An .rdp file's settings in words, from the knowledge base (`kb/rdp_settings.toml`): what the
//! setting does and what its value chooses, with the line as written kept for reference.

use rdp_doctor_core::kb;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RdpSettingsProps {
    /// `(name, value)` as written in the file.
    pub settings: Vec<(String, String)>,
}

/// The settings the knowledge base explains first, in words; the rest folded.
#[function_component(RdpSettingsList)]
pub fn rdp_settings_list(props: &RdpSettingsProps) -> Html {
    let (known, other): (Vec<_>, Vec<_>) = props
        .settings
        .iter()
        .partition(|(name, _)| kb::rdp_setting(name).is_some());
    html! {
        <>
            if !known.is_empty() {
                <dl class="facts settings">
                    { for known.iter().filter_map(|(name, value)| {
                        let info = kb::rdp_setting(name)?;
                        let chosen = info.values.get(value.trim()).map_or_else(|| value.clone(), Clone::clone);
                        Some(html! {
                            <>
                                <dt>{ &info.meaning }</dt>
                                <dd>{ chosen }<span class="muted">{ " (" }<code>{ format!("{name}: {value}") }</code>{ ")" }</span></dd>
                            </>
                        })
                    }) }
                </dl>
            }
            if !other.is_empty() {
                <details>
                    <summary>{ format!("{} more settings (display, devices, and others)", other.len()) }</summary>
                    <dl class="facts">
                        { for other.iter().map(|(name, value)| html! { <><dt>{ name }</dt><dd><code>{ value }</code></dd></> }) }
                    </dl>
                </details>
            }
        </>
    }
}
