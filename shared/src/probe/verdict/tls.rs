//! Stage 3, TLS: the version probes and the main connection's full handshake.

use crate::evidence::{EvidenceId, Finding, Severity};
use crate::probe::tls::{HelloOutcome, HelloResult, TlsVersion};
use crate::report::{FullHandshake, HandshakeEnd};
use crate::report::{
    NegotiatedTls, StageDetails, StageKind, StageReport, StageStatus, TlsDetails, TlsVersionResult,
};

/// NULL and anonymous suites protect nothing; no RDP client offers them.
fn is_unusable_suite(id: u16) -> bool {
    tls_parser::TlsCipherSuite::from_id(id).is_some_and(|s| {
        matches!(s.enc, tls_parser::TlsCipherEnc::Null)
            || matches!(s.au, tls_parser::TlsCipherAu::Null)
    })
}

/// TLS alert 80: the server's own fault, not a mismatch with the client's offer.
const INTERNAL_ERROR: u8 = tls_parser::TlsAlertDescription::InternalError.0;

/// An MCS Disconnect or alert 80 where a ServerHello belongs: the server could not set up its
/// side of TLS.
fn server_setup_failed(what: &str) -> Finding {
    Finding::new(
        Severity::Error,
        Some(EvidenceId::ProbeTlsServerSetupFailed),
        "The server's own TLS setup fails",
        format!(
            "{what}; this is the server failing to build its TLS credential, not a version or cipher mismatch: its certificate or private key is unusable, or its protocol and cipher configuration leaves nothing to offer (on Windows, Schannel events 36870/36871 in the System log)"
        ),
    )
}

/// Why a server would drop a TLS handshake it has started.
const DROPPED_PART_WAY: &str = "security software or a device in the path that inspects TLS does this when it lets a connection start and then cuts it";

/// Why a handshake would stop part-way with the connection still open: the ServerHello fits in
/// a small packet, the certificate flight after it fills full-size ones.
const STALLED_PART_WAY: &str = "a path that loses full-size packets does this (a VPN or tunnel whose MTU is too large, with the ICMP that would shrink them blocked): the small ServerHello arrives and the certificate flight after it never does; a device that inspects TLS and holds the connection can too";

pub(crate) fn tls_report(
    results: &[(TlsVersion, HelloResult)],
    handshake: &FullHandshake,
) -> StageReport {
    let (versions, certificate_chain) = version_results(results);
    let negotiated = negotiated(&versions);
    let mut findings = Vec::new();
    if let Some(bytes) = results.iter().find_map(|(_, r)| r.oversized_chain_bytes) {
        findings.push(Finding::new(
            Severity::Warning,
            None,
            "The server's certificate chain is too large to read",
            format!(
                "its Certificate message is {bytes} bytes, more than the probe reads; the certificate was not checked, and clients with a handshake size limit may refuse it"
            ),
        ));
    }
    let (status, verdict) = match &negotiated {
        Some(negotiated) => accepted(&versions, negotiated, handshake, &mut findings),
        None => refused(&versions, &mut findings),
    };
    StageReport {
        details: StageDetails::Tls(TlsDetails {
            versions,
            negotiated,
            certificate_chain,
            full_handshake: Some(handshake.clone()),
        }),
        findings,
        ..StageReport::without_result(StageKind::Tls, status, verdict)
    }
}

/// Each version probe's result in version order, and the first certificate chain any of them
/// saw, highest version first.
fn version_results(results: &[(TlsVersion, HelloResult)]) -> (Vec<TlsVersionResult>, Vec<Vec<u8>>) {
    let mut sorted: Vec<&(TlsVersion, HelloResult)> = results.iter().collect();
    sorted.sort_by_key(|(v, _)| std::cmp::Reverse(*v));
    let certificate_chain = sorted
        .iter()
        .find(|(_, r)| !r.chain.is_empty())
        .map(|(_, r)| r.chain.clone())
        .unwrap_or_default();
    let mut versions: Vec<TlsVersionResult> = sorted
        .into_iter()
        .map(|(version, result)| TlsVersionResult {
            version: *version,
            supported: result.outcome.accepted_version() == Some(*version),
            outcome: result.outcome.clone(),
        })
        .collect();
    versions.sort_by_key(|r| r.version);
    (versions, certificate_chain)
}

/// What the highest supported version negotiated.
fn negotiated(versions: &[TlsVersionResult]) -> Option<NegotiatedTls> {
    versions
        .iter()
        .rev()
        .find(|r| r.supported)
        .and_then(|r| match &r.outcome {
            HelloOutcome::Accepted {
                version,
                cipher_suite,
                cipher_suite_name,
                ..
            } => Some(NegotiatedTls {
                version: *version,
                cipher_suite: *cipher_suite,
                cipher_suite_name: cipher_suite_name.clone(),
            }),
            _ => None,
        })
}

