//! Text helpers shared by the analyzers: decoding what Windows tools write, and dates.

use std::borrow::Cow;

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// Decodes text as Windows tools save it: UTF-16LE with a BOM (mstsc, Windows PowerShell's
/// `Out-File`, Event Viewer), UTF-16 without a BOM, UTF-8 with or without a BOM. Invalid
/// sequences become U+FFFD rather than errors: a damaged paste is still worth reading.
pub(crate) fn decode_text(bytes: &[u8]) -> Cow<'_, str> {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return Cow::Owned(decode_utf16(rest, u16::from_le_bytes));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return Cow::Owned(decode_utf16(rest, u16::from_be_bytes));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    if looks_like_bomless_utf16le(bytes) {
        return Cow::Owned(decode_utf16(bytes, u16::from_le_bytes));
    }
    String::from_utf8_lossy(bytes)
}

/// ASCII-range text saved as UTF-16LE has a zero in every odd byte.
fn looks_like_bomless_utf16le(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(64)];
    sample.len() >= 8
        && sample
            .chunks_exact(2)
            .all(|pair| pair[1] == 0 && pair[0] != 0)
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// `2024-01-15T09:02:11Z` for a Unix time, or `None` outside the years 0001–9999.
pub fn format_unix_utc(unix: i64) -> Option<String> {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()?
        .format(&Rfc3339)
        .ok()
}

/// Parses an RFC 3339 timestamp (`2024-01-15T09:02:11Z`, `2024-01-15T10:02:11+01:00`) to Unix time.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    OffsetDateTime::parse(text.trim(), &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

/// A date and time as a Windows tool printed it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PrintedTime {
    /// Seconds since 1970 if the printed wall-clock time were UTC.
    pub unix_if_utc: i64,
    /// Whether the text said it was UTC (`Z` or `+00:00`); Windows tools print local time otherwise.
    pub is_utc: bool,
}

impl PrintedTime {
    /// `2024-01-15T09:02:11Z`, or `2024-01-15 09:02:11 (local time)` when the zone is unknown.
    pub fn display(self) -> String {
        let Ok(t) = OffsetDateTime::from_unix_timestamp(self.unix_if_utc) else {
            return String::new();
        };
        let text = format!(
            "{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            if self.is_utc { 'T' } else { ' ' },
            t.hour(),
            t.minute(),
            t.second()
        );
        if self.is_utc {
            text + "Z"
        } else {
            text + " (local time)"
        }
    }
}

