//! `rdp-doctor probe host[:port]`: runs the core's probe with the native tokio driver and prints
//! each stage as it finishes (or the whole report as JSON). With `--targets FILE` it checks a
//! fleet instead (`fleet.rs`).

use std::process::ExitCode;

use clap::Args;
use rdp_doctor_core::evidence::{Finding, Severity};
use rdp_doctor_core::probe::tokio_driver::{TokioClock, TokioConnector};
use rdp_doctor_core::probe::{ProbeOptions, StageReport, StageStatus, Target, run};

/// Exit status: 0 when no stage failed (for a fleet: no host needs attention), 1 when one did,
/// 2 on a bad target or targets file.
#[derive(Args)]
pub struct ProbeArgs {
    /// host, host:port, [ipv6]:port (port 3389 by default)
    #[arg(required_unless_present = "targets", conflicts_with = "targets")]
    target: Option<String>,
    /// Check many servers: a file with one host[:port] a line (# comments allowed).
    #[arg(long, value_name = "FILE")]
    pub(crate) targets: Option<std::path::PathBuf>,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    pub(crate) json: bool,
    /// With --targets: print CSV, one row per host.
    #[arg(long, requires = "targets", conflicts_with = "json")]
    pub(crate) csv: bool,
    /// With --targets: flag certificates that expire within this many days.
    #[arg(long, value_name = "N", default_value_t = 30, requires = "targets")]
    pub(crate) expiring_days: i64,
    /// With --targets: hosts probed at once (each uses up to 6 connections).
    #[arg(long, value_name = "N", default_value_t = 8, requires = "targets")]
    pub(crate) parallel: usize,
    /// Seconds for the whole probe (of each host).
    #[arg(long, default_value_t = 15)]
    timeout: u64,
    /// Skip replaying real clients' TLS offers.
    #[arg(long)]
    no_client_profiles: bool,
}

impl ProbeArgs {
    pub(crate) fn options(&self) -> ProbeOptions {
        ProbeOptions {
            total_timeout_ms: self.timeout.saturating_mul(1000),
            seed: fresh_seed(),
            client_compatibility: !self.no_client_profiles,
            ..ProbeOptions::default()
        }
    }
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| {
            eprintln!("rdp-doctor probe: cannot start the runtime: {error}");
            ExitCode::FAILURE
        })
}

pub fn main(args: ProbeArgs) -> ExitCode {
    if let Some(file) = &args.targets {
        return super::fleet::main(&args, file);
    }
    let target = match Target::parse(args.target.as_deref().unwrap_or_default()) {
        Ok(target) => target,
        Err(error) => {
            eprintln!("rdp-doctor probe: {error}");
            return ExitCode::from(2);
        }
    };
    let options = args.options();
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    if !args.json {
        println!("Probing {target} ...");
    }
    let json = args.json;
    let report = runtime.block_on(run(
        &target,
        &options,
        &TokioConnector,
        &TokioClock::default(),
        |stage| {
            if !json {
                print_stage(stage);
            }
        },
    ));
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(text) => println!("{text}"),
            Err(error) => {
                eprintln!("rdp-doctor probe: {error}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        if let Some(certificate) = &report.certificate {
            for (index, cert) in certificate.certificates.iter().enumerate() {
                let which = if index == 0 {
                    "Server certificate".to_owned()
                } else {
                    format!("Chain certificate {index}")
                };
                let mut fields = String::new();
                crate::analyze::print_certificate(&mut fields, cert);
                print!("\n{which}\n{fields}");
            }
            certificate.findings.iter().for_each(print_finding);
        }
        let plural = if report.connections_opened == 1 {
            ""
        } else {
            "s"
        };
        println!(
            "\nDone in {} ms over {} connection{plural}.",
            report.duration_ms, report.connections_opened
        );
    }
    if report
        .stages
        .iter()
        .any(|s| s.status == StageStatus::Failed)
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_stage(stage: &StageReport) {
    let mark = match stage.status {
        StageStatus::Ok => "ok  ",
        StageStatus::Failed => "FAIL",
        StageStatus::Skipped => "skip",
        StageStatus::NotApplicable => "n/a ",
    };
    println!(
        "[{mark}] {:<22} {} ({} ms)",
        stage.stage.label(),
        stage.verdict,
        stage.duration_ms
    );
    stage.findings.iter().for_each(print_finding);
}

fn print_finding(finding: &Finding) {
    let severity = match finding.severity {
        Severity::Info => "info",
        Severity::Warning => "warn",
        Severity::Error => "error",
    };
    let id = finding
        .evidence
        .map(|id| format!(" [{}]", id.as_str()))
        .unwrap_or_default();
    println!(
        "       {severity}: {} — {}{id}",
        finding.title, finding.detail
    );
}

/// Client randoms need not be secret, only fresh: the clock and the process id suffice.
pub(crate) fn fresh_seed() -> [u8; 32] {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut seed = [0u8; 32];
    seed[..16].copy_from_slice(&nanos.to_le_bytes());
    seed[16..20].copy_from_slice(&std::process::id().to_le_bytes());
    seed
}
