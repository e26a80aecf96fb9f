//! `rdp-doctor analyze` end to end: files and standard input, human and JSON output, exit status.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn fixture(path: &str) -> String {
    format!(
        "{}/../shared/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn rdp_doctor(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rdp-doctor"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run rdp-doctor");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.unwrap_or_default())
        .expect("write stdin");
    drop(input);
    child.wait_with_output().expect("rdp-doctor output")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_good_certificate_exits_zero_and_shows_its_thumbprint() {
    let thumbprint = std::fs::read_to_string(fixture("certs/valid.sha1")).unwrap();
    let output = rdp_doctor(
        &[
            "analyze",
            "cert",
            &fixture("certs/valid.pem"),
            "--host",
            "rds01.corp.example.com",
            "--now",
            "2026-06-01T00:00:00Z",
        ],
        None,
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = stdout(&output);
    assert!(
        text.contains(&format!("Thumbprint   {}", thumbprint.trim())),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn problems_exit_one_and_json_carries_the_evidence() {
    let output = rdp_doctor(
        &[
            "analyze",
            "cert",
            &fixture("certs/expired.pem"),
            "--json",
            "--now",
            "2026-06-01T00:00:00Z",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    assert_eq!(json["input_format"], "pem");
    assert_eq!(json["findings"][0]["evidence"], "cert.expired");
}

#[test]
fn standard_input_is_read_with_a_dash() {
    let pem = std::fs::read(fixture("certs/self-signed.pem")).unwrap();
    let output = rdp_doctor(
        &["analyze", "cert", "-", "--now", "2026-06-01T00:00:00Z"],
        Some(&pem),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("evidence: cert.self_signed"));
}

#[test]
fn events_show_findings_timeline_and_counts() {
    let output = rdp_doctor(
        &["analyze", "events", &fixture("events/wevtutil-system.xml")],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn events_before_the_given_failure_time_are_flagged_old() {
    let file = fixture("events/wevtutil-rdp-failures.xml");
    let text = stdout(&rdp_doctor(&["analyze", "events", &file], None));
    assert!(
        text.contains("(old: last seen 1738 days before the failure)"),
        "{text}"
    );
    let text = stdout(&rdp_doctor(
        &[
            "analyze",
            "events",
            &file,
            "--failed-at",
            "2019-06-02T09:00:00Z",
        ],
        None,
    ));
    assert!(!text.contains("(old:"), "{text}");
    let output = rdp_doctor(
        &["analyze", "events", &file, "--failed-at", "yesterday"],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn rdp_files_name_their_target() {
    let output = rdp_doctor(
        &[
            "analyze",
            "rdp",
            &fixture("rdp/mstsc-default.rdp"),
            "--json",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json["target"],
        serde_json::json!({"host": "rds01.corp.example.com", "port": 3389})
    );
}

#[test]
fn unreadable_input_exits_two_with_a_message() {
    let output = rdp_doctor(&["analyze", "cert", "-"], Some(b"not a certificate"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no certificate found"));
    let output = rdp_doctor(&["analyze", "events", "/nonexistent/file.evtx"], None);
    assert_eq!(output.status.code(), Some(2));
    let output = rdp_doctor(&["analyze", "rdp", &fixture("certs/valid.pem")], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no .rdp settings found"));
}

#[test]
fn a_server_check_with_a_disabled_firewall_rule_exits_one_and_names_the_fix() {
    let mut document: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("snapshot/server-check-healthy.json")).unwrap(),
    )
    .unwrap();
    document["sections"]["firewall"]["rules"][0]["enabled"] = "False".into();
    let output = rdp_doctor(
        &["analyze", "snapshot", "-", "--now", "2026-12-01T00:00:00Z"],
        Some(document.to_string().as_bytes()),
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    // The fix for the rule, and the section not collected listed with its error.
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn a_healthy_command_output_exits_zero_and_json_carries_the_evidence() {
    let output = rdp_doctor(
        &[
            "analyze",
            "snapshot",
            &fixture("snapshot/qwinsta-en.txt"),
            "--json",
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["snapshot"]["from"], "command");
    assert_eq!(report["snapshot"]["command"], "qwinsta");
    assert_eq!(report["findings"][0]["evidence"], "server.listening");
}

#[test]
fn something_that_is_no_check_output_exits_two() {
    let output = rdp_doctor(&["analyze", "snapshot", "-"], Some(b"just some words"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a check's output"));
}
