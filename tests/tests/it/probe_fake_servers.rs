//! The probe against purpose-built servers, one per failure mode: each must be named at the
//! right stage with the right reason.

use std::time::Duration;

use rdp_doctor_core::evidence::EvidenceId;
use rdp_doctor_core::probe::clients::DecidedBy;
use rdp_doctor_core::probe::tls::{HelloOutcome, TlsVersion};
use rdp_doctor_core::probe::x224::{NegotiationOutcome, Protocol};
use rdp_doctor_core::probe::{ProbeReport, StageDetails, StageKind, StageStatus, TcpOutcome};
use rdp_doctor_core::{codes, engine};
use rdp_doctor_tests::probing::{
    evidence, negotiation, probe, stage, stage_with_status, supported_versions, tls,
};
use rdp_doctor_tests::servers::{
    AfterConfirm, CertKind, ChallengeFixture, FakeRdpServer, Negotiation, OnRequest, OpensslServer,
    TempDir, TestCert,
};

const SSL: u32 = 1;
const HYBRID: u32 = 2;

#[tokio::test]
async fn refused_port_stops_at_tcp() {
    let port = rdp_doctor_tests::servers::free_port().unwrap();
    let report = probe(port).await;
    let tcp = stage(&report, StageKind::Tcp);
    assert_eq!(
        tcp.details,
        StageDetails::Tcp {
            outcome: TcpOutcome::Refused,
            connect_ms: None
        }
    );
    assert_eq!(evidence(&report), [EvidenceId::ProbeTcpRefused]);
    for kind in &StageKind::ALL[1..] {
        assert_eq!(
            stage(&report, *kind).status,
            StageStatus::Skipped,
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn reset_close_silence_and_banner_are_told_apart() {
    let cases = [
        (
            OnRequest::ResetOnAccept,
            NegotiationOutcome::ResetOnAccept,
            EvidenceId::ProbeTcpResetOnAccept,
        ),
        (
            OnRequest::CloseOnAccept,
            NegotiationOutcome::ClosedOnAccept,
            EvidenceId::ProbeTcpClosedOnAccept,
        ),
        (
            OnRequest::ResetAfterRequest,
            NegotiationOutcome::Reset,
            EvidenceId::ProbeX224Reset,
        ),
        (
            OnRequest::CloseAfterRequest,
            NegotiationOutcome::Closed,
            EvidenceId::ProbeX224Closed,
        ),
        (
            OnRequest::SilentAfterRequest,
            NegotiationOutcome::Silent,
            EvidenceId::ProbeX224Silent,
        ),
        (
            OnRequest::Banner(b"SSH-2.0-OpenSSH_9.2p1 Debian\r\n".to_vec()),
            NegotiationOutcome::NotRdp {
                first_bytes: "53 53 48 2d 32 2e 30 2d 4f 70 65 6e 53 53 48 5f".into(),
                text: Some("SSH-2.0-OpenSSH_9.2p1 Debian".into()),
            },
            EvidenceId::ProbeX224NotRdp,
        ),
    ];
    for (behaviour, expected, id) in cases {
        let server = FakeRdpServer::start(behaviour).await.unwrap();
        let report = probe(server.port).await;
        assert_eq!(negotiation(&report), &expected);
        assert_eq!(
            stage(&report, StageKind::Negotiation).status,
            StageStatus::Failed
        );
        assert!(
            evidence(&report).contains(&id),
            "{id:?} in {:?}",
            evidence(&report)
        );
        assert_eq!(
            stage(&report, StageKind::Tls).status,
            StageStatus::NotApplicable
        );
    }
}

#[tokio::test]
async fn every_failure_code_is_named() {
    let cases = [
        (1, EvidenceId::ProbeNegSslRequired),
        (2, EvidenceId::ProbeNegSslNotAllowed),
        (3, EvidenceId::ProbeNegCertNotOnServer),
        (4, EvidenceId::ProbeNegInconsistentFlags),
        (5, EvidenceId::ProbeNegHybridRequired),
        (6, EvidenceId::ProbeNegUserAuthRequired),
        (7, EvidenceId::ProbeNegEntraRequired),
    ];
    for (code, id) in cases {
        let refuse_all = Negotiation {
            accepts: Vec::new(),
            refusal: code,
            after: AfterConfirm::Close,
        };
        let server = FakeRdpServer::start(OnRequest::Negotiate(refuse_all))
            .await
            .unwrap();
        let report = probe(server.port).await;
        assert!(
            matches!(negotiation(&report), NegotiationOutcome::Failure { code: c, .. } if *c == code)
        );
        assert!(
            evidence(&report).contains(&id),
            "code {code}: {:?}",
            evidence(&report)
        );
        assert_eq!(
            stage(&report, StageKind::SecurityProtocols).status,
            StageStatus::Failed
        );
    }
}

#[tokio::test]
async fn legacy_rdp_security_and_per_protocol_answers() {
    // Accepts TLS only when asked for TLS alone, refuses everything else but plain RDP.
    let negotiation_rules = Negotiation {
        accepts: vec![0],
        refusal: 2,
        after: AfterConfirm::Close,
    };
    let server = FakeRdpServer::start(OnRequest::Negotiate(negotiation_rules))
        .await
        .unwrap();
    let report = probe(server.port).await;
    assert_eq!(
        negotiation(&report).selected_protocol(),
        Some(Protocol::Rdp)
    );
    assert!(evidence(&report).contains(&EvidenceId::ProbeNegRdpSecurityOnly));
    let StageDetails::SecurityProtocols { protocols } =
        &stage(&report, StageKind::SecurityProtocols).details
    else {
        panic!("no protocol details");
    };
    let accepted: Vec<Protocol> = protocols
        .iter()
        .filter(|p| p.accepted)
        .map(|p| p.protocol)
        .collect();
    assert_eq!(accepted, [Protocol::Rdp]);
    assert_eq!(
        stage(&report, StageKind::Tls).status,
        StageStatus::NotApplicable
    );
    assert_eq!(
        stage(&report, StageKind::Nla).status,
        StageStatus::NotApplicable
    );
}

#[tokio::test]
async fn tls_failures_before_the_server_hello() {
    let cases = [
        (
            AfterConfirm::Close,
            HelloOutcome::ClosedBeforeServerHello,
            EvidenceId::ProbeTlsNoServerHello,
        ),
        (
            AfterConfirm::Reset,
            HelloOutcome::ResetBeforeServerHello,
            EvidenceId::ProbeTlsNoServerHello,
        ),
        (
            AfterConfirm::Reply(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec()),
            HelloOutcome::NotTls {
                first_bytes: "48 54 54 50 2f 31 2e 31".into(),
                looks_like_tpkt: false,
            },
            EvidenceId::ProbeTlsNotTls,
        ),
        (
            AfterConfirm::Reply(vec![21, 3, 3, 0, 2, 2, 40]),
            HelloOutcome::Alert {
                level: 2,
                description: 40,
                name: "HandshakeFailure".into(),
            },
            EvidenceId::ProbeTlsAlert,
        ),
    ];
    for (after, expected, id) in cases {
        let server = FakeRdpServer::tls(after).await.unwrap();
        let report = probe(server.port).await;
        assert_eq!(stage(&report, StageKind::Tls).status, StageStatus::Failed);
        for version in &tls(&report).versions {
            assert_eq!(version.outcome, expected, "{:?}", version.version);
        }
        assert!(
            evidence(&report).contains(&id),
            "{id:?} in {:?}",
            evidence(&report)
        );
        assert!(evidence(&report).contains(&EvidenceId::ProbeClientIncompatible));
    }
}

#[tokio::test]
async fn handshake_failure_alert_means_no_common_cipher_for_any_client() {
    let server = FakeRdpServer::tls(AfterConfirm::Reply(vec![21, 3, 3, 0, 2, 2, 40]))
        .await
        .unwrap();
    let report = probe(server.port).await;
    let clients = stage(&report, StageKind::ClientCompatibility);
    assert_eq!(clients.status, StageStatus::Failed);
    assert!(evidence(&report).contains(&EvidenceId::ProbeTlsNoModernCipher));
}

async fn openssl_behind_rdp(cert: &TestCert, args: &[&str]) -> (OpensslServer, FakeRdpServer) {
    let backend = OpensslServer::start(cert, args).await.unwrap();
    let front = FakeRdpServer::tls(AfterConfirm::Proxy(backend.port))
        .await
        .unwrap();
    (backend, front)
}

#[tokio::test]
async fn tls10_only_server() {
    let dir = TempDir::new("tls10").unwrap();
    let cert = TestCert::generate(CertKind::Good, dir.path()).unwrap();
    let (_backend, front) =
        openssl_behind_rdp(&cert, &["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"]).await;
    let report = probe(front.port).await;
    assert_eq!(supported_versions(&report), [TlsVersion::Tls10]);
    assert_eq!(
        tls(&report).certificate_chain,
        std::slice::from_ref(&cert.der)
    );
    assert!(evidence(&report).contains(&EvidenceId::ProbeTlsLegacyOnly));
    // Current clients refuse TLS 1.0: the stage follows that finding, not the handshake alone.
    let tls_stage = stage_with_status(&report, StageKind::Tls, StageStatus::Failed);
    assert!(
        tls_stage
            .verdict
            .starts_with("TLS fails for current clients"),
        "{}",
        tls_stage.verdict
    );
    let StageDetails::ClientCompatibility { clients } =
        &stage(&report, StageKind::ClientCompatibility).details
    else {
        panic!("no client details");
    };
    let compatible: Vec<&str> = clients
        .iter()
        .filter(|c| c.compatible)
        .map(|c| c.client.as_str())
        .collect();
    assert_eq!(
        compatible,
        [
            "windows7_mstsc",
            "windows81_mstsc",
            "windows10_mstsc",
            "freerdp2"
        ]
    );
    // FreeRDP 2 built on OpenSSL 3 (Debian 12) refuses TLS 1.0 as FreeRDP 3 does.
    let freerdp2_openssl3 = clients
        .iter()
        .find(|c| c.client == "freerdp2_openssl3")
        .expect("profile present");
    assert!(!freerdp2_openssl3.compatible);
}

#[tokio::test]
async fn null_cipher_only_server() {
    let dir = TempDir::new("null").unwrap();
    let cert = TestCert::generate(CertKind::Good, dir.path()).unwrap();
    let (_backend, front) = openssl_behind_rdp(
        &cert,
        &["-tls1_2", "-cipher", "NULL-SHA256:NULL-SHA:@SECLEVEL=0"],
    )
    .await;
    let report = probe(front.port).await;
    let negotiated = tls(&report)
        .negotiated
        .clone()
        .expect("the NULL suite is negotiated");
    assert_eq!(
        negotiated.cipher_suite_name.as_deref(),
        Some("TLS_RSA_WITH_NULL_SHA256")
    );
    assert!(evidence(&report).contains(&EvidenceId::ProbeTlsNoModernCipher));
    assert_eq!(stage(&report, StageKind::Tls).status, StageStatus::Failed);
    assert_eq!(
        stage(&report, StageKind::ClientCompatibility).status,
        StageStatus::Failed
    );
    // The version probes cannot tell whether clients share another suite: their offers are
    // replayed, except Windows 7's, which has no version in common with the server.
    let StageDetails::ClientCompatibility { clients } =
        &stage(&report, StageKind::ClientCompatibility).details
    else {
        panic!("no client details");
    };
    for client in clients {
        let expected = if client.client == "windows7_mstsc" {
            DecidedBy::VersionProbes
        } else {
            DecidedBy::ReplayedOffer
        };
        assert_eq!(client.decided_by, expected, "{}", client.client);
        assert!(!client.compatible, "{}", client.client);
    }
}

#[tokio::test]
async fn certificate_chain_is_reported_and_judged_for_bad_certificates() {
    let dir = TempDir::new("certs").unwrap();
    let judged = [
        (CertKind::Expired, vec![EvidenceId::CertExpired]),
        (CertKind::WrongName, vec![EvidenceId::CertNameMismatch]),
        // A self-signed certificate's own SHA-1 signature is not what clients check; its key is.
        (CertKind::Weak, vec![EvidenceId::CertKeyWeak]),
    ];
    for (kind, expected) in judged {
        let cert = TestCert::generate(kind, dir.path()).unwrap();
        let (_backend, front) =
            openssl_behind_rdp(&cert, &["-cipher", "DEFAULT:@SECLEVEL=0"]).await;
        let report = probe(front.port).await;
        assert_eq!(
            report.certificate_chain,
            std::slice::from_ref(&cert.der),
            "{kind:?}"
        );
        let json = serde_json::to_value(&report).unwrap();
        assert!(
            json["certificate_chain"][0]
                .as_str()
                .is_some_and(|b64| b64.starts_with("MII")),
            "{kind:?}"
        );
        // The chain went through the certificate analyzer, as a pasted one would.
        let found = evidence(&report);
        for id in expected {
            assert!(
                found.contains(&id),
                "{kind:?}: {id:?} missing from {found:?}"
            );
        }
        if kind == CertKind::Expired {
            expired_certificate_leads_the_diagnosis(&report);
        }
    }
}

/// What the page does with a finished probe: the error's evidence plus every probe finding,
/// the certificate's included. TLS works here, so an expired certificate must outrank the
/// TLS-version causes.
fn expired_certificate_leads_the_diagnosis(report: &ProbeReport) {
    let mut evidence = codes::decode("Error code: 0x904\nExtended error code: 0x7").evidence();
    evidence.extend(report.evidence());
    let diagnosis = engine::diagnose(&evidence);
    let top = diagnosis.ranked.first().map(|cause| cause.id.as_str());
    assert!(
        matches!(
            top,
            Some("selfsigned_cert_bad" | "configured_cert_unusable")
        ),
        "a certificate cause must lead, not {top:?}: {:?}",
        diagnosis
            .ranked
            .iter()
            .take(3)
            .map(|c| (&c.id, c.probability))
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn nla_reports_the_ntlm_challenge_and_clock_skew() {
    let dir = TempDir::new("nla").unwrap();
    let cert = TestCert::generate(CertKind::Good, dir.path()).unwrap();
    let fixture = ChallengeFixture::new(&cert, Duration::from_secs(3600)).unwrap();
    let rules = Negotiation {
        accepts: vec![HYBRID, SSL],
        refusal: 5,
        after: AfterConfirm::Nla(fixture.into()),
    };
    let server = FakeRdpServer::start(OnRequest::Negotiate(rules))
        .await
        .unwrap();
    let report = probe(server.port).await;
    let nla = stage(&report, StageKind::Nla);
    assert_eq!(nla.status, StageStatus::Ok, "{}", nla.verdict);
    let StageDetails::Nla(details) = &nla.details else {
        panic!("no NLA details")
    };
    assert_eq!(details.credssp_version, Some(6));
    assert_eq!(details.tls_version, Some(TlsVersion::Tls13));
    assert_eq!(
        details.cipher_suite.as_deref(),
        Some("TLS_AES_256_GCM_SHA384")
    );
    let ntlm = details.ntlm.as_ref().expect("challenge");
    assert_eq!(
        ntlm.dns_computer_name.as_deref(),
        Some("rdsh01.contoso.test")
    );
    assert_eq!(ntlm.netbios_domain_name.as_deref(), Some("CONTOSO"));
    assert_eq!(ntlm.os_version.as_deref(), Some("10.0.20348"));
    let skew = ntlm.clock_skew_ms.expect("timestamp");
    assert!((3_590_000..3_610_000).contains(&skew), "skew {skew}");
    let ids = evidence(&report);
    assert!(
        ids.contains(&EvidenceId::ProbeNlaInfo) && ids.contains(&EvidenceId::ProbeClockSkew),
        "{ids:?}"
    );
    assert_eq!(
        supported_versions(&report),
        [TlsVersion::Tls12, TlsVersion::Tls13]
    );
    assert_eq!(report.certificate_chain, std::slice::from_ref(&cert.der));

    // The JSON the Worker streams: stable snake_case names, and it reads back unchanged.
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["stages"][0]["stage"], "tcp");
    assert_eq!(json["stages"][5]["stage"], "nla");
    assert_eq!(json["stages"][5]["status"], "ok");
    assert_eq!(json["stages"][5]["details"]["kind"], "nla");
    assert_eq!(
        json["stages"][5]["details"]["ntlm"]["os_version"],
        "10.0.20348"
    );
    assert_eq!(
        json["stages"][3]["details"]["versions"][2]["version"],
        "tls1_2"
    );
    assert_eq!(
        json["stages"][3]["details"]["versions"][2]["outcome"]["result"],
        "accepted"
    );
    assert_eq!(
        json["stages"][5]["findings"][1]["evidence"],
        "probe.clock_skew"
    );
    let read_back: ProbeReport = serde_json::from_value(json).unwrap();
    assert_eq!(read_back, report);
}
