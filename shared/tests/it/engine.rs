//! The diagnosis engine's contract: deterministic, explainable, and honest about what it rules out.

use rdp_doctor_core::codes;
use rdp_doctor_core::engine::{self, AnswerError, Answers, Case, CheckKind, Confidence, Diagnosis};
use rdp_doctor_core::evidence::{Evidence, EvidenceId, Source};
use rdp_doctor_core::kb;

fn classic() -> Vec<Evidence> {
    codes::decode("Error code: 0x904\nExtended error code: 0x7").evidence()
}

fn answers(pairs: &[(&str, &str)]) -> Answers {
    pairs
        .iter()
        .map(|&(q, o)| (q.to_owned(), o.to_owned()))
        .collect()
}

fn cause<'a>(diagnosis: &'a Diagnosis, id: &str) -> Option<&'a engine::RankedCause> {
    diagnosis.ranked.iter().find(|c| c.id == id)
}

#[test]
fn the_same_evidence_gives_the_same_diagnosis() {
    let first = serde_json::to_string(&engine::diagnose(&classic())).unwrap();
    for _ in 0..3 {
        assert_eq!(
            serde_json::to_string(&engine::diagnose(&classic())).unwrap(),
            first
        );
    }
}

#[test]
fn probabilities_are_a_distribution_and_ranked_by_score() {
    let diagnosis = engine::diagnose(&classic());
    let total: f64 = diagnosis.ranked.iter().map(|c| c.probability).sum();
    assert!((total - 1.0).abs() < 1e-9, "{total}");
    assert!(
        diagnosis
            .ranked
            .windows(2)
            .all(|w| w[0].score >= w[1].score)
    );
    assert_eq!(
        diagnosis.ranked.len() + diagnosis.ruled_out.len(),
        kb::causes().len()
    );
}

#[test]
fn the_bare_error_is_not_settled_and_asks_a_question() {
    let diagnosis = engine::diagnose(&classic());
    assert!(!diagnosis.settled);
    assert!(diagnosis.next_question.is_some());
    assert!(diagnosis.failing_layer.is_none());
    let leader = &diagnosis.ranked[0];
    assert_ne!(
        leader.confidence,
        Confidence::Likely,
        "{} should not be confident from the codes alone",
        leader.id
    );
    // Only the codes are known, so every other source is still worth consulting.
    assert!(diagnosis.next_check.is_some());
}

#[test]
fn decisive_evidence_rules_causes_out_and_says_why() {
    let mut evidence = classic();
    evidence.push(Evidence::new(
        EvidenceId::EventNlaAuthSucceeded,
        Source::EventLog,
        "RCM 1149 at 09:14",
    ));
    let diagnosis = engine::diagnose(&evidence);
    assert!(cause(&diagnosis, "nla_unusable_by_client").is_none());
    let ruled = diagnosis
        .ruled_out
        .iter()
        .find(|r| r.id == "nla_unusable_by_client")
        .unwrap();
    assert_eq!(ruled.by[0].evidence, EvidenceId::EventNlaAuthSucceeded);
    assert_eq!(ruled.by[0].detail, "RCM 1149 at 09:14");
}

#[test]
fn reasons_for_and_against_carry_the_evidence_detail() {
    let mut evidence = classic();
    evidence.push(Evidence::new(
        EvidenceId::CertExpired,
        Source::Certificate,
        "notAfter 2024-01-01",
    ));
    evidence.push(Evidence::new(
        EvidenceId::CertExpiringSoon,
        Source::Certificate,
        "renewed copy expires in 20 days",
    ));
    let diagnosis = engine::diagnose(&evidence);
    let selfsigned = cause(&diagnosis, "selfsigned_cert_bad").unwrap();
    assert_eq!(
        selfsigned.because[0].evidence,
        EvidenceId::CertExpired,
        "strongest reason first"
    );
    assert_eq!(selfsigned.because[0].detail, "notAfter 2024-01-01");
    assert!(selfsigned.because.iter().all(|r| r.weight > 0.0));
    assert!(
        selfsigned
            .against
            .iter()
            .any(|r| r.evidence == EvidenceId::CertExpiringSoon && r.weight < 0.0)
    );
    assert!(!selfsigned.fixes.is_empty());
}

