//! Project automation. The README's two commands are `cargo xtask run` and `cargo xtask test`;
//! both set up everything they need first (Debian packages, the Wasm target, pinned tools, npm
//! packages), so a fresh machine needs nothing else. Every step is idempotent and fast when done.

mod build;
mod fuzz;
mod setup;
mod shell;

use std::process::ExitCode;

use shell::Step;

const USAGE: &str = "\
usage: cargo xtask <command>

  run     set up, build the app and the Worker, and serve both under workerd (wrangler dev)
  test    set up, build, and run every test suite (format, lints, native, Worker, browser)
  bench   measure: diagnosis accuracy on the incident corpus; page weight; the probe (CLI and
          Worker) against nmap and sslscan at 0, 50 and 100 ms RTT, and its CPU time natively and
          inside workerd; analyzer throughput (native, browser). Needs root or sudo.
          `cargo xtask bench accuracy` runs only the first (no network, browser or root)
  fuzz    run every fuzz target: cargo xtask fuzz [--seconds N] [TARGET...] (default 60 s each)
  build   set up and build dist/ (the app) and edge/build/ (the Worker)
  setup   only install what the other commands need
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("test") => test(),
        Some("build") => setup::all(setup::Purpose::Run).and_then(|tools| build::all(&tools)),
        Some("fuzz") => fuzz_campaign(&args[1..]),
        Some("bench") => match args.get(1).map(String::as_str) {
            None => bench(),
            Some("accuracy") => accuracy_bench(),
            Some(other) => Err(format!(
                "unknown benchmark {other:?}; try `cargo xtask bench accuracy`"
            )),
        },
        Some("setup") => setup::all(setup::Purpose::Bench).map(drop),
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("\nxtask: {err}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> shell::Result {
    let port = match args {
        [] => 8787,
        [flag, port] if flag == "--port" => port
            .parse()
            .map_err(|_| format!("--port takes a number, not {port:?}"))?,
        _ => return Err("usage: cargo xtask run [--port N]".into()),
    };
    let tools = setup::all(setup::Purpose::Run)?;
    build::all(&tools)?;
    println!("\nRDP Doctor is starting on http://127.0.0.1:{port}/  (Ctrl-C stops it)\n");
    build::wrangler_dev(&tools, port).run()
}

/// Measurements, not tests: each prints its own table.
fn bench() -> shell::Result {
    accuracy_bench()?;
    let tools = setup::all(setup::Purpose::Bench)?;
    build::all(&tools)?;
    Step::new("node")
        .args(["tests/e2e/bench/bundle_size.mjs"])
        .titled("page weight (gzip and brotli)")
        .run()?;
    // The comparison runs the CLI, which it finds beside itself: same profile.
    Step::new("cargo")
        .args([
            "build",
            "--locked",
            "--profile",
            "release-native",
            "-p",
            "rdp-doctor",
        ])
        .titled("rdp-doctor CLI (release-native)")
        .run()?;
    // It makes a network namespace and iptables rules: root, or sudo for everyone else.
    let as_root: &[&str] = if setup::is_root() {
        &[]
    } else {
        &[
            "--config",
            "target.'cfg(all())'.runner = ['sudo', '--preserve-env']",
        ]
    };
    Step::new("cargo")
        .args(["run", "--locked", "--profile", "release-native"])
        .args(as_root)
        .args(["-p", "rdp-doctor-tests", "--bin", "probe_bench"])
        .envs(build::test_env(&tools))
        .titled("probe versus nmap and sslscan at 0, 50 and 100 ms RTT; CPU per probe")
        .run()?;
    Step::new("cargo")
        .args(["run", "--locked", "--profile", "release-native"])
        .args(["-p", "rdp-doctor-tests", "--bin", "worker_cpu_bench"])
        .envs(build::test_env(&tools))
        .titled("the probe's CPU time inside workerd (the engine as Wasm)")
        .run()?;
    Step::new("cargo")
        .args([
            "run",
            "--locked",
            "--profile",
            "release-native",
            "-p",
            "rdp-doctor-tests",
        ])
        .args(["--bin", "analyzer_bench", "--", "1", "10", "100"])
        .titled("event log analyzer throughput, native")
        .run()?;
    playwright(&tools, "tests/e2e/bench/playwright.config.ts")
        .titled("in Chromium: event log analyzer throughput, first-screen time to interactive")
        .run()
}

