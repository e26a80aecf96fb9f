//! CSV exports: Event Viewer's "Save All Events As… CSV" (`Level,Date and Time,Source,Event ID,
//! Task Category` plus an unnamed description column; headers translated on localized Windows)
//! and PowerShell's `Get-WinEvent | Export-Csv` (property names, never translated).

use super::EventRecord;

#[derive(Clone, Copy, Default)]
struct Columns {
    source: Option<usize>,
    event_id: Option<usize>,
    time: Option<usize>,
    message: Option<usize>,
    computer: Option<usize>,
    log: Option<usize>,
}

fn header_role(header: &str) -> Option<fn(&mut Columns, usize)> {
    let header = header
        .trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase();
    Some(match header.as_str() {
        "source" | "quelle" | "providername" => |c, i| c.source = Some(i),
        "event id"
        | "eventid"
        | "id"
        | "ereignis-id"
        | "id de l'événement"
        | "id de l’événement" => |c, i| c.event_id = Some(i),
        "date and time" | "datum und uhrzeit" | "date et heure" | "timecreated" => {
            |c, i| c.time = Some(i)
        }
        "message" | "description" | "beschreibung" => |c, i| c.message = Some(i),
        "machinename" | "computer" | "ordinateur" => |c, i| c.computer = Some(i),
        "logname" => |c, i| c.log = Some(i),
        _ => return None,
    })
}

/// PowerShell 5 starts `Export-Csv` output with a `#TYPE …` line.
fn header_line(text: &str) -> Option<&str> {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("#TYPE"))
}

fn columns(headers: &csv::StringRecord) -> Columns {
    let mut columns = Columns::default();
    for (index, header) in headers.iter().enumerate() {
        if let Some(assign) = header_role(header) {
            assign(&mut columns, index);
        }
    }
    // Event Viewer writes the description as an extra, unnamed last column.
    if columns.message.is_none() {
        columns.message = Some(headers.len());
    }
    columns
}

pub(super) fn looks_like_csv(text: &str) -> bool {
    let Some(line) = header_line(text) else {
        return false;
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(line.as_bytes());
    let Some(Ok(headers)) = reader.records().next() else {
        return false;
    };
    let columns = columns(&headers);
    columns.source.is_some() && columns.event_id.is_some()
}

/// Calls `sink` with every row that has a source and an event ID; returns how many rows could not be read.
pub(super) fn parse(text: &str, mut sink: impl FnMut(EventRecord)) -> usize {
    let text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let body = if text.starts_with("#TYPE") {
        text.split_once('\n').map_or("", |(_, rest)| rest)
    } else {
        text
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body.as_bytes());
    let mut rows = reader.records();
    let Some(Ok(headers)) = rows.next() else {
        return 0;
    };
    let columns = columns(&headers);
    let mut unreadable = 0;
    for row in rows {
        let Ok(row) = row else {
            unreadable += 1;
            continue;
        };
        let cell = |index: Option<usize>| {
            index
                .and_then(|i| row.get(i))
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let (Some(source), Some(Ok(event_id))) = (
            cell(columns.source),
            cell(columns.event_id).map(str::parse::<u32>),
        ) else {
            unreadable += 1;
            continue;
        };
        let mut record = EventRecord {
            provider: source.to_string(),
            event_id,
            computer: cell(columns.computer).map(str::to_string),
            channel: cell(columns.log).map(str::to_string),
            ..EventRecord::default()
        };
        if let Some(time) = cell(columns.time) {
            record.set_time(time);
        }
        if let Some(message) = cell(columns.message) {
            record.set_message(message);
        }
        sink(record);
    }
    unreadable
}
