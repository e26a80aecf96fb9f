//! Windows event log analyzer: finds the RDP-relevant events in whatever export a person has,
//! puts them on a timeline, counts the rest, and turns them into evidence.
//!
//! Inputs (auto-detected): event XML (one, many, or `wevtutil qe /f:xml` output without a root),
//! Event Viewer "Copy details as text", `wevtutil qe /f:text`, `Get-WinEvent | Format-List`,
//! Event Viewer and `Export-Csv` CSV files, and events quoted one per line (`Schannel 36871: …`).
//! Binary .evtx files go through `crate::analyze::evtx` (feature `evtx`), which hands parsed
//! records to [`analyze_records`].
//!
//! Memory stays bounded however large the input: records are analysed as they are parsed, the
//! timeline keeps at most [`MAX_TIMELINE`] entries and the counts at most [`MAX_OTHER_KINDS`] kinds.

mod catalogue;
mod csv;
mod labeled;
mod quoted;
pub(crate) mod xml;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use self::catalogue::Decoded;
use super::text::{PrintedTime, decode_text};
use super::{AnalyzeError, check_size};
use crate::evidence::{Finding, Severity};
pub use crate::report::{EventFormat, EventReport, OtherCount, TimelineEntry};

/// A 100 MB export must work; this is the ceiling a browser tab can still hold comfortably.
pub const MAX_INPUT_BYTES: usize = 256 * 1024 * 1024;
pub const MAX_TIMELINE: usize = 5_000;
pub const MAX_OTHER_KINDS: usize = 500;
/// Longest message or data value kept per event; Windows messages are far shorter.
const MAX_VALUE_CHARS: usize = 4096;
/// Named data fields kept per event.
const MAX_FIELDS: usize = 64;
/// Events whose last sighting is this long before the failure are flagged old (and weigh less).
pub const OLD_AFTER_SECS: i64 = 7 * 24 * 3600;

/// One event as read from any input format.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    /// Provider name as the input shows it (`Schannel`, `Microsoft-Windows-…`).
    pub provider: String,
    pub event_id: u32,
    /// `2024-01-15T09:02:11Z`, or `2024-01-15 09:02:11 (local time)` when the input printed local time.
    pub time: Option<String>,
    /// Seconds since 1970 of the printed time read as UTC; orders the timeline.
    pub time_sort_key: Option<i64>,
    pub computer: Option<String>,
    pub channel: Option<String>,
    /// Named event data (`EventData/Data[@Name]`, `UserData/*`), when the input carries it.
    pub data: Vec<(String, String)>,
    /// The rendered message, in whatever language Windows wrote it.
    pub message: Option<String>,
}

impl EventRecord {
    pub(crate) fn set_time(&mut self, printed: &str) {
        match super::text::parse_printed_time(printed) {
            Some(time) => self.set_parsed_time(time),
            None => self.time = Some(clip(printed.trim().to_string())),
        }
    }

    fn set_parsed_time(&mut self, time: PrintedTime) {
        self.time = Some(time.display());
        self.time_sort_key = Some(time.unix_if_utc);
    }

    pub(crate) fn push_data(&mut self, name: &str, value: &str) {
        if self.data.len() < MAX_FIELDS {
            self.data
                .push((clip(name.to_string()), clip(value.trim().to_string())));
        }
    }

    pub(crate) fn set_message(&mut self, message: &str) {
        let message = message.trim();
        if !message.is_empty() {
            self.message = Some(clip(message.to_string()));
        }
    }
}

fn clip(mut value: String) -> String {
    // Byte length bounds the character count: most values need no scan.
    if value.len() <= MAX_VALUE_CHARS {
        return value;
    }
    if let Some((cut, _)) = value.char_indices().nth(MAX_VALUE_CHARS) {
        value.truncate(cut);
        value.push('…');
    }
    value
}

/// Reads an event export in any supported text format and analyses it; the newest relevant
/// warning or error marks when the connection failed.
pub fn analyze(input: &[u8]) -> Result<EventReport, AnalyzeError> {
    analyze_at(input, None)
}

