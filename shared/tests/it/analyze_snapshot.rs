//! The inside view: the server and client checks' JSON and the single server commands, from
//! fixtures of published outputs (see fixtures/snapshot/README.md), every section's error path,
//! size limits, and that each problem the issue names ranks its cause first with 0x904/0x7.
#![cfg(feature = "analyzers")]

use std::path::PathBuf;

use rdp_doctor_core::analyze::AnalyzeError;
use rdp_doctor_core::analyze::snapshot;
use rdp_doctor_core::codes;
use rdp_doctor_core::engine;
use rdp_doctor_core::evidence::{EvidenceId, Source};
use rdp_doctor_core::report::{Command, SnapshotKind, SnapshotReport};
use serde_json::{Value, json};

/// 2026-12-01T00:00:00Z: the fixtures' certificates are judged at this time.
const NOW: i64 = 1_795_996_800;

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/snapshot")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn analyze(bytes: &[u8]) -> SnapshotReport {
    snapshot::analyze(bytes, NOW).unwrap_or_else(|e| panic!("{e}"))
}

fn ids(report: &SnapshotReport) -> Vec<EvidenceId> {
    report.evidence().iter().map(|e| e.id).collect()
}

fn healthy() -> Value {
    serde_json::from_slice(&fixture("server-check-healthy.json")).expect("fixture is JSON")
}

/// The healthy server as it looks while every connection fails: no successful NLA logon today.
fn failing() -> Value {
    let mut document = healthy();
    document["sections"]["events"]["events"] = json!([]);
    document
}

fn with_section(mut document: Value, section: &str, value: Value) -> Vec<u8> {
    document["sections"][section] = value;
    serde_json::to_vec(&document).expect("JSON")
}

/// Asserts the cause ranked first for the check's evidence plus the 0x904/0x7 error.
fn assert_first(report: &SnapshotReport, cause: &str) {
    let mut evidence = codes::decode("Error code: 0x904\nExtended error code: 0x7").evidence();
    evidence.extend(report.evidence());
    let diagnosis = engine::diagnose(&evidence);
    let ranking: Vec<String> = diagnosis
        .ranked
        .iter()
        .take(4)
        .map(|c| format!("{} {:.2}", c.id, c.probability))
        .collect();
    assert_eq!(diagnosis.ranked[0].id, cause, "{ranking:?}");
}

#[test]
fn a_healthy_server_check_clears_the_usual_suspects() {
    let report = analyze(&fixture("server-check-healthy.json"));
    assert_eq!(report.snapshot, SnapshotKind::ServerCheck);
    let ids = ids(&report);
    for expected in [
        EvidenceId::ServerTermserviceRunning,
        EvidenceId::ServerListening,
        EvidenceId::ServerFirewallRulesAllow,
        EvidenceId::ServerNetworkNotPublic,
        EvidenceId::ServerMachinekeysOk,
        EvidenceId::ServerNlaRequired,
    ] {
        assert!(ids.contains(&expected), "{expected:?} missing from {ids:?}");
    }
    for absent in [
        EvidenceId::ServerCertKeyUnreadable,
        EvidenceId::ServerSelfsignedKeyUnreadable,
        EvidenceId::ServerCustomPort,
    ] {
        assert!(!ids.contains(&absent), "{absent:?} in {ids:?}");
    }
    // The section the script could not collect is reported, not fatal.
    assert_eq!(
        report.section_errors.len(),
        1,
        "{:?}",
        report.section_errors
    );
    assert_eq!(report.section_errors[0].section, "security_products");
    // The event of the last 24 hours went through the event analyzer.
    assert!(
        report
            .evidence()
            .iter()
            .any(|e| e.source == Source::EventLog && e.id == EvidenceId::EventNlaAuthSucceeded)
    );
    assert!(
        report
            .evidence()
            .iter()
            .filter(|e| e.id.as_str().starts_with("server."))
            .all(|e| e.source == Source::ServerCheck)
    );
}

