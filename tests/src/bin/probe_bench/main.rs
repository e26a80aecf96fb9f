//! Probe versus peers, side by side: `rdp-doctor probe` (native), the same probe through the
//! Worker under workerd, `nmap --script rdp-enum-encryption,rdp-ntlm-info` and `sslscan --rdp`,
//! against real xrdp (negotiate and tls modes), freerdp-shadow-cli with NLA and the suite's fake
//! NLA server (fast, so that the probe's own round trips show), at 0, 50 and 100 ms of added
//! round-trip time; then the probe engine's CPU time per probe, and the fleet check's hosts per
//! minute (`--fleet N` hosts; `--only fleet` runs that step alone, without the Worker or the
//! peers). A measurement, not a test.
//!
//! Everything runs in a network namespace of its own, on its loopback, so it needs root.
//! `cargo xtask bench` builds what it needs and runs it. By hand, as root, with
//! `RDP_DOCTOR_ROOT` and `RDP_DOCTOR_WRANGLER` set as for the Worker suites:
//! `cargo build --profile release-native -p rdp-doctor` (the CLI is found beside this binary), then
//! `cargo run --profile release-native -p rdp-doctor-tests --bin probe_bench -- [--runs N]
//! [--rtt 0,50,100] [--cpu-probes N]`.

// A benchmark stops loudly when its setup fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod fleet;
mod network;
mod tools;

use std::any::Any;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rdp_doctor_core::probe::tokio_driver::{TokioClock, TokioConnector};
use rdp_doctor_core::probe::x224::Protocol;
use rdp_doctor_core::probe::{ProbeOptions, Target, run};
use rdp_doctor_tests::peers::{FreerdpShadow, Xrdp, XrdpConfig};
use rdp_doctor_tests::servers::{
    AfterConfirm, CertKind, ChallengeFixture, FakeRdpServer, Negotiation, OnRequest, TempDir,
    TestCert,
};

use network::{AddedLatency, ConnectionCounter, Connections, RDP_PORT, measured_rtt};
use tools::{Findings, Tool, Tools};

const USAGE: &str =
    "usage: probe_bench [--runs N] [--rtt MS,MS,...] [--cpu-probes N] [--fleet N] [--only fleet]";

/// sslscan opens about 110 connections of several round trips each: with latency added one scan
/// takes tens of seconds, so there it runs this often.
const SSLSCAN_RUNS_WITH_LATENCY: usize = 1;

/// HYBRID_REQUIRED_BY_SERVER: the fake NLA server's answer to a client without NLA.
const HYBRID_REQUIRED: u32 = 5;

#[derive(Clone, Copy)]
enum Server {
    /// xrdp with this `security_layer`.
    Xrdp(&'static str),
    FreerdpShadowNla,
    FakeNla,
}

struct TargetSpec {
    name: &'static str,
    server: Server,
    address: Ipv4Addr,
    /// The security protocols the server is configured to accept: the truth the tools' findings
    /// are checked against (xrdp has no NLA; freerdp-shadow-cli /sec:nla accepts only NLA).
    accepts: &'static [Protocol],
    tools: &'static [Tool],
}

const TARGETS: [TargetSpec; 4] = [
    TargetSpec {
        name: "xrdp negotiate",
        server: Server::Xrdp("negotiate"),
        address: Ipv4Addr::new(127, 0, 0, 2),
        accepts: &[Protocol::Rdp, Protocol::Ssl],
        tools: &Tool::ALL,
    },
    TargetSpec {
        name: "xrdp tls",
        server: Server::Xrdp("tls"),
        address: Ipv4Addr::new(127, 0, 0, 3),
        accepts: &[Protocol::Ssl],
        tools: &Tool::ALL,
    },
    TargetSpec {
        name: "freerdp-shadow NLA",
        server: Server::FreerdpShadowNla,
        address: Ipv4Addr::new(127, 0, 0, 4),
        accepts: &[Protocol::Hybrid],
        tools: &Tool::ALL,
    },
    TargetSpec {
        name: "fake NLA server",
        server: Server::FakeNla,
        address: Ipv4Addr::new(127, 0, 0, 5),
        accepts: &[Protocol::Ssl, Protocol::Hybrid],
        // A yardstick for the probe's own round trips (it answers at once), not a server to
        // judge other tools on.
        tools: &[Tool::Probe, Tool::Worker],
    },
];

struct Options {
    runs: usize,
    rtts_ms: Vec<u64>,
    cpu_probes: u32,
    fleet_hosts: usize,
    only_fleet: bool,
}

impl Options {
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Options, String> {
        let mut options = Options {
            runs: 5,
            rtts_ms: vec![0, 50, 100],
            cpu_probes: 10,
            fleet_hosts: 50,
            only_fleet: false,
        };
        while let Some(flag) = args.next() {
            let value = args.next().ok_or(format!("{flag} needs a value"))?;
            let number = |text: &str| {
                text.parse::<u64>()
                    .map_err(|_| format!("{flag} takes numbers, not {text:?}"))
            };
            match flag.as_str() {
                "--runs" => options.runs = number(&value)?.max(1) as usize,
                "--cpu-probes" => options.cpu_probes = number(&value)?.max(1) as u32,
                "--fleet" => options.fleet_hosts = number(&value)?.clamp(1, 2000) as usize,
                "--only" if value == "fleet" => options.only_fleet = true,
                "--rtt" => {
                    options.rtts_ms = value.split(',').map(number).collect::<Result<_, _>>()?
                }
                _ => return Err(format!("unknown option {flag}")),
            }
        }
        Ok(options)
    }

