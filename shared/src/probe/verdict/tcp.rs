//! Stage 1, TCP: whether the port accepts a connection.

use crate::evidence::{EvidenceId, Finding, Severity};
use crate::probe::driver::ConnectError;
use crate::report::{StageDetails, StageKind, StageReport, StageStatus, TcpOutcome};

/// The TCP stage from the first connection's result and how long it took.
pub(crate) fn tcp_report(error: Option<&ConnectError>, connect_ms: u64) -> StageReport {
    let (status, outcome, verdict, finding) = match error {
        None => (
            StageStatus::Ok,
            TcpOutcome::Open,
            format!("The port is open (connected in {connect_ms} ms)."),
            Finding::new(Severity::Info, Some(EvidenceId::ProbeTcpOpen), "The port accepts TCP connections", format!("connected in {connect_ms} ms")),
        ),
        Some(ConnectError::Refused) => (
            StageStatus::Failed,
            TcpOutcome::Refused,
            "The port refused the connection: nothing listens there, or a firewall rejects it.".to_owned(),
            Finding::new(Severity::Error, Some(EvidenceId::ProbeTcpRefused), "The port refused the TCP connection", "connection refused (RST)"),
        ),
        Some(ConnectError::TimedOut) => (
            StageStatus::Failed,
            TcpOutcome::TimedOut,
            "No answer to the connection attempt: a firewall drops the traffic, or the host is down.".to_owned(),
            Finding::new(Severity::Error, Some(EvidenceId::ProbeTcpTimeout), "The TCP connection timed out", format!("no answer after {connect_ms} ms")),
        ),
        Some(ConnectError::NameNotResolved) => (
            StageStatus::Failed,
            TcpOutcome::NameNotResolved,
            "The host name does not resolve.".to_owned(),
            Finding::new(Severity::Error, Some(EvidenceId::ProbeDnsFailed), "The host name did not resolve", "DNS lookup failed"),
        ),
        Some(ConnectError::Other(reason)) => (
            StageStatus::Failed,
            TcpOutcome::Failed { reason: reason.clone() },
            format!("The connection failed: {reason}."),
            Finding::new(Severity::Error, None, "The TCP connection failed", reason.clone()),
        ),
    };
    let connect_ms = (status == StageStatus::Ok).then_some(connect_ms);
    StageReport {
        stage: StageKind::Tcp,
        status,
        started_ms: 0,
        duration_ms: connect_ms.unwrap_or_default(),
        verdict,
        details: StageDetails::Tcp {
            outcome,
            connect_ms,
        },
        findings: vec![finding],
        connections_opened: 1,
    }
}