#[test]
fn a_disabled_remote_desktop_rule_ranks_the_firewall_first() {
    let mut document = failing();
    document["sections"]["firewall"]["rules"][0]["enabled"] = json!("False");
    let report = analyze(&serde_json::to_vec(&document).expect("JSON"));
    let finding = report
        .findings
        .iter()
        .find(|f| f.evidence == Some(EvidenceId::ServerFirewallRuleDisabled))
        .expect("finding");
    assert!(
        finding
            .detail
            .contains("Enable-NetFirewallRule -Name 'RemoteDesktop-UserMode-In-TCP'"),
        "{}",
        finding.detail
    );
    assert_first(&report, "host_firewall_blocks");
}

#[test]
fn a_public_network_ranks_the_network_profile_first() {
    let mut document = failing();
    document["sections"]["network"] = json!([{ "interface": "Ethernet 2", "name": "Network", "category": "Public", "ipv4": "Internet" }]);
    document["sections"]["firewall"]["rules"][0]["profile"] = json!("Domain, Private");
    let report = analyze(&serde_json::to_vec(&document).expect("JSON"));
    let ids = ids(&report);
    assert!(
        ids.contains(&EvidenceId::ServerNetworkPublic)
            && ids.contains(&EvidenceId::ServerFirewallRuleOtherProfile),
        "{ids:?}"
    );
    let finding = report
        .findings
        .iter()
        .find(|f| f.evidence == Some(EvidenceId::ServerNetworkPublic))
        .expect("finding");
    assert!(
        finding
            .detail
            .contains("-InterfaceAlias 'Ethernet 2' -NetworkCategory Private"),
        "{}",
        finding.detail
    );
    assert_first(&report, "network_profile_public");
}

#[test]
fn a_stopped_termservice_ranks_the_service_first() {
    let document = failing();
    let bytes = with_section(
        document,
        "services",
        json!([{ "name": "TermService", "status": "Stopped", "start_type": "Disabled" }]),
    );
    let mut document: Value = serde_json::from_slice(&bytes).expect("JSON");
    document["sections"]["port_listeners"] = json!([]);
    let report = analyze(&serde_json::to_vec(&document).expect("JSON"));
    let finding = report
        .findings
        .iter()
        .find(|f| f.evidence == Some(EvidenceId::ServerTermserviceStopped))
        .expect("finding");
    assert!(
        finding.detail.contains(
            "Set-Service -Name TermService -StartupType Manual ; Start-Service -Name TermService"
        ),
        "{}",
        finding.detail
    );
    assert_first(&report, "rdp_service_stuck");
}

#[test]
fn a_custom_port_ranks_the_port_first_and_its_fix_names_the_port() {
    let mut document = failing();
    document["sections"]["listener"]["PortNumber"] = json!(3390);
    document["sections"]["firewall"]["rdp_port"] = json!(3390);
    document["sections"]["firewall"]["rules"][0]["local_port"] = json!(["3389", "3390"]);
    for listener in document["sections"]["port_listeners"]
        .as_array_mut()
        .expect("listeners")
    {
        listener["port"] = json!(3390);
    }
    let report = analyze(&serde_json::to_vec(&document).expect("JSON"));
    let finding = report
        .findings
        .iter()
        .find(|f| f.evidence == Some(EvidenceId::ServerCustomPort))
        .expect("finding");
    assert!(
        finding.title.contains("3390") && finding.detail.contains("mstsc /v:<server>:3390"),
        "{finding:?}"
    );
    assert_first(&report, "wrong_port_or_nat");
}

#[test]
fn machinekeys_without_system_ranks_machinekeys_first() {
    let mut document = failing();
    document["sections"]["machinekeys"]["access"] = json!([
        { "sid": "S-1-1-0", "account": "Everyone", "rights": "Write, Read, Synchronize", "type": "Allow", "inherited": false },
        { "sid": "S-1-5-32-544", "account": "BUILTIN\\Administrators", "rights": "FullControl", "type": "Allow", "inherited": false }
    ]);
    let report = analyze(&serde_json::to_vec(&document).expect("JSON"));
    let finding = report
        .findings
        .iter()
        .find(|f| f.evidence == Some(EvidenceId::ServerMachinekeysNoSystem))
        .expect("finding");
    assert!(
        finding.detail.contains("/grant *S-1-5-18:F"),
        "{}",
        finding.detail
    );
    assert_first(&report, "machinekeys_permissions");
}

