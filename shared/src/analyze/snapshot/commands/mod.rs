//! The single commands support articles ask people to run on the server, pasted one at a time:
//! each reader recognises its command's output and fills in what it shows. Labels that Windows
//! translates are matched in English and German (the languages of the published outputs in
//! `shared/tests/fixtures/snapshot/`); where a language-neutral reading exists (SIDs, numbers,
//! an empty foreign address for a listening socket) it is preferred.

mod certutil;
mod icacls;
mod netsh;
mod reg;
mod tables;
mod w32tm;

use super::facts::ServerFacts;
pub use crate::report::Command;

/// Recognises the command and reads its output; `None` when the text is none of them.
pub(super) fn read(text: &str) -> Option<(Command, ServerFacts)> {
    let mut facts = ServerFacts::default();
    let command = if reg::looks_like(text) {
        reg::read(text, &mut facts);
        Command::RegQuery
    } else if netsh::looks_like(text) {
        facts.firewall_rules = Some(netsh::read(text));
        Command::NetshFirewallRules
    } else if certutil::looks_like(text) {
        facts.certificates = certutil::read(text);
        Command::CertutilStore
    } else if icacls::looks_like(text) {
        facts.machinekeys_acl = Some(icacls::read(text));
        Command::Icacls
    } else if w32tm::looks_like(text) {
        facts.time = Some(w32tm::read(text.lines()));
        Command::W32tmStatus
    } else {
        tables::read(text, &mut facts)?
    };
    Some((command, facts))
}

pub(super) use reg::{Key as RegKey, apply as apply_registry_value};
pub(super) use w32tm::read as read_w32tm;

/// `Label : value` or `Label: value` lines, for the list-shaped outputs.
fn label_value(line: &str) -> Option<(&str, &str)> {
    let (label, value) = line.split_once(':')?;
    let label = label.trim();
    (!label.is_empty() && label.len() <= 48).then_some((label, value.trim()))
}
