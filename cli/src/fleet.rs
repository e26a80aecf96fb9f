//! `rdp-doctor probe --targets FILE`: the fleet check. Probes every host in the file, a bounded
//! number at once, prints one line per host as it finishes and a summary (or JSON, or CSV).

use std::path::Path;
use std::process::ExitCode;

use futures::StreamExt as _;
use rdp_doctor_core::probe::fleet::{FleetRow, FleetSummary, parse_targets};
use rdp_doctor_core::probe::tokio_driver::{TokioClock, TokioConnector};
use rdp_doctor_core::probe::{ProbeOptions, Target, run};
use serde::Serialize;

use crate::probe::{ProbeArgs, runtime};

#[derive(Serialize)]
struct FleetReport {
    hosts: Vec<FleetRow>,
    summary: FleetSummary,
}

pub fn main(args: &ProbeArgs, file: &Path) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("rdp-doctor probe: cannot read {}: {error}", file.display());
            return ExitCode::from(2);
        }
    };
    let targets = match parse_targets(&text) {
        Ok(targets) => targets,
        Err(error) => {
            eprintln!("rdp-doctor probe: {}: {error}", file.display());
            return ExitCode::from(2);
        }
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let text_output = !args.json && !args.csv;
    let options = args.options();
    let mut rows = runtime.block_on(async {
        futures::stream::iter(targets.iter().enumerate())
            .map(|(index, target)| probe_one(target, &options, index, args.expiring_days))
            .buffer_unordered(args.parallel.max(1))
            .inspect(|(_, row)| {
                if text_output {
                    println!("{}", line(row));
                }
            })
            .collect::<Vec<_>>()
            .await
    });
    // Output in file order, whatever order the probes finished in.
    rows.sort_by_key(|(index, _)| *index);
    let rows: Vec<FleetRow> = rows.into_iter().map(|(_, row)| row).collect();
    let summary = FleetSummary::of(&rows);
    let printed = if args.json {
        print_json(rows, summary.clone())
    } else if args.csv {
        print_csv(&rows)
    } else {
        print_summary(&summary, args.expiring_days);
        Ok(())
    };
    if let Err(error) = printed {
        eprintln!("rdp-doctor probe: {error}");
        return ExitCode::FAILURE;
    }
    if summary.healthy == summary.hosts {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

async fn probe_one(
    target: &Target,
    options: &ProbeOptions,
    index: usize,
    expiring_days: i64,
) -> (usize, FleetRow) {
    // Each host's client randoms from a seed of its own.
    let mut options = options.clone();
    let tag = u64::try_from(index).unwrap_or(u64::MAX).to_le_bytes();
    options.seed[24..].copy_from_slice(&tag);
    let report = run(
        target,
        &options,
        &TokioConnector,
        &TokioClock::default(),
        |_| {},
    )
    .await;
    (index, FleetRow::from_report(&report, expiring_days))
}

/// `host:port  ATTENTION  nla off, TLS 1.0 only, certificate 12 days left — verdict`
fn line(row: &FleetRow) -> String {
    let mut facts = Vec::new();
    if !row.reachable {
        facts.push("unreachable".to_owned());
    }
    match row.nla {
        Some(true) => facts.push("NLA on".to_owned()),
        Some(false) => facts.push("NLA off".to_owned()),
        None => {}
    }
    if row.tls_legacy_only {
        facts.push("TLS 1.0/1.1 only".to_owned());
    }
    match row.certificate_days_left {
        Some(days) if row.certificate_expired || days < 0 => {
            facts.push(format!("certificate expired {} days ago", -days))
        }
        Some(days) => facts.push(format!("certificate {days} days left")),
        None => {}
    }
    let mark = if row.needs_attention() {
        "ATTENTION"
    } else {
        "ok"
    };
    let verdict = if row.failed_stages.is_empty() {
        String::new()
    } else {
        format!(" — {}", row.verdict)
    };
    format!("{:<28} {mark:<9} {}{verdict}", row.target, facts.join(", "))
}

fn print_summary(summary: &FleetSummary, expiring_days: i64) {
    println!(
        "\n{} hosts: {} healthy, {} unreachable, {} without NLA, {} TLS 1.0/1.1 only, {} certificates expired, {} expiring within {expiring_days} days, {} with other failures.",
        summary.hosts,
        summary.healthy,
        summary.unreachable,
        summary.nla_off,
        summary.tls_legacy_only,
        summary.certificate_expired,
        summary.certificate_expiring,
        summary.other_failures
    );
}

fn print_json(hosts: Vec<FleetRow>, summary: FleetSummary) -> Result<(), String> {
    let text =
        serde_json::to_string_pretty(&FleetReport { hosts, summary }).map_err(|e| e.to_string())?;
    println!("{text}");
    Ok(())
}

fn print_csv(rows: &[FleetRow]) -> Result<(), String> {
    let mut writer = csv::Writer::from_writer(std::io::stdout());
    let header = [
        "target",
        "reachable",
        "nla",
        "tls_legacy_only",
        "certificate_days_left",
        "certificate_expired",
        "certificate_expiring",
        "failed_stages",
        "verdict",
    ];
    writer.write_record(header).map_err(|e| e.to_string())?;
    for row in rows {
        let nla = row.nla.map(|on| on.to_string()).unwrap_or_default();
        let days = row
            .certificate_days_left
            .map(|d| d.to_string())
            .unwrap_or_default();
        writer
            .write_record([
                row.target.as_str(),
                &row.reachable.to_string(),
                &nla,
                &row.tls_legacy_only.to_string(),
                &days,
                &row.certificate_expired.to_string(),
                &row.certificate_expiring.to_string(),
                &row.failed_stages.join("; "),
                &row.verdict,
            ])
            .map_err(|e| e.to_string())?;
    }
    writer.flush().map_err(|e| e.to_string())
}
