//! `rdp-doctor analyze cert|events|rdp <file or ->`: the evidence analyzers on the command line.
//!
//! Exit status: 0 when the analysis found nothing worse than information, 1 when it found
//! warnings or errors, 2 when the input could not be read or analysed.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Read, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use rdp_doctor_core::analyze::cert::{self, CertContext, CertReport, CertSummary};
use rdp_doctor_core::analyze::events::{self, EventReport};
use rdp_doctor_core::analyze::rdpfile::{self, RdpFileReport};
use rdp_doctor_core::analyze::{AnalyzeError, evtx, parse_rfc3339};
use rdp_doctor_core::evidence::{Finding, Severity};
use serde::Serialize;

#[derive(Args, Debug)]
#[command(
    after_help = "Exit status: 0 nothing to worry about, 1 warnings or errors found, 2 input not readable."
)]
pub struct AnalyzeArgs {
    #[command(subcommand)]
    what: What,
}

#[derive(Subcommand, Debug)]
enum What {
    /// Check a server certificate or chain: PEM, DER, base64, or the text of `certutil -dump`
    /// or `Get-ChildItem Cert:\... | Format-List *`.
    Cert(CertArgs),
    /// Read Windows event logs: .evtx, event XML, Event Viewer text or CSV, wevtutil text,
    /// Get-WinEvent | Format-List.
    Events(EventsArgs),
    /// Read an .rdp connection file.
    Rdp(Input),
}

#[derive(Args, Debug)]
struct Input {
    /// The file to read, or `-` for standard input.
    file: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
struct EventsArgs {
    #[command(flatten)]
    input: Input,
    /// When the connection failed (RFC 3339, in the time the export prints). Events last seen
    /// over a week before are flagged old and weigh less; without it the newest relevant warning
    /// or error sets the time.
    #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
    failed_at: Option<i64>,
}

#[derive(Args, Debug)]
struct CertArgs {
    #[command(flatten)]
    input: Input,
    /// The host name or IP address the client connects to, checked against the certificate.
    #[arg(long, value_name = "NAME")]
    host: Option<String>,
    /// Judge validity at this time instead of now (RFC 3339, e.g. 2026-06-01T00:00:00Z).
    #[arg(long, value_name = "RFC3339", value_parser = parse_now)]
    now: Option<i64>,
}

fn parse_now(text: &str) -> Result<i64, String> {
    parse_rfc3339(text)
        .ok_or_else(|| format!("{text:?} is not an RFC 3339 time such as 2026-06-01T00:00:00Z"))
}

pub fn run(args: AnalyzeArgs) -> ExitCode {
    let outcome = match args.what {
        What::Cert(args) => read(&args.input, cert::MAX_INPUT_BYTES).and_then(|bytes| {
            let now = args.now.unwrap_or_else(system_now);
            let report = cert::analyze(
                &bytes,
                &CertContext {
                    now_unix: now,
                    host: args.host,
                },
            )
            .map_err(explain)?;
            Ok(render(
                &report,
                args.input.json,
                &report.findings,
                print_cert,
            ))
        }),
        What::Events(args) => read(&args.input, events::MAX_INPUT_BYTES).and_then(|bytes| {
            let report = match events::analyze_at(&bytes, args.failed_at) {
                Err(AnalyzeError::EvtxNeedsEvtxReader) => evtx::analyze_at(bytes, args.failed_at),
                other => other,
            }
            .map_err(explain)?;
            Ok(render(
                &report,
                args.input.json,
                &report.findings,
                print_events,
            ))
        }),
        What::Rdp(input) => read(&input, rdpfile::MAX_INPUT_BYTES).and_then(|bytes| {
            let report = rdpfile::analyze(&bytes).map_err(explain)?;
            Ok(render(&report, input.json, &report.findings, print_rdp))
        }),
    };
    match outcome {
        Ok((text, status)) => {
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = io::stdout().write_all(text.as_bytes());
            status
        }
        Err(message) => {
            eprintln!("rdp-doctor: {message}");
            ExitCode::from(2)
        }
    }
}

fn explain(error: AnalyzeError) -> String {
    error.to_string()
}

fn system_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Reads the whole input, refusing more than `limit` bytes without reading them all.
fn read(input: &Input, limit: usize) -> Result<Vec<u8>, String> {
    let (name, reader): (String, Box<dyn Read>) = if input.file.as_os_str() == "-" {
        ("standard input".into(), Box::new(io::stdin().lock()))
    } else {
        let file = File::open(&input.file).map_err(|e| format!("{}: {e}", input.file.display()))?;
        (input.file.display().to_string(), Box::new(file))
    };
    let mut bytes = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    reader
        .take(cap)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name}: {e}"))?;
    if bytes.len() > limit {
        return Err(format!(
            "{name}: the input is larger than the {} MiB limit",
            limit / (1024 * 1024)
        ));
    }
    Ok(bytes)
}