fn without_network_service(document: &mut Value, cert: usize) {
    document["sections"]["certificates"]["certificates"][cert]["key_acl"]["access"] = json!([
        { "sid": "S-1-5-18", "account": "NT AUTHORITY\\SYSTEM", "rights": "FullControl", "type": "Allow", "inherited": false },
        { "sid": "S-1-5-32-544", "account": "BUILTIN\\Administrators", "rights": "FullControl", "type": "Allow", "inherited": false }
    ]);
}

#[test]
fn a_configured_certificate_whose_key_network_service_cannot_read_ranks_that_certificate_first() {
    let mut document = failing();
    let thumbprint = "9C1E4B2A7D3F6E8A0B5C2D4E6F8A1B3C5D7E9F02";
    let mut cert = document["sections"]["certificates"]["certificates"][0].clone();
    cert["store"] = json!("My");
    cert["thumbprint"] = json!(thumbprint);
    cert["subject"] = json!("CN=rds01.corp.example.com");
    cert["key_file"] = json!(
        "C:\\ProgramData\\Microsoft\\Crypto\\Keys\\b7a2c1d5e0f34c0a8e2f1c9d7b6a5e4f_4f1c2a77-8c3e-4b9a-a1d2-6e5f7a8b9c0d"
    );
    document["sections"]["certificates"]["certificates"] = json!([cert]);
    document["sections"]["certificates"]["configured_thumbprint"] = json!(thumbprint);
    without_network_service(&mut document, 0);
    let report = analyze(&serde_json::to_vec(&document).expect("JSON"));
    let finding = report
        .findings
        .iter()
        .find(|f| f.evidence == Some(EvidenceId::ServerCertKeyUnreadable))
        .expect("finding");
    assert!(
        finding.title.contains(thumbprint) && finding.detail.contains("/grant *S-1-5-20:R"),
        "{finding:?}"
    );
    assert_first(&report, "configured_cert_unusable");
}

#[test]
fn the_self_signed_certificate_whose_key_network_service_cannot_read_ranks_machinekeys_first() {
    let mut document = failing();
    without_network_service(&mut document, 0);
    let report = analyze(&serde_json::to_vec(&document).expect("JSON"));
    assert!(ids(&report).contains(&EvidenceId::ServerSelfsignedKeyUnreadable));
    assert_first(&report, "machinekeys_permissions");
}

#[test]
fn every_section_the_script_could_not_collect_is_reported_and_the_rest_still_counts() {
    let sections: Vec<String> = healthy()["sections"]
        .as_object()
        .expect("sections")
        .keys()
        .cloned()
        .collect();
    for section in &sections {
        let bytes = with_section(
            healthy(),
            section,
            json!({ "error": "Access is denied", "needs_elevation": true }),
        );
        let report = analyze(&bytes);
        let error = report
            .section_errors
            .iter()
            .find(|e| &e.section == section)
            .unwrap_or_else(|| panic!("{section}: {:?}", report.section_errors));
        assert!(
            error.needs_elevation && error.error == "Access is denied",
            "{error:?}"
        );
        assert!(
            !report.findings.is_empty(),
            "{section}: the other sections still give findings"
        );
    }
}

#[test]
fn a_section_of_the_wrong_shape_is_an_error_of_that_section_only() {
    for section in [
        "listener",
        "policy",
        "machinekeys",
        "firewall",
        "remote_desktop",
    ] {
        let report = analyze(&with_section(healthy(), section, json!(42)));
        assert!(
            report.section_errors.iter().any(|e| e.section == section),
            "{section}: {:?}",
            report.section_errors
        );
        assert!(
            ids(&report).contains(&EvidenceId::ServerTermserviceRunning),
            "{section}"
        );
    }
}

