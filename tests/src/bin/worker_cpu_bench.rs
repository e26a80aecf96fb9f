//! The probe's CPU time inside the Workers runtime: the engine as Wasm in workerd (`wrangler
//! dev`), full probes through `POST /api/probe` against the suite's fake NLA server and, when
//! installed, xrdp and freerdp-shadow-cli. A measurement, not a test.
//!
//! Two figures per target, because workerd itself reports no CPU time locally:
//! - **isolate time**, from V8's sampling profiler through the inspector `wrangler dev` exposes
//!   (the Chrome DevTools Protocol; what DevTools' "Profiler" tab records): the sampled time in
//!   which the isolate was running JavaScript or Wasm, or collecting garbage — what Cloudflare
//!   bills as CPU time. Samples V8 files under `(program)` (the runtime's own C++, and waiting)
//!   or `(idle)` are left out. V8 samples wall-clock intervals, so on a busy machine a thread
//!   preempted in the middle of JavaScript counts as running: read it as CPU time only on an
//!   otherwise idle machine, an over-estimate elsewhere.
//! - **workerd processes' time**: user + system CPU of the workerd processes (the Worker's and
//!   wrangler's proxy in front of it) over the same probes, from /proc, in 10 ms ticks: real CPU
//!   time whatever the load, and an upper bound of the Worker's (it includes the HTTP server,
//!   the proxy, the sockets, the inspector and the profiler itself).
//!
//! The busiest functions are printed too: where to look to bring the figure down.
//!
//! `cargo xtask bench` runs it; alone: `cargo run --profile release-native -p rdp-doctor-tests
//! --bin worker_cpu_bench -- [--probes N]` with `RDP_DOCTOR_ROOT` and `RDP_DOCTOR_WRANGLER` set.

// A benchmark stops loudly when its setup fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use rdp_doctor_tests::peers::{FreerdpShadow, Xrdp, XrdpConfig};
use rdp_doctor_tests::servers::{
    AfterConfirm, CertKind, ChallengeFixture, FakeRdpServer, Negotiation, OnRequest, TempDir,
    TestCert,
};
use rdp_doctor_tests::worker::WorkerUnderTest;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const USAGE: &str = "usage: worker_cpu_bench [--probes N]   (N: 1-19, default 15)";
const HYBRID: u32 = 2;
const HYBRID_REQUIRED: u32 = 5;
/// V8's sampling interval, in microseconds (DevTools uses 100 or 1000).
const SAMPLING_INTERVAL_US: u64 = 50;

