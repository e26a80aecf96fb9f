//! Events printed as `Label: value` lines: `wevtutil qe /f:text`, `Get-WinEvent | Format-List`
//! and Event Viewer's "Copy details as text" (when it carries no XML).
//!
//! Event Viewer and wevtutil translate the labels on localized Windows, so each field has its
//! English, German and French label; PowerShell's property names are never translated.

use super::EventFormat;
use super::EventRecord;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Log,
    Source,
    EventId,
    Time,
    Computer,
    Message,
}

/// Labels per field, compared ASCII-case-insensitively after trimming.
const LABELS: &[(Field, &[&str])] = &[
    (
        Field::Log,
        &[
            "log name",
            "logname",
            "protokollname",
            "journal",
            "nom du journal",
        ],
    ),
    (Field::Source, &["source", "providername", "quelle"]),
    (
        Field::EventId,
        &[
            "event id",
            "id",
            "ereignis-id",
            "id de l'événement",
            "id de l’événement",
            "observateur d'événements id",
        ],
    ),
    (
        Field::Time,
        &[
            "date",
            "timecreated",
            "datum",
            "date et heure",
            "datum und uhrzeit",
            "date and time",
        ],
    ),
    (Field::Computer, &["computer", "machinename", "ordinateur"]),
    (Field::Message, &["description", "message", "beschreibung"]),
];

/// Labels that end a "Copy details as text" description (the XML that follows is absent or broken).
const EVENT_XML_LABELS: &[&str] = &[
    "event xml",
    "ereignis-xml",
    "xml de l'événement",
    "xml de l’événement",
];

fn field_of(label: &str) -> Option<Field> {
    let label = label.trim();
    LABELS
        .iter()
        .find(|(_, labels)| labels.iter().any(|l| l.eq_ignore_ascii_case(label)))
        .map(|(field, _)| *field)
}

fn is_event_xml_label(label: &str) -> bool {
    EVENT_XML_LABELS
        .iter()
        .any(|l| l.eq_ignore_ascii_case(label.trim()))
}

/// `Label: value` or PowerShell's `Label   : value`; the label must start the line (after indentation).
fn split_label(line: &str) -> Option<(&str, &str)> {
    let (label, value) = line.split_once(':')?;
    let label = label.trim();
    (!label.is_empty() && label.chars().count() <= 40).then_some((label, value.trim()))
}

fn is_wevtutil_header(line: &str) -> bool {
    line.trim()
        .strip_prefix("Event[")
        .and_then(|rest| rest.strip_suffix("]:"))
        .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
}

/// Which labelled format the text is, if any.
pub(super) fn detect(text: &str) -> Option<EventFormat> {
    let mut has_source = false;
    let mut has_id = false;
    let mut powershell = false;
    for line in text.lines().take(10_000) {
        if is_wevtutil_header(line) {
            return Some(EventFormat::WevtutilText);
        }
        let Some((label, _)) = split_label(line) else {
            continue;
        };
        match field_of(label) {
            Some(Field::Source) => has_source = true,
            Some(Field::EventId) => has_id = true,
            _ => {}
        }
        powershell |= label.eq_ignore_ascii_case("ProviderName");
        if has_source && has_id {
            return Some(if powershell {
                EventFormat::PowershellFormatList
            } else {
                EventFormat::EventViewerDetails
            });
        }
    }
    None
}

/// Calls `sink` with every event that has a source and an ID.
pub(super) fn parse(text: &str, format: EventFormat, mut sink: impl FnMut(EventRecord)) {
    let mut current = Record::default();
    let mut emit = |record: Record| {
        if let Some(record) = record.finish() {
            sink(record);
        }
    };
    for line in text.lines() {
        if is_wevtutil_header(line) {
            emit(std::mem::take(&mut current));
            continue;
        }
        if current.in_message {
            let ends_message = match format {
                // PowerShell indents continuation lines; a label at the start of a line is the next property.
                EventFormat::PowershellFormatList => {
                    !line.starts_with(char::is_whitespace) && split_label(line).is_some()
                }
                // Event Viewer's description runs to "Event Xml:" or to the next pasted event.
                EventFormat::EventViewerDetails => split_label(line).is_some_and(|(label, _)| {
                    is_event_xml_label(label) || field_of(label) == Some(Field::Log)
                }),
                // wevtutil's description runs to the next "Event[n]:".
                _ => false,
            };
            if !ends_message {
                current.message_lines.push(line.trim());
                continue;
            }
            current.in_message = false;
        }
        let Some((label, value)) = split_label(line) else {
            continue;
        };
        if is_event_xml_label(label) {
            current.skip_rest = true;
            continue;
        }
        let Some(field) = field_of(label) else {
            continue;
        };
        // A field seen twice means the next event has started (pasted blocks, Format-List records).
        if current.has(field) {
            emit(std::mem::take(&mut current));
        }
        current.set(field, value);
    }
    emit(current);
}

#[derive(Default)]
struct Record<'a> {
    log: Option<&'a str>,
    source: Option<&'a str>,
    event_id: Option<&'a str>,
    time: Option<&'a str>,
    computer: Option<&'a str>,
    message_lines: Vec<&'a str>,
    has_message: bool,
    in_message: bool,
    skip_rest: bool,
}

impl<'a> Record<'a> {
    fn has(&self, field: Field) -> bool {
        match field {
            Field::Log => self.log.is_some(),
            Field::Source => self.source.is_some(),
            Field::EventId => self.event_id.is_some(),
            Field::Time => self.time.is_some(),
            Field::Computer => self.computer.is_some(),
            Field::Message => self.has_message,
        }
    }

    fn set(&mut self, field: Field, value: &'a str) {
        if self.skip_rest {
            return;
        }
        match field {
            Field::Log => self.log = Some(value),
            Field::Source => self.source = Some(value),
            Field::EventId => self.event_id = Some(value),
            Field::Time => self.time = Some(value),
            Field::Computer => self.computer = Some(value),
            Field::Message => {
                self.has_message = true;
                self.in_message = true;
                if !value.is_empty() {
                    self.message_lines.push(value);
                }
            }
        }
    }

    fn finish(self) -> Option<EventRecord> {
        let mut record = EventRecord {
            provider: self.source?.to_string(),
            event_id: self.event_id?.parse().ok()?,
            computer: self.computer.map(str::to_string),
            channel: self.log.map(str::to_string),
            ..EventRecord::default()
        };
        if let Some(time) = self.time {
            record.set_time(time);
        }
        record.set_message(&self.message_lines.join("\n"));
        Some(record)
    }
}
