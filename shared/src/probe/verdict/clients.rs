//! Stage 4, client compatibility: which real clients would get through the TLS handshake.
//!
//! A client is judged by its hello alone (a version and a cipher suite the server accepts); the
//! rest of the handshake is the TLS stage's, so a compatible client is said to agree with the
//! server, never to complete a handshake the server may still drop part-way.

use crate::evidence::{EvidenceId, Finding, Severity};
use crate::probe::clients::{CLIENT_PROFILES, ClientResult};
use crate::probe::tls::HelloOutcome;
use crate::report::{StageDetails, StageKind, StageReport, StageStatus};

pub(crate) fn clients_report(mut clients: Vec<ClientResult>) -> StageReport {
    clients.sort_by_key(|c| CLIENT_PROFILES.iter().position(|p| p.id == c.client));
    let failing: Vec<&ClientResult> = clients.iter().filter(|c| !c.compatible).collect();
    let current = clients.iter().filter(|c| c.current).count();
    let failing_current = failing.iter().filter(|c| c.current).count();
    let mut findings = failing_findings(&failing, current);
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
                "All {} client profiles agree on a TLS version and cipher suite with the server.",
                clients.len()
            ),
        ),
        (_, 0) => (
            StageStatus::Ok,
            format!(
                "Current clients agree on a TLS version and cipher suite with the server; older ones would fail: {}.",
                legacy.join(", ")
            ),
        ),
        _ => (
            StageStatus::Failed,
            format!("{failing_current} of {current} current clients would fail the TLS handshake."),
        ),
    };
    let status = super::worst(&findings, status);
    StageReport {
        details: StageDetails::ClientCompatibility { clients },
        findings,
        ..StageReport::without_result(StageKind::ClientCompatibility, status, verdict)
    }
}

/// A finding for the current clients that would fail (an error) and one for older clients (for
/// information only: no fault of a server that current clients reach).
fn failing_findings(failing: &[&ClientResult], current: usize) -> Vec<Finding> {
    let mut findings = Vec::new();
    let (legacy_failing, current_failing): (Vec<&ClientResult>, Vec<&ClientResult>) =
        failing.iter().partition(|c| !c.current);
    if !current_failing.is_empty() {
        let title = format!(
            "{} of {current} current RDP clients would fail the TLS handshake",
            current_failing.len()
        );
        findings.push(Finding::new(
            Severity::Error,
            Some(EvidenceId::ProbeClientIncompatible),
            title,
            reasons(&current_failing),
        ));
    }
    if !legacy_failing.is_empty() {
        let title = format!(
            "{} older RDP client{} would fail the TLS handshake",
            legacy_failing.len(),
            if legacy_failing.len() == 1 { "" } else { "s" }
        );
        findings.push(Finding::new(
            Severity::Info,
            Some(EvidenceId::ProbeLegacyClientIncompatible),
            title,
            reasons(&legacy_failing),
        ));
    }
    findings
}

fn reasons(clients: &[&ClientResult]) -> String {
    clients
        .iter()
        .map(|c| format!("{}: {}", c.name, c.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::clients::{DecidedBy, judge};
    use crate::probe::tls::TlsVersion;

    fn tls12() -> HelloOutcome {
        HelloOutcome::Accepted {
            version: TlsVersion::Tls12,
            cipher_suite: 0xc030,
            cipher_suite_name: None,
            hello_retry: false,
        }
    }

    /// A healthy TLS 1.2/1.3 server: every client but the TLS 1.0-only Windows 7 gets through.
    #[test]
    fn older_clients_failing_is_information_only() {
        let refused = HelloOutcome::Alert {
            level: 2,
            description: 70,
            name: "ProtocolVersion".into(),
        };
        let results = CLIENT_PROFILES
            .iter()
            .map(|profile| {
                let outcome = if profile.versions.contains(&TlsVersion::Tls12) {
                    tls12()
                } else {
                    refused.clone()
                };
                judge(profile, outcome, DecidedBy::VersionProbes)
            })
            .collect();
        let report = clients_report(results);
        assert_eq!(report.status, StageStatus::Ok, "{}", report.verdict);
        let ids: Vec<_> = report.findings.iter().filter_map(|f| f.evidence).collect();
        assert_eq!(ids, [EvidenceId::ProbeLegacyClientIncompatible]);
        assert!(report.findings.iter().all(|f| f.severity == Severity::Info));
    }

    /// Only the hellos are replayed: a server that accepts them all may still drop the full
    /// handshake (the TLS stage says so), so the verdict must not claim the handshake completes.
    #[test]
    fn compatible_clients_are_said_to_agree_not_to_complete_the_handshake() {
        let results = CLIENT_PROFILES
            .iter()
            .map(|profile| judge(profile, tls12(), DecidedBy::VersionProbes))
            .collect();
        let report = clients_report(results);
        assert_eq!(report.status, StageStatus::Ok);
        assert!(
            report
                .verdict
                .contains("agree on a TLS version and cipher suite"),
            "{}",
            report.verdict
        );
        assert!(!report.verdict.contains("complete"), "{}", report.verdict);
    }
}