#[test]
fn the_client_check_reads_powershell_5_single_item_lists() {
    let report = analyze(&fixture("client-check-vpn-blocked.json"));
    assert_eq!(report.snapshot, SnapshotKind::ClientCheck);
    let ids = ids(&report);
    for expected in [
        EvidenceId::ClientTcpFailed,
        EvidenceId::ClientVpnActive,
        EvidenceId::ClientMtuLow,
        EvidenceId::ClientSavedCredentials,
    ] {
        assert!(ids.contains(&expected), "{expected:?} missing from {ids:?}");
    }
    assert!(
        report
            .evidence()
            .iter()
            .all(|e| e.source == Source::ClientCheck)
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.title.contains("10.20.1.15")),
        "{:?}",
        report.findings
    );
    assert!(report.findings.iter().any(|f| {
        f.detail
            .contains("cmdkey /delete:TERMSRV/rds01.corp.example.com")
    }));
}

#[test]
fn a_failed_dns_lookup_on_the_client_is_a_finding() {
    let mut document: Value =
        serde_json::from_slice(&fixture("client-check-vpn-blocked.json")).expect("JSON");
    document["sections"]["dns"] =
        json!({ "error": "rds01.corp.example.com : DNS name does not exist" });
    let report = analyze(&serde_json::to_vec(&document).expect("JSON"));
    assert!(ids(&report).contains(&EvidenceId::ClientDnsFailed));
}

fn command(name: &str) -> SnapshotReport {
    let report = snapshot::analyze(&fixture(name), NOW).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        matches!(report.snapshot, SnapshotKind::Command(_)),
        "{name}: {:?}",
        report.snapshot
    );
    report
}

#[test]
fn each_single_command_output_is_recognised_and_read() {
    let cases: &[(&str, Command, &[EvidenceId])] = &[
        ("reg-query-port-3389.txt", Command::RegQuery, &[]),
        ("netstat-ano-en.txt", Command::Netstat, &[]),
        (
            "get-netconnectionprofile-public.txt",
            Command::GetNetConnectionProfile,
            &[EvidenceId::ServerNetworkPublic],
        ),
        (
            "get-netconnectionprofile-fr.txt",
            Command::GetNetConnectionProfile,
            &[EvidenceId::ServerNetworkPublic],
        ),
        (
            "get-service-excerpt-en.txt",
            Command::GetService,
            &[EvidenceId::ServerTermserviceRunning],
        ),
        (
            "get-service-termservice-en.txt",
            Command::GetService,
            &[EvidenceId::ServerTermserviceRunning],
        ),
        (
            "icacls-machinekeys-no-system.txt",
            Command::Icacls,
            &[
                EvidenceId::ServerMachinekeysNoSystem,
                EvidenceId::ServerMachinekeysNoAdmins,
            ],
        ),
        (
            "w32tm-status-verbose-unsynced.txt",
            Command::W32tmStatus,
            &[EvidenceId::ServerClockUnsynchronized],
        ),
        (
            "w32tm-service-stopped.txt",
            Command::W32tmStatus,
            &[EvidenceId::ServerClockUnsynchronized],
        ),
        ("dsregcmd-status-hybrid.txt", Command::DsregcmdStatus, &[]),
        (
            "qwinsta-en.txt",
            Command::Qwinsta,
            &[EvidenceId::ServerListening],
        ),
        (
            "qwinsta-ru-no-listener.txt",
            Command::Qwinsta,
            &[EvidenceId::ServerListenerNotInListenState],
        ),
        (
            "get-nettcpconnection-en.txt",
            Command::GetNetTcpConnection,
            &[EvidenceId::ServerNotListening],
        ),
        (
            "certutil-store-my.txt",
            Command::CertutilStore,
            &[EvidenceId::ServerCertExpired],
        ),
        ("netsh-rule-de.txt", Command::NetshFirewallRules, &[]),
    ];
    for (name, expected, evidence) in cases {
        let report = command(name);
        assert_eq!(report.snapshot, SnapshotKind::Command(*expected), "{name}");
        let ids = ids(&report);
        for id in *evidence {
            assert!(
                ids.contains(id),
                "{name}: {id:?} missing from {ids:?}\n{:#?}",
                report.findings
            );
        }
        assert!(!report.findings.is_empty(), "{name}");
    }
}

