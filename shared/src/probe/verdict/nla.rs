//! Stage 5, NLA: what the server's NTLM CHALLENGE says, or where CredSSP stopped.

use crate::evidence::{EvidenceId, Finding, Severity};
use crate::report::{
    FullHandshake, HandshakeEnd, NlaDetails, NlaFailure, NtlmChallengeInfo, TlsVersion,
};
use crate::report::{StageDetails, StageKind, StageReport, StageStatus};

/// Differences larger than this between the server's clock and real time break Kerberos and
/// show up as logon failures (Windows' default maximum tolerance is 5 minutes).
const MAX_CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

pub(crate) fn nla_report(details: NlaDetails) -> StageReport {
    let mut findings = Vec::new();
    let (status, verdict) = match &details.ntlm {
        Some(ntlm) => {
            let name = ntlm
                .dns_computer_name
                .clone()
                .or_else(|| ntlm.netbios_computer_name.clone())
                .unwrap_or_else(|| "unnamed".to_owned());
            let os = ntlm
                .os_version
                .clone()
                .unwrap_or_else(|| "unknown".to_owned());
            findings.push(Finding::new(
                Severity::Info,
                Some(EvidenceId::ProbeNlaInfo),
                "The server answered NLA with its NTLM challenge",
                format!(
                    "computer {name}, {}, OS version {os}, CredSSP version {}",
                    membership(ntlm),
                    details.credssp_version.unwrap_or_default()
                ),
            ));
            if let Some(skew) = ntlm.clock_skew_ms.filter(|s| s.abs() > MAX_CLOCK_SKEW_MS) {
                findings.push(Finding::new(
                    Severity::Warning,
                    Some(EvidenceId::ProbeClockSkew),
                    "The server's clock is off",
                    format!(
                        "the server's clock is {} {} real time; Kerberos tolerates 5 minutes",
                        plain_duration(skew.unsigned_abs()),
                        if skew > 0 { "ahead of" } else { "behind" }
                    ),
                ));
            }
            (
                StageStatus::Ok,
                format!(
                    "NLA answers: {name} (OS {os}) sent its NTLM challenge; no credentials were sent."
                ),
            )
        }
        None => {
            let why = details
                .failure
                .as_ref()
                .map_or_else(|| "no NTLM challenge".to_owned(), NlaFailure::describe);
            (
                StageStatus::Failed,
                format!("NLA did not get to the NTLM challenge: {why}."),
            )
        }
    };
    StageReport {
        details: StageDetails::Nla(details),
        findings,
        ..StageReport::without_result(StageKind::Nla, status, verdict)
    }
}

/// The server selected NLA but the TLS handshake under it did not complete. When the probe's own
/// TLS client is what stopped — a server below TLS 1.2 (`highest_version`, from the version
/// probes), an offer the server refused, a message rustls refuses — NLA was not checked rather
/// than failed: clients that finish the handshake reach it. A drop, silence or alert 80 fails it.
pub(crate) fn nla_not_reached(
    handshake: &FullHandshake,
    highest_version: Option<TlsVersion>,
) -> StageReport {
    let details = NlaDetails::after(handshake);
    let below_probe_tls = handshake.end == HandshakeEnd::BelowProbeTls
        || highest_version.is_some_and(|v| v < TlsVersion::Tls12);
    let verdict = match &handshake.end {
        _ if below_probe_tls => {
            "Not checked: the probe speaks TLS 1.2 and 1.3, and the server offers only TLS 1.0/1.1; it selected NLA, so TLS 1.0 clients reach NLA.".to_owned()
        }
        HandshakeEnd::Failed { error } => format!(
            "Not checked: the probe's own TLS client stopped ({error}); the server selected NLA, so clients that finish the handshake reach it."
        ),
        HandshakeEnd::Alert { description, .. } if *description != INTERNAL_ERROR => format!(
            "Not checked: the server refused the probe's own TLS offer ({}); it selected NLA, so clients whose offer it accepts reach it.",
            handshake.describe()
        ),
        _ => return nla_report(details),
    };
    StageReport {
        details: StageDetails::Nla(details),
        ..StageReport::without_result(StageKind::Nla, StageStatus::Skipped, verdict)
    }
}