    fn runs(&self, tool: Tool, rtt_ms: u64) -> usize {
        if tool == Tool::Sslscan && rtt_ms > 0 {
            SSLSCAN_RUNS_WITH_LATENCY.min(self.runs)
        } else {
            self.runs
        }
    }
}

fn main() -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(error) => {
            eprintln!("probe_bench: {error}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Before any thread exists: the namespace is per thread until then.
    let prepared = probe_cli().and_then(|cli| network::enter_new_namespace().map(|()| cli));
    let cli = match prepared {
        Ok(cli) => cli,
        Err(error) => {
            eprintln!("probe_bench: {error}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    // On Ctrl-C the benchmark is dropped: servers, the Worker and the latency rules stop with it.
    let result = runtime.block_on(async {
        tokio::select! {
            result = bench(&options, cli) => result,
            _ = tokio::signal::ctrl_c() => Err("interrupted".to_owned()),
        }
    });
    runtime.shutdown_timeout(Duration::from_secs(5));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("probe_bench: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The CLI, built in the same profile as this binary.
fn probe_cli() -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
    let cli = exe.with_file_name("rdp-doctor");
    if cli.exists() {
        Ok(cli)
    } else {
        Err(format!(
            "{} is missing: build it first with `cargo build --profile release-native -p rdp-doctor` (cargo xtask bench does)",
            cli.display()
        ))
    }
}

/// Every run of one tool against one target at one added round-trip time.
struct Cell {
    target: &'static TargetSpec,
    rtt_ms: u64,
    measured_rtt: Duration,
    tool: Tool,
    walls: Vec<Duration>,
    connections: Vec<Connections>,
    reported_connections: Vec<u32>,
    /// From the last run.
    findings: Findings,
}

async fn bench(options: &Options, cli: PathBuf) -> Result<(), String> {
    let dir = TempDir::new("bench").map_err(|e| format!("temp dir: {e}"))?;
    let cert = TestCert::generate(CertKind::Good, dir.path())
        .map_err(|e| format!("test certificate: {e}"))?;
    let fleet = fleet::run(&cli, &cert, dir.path(), options.fleet_hosts).await?;
    if options.only_fleet {
        print_fleet(&fleet);
        return Ok(());
    }
    let mut servers = Vec::new();
    for target in &TARGETS {
        let server = start_server(target, &cert)
            .await
            .map_err(|e| format!("{}: {e}", target.name))?;
        servers.push(server);
    }
    let counter = ConnectionCounter::install()?;
    eprintln!("starting the Worker under workerd (wrangler dev) ...");
    let mut tools = Tools::start(cli).await;

    let mut cpu = Vec::new();
    for target in &TARGETS {
        let address = SocketAddrV4::new(target.address, RDP_PORT);
        let probes = options.cpu_probes;
        let cost = tokio::task::spawn_blocking(move || cpu_per_probe(address, probes))
            .await
            .map_err(|e| format!("CPU measurement: {e}"))??;
        eprintln!(
            "{}: {:.2} ms CPU per probe",
            target.name,
            ms(cost.cpu / probes)
        );
        cpu.push((target, cost));
    }

    let mut cells = Vec::new();
    for &rtt_ms in &options.rtts_ms {
        let _latency = (rtt_ms > 0)
            .then(|| AddedLatency::start(Duration::from_millis(rtt_ms)))
            .transpose()?;
        for target in &TARGETS {
            let address = SocketAddrV4::new(target.address, RDP_PORT);
            let measured_rtt = measured_rtt(address.into()).await?;
            for &tool in target.tools {
                let mut cell = Cell {
                    target,
                    rtt_ms,
                    measured_rtt,
                    tool,
                    walls: Vec::new(),
                    connections: Vec::new(),
                    reported_connections: Vec::new(),
                    findings: Findings::default(),
                };
                for _ in 0..options.runs(tool, rtt_ms) {
                    counter.reset()?;
                    let run = tools.run(tool, target.address).await?;
                    cell.connections.push(counter.read()?);
                    cell.walls.push(run.wall);
                    cell.reported_connections.extend(run.reported_connections);
                    cell.findings = run.findings;
                }
                eprintln!(
                    "{} +{rtt_ms} ms, {}: median {:.0} ms",
                    target.name,
                    tool.label(),
                    ms(median(&cell.walls))
                );
                cells.push(cell);
            }
        }
    }
    drop(servers);
    print_comparison(&cells);
    print_cpu(&cpu);
    print_fleet(&fleet);
    Ok(())
}

fn print_fleet(run: &fleet::FleetRun) {
    println!(
        "\nFleet check (rdp-doctor probe --targets, default concurrency, fake NLA servers on loopback)\n"
    );
    println!("| Hosts | Wall | Hosts per minute |");
    println!("|---|---|---|");
    println!(
        "| {} | {:.1} s | {:.0} |",
        run.hosts,
        run.wall.as_secs_f64(),
        run.hosts_per_minute()
    );
}

async fn start_server(target: &TargetSpec, cert: &TestCert) -> std::io::Result<Box<dyn Any>> {
    let address = SocketAddrV4::new(target.address, RDP_PORT);
    Ok(match target.server {
        Server::Xrdp(security_layer) => Box::new(
            Xrdp::start(&XrdpConfig {
                address: Some(address),
                security_layer,
                certificate: Some(cert),
                ..XrdpConfig::default()
            })
            .await?,
        ),
        Server::FreerdpShadowNla => Box::new(FreerdpShadow::start_at("nla", Some(address)).await?),
        Server::FakeNla => {
            let fixture = ChallengeFixture::new(cert, Duration::ZERO)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            let negotiation = Negotiation {
                accepts: target.accepts.iter().map(|p| p.bits()).collect(),
                refusal: HYBRID_REQUIRED,
                after: AfterConfirm::Nla(fixture.into()),
            };
            Box::new(
                FakeRdpServer::start_at(address.into(), OnRequest::Negotiate(negotiation)).await?,
            )
        }
    })
}

struct CpuCost {
    probes: u32,
    /// User plus system time.
    cpu: Duration,
    wall: Duration,
    connections: u32,
}

/// The probe engine's CPU time for `probes` full probes of `address`: run on this thread alone
/// (a single-threaded runtime), read from this thread's resource usage. The Workers runtime's
/// budget is CPU time too (10 ms per request on the Free plan).
fn cpu_per_probe(address: SocketAddrV4, probes: u32) -> Result<CpuCost, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    let target = Target {
        host: address.ip().to_string(),
        port: address.port(),
    };
    let cpu_before = thread_cpu_time()?;
    let started = Instant::now();
    let mut connections = 0;
    for _ in 0..probes {
        let report = runtime.block_on(run(
            &target,
            &ProbeOptions::default(),
            &TokioConnector,
            &TokioClock::default(),
            |_| {},
        ));
        connections = report.connections_opened;
    }
    let wall = started.elapsed();
    Ok(CpuCost {
        probes,
        cpu: thread_cpu_time()? - cpu_before,
        wall,
        connections,
    })
}

/// User plus system CPU time of the calling thread. (Linux splits the total between the two by
/// sampling at timer ticks, too coarsely for a few milliseconds; the total is exact.)
fn thread_cpu_time() -> Result<Duration, String> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the whole struct it is given and reads nothing from it.
    if unsafe { libc::getrusage(libc::RUSAGE_THREAD, usage.as_mut_ptr()) } != 0 {
        return Err(format!("getrusage: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: initialised by the successful call above (and zeroed before it).
    let usage = unsafe { usage.assume_init() };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec.unsigned_abs())
            + Duration::from_micros(t.tv_usec.unsigned_abs())
    };
    Ok(time(usage.ru_utime) + time(usage.ru_stime))
}

fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// "12", or "12–14" when runs differ.
fn range(values: impl Iterator<Item = u64>) -> String {
    let values: Vec<u64> = values.collect();
    match (values.iter().min(), values.iter().max()) {
        (Some(min), Some(max)) if min == max => min.to_string(),
        (Some(min), Some(max)) => format!("{min}–{max}"),
        _ => "-".to_owned(),
    }
}

/// One Markdown table: every tool against every target at every added round-trip time.
fn print_comparison(cells: &[Cell]) {
    println!(
        "\n| Target | Added RTT (measured) | Tool | Runs | Median wall | × RTT | Round trips added | Connections | Found | Wrong or missing |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for target in &TARGETS {
        for cell in cells.iter().filter(|c| std::ptr::eq(c.target, target)) {
            let wall = median(&cell.walls);
            let rtt = cell.measured_rtt.as_secs_f64();
            let baseline = cells
                .iter()
                .find(|c| std::ptr::eq(c.target, target) && c.tool == cell.tool && c.rtt_ms == 0);
            let (multiple, added) = if cell.rtt_ms == 0 {
                ("–".to_owned(), "–".to_owned())
            } else {
                let added = baseline.map_or("–".to_owned(), |base| {
                    let extra = wall.as_secs_f64() - median(&base.walls).as_secs_f64();
                    format!("{:.1}", extra / rtt)
                });
                (format!("{:.1}", wall.as_secs_f64() / rtt), added)
            };
            let mut connections = range(cell.connections.iter().map(|c| c.opened));
            let mut notes = Vec::new();
            if cell.connections.iter().any(|c| c.syn_retransmits > 0) {
                let resent = range(cell.connections.iter().map(|c| c.syn_retransmits));
                notes.push(format!("{resent} SYNs resent"));
            }
            if !cell.reported_connections.is_empty() {
                let reported = range(cell.reported_connections.iter().map(|&c| u64::from(c)));
                notes.push(format!("reports {reported}"));
            }
            if !notes.is_empty() {
                connections.push_str(&format!(" ({})", notes.join("; ")));
            }
            println!(
                "| {} | {} ms ({:.1}) | {} | {} | {:.0} ms | {multiple} | {added} | {connections} | {} | {} |",
                target.name,
                cell.rtt_ms,
                ms(cell.measured_rtt),
                cell.tool.label(),
                cell.walls.len(),
                ms(wall),
                cell.findings.summary(),
                cell.findings.errors(target.accepts),
            );
        }
    }
}

fn print_cpu(costs: &[(&TargetSpec, CpuCost)]) {
    println!(
        "\nCPU time of the native probe engine per full probe (user+sys of the one thread running it, no added latency)\n"
    );
    println!("| Target | Probes | CPU per probe | Wall per probe | Connections per probe |");
    println!("|---|---|---|---|---|");
    for (target, cost) in costs {
        println!(
            "| {} | {} | {:.2} ms | {:.0} ms | {} |",
            target.name,
            cost.probes,
            ms(cost.cpu / cost.probes),
            ms(cost.wall / cost.probes),
            cost.connections,
        );
    }
}
