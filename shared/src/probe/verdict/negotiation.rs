//! Stage 2, RDP negotiation: the main connection's answer to a current client's request, and
//! every security protocol asked for alone.

use crate::evidence::{EvidenceId, Finding, Severity};
use crate::probe::x224::{NegotiationOutcome, Protocol};
use crate::report::{ProtocolResult, StageDetails, StageKind, StageReport, StageStatus};

fn failure_evidence(code: u32) -> Option<EvidenceId> {
    match code {
        1 => Some(EvidenceId::ProbeNegSslRequired),
        2 => Some(EvidenceId::ProbeNegSslNotAllowed),
        3 => Some(EvidenceId::ProbeNegCertNotOnServer),
        4 => Some(EvidenceId::ProbeNegInconsistentFlags),
        5 => Some(EvidenceId::ProbeNegHybridRequired),
        6 => Some(EvidenceId::ProbeNegUserAuthRequired),
        7 => Some(EvidenceId::ProbeNegEntraRequired),
        _ => None,
    }
}

pub(crate) fn negotiation_report(outcome: &NegotiationOutcome) -> StageReport {
    let said = format!(
        "To a client offering TLS and NLA, the server {}.",
        outcome.describe()
    );
    let (status, finding) = match outcome {
        NegotiationOutcome::Selected {
            protocol: Some(Protocol::Hybrid | Protocol::HybridEx),
            ..
        } => (
            StageStatus::Ok,
            Finding::new(
                Severity::Info,
                Some(EvidenceId::ProbeNegNlaOffered),
                "The server accepts NLA (CredSSP)",
                outcome.describe(),
            ),
        ),
        NegotiationOutcome::Selected {
            protocol: Some(Protocol::Rdp),
            ..
        } => (
            StageStatus::Ok,
            Finding::new(
                Severity::Warning,
                Some(EvidenceId::ProbeNegRdpSecurityOnly),
                "The server uses legacy RDP security",
                "it selected standard RDP security although the client offered TLS and NLA; current clients may refuse this",
            ),
        ),
        NegotiationOutcome::Selected { .. } => (
            StageStatus::Ok,
            Finding::new(
                Severity::Info,
                None,
                "The server selected a security protocol",
                outcome.describe(),
            ),
        ),
        NegotiationOutcome::Failure { code, name } => (
            StageStatus::Failed,
            Finding::new(
                Severity::Error,
                failure_evidence(*code),
                "The server refused the negotiation",
                format!("RDP_NEG_FAILURE {code} ({name})"),
            ),
        ),
        NegotiationOutcome::Reset => (
            StageStatus::Failed,
            Finding::new(
                Severity::Error,
                Some(EvidenceId::ProbeX224Reset),
                "The server reset the connection after the RDP connection request",
                "RST instead of a Connection Confirm",
            ),
        ),
        NegotiationOutcome::Closed => (
            StageStatus::Failed,
            Finding::new(
                Severity::Error,
                Some(EvidenceId::ProbeX224Closed),
                "The server closed the connection after the RDP connection request",
                "FIN instead of a Connection Confirm",
            ),
        ),
        NegotiationOutcome::Silent => (
            StageStatus::Failed,
            Finding::new(
                Severity::Error,
                Some(EvidenceId::ProbeX224Silent),
                "The server did not answer the RDP connection request",
                "no reply before the deadline",
            ),
        ),
        NegotiationOutcome::NotRdp { .. } | NegotiationOutcome::Malformed { .. } => (
            StageStatus::Failed,
            Finding::new(
                Severity::Error,
                Some(EvidenceId::ProbeX224NotRdp),
                "The service on this port does not speak RDP",
                outcome.describe(),
            ),
        ),
        NegotiationOutcome::ConnectFailed { reason } => (
            StageStatus::Failed,
            Finding::new(
                Severity::Error,
                None,
                "The connection failed during negotiation",
                reason.clone(),
            ),
        ),
    };
    StageReport {
        stage: StageKind::Negotiation,
        status,
        started_ms: 0,
        duration_ms: 0,
        verdict: said,
        details: StageDetails::Negotiation {
            requested: vec![Protocol::Ssl, Protocol::Hybrid, Protocol::HybridEx],
            outcome: outcome.clone(),
        },
        findings: vec![finding],
        connections_opened: 0,
    }
}

pub(crate) fn protocols_report(mut protocols: Vec<ProtocolResult>) -> StageReport {
    protocols.sort_by_key(|r| Protocol::ALL.iter().position(|p| *p == r.protocol));
    let accepted: Vec<&str> = protocols
        .iter()
        .filter(|r| r.accepted)
        .map(|r| r.protocol.label())
        .collect();
    let mut findings = Vec::new();
    let mut codes_seen = Vec::new();
    for result in &protocols {
        if let NegotiationOutcome::Failure { code, name } = &result.outcome
            && !codes_seen.contains(code)
        {
            codes_seen.push(*code);
            findings.push(Finding::new(
                Severity::Info,
                failure_evidence(*code),
                format!(
                    "Asked for {} alone, the server answered {name}",
                    result.protocol.label()
                ),
                format!("RDP_NEG_FAILURE {code}"),
            ));
        }
    }
    if protocols
        .iter()
        .any(|r| r.accepted && matches!(r.protocol, Protocol::Hybrid | Protocol::HybridEx))
    {
        findings.push(Finding::new(
            Severity::Info,
            Some(EvidenceId::ProbeNegNlaOffered),
            "The server accepts NLA (CredSSP)",
            "HYBRID accepted when asked alone",
        ));
    }
    let (status, verdict) = if accepted.is_empty() {
        (
            StageStatus::Failed,
            "The server accepted none of the security protocols asked for one at a time."
                .to_owned(),
        )
    } else {
        (
            StageStatus::Ok,
            format!("The server accepts: {}.", accepted.join(", ")),
        )
    };
    StageReport {
        details: StageDetails::SecurityProtocols { protocols },
        findings,
        ..StageReport::without_result(StageKind::SecurityProtocols, status, verdict)
    }
}