/// Top-1, top-3, "settled but wrong" and questions asked on the incident corpus, for the tune
/// and the validation part. Pure computation: it needs neither setup nor the network.
fn accuracy_bench() -> shell::Result {
    Step::new("cargo")
        .args([
            "run",
            "--locked",
            "-p",
            "rdp-doctor-tests",
            "--bin",
            "accuracy_bench",
        ])
        .titled("diagnosis accuracy on the incident corpus (tune and validation parts)")
        .run()
}

fn fuzz_campaign(args: &[String]) -> shell::Result {
    let (seconds, targets) = match args {
        [flag, seconds, targets @ ..] if flag == "--seconds" => (
            seconds
                .parse()
                .map_err(|_| format!("--seconds takes a number, not {seconds:?}"))?,
            targets,
        ),
        targets => (60, targets),
    };
    let tools = setup::all(setup::Purpose::Test)?;
    fuzz::run(&tools, seconds, targets)
}

/// Seconds each fuzz target runs inside `cargo xtask test`: enough to catch a shallow panic in
/// a parser change, short enough for every run.
const TEST_FUZZ_SECONDS: u32 = 10;

fn test() -> shell::Result {
    let tools = setup::all(setup::Purpose::Test)?;
    let cargo = || Step::new("cargo");
    cargo()
        .args(["fmt", "--all", "--check"])
        .titled("format check")
        .run()?;
    // The server and client checks the app serves: PowerShell grammar (tree-sitter) and read-only.
    Step::new("node")
        .args(["tests/collect/check_scripts.mjs"])
        .titled("check scripts parse as PowerShell and never write")
        .run()?;
    // The wasm-only crates are linted and built for wasm32 below, not natively.
    let native_only: Vec<&str> = build::WASM_PACKAGES
        .iter()
        .flat_map(|p| ["--exclude", p])
        .collect();
    cargo()
        .args(["clippy", "--workspace", "--all-targets", "--locked"])
        .args(&native_only)
        .args(["--", "-D", "warnings"])
        .titled("clippy (native)")
        .run()?;
    for package in build::WASM_PACKAGES {
        cargo()
            .args([
                "clippy",
                "--locked",
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                package,
                "--",
                "-D",
                "warnings",
            ])
            .titled(&format!("clippy ({package}, wasm32)"))
            .run()?;
    }
    build::all(&tools)?;
    // The integration suites find the built app and Worker, the pinned wrangler and the
    // browser through these variables.
    cargo()
        .args(["test", "--workspace", "--locked"])
        .args(&native_only)
        .envs(build::test_env(&tools))
        .titled("native, integration and Worker tests")
        .run()?;
    // The page builds the core without features: its decoder and engine tests must hold there too.
    cargo()
        .args([
            "test",
            "--locked",
            "-p",
            "rdp-doctor-core",
            "--no-default-features",
        ])
        .args(["--test", "it"])
        .titled("core tests without features (as the page builds it)")
        .run()?;
    playwright(&tools, "tests/e2e/playwright.config.ts")
        .titled("browser tests (Playwright, Chromium, Worker under workerd)")
        .run()?;
    fuzz::run(&tools, TEST_FUZZ_SECONDS, &[])
}

/// Playwright with `config`, against the built app and Worker.
fn playwright(tools: &setup::Tools, config: &str) -> Step {
    Step::new(tools.npx())
        .args(["playwright", "test", "--config", config])
        .envs(build::test_env(tools))
}