#[test]
fn a_decisive_server_event_makes_its_cause_likely() {
    let case = Case {
        answers: answers(&[("server_log", "schannel_36870")]),
        evidence: classic(),
    };
    let diagnosis = engine::diagnose_case(&case).unwrap();
    assert_eq!(diagnosis.ranked[0].id, "machinekeys_permissions");
    assert_eq!(diagnosis.ranked[0].confidence, Confidence::Likely);
    assert_eq!(
        diagnosis.failing_layer,
        Some(rdp_doctor_core::evidence::Layer::Tls)
    );
}

#[test]
fn answered_questions_are_not_asked_again_even_when_unknown() {
    let mut case = Case {
        answers: Answers::new(),
        evidence: classic(),
    };
    let mut asked = Vec::new();
    while let Some(question) = engine::diagnose_case(&case).unwrap().next_question {
        assert!(!asked.contains(&question.id), "{} asked twice", question.id);
        let unknown = kb::question(&question.id)
            .unwrap()
            .options
            .iter()
            .find(|o| o.evidence.is_none());
        let Some(unknown) = unknown else { break };
        asked.push(question.id.clone());
        case.answers.insert(question.id, unknown.id.clone());
    }
    assert!(!asked.is_empty());
}

#[test]
fn gated_questions_wait_for_their_gate() {
    // "Does the IP address work?" only makes sense once the connection fails to reach the server.
    let mut seen = Vec::new();
    let mut case = Case {
        answers: answers(&[("port_reachable", "yes")]),
        evidence: classic(),
    };
    while let Some(q) = engine::diagnose_case(&case).unwrap().next_question {
        seen.push(q.id.clone());
        let option = kb::question(&q.id)
            .unwrap()
            .options
            .last()
            .unwrap()
            .id
            .clone();
        case.answers.insert(q.id, option);
    }
    assert!(!seen.iter().any(|q| q == "by_ip"), "{seen:?}");
}

#[test]
fn bad_answers_are_clear_errors() {
    assert_eq!(
        engine::evidence_from_answers(&answers(&[("favourite_colour", "blue")])),
        Err(AnswerError::UnknownQuestion("favourite_colour".into()))
    );
    let err = engine::evidence_from_answers(&answers(&[("when_fails", "tuesdays")])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "question \"when_fails\" has no option \"tuesdays\""
    );
}

#[test]
fn answers_become_wizard_evidence() {
    let evidence =
        engine::evidence_from_answers(&answers(&[("path", "vpn"), ("frequency", "unknown")]))
            .unwrap();
    assert_eq!(evidence.len(), 1, "'I don't know' establishes nothing");
    assert_eq!(evidence[0].id, EvidenceId::WizardUsesVpn);
    assert_eq!(evidence[0].source, Source::Wizard);
}

#[test]
fn the_next_check_skips_sources_already_used() {
    let mut evidence = classic();
    evidence.push(Evidence::new(
        EvidenceId::ProbeTcpOpen,
        Source::Probe,
        "3389 open",
    ));
    let diagnosis = engine::diagnose(&evidence);
    let check = diagnosis.next_check.unwrap();
    assert_ne!(check.kind, CheckKind::RunProbe);
    assert!(check.tells_apart.len() >= 2);
}

#[test]
fn no_evidence_still_gives_a_ranking_and_a_first_question() {
    let diagnosis = engine::diagnose(&[]);
    assert_eq!(diagnosis.ranked.len(), kb::causes().len());
    assert!(diagnosis.next_question.is_some());
}

#[test]
fn diagnosis_round_trips_through_json() {
    let diagnosis = engine::diagnose(&classic());
    let back: Diagnosis =
        serde_json::from_str(&serde_json::to_string(&diagnosis).unwrap()).unwrap();
    assert_eq!(back.ranked.len(), diagnosis.ranked.len());
    for (a, b) in back.ranked.iter().zip(&diagnosis.ranked) {
        // serde_json may parse a float back one unit in the last place off.
        assert!(
            a.id == b.id
                && a.confidence == b.confidence
                && (a.probability - b.probability).abs() < 1e-12
        );
        assert!(a.because.len() == b.because.len() && a.fixes == b.fixes);
    }
    assert!(back.ruled_out == diagnosis.ruled_out && back.next_question == diagnosis.next_question);
    assert!(back.next_check == diagnosis.next_check && back.settled == diagnosis.settled);
}

