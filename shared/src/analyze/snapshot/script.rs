//! Reads the JSON the server and client checks print (`rdp-doctor.server-check/1`,
//! `rdp-doctor.client-check/1`). Each section is read on its own: a section the script could not
//! collect (`{"error": …}`) or one this reader cannot understand becomes a [`SectionError`], and
//! the other sections still count. Windows PowerShell 5.1 and 7 write numbers, booleans and
//! one-element arrays slightly differently; the helpers below accept both.

use serde_json::{Map, Value};

use super::commands::{RegKey, apply_registry_value, read_w32tm};
use super::facts::{
    Ace, CertificateFacts, ClientFacts, FirewallRule, NetworkProfile, PortListener, Profile,
    RegValue, ServerFacts, ServiceState, TimeFacts,
};
use crate::analyze::parse_rfc3339;
use crate::report::SectionError;

pub const SERVER_SCHEMA: &str = "rdp-doctor.server-check/1";
pub const CLIENT_SCHEMA: &str = "rdp-doctor.client-check/1";
/// Items read from any one list; the scripts write far fewer.
const MAX_ITEMS: usize = 5000;

/// Services whose presence means third-party security software (Defender is Windows's own).
const THIRD_PARTY_SECURITY: [&str; 14] = [
    "MBAMService",
    "ekrn",
    "avp",
    "SepMasterService",
    "CSFalconService",
    "SentinelAgent",
    "Sophos Endpoint Defense Service",
    "CylanceSvc",
    "xagt",
    "TmCCSF",
    "mfefire",
    "McAfeeFramework",
    "bdservicehost",
    "cbdefense",
];

fn list(value: &Value) -> impl Iterator<Item = &Value> {
    let items: Box<dyn Iterator<Item = &Value>> = match value {
        Value::Array(items) => Box::new(items.iter()),
        Value::Null => Box::new(std::iter::empty()),
        // ConvertTo-Json writes a one-item pipeline result as the item itself.
        other => Box::new(std::iter::once(other)),
    };
    items.take(MAX_ITEMS)
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn number(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(u64::from(*b)),
        _ => None,
    }
}

fn boolean(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        Value::Number(n) => n.as_u64().map(|n| n != 0),
        _ => None,
    }
}

fn strings(value: &Value) -> Vec<String> {
    list(value).filter_map(text).collect()
}

fn registry_value(value: &Value) -> Option<RegValue> {
    match value {
        Value::Number(n) => n.as_u64().map(RegValue::Number),
        Value::String(s) => Some(RegValue::Text(s.clone())),
        _ => None,
    }
}

/// The sections object, or why the document is not one of ours.
pub(super) fn sections<'a>(
    document: &'a Value,
    schema: &str,
) -> Result<&'a Map<String, Value>, String> {
    let found = document.get("schema").and_then(Value::as_str).unwrap_or("");
    if found != schema {
        return Err(format!("expected schema {schema:?}, found {found:?}"));
    }
    document
        .get("sections")
        .and_then(Value::as_object)
        .ok_or_else(|| "the document has no \"sections\" object".to_string())
}

/// Runs `read` on each present section; errors become [`SectionError`]s.
fn each_section<F>(sections: &Map<String, Value>, errors: &mut Vec<SectionError>, mut read: F)
where
    F: FnMut(&str, &Value) -> Result<(), String>,
{
    for (name, section) in sections.iter().take(64) {
        if let Some(error) = section.get("error").and_then(text) {
            errors.push(SectionError {
                section: name.clone(),
                error,
                needs_elevation: section
                    .get("needs_elevation")
                    .and_then(boolean)
                    .unwrap_or(false),
            });
            continue;
        }
        if let Err(error) = read(name, section) {
            errors.push(SectionError {
                section: name.clone(),
                error,
                needs_elevation: false,
            });
        }
    }
}

fn object<'a>(section: &'a Value, what: &str) -> Result<&'a Map<String, Value>, String> {
    section
        .as_object()
        .ok_or_else(|| format!("expected an object of {what}"))
}

