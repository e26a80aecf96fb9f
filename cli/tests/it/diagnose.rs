//! `rdp-doctor diagnose` end to end, through the built binary.

use std::fs;
use std::process::Command;

fn rdp_doctor() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rdp-doctor"))
}

fn temp_file(name: &str, content: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rdp-doctor-cli-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    fs::write(&path, content).unwrap();
    path
}

#[test]
fn answers_and_evidence_files_give_a_ranked_json_diagnosis() {
    let answers = temp_file("answers.json", r#"{"what_changed": "certificate"}"#);
    let evidence = temp_file(
        "evidence.json",
        r#"[{"id": "event.rcm_cert_hash_invalid", "source": "event_log", "detail": "RCM 1059 at 08:02"}]"#,
    );
    let out = rdp_doctor()
        .args(["diagnose", "--error", "0x904 0x7", "--json", "--answers"])
        .arg(&answers)
        .arg("--evidence")
        .arg(&evidence)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["ranked"][0]["id"], "configured_cert_unusable");
    assert_eq!(json["ranked"][0]["confidence"], "likely");
    assert_eq!(json["settled"], true);
    let because = json["ranked"][0]["because"].as_array().unwrap();
    assert!(because.iter().any(|r| r["detail"] == "RCM 1059 at 08:02"));
}

#[test]
fn human_output_shows_the_ranking_the_next_question_and_the_fix() {
    let out = rdp_doctor()
        .args(["diagnose", "--error", "0x904 0x7"])
        .output()
        .unwrap();
    assert!(out.status.success());
    // The whole text: the ranking, what was ruled out, the next question with its answers,
    // the next check and the top cause's fix with its risk.
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}

#[test]
fn unknown_answers_are_reported_clearly() {
    let out = rdp_doctor()
        .args(["diagnose", "--answer", "when_fails=on_tuesdays"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("question \"when_fails\" has no option \"on_tuesdays\""),
        "{err}"
    );

    let bad = temp_file("bad.json", "[{\"id\": \"no.such.evidence\"}]");
    let out = rdp_doctor()
        .args(["diagnose", "--evidence"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8(out.stderr).unwrap().contains("bad.json"));
}

/// Runs `rdp-doctor` and returns its standard output, whatever the exit status (the analyzers
/// exit 1 when they found problems, the probe when a stage failed).
fn printed(args: &[&str]) -> String {
    let out = rdp_doctor().args(args).output().unwrap();
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fixture(path: &str) -> String {
    format!(
        "{}/../shared/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn evidence_takes_what_analyze_and_probe_print_as_json() {
    let events = temp_file(
        "events.json",
        &printed(&[
            "analyze",
            "events",
            &fixture("events/wevtutil-system.xml"),
            "--json",
        ]),
    );
    let cert = temp_file(
        "cert.json",
        &printed(&[
            "analyze",
            "cert",
            &fixture("certs/expired.pem"),
            "--now",
            "2026-06-01T00:00:00Z",
            "--json",
        ]),
    );
    let rdp = temp_file(
        "rdp.json",
        &printed(&[
            "analyze",
            "rdp",
            &fixture("rdp/nla-off-nonstandard-port.rdp"),
            "--json",
        ]),
    );
    // A loopback port nobody listens on: the probe reports the refused connection.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let probe = temp_file(
        "probe.json",
        &printed(&["probe", &format!("127.0.0.1:{port}"), "--json"]),
    );

    let out = rdp_doctor()
        .args(["diagnose", "--json", "--all"])
        .args(["--evidence", events.to_str().unwrap()])
        .args(["--evidence", cert.to_str().unwrap()])
        .args(["--evidence", rdp.to_str().unwrap()])
        .args(["--evidence", probe.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sources: std::collections::BTreeSet<String> = json["ranked"]
        .as_array()
        .unwrap()
        .iter()
        .chain(json["ruled_out"].as_array().unwrap())
        .flat_map(|c| {
            ["because", "against", "by"]
                .into_iter()
                .filter_map(|k| c[k].as_array())
                .flatten()
        })
        .filter_map(|r| r["source"].as_str().map(str::to_owned))
        .collect();
    for source in ["event_log", "certificate", "rdp_file", "probe"] {
        assert!(
            sources.contains(source),
            "no {source} evidence weighed: {sources:?}"
        );
    }
}

#[test]
fn an_evidence_file_of_another_shape_says_what_it_expected() {
    let answers = temp_file("not-evidence.json", r#"{"when_fails": "before_prompt"}"#);
    let out = rdp_doctor()
        .args(["diagnose", "--evidence"])
        .arg(&answers)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("not-evidence.json"), "{err}");
    assert!(err.contains("rdp-doctor probe --json"), "{err}");
}
