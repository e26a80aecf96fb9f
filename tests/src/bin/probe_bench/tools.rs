//! The tools compared, each run once against a target: how long it took, how many connections it
//! says it opened, and what it found, reduced to facts every tool can be compared on.

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rdp_doctor_core::probe::x224::Protocol;
use rdp_doctor_core::probe::{ProbeReport, StageDetails, StageKind};
use rdp_doctor_tests::worker::WorkerUnderTest;
use serde_json::json;

use crate::network::RDP_PORT;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// The CLI, natively.
    Probe,
    /// `POST /api/probe` to the built Worker under workerd.
    Worker,
    Nmap,
    Sslscan,
}

impl Tool {
    pub const ALL: [Tool; 4] = [Tool::Probe, Tool::Worker, Tool::Nmap, Tool::Sslscan];

    pub fn label(self) -> &'static str {
        match self {
            Tool::Probe => "rdp-doctor probe",
            Tool::Worker => "rdp-doctor Worker",
            Tool::Nmap => "nmap rdp-enum-encryption,rdp-ntlm-info",
            Tool::Sslscan => "sslscan --rdp",
        }
    }
}

/// What a tool found.
#[derive(Debug, Default)]
pub struct Findings {
    /// Security protocols it says the server accepts; `None` when it does not test them.
    pub protocols: Option<Vec<Protocol>>,
    pub tls_versions: Vec<String>,
    /// The server certificate's subject.
    pub certificate: Option<String>,
    /// The server's name and OS version from its NTLM CHALLENGE.
    pub ntlm: Option<String>,
    /// What the tool reported instead of a result.
    pub failure: Option<String>,
}

impl Findings {
    /// One line: protocols · TLS versions · certificate · NTLM.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(protocols) = &self.protocols {
            let names: Vec<&str> = protocols.iter().map(|p| short_name(*p)).collect();
            parts.push(names.join("+"));
        }
        if !self.tls_versions.is_empty() {
            parts.push(self.tls_versions.join(" "));
        }
        if let Some(subject) = &self.certificate {
            parts.push(format!("cert {subject}"));
        }
        if let Some(ntlm) = &self.ntlm {
            parts.push(format!("NTLM {ntlm}"));
        }
        if parts.is_empty() {
            "nothing".to_owned()
        } else {
            parts.join(" · ")
        }
    }

    /// What disagrees with the protocols the server accepts (`truth`), and failures.
    pub fn errors(&self, truth: &[Protocol]) -> String {
        let mut errors = Vec::new();
        if let Some(claimed) = &self.protocols {
            let wrong: Vec<&str> = claimed
                .iter()
                .filter(|p| !truth.contains(p))
                .map(|p| short_name(*p))
                .collect();
            let missed: Vec<&str> = truth
                .iter()
                .filter(|p| !claimed.contains(p))
                .map(|p| short_name(*p))
                .collect();
            if !wrong.is_empty() {
                errors.push(format!("claims {} (not offered)", wrong.join("+")));
            }
            if !missed.is_empty() {
                errors.push(format!("misses {}", missed.join("+")));
            }
        }
        if let Some(failure) = &self.failure {
            errors.push(failure.clone());
        }
        if errors.is_empty() {
            "–".to_owned()
        } else {
            errors.join("; ")
        }
    }
}

/// The names administrators know these protocols by.
fn short_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Rdp => "RDP",
        Protocol::Ssl => "TLS",
        Protocol::Hybrid => "NLA",
        Protocol::HybridEx => "HYBRID_EX",
        Protocol::Rdstls => "RDSTLS",
        Protocol::Rdsaad => "RDSAAD",
    }
}

pub struct Run {
    pub wall: Duration,
    /// The connection count the tool itself reports (only ours does).
    pub reported_connections: Option<u32>,
    pub findings: Findings,
}

/// Everything the tools need: the CLI's path and the Worker, started once.
pub struct Tools {
    cli: PathBuf,
    worker: WorkerUnderTest,
    http: reqwest::Client,
    worker_requests: u32,
}

