//! An event log analysis: the relevant events on a timeline, the rest counted, and the findings.

use serde::{Deserialize, Serialize};

use crate::evidence::{Evidence, Finding, Severity, Source, evidence_of};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventFormat {
    Xml,
    EventViewerDetails,
    WevtutilText,
    PowershellFormatList,
    Csv,
    Evtx,
    /// One event per line as tickets and forum posts quote them: `Schannel 36871: A fatal error…`.
    QuotedLines,
    /// Records handed over by a caller that parsed them itself.
    Records,
}

impl EventFormat {
    pub fn label(self) -> &'static str {
        match self {
            EventFormat::Xml => "event XML",
            EventFormat::EventViewerDetails => "Event Viewer \"Copy details as text\"",
            EventFormat::WevtutilText => "wevtutil text",
            EventFormat::PowershellFormatList => "Get-WinEvent | Format-List text",
            EventFormat::Csv => "CSV export",
            EventFormat::Evtx => ".evtx file",
            EventFormat::QuotedLines => "events quoted one per line",
            EventFormat::Records => "parsed event records",
        }
    }
}

/// One relevant event on the timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub time: Option<String>,
    /// Short source name (`Schannel`, `RemoteConnectionManager`, `Security`, …).
    pub source: String,
    pub event_id: u32,
    pub severity: Severity,
    /// What the event means, in plain words.
    pub meaning: String,
    /// Decoded key fields, e.g. ("TLS alert", "40 handshake_failure").
    pub fields: Vec<(String, String)>,
    pub computer: Option<String>,
    #[serde(skip)]
    pub(crate) sort_key: Option<i64>,
}

/// How often an event RDP Doctor does not interpret occurred.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherCount {
    pub provider: String,
    pub event_id: u32,
    pub count: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventReport {
    pub format_detected: EventFormat,
    pub events_read: usize,
    /// Records that were recognisably events but could not be read (truncated, malformed).
    pub unreadable_records: usize,
    /// Relevant events, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// Relevant events left off the timeline because it is full (they are still counted in findings).
    pub timeline_omitted: usize,
    /// Everything else, most frequent first.
    pub other_counts: Vec<OtherCount>,
    /// Kinds of other events beyond [`MAX_OTHER_KINDS`] that were not counted individually.
    pub other_kinds_omitted: usize,
    pub findings: Vec<Finding>,
}

impl EventReport {
    pub fn evidence(&self) -> Vec<Evidence> {
        evidence_of(&self.findings, Source::EventLog)
    }
}