fn render<R: Serialize>(
    report: &R,
    json: bool,
    findings: &[Finding],
    print: fn(&R) -> String,
) -> (String, ExitCode) {
    let text = if json {
        serde_json::to_string_pretty(report)
            .map_or_else(|e| format!("{{\"error\": \"{e}\"}}"), |json| json + "\n")
    } else {
        print(report)
    };
    let worrying = findings.iter().any(|f| f.severity >= Severity::Warning);
    (
        text,
        if worrying {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
}

fn print_findings(out: &mut String, findings: &[Finding]) {
    out.push_str("\nFindings\n");
    for finding in findings {
        let label = match finding.severity {
            Severity::Error => "ERROR  ",
            Severity::Warning => "WARNING",
            Severity::Info => "info   ",
        };
        let _ = writeln!(out, "  {label} {}", finding.title);
        if !finding.detail.is_empty() {
            let _ = writeln!(out, "          {}", finding.detail);
        }
        if let Some(id) = finding.evidence {
            let _ = writeln!(out, "          evidence: {}", id.as_str());
        }
    }
}

fn print_cert(report: &CertReport) -> String {
    let mut out = String::new();
    let count = report.certificates.len();
    let _ = writeln!(
        out,
        "Certificate analysis ({}, {count} certificate{})",
        report.input_format.label(),
        if count == 1 { "" } else { "s" }
    );
    for (index, cert) in report.certificates.iter().enumerate() {
        let _ = writeln!(out, "\nCertificate {}", index + 1);
        print_certificate(&mut out, cert);
    }
    print_findings(&mut out, &report.findings);
    out
}

/// Every field of one certificate, a line each (the probe's text output uses it too).
pub(crate) fn print_certificate(out: &mut String, cert: &CertSummary) {
    let mut line = |label: &str, value: &str| {
        if !value.is_empty() {
            let _ = writeln!(out, "  {label:<12} {value}");
        }
    };
    line("Subject", &cert.subject);
    line("Issuer", &cert.issuer);
    line("Valid from", cert.not_before.as_deref().unwrap_or_default());
    line("Valid to", cert.not_after.as_deref().unwrap_or_default());
    line(
        "Names",
        &cert
            .dns_names
            .iter()
            .chain(&cert.ip_addresses)
            .cloned()
            .collect::<Vec<_>>()
            .join(", "),
    );
    if let Some(key) = &cert.key {
        line(
            "Key",
            &key.bits.map_or_else(
                || key.algorithm.clone(),
                |bits| format!("{} {bits} bits", key.algorithm),
            ),
        );
    }
    line(
        "Signature",
        cert.signature_algorithm.as_deref().unwrap_or_default(),
    );
    line(
        "EKU",
        &cert
            .extended_key_usage
            .as_ref()
            .map(|e| e.join(", "))
            .unwrap_or_default(),
    );
    line(
        "Key usage",
        &cert
            .key_usage
            .as_ref()
            .map(|k| k.join(", "))
            .unwrap_or_default(),
    );
    line(
        "Thumbprint",
        cert.thumbprint_sha1.as_deref().unwrap_or_default(),
    );
}

fn print_events(report: &EventReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Event log analysis ({}): {} events read",
        report.format_detected.label(),
        report.events_read
    );
    print_findings(&mut out, &report.findings);
    let _ = writeln!(
        out,
        "\nTimeline ({} relevant events)",
        report.timeline.len() + report.timeline_omitted
    );
    for entry in &report.timeline {
        let fields: Vec<String> = entry
            .fields
            .iter()
            .map(|(name, value)| format!("{name}: {value}"))
            .collect();
        let fields = if fields.is_empty() {
            String::new()
        } else {
            format!("  [{}]", fields.join("; "))
        };
        let time = entry.time.as_deref().unwrap_or("(no time)");
        let _ = writeln!(
            out,
            "  {time}  {} {}  {}{fields}",
            entry.source, entry.event_id, entry.meaning
        );
    }
    if report.timeline_omitted > 0 {
        let _ = writeln!(
            out,
            "  … and {} more (counted in the findings)",
            report.timeline_omitted
        );
    }
    if !report.other_counts.is_empty() {
        out.push_str("\nOther events\n");
        for other in &report.other_counts {
            let _ = writeln!(
                out,
                "  {:>7} × {} {}",
                other.count, other.provider, other.event_id
            );
        }
        if report.other_kinds_omitted > 0 {
            let _ = writeln!(
                out,
                "  … and {} events of other kinds",
                report.other_kinds_omitted
            );
        }
    }
    out
}

fn print_rdp(report: &RdpFileReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        ".rdp file analysis: {} settings",
        report.settings.len()
    );
    if let Some(target) = &report.target {
        let _ = writeln!(out, "  Target       {} port {}", target.host, target.port);
    }
    print_findings(&mut out, &report.findings);
    out
}