#[test]
fn the_registry_port_and_the_netstat_listener_are_reported_with_their_values() {
    let reg = command("reg-query-port-3389.txt");
    assert!(
        reg.findings
            .iter()
            .any(|f| f.title == "The RDP listener uses port 3389"),
        "{:?}",
        reg.findings
    );
    let netstat = command("netstat-ano-en.txt");
    assert!(
        netstat.findings.iter().any(|f| f.title.contains("PID 364")
            && f.detail.contains("tasklist /svc /fi \"PID eq 364\"")),
        "{:?}",
        netstat.findings
    );
    let dsregcmd = command("dsregcmd-status-hybrid.txt");
    assert!(!ids(&dsregcmd).contains(&EvidenceId::ServerEntraNotJoined));
}

#[test]
fn german_netsh_labels_are_read() {
    let report = command("netsh-rule-de.txt");
    // The published rule allows a program on every port of every profile: it covers 3389.
    assert!(
        ids(&report).contains(&EvidenceId::ServerFirewallRulesAllow),
        "{:#?}",
        report.findings
    );
    let english = String::from_utf8(fixture("netsh-rule-de.txt"))
        .expect("UTF-8")
        .replace(
            "Aktiviert:                            Ja",
            "Aktiviert:                            Nein",
        );
    let disabled = analyze(english.as_bytes());
    assert!(
        ids(&disabled).contains(&EvidenceId::ServerFirewallRuleDisabled),
        "{:#?}",
        disabled.findings
    );
}

#[test]
fn utf16_output_as_windows_powershell_saves_it_is_read() {
    let text = String::from_utf8(fixture("qwinsta-en.txt")).expect("UTF-8");
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(
        analyze(&bytes).snapshot,
        SnapshotKind::Command(Command::Qwinsta)
    );
}

#[test]
fn unreadable_input_is_a_clear_error() {
    assert_eq!(snapshot::analyze(b"", NOW), Err(AnalyzeError::Empty));
    assert!(matches!(
        snapshot::analyze(&vec![b' '; snapshot::MAX_INPUT_BYTES + 1], NOW),
        Err(AnalyzeError::TooLarge { .. })
    ));
    assert_eq!(
        snapshot::analyze(b"hello world", NOW),
        Err(AnalyzeError::NoSnapshot)
    );
    assert!(matches!(
        snapshot::analyze(b"{\"schema\": ", NOW),
        Err(AnalyzeError::SnapshotJson(_))
    ));
    assert!(
        matches!(snapshot::analyze(br#"{"schema": "something/2"}"#, NOW), Err(AnalyzeError::UnknownSnapshotSchema(s)) if s == "something/2")
    );
    assert!(matches!(
        snapshot::analyze(br#"{"schema": "rdp-doctor.server-check/1"}"#, NOW),
        Err(AnalyzeError::SnapshotJson(_))
    ));
    // Deep nesting is refused by serde_json's recursion limit, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(snapshot::analyze(deep.as_bytes(), NOW).is_err());
}

#[test]
fn a_check_bounded_by_its_lists_still_reads_a_huge_rule_list() {
    let rules: Vec<Value> = (0..20_000).map(|i| json!({ "name": format!("r{i}"), "display_name": format!("Rule {i}"), "enabled": "False", "profile": "Any", "direction": "Inbound", "action": "Allow", "protocol": "TCP", "local_port": ["80"], "remote_address": ["Any"] })).collect();
    let mut document = healthy();
    document["sections"]["firewall"]["rules"] = Value::Array(rules);
    let bytes = serde_json::to_vec(&document).expect("JSON");
    assert!(bytes.len() < snapshot::MAX_INPUT_BYTES);
    let report = analyze(&bytes);
    assert!(ids(&report).contains(&EvidenceId::ServerFirewallRuleDisabled));
}

#[test]
fn every_client_section_the_script_could_not_collect_is_reported() {
    let document: Value =
        serde_json::from_slice(&fixture("client-check-vpn-blocked.json")).expect("JSON");
    for section in document["sections"].as_object().expect("sections").keys() {
        let mut broken = document.clone();
        broken["sections"][section] =
            json!({ "error": "The term 'Get-NetAdapter' is not recognized" });
        let report = analyze(&serde_json::to_vec(&broken).expect("JSON"));
        assert!(
            report
                .section_errors
                .iter()
                .any(|e| &e.section == section && !e.needs_elevation),
            "{section}: {:?}",
            report.section_errors
        );
    }
}