/// Like [`analyze`], with the time the connection failed as the person gives it (seconds since
/// 1970, read the way the export prints times), which sets the failure window.
pub fn analyze_at(input: &[u8], failed_at: Option<i64>) -> Result<EventReport, AnalyzeError> {
    check_size(input, MAX_INPUT_BYTES)?;
    if input.starts_with(b"ElfFile\0") {
        return Err(AnalyzeError::EvtxNeedsEvtxReader);
    }
    let text = decode_text(input);
    let mut analysis = Analysis::default();
    let format = if xml::contains_events(&text) {
        analysis.unreadable += xml::parse_events(&text, |record| analysis.add(record));
        if text.trim_start().starts_with('<') {
            EventFormat::Xml
        } else {
            EventFormat::EventViewerDetails
        }
    } else if csv::looks_like_csv(&text) {
        analysis.unreadable += csv::parse(&text, |record| analysis.add(record));
        EventFormat::Csv
    } else if let Some(format) = labeled::detect(&text) {
        labeled::parse(&text, format, |record| analysis.add(record));
        format
    } else if quoted::detect(&text) {
        quoted::parse(&text, |record| analysis.add(record));
        EventFormat::QuotedLines
    } else {
        return Err(AnalyzeError::NoEvents);
    };
    match (analysis.read, analysis.unreadable) {
        (0, 0) => Err(AnalyzeError::NoEvents),
        (0, count) => Err(AnalyzeError::EventsUnreadable { count }),
        _ => Ok(analysis.finish(format, failed_at)),
    }
}

/// Analyses records parsed elsewhere (the .evtx reader, or a caller with its own source).
pub fn analyze_records(records: impl IntoIterator<Item = EventRecord>) -> EventReport {
    analyze_fallible_records(
        records.into_iter().map(Ok::<_, AnalyzeError>),
        EventFormat::Records,
        None,
    )
}

/// Like [`analyze_records`], counting the records a reader could not produce as unreadable.
pub(crate) fn analyze_fallible_records<E>(
    records: impl Iterator<Item = Result<EventRecord, E>>,
    format: EventFormat,
    failed_at: Option<i64>,
) -> EventReport {
    let mut analysis = Analysis::default();
    for record in records {
        match record {
            Ok(record) => analysis.add(record),
            Err(_) => analysis.unreadable += 1,
        }
    }
    analysis.finish(format, failed_at)
}

/// Running totals while records stream in.
#[derive(Default)]
struct Analysis {
    read: usize,
    unreadable: usize,
    timeline: Vec<TimelineEntry>,
    timeline_omitted: usize,
    groups: HashMap<GroupKey, Group>,
    other: HashMap<(String, u32), usize>,
    other_kinds_omitted: usize,
}

/// Events counted together into one finding.
#[derive(Clone, PartialEq, Eq, Hash)]
struct GroupKey {
    source: &'static str,
    event_id: u32,
    variant: String,
}

struct Group {
    decoded: Decoded,
    count: usize,
    first: Option<(i64, String)>,
    last: Option<(i64, String)>,
    /// Insertion order, so findings come out in a stable order.
    order: usize,
}

impl Analysis {
    fn add(&mut self, record: EventRecord) {
        self.read += 1;
        let Some(decoded) = catalogue::decode(&record) else {
            let key = (record.provider, record.event_id);
            let kinds = self.other.len();
            match self.other.get_mut(&key) {
                Some(count) => *count += 1,
                None if kinds < MAX_OTHER_KINDS => {
                    self.other.insert(key, 1);
                }
                None => self.other_kinds_omitted += 1,
            }
            return;
        };
        let time = record.time_sort_key.zip(record.time.clone());
        let key = GroupKey {
            source: decoded.provider.short_name(),
            event_id: record.event_id,
            variant: decoded.variant.clone(),
        };
        let order = self.groups.len();
        let group = self.groups.entry(key).or_insert_with(|| Group {
            decoded: decoded.clone(),
            count: 0,
            first: None,
            last: None,
            order,
        });
        group.count += 1;
        if let Some((at, text)) = &time {
            if group.first.as_ref().is_none_or(|(first, _)| at < first) {
                group.first = Some((*at, text.clone()));
            }
            if group.last.as_ref().is_none_or(|(last, _)| at > last) {
                group.last = Some((*at, text.clone()));
            }
        }
        if self.timeline.len() < MAX_TIMELINE {
            self.timeline.push(TimelineEntry {
                time: record.time,
                source: decoded.provider.short_name().to_string(),
                event_id: record.event_id,
                severity: decoded.severity,
                meaning: decoded.meaning,
                fields: decoded.fields,
                computer: record.computer,
                sort_key: record.time_sort_key,
            });
        } else {
            self.timeline_omitted += 1;
        }
    }