fn registry(facts: &mut ServerFacts, key: RegKey, section: &Value) -> Result<(), String> {
    if section.is_null() {
        return Ok(());
    }
    for (name, value) in object(section, "registry values")? {
        if let Some(value) = registry_value(value) {
            apply_registry_value(facts, key, name, value);
        }
    }
    Ok(())
}

fn acl(section: &Value) -> Result<Vec<Ace>, String> {
    let access = section.get("access").ok_or("expected \"access\" entries")?;
    Ok(list(access)
        .map(|entry| {
            let rights = entry.get("rights").and_then(text).unwrap_or_default();
            let (full, read) = rights_of(&rights);
            Ace {
                sid: entry.get("sid").and_then(text),
                account: entry.get("account").and_then(text),
                full,
                read,
                allow: entry
                    .get("type")
                    .and_then(text)
                    .is_none_or(|t| t.eq_ignore_ascii_case("allow")),
                inherit_only: false,
            }
        })
        .collect())
}

/// FileSystemRights as text (`FullControl`, `Read, Synchronize`) or as a number (generic rights
/// show as numbers: GENERIC_ALL 0x10000000, GENERIC_READ 0x80000000).
fn rights_of(rights: &str) -> (bool, bool) {
    if let Ok(mask) = rights.trim().parse::<i64>() {
        let mask = mask as u32 as u64;
        let full = mask & 0x1000_0000 != 0 || mask & 0x1F01FF == 0x1F01FF;
        return (full, full || mask & 0x8000_0000 != 0 || mask & 0x1 != 0);
    }
    let full = rights.contains("FullControl");
    (
        full,
        full || rights.contains("Read") || rights.contains("Modify"),
    )
}

fn time(section: &Value) -> TimeFacts {
    let lines = strings(section.get("w32tm_status").unwrap_or(&Value::Null));
    read_w32tm(lines.iter().map(String::as_str))
}

fn profile(name: &str) -> Option<Profile> {
    match name.trim() {
        "Domain" | "DomainAuthenticated" => Some(Profile::Domain),
        "Private" => Some(Profile::Private),
        "Public" => Some(Profile::Public),
        _ => None,
    }
}

fn firewall(section: &Value) -> Result<Vec<FirewallRule>, String> {
    let rules = section.get("rules").ok_or("expected \"rules\"")?;
    Ok(list(rules)
        .map(|rule| {
            let get = |name: &str| rule.get(name).and_then(text).unwrap_or_default();
            let profiles_text = get("profile");
            FirewallRule {
                name: rule.get("name").and_then(text),
                display_name: get("display_name"),
                enabled: get("enabled").eq_ignore_ascii_case("true"),
                profiles: profiles_text.split(',').filter_map(profile).collect(),
                inbound: get("direction") != "Outbound",
                allow: get("action") != "Block",
                protocol: get("protocol"),
                local_ports: strings(rule.get("local_port").unwrap_or(&Value::Null)),
                remote_addresses: strings(rule.get("remote_address").unwrap_or(&Value::Null)),
                remote_desktop_group: get("group") == "@FirewallAPI.dll,-28752",
            }
        })
        .collect())
}

fn certificate(cert: &Value) -> CertificateFacts {
    let get = |name: &str| cert.get(name).and_then(text).unwrap_or_default();
    let not_after = cert.get("not_after").and_then(text);
    CertificateFacts {
        store: get("store"),
        thumbprint: get("thumbprint").to_ascii_uppercase(),
        subject: get("subject"),
        not_after_unix: not_after.as_deref().and_then(parse_rfc3339),
        not_after_text: not_after,
        has_private_key: cert.get("has_private_key").and_then(boolean),
        key_file: cert.get("key_file").and_then(text),
        key_acl: cert
            .get("key_acl")
            .filter(|a| !a.is_null())
            .and_then(|a| acl(a).ok()),
    }
}

