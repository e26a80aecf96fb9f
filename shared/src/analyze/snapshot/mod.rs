//! The inside view: the output of RDP Doctor's read-only server and client checks
//! (`static/collect/server.ps1`, `client.ps1`: one JSON document each) or of one of the single
//! commands support articles ask for, turned into findings with evidence and exact fixes.
//!
//! Layout: `facts.rs` the model every reader fills in; `script.rs` the checks' JSON;
//! `commands/` the single commands; `server_checks.rs` / `client_checks.rs` the judgement. The
//! report itself is [`crate::report::SnapshotReport`].

mod client_checks;
mod commands;
mod facts;
mod script;
mod server_checks;

use serde_json::Value;

pub use script::{CLIENT_SCHEMA, SERVER_SCHEMA};

use super::events::{self, EventRecord};
use super::text::decode_text;
use super::{AnalyzeError, check_size};
use crate::evidence::{Finding, Severity};
use crate::report::{EventReport, SnapshotKind, SnapshotReport};

/// The checks print well under 1 MiB; a pasted command output is smaller still.
pub const MAX_INPUT_BYTES: usize = 4 * 1024 * 1024;
/// Events from the server check beyond this are not read.
const MAX_EVENTS: usize = 2000;

/// Reads a check's JSON or a command's output. `now_unix` judges certificate expiry.
pub fn analyze(input: &[u8], now_unix: i64) -> Result<SnapshotReport, AnalyzeError> {
    check_size(input, MAX_INPUT_BYTES)?;
    let text = decode_text(input);
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.starts_with('{') {
        let document: Value =
            serde_json::from_str(trimmed).map_err(|e| AnalyzeError::SnapshotJson(e.to_string()))?;
        return analyze_document(&document, now_unix);
    }
    let (command, facts) = commands::read(trimmed).ok_or(AnalyzeError::NoSnapshot)?;
    let mut findings = server_checks::findings(&facts, now_unix);
    sort(&mut findings);
    if findings.is_empty() {
        findings.push(Finding::new(
            Severity::Info,
            None,
            format!(
                "Read as {} output: nothing RDP-related in it",
                command.label()
            ),
            "The output shows none of the settings, rules or states the checks look at.",
        ));
    }
    Ok(SnapshotReport {
        snapshot: SnapshotKind::Command(command),
        section_errors: Vec::new(),
        findings,
        events: None,
    })
}

fn analyze_document(document: &Value, now_unix: i64) -> Result<SnapshotReport, AnalyzeError> {
    let schema = document.get("schema").and_then(Value::as_str).unwrap_or("");
    let mut section_errors = Vec::new();
    let (kind, mut findings, events) = if schema == SERVER_SCHEMA {
        let sections =
            script::sections(document, SERVER_SCHEMA).map_err(AnalyzeError::SnapshotJson)?;
        let (facts, events) = script::read_server(sections, &mut section_errors);
        let events = (!events.is_empty()).then(|| events_report(&events));
        (
            SnapshotKind::ServerCheck,
            server_checks::findings(&facts, now_unix),
            events,
        )
    } else if schema == CLIENT_SCHEMA {
        let sections =
            script::sections(document, CLIENT_SCHEMA).map_err(AnalyzeError::SnapshotJson)?;
        let facts = script::read_client(document, sections, &mut section_errors);
        (
            SnapshotKind::ClientCheck,
            client_checks::findings(&facts),
            None,
        )
    } else {
        return Err(AnalyzeError::UnknownSnapshotSchema(
            schema.chars().take(80).collect(),
        ));
    };
    sort(&mut findings);
    Ok(SnapshotReport {
        snapshot: kind,
        section_errors,
        findings,
        events,
    })
}

/// Worst first; equal severities keep their order.
fn sort(findings: &mut [Finding]) {
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
}

/// The script's events (provider, id, time, codes) as records for the event analyzer.
fn events_report(events: &[Value]) -> EventReport {
    let records = events.iter().take(MAX_EVENTS).filter_map(|event| {
        let mut record = EventRecord {
            provider: event.get("provider")?.as_str()?.to_string(),
            event_id: u32::try_from(event.get("id")?.as_u64()?).ok()?,
            ..EventRecord::default()
        };
        if let Some(time) = event.get("time").and_then(Value::as_str) {
            record.set_time(time);
        }
        if let Some(data) = event.get("data").and_then(Value::as_object) {
            for (name, value) in data.iter().take(64) {
                if let Some(value) = value.as_str() {
                    record.push_data(name, value);
                }
            }
        }
        Some(record)
    });
    events::analyze_records(records)
}