    fn finish(mut self, format_detected: EventFormat, failed_at: Option<i64>) -> EventReport {
        // Oldest first; events without a readable time keep their input order, at the end.
        self.timeline
            .sort_by_key(|entry| (entry.sort_key.is_none(), entry.sort_key));
        let mut other_counts: Vec<OtherCount> = self
            .other
            .into_iter()
            .map(|((provider, event_id), count)| OtherCount {
                provider,
                event_id,
                count,
            })
            .collect();
        other_counts.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.provider.cmp(&b.provider))
                .then(a.event_id.cmp(&b.event_id))
        });

        let mut groups: Vec<(GroupKey, Group)> = self.groups.into_iter().collect();
        groups.sort_by_key(|(_, group)| (std::cmp::Reverse(group.decoded.severity), group.order));
        let failure = failed_at.or_else(|| newest_trouble(&groups));
        let mut findings: Vec<Finding> = groups
            .iter()
            .map(|(key, group)| group_finding(key, group, failure))
            .collect();
        if findings.is_empty() {
            findings.push(Finding::new(Severity::Info, None, "No RDP-related events found", format!(
                    "None of the {} events is one RDP Doctor reads (Schannel, Remote Desktop Services, LocalSessionManager, \
                     Security 4625, LsaSrv 6041, RDP client). Export the System log, the TerminalServices and RdpCoreTS \
                     Operational logs and the Security log from the server.",
                    self.read
                )));
        }
        if self.unreadable > 0 {
            findings.push(Finding::new(
                Severity::Info,
                None,
                if self.unreadable == 1 {
                    "1 record could not be read".to_string()
                } else {
                    format!("{} records could not be read", self.unreadable)
                },
                "They were truncated or malformed and were skipped; the rest was analysed.",
            ));
        }
        EventReport {
            format_detected,
            events_read: self.read,
            unreadable_records: self.unreadable,
            timeline: self.timeline,
            timeline_omitted: self.timeline_omitted,
            other_counts,
            other_kinds_omitted: self.other_kinds_omitted,
            findings,
        }
    }
}

/// When the failure happened if nobody said: the newest warning or error that is evidence.
fn newest_trouble(groups: &[(GroupKey, Group)]) -> Option<i64> {
    groups
        .iter()
        .filter(|(_, g)| g.decoded.evidence.is_some() && g.decoded.severity >= Severity::Warning)
        .filter_map(|(_, g)| g.last.as_ref().map(|(at, _)| *at))
        .max()
}

fn group_finding(key: &GroupKey, group: &Group, failure: Option<i64>) -> Finding {
    let decoded = &group.decoded;
    let times = match (&group.first, &group.last) {
        (Some((_, first)), Some((_, last))) if group.count > 1 && first != last => {
            format!("Between {first} and {last}. ")
        }
        (Some((_, first)), _) => format!("At {first}. "),
        _ => String::new(),
    };
    let fields: Vec<String> = decoded
        .fields
        .iter()
        .map(|(name, value)| format!("{name}: {value}"))
        .collect();
    let fields = match (fields.is_empty(), group.count) {
        (true, _) => String::new(),
        (false, 1) => format!("{}. ", fields.join("; ")),
        (false, _) => format!("First: {}. ", fields.join("; ")),
    };
    let times_word = if group.count == 1 {
        "once".to_string()
    } else {
        format!("{} times", group.count)
    };
    let mut detail = format!("{times}{fields}{}", decoded.advice);
    detail.truncate(detail.trim_end().len());
    // Days between the event's last sighting and the failure, when that is outside the window.
    let old_by = match (&group.last, failure) {
        // Times come from the input: any value, so no arithmetic may overflow.
        (Some((last, _)), Some(failure)) if failure.saturating_sub(*last) > OLD_AFTER_SECS => {
            Some(failure.saturating_sub(*last) / (24 * 3600))
        }
        _ => None,
    };
    let age = old_by.map_or_else(String::new, |days| {
        format!(" (old: last seen {days} days before the failure)")
    });
    Finding {
        severity: decoded.severity,
        title: format!(
            "{} {} seen {times_word}: {}{age}",
            key.source, key.event_id, decoded.meaning
        ),
        detail,
        evidence: decoded.evidence,
        old: old_by.is_some(),
    }
}
