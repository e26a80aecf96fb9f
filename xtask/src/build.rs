//! Builds the two deployable artifacts: `dist/` (the app, served as static assets) and
//! `edge/build/` (the Worker), exactly as `wrangler deploy` ships them.

use std::fs;
use std::path::Path;

use crate::setup::Tools;
use crate::shell::{Result, Step};

/// Crates that only build for wasm32 (linted separately for that target).
pub const WASM_PACKAGES: &[&str] = &[
    "rdp-doctor-frontend",
    "rdp-doctor-analysis",
    "rdp-doctor-edge",
];

/// Wasm features rustc enables by default for wasm32-unknown-unknown, which wasm-opt must accept.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-reference-types",
    "--enable-multivalue",
];

pub fn all(tools: &Tools) -> Result {
    frontend(tools)?;
    worker(tools)
}

fn frontend(tools: &Tools) -> Result {
    let dist = tools.root.join("dist");
    if dist.exists() {
        fs::remove_dir_all(&dist).map_err(|e| format!("clean dist/: {e}"))?;
    }
    // The first screen and the whole journey: two binaries of one crate, one cargo build.
    wasm_modules(
        tools,
        "rdp-doctor-frontend",
        &[],
        &[
            ("rdp-doctor-first-screen.wasm", "rdp_doctor_first_screen"),
            ("rdp-doctor-frontend.wasm", "rdp_doctor_frontend"),
        ],
        &dist.join("pkg"),
    )?;
    // The evidence analyzers, loaded by static/analysis-worker.js only when evidence arrives;
    // the .evtx reader, the heaviest part, in a second module loaded only for .evtx files.
    for (features, out_name) in [
        ("--no-default-features", "rdp_doctor_analysis"),
        ("--features=evtx", "rdp_doctor_analysis_evtx"),
    ] {
        wasm_modules(
            tools,
            "rdp-doctor-analysis",
            &[features],
            &[("rdp_doctor_analysis.wasm", out_name)],
            &dist.join("analysis"),
        )?;
    }
    copy_dir(&tools.root.join("static"), &dist)
}

/// Builds `package` (with extra cargo `flags`) for wasm32, then binds each of its `artifacts`
/// for `<script type="module">` under its out name and shrinks it. An artifact is the file
/// cargo writes: a binary keeps its dashes, a library gets underscores.
fn wasm_modules(
    tools: &Tools,
    package: &str,
    flags: &[&str],
    artifacts: &[(&str, &str)],
    out_dir: &Path,
) -> Result {
    Step::new("cargo")
        .args([
            "build",
            "--locked",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            package,
        ])
        .args(flags)
        .titled(&format!(
            "{} (Rust → wasm32)",
            [&[package], flags].concat().join(" ")
        ))
        .run()?;
    for (artifact, out_name) in artifacts {
        let wasm = tools
            .root
            .join("target/wasm32-unknown-unknown/release")
            .join(artifact);
        Step::new(&tools.wasm_bindgen)
            .args(["--target", "web", "--no-typescript", "--out-name", out_name])
            .args(["--out-dir"])
            .args([out_dir, wasm.as_path()])
            .titled(&format!("wasm-bindgen ({out_name})"))
            .run()?;
        let bundle = out_dir.join(format!("{out_name}_bg.wasm"));
        Step::new(tools.wasm_opt())
            .args(["-Oz", "--strip-debug", "--strip-producers"])
            .args(WASM_FEATURES)
            .arg_path(&bundle)
            .args(["-o"])
            .arg_path(&bundle)
            .titled(&format!("wasm-opt -Oz ({out_name})"))
            .run()?;
    }
    Ok(())
}

fn worker(tools: &Tools) -> Result {
    Step::new(&tools.worker_build)
        .args(["--release"])
        .dir(tools.root.join("edge"))
        // worker-build downloads these unless told where they are; this machine has no internet.
        .env("WASM_BINDGEN_BIN", &tools.wasm_bindgen)
        .env("WASM_OPT_BIN", tools.wasm_opt())
        .env("ESBUILD_BIN", tools.esbuild())
        .titled("Worker (workers-rs → wasm32, worker-build)")
        .run()
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to).map_err(|e| format!("mkdir {}: {e}", to.display()))?;
    for entry in fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)
                .map_err(|e| format!("copy to {}: {e}", target.display()))?;
        }
    }
    Ok(())
}

/// Environment for anything that runs wrangler: no telemetry, no calls home, logs in target/.
fn wrangler_env(tools: &Tools) -> Vec<(String, String)> {
    vec![
        ("WRANGLER_SEND_METRICS".into(), "false".into()),
        ("WRANGLER_SEND_ERROR_REPORTS".into(), "false".into()),
        ("CLOUDFLARE_CF_FETCH_ENABLED".into(), "false".into()),
        (
            "WRANGLER_LOG_PATH".into(),
            tools
                .root
                .join("target/wrangler-logs")
                .to_string_lossy()
                .into_owned(),
        ),
    ]
}

/// `wrangler dev` on loopback, with the development-only setting that lets the probe reach
/// RDP servers on this machine.
pub fn wrangler_dev(tools: &Tools, port: u16) -> Step {
    Step::new(tools.wrangler())
        .args(["dev", "--ip", "127.0.0.1", "--port", &port.to_string()])
        .args([
            "--var",
            "ALLOW_LOOPBACK_TARGETS:true",
            "--show-interactive-dev-session=false",
        ])
        .envs(wrangler_env(tools))
        .titled("wrangler dev (workerd)")
}

/// What the integration and browser suites need to find the built artifacts and tools.
pub fn test_env(tools: &Tools) -> Vec<(String, String)> {
    let mut env = wrangler_env(tools);
    env.push((
        "RDP_DOCTOR_ROOT".into(),
        tools.root.to_string_lossy().into_owned(),
    ));
    env.push((
        "RDP_DOCTOR_WRANGLER".into(),
        tools.wrangler().to_string_lossy().into_owned(),
    ));
    env.push(("CHROMIUM".into(), "/usr/bin/chromium".into()));
    env
}