/// TLS alert 80: the server's own fault.
const INTERNAL_ERROR: u8 = tls_parser::TlsAlertDescription::InternalError.0;

/// Workgroup or domain, as the CHALLENGE tells it: a machine outside any domain names itself as
/// its own NetBIOS domain (and its own DNS name as the DNS domain).
fn membership(ntlm: &NtlmChallengeInfo) -> String {
    let same = |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b));
    if same(&ntlm.netbios_domain_name, &ntlm.netbios_computer_name)
        || (ntlm.netbios_domain_name.is_none()
            && same(&ntlm.dns_domain_name, &ntlm.dns_computer_name))
    {
        return "a workgroup machine (not joined to a domain: NTLM logons only, no Kerberos)"
            .to_owned();
    }
    let netbios = ntlm.netbios_domain_name.as_deref();
    match (netbios, ntlm.dns_domain_name.as_deref()) {
        (Some(netbios), Some(dns)) => format!("member of the domain {netbios} ({dns})"),
        (Some(name), None) | (None, Some(name)) => format!("member of the domain {name}"),
        (None, None) => "domain not named".to_owned(),
    }
}

/// "3 days 4 h", "2 h 5 min", "7 min 30 s", "45 s".
fn plain_duration(ms: u64) -> String {
    let seconds = ms / 1000;
    let (days, hours, minutes, secs) = (
        seconds / 86_400,
        seconds / 3_600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    let day_unit = if days == 1 { "day" } else { "days" };
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{secs} s"),
        (0, 0, _) if secs == 0 => format!("{minutes} min"),
        (0, 0, _) => format!("{minutes} min {secs} s"),
        (0, _, _) if minutes == 0 => format!("{hours} h"),
        (0, _, _) => format!("{hours} h {minutes} min"),
        (_, 0, _) => format!("{days} {day_unit}"),
        _ => format!("{days} {day_unit} {hours} h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(netbios: (&str, &str), dns: (&str, &str), skew_ms: i64) -> NlaDetails {
        NlaDetails {
            credssp_version: Some(6),
            ntlm: Some(NtlmChallengeInfo {
                netbios_computer_name: Some(netbios.0.into()),
                netbios_domain_name: Some(netbios.1.into()),
                dns_computer_name: Some(dns.0.into()),
                dns_domain_name: Some(dns.1.into()),
                os_version: Some("10.0.20348".into()),
                clock_skew_ms: Some(skew_ms),
                ..NtlmChallengeInfo::default()
            }),
            ..NlaDetails::default()
        }
    }

    fn detail(report: &StageReport, id: EvidenceId) -> &str {
        report
            .findings
            .iter()
            .find(|f| f.evidence == Some(id))
            .map_or("", |f| f.detail.as_str())
    }

    #[test]
    fn workgroup_and_domain_machines_are_named_as_such() {
        let workgroup = nla_report(challenge(("WS01", "WS01"), ("ws01", "ws01"), 0));
        assert!(
            detail(&workgroup, EvidenceId::ProbeNlaInfo).contains("a workgroup machine"),
            "{workgroup:?}"
        );
        let member = nla_report(challenge(
            ("RDSH01", "CONTOSO"),
            ("rdsh01.contoso.test", "contoso.test"),
            0,
        ));
        assert!(
            detail(&member, EvidenceId::ProbeNlaInfo)
                .contains("member of the domain CONTOSO (contoso.test)"),
            "{member:?}"
        );
    }

    #[test]
    fn the_probes_own_tls_limits_leave_nla_unchecked_not_failed() {
        let handshake = |end| FullHandshake {
            server_hello: None,
            cipher_suite: None,
            received_bytes: 80,
            end,
        };
        let tls10 = nla_not_reached(&handshake(HandshakeEnd::BelowProbeTls), None);
        assert_eq!(tls10.status, StageStatus::Skipped);
        assert!(
            tls10.verdict.contains("TLS 1.0 clients reach NLA"),
            "{}",
            tls10.verdict
        );
        // Windows Server 2008 R2 refuses rustls's offer outright: no suite in common at TLS 1.0.
        let refused = HandshakeEnd::Alert {
            description: 40,
            name: "HandshakeFailure".into(),
        };
        let below = nla_not_reached(&handshake(refused), Some(TlsVersion::Tls10));
        assert_eq!(below.status, StageStatus::Skipped);
        assert!(below.verdict.contains("TLS 1.0 clients reach NLA"));
        let reset = nla_not_reached(&handshake(HandshakeEnd::Reset), Some(TlsVersion::Tls12));
        assert_eq!(reset.status, StageStatus::Failed);
        let internal_error = HandshakeEnd::Alert {
            description: 80,
            name: "InternalError".into(),
        };
        let server_fault = nla_not_reached(&handshake(internal_error), Some(TlsVersion::Tls12));
        assert_eq!(server_fault.status, StageStatus::Failed);
    }

    /// The NLA stage's status and verdict for every way it stops short of the CHALLENGE: the
    /// TLS handshake under it ending (after a TLS 1.2 ServerHello), then CredSSP failing.
    #[test]
    fn verdicts_where_nla_stops() {
        use crate::probe::credssp::CredsspError;
        use crate::report::SessionFailure;

        let ends = [
            HandshakeEnd::BelowProbeTls,
            HandshakeEnd::Closed,
            HandshakeEnd::Reset,
            HandshakeEnd::TimedOut,
            HandshakeEnd::Failed {
                error: SessionFailure::HandshakeMessageTooLarge,
            },
            HandshakeEnd::Failed {
                error: SessionFailure::LimitReached,
            },
            HandshakeEnd::Alert {
                description: 40,
                name: "HandshakeFailure".into(),
            },
            HandshakeEnd::Alert {
                description: 80,
                name: "InternalError".into(),
            },
        ];
        let mut lines: Vec<String> = ends
            .into_iter()
            .map(|end| {
                let handshake = FullHandshake {
                    server_hello: Some(TlsVersion::Tls12),
                    cipher_suite: None,
                    received_bytes: 1234,
                    end,
                };
                nla_not_reached(&handshake, Some(TlsVersion::Tls12))
            })
            .map(|report| format!("{:?}: {}", report.status, report.verdict))
            .collect();
        let failures = [
            NlaFailure::Exchange {
                error: SessionFailure::Reset,
            },
            NlaFailure::Exchange {
                error: SessionFailure::SessionClosed,
            },
            NlaFailure::NoReply,
            NlaFailure::InvalidReply {
                detail: CredsspError::NotTsRequest(0x05).to_string(),
            },
            NlaFailure::InvalidToken {
                detail: CredsspError::NotChallenge.to_string(),
            },
            NlaFailure::NoNtlmToken,
        ];
        lines.extend(failures.into_iter().map(|failure| {
            let report = nla_report(NlaDetails {
                failure: Some(failure),
                ..NlaDetails::default()
            });
            format!("{:?}: {}", report.status, report.verdict)
        }));
        insta::assert_snapshot!(lines.join("\n"));
    }

    #[test]
    fn clock_skew_is_said_in_plain_units() {
        let skew = 2 * 3_600_000 + 5 * 60_000 + 7_000;
        let report = nla_report(challenge(("A", "D"), ("a.d", "d"), -skew));
        assert_eq!(
            detail(&report, EvidenceId::ProbeClockSkew),
            "the server's clock is 2 h 5 min behind real time; Kerberos tolerates 5 minutes"
        );
        assert_eq!(plain_duration(45_000), "45 s");
        assert_eq!(plain_duration(7 * 60_000 + 30_000), "7 min 30 s");
        assert_eq!(plain_duration(86_400_000 + 4 * 3_600_000), "1 day 4 h");
        assert_eq!(plain_duration(3 * 86_400_000), "3 days");
    }
}