pub(super) fn read_server(
    sections: &Map<String, Value>,
    errors: &mut Vec<SectionError>,
) -> (ServerFacts, Vec<Value>) {
    let mut facts = ServerFacts::default();
    let mut events = Vec::new();
    each_section(sections, errors, |name, section| {
        match name {
            "os" => {
                facts.pending_reboot =
                    strings(section.get("pending_reboot").unwrap_or(&Value::Null));
            }
            "services" => {
                facts.services = list(section)
                    .map(|s| ServiceState {
                        name: s.get("name").and_then(text).unwrap_or_default(),
                        status: s.get("status").and_then(text).unwrap_or_default(),
                        start_type: s.get("start_type").and_then(text),
                    })
                    .collect();
            }
            "remote_desktop" => registry(&mut facts, RegKey::TerminalServer, section)?,
            "listener" => registry(&mut facts, RegKey::Listener, section)?,
            "policy" => registry(&mut facts, RegKey::Policy, section)?,
            "port_listeners" => {
                facts.port_listeners = Some(
                    list(section)
                        .map(|l| PortListener {
                            address: l.get("address").and_then(text).unwrap_or_default(),
                            port: l
                                .get("port")
                                .and_then(number)
                                .and_then(|p| u16::try_from(p).ok())
                                .unwrap_or(0),
                            pid: l
                                .get("pid")
                                .and_then(number)
                                .and_then(|p| u32::try_from(p).ok()),
                            process: l.get("process").and_then(text),
                            services: strings(l.get("services").unwrap_or(&Value::Null)),
                        })
                        .collect(),
                );
            }
            "certificates" => {
                facts.certificate_in_use = section
                    .get("configured_thumbprint")
                    .and_then(text)
                    .map(|t| t.to_ascii_uppercase());
                facts.certificate_in_use_found = section.get("configured_found").and_then(boolean);
                facts.certificates = list(section.get("certificates").unwrap_or(&Value::Null))
                    .map(certificate)
                    .collect();
            }
            "machinekeys" => facts.machinekeys_acl = Some(acl(section)?),
            "schannel" => {
                for protocol in list(section.get("protocols").unwrap_or(&Value::Null)) {
                    let is = |name: &str, want: &str| {
                        protocol
                            .get(name)
                            .and_then(text)
                            .is_some_and(|v| v.eq_ignore_ascii_case(want))
                    };
                    if is("protocol", "TLS 1.2") && is("side", "Server") {
                        facts.tls12_server_enabled = protocol.get("enabled").and_then(number);
                    }
                }
            }
            "credssp" => {
                facts.credssp_oracle = section.get("AllowEncryptionOracle").and_then(number)
            }
            "firewall" => {
                facts.firewall_rules = Some(firewall(section)?);
                facts.listeners_port = section
                    .get("rdp_port")
                    .and_then(number)
                    .and_then(|p| u16::try_from(p).ok());
            }
            "network" => {
                facts.network_profiles = Some(
                    list(section)
                        .filter_map(|n| {
                            Some(NetworkProfile {
                                interface: n.get("interface").and_then(text).unwrap_or_default(),
                                name: n.get("name").and_then(text).unwrap_or_default(),
                                category: profile(&n.get("category").and_then(text)?)?,
                            })
                        })
                        .collect(),
                );
            }
            "security_products" => {
                facts.third_party_security = list(section.get("services").unwrap_or(&Value::Null))
                    .filter_map(|s| {
                        let name = s.get("name").and_then(text)?;
                        let running = s
                            .get("status")
                            .and_then(text)
                            .is_some_and(|st| st == "Running");
                        (running
                            && THIRD_PARTY_SECURITY
                                .iter()
                                .any(|k| k.eq_ignore_ascii_case(&name)))
                        .then(|| s.get("display_name").and_then(text).unwrap_or(name))
                    })
                    .collect();
            }
            "time" => facts.time = Some(time(section)),
            "domain" if section.get("part_of_domain").and_then(boolean) == Some(true) => {
                let lines = strings(section.get("secure_channel").unwrap_or(&Value::Null));
                let failed = section
                    .get("secure_channel_exit")
                    .and_then(number)
                    .is_some_and(|code| code != 0);
                let status = lines
                    .iter()
                    .find(|l| l.contains("Status =") && !l.contains("NERR_Success"));
                if failed || status.is_some() {
                    facts.secure_channel_error = Some(
                        status
                            .cloned()
                            .unwrap_or_else(|| lines.join(" ").trim().to_string()),
                    );
                }
            }
            "entra" => {
                facts.entra_joined = strings(section.get("dsregcmd").unwrap_or(&Value::Null))
                    .iter()
                    .find_map(|l| {
                        l.split_once(':')
                            .filter(|(k, _)| k.trim() == "AzureAdJoined")
                            .map(|(_, v)| v.trim().eq_ignore_ascii_case("YES"))
                    });
            }
            "licensing" if section.get("terminal_server_mode").and_then(number) == Some(1) => {
                facts.grace_period_days = section.get("grace_period_days").and_then(number);
            }
            "logon_rights" => {
                facts.remote_desktop_users =
                    Some(list(section.get("remote_desktop_users").unwrap_or(&Value::Null)).count());
                if let Some(rights) = section
                    .get("rights_from_group_policy")
                    .filter(|r| !r.is_null())
                {
                    facts.deny_remote_logon = Some(
                        list(rights)
                            .filter(|r| {
                                r.get("right").and_then(text).as_deref()
                                    == Some("SeDenyRemoteInteractiveLogonRight")
                            })
                            .flat_map(|r| strings(r.get("holders").unwrap_or(&Value::Null)))
                            .collect(),
                    );
                }
            }
            "events" => {
                events = list(section.get("events").unwrap_or(&Value::Null))
                    .cloned()
                    .collect()
            }
            _ => {}
        }
        Ok(())
    });
    (facts, events)
}