impl Tools {
    pub async fn start(cli: PathBuf) -> Tools {
        let worker = WorkerUnderTest::start(&[
            ("ALLOW_LOOPBACK_TARGETS", "true"),
            ("ALLOWED_PORTS", &RDP_PORT.to_string()),
        ])
        .await;
        Tools {
            cli,
            worker,
            http: reqwest::Client::new(),
            worker_requests: 0,
        }
    }

    pub async fn run(&mut self, tool: Tool, address: Ipv4Addr) -> Result<Run, String> {
        let target = format!("{address}:{RDP_PORT}");
        match tool {
            Tool::Probe => {
                let cli = self.cli.to_string_lossy().into_owned();
                let (wall, output) = timed(&cli, &["probe", &target, "--json"]).await?;
                let report: ProbeReport = serde_json::from_str(&output)
                    .map_err(|e| format!("rdp-doctor probe --json printed no report: {e}"))?;
                Ok(of_report(wall, &report))
            }
            Tool::Worker => self.worker_probe(address).await,
            Tool::Nmap => {
                let (wall, output) = timed(
                    "nmap",
                    &[
                        "-Pn",
                        // No name lookups: the namespace has no DNS server to ask.
                        "-n",
                        "-p",
                        &RDP_PORT.to_string(),
                        "--script",
                        "rdp-enum-encryption,rdp-ntlm-info",
                        &address.to_string(),
                    ],
                )
                .await?;
                Ok(Run {
                    wall,
                    reported_connections: None,
                    findings: nmap_findings(&output),
                })
            }
            Tool::Sslscan => {
                let (wall, output) = timed("sslscan", &["--no-colour", "--rdp", &target]).await?;
                Ok(Run {
                    wall,
                    reported_connections: None,
                    findings: sslscan_findings(&output),
                })
            }
        }
    }

    async fn worker_probe(&mut self, address: Ipv4Addr) -> Result<Run, String> {
        self.worker_requests += 1;
        // Each probe comes from another client address: the per-client rate limit (10 probes a
        // minute) is not what is measured here.
        let client = format!("198.51.100.{}", 1 + self.worker_requests % 250);
        let started = Instant::now();
        let response = self
            .http
            .post(self.worker.url("/api/probe"))
            .header("cf-connecting-ip", client)
            .json(&json!({"host": address.to_string(), "port": RDP_PORT}))
            .send()
            .await
            .map_err(|e| format!("POST /api/probe: {e}"))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|e| format!("POST /api/probe: {e}"))?;
        let wall = started.elapsed();
        let report: ProbeReport = serde_json::from_str(&body)
            .map_err(|_| format!("POST /api/probe answered {status} without a report: {body}"))?;
        Ok(of_report(wall, &report))
    }
}

/// Runs `program` to its end; the wall time and its stdout. A non-zero exit is fine (our probe
/// exits 1 when a stage fails); not starting is not.
async fn timed(program: &str, args: &[&str]) -> Result<(Duration, String), String> {
    let started = Instant::now();
    let output = tokio::process::Command::new(program)
        .args(args)
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| format!("{program}: {e}"))?;
    Ok((
        started.elapsed(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    ))
}

