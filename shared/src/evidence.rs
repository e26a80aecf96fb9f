//! One evidence model for every source: decoded codes, wizard answers, analyzer findings and
//! probe results all become [`Evidence`] items that the diagnosis engine weighs.

use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

pub use crate::kb::model::Layer;

include!(concat!(env!("OUT_DIR"), "/evidence_ids.rs"));

// Written as the dotted id through the generated table. A derived impl compiles one string match
// per id into every Wasm module, about 45 KB of the page's first download.
impl Serialize for EvidenceId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EvidenceId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = String::deserialize(deserializer)?;
        EvidenceId::parse(&id)
            .ok_or_else(|| de::Error::custom(format_args!("unknown evidence id {id:?}")))
    }
}

/// Where a piece of evidence came from; shown to the person as the "because …" origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    ErrorCode,
    Wizard,
    Certificate,
    EventLog,
    RdpFile,
    Probe,
}

/// An established fact, with the concrete detail that established it
/// (e.g. "Schannel 36870 seen 14 times between 09:02 and 09:40").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub id: EvidenceId,
    pub source: Source,
    pub detail: String,
    /// Established outside the failure window (e.g. an event long before the failure): the
    /// engine weighs it less and never rules a cause out with it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub old: bool,
}

impl Evidence {
    pub fn new(id: EvidenceId, source: Source, detail: impl Into<String>) -> Self {
        Evidence {
            id,
            source,
            detail: detail.into(),
            old: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// What an analyzer or the probe tells the person, optionally backed by evidence for the engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    /// One line in plain words.
    pub title: String,
    /// The specifics: values, counts, times.
    pub detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<EvidenceId>,
    /// Seen only outside the failure window; its evidence is marked old.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub old: bool,
}

impl Finding {
    pub fn new(
        severity: Severity,
        evidence: Option<EvidenceId>,
        title: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Finding {
            severity,
            title: title.into(),
            detail: detail.into(),
            evidence,
            old: false,
        }
    }

    pub fn to_evidence(&self, source: Source) -> Option<Evidence> {
        self.evidence.map(|id| Evidence {
            old: self.old,
            ..Evidence::new(id, source, format!("{}: {}", self.title, self.detail))
        })
    }
}

/// The evidence behind `findings`, one item per evidence id (the first, most specific finding wins).
pub fn evidence_of(findings: &[Finding], source: Source) -> Vec<Evidence> {
    let mut evidence: Vec<Evidence> = Vec::new();
    for item in findings.iter().filter_map(|f| f.to_evidence(source)) {
        match evidence.iter_mut().find(|e| e.id == item.id) {
            // A recent sighting of the same evidence outweighs an old one.
            Some(seen) if seen.old && !item.old => *seen = item,
            Some(_) => {}
            None => evidence.push(item),
        }
    }
    evidence
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_dotted_names() {
        for &id in EvidenceId::ALL {
            assert_eq!(EvidenceId::parse(id.as_str()), Some(id));
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(json, format!("\"{}\"", id.as_str()));
            assert_eq!(serde_json::from_str::<EvidenceId>(&json).unwrap(), id);
        }
        let unknown = serde_json::from_str::<EvidenceId>("\"cert.made_up\"").unwrap_err();
        assert!(unknown.to_string().contains("cert.made_up"), "{unknown}");
    }
}
