//! The outputs shaped as tables or `Name : value` lists: Get-Service, Get-NetConnectionProfile,
//! Get-NetTCPConnection (PowerShell prints property names and enum values untranslated),
//! netstat -ano and qwinsta (translated headers and states, read by position and number instead),
//! and dsregcmd /status (`Name : YES` lines).

use super::{Command, label_value};
use crate::analyze::snapshot::facts::{
    NetworkProfile, PortListener, Profile, ServerFacts, ServiceState, Session,
};
use crate::report::Target;

const MAX_ROWS: usize = 20_000;
/// The services whose state matters, as Get-Service names them.
const SERVICES: [&str; 3] = ["TermService", "UmRdpService", "SessionEnv"];
/// ServiceControllerStatus names, as Get-Service prints them in every language.
const STATUSES: [&str; 7] = [
    "Running",
    "Stopped",
    "StartPending",
    "StopPending",
    "Paused",
    "PausePending",
    "ContinuePending",
];

pub(super) fn read(text: &str, facts: &mut ServerFacts) -> Option<Command> {
    let lines: Vec<&str> = text.lines().take(MAX_ROWS).collect();
    let has_label = |name: &str| {
        lines
            .iter()
            .any(|l| label_value(l).is_some_and(|(label, _)| label == name))
    };
    if has_label("NetworkCategory") {
        facts.network_profiles = Some(connection_profiles(&lines));
        return Some(Command::GetNetConnectionProfile);
    }
    if has_label("AzureAdJoined") {
        facts.entra_joined = lines.iter().find_map(|l| match label_value(l) {
            Some(("AzureAdJoined", value)) => Some(value.eq_ignore_ascii_case("YES")),
            _ => None,
        });
        return Some(Command::DsregcmdStatus);
    }
    let header = |words: &[&str]| {
        lines.iter().position(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            words.iter().all(|w| cells.contains(w))
        })
    };
    if let Some(at) = header(&["LocalAddress", "LocalPort", "OwningProcess"]) {
        facts.port_listeners = Some(tcp_connection_table(&lines[at + 1..]));
        facts.listeners_port = Some(Target::DEFAULT_PORT);
        return Some(Command::GetNetTcpConnection);
    }
    if let Some(at) = header(&["Status", "Name", "DisplayName"]) {
        facts.services = service_table(&lines[at + 1..]);
        return Some(Command::GetService);
    }
    // Rows of the table without its header (an excerpt of a longer listing).
    let rows = service_table(&lines);
    if !rows.is_empty() {
        facts.services = rows;
        return Some(Command::GetService);
    }
    if has_label("ServiceName")
        || (has_label("Status") && has_label("Name") && has_label("StartType"))
    {
        facts.services = service_list(&lines);
        return Some(Command::GetService);
    }
    if let Some(at) = header(&["Proto"]).filter(|&at| lines[at].contains("PID")) {
        facts.port_listeners = Some(netstat(&lines[at + 1..]));
        facts.listeners_port = Some(Target::DEFAULT_PORT);
        return Some(Command::Netstat);
    }
    if let Some(at) = header(&["ID"]).filter(|&at| {
        lines[at..]
            .iter()
            .any(|l| l.contains("rdp-tcp") || l.contains("console"))
    }) {
        facts.sessions = Some(sessions(&lines[at + 1..]));
        return Some(Command::Qwinsta);
    }
    None
}

/// `Format-List` blocks separated by blank lines.
fn blocks<'a>(lines: &[&'a str]) -> Vec<Vec<(&'a str, &'a str)>> {
    let mut blocks = vec![Vec::new()];
    for line in lines {
        match label_value(line) {
            Some(pair) => blocks.last_mut().map_or((), |b| b.push(pair)),
            None if line.trim().is_empty() => blocks.push(Vec::new()),
            None => {}
        }
    }
    blocks.retain(|b| !b.is_empty());
    blocks
}

fn get<'a>(block: &[(&str, &'a str)], name: &str) -> Option<&'a str> {
    block.iter().find(|(l, _)| *l == name).map(|(_, v)| *v)
}

