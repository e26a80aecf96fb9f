//! Stage 4, client compatibility: which real clients would get through the TLS handshake.

use crate::evidence::{EvidenceId, Finding, Severity};
use crate::probe::clients::{CLIENT_PROFILES, ClientResult};
use crate::probe::report::{StageDetails, StageKind, StageReport, StageStatus};
use crate::probe::tls::HelloOutcome;

pub(crate) fn clients_report(mut clients: Vec<ClientResult>) -> StageReport {
    clients.sort_by_key(|c| CLIENT_PROFILES.iter().position(|p| p.id == c.client));
    let failing: Vec<&ClientResult> = clients.iter().filter(|c| !c.compatible).collect();
    let current = clients.iter().filter(|c| c.current).count();
    let failing_current = failing.iter().filter(|c| c.current).count();
    let mut findings = Vec::new();
    if !failing.is_empty() {
        let names: Vec<String> = failing
            .iter()
            .map(|c| format!("{}: {}", c.name, c.reason))
            .collect();
        let severity = match failing_current {
            0 => Severity::Info,
            n if n == current => Severity::Error,
            _ => Severity::Warning,
        };
        let title = format!(
            "{} of {} RDP clients would fail the TLS handshake",
            failing.len(),
            clients.len()
        );
        findings.push(Finding::new(
            severity,
            Some(EvidenceId::ProbeClientIncompatible),
            title,
            names.join("; "),
        ));
    }
    let no_common_suite = failing.iter().any(|c| {
        c.current
            && matches!(
                c.outcome,
                HelloOutcome::Alert {
                    description: 40 | 71,
                    ..
                }
            )
    });
    if failing_current == current && current > 0 && no_common_suite {
        findings.push(Finding::new(
            Severity::Error,
            Some(EvidenceId::ProbeTlsNoModernCipher),
            "No current RDP client shares a cipher suite with the server",
            "the client supports none of the cipher suites the server accepts",
        ));
    }
    let legacy: Vec<&str> = failing
        .iter()
        .filter(|c| !c.current)
        .map(|c| c.name.as_str())
        .collect();
    let (status, verdict) = match (failing.len(), failing_current) {
        (0, _) => (
            StageStatus::Ok,
            format!(
                "All {} client profiles would complete the TLS handshake.",
                clients.len()
            ),
        ),
        (_, 0) => (
            StageStatus::Ok,
            format!(
                "Current clients connect; older ones would fail: {}.",
                legacy.join(", ")
            ),
        ),
        _ => (
            StageStatus::Failed,
            format!("{failing_current} of {current} current clients would fail the TLS handshake."),
        ),
    };
    StageReport {
        details: StageDetails::ClientCompatibility { clients },
        findings,
        ..StageReport::without_result(StageKind::ClientCompatibility, status, verdict)
    }
}
