//! Real Windows RDP servers, replayed: the bytes each sent in a public capture
//! (`tests/fixtures/windows-servers/README.md` cites them) played back over loopback, and the
//! verdict each stage must reach. What a replay cannot show (CredSSP is encrypted in every
//! capture; the captured Finished belongs to other keys) is stated where it matters.

use rdp_doctor_core::evidence::EvidenceId;
use rdp_doctor_core::probe::tls::TlsVersion;
use rdp_doctor_core::probe::x224::{NegotiationOutcome, Protocol};
use rdp_doctor_core::probe::{ProbeReport, StageKind, StageStatus};
use rdp_doctor_tests::probing::{
    evidence, negotiation, probe, stage, stage_with_status, supported_versions, tls,
};
use rdp_doctor_tests::servers::{ReplayServer, WindowsCapture};

async fn replay(name: &str) -> ProbeReport {
    let capture = WindowsCapture::load(name).unwrap();
    let server = ReplayServer::start(capture).await.unwrap();
    probe(server.port).await
}

fn status(report: &ProbeReport, kind: StageKind) -> StageStatus {
    stage(report, kind).status
}

fn negotiated_suite(report: &ProbeReport) -> (TlsVersion, String) {
    let negotiated = tls(report).negotiated.clone().expect("a version works");
    (
        negotiated.version,
        negotiated.cipher_suite_name.unwrap_or_default(),
    )
}

fn leaf_subject(report: &ProbeReport) -> String {
    let certificate = report.certificate.as_ref().expect("certificate read");
    certificate.certificates[0].subject.clone()
}

/// Windows Server 2008 R2 as shipped: NLA over TLS 1.0 only, its self-signed SHA-1 certificate
/// expired in 2021. Current clients fail at TLS; NLA is there for TLS 1.0 clients, and the
/// probe, which speaks TLS 1.2 and 1.3, says it did not check it rather than that it failed.
#[tokio::test]
async fn windows_server_2008_r2_tls10_with_nla() {
    let report = replay("win2008r2-nla-tls10").await;
    assert_eq!(
        negotiation(&report).selected_protocol(),
        Some(Protocol::Hybrid)
    );
    assert_eq!(status(&report, StageKind::Negotiation), StageStatus::Ok);

    assert_eq!(supported_versions(&report), [TlsVersion::Tls10]);
    assert_eq!(
        negotiated_suite(&report),
        (TlsVersion::Tls10, "TLS_RSA_WITH_AES_128_CBC_SHA".into())
    );
    stage_with_status(&report, StageKind::Tls, StageStatus::Failed);

    let nla = stage(&report, StageKind::Nla);
    assert_eq!(nla.status, StageStatus::Skipped, "{}", nla.verdict);
    assert!(
        nla.verdict.contains("TLS 1.0 clients reach NLA"),
        "{}",
        nla.verdict
    );

    assert_eq!(
        status(&report, StageKind::ClientCompatibility),
        StageStatus::Failed
    );
    assert_eq!(leaf_subject(&report), "CN=WIN2K8R2.awakecoding.ath.cx");
    let ids = evidence(&report);
    for id in [
        EvidenceId::ProbeNegNlaOffered,
        EvidenceId::ProbeTlsLegacyOnly,
        EvidenceId::ProbeClientIncompatible,
        EvidenceId::CertSelfSigned,
        EvidenceId::CertExpired,
        EvidenceId::CertSignatureWeak,
    ] {
        assert!(ids.contains(&id), "{id:?} missing from {ids:?}");
    }
}

/// Three current Windows machines with NLA over TLS 1.2 and Windows' own self-signed RDP
/// certificates (all expired by now): TLS works for current clients, the certificate facts are
/// read from the wire.
#[tokio::test]
async fn windows_10_and_later_with_nla_over_tls12() {
    let cases = [
        (
            "win10-hybrid-ex-tls12",
            Protocol::HybridEx,
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "CN=OFFICE-WIN10-VM",
        ),
        (
            "windows-hybrid-ex-tls12",
            Protocol::HybridEx,
            "TLS_RSA_WITH_AES_256_GCM_SHA384",
            "CN=CLK-456040-D.one.phoenix.gov",
        ),
        (
            "windows-hybrid-tls12",
            Protocol::Hybrid,
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "CN=topsalon",
        ),
    ];
    for (name, protocol, suite, subject) in cases {
        let report = replay(name).await;
        assert_eq!(
            negotiation(&report).selected_protocol(),
            Some(protocol),
            "{name}"
        );
        assert_eq!(
            negotiated_suite(&report),
            (TlsVersion::Tls12, suite.to_owned()),
            "{name}"
        );
        let tls_stage = stage(&report, StageKind::Tls);
        assert_eq!(
            tls_stage.status,
            StageStatus::Ok,
            "{name}: {}",
            tls_stage.verdict
        );
        // Windows 10 and 11 clients get through; the probe's own client stops at the captured
        // Finished (another client's keys), which leaves NLA unchecked, not failed.
        assert_eq!(
            status(&report, StageKind::ClientCompatibility),
            StageStatus::Ok,
            "{name}"
        );
        assert_eq!(
            status(&report, StageKind::Nla),
            StageStatus::Skipped,
            "{name}"
        );
        assert_eq!(leaf_subject(&report), subject, "{name}");
        let ids = evidence(&report);
        for id in [
            EvidenceId::ProbeNegNlaOffered,
            EvidenceId::CertSelfSigned,
            EvidenceId::CertExpired,
        ] {
            assert!(ids.contains(&id), "{name}: {id:?} missing from {ids:?}");
        }
        assert!(!ids.contains(&EvidenceId::ProbeTlsLegacyOnly), "{name}");
    }
}

/// A Windows server whose security layer is set to RDP refuses TLS outright.
#[tokio::test]
async fn windows_with_the_rdp_security_layer_refuses_tls() {
    let report = replay("windows-rdp-security-layer").await;
    assert_eq!(
        negotiation(&report),
        &NegotiationOutcome::Failure {
            code: 2,
            name: "SSL_NOT_ALLOWED_BY_SERVER".into()
        }
    );
    assert_eq!(status(&report, StageKind::Negotiation), StageStatus::Failed);
    assert_eq!(status(&report, StageKind::Tls), StageStatus::NotApplicable);
    assert_eq!(status(&report, StageKind::Nla), StageStatus::NotApplicable);
    assert!(evidence(&report).contains(&EvidenceId::ProbeNegSslNotAllowed));
}

/// A Windows 2000/XP-era server answers without negotiation data: a legacy server, named so.
#[tokio::test]
async fn a_pre_negotiation_windows_server_is_named_legacy() {
    let report = replay("windows-rdp5-legacy").await;
    assert!(
        matches!(
            negotiation(&report),
            NegotiationOutcome::Selected {
                protocol: Some(Protocol::Rdp),
                legacy_confirm: true,
                ..
            }
        ),
        "{:?}",
        negotiation(&report)
    );
    let verdict = &stage(&report, StageKind::Negotiation).verdict;
    assert!(verdict.contains("before RDP 5.2"), "{verdict}");
    assert!(evidence(&report).contains(&EvidenceId::ProbeNegLegacyServer));
    assert_eq!(status(&report, StageKind::Tls), StageStatus::NotApplicable);
}
