//! Stage 2, RDP negotiation: the main connection's answer to a current client's request, and
//! every security protocol asked for alone.

use ironrdp_pdu::nego::FailureCode;

use crate::evidence::{EvidenceId, Finding, Severity};
use crate::probe::x224::{NegotiationOutcome, Protocol};
use crate::report::{ProtocolResult, StageDetails, StageKind, StageReport, StageStatus};

fn failure_evidence(code: u32) -> Option<EvidenceId> {
    match FailureCode::from(code) {
        FailureCode::SSL_REQUIRED_BY_SERVER => Some(EvidenceId::ProbeNegSslRequired),
        FailureCode::SSL_NOT_ALLOWED_BY_SERVER => Some(EvidenceId::ProbeNegSslNotAllowed),
        FailureCode::SSL_CERT_NOT_ON_SERVER => Some(EvidenceId::ProbeNegCertNotOnServer),
        FailureCode::INCONSISTENT_FLAGS => Some(EvidenceId::ProbeNegInconsistentFlags),
        FailureCode::HYBRID_REQUIRED_BY_SERVER => Some(EvidenceId::ProbeNegHybridRequired),
        FailureCode::SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER => {
            Some(EvidenceId::ProbeNegUserAuthRequired)
        }
        FailureCode::ENTRA_AUTH_REQUIRED_BY_SERVER => Some(EvidenceId::ProbeNegEntraRequired),
        _ => None,
    }
}

pub(crate) fn negotiation_report(outcome: &NegotiationOutcome) -> StageReport {
    let said = format!(
        "To a client offering TLS and NLA, the server {}.",
        outcome.describe()
    );
    let status = match outcome {
        NegotiationOutcome::Selected { .. } => StageStatus::Ok,
        _ => StageStatus::Failed,
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
        findings: vec![finding(outcome)],
        connections_opened: 0,
    }
}

/// What the main connection's answer says, as one finding. Long only because it is a table: one
/// arm per outcome.
fn finding(outcome: &NegotiationOutcome) -> Finding {
    let error = |id: Option<EvidenceId>, title: &str, detail: &str| {
        Finding::new(Severity::Error, id, title, detail)
    };
    match outcome {
        NegotiationOutcome::Selected {
            protocol: Some(Protocol::Hybrid | Protocol::HybridEx),
            ..
        } => Finding::new(
            Severity::Info,
            Some(EvidenceId::ProbeNegNlaOffered),
            "The server accepts NLA (CredSSP)",
            outcome.describe(),
        ),
        NegotiationOutcome::Selected {
            protocol: Some(Protocol::Rdp),
            legacy_confirm: true,
            ..
        } => Finding::new(
            Severity::Warning,
            Some(EvidenceId::ProbeNegLegacyServer),
            "The server predates TLS and NLA",
            "its Connection Confirm carries no negotiation data, as servers before RDP 5.2 (Windows 2000, XP, Server 2003 before SP1) answer: only standard RDP security, which current clients refuse unless allowed",
        ),
        NegotiationOutcome::Selected {
            protocol: Some(Protocol::Rdp),
            ..
        } => Finding::new(
            Severity::Warning,
            Some(EvidenceId::ProbeNegRdpSecurityOnly),
            "The server uses legacy RDP security",
            "it selected standard RDP security although the client offered TLS and NLA; current clients may refuse this",
        ),
        NegotiationOutcome::Selected { .. } => Finding::new(
            Severity::Info,
            None,
            "The server selected a security protocol",
            outcome.describe(),
        ),
        NegotiationOutcome::Failure { code, name } => Finding::new(
            Severity::Error,
            failure_evidence(*code),
            "The server refused the negotiation",
            format!("RDP_NEG_FAILURE {code} ({name})"),
        ),
        NegotiationOutcome::Reset => error(
            Some(EvidenceId::ProbeX224Reset),
            "The server reset the connection after the RDP connection request",
            "RST instead of a Connection Confirm; a connection that waits without sending is left alone",
        ),
        NegotiationOutcome::Closed => error(
            Some(EvidenceId::ProbeX224Closed),
            "The server closed the connection after the RDP connection request",
            "FIN instead of a Connection Confirm; a connection that waits without sending is left alone",
        ),
        NegotiationOutcome::ResetOnAccept => error(
            Some(EvidenceId::ProbeTcpResetOnAccept),
            "The service resets every connection as soon as it accepts it",
            "the TCP handshake completes, then RST before any request: security software, an address filter or a connection limit in front of the listener does this",
        ),
        NegotiationOutcome::ClosedOnAccept => error(
            Some(EvidenceId::ProbeTcpClosedOnAccept),
            "The service closes every connection as soon as it accepts it",
            "the TCP handshake completes, then FIN before any request: a listener that is shutting down, full, or refusing this address does this",
        ),
        NegotiationOutcome::McsDisconnect => error(
            Some(EvidenceId::ProbeX224Closed),
            "The server hung up in RDP's own words",
            "an MCS Disconnect Provider Ultimatum instead of a Connection Confirm",
        ),
        NegotiationOutcome::Silent => error(
            Some(EvidenceId::ProbeX224Silent),
            "The server did not answer the RDP connection request",
            "no reply before the deadline",
        ),
        NegotiationOutcome::NotRdp { .. } | NegotiationOutcome::Malformed { .. } => error(
            Some(EvidenceId::ProbeX224NotRdp),
            "The service on this port does not speak RDP",
            &outcome.describe(),
        ),
        NegotiationOutcome::ConnectFailed { reason } => {
            error(None, "The connection failed during negotiation", reason)
        }
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