fn of_report(wall: Duration, report: &ProbeReport) -> Run {
    let details = |kind| report.stage(kind).map(|stage| &stage.details);
    let protocols = match details(StageKind::SecurityProtocols) {
        Some(StageDetails::SecurityProtocols { protocols }) => Some(
            protocols
                .iter()
                .filter(|p| p.accepted)
                .map(|p| p.protocol)
                .collect(),
        ),
        _ => None,
    };
    let tls_versions = match details(StageKind::Tls) {
        Some(StageDetails::Tls(tls)) => tls
            .versions
            .iter()
            .filter(|v| v.supported)
            .map(|v| v.version.label().to_owned())
            .collect(),
        _ => Vec::new(),
    };
    let ntlm = match details(StageKind::Nla) {
        Some(StageDetails::Nla(nla)) => nla.ntlm.as_ref().map(|ntlm| {
            format!(
                "{} {}",
                ntlm.netbios_computer_name.as_deref().unwrap_or("?"),
                ntlm.os_version.as_deref().unwrap_or("?")
            )
        }),
        _ => None,
    };
    let certificate = report
        .certificate
        .as_ref()
        .and_then(|c| c.certificates.first())
        .map(|leaf| leaf.subject.clone());
    Run {
        wall,
        reported_connections: Some(report.connections_opened),
        findings: Findings {
            protocols,
            tls_versions,
            certificate,
            ntlm,
            failure: None,
        },
    }
}

/// rdp-enum-encryption's names for the security protocols.
const NMAP_PROTOCOLS: &[(&str, Protocol)] = &[
    ("Native RDP", Protocol::Rdp),
    ("SSL", Protocol::Ssl),
    ("CredSSP (NLA)", Protocol::Hybrid),
    ("CredSSP with Early User Auth", Protocol::HybridEx),
    ("RDSTLS", Protocol::Rdstls),
];

/// Reads nmap's script output: `|     CredSSP (NLA): SUCCESS`, `|   Product_Version: 6.1.7601`,
/// `|_rdp-enum-encryption: ERROR: Script execution failed (use -d to debug)`.
fn nmap_findings(output: &str) -> Findings {
    let fields: Vec<(&str, &str)> = output
        .lines()
        .filter_map(|line| line.strip_prefix('|'))
        .filter_map(|line| line.trim_start_matches(['_', ' ']).split_once(':'))
        .map(|(key, value)| (key.trim(), value.trim()))
        .collect();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| *value)
    };
    let mut findings = Findings::default();
    match field("rdp-enum-encryption") {
        Some(error) if error.starts_with("ERROR") => {
            findings.failure = Some(format!("rdp-enum-encryption: {error}"));
        }
        Some(_) => {
            findings.protocols = Some(
                NMAP_PROTOCOLS
                    .iter()
                    .filter(|(name, _)| field(name) == Some("SUCCESS"))
                    .map(|(_, protocol)| *protocol)
                    .collect(),
            );
        }
        None => findings.failure = Some("rdp-enum-encryption printed nothing".to_owned()),
    }
    if let Some(computer) = field("NetBIOS_Computer_Name") {
        findings.ntlm = Some(format!(
            "{computer} {}",
            field("Product_Version").unwrap_or("?")
        ));
    }
    findings
}

/// sslscan's protocol names, as our report names them.
const SSLSCAN_VERSIONS: &[(&str, &str)] = &[
    ("SSLv2", "SSL 2.0"),
    ("SSLv3", "SSL 3.0"),
    ("TLSv1.0", "TLS 1.0"),
    ("TLSv1.1", "TLS 1.1"),
    ("TLSv1.2", "TLS 1.2"),
    ("TLSv1.3", "TLS 1.3"),
];

/// Reads sslscan's `TLSv1.2   enabled` and `Subject:  name` lines.
fn sslscan_findings(output: &str) -> Findings {
    let mut findings = Findings::default();
    for line in output.lines() {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some(version), Some("enabled")) => {
                if let Some((_, label)) = SSLSCAN_VERSIONS.iter().find(|(v, _)| *v == version) {
                    findings.tls_versions.push((*label).to_owned());
                }
            }
            (Some("Subject:"), Some(_)) => {
                findings.certificate = line
                    .split_once(':')
                    .map(|(_, subject)| subject.trim().to_owned());
            }
            _ => {}
        }
    }
    if findings.tls_versions.is_empty() {
        let error = output.lines().find(|l| l.contains("ERROR"));
        findings.failure = Some(error.unwrap_or("no TLS version found").trim().to_owned());
    }
    findings
}
