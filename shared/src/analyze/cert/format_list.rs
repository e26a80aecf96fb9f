//! PowerShell `Get-ChildItem Cert:\… | Format-List *` text.

use super::oids::eku_allows_rdp;
use super::printed::{finish_text_facts, oids_in_parentheses, printed_unix, text_facts};
use super::{Facts, Known, MAX_CERTIFICATES};
use crate::analyze::AnalyzeError;

/// `Thumbprint : …` with `NotAfter` or `Subject` beside it.
pub(super) fn looks_like(text: &str) -> bool {
    let has_key = |key: &str| {
        text.lines()
            .any(|l| l.split_once(':').is_some_and(|(k, _)| k.trim() == key))
    };
    has_key("Thumbprint") && (has_key("NotAfter") || has_key("Subject"))
}

/// `Get-ChildItem Cert:\… | Format-List *`: `Name : value` lines, long values wrapped onto
/// indented lines, one record per certificate. Property names are .NET's and not localized.
pub(super) fn read(text: &str) -> Result<Vec<Facts>, AnalyzeError> {
    let certs: Vec<Facts> = records(text)
        .iter()
        .filter_map(|record| facts_from_record(record))
        .collect();
    if certs.is_empty() {
        Err(AnalyzeError::TooLittleCertificateText)
    } else {
        Ok(certs)
    }
}

/// The `Name : value` pairs of each record; a name seen again starts the next record.
fn records(text: &str) -> Vec<Vec<(String, String)>> {
    let mut records: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for line in text.lines() {
        let Some(record) = records.last_mut() else {
            break;
        };
        match line
            .split_once(" : ")
            .or_else(|| line.trim_end().strip_suffix(" :").map(|k| (k, "")))
        {
            Some((key, value))
                if !key.starts_with(char::is_whitespace) && !key.trim().is_empty() =>
            {
                let key = key.trim().to_string();
                if record.iter().any(|(k, _)| *k == key) {
                    if records.len() >= MAX_CERTIFICATES {
                        break;
                    }
                    records.push(vec![(key, value.trim().to_string())]);
                } else {
                    record.push((key, value.trim().to_string()));
                }
            }
            _ => {
                if let Some((_, value)) = record
                    .last_mut()
                    .filter(|_| line.starts_with(' ') && !line.trim().is_empty())
                {
                    value.push(' ');
                    value.push_str(line.trim());
                }
            }
        }
    }
    records
}

/// One record's facts, or `None` when it names no certificate.
fn facts_from_record(record: &[(String, String)]) -> Option<Facts> {
    let get = |key: &str| {
        record
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let mut facts = text_facts();
    facts.summary.subject = get("Subject").unwrap_or_default().to_string();
    facts.summary.issuer = get("Issuer").unwrap_or_default().to_string();
    facts.not_before = get("NotBefore").and_then(printed_unix);
    facts.not_after = get("NotAfter").and_then(printed_unix);
    facts.summary.thumbprint_sha1 = get("Thumbprint")
        .map(str::to_ascii_uppercase)
        .filter(|t| t.len() == 40);
    if let Some(list) = get("DnsNameList") {
        // DnsNameList holds the SAN DNS names, or the CN when there are none: what Windows matches.
        facts.summary.dns_names = braced_list(list).0;
    }
    if let Some(list) = get("EnhancedKeyUsageList") {
        let (items, truncated) = braced_list(list);
        let oids: Vec<String> = items.iter().flat_map(|i| oids_in_parentheses(i)).collect();
        facts.ekus = if items.is_empty() && !truncated {
            Known::Absent
        } else if truncated && !oids.iter().any(|o| eku_allows_rdp(o)) {
            // PowerShell shows only the first few list items ($FormatEnumerationLimit).
            Known::Unknown
        } else {
            Known::Present(oids)
        };
        facts.summary.extended_key_usage = Some(items);
    }
    finish_text_facts(facts)
}

/// `{a, b, c...}` → items, and whether PowerShell cut the list short with `...`.
fn braced_list(value: &str) -> (Vec<String>, bool) {
    let inner = value.trim().trim_start_matches('{').trim_end_matches('}');
    let truncated = inner.ends_with("...");
    let inner = inner.trim_end_matches("...");
    let items = inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    (items, truncated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_powershell_braced_lists() {
        assert_eq!(
            braced_list("{a, b}"),
            (vec!["a".to_string(), "b".to_string()], false)
        );
        assert_eq!(braced_list("{}"), (vec![], false));
        assert_eq!(
            braced_list("{a, b, c, d...}"),
            (vec!["a".into(), "b".into(), "c".into(), "d".into()], true)
        );
    }
}
