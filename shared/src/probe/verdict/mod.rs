//! Per-stage verdicts: pure functions from what a stage's connections learned to the stage's
//! report (status, verdict in words, findings). No I/O, no clock, no scheduling: the scheduler
//! calls them once a stage's results are in, and tests call them with results written by hand.
//!
//! A stage's status follows its worst finding: an error finding fails the stage.

mod clients;
mod negotiation;
mod nla;
mod tcp;
mod tls;

pub(crate) use clients::clients_report;
pub(crate) use negotiation::{negotiation_report, protocols_report};
pub(crate) use nla::{nla_not_reached, nla_report};
pub(crate) use tcp::tcp_report;
pub(crate) use tls::tls_report;

use crate::evidence::{Finding, Severity};
use crate::report::{StageKind, StageReport, StageStatus};

pub(crate) fn not_applicable(kind: StageKind, verdict: impl Into<String>) -> StageReport {
    StageReport::without_result(kind, StageStatus::NotApplicable, verdict)
}

/// A stage fails when any of its findings is an error, whatever else went well.
pub(crate) fn worst(findings: &[Finding], otherwise: StageStatus) -> StageStatus {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        StageStatus::Failed
    } else {
        otherwise
    }
}
