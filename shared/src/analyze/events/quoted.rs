//! Events quoted one per line, the way tickets, forum posts and Microsoft Learn articles quote
//! them: `Schannel 36871: A fatal error occurred while creating a TLS server credential.` or
//! `Service Control Manager 7022: The Remote Desktop Services service hung on starting.`
//!
//! No export format is this loose, so the text counts as quoted events only when a line names a
//! provider the catalogue knows: "Error 1234: …" in a pasted dialog is no event.

use super::EventRecord;
use super::catalogue::Provider;

/// Longest source name read; Windows provider names are shorter.
const MAX_SOURCE_CHARS: usize = 80;

/// `(source, event id, message)` of a `Source 1234: message` line.
fn split_quoted(line: &str) -> Option<(&str, u32, &str)> {
    let (head, message) = line.trim().split_once(':')?;
    let (source, id) = head.trim_end().rsplit_once(' ')?;
    let source = source.trim();
    let event_id = (id.len() <= 5 && id.bytes().all(|b| b.is_ascii_digit()))
        .then(|| id.parse().ok())
        .flatten()?;
    let plausible = !source.is_empty()
        && source.chars().count() <= MAX_SOURCE_CHARS
        && source
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'));
    plausible.then_some((source, event_id, message.trim()))
}

/// Whether the text quotes at least one event of a provider the catalogue knows.
pub(super) fn detect(text: &str) -> bool {
    text.lines()
        .take(10_000)
        .filter_map(split_quoted)
        .any(|(source, _, _)| Provider::from_name(source).is_some())
}

/// Calls `sink` with every quoted event.
pub(super) fn parse(text: &str, mut sink: impl FnMut(EventRecord)) {
    for (source, event_id, message) in text.lines().filter_map(split_quoted) {
        let mut record = EventRecord {
            provider: source.to_owned(),
            event_id,
            ..EventRecord::default()
        };
        record.set_message(message);
        sink(record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_source_id_and_message() {
        assert_eq!(
            split_quoted(
                "Service Control Manager 7022: The Remote Desktop Services service hung on starting."
            ),
            Some((
                "Service Control Manager",
                7022,
                "The Remote Desktop Services service hung on starting."
            ))
        );
        assert_eq!(
            split_quoted("  Microsoft-Windows-TerminalServices-RemoteConnectionManager 1058: text"),
            Some((
                "Microsoft-Windows-TerminalServices-RemoteConnectionManager",
                1058,
                "text"
            ))
        );
    }

    #[test]
    fn dialog_lines_and_unknown_sources_are_no_quoted_events() {
        assert_eq!(split_quoted("Error code: 0x904"), None);
        assert_eq!(split_quoted("Extended error code: 0x7"), None);
        assert_eq!(split_quoted("Event 123456: too long an id"), None);
        assert!(!detect("Error 1234: something went wrong\nCode 7: no"));
        assert!(detect("Schannel 36871: A fatal error occurred"));
    }
}
