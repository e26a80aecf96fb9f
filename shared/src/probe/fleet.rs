//! The fleet check: many probe reports read down to the few facts an administrator scans a
//! list of servers for (reachable, NLA, TLS 1.0 only, the certificate's expiry), and the tally.
//! Pure: the CLI probes, this reads.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{ProbeReport, StageKind, StageStatus};
use crate::evidence::EvidenceId;

/// One host's line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetRow {
    pub target: String,
    pub reachable: bool,
    /// Whether the server accepts NLA (CredSSP); `None` when the probe never got an RDP answer.
    pub nla: Option<bool>,
    pub tls_legacy_only: bool,
    /// Whole days until the server certificate expires (negative once it has).
    pub certificate_days_left: Option<i64>,
    pub certificate_expired: bool,
    /// Expires within the days asked for (and has not yet).
    pub certificate_expiring: bool,
    /// Stages that failed, by label.
    pub failed_stages: Vec<String>,
    /// The first failed stage's verdict, or "ok".
    pub verdict: String,
}

impl FleetRow {
    pub fn from_report(report: &ProbeReport, expiring_days: i64) -> FleetRow {
        let evidence: Vec<EvidenceId> = report.evidence().into_iter().map(|e| e.id).collect();
        let has = |id| evidence.contains(&id);
        let reachable = report
            .stage(StageKind::Tcp)
            .is_some_and(|s| s.status == StageStatus::Ok);
        let answered_rdp = report.stage(StageKind::Negotiation).is_some_and(|s| {
            s.status == StageStatus::Ok
                || s.findings.iter().any(|f| {
                    f.evidence
                        .is_some_and(|id| id.as_str().starts_with("probe.neg_"))
                })
        });
        let nla_on = has(EvidenceId::ProbeNegNlaOffered) || has(EvidenceId::ProbeNegHybridRequired);
        let failed: Vec<_> = report
            .stages
            .iter()
            .filter(|s| s.status == StageStatus::Failed)
            .collect();
        let days_left = leaf_days_left(report);
        let certificate_expired = has(EvidenceId::CertExpired);
        FleetRow {
            target: report.target.to_string(),
            reachable,
            nla: answered_rdp.then_some(nla_on),
            tls_legacy_only: has(EvidenceId::ProbeTlsLegacyOnly),
            certificate_days_left: days_left,
            certificate_expired,
            certificate_expiring: !certificate_expired
                && days_left.is_some_and(|days| days <= expiring_days),
            failed_stages: failed.iter().map(|s| s.stage.label().to_owned()).collect(),
            verdict: failed
                .first()
                .map_or_else(|| "ok".to_owned(), |s| s.verdict.clone()),
        }
    }

    /// Anything an administrator should act on.
    pub fn needs_attention(&self) -> bool {
        !self.reachable
            || self.nla == Some(false)
            || self.tls_legacy_only
            || self.certificate_expired
            || self.certificate_expiring
            || !self.failed_stages.is_empty()
    }
}

/// Days from the probe's start to the leaf certificate's notAfter, when it was read from DER
/// (dates printed in a server's local time are not exact enough to count).
fn leaf_days_left(report: &ProbeReport) -> Option<i64> {
    let leaf = report.certificate.as_ref()?.certificates.first()?;
    let not_after = OffsetDateTime::parse(leaf.not_after.as_deref()?, &Rfc3339).ok()?;
    let now_ms = i64::try_from(report.started_unix_ms).ok()?;
    Some((not_after.unix_timestamp() - now_ms / 1000).div_euclid(86_400))
}

/// How many hosts share each problem.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FleetSummary {
    pub hosts: usize,
    pub healthy: usize,
    pub unreachable: usize,
    pub nla_off: usize,
    pub tls_legacy_only: usize,
    pub certificate_expired: usize,
    pub certificate_expiring: usize,
    /// Hosts with a failed stage not counted above.
    pub other_failures: usize,
}

impl FleetSummary {
    pub fn of(rows: &[FleetRow]) -> FleetSummary {
        let count = |test: fn(&FleetRow) -> bool| rows.iter().filter(|r| test(r)).count();
        FleetSummary {
            hosts: rows.len(),
            healthy: count(|r| !r.needs_attention()),
            unreachable: count(|r| !r.reachable),
            nla_off: count(|r| r.nla == Some(false)),
            tls_legacy_only: count(|r| r.tls_legacy_only),
            certificate_expired: count(|r| r.certificate_expired),
            certificate_expiring: count(|r| r.certificate_expiring),
            other_failures: count(|r| {
                r.reachable
                    && r.nla != Some(false)
                    && !r.tls_legacy_only
                    && !r.certificate_expired
                    && !r.failed_stages.is_empty()
            }),
        }
    }
}

/// Reads a targets file: one `host[:port]` a line; blank lines and `#` comments are skipped.
/// Errors name the line.
pub fn parse_targets(text: &str) -> Result<Vec<super::Target>, String> {
    let mut targets = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let target =
            super::Target::parse(line).map_err(|error| format!("line {}: {error}", number + 1))?;
        targets.push(target);
    }
    if targets.is_empty() {
        return Err("no targets in the file".to_owned());
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_file_skips_comments_and_names_bad_lines() {
        let targets = parse_targets("# servers\nrdp1.example.com\n\n10.0.0.5:3390 # lab\n")
            .expect("valid file");
        let shown: Vec<String> = targets.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["rdp1.example.com:3389", "10.0.0.5:3390"]);
        assert_eq!(
            parse_targets("ok.example\nhost:99999\n"),
            Err("line 2: invalid port \"99999\"".to_owned())
        );
        assert!(parse_targets("# nothing\n").is_err());
    }
}
