//! Event XML, as `wevtutil qe /f:xml`, Event Viewer ("Save as XML", "Copy details as text") and
//! the .evtx reader render it.
//!
//! Each `<Event>` element is cut out of the text and parsed on its own: `wevtutil` output has no
//! root element, "Copy details as text" wraps the XML in labelled text, and one damaged event
//! must not cost the others.

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::EventRecord;

/// Deeper nesting than this is not Windows event XML.
const MAX_DEPTH: usize = 32;
const EVENT_END: &str = "</Event>";

/// Whether the text holds at least one `<Event …>` element.
pub(crate) fn contains_events(text: &str) -> bool {
    next_event_start(text, 0).is_some()
}

/// Calls `sink` with every event in `text`; returns how many `<Event>` elements were unreadable.
pub(crate) fn parse_events(text: &str, mut sink: impl FnMut(EventRecord)) -> usize {
    let mut unreadable = 0;
    let mut from = 0;
    while let Some(start) = next_event_start(text, from) {
        let Some(length) = text.get(start..).and_then(|rest| rest.find(EVENT_END)) else {
            unreadable += 1;
            break;
        };
        let end = start + length + EVENT_END.len();
        match text.get(start..end).and_then(parse_event) {
            Some(record) => sink(record),
            None => unreadable += 1,
        }
        from = end;
    }
    unreadable
}

/// The next `<Event` that opens an Event element (not `<EventData`, `<EventID`, `<Events>`).
fn next_event_start(text: &str, mut from: usize) -> Option<usize> {
    loop {
        let found = from + text.get(from..)?.find("<Event")?;
        let after = found + "<Event".len();
        if matches!(
            text.as_bytes().get(after),
            Some(b' ' | b'>' | b'/' | b'\t' | b'\r' | b'\n')
        ) {
            return Some(found);
        }
        from = after;
    }
}

/// The elements whose position matters; everything else is `Other`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    System,
    Provider,
    EventId,
    TimeCreated,
    Computer,
    Channel,
    EventData,
    Data,
    UserData,
    RenderingInfo,
    Message,
    Other,
}

impl Tag {
    fn of(local_name: &str) -> Tag {
        match local_name {
            "System" => Tag::System,
            "Provider" => Tag::Provider,
            "EventID" => Tag::EventId,
            "TimeCreated" => Tag::TimeCreated,
            "Computer" => Tag::Computer,
            "Channel" => Tag::Channel,
            "EventData" => Tag::EventData,
            "Data" => Tag::Data,
            "UserData" => Tag::UserData,
            "RenderingInfo" => Tag::RenderingInfo,
            "Message" => Tag::Message,
            _ => Tag::Other,
        }
    }
}