#[test]
fn knowledge_base_accessors_find_what_the_ui_needs() {
    let nla = kb::cause("nla_unusable_by_client").unwrap();
    assert!(nla.fixes.iter().any(|f| {
        f.risk
            .as_deref()
            .is_some_and(|r| r.contains("test, never the fix"))
    }));
    assert!(kb::question("when_fails").is_some());
    assert!(kb::cause("no_such_cause").is_none());
}

#[test]
fn the_failing_layer_is_known_once_the_leaders_agree_on_it() {
    let diagnosis = engine::diagnose(&classic());
    let layers: std::collections::BTreeSet<_> =
        diagnosis.ranked.iter().take(3).map(|c| c.layer).collect();
    assert!(
        layers.len() > 1 && diagnosis.failing_layer.is_none(),
        "{layers:?}"
    );

    let decisive = [Evidence::new(
        EvidenceId::CodeLicensing,
        Source::ErrorCode,
        "0x3 0x102",
    )];
    let diagnosis = engine::diagnose(&decisive);
    assert_eq!(
        diagnosis.failing_layer,
        Some(rdp_doctor_core::evidence::Layer::Licensing)
    );
}

#[test]
fn the_next_check_is_the_source_that_separates_the_leaders() {
    // An NLA failure and a CredSSP version mismatch look alike to the wizard and the probe; the
    // client's LsaSrv 6041 event tells them apart.
    let case = Case {
        answers: answers(&[
            ("what_changed", "windows_update"),
            ("which_clients", "some_fail"),
            ("when_fails", "after_credentials"),
        ]),
        evidence: classic(),
    };
    let diagnosis = engine::diagnose_case(&case).unwrap();
    let leaders: Vec<_> = diagnosis
        .ranked
        .iter()
        .take(2)
        .map(|c| c.id.as_str())
        .collect();
    assert!(leaders.contains(&"credssp_oracle_mismatch"), "{leaders:?}");
    assert_eq!(diagnosis.next_check.unwrap().kind, CheckKind::PasteEventLog);
}

#[test]
fn explanations_read_as_one_paragraph() {
    for cause in kb::causes() {
        assert!(
            !cause.explanation.contains('\n') && !cause.explanation.contains("  "),
            "{}",
            cause.id
        );
    }
}

#[test]
fn the_server_check_is_the_next_check_once_the_probe_has_reached_the_server() {
    let mut evidence = classic();
    evidence.push(Evidence::new(
        EvidenceId::ProbeTcpOpen,
        Source::Probe,
        "test",
    ));
    let diagnosis = engine::diagnose(&evidence);
    let check = diagnosis
        .next_check
        .expect("a check is suggested after the probe");
    assert_eq!(check.kind, CheckKind::RunServerCheck, "{check:?}");
    assert!(check.title.contains("server check"), "{}", check.title);
    // Once a server check is in, it is not suggested again.
    evidence.push(Evidence::new(
        EvidenceId::ServerListening,
        Source::ServerCheck,
        "test",
    ));
    let after = engine::diagnose(&evidence);
    assert_ne!(
        after.next_check.map(|c| c.kind),
        Some(CheckKind::RunServerCheck)
    );
}

#[test]
fn someone_who_only_connects_is_never_asked_what_only_an_admin_can_see() {
    let walk = |given: &[(&str, &str)]| {
        let mut case = Case {
            answers: answers(given),
            evidence: classic(),
        };
        let mut seen = Vec::new();
        while let Some(q) = engine::diagnose_case(&case).unwrap().next_question {
            assert_ne!(
                q.id, "role",
                "the role weighs no cause, so the engine never asks it"
            );
            seen.push(q.id.clone());
            let option = kb::question(&q.id)
                .unwrap()
                .options
                .last()
                .unwrap()
                .id
                .clone();
            case.answers.insert(q.id, option);
        }
        seen
    };
    let end_user = walk(&[("role", "end_user")]);
    assert!(!end_user.iter().any(|q| q == "server_log"), "{end_user:?}");
    let admin = walk(&[("role", "server_admin")]);
    assert!(admin.iter().any(|q| q == "server_log"), "{admin:?}");
    // Nor about the cloud provider's console or the server's RDS roles.
    let cloud = |role| {
        walk(&[
            ("role", role),
            ("server_location", "cloud"),
            ("port_reachable", "no"),
        ])
    };
    let end_user = cloud("end_user");
    for admin_only in ["vm_console", "rds_deployment"] {
        assert!(!end_user.iter().any(|q| q == admin_only), "{end_user:?}");
    }
    let admin = cloud("server_admin");
    assert!(admin.iter().any(|q| q == "vm_console"), "{admin:?}");
}

