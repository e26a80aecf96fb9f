//! The one report model: what the probe and the evidence analyzers report, shared as-is by the
//! CLI, the Worker and the page. Only data and how to say it in words live here — no parser, no
//! TLS or X.509 crate — so every runtime can read a report without building the code that made
//! it. The probe (`crate::probe`) and the analyzers (`crate::analyze`) produce these types.

mod cert;
mod clients;
mod events;
mod evidence_file;
mod negotiation;
mod nla;
mod probe;
mod rdpfile;
mod snapshot;
mod target;
mod tls;

use serde::{Deserialize, Serialize};

pub use cert::{CertInputFormat, CertReport, CertSummary, KeyInfo};
pub use clients::{ClientResult, DecidedBy};
pub use events::{EventFormat, EventReport, OtherCount, TimelineEntry};
pub use evidence_file::EvidenceFile;
pub use negotiation::{NegotiationOutcome, Protocol};
pub use nla::{
    FullHandshake, HandshakeEnd, NlaDetails, NlaFailure, NtlmChallengeInfo, SessionFailure,
};
pub use probe::{
    NegotiatedTls, ProbeReport, ProtocolResult, StageDetails, StageKind, StageReport, StageStatus,
    TcpOutcome, TlsDetails, TlsVersionResult,
};
pub use rdpfile::{RdpFileReport, RdpSetting};
pub use snapshot::{Command, SectionError, SnapshotKind, SnapshotReport};
pub use target::Target;
pub use tls::{HelloOutcome, TlsVersion};

use crate::evidence::{Evidence, Finding, Source};

/// A report of one piece of pasted or dropped evidence, tagged with its kind: what the
/// analysis worker hands the page and `rdp-doctor analyze … --json` prints.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AnalysisReport {
    Certificate(CertReport),
    EventLog(EventReport),
    RdpFile(RdpFileReport),
    Snapshot(SnapshotReport),
}

impl AnalysisReport {
    pub fn findings(&self) -> &[Finding] {
        match self {
            AnalysisReport::Certificate(r) => &r.findings,
            AnalysisReport::EventLog(r) => &r.findings,
            AnalysisReport::RdpFile(r) => &r.findings,
            AnalysisReport::Snapshot(r) => &r.findings,
        }
    }

    pub fn source(&self) -> Source {
        match self {
            AnalysisReport::Certificate(_) => Source::Certificate,
            AnalysisReport::EventLog(_) => Source::EventLog,
            AnalysisReport::RdpFile(_) => Source::RdpFile,
            AnalysisReport::Snapshot(r) => r.snapshot.source(),
        }
    }

    pub fn evidence(&self) -> Vec<Evidence> {
        match self {
            // A server check carries its events' evidence too.
            AnalysisReport::Snapshot(r) => r.evidence(),
            other => crate::evidence::evidence_of(other.findings(), other.source()),
        }
    }
}