fn connection_profiles(lines: &[&str]) -> Vec<NetworkProfile> {
    blocks(lines)
        .iter()
        .filter_map(|b| {
            let category = match get(b, "NetworkCategory")? {
                "Public" => Profile::Public,
                "Private" => Profile::Private,
                "DomainAuthenticated" => Profile::Domain,
                _ => return None,
            };
            Some(NetworkProfile {
                interface: get(b, "InterfaceAlias").unwrap_or_default().to_string(),
                name: get(b, "Name").unwrap_or_default().to_string(),
                category,
            })
        })
        .collect()
}

fn service_table(rows: &[&str]) -> Vec<ServiceState> {
    rows.iter()
        .filter_map(|row| {
            let mut cells = row.split_whitespace();
            let (status, name) = (cells.next()?, cells.next()?);
            (STATUSES.contains(&status) && SERVICES.iter().any(|s| s.eq_ignore_ascii_case(name)))
                .then(|| ServiceState {
                    name: name.to_string(),
                    status: status.to_string(),
                    start_type: None,
                })
        })
        .collect()
}

fn service_list(lines: &[&str]) -> Vec<ServiceState> {
    blocks(lines)
        .iter()
        .filter_map(|b| {
            let name = get(b, "Name").or_else(|| get(b, "ServiceName"))?;
            SERVICES
                .iter()
                .any(|s| s.eq_ignore_ascii_case(name))
                .then(|| ServiceState {
                    name: name.to_string(),
                    status: get(b, "Status").unwrap_or_default().to_string(),
                    start_type: get(b, "StartType").map(str::to_string),
                })
        })
        .collect()
}

/// `0.0.0.0:3389` or `[::]:3389` → (address, port).
fn endpoint(text: &str) -> Option<(&str, u16)> {
    let (address, port) = text.rsplit_once(':')?;
    Some((address, port.parse().ok()?))
}

/// A listening socket has no foreign endpoint (`0.0.0.0:0`, `[::]:0`); the state column's word is
/// translated ("ABHÖREN" in German), the foreign address is not.
fn netstat(rows: &[&str]) -> Vec<PortListener> {
    rows.iter()
        .filter_map(|row| {
            let cells: Vec<&str> = row.split_whitespace().collect();
            if cells.len() < 5 || !cells[0].eq_ignore_ascii_case("TCP") {
                return None;
            }
            let (address, port) = endpoint(cells[1])?;
            let (_, foreign_port) = endpoint(cells[2])?;
            (port == Target::DEFAULT_PORT && foreign_port == 0).then(|| PortListener {
                address: address.to_string(),
                port,
                pid: cells.last().and_then(|p| p.parse().ok()),
                ..PortListener::default()
            })
        })
        .collect()
}

fn tcp_connection_table(rows: &[&str]) -> Vec<PortListener> {
    rows.iter()
        .filter_map(|row| {
            let cells: Vec<&str> = row.split_whitespace().collect();
            let port: u16 = cells.get(1)?.parse().ok()?;
            (port == Target::DEFAULT_PORT && cells.contains(&"Listen")).then(|| PortListener {
                address: cells[0].to_string(),
                port,
                pid: cells.last().and_then(|p| p.parse().ok()),
                ..PortListener::default()
            })
        })
        .collect()
}

/// qwinsta rows: a session name, then (maybe) a user, then the numeric ID. The listener is the
/// `rdp-tcp` row whose ID is 65536 or more, whatever its translated state word.
fn sessions(rows: &[&str]) -> Vec<Session> {
    rows.iter()
        .filter_map(|row| {
            let cells: Vec<&str> = row
                .trim_start_matches(['>', ' '])
                .split_whitespace()
                .collect();
            let name = cells.first()?;
            let id = cells.iter().skip(1).find_map(|c| c.parse::<u64>().ok())?;
            Some(Session {
                name: name.to_string(),
                id,
            })
        })
        .collect()
}
