//! `reg query <key>` output: the key's path on its own line, then `    Name    REG_TYPE    value`
//! lines. reg prints the same words in every display language.

use crate::analyze::snapshot::facts::{RegValue, ServerFacts, Setting};

pub(super) fn looks_like(text: &str) -> bool {
    text.lines()
        .any(|l| l.trim_start().starts_with("HKEY_LOCAL_MACHINE\\"))
        && text.contains("    REG_")
}

/// Which key the values belong to decides what they mean.
#[derive(Clone, Copy, PartialEq)]
pub(in crate::analyze::snapshot) enum Key {
    TerminalServer,
    Listener,
    Policy,
    Tls12Server,
    CredSsp,
    Other,
}

fn key_of(path: &str) -> Key {
    let path = path.trim().to_ascii_lowercase();
    if path.ends_with("\\control\\terminal server") {
        Key::TerminalServer
    } else if path.ends_with("\\winstations\\rdp-tcp") {
        Key::Listener
    } else if path.ends_with("\\policies\\microsoft\\windows nt\\terminal services") {
        Key::Policy
    } else if path.ends_with("\\protocols\\tls 1.2\\server") {
        Key::Tls12Server
    } else if path.ends_with("\\credssp\\parameters") {
        Key::CredSsp
    } else {
        Key::Other
    }
}

fn value(kind: &str, data: &str) -> RegValue {
    let data = data.trim();
    if (kind.eq_ignore_ascii_case("REG_DWORD") || kind.eq_ignore_ascii_case("REG_QWORD"))
        && let Some(n) = data
            .strip_prefix("0x")
            .and_then(|hex| u64::from_str_radix(hex, 16).ok())
    {
        return RegValue::Number(n);
    }
    RegValue::Text(data.to_string())
}

pub(super) fn read(text: &str, facts: &mut ServerFacts) {
    let mut key = Key::Other;
    for line in text.lines() {
        if line.trim_start().starts_with("HKEY_") {
            key = key_of(line);
            continue;
        }
        let mut parts = line.split("    ").map(str::trim).filter(|p| !p.is_empty());
        let (Some(name), Some(kind)) = (parts.next(), parts.next()) else {
            continue;
        };
        if !kind.starts_with("REG_") {
            continue;
        }
        let data = parts.collect::<Vec<_>>().join("    ");
        apply(facts, key, name, value(kind, &data));
    }
}

/// Records one registry value; a policy value wins over the listener's own.
pub(in crate::analyze::snapshot) fn apply(
    facts: &mut ServerFacts,
    key: Key,
    name: &str,
    value: RegValue,
) {
    let by_policy = key == Key::Policy;
    let slot = match (key, name.to_ascii_lowercase().as_str()) {
        (Key::TerminalServer | Key::Policy, "fdenytsconnections") => &mut facts.deny_connections,
        (Key::Listener, "portnumber") => &mut facts.port,
        (Key::Listener | Key::Policy, "securitylayer") => &mut facts.security_layer,
        (Key::Listener | Key::Policy, "userauthentication") => &mut facts.user_authentication,
        (Key::Listener | Key::Policy, "minencryptionlevel") => &mut facts.min_encryption,
        (Key::Listener, "fenablewinstation") => &mut facts.listener_enabled,
        (Key::Tls12Server, "enabled") => {
            facts.tls12_server_enabled = value.number();
            return;
        }
        (Key::CredSsp, "allowencryptionoracle") => {
            facts.credssp_oracle = value.number();
            return;
        }
        (Key::Policy, "licenseservers") => {
            facts.license_servers_configured = Some(!value.text().trim().is_empty());
            return;
        }
        (Key::Policy, "licensingmode") => {
            facts.licensing_mode = value.number();
            return;
        }
        _ => return,
    };
    if slot.as_ref().is_some_and(|s| s.by_policy) && !by_policy {
        return;
    }
    *slot = Some(Setting { value, by_policy });
}
