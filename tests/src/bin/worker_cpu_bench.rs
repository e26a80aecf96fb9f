//! The probe's CPU time inside the Workers runtime: the engine as Wasm in workerd (`wrangler
//! dev`), full probes through `POST /api/probe` against the suite's fake NLA server and, when
//! installed, xrdp and freerdp-shadow-cli. A measurement, not a test.
//!
//! workerd reports no CPU time locally, so the bench reads the kernel's per-thread figures
//! (`/proc/PID/task/TID/schedstat`, in nanoseconds) before and after a run of probes:
//! - **the Worker's thread**: the workerd thread that ran the Worker (the event loop that runs
//!   its JavaScript and Wasm and the runtime's API calls). This is what Cloudflare bills as CPU
//!   time, plus the runtime's own socket and HTTP work on that thread: an upper bound. A plain
//!   `GET /api/health` is measured the same way, as the cost any request has.
//! - **all workerd threads**: every thread of the workerd processes `wrangler dev` started
//!   (wrangler's proxy in front of the Worker and V8's compiler threads too).
//!
//! Nothing is attached to the isolate while measuring. V8's sampling profiler (DevTools) is no
//! help here: in workerd it takes samples only while the isolate runs, so each sample's
//! interval also covers the I/O wait before it, and an attached inspector slows the isolate.
//! To see where the time goes, `perf record -g -t TID` on the Worker's thread while this runs.
//!
//! `cargo xtask bench` runs it; alone: `cargo run --profile release-native -p rdp-doctor-tests
//! --bin worker_cpu_bench -- [--probes N]` with `RDP_DOCTOR_ROOT` and `RDP_DOCTOR_WRANGLER` set.

// A benchmark stops loudly when its setup fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rdp_doctor_tests::peers::{FreerdpShadow, Xrdp, XrdpConfig};
use rdp_doctor_tests::servers::{
    AfterConfirm, CertKind, ChallengeFixture, FakeRdpServer, Negotiation, OnRequest, TempDir,
    TestCert,
};
use rdp_doctor_tests::worker::WorkerUnderTest;
use serde_json::json;