pub(super) fn read_client(
    document: &Value,
    sections: &Map<String, Value>,
    errors: &mut Vec<SectionError>,
) -> ClientFacts {
    let mut facts = ClientFacts {
        target: document.get("target").and_then(|t| {
            Some((
                t.get("host").and_then(text)?,
                u16::try_from(t.get("port").and_then(number)?).ok()?,
            ))
        }),
        ..ClientFacts::default()
    };
    each_section(sections, errors, |name, section| {
        match name {
            "client_policy" => {
                for scope in ["machine", "user"] {
                    if let Some(values) = section.get(scope).and_then(Value::as_object) {
                        facts.rdp_policies.extend(
                            values
                                .iter()
                                .take(MAX_ITEMS)
                                .map(|(k, v)| format!("{k} = {}", text(v).unwrap_or_default())),
                        );
                    }
                }
                facts.credssp_oracle = section.get("AllowEncryptionOracle").and_then(number);
            }
            "saved_credentials" => {
                facts.saved_credentials = strings(section.get("for_server").unwrap_or(&Value::Null))
            }
            "dns" => {
                let answers: Vec<String> = list(section.get("answers").unwrap_or(&Value::Null))
                    .filter_map(|a| a.get("address").and_then(text))
                    .collect();
                facts.dns = Some(if answers.is_empty() {
                    Err("no address records".into())
                } else {
                    Ok(answers)
                });
            }
            "tcp" => {
                let connected = section
                    .get("connected")
                    .and_then(boolean)
                    .ok_or("expected \"connected\"")?;
                facts.tcp = Some(if connected {
                    Ok(section.get("source").and_then(text).unwrap_or_default())
                } else {
                    Err(section
                        .get("failure")
                        .and_then(text)
                        .unwrap_or_else(|| "the connection failed".into()))
                });
            }
            "interfaces" => {
                for adapter in list(section.get("adapters").unwrap_or(&Value::Null)) {
                    let name = adapter
                        .get("description")
                        .and_then(text)
                        .unwrap_or_default();
                    if adapter.get("vpn").and_then(boolean) == Some(true) {
                        facts.vpn_adapters.push(name.clone());
                    }
                    if let Some(mtu) = adapter
                        .get("mtu")
                        .and_then(number)
                        .filter(|&m| m < 1400 && m > 0)
                    {
                        facts.low_mtu.push((name, mtu));
                    }
                }
            }
            "time" => facts.time = Some(time(section)),
            _ => {}
        }
        Ok(())
    });
    // A failed DNS lookup is reported as the section's own error by the script.
    if let Some(error) = errors.iter().find(|e| e.section == "dns") {
        facts.dns = Some(Err(error.error.clone()));
    }
    facts
}
