//! What the two Windows text forms (`certutil -dump`, PowerShell `Format-List`) share: facts
//! that start unknown, names compared as printed, dates in the server's local time.

use super::{CertSummary, Facts, Known};
use crate::analyze::text::{PrintedTime, parse_printed_time};

/// Text-derived facts with everything unknown; readers fill in what their format shows.
pub(super) fn text_facts() -> Facts {
    Facts {
        summary: CertSummary {
            subject: String::new(),
            issuer: String::new(),
            dns_names: Vec::new(),
            ip_addresses: Vec::new(),
            not_before: None,
            not_after: None,
            key: None,
            signature_algorithm: None,
            extended_key_usage: None,
            key_usage: None,
            is_ca: None,
            self_signed: false,
            thumbprint_sha1: None,
        },
        not_before: None,
        not_after: None,
        dates_are_local: true,
        common_names: Vec::new(),
        has_san: Known::Unknown,
        ips_shown: false,
        ekus: Known::Unknown,
        key_usage: Known::Unknown,
        rsa_bits: None,
        weak_hash: None,
        subject_key: Vec::new(),
        issuer_key: Vec::new(),
    }
}

/// Completes text-derived facts: names for chain links, self-signed, dates; refuses empty records.
pub(super) fn finish_text_facts(mut facts: Facts) -> Option<Facts> {
    let s = &facts.summary;
    if s.subject.is_empty()
        && s.issuer.is_empty()
        && facts.not_after.is_none()
        && s.thumbprint_sha1.is_none()
    {
        return None;
    }
    facts.subject_key = normalize_name(&facts.summary.subject).into_bytes();
    facts.issuer_key = normalize_name(&facts.summary.issuer).into_bytes();
    facts.summary.self_signed =
        !facts.subject_key.is_empty() && facts.subject_key == facts.issuer_key;
    facts.common_names = facts
        .summary
        .subject
        .split([',', '\n'])
        .filter_map(|rdn| rdn.trim().strip_prefix("CN=").map(str::to_string))
        .collect();
    let printed = |unix: Option<i64>| {
        unix.map(|unix_if_utc| {
            PrintedTime {
                unix_if_utc,
                is_utc: false,
            }
            .display()
        })
    };
    facts.summary.not_before = printed(facts.not_before);
    facts.summary.not_after = printed(facts.not_after);
    Some(facts)
}

/// Distinguished names compared the way they are printed: whitespace collapsed, ASCII case
/// folded (full Unicode case tables would add kilobytes to the browser bundle for no real case).
fn normalize_name(name: &str) -> String {
    name.split(',')
        .map(|rdn| rdn.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join(",")
        .to_ascii_lowercase()
}

/// A date as printed, read as if it were UTC (see `Facts::dates_are_local`).
pub(super) fn printed_unix(text: &str) -> Option<i64> {
    parse_printed_time(text).map(|t| t.unix_if_utc)
}

/// OIDs in parentheses, as Windows prints them: `Server Authentication (1.3.6.1.5.5.7.3.1)`.
pub(super) fn oids_in_parentheses(text: &str) -> Vec<String> {
    text.split('(')
        .skip(1)
        .filter_map(|part| part.split_once(')').map(|(inside, _)| inside.trim()))
        .filter(|inside| {
            inside.contains('.') && inside.chars().all(|c| c.is_ascii_digit() || c == '.')
        })
        .map(str::to_string)
        .collect()
}