type Inspector =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let probes = match args.as_slice() {
        [] => 15,
        [flag, n] if flag == "--probes" => match n.parse::<u32>() {
            // The per-target rate limit is 20 a minute: one warm-up probe and at most 19.
            Ok(n) if (1..=19).contains(&n) => n,
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
    let mut inspector = connect_inspector(worker.inspector_port).await?;
    let mut next_id = 0;
    let mut call = async |inspector: &mut Inspector, method: &str, params: Value| {
        next_id += 1;
        cdp(inspector, next_id, method, params).await
    };
    call(&mut inspector, "Profiler.enable", json!({})).await?;
    call(
        &mut inspector,
        "Profiler.setSamplingInterval",
        json!({"interval": SAMPLING_INTERVAL_US}),
    )
    .await?;

    let client = reqwest::Client::new();
    let mut client_number = 0u32;
    let mut probe = async |port: u16| -> Result<(), String> {
        client_number += 1;
        // A client address per probe: the per-client limit is 10 a minute.
        let client_ip = format!("198.18.{}.{}", client_number / 250, client_number % 250 + 1);
        let response = client
            .post(format!("{}/api/probe", worker.base_url))
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

    println!(
        "\nCPU per full probe inside workerd (the engine as Wasm), {probes} probes per target, \
         V8 sampling every {SAMPLING_INTERVAL_US} µs:\n"
    );
    println!(
        "| Target | isolate: JS + Wasm + GC, sampled | of which Wasm | workerd processes' CPU (upper bound) | wall |"
    );
    println!("|---|---|---|---|---|");
    for target in &targets {
        // The first probe compiles and instantiates what later probes reuse.
        probe(target.port).await?;
        let cpu_before = process_cpu(&workerd)?;
        let wall_before = Instant::now();
        call(&mut inspector, "Profiler.start", json!({})).await?;
        for _ in 0..probes {
            probe(target.port).await?;
        }
        let profile = call(&mut inspector, "Profiler.stop", json!({})).await?;
        let wall = wall_before.elapsed();
        let process = process_cpu(&workerd)? - cpu_before;
        let time = sampled_time(&profile["profile"])?;
        let per_probe =
            |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1e3 / f64::from(probes));
        println!(
            "| {} | {} | {} | {} | {} |",
            target.name,
            per_probe(time.busy),
            per_probe(time.wasm),
            per_probe(process),
            per_probe(wall),
        );
        eprintln!(
            "{}: sampled {:?} busy, {:?} in (program), {:?} idle, over {:?}",
            target.name, time.busy, time.program, time.idle, wall
        );
        for (function, spent) in &time.top {
            eprintln!("    {spent:>12.3?}  {function}");
        }
    }
    Ok(())
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

/// User + system CPU time of the processes `pids` so far.
fn process_cpu(pids: &[u32]) -> Result<Duration, String> {
    // SAFETY: sysconf only reads a configuration value.
    let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let mut ticks = 0;
    for &pid in pids {
        ticks += stat_field(pid, 14)? + stat_field(pid, 15)?;
    }
    Ok(Duration::from_secs_f64(
        ticks as f64 / ticks_per_second.max(1) as f64,
    ))
}

async fn connect_inspector(port: u16) -> Result<Inspector, String> {
    let list: Value = reqwest::get(format!("http://127.0.0.1:{port}/json"))
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| format!("inspector /json: {e}"))?
        .json()
        .await
        .map_err(|e| format!("inspector /json: {e}"))?;
    let url = list
        .as_array()
        .and_then(|targets| {
            targets
                .iter()
                .find_map(|t| t["webSocketDebuggerUrl"].as_str())
        })
        .ok_or_else(|| format!("no debuggable Worker in the inspector's list: {list}"))?;
    let (socket, _) = tokio_tungstenite::connect_async(url)
        .await
        .map_err(|e| format!("inspector {url}: {e}"))?;
    Ok(socket)
}

/// Sends one CDP command and returns its result (events arriving meanwhile are skipped).
async fn cdp(
    inspector: &mut Inspector,
    id: u64,
    method: &str,
    params: Value,
) -> Result<Value, String> {
    let command = json!({"id": id, "method": method, "params": params}).to_string();
    inspector
        .send(Message::text(command))
        .await
        .map_err(|e| format!("{method}: {e}"))?;
    while let Some(message) = inspector.next().await {
        let message = message.map_err(|e| format!("{method}: {e}"))?;
        let Ok(text) = message.to_text() else {
            continue;
        };
        let Ok(reply) = serde_json::from_str::<Value>(text) else {
            continue;
        };
        if reply["id"] == id {
            return match reply.get("error") {
                Some(error) => Err(format!("{method}: {error}")),
                None => Ok(reply["result"].clone()),
            };
        }
    }
    Err(format!("{method}: the inspector closed"))
}

#[derive(Default)]
struct SampledTime {
    /// JavaScript, Wasm and garbage collection.
    busy: Duration,
    /// Of `busy`, in Wasm functions (the probe engine and rustls).
    wasm: Duration,
    program: Duration,
    idle: Duration,
    /// Busy time by function (`name url`), most first: where to look when the figure is high.
    top: Vec<(String, Duration)>,
}

/// Sums a `Profiler.Profile`'s sample intervals by what the isolate was doing.
fn sampled_time(profile: &Value) -> Result<SampledTime, String> {
    let nodes = profile["nodes"]
        .as_array()
        .ok_or("the profile has no nodes")?;
    let frames: HashMap<u64, (&str, &str)> = nodes
        .iter()
        .filter_map(|node| {
            let frame = &node["callFrame"];
            Some((
                node["id"].as_u64()?,
                (
                    frame["functionName"].as_str()?,
                    frame["url"].as_str().unwrap_or_default(),
                ),
            ))
        })
        .collect();
    let samples = profile["samples"]
        .as_array()
        .ok_or("the profile has no samples")?;
    let deltas = profile["timeDeltas"]
        .as_array()
        .ok_or("the profile has no time deltas")?;
    let mut time = SampledTime::default();
    let mut by_function: HashMap<String, Duration> = HashMap::new();
    // Each delta is the time since the previous sample: it belongs to the sample it ends.
    for (sample, delta) in samples.iter().zip(deltas) {
        let spent = Duration::from_micros(delta.as_i64().unwrap_or(0).max(0) as u64);
        let (function, url) = sample
            .as_u64()
            .and_then(|id| frames.get(&id))
            .copied()
            .unwrap_or(("(unknown)", ""));
        match function {
            "(idle)" => time.idle += spent,
            "(program)" | "(root)" => time.program += spent,
            _ => {
                time.busy += spent;
                *by_function.entry(format!("{function} {url}")).or_default() += spent;
                if url.starts_with("wasm://") || url.ends_with(".wasm") {
                    time.wasm += spent;
                }
            }
        }
    }
    let mut top: Vec<(String, Duration)> = by_function.into_iter().collect();
    top.sort_by_key(|(_, spent)| std::cmp::Reverse(*spent));
    top.truncate(12);
    time.top = top;
    Ok(time)
}
