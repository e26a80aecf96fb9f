//! Running the native probe against a local test server, and reading its report.

use rdp_doctor_core::evidence::EvidenceId;
use rdp_doctor_core::probe::tls::TlsVersion;
use rdp_doctor_core::probe::tokio_driver::{TokioClock, TokioConnector};
use rdp_doctor_core::probe::x224::NegotiationOutcome;
use rdp_doctor_core::probe::{
    ProbeOptions, ProbeReport, StageDetails, StageKind, StageReport, StageStatus, Target,
    TlsDetails, run,
};

/// Deadlines short enough for servers that never answer.
pub fn quick_options() -> ProbeOptions {
    ProbeOptions {
        connect_timeout_ms: 2_000,
        exchange_timeout_ms: 1_500,
        total_timeout_ms: 10_000,
        ..ProbeOptions::default()
    }
}

/// Probes 127.0.0.1:`port` and checks that every stage was streamed exactly once.
pub async fn probe_with(port: u16, options: ProbeOptions) -> ProbeReport {
    let target = Target {
        host: "127.0.0.1".into(),
        port,
    };
    let mut streamed = Vec::new();
    let report = run(
        &target,
        &options,
        &TokioConnector,
        &TokioClock::default(),
        |stage| streamed.push(stage.stage),
    )
    .await;
    streamed.sort_by_key(|kind| StageKind::ALL.iter().position(|k| k == kind));
    assert_eq!(
        streamed,
        StageKind::ALL,
        "every stage is streamed exactly once"
    );
    report
}

pub async fn probe(port: u16) -> ProbeReport {
    probe_with(port, quick_options()).await
}

pub fn stage(report: &ProbeReport, kind: StageKind) -> &StageReport {
    report.stage(kind).expect("every stage is reported")
}

/// The stage, after checking its status (the verdict says why when it differs).
pub fn stage_with_status(
    report: &ProbeReport,
    kind: StageKind,
    status: StageStatus,
) -> &StageReport {
    let reported = stage(report, kind);
    assert_eq!(reported.status, status, "{kind:?}: {}", reported.verdict);
    reported
}

pub fn evidence(report: &ProbeReport) -> Vec<EvidenceId> {
    report.evidence().into_iter().map(|e| e.id).collect()
}

pub fn negotiation(report: &ProbeReport) -> &NegotiationOutcome {
    match &stage(report, StageKind::Negotiation).details {
        StageDetails::Negotiation { outcome, .. } => outcome,
        other => panic!("unexpected details {other:?}"),
    }
}

pub fn tls(report: &ProbeReport) -> &TlsDetails {
    match &stage(report, StageKind::Tls).details {
        StageDetails::Tls(details) => details,
        other => panic!(
            "no TLS details: {other:?} ({})",
            stage(report, StageKind::Tls).verdict
        ),
    }
}

pub fn supported_versions(report: &ProbeReport) -> Vec<TlsVersion> {
    tls(report)
        .versions
        .iter()
        .filter(|v| v.supported)
        .map(|v| v.version)
        .collect()
}
