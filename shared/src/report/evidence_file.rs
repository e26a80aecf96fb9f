//! One evidence format in and out: whatever `rdp-doctor analyze … --json` and
//! `rdp-doctor probe --json` print (or the page exports) is read back as evidence by
//! `rdp-doctor diagnose --evidence` and the page's import.

use serde::Deserialize;

use super::{AnalysisReport, CertReport, EventReport, ProbeReport, RdpFileReport};
use crate::evidence::{Evidence, Source};

/// One evidence file, recognised by its shape: a probe report, an analyzer report (bare, as the
/// CLI prints it, or tagged with its `kind`, as the page exchanges it), or a plain list of
/// evidence items.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum EvidenceFile {
    Probe(Box<ProbeReport>),
    Tagged(AnalysisReport),
    Events(EventReport),
    Certificate(CertReport),
    RdpFile(RdpFileReport),
    List(Vec<Evidence>),
}

impl EvidenceFile {
    /// Reads JSON text; the error says what the file should have been.
    pub fn from_json(text: &str) -> Result<EvidenceFile, String> {
        serde_json::from_str(text).map_err(|_| {
            let shape = match serde_json::from_str::<serde_json::Value>(text) {
                Err(e) => format!("not JSON ({e})"),
                Ok(_) => "JSON of another shape".to_owned(),
            };
            format!(
                "{shape}: expected what `rdp-doctor analyze … --json` or `rdp-doctor probe --json` prints, \
                 or a JSON array of {{\"id\", \"source\", \"detail\"}} evidence items"
            )
        })
    }

    pub fn evidence(&self) -> Vec<Evidence> {
        match self {
            EvidenceFile::Probe(report) => report.evidence(),
            EvidenceFile::Tagged(report) => report.evidence(),
            EvidenceFile::Events(report) => report.evidence(),
            EvidenceFile::Certificate(report) => report.evidence(Source::Certificate),
            EvidenceFile::RdpFile(report) => report.evidence(),
            EvidenceFile::List(items) => items.clone(),
        }
    }
}
