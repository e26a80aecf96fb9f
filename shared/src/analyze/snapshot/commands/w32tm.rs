//! `w32tm /query /status [/verbose]`: `Label: value` lines. The labels are translated; the
//! values that matter are not (the leap indicator's number, the source's name, the offset in
//! seconds), so they are found by value where possible.

use super::label_value;
use crate::analyze::snapshot::facts::TimeFacts;

const LEAP: [&str; 2] = ["Leap Indicator", "Sprungindikator"];
const SOURCE: [&str; 2] = ["Source", "Quelle"];
/// What w32tm names a clock that follows no time server.
const LOCAL_CLOCKS: [&str; 2] = ["Local CMOS Clock", "Free-running System Clock"];

pub(super) fn looks_like(text: &str) -> bool {
    text.lines()
        .any(|l| label_value(l).is_some_and(|(label, _)| LEAP.contains(&label)))
        || text.contains("0x80070426")
}

/// Reads the status lines (from a paste or from the server check's `w32tm_status`).
pub(in crate::analyze::snapshot) fn read<'a>(lines: impl Iterator<Item = &'a str>) -> TimeFacts {
    let mut time = TimeFacts::default();
    for line in lines.take(200) {
        if line.contains("0x80070426") {
            time.unsynchronized =
                Some("the Windows Time service is not running (0x80070426)".into());
        }
        let Some((label, value)) = label_value(line) else {
            continue;
        };
        if LEAP.contains(&label) && value.starts_with('3') {
            time.unsynchronized = Some(format!("{label}: {value}"));
        } else if SOURCE.contains(&label) {
            time.source = Some(value.to_string());
            if LOCAL_CLOCKS.iter().any(|c| value.eq_ignore_ascii_case(c)) {
                time.unsynchronized = Some(format!("the time source is \"{value}\""));
            }
        } else if label.contains("Offset") || label.contains("Phasenoffset") {
            time.offset_seconds = value
                .trim_end_matches('s')
                .trim()
                .replace(',', ".")
                .parse()
                .ok();
        }
    }
    time
}
