//! The .rdp file analyzer against files as mstsc and people write them.
#![cfg(feature = "analyzers")]

use rdp_doctor_core::analyze::AnalyzeError;
use rdp_doctor_core::analyze::rdpfile::{self, RdpFileReport};
use rdp_doctor_core::evidence::EvidenceId;
use rdp_doctor_core::report::Target;

use crate::sorted;

fn analyze(name: &str) -> RdpFileReport {
    let path = format!("{}/tests/fixtures/rdp/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    rdpfile::analyze(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn evidence(report: &RdpFileReport) -> Vec<EvidenceId> {
    sorted(report.evidence().into_iter().map(|e| e.id))
}

#[test]
fn an_mstsc_default_file_in_utf16_is_clean() {
    let report = analyze("mstsc-default.rdp");
    assert_eq!(
        report.target,
        Some(Target {
            host: "rds01.corp.example.com".into(),
            port: 3389
        })
    );
    assert_eq!(report.setting("Username"), Some("CORP\\alex"));
    assert_eq!(report.settings.len(), 51);
    assert_eq!(report.unreadable_lines, 0);
    assert_eq!(evidence(&report), vec![]);
}

#[test]
fn settings_that_break_or_hide_failures_are_flagged() {
    let report = analyze("nla-off-nonstandard-port.rdp");
    assert_eq!(
        report.target,
        Some(Target {
            host: "10.0.0.5".into(),
            port: 3390
        })
    );
    assert_eq!(
        evidence(&report),
        sorted(vec![
            EvidenceId::RdpNonstandardPort,
            EvidenceId::RdpNlaDisabled,
            EvidenceId::RdpAuthLevelLenient
        ])
    );

    let report = analyze("gateway-strict.rdp");
    assert_eq!(
        report.target,
        Some(Target {
            host: "2001:db8::5".into(),
            port: 3391
        })
    );
    assert_eq!(
        evidence(&report),
        sorted(vec![
            EvidenceId::RdpNonstandardPort,
            EvidenceId::RdpAuthLevelStrict,
            EvidenceId::RdpSecurityNegotiationOff,
            EvidenceId::RdpGatewayConfigured
        ])
    );
    let titles: Vec<&str> = report.findings.iter().map(|f| f.title.as_str()).collect();
    for expected in [
        "alternate address",
        "always asks for credentials",
        "Connection Broker",
        "Entra ID",
        "rdgw.example.com",
    ] {
        assert!(
            titles.iter().any(|t| t.contains(expected)),
            "{expected} not in {titles:#?}"
        );
    }
}

#[test]
fn server_port_applies_when_the_address_has_none() {
    assert_eq!(
        analyze("server-port-only.rdp").target,
        Some(Target {
            host: "rds03".into(),
            port: 4489
        })
    );
}

#[test]
fn a_file_without_settings_is_refused() {
    assert_eq!(
        rdpfile::analyze(b"hello\nworld\n"),
        Err(AnalyzeError::NotAnRdpFile)
    );
    assert_eq!(rdpfile::analyze(b""), Err(AnalyzeError::Empty));
    let huge = vec![b'a'; rdpfile::MAX_INPUT_BYTES + 1];
    assert!(matches!(
        rdpfile::analyze(&huge),
        Err(AnalyzeError::TooLarge { .. })
    ));
    let report = rdpfile::analyze(b"username:s:alex\n").unwrap();
    assert_eq!(report.target, None);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.title.contains("names no server"))
    );
}