const USAGE: &str = "usage: worker_cpu_bench [--probes N]   (N: 1-18, default 15)";
const HYBRID: u32 = 2;
const HYBRID_REQUIRED: u32 = 5;
/// Plain requests measured for the cost every request has.
const HEALTH_REQUESTS: u32 = 40;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let probes = match args.as_slice() {
        [] => 15,
        [flag, n] if flag == "--probes" => match n.parse::<u32>() {
            // The per-target rate limit is 20 a minute: up to two warm-up probes and at most 18.
            Ok(n) if (1..=18).contains(&n) => n,
            _ => return usage(),
        },
        _ => return usage(),
    };
    match bench(probes).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("worker_cpu_bench: {error}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

/// A server to probe; dropping it stops it.
struct Target {
    name: &'static str,
    port: u16,
    _server: Box<dyn std::any::Any>,
}

async fn targets(cert: &TestCert) -> Result<Vec<Target>, String> {
    let fixture = ChallengeFixture::new(cert, Duration::ZERO).map_err(|e| e.to_string())?;
    let fake = FakeRdpServer::start(OnRequest::Negotiate(Negotiation {
        accepts: vec![HYBRID],
        refusal: HYBRID_REQUIRED,
        after: AfterConfirm::Nla(fixture.into()),
    }))
    .await
    .map_err(|e| format!("fake NLA server: {e}"))?;
    let mut targets = vec![Target {
        name: "fake NLA server (answers at once)",
        port: fake.port,
        _server: Box::new(fake),
    }];
    match Xrdp::start(&XrdpConfig {
        security_layer: "negotiate",
        certificate: Some(cert),
        ..Default::default()
    })
    .await
    {
        Ok(xrdp) => targets.push(Target {
            name: "xrdp, negotiate",
            port: xrdp.port,
            _server: Box::new(xrdp),
        }),
        Err(error) => eprintln!("xrdp not measured: {error}"),
    }
    match FreerdpShadow::start("nla").await {
        Ok(shadow) => targets.push(Target {
            name: "freerdp-shadow-cli, NLA",
            port: shadow.port,
            _server: Box::new(shadow),
        }),
        Err(error) => eprintln!("freerdp-shadow-cli not measured: {error}"),
    }
    Ok(targets)
}

async fn bench(probes: u32) -> Result<(), String> {
    let dir = TempDir::new("cpu-bench").map_err(|e| format!("temp dir: {e}"))?;
    let cert = TestCert::generate(CertKind::Good, dir.path()).map_err(|e| e.to_string())?;
    let targets = targets(&cert).await?;
    let ports: Vec<String> = targets.iter().map(|t| t.port.to_string()).collect();
    eprintln!("starting the Worker under workerd (wrangler dev) ...");
    let worker = WorkerUnderTest::start(&[
        ("ALLOW_LOOPBACK_TARGETS", "true"),
        ("ALLOWED_PORTS", &ports.join(",")),
    ])
    .await;
    let workerd = workerd_pids(worker.process_group())?;

    let client = reqwest::Client::new();
    let health = async || -> Result<(), String> {
        let response = client
            .get(worker.url("/api/health"))
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| format!("health request: {e}"))?;
        response.text().await.map(drop).map_err(|e| e.to_string())
    };
    let mut client_number = 0u32;
    let mut probe = async |port: u16| -> Result<(), String> {
        client_number += 1;
        // A client address per probe: the per-client limit is 10 a minute.
        let client_ip = format!("198.18.{}.{}", client_number / 250, client_number % 250 + 1);
        let response = client
            .post(worker.url("/api/probe"))
            .header("cf-connecting-ip", client_ip)
            .json(&json!({"host": "127.0.0.1", "port": port}))
            .send()
            .await
            .map_err(|e| format!("probe request: {e}"))?;
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        if status == 200 && body.contains("\"stages\"") {
            Ok(())
        } else {
            Err(format!("probe answered {status}: {body}"))
        }
    };

    // The main thread that a first probe keeps busiest is the one running the Worker (the
    // other main thread is wrangler's proxy; the rest are V8's helpers).
    let first_port = targets.first().ok_or("no target to probe")?.port;
    let before = threads_cpu(&workerd)?;
    probe(first_port).await?;
    let after = threads_cpu(&workerd)?;
    let worker_thread = after
        .keys()
        .filter(|(pid, tid)| pid == tid)
        .max_by_key(|thread| spent(&before, &after, thread))
        .copied()
        .ok_or("no workerd thread ran the probe")?;
    eprintln!("the Worker runs on workerd thread {worker_thread:?}");

    let before = threads_cpu(&workerd)?;
    for _ in 0..HEALTH_REQUESTS {
        health().await?;
    }
    let baseline = CpuDelta::between(
        &before,
        &threads_cpu(&workerd)?,
        worker_thread,
        HEALTH_REQUESTS,
    );

    println!(
        "\nCPU per full probe inside workerd (the engine as Wasm), {probes} probes per target, \
         after one that warms the isolate up:\n"
    );
    println!("| Target | the Worker's thread | all workerd threads | wall |");
    println!("|---|---|---|---|");
    println!(
        "| `GET /api/health` (what any request costs) | {} | {} | |",
        ms(baseline.worker_thread),
        ms(baseline.all_threads)
    );
    for target in &targets {
        // The first probe compiles what later probes reuse (V8 compiles Wasm lazily).
        probe(target.port).await?;
        let before = threads_cpu(&workerd)?;
        let wall_before = Instant::now();
        for _ in 0..probes {
            probe(target.port).await?;
        }
        let wall = wall_before.elapsed() / probes;
        let spent = CpuDelta::between(&before, &threads_cpu(&workerd)?, worker_thread, probes);
        println!(
            "| {} | {} | {} | {} |",
            target.name,
            ms(spent.worker_thread),
            ms(spent.all_threads),
            ms(wall)
        );
    }
    Ok(())
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

/// CPU time by thread (process id, thread id) so far.
type ThreadsCpu = BTreeMap<(u32, u32), Duration>;

/// User + system time of every thread of the processes `pids`, from schedstat (nanoseconds;
/// /proc/PID/stat counts in 10 ms ticks).
fn threads_cpu(pids: &[u32]) -> Result<ThreadsCpu, String> {
    let mut threads = BTreeMap::new();
    for &pid in pids {
        let tasks = std::fs::read_dir(format!("/proc/{pid}/task"))
            .map_err(|e| format!("/proc/{pid}/task: {e}"))?;
        for task in tasks.flatten() {
            let Ok(tid) = task.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            // A thread that ended between the listing and the read ran nothing we measure.
            let Ok(schedstat) = std::fs::read_to_string(task.path().join("schedstat")) else {
                continue;
            };
            let on_cpu_ns = schedstat
                .split_whitespace()
                .next()
                .and_then(|field| field.parse().ok())
                .ok_or_else(|| format!("/proc/{pid}/task/{tid}/schedstat: {schedstat:?}"))?;
            threads.insert((pid, tid), Duration::from_nanos(on_cpu_ns));
        }
    }
    Ok(threads)
}

/// CPU per request between two readings.
struct CpuDelta {
    worker_thread: Duration,
    all_threads: Duration,
}

impl CpuDelta {
    fn between(
        before: &ThreadsCpu,
        after: &ThreadsCpu,
        worker_thread: (u32, u32),
        requests: u32,
    ) -> CpuDelta {
        let spent = |thread: &(u32, u32)| spent(before, after, thread);
        CpuDelta {
            worker_thread: spent(&worker_thread) / requests,
            all_threads: after.keys().map(spent).sum::<Duration>() / requests,
        }
    }
}

/// CPU time `thread` spent between two readings.
fn spent(before: &ThreadsCpu, after: &ThreadsCpu, thread: &(u32, u32)) -> Duration {
    let now = after.get(thread).copied().unwrap_or_default();
    now.saturating_sub(before.get(thread).copied().unwrap_or_default())
}

/// The workerd processes that `wrangler dev` (process group `group`) started: the one running
/// the Worker and the one running wrangler's proxy in front of it.
fn workerd_pids(group: u32) -> Result<Vec<u32>, String> {
    let entries = std::fs::read_dir("/proc").map_err(|e| format!("/proc: {e}"))?;
    let pids: Vec<u32> = entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_string_lossy().parse::<u32>().ok())
        .filter(|&pid| {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            comm.trim() == "workerd" && stat_field(pid, 5).ok() == Some(u64::from(group))
        })
        .collect();
    if pids.is_empty() {
        Err(format!(
            "no workerd process in wrangler's process group {group}"
        ))
    } else {
        Ok(pids)
    }
}

/// Field `n` (1-based, as in proc(5)) of /proc/PID/stat, after the command name.
fn stat_field(pid: u32, n: usize) -> Result<u64, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("/proc/{pid}/stat: {e}"))?;
    let after_comm = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    after_comm
        .split_whitespace()
        .nth(n - 3)
        .and_then(|field| field.parse().ok())
        .ok_or_else(|| format!("/proc/{pid}/stat has no field {n}"))
}
