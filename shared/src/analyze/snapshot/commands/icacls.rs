//! `icacls <path>`: the path, then one `ACCOUNT:(flags)(rights)` entry a line, then a summary.
//! Account names are translated (`NT-AUTORITÄT\SYSTEM` in German); facts.rs maps the ones we
//! know to SIDs, and icacls prints `*S-1-…` for the rest.

use crate::analyze::snapshot::facts::Ace;

/// Entries beyond this are not read; a folder has a handful.
const MAX_ENTRIES: usize = 1000;

pub(super) fn looks_like(text: &str) -> bool {
    text.lines().any(|l| entry(l).is_some())
        && text
            .lines()
            .any(|l| l.to_ascii_lowercase().contains("machinekeys"))
}

/// `ACCOUNT:(OI)(CI)(F)` at the end of a line; the account may contain spaces.
fn entry(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    let open = line.find(":(")?;
    let (head, rights) = (&line[..open], &line[open + 1..]);
    if !rights.ends_with(')') {
        return None;
    }
    // The first entry shares its line with the path: the account starts after the path.
    // Paths under MachineKeys have no spaces: the account starts after the first one.
    let account = match head.to_ascii_lowercase().find("machinekeys") {
        Some(start) if head.contains(":\\") => {
            let rest = &head[start..];
            &rest[rest.find(' ')?..]
        }
        _ => head,
    };
    Some((account.trim(), rights))
}

/// Reads `(I)(OI)(CI)(F)` or `(DENY)(R)` or `(RX,W)` into an entry.
fn ace(account: &str, rights: &str) -> Ace {
    let groups: Vec<String> = rights
        .split(['(', ')'])
        .filter(|g| !g.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    let has = |flag: &str| groups.iter().any(|g| g.split(',').any(|r| r == flag));
    let full = has("F") || has("GA");
    Ace {
        sid: None,
        account: Some(account.to_string()),
        full,
        read: full || has("R") || has("RX") || has("M") || has("GR") || has("RD"),
        allow: !has("DENY"),
        inherit_only: has("IO"),
    }
}

pub(super) fn read(text: &str) -> Vec<Ace> {
    text.lines()
        .filter_map(entry)
        .filter(|(account, _)| !account.is_empty())
        .take(MAX_ENTRIES)
        .map(|(account, rights)| ace(account, rights))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries_on_the_path_line_and_below() {
        let aces = read(
            "C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys Everyone:(R,W)\n                                                BUILTIN\\Administrators:(F)\n",
        );
        assert_eq!(aces.len(), 2);
        assert_eq!(aces[0].account.as_deref(), Some("Everyone"));
        assert!(aces[0].read && !aces[0].full);
        assert!(aces[1].full);
        let deny = ace("NT AUTHORITY\\NETWORK SERVICE", "(DENY)(R)");
        assert!(!deny.allow && deny.read);
    }
}