/// Parses one `<Event>…</Event>` element; `None` if it is malformed or has no provider and ID.
pub(crate) fn parse_event(xml: &str) -> Option<EventRecord> {
    let mut reader = Reader::from_str(xml);
    let mut record = EventRecord::default();
    let mut path: Vec<Tag> = Vec::new();
    let mut text = String::new();
    // Name of the element most recently opened: a leaf's own name when it closes.
    let mut leaf_name = String::new();
    let mut data_name: Option<String> = None;
    let mut has_id = false;
    loop {
        match reader.read_event().ok()? {
            Event::Start(element) => {
                if path.len() >= MAX_DEPTH {
                    return None;
                }
                read_attributes(&element, &path, &mut record, &mut data_name);
                let name = element.local_name();
                path.push(Tag::of(name.as_ref()));
                leaf_name.clear();
                leaf_name.push_str(name.as_ref());
                text.clear();
            }
            Event::Empty(element) => {
                read_attributes(&element, &path, &mut record, &mut data_name);
                let name = element.local_name();
                if let Some(field) =
                    data_field_name(&path, name.as_ref(), &mut data_name, record.data.len())
                {
                    record.push_data(&field, "");
                }
            }
            // Each event is cut out of its document without the XML declaration: XML 1.0 rules.
            Event::Text(content) => text.push_str(&content.xml10_content()),
            Event::CData(content) => text.push_str(&content.xml10_content()),
            Event::GeneralRef(reference) => match reference.resolve_char_ref() {
                Ok(Some(c)) => text.push(c),
                _ => text.push_str(
                    resolve_predefined_entity(&reference.into_inner()).unwrap_or_default(),
                ),
            },
            Event::End(_) => {
                let tag = path.pop()?;
                match (path.last().copied(), tag) {
                    (Some(Tag::System), Tag::EventId) => {
                        record.event_id = text.trim().parse().ok()?;
                        has_id = true;
                    }
                    (Some(Tag::System), Tag::Computer) => {
                        record.computer = Some(text.trim().to_string())
                    }
                    (Some(Tag::System), Tag::Channel) => {
                        record.channel = Some(text.trim().to_string())
                    }
                    (Some(Tag::RenderingInfo), Tag::Message) => record.set_message(&text),
                    _ => {
                        if let Some(field) =
                            data_field_name(&path, &leaf_name, &mut data_name, record.data.len())
                        {
                            record.push_data(&field, &text);
                        }
                    }
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (has_id && !record.provider.is_empty()).then_some(record)
}

/// The field name when element `name`, closing inside `path`, is event data:
/// `EventData/Data[@Name]` (unnamed ones numbered) or an element of `UserData/<wrapper>/`.
fn data_field_name(
    path: &[Tag],
    name: &str,
    data_name: &mut Option<String>,
    index: usize,
) -> Option<String> {
    match path {
        [.., Tag::EventData] if name == "Data" => Some(
            data_name
                .take()
                .unwrap_or_else(|| format!("Data{}", index + 1)),
        ),
        [.., Tag::UserData, _] => Some(name.to_string()),
        _ => None,
    }
}

fn read_attributes(
    element: &BytesStart<'_>,
    path: &[Tag],
    record: &mut EventRecord,
    data_name: &mut Option<String>,
) {
    let attribute = |name: &str| -> Option<String> {
        let value = element.try_get_attribute(name).ok()??;
        value
            .normalized_value(XmlVersion::Implicit1_0)
            .ok()
            .map(|v| v.into_owned())
    };
    match (path.last().copied(), Tag::of(element.local_name().as_ref())) {
        (Some(Tag::System), Tag::Provider) => {
            record.provider = attribute("Name").unwrap_or_default()
        }
        (Some(Tag::System), Tag::TimeCreated) => {
            if let Some(time) = attribute("SystemTime") {
                record.set_time(&time);
            }
        }
        (Some(Tag::EventData), Tag::Data) => *data_name = attribute("Name"),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHANNEL: &str = r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Schannel" Guid="{1f678132-5938-4686-9fdc-c8ff68f15c85}"/><EventID>36888</EventID><TimeCreated SystemTime="2024-01-15T09:02:11.1234567Z"/><Computer>RDS01</Computer></System><EventData><Data Name="AlertDesc">40</Data><Data Name="ErrorState">1205</Data><Data/></EventData></Event>"#;

    #[test]
    fn reads_system_fields_and_named_data() {
        let record = parse_event(SCHANNEL).unwrap();
        assert_eq!(record.provider, "Schannel");
        assert_eq!(record.event_id, 36888);
        assert_eq!(record.time.as_deref(), Some("2024-01-15T09:02:11Z"));
        assert_eq!(record.computer.as_deref(), Some("RDS01"));
        assert_eq!(
            record.data,
            [
                ("AlertDesc".into(), "40".into()),
                ("ErrorState".into(), "1205".into()),
                ("Data3".into(), String::new())
            ]
        );
    }

    #[test]
    fn cuts_events_out_of_surrounding_text_and_counts_broken_ones() {
        let text = format!(
            "Log Name: System\n{SCHANNEL}\nnoise <EventData> {SCHANNEL}<Event><System></Event><Event>"
        );
        let mut records = Vec::new();
        let unreadable = parse_events(&text, |r| records.push(r));
        assert_eq!((records.len(), unreadable), (2, 2));
    }

    #[test]
    fn refuses_absurd_nesting() {
        let deep = format!("<Event>{}{}</Event>", "<a>".repeat(100), "</a>".repeat(100));
        assert_eq!(parse_event(&deep), None);
    }
}
