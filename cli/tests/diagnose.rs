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
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("Diagnosis (not settled yet)"), "{text}");
    assert!(
        text.contains(" 1. The server requires NLA but the client cannot complete it"),
        "{text}"
    );
    assert!(text.contains("Next question (server_log)"), "{text}");
    assert!(
        text.contains("--answer server_log=schannel_36870"),
        "{text}"
    );
    assert!(
        text.contains("Risk: Turning NLA off is a test, never the fix"),
        "{text}"
    );
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