/// Evidence from outside the failure window (an event years before it) moves a cause by a
/// quarter of its weight and rules nothing out.
#[test]
fn old_evidence_weighs_less_and_rules_nothing_out() {
    let fresh = Evidence::new(
        EvidenceId::EventNlaAuthSucceeded,
        Source::EventLog,
        "RCM 1149",
    );
    let old = Evidence {
        old: true,
        ..fresh.clone()
    };
    let ruled_out = |diagnosis: &Diagnosis| {
        diagnosis
            .ruled_out
            .iter()
            .any(|r| r.id == "nla_unusable_by_client")
    };
    let mut evidence = classic();
    evidence.push(fresh);
    assert!(ruled_out(&engine::diagnose(&evidence)));
    evidence.pop();
    evidence.push(old);
    let diagnosis = engine::diagnose(&evidence);
    assert!(!ruled_out(&diagnosis));
    let against = &cause(&diagnosis, "nla_unusable_by_client").unwrap().against;
    let reason = against
        .iter()
        .find(|r| r.evidence == EvidenceId::EventNlaAuthSucceeded)
        .unwrap();
    assert!(reason.old);
    assert_eq!(reason.weight, -1.0, "a quarter of the rule's -4");

    let licensing = Evidence::new(
        EvidenceId::EventRdLicensingFailed,
        Source::EventLog,
        "RCM 1069",
    );
    let score = |evidence: &[Evidence]| {
        cause(&engine::diagnose(evidence), "rds_licensing")
            .unwrap()
            .score
    };
    let none = score(&[]);
    let recent = score(std::slice::from_ref(&licensing));
    let stale = score(&[Evidence {
        old: true,
        ..licensing
    }]);
    assert!(
        (recent - none - 4.0 * (stale - none)).abs() < 1e-9,
        "{none} {recent} {stale}"
    );
    // A recent sighting of the same evidence wins over an old one.
    let both = [
        Evidence {
            old: true,
            ..Evidence::new(EvidenceId::EventRdLicensingFailed, Source::EventLog, "2019")
        },
        Evidence::new(
            EvidenceId::EventRdLicensingFailed,
            Source::EventLog,
            "today",
        ),
    ];
    assert_eq!(score(&both), recent);
}

#[test]
fn a_setup_answer_leads_only_when_it_names_the_cause() {
    let diagnose = |question: &str, option: &str| {
        engine::diagnose_case(&Case {
            answers: answers(&[(question, option)]),
            evidence: classic(),
        })
        .unwrap()
    };
    // "A cloud VM" is a setup: it makes the cloud firewall worth asking about, never first.
    let cloud = diagnose("server_location", "cloud");
    assert_ne!(cloud.ranked[0].id, "cloud_firewall_blocks", "{cloud:?}");
    // Windows Home cannot host Remote Desktop at all: the answer is the cause.
    let home = diagnose("server_os", "windows_home");
    assert_eq!(home.ranked[0].id, "home_edition_cannot_host", "{home:?}");
}

/// The gateway's log settles what the bare 0x904/0x7 leaves open: a refusal by its connection
/// authorization policy (RD Gateway 201) puts the gateway first and moves the server's own
/// firewall and the password down, since the gateway refused an authenticated user before
/// connecting anywhere.
#[test]
fn a_gateway_policy_refusal_puts_the_gateway_first() {
    let bare = engine::diagnose(&classic());
    let mut evidence = classic();
    evidence.push(Evidence::new(
        EvidenceId::EventGatewayCapDenied,
        Source::EventLog,
        "RD Gateway 201 at 08:15",
    ));
    let diagnosis = engine::diagnose(&evidence);
    assert_eq!(diagnosis.ranked[0].id, "rd_gateway_path", "{diagnosis:?}");
    let gateway = cause(&diagnosis, "rd_gateway_path").unwrap();
    assert!(
        gateway
            .because
            .iter()
            .any(|r| r.evidence == EvidenceId::EventGatewayCapDenied),
        "{gateway:?}"
    );
    for lowered in ["host_firewall_blocks", "credentials_or_account"] {
        let before = cause(&bare, lowered).map(|c| c.score).unwrap();
        let after = cause(&diagnosis, lowered).map(|c| c.score).unwrap();
        assert!(after < before, "{lowered}: {before} -> {after}");
    }
}
