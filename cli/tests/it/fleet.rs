//! `rdp-doctor probe --targets FILE` against several loopback servers at once: one line per host
//! and the summary, and the same facts as JSON and CSV.

use std::process::Command;
use std::time::Duration;

use rdp_doctor_tests::servers::{
    AfterConfirm, CertKind, ChallengeFixture, FakeRdpServer, Negotiation, OnRequest, ReplayServer,
    TempDir, TestCert, WindowsCapture, free_port,
};

const HYBRID: u32 = 2;
const HYBRID_REQUIRED: u32 = 5;

async fn nla_server(cert: &TestCert) -> FakeRdpServer {
    let fixture = ChallengeFixture::new(cert, Duration::ZERO).unwrap();
    FakeRdpServer::start(OnRequest::Negotiate(Negotiation {
        accepts: vec![HYBRID],
        refusal: HYBRID_REQUIRED,
        after: AfterConfirm::Nla(fixture.into()),
    }))
    .await
    .unwrap()
}

/// Runs the CLI off the test's runtime thread, so the servers keep answering.
async fn fleet(file: &std::path::Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec![
        "probe".to_owned(),
        "--targets".to_owned(),
        file.display().to_string(),
        "--timeout".to_owned(),
        "8".to_owned(),
    ];
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_rdp-doctor"))
            .args(&args)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    (output.status.code().unwrap_or(-1), stdout)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fleet_is_checked_concurrently_with_one_line_per_host_and_a_summary() {
    let dir = TempDir::new("fleet").unwrap();
    let good = TestCert::generate(CertKind::Good, dir.path()).unwrap(); // 30 days left
    let expired = TestCert::generate(CertKind::Expired, dir.path()).unwrap();
    let healthy = nla_server(&good).await;
    let expired_cert = nla_server(&expired).await;
    let rdp_security_only = FakeRdpServer::start(OnRequest::Negotiate(Negotiation {
        accepts: vec![0],
        refusal: 2,
        after: AfterConfirm::Close,
    }))
    .await
    .unwrap();
    let tls10_only = ReplayServer::start(WindowsCapture::load("win2008r2-nla-tls10").unwrap())
        .await
        .unwrap();
    let closed_port = free_port().unwrap();
    let file = dir.path().join("servers.txt");
    let lines = [
        format!("# lab servers\n127.0.0.1:{}", healthy.port),
        format!("127.0.0.1:{}", expired_cert.port),
        format!("127.0.0.1:{}  # legacy", rdp_security_only.port),
        format!("127.0.0.1:{}", tls10_only.port),
        format!("127.0.0.1:{closed_port}"),
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();

    let (code, text) = fleet(&file, &["--expiring-days", "10"]).await;
    assert_eq!(code, 1, "{text}");
    let host = |port: u16| {
        text.lines()
            .find(|l| l.starts_with(&format!("127.0.0.1:{port} ")))
            .unwrap_or_else(|| panic!("no line for {port} in\n{text}"))
    };
    assert!(host(healthy.port).contains(" ok "), "{text}");
    assert!(host(healthy.port).contains("NLA on"), "{text}");
    assert!(
        host(expired_cert.port).contains("certificate expired"),
        "{text}"
    );
    assert!(host(rdp_security_only.port).contains("NLA off"), "{text}");
    assert!(host(tls10_only.port).contains("TLS 1.0/1.1 only"), "{text}");
    assert!(host(closed_port).contains("unreachable"), "{text}");
    assert!(
        text.contains("5 hosts: 1 healthy, 1 unreachable, 1 without NLA, 1 TLS 1.0/1.1 only, 2 certificates expired, 0 expiring within 10 days"),
        "{text}"
    );

    // 30 days left is "expiring" when asked about 45; JSON keeps the file's order.
    let (_, json) = fleet(&file, &["--expiring-days", "45", "--json"]).await;
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let hosts = report["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 5);
    assert_eq!(hosts[0]["certificate_expiring"], true, "{json}");
    assert_eq!(hosts[0]["nla"], true);
    assert_eq!(hosts[2]["nla"], false);
    assert_eq!(hosts[4]["reachable"], false);
    assert_eq!(report["summary"]["certificate_expiring"], 1);

    let (_, csv) = fleet(&file, &["--csv"]).await;
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 6, "{csv}");
    assert!(rows[0].starts_with("target,reachable,nla,tls_legacy_only"));
    assert!(
        rows[4].starts_with(&format!("127.0.0.1:{},true,true,true,", tls10_only.port)),
        "{csv}"
    );
}

#[tokio::test]
async fn a_bad_targets_file_names_the_line() {
    let dir = TempDir::new("fleet-bad").unwrap();
    let file = dir.path().join("servers.txt");
    std::fs::write(&file, "rdp1.example.com\nrdp2.example.com:99999\n").unwrap();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_rdp-doctor"))
            .args(["probe", "--targets"])
            .arg(&file)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 2: invalid port"), "{stderr}");
}