/// Parses the date formats Windows tools print: ISO 8601 / RFC 3339 (event XML, wevtutil),
/// US `1/15/2024 9:02:11 AM`, German `15.01.2024 09:02:11`, and day-first `15/01/2024 09:02:11`
/// (French, British) when there is no AM/PM. No crate parses this set of locale formats.
pub(crate) fn parse_printed_time(text: &str) -> Option<PrintedTime> {
    let text = text.trim();
    // RFC 3339 needs "YYYY-MM-DDT"; skip the attempt for the locale formats.
    if text.as_bytes().get(10) == Some(&b'T')
        && let Ok(t) = OffsetDateTime::parse(text, &Rfc3339)
    {
        return Some(PrintedTime {
            unix_if_utc: t.unix_timestamp(),
            is_utc: true,
        });
    }
    // Strip invisible marks Windows inserts around localized dates (U+200E/U+200F).
    let cleaned: Cow<'_, str> = if text.contains(['\u{200e}', '\u{200f}']) {
        Cow::Owned(
            text.chars()
                .filter(|c| !matches!(c, '\u{200e}' | '\u{200f}'))
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    };
    let mut words = cleaned.split_whitespace();
    let date = words.next()?;
    let (date, mut time_text) = match date.split_once('T') {
        Some((d, t)) => (d, t.trim_end_matches('Z')),
        None => (date, words.next().unwrap_or("0:00")),
    };
    let is_utc = cleaned.ends_with('Z');
    time_text = time_text.trim_end_matches('Z');
    let meridiem = words.next().map(str::to_ascii_uppercase);

    let (year, month, day) = if date.contains('-') {
        let mut parts = date.splitn(3, '-');
        (parts.next()?, parts.next()?, parts.next()?)
    } else if date.contains('.') {
        let mut parts = date.splitn(3, '.');
        let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
        (y, m, d)
    } else {
        let mut parts = date.splitn(3, '/');
        let (a, b, y) = (parts.next()?, parts.next()?, parts.next()?);
        if meridiem.is_some() {
            (y, a, b)
        } else {
            (y, b, a)
        }
    };
    let date = Date::from_calendar_date(
        year.parse().ok()?,
        Month::try_from(month.parse::<u8>().ok()?).ok()?,
        day.parse().ok()?,
    )
    .ok()?;

    let mut hms = time_text.split(':');
    let mut hour: u8 = hms.next()?.parse().ok()?;
    let minute: u8 = hms.next().unwrap_or("0").parse().ok()?;
    // Fractions of a second (`11.1234567`) are dropped.
    let second: u8 = hms
        .next()
        .unwrap_or("0")
        .split(['.', ','])
        .next()?
        .parse()
        .ok()?;
    match meridiem.as_deref() {
        Some("PM") if hour < 12 => hour += 12,
        Some("AM") if hour == 12 => hour = 0,
        _ => {}
    }
    let time = Time::from_hms(hour, minute, second).ok()?;
    let unix = PrimitiveDateTime::new(date, time)
        .assume_utc()
        .unix_timestamp();
    Some(PrintedTime {
        unix_if_utc: unix,
        is_utc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf16_with_and_without_bom() {
        let utf16: Vec<u8> = "full address:s:a"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let mut with_bom = vec![0xFF, 0xFE];
        with_bom.extend_from_slice(&utf16);
        assert_eq!(decode_text(&with_bom), "full address:s:a");
        assert_eq!(decode_text(&utf16), "full address:s:a");
        assert_eq!(decode_text(b"\xEF\xBB\xBFabc"), "abc");
        assert_eq!(decode_text(&[0xFF, 0xFE, 0x41]), "");
    }

    #[test]
    fn parses_windows_printed_dates() {
        let utc = |s| parse_printed_time(s).map(|t| t.display());
        assert_eq!(
            utc("2024-01-15T09:02:11.1234567Z").as_deref(),
            Some("2024-01-15T09:02:11Z")
        );
        assert_eq!(
            utc("2024-01-15T10:02:11+01:00").as_deref(),
            Some("2024-01-15T09:02:11Z")
        );
        assert_eq!(
            utc("1/15/2024 9:02:11 PM").as_deref(),
            Some("2024-01-15 21:02:11 (local time)")
        );
        assert_eq!(
            utc("1/15/2024 12:05 AM").as_deref(),
            Some("2024-01-15 00:05:00 (local time)")
        );
        assert_eq!(
            utc("15.01.2024 09:02:11").as_deref(),
            Some("2024-01-15 09:02:11 (local time)")
        );
        assert_eq!(
            utc("15/01/2024 09:02:11").as_deref(),
            Some("2024-01-15 09:02:11 (local time)")
        );
        assert_eq!(
            utc("2024-01-15 09:02:11").as_deref(),
            Some("2024-01-15 09:02:11 (local time)")
        );
        assert_eq!(utc("yesterday"), None);
        assert_eq!(utc("99/99/2024 9:00"), None);
    }

    #[test]
    fn rfc3339_round_trips() {
        let t = parse_rfc3339("2024-01-15T09:02:11Z").unwrap();
        assert_eq!(format_unix_utc(t).as_deref(), Some("2024-01-15T09:02:11Z"));
        assert_eq!(parse_rfc3339("2024-01-15T10:02:11+01:00"), Some(t));
        assert_eq!(parse_rfc3339("now"), None);
    }
}
