//! `netsh advfirewall firewall show rule name=all [verbose]`: one block per rule, introduced by
//! `Rule Name:` and a dashed line, then `Label: value` lines. Labels and values are translated;
//! English and German are read (German from a published test fixture, see the fixtures README).

use super::label_value;
use crate::analyze::snapshot::facts::{FirewallRule, Profile};

/// Rules beyond this are not read; a server has a few hundred.
const MAX_RULES: usize = 5000;

const RULE_NAME: [&str; 2] = ["Rule Name", "Regelname"];

pub(super) fn looks_like(text: &str) -> bool {
    text.lines()
        .any(|l| label_value(l).is_some_and(|(label, _)| RULE_NAME.contains(&label)))
        && text.contains("----------")
}

fn yes(value: &str) -> bool {
    matches!(value.trim().to_lowercase().as_str(), "yes" | "ja")
}

fn profiles(value: &str) -> Vec<Profile> {
    value
        .split(',')
        .filter_map(|p| match p.trim().to_lowercase().as_str() {
            "domain" | "domäne" => Some(Profile::Domain),
            "private" | "privat" => Some(Profile::Private),
            "public" | "öffentlich" => Some(Profile::Public),
            _ => None,
        })
        .collect()
}

fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(|v| match v.to_lowercase().as_str() {
            "beliebig" => "Any".to_string(),
            _ => v.to_string(),
        })
        .collect()
}

pub(super) fn read(text: &str) -> Vec<FirewallRule> {
    let mut rules: Vec<FirewallRule> = Vec::new();
    for line in text.lines() {
        let Some((label, value)) = label_value(line) else {
            continue;
        };
        if RULE_NAME.contains(&label) {
            if rules.len() >= MAX_RULES {
                break;
            }
            rules.push(FirewallRule {
                display_name: value.to_string(),
                // netsh shows every direction and action; unset means the defaults below.
                inbound: true,
                allow: true,
                ..FirewallRule::default()
            });
            continue;
        }
        let Some(rule) = rules.last_mut() else {
            continue;
        };
        match label.to_lowercase().as_str() {
            "enabled" | "aktiviert" => rule.enabled = yes(value),
            "direction" | "richtung" => {
                rule.inbound = matches!(value.to_lowercase().as_str(), "in" | "eingehend")
            }
            "profiles" | "profile" => rule.profiles = profiles(value),
            "grouping" | "gruppierung" => {
                let group = value.to_lowercase();
                rule.remote_desktop_group =
                    group.starts_with("remote desktop") || group.starts_with("remotedesktop");
            }
            "protocol" | "protokoll" => rule.protocol = list(value).join(","),
            "localport" | "lokaler port" => rule.local_ports = list(value),
            "remoteip" => rule.remote_addresses = list(value),
            "action" | "aktion" => {
                rule.allow = matches!(value.to_lowercase().as_str(), "allow" | "zulassen")
            }
            _ => {}
        }
    }
    // "Any" profiles read as an empty list: every profile.
    rules
}
