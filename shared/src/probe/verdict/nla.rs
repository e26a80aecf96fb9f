//! Stage 5, NLA: what the server's NTLM CHALLENGE says, or where CredSSP stopped.

use crate::evidence::{EvidenceId, Finding, Severity};
use crate::probe::nla::NlaDetails;
use crate::probe::report::{StageDetails, StageKind, StageReport, StageStatus};

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
            let domain = ntlm
                .dns_domain_name
                .clone()
                .or_else(|| ntlm.netbios_domain_name.clone())
                .unwrap_or_default();
            findings.push(Finding::new(
                Severity::Info,
                Some(EvidenceId::ProbeNlaInfo),
                "The server answered NLA with its NTLM challenge",
                format!(
                    "computer {name}, domain {domain}, OS version {os}, CredSSP version {}",
                    details.credssp_version.unwrap_or_default()
                ),
            ));
            if let Some(skew) = ntlm.clock_skew_ms.filter(|s| s.abs() > MAX_CLOCK_SKEW_MS) {
                findings.push(Finding::new(
                    Severity::Warning,
                    Some(EvidenceId::ProbeClockSkew),
                    "The server's clock is off",
                    format!(
                        "the server's clock is {} s {} real time",
                        skew.abs() / 1000,
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
                .clone()
                .unwrap_or_else(|| "no NTLM challenge".to_owned());
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