/// Some version was accepted: what the full handshake and the negotiated parameters add.
fn accepted(
    versions: &[TlsVersionResult],
    negotiated: &NegotiatedTls,
    handshake: &FullHandshake,
    findings: &mut Vec<Finding>,
) -> (StageStatus, String) {
    let supported: Vec<&str> = versions
        .iter()
        .filter(|r| r.supported)
        .map(|r| r.version.label())
        .collect();
    let suite = negotiated
        .cipher_suite_name
        .clone()
        .unwrap_or_else(|| format!("0x{:04x}", negotiated.cipher_suite));
    let accepted = format!(
        "{} accepted; {} negotiates {suite}",
        supported.join(", "),
        negotiated.version.label()
    );
    // The version probes stop at the ServerHello (or the Certificate); only the full
    // handshake shows whether the server finishes what it started. A server that drops it
    // after its ServerHello fails every client; one whose failure came before its
    // ServerHello, or from the probe's own TLS client, may only have refused rustls's offer.
    let dropped_after_hello = handshake.server_hello.is_some()
        && matches!(
            handshake.end,
            HandshakeEnd::Closed | HandshakeEnd::Reset | HandshakeEnd::TimedOut
        );
    let mut unusable = unusable_parameters(&supported, negotiated, &suite, findings);
    if dropped_after_hello {
        let (title, evidence, why) = if handshake.end == HandshakeEnd::TimedOut {
            (
                "The server stops answering part-way through the TLS handshake",
                EvidenceId::ProbeTlsStallsMidHandshake,
                STALLED_PART_WAY,
            )
        } else {
            (
                "The server drops the TLS handshake part-way",
                EvidenceId::ProbeTlsDroppedMidHandshake,
                DROPPED_PART_WAY,
            )
        };
        findings.push(Finding::new(
            Severity::Error,
            Some(evidence),
            title,
            format!("{}; {why}", handshake.describe()),
        ));
        unusable.push(format!(
            "the full handshake does not finish: {}",
            handshake.describe()
        ));
    } else if let HandshakeEnd::Alert {
        description: INTERNAL_ERROR,
        ..
    } = handshake.end
    {
        findings.push(server_setup_failed(&handshake.describe()));
        unusable.push(format!(
            "the full handshake ends in {}",
            handshake.describe()
        ));
    } else if !handshake.completed() {
        findings.push(Finding::new(
            Severity::Info,
            None,
            "The probe's own TLS client could not complete a handshake",
            format!(
                "{}; real clients make other offers and have other limits",
                handshake.describe()
            ),
        ));
    }
    let verdict = if unusable.is_empty() {
        format!("TLS works: {accepted}.")
    } else {
        format!(
            "TLS fails for current clients: {accepted}, but {}.",
            unusable.join("; ")
        )
    };
    (super::worst(findings, StageStatus::Ok), verdict)
}

/// No version was accepted: the first failure, highest version first, names the stage.
fn refused(versions: &[TlsVersionResult], findings: &mut Vec<Finding>) -> (StageStatus, String) {
    let first = versions.iter().rev().map(|r| &r.outcome).next();
    let what = first
        .map(HelloOutcome::describe)
        .unwrap_or_else(|| "no result".to_owned());
    let evidence = match first {
        Some(HelloOutcome::ClosedBeforeServerHello | HelloOutcome::ResetBeforeServerHello) => {
            Some((
                "The server drops the TLS handshake before its ServerHello",
                "on Windows this is how Schannel fails when the RDP certificate's private key cannot be read (Schannel event 36870)",
                EvidenceId::ProbeTlsNoServerHello,
            ))
        }
        Some(HelloOutcome::DroppedMidHandshake { .. }) => Some((
            "The server drops the TLS handshake part-way",
            DROPPED_PART_WAY,
            EvidenceId::ProbeTlsDroppedMidHandshake,
        )),
        Some(HelloOutcome::McsDisconnect) => {
            findings.push(server_setup_failed(&what));
            None
        }
        Some(HelloOutcome::Alert {
            description: INTERNAL_ERROR,
            ..
        }) => {
            findings.push(server_setup_failed(&what));
            None
        }
        Some(HelloOutcome::Alert { .. }) => Some((
            "The server answers every TLS handshake with an alert",
            "",
            EvidenceId::ProbeTlsAlert,
        )),
        Some(HelloOutcome::NotTls { .. } | HelloOutcome::Malformed { .. }) => Some((
            "The server answers TLS with something that is not TLS",
            "",
            EvidenceId::ProbeTlsNotTls,
        )),
        _ => None,
    };
    if let Some((title, why, id)) = evidence {
        let detail = if why.is_empty() {
            what.clone()
        } else {
            format!("{what}; {why}")
        };
        findings.push(Finding::new(Severity::Error, Some(id), title, detail));
    }
    (
        StageStatus::Failed,
        format!("No TLS version works: {what}."),
    )
}

/// What current clients cannot use in what the server accepted: only TLS 1.0/1.1, or a suite
/// without encryption or authentication. Each adds an error finding and a clause for the verdict.
fn unusable_parameters(
    supported: &[&str],
    negotiated: &NegotiatedTls,
    suite: &str,
    findings: &mut Vec<Finding>,
) -> Vec<String> {
    let mut unusable = Vec::new();
    if negotiated.version < TlsVersion::Tls12 {
        unusable.push(format!(
            "only {} is accepted, which current clients refuse",
            supported.join(", ")
        ));
        findings.push(Finding::new(
            Severity::Error,
            Some(EvidenceId::ProbeTlsLegacyOnly),
            "The server accepts only TLS 1.0/1.1",
            format!(
                "accepted: {}; Windows 11, the Windows App and FreeRDP 3 need TLS 1.2 or later",
                supported.join(", ")
            ),
        ));
    }
    if is_unusable_suite(negotiated.cipher_suite) {
        unusable.push(format!(
            "its cipher suite {suite} has no encryption or authentication"
        ));
        findings.push(Finding::new(
            Severity::Error,
            Some(EvidenceId::ProbeTlsNoModernCipher),
            "The server only offers cipher suites without encryption or authentication",
            suite.to_owned(),
        ));
    }
    unusable
}
