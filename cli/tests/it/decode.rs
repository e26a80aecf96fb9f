//! `rdp-doctor decode` end to end, through the built binary.

use std::io::Write;
use std::process::{Command, Stdio};

fn rdp_doctor() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rdp-doctor"))
}

#[test]
fn decodes_codes_given_as_arguments() {
    let out = rdp_doctor()
        .args(["decode", "0x904", "0x7"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("disconnectReasonAtClientWinsockFDCLOSE"),
        "{text}"
    );
    assert!(
        text.contains("exDiscReasonServerDeniedConnection"),
        "{text}"
    );
}

#[test]
fn decodes_a_pasted_dialog_from_stdin_as_json() {
    let mut child = rdp_doctor()
        .args(["decode", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("Fehlercode: 0x904\nErweiterter Fehlercode: 0x7\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["codes"][0]["hex"], "0x904");
    assert_eq!(json["codes"][1]["role"], "extended_reason");
    assert_eq!(
        json["codes"][1]["name"],
        "exDiscReasonServerDeniedConnection"
    );
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let out = rdp_doctor()
        .args(["decode", "--file", "/nonexistent/dialog.txt"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("/nonexistent/dialog.txt"), "{err}");
}
