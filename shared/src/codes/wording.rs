//! Recognises the wording of error messages that name their cause (`kb/messages.toml`), in every
//! UI language the knowledge base has real wording for.
//!
//! Matching is a plain substring search over a normalised copy of the input: the fragments are
//! stored already normalised (build.rs checks), so only the input is folded here.

use serde::{Deserialize, Serialize};

use crate::evidence::EvidenceId;
use crate::kb;

/// One message recognised in the input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecognisedMessage {
    /// The message's id in `kb/messages.toml`.
    pub id: String,
    /// Which client shows it (`windows`, `freerdp`, `guacamole`, `rdesktop`).
    pub client: String,
    /// The UI language of the wording that matched (`en`, `de`, …).
    pub language: String,
    /// The fragment of the wording that matched, as stored.
    pub matched: String,
    pub meaning: String,
    /// Where the wording comes from.
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<EvidenceId>,
}

/// Lower case, straight apostrophes and quotes, single spaces: how the fragments are written.
pub(super) fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            '\u{2019}' | '\u{2018}' | '\u{00B4}' => out.push('\''),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The messages whose wording appears in `normalised` (see [`normalise`]), in table order, one
/// per message.
pub(super) fn recognise(normalised: &str) -> Vec<RecognisedMessage> {
    let mut found = Vec::new();
    for message in &kb::codes().messages {
        let hit = message.text.iter().find_map(|(language, fragments)| {
            fragments
                .iter()
                .find(|fragment| normalised.contains(fragment.as_str()))
                .map(|fragment| (language, fragment))
        });
        if let Some((language, fragment)) = hit {
            found.push(RecognisedMessage {
                id: message.id.clone(),
                client: message.client.clone(),
                language: language.clone(),
                matched: fragment.clone(),
                meaning: message.meaning.clone(),
                source: message.source.clone(),
                evidence: EvidenceId::parse(&message.evidence),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_folds_case_apostrophes_and_spaces() {
        assert_eq!(
            normalise("  Remote Desktop can\u{2019}t\n\tfind THE computer "),
            "remote desktop can't find the computer"
        );
        assert_eq!(
            normalise("Die lokale SICHERHEITSAUTORITÄT"),
            "die lokale sicherheitsautorität"
        );
    }
}
