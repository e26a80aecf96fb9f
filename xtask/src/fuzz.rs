//! Fuzzing every parser of untrusted input with cargo-fuzz (libFuzzer). `cargo xtask test` runs
//! each target briefly; `cargo xtask fuzz --seconds N [TARGET…]` is a longer campaign. A crash
//! leaves its input in `fuzz/artifacts/<target>/`: turn it into a regression test before fixing.

use std::path::Path;

use crate::setup::{self, Tools};
use crate::shell::{Result, Step};

/// Each target, with the fixture directories that seed its corpus (read, never written).
const TARGETS: &[(&str, &[&str])] = &[
    ("analyze_cert", &["shared/tests/fixtures/certs"]),
    ("analyze_events", &["shared/tests/fixtures/events"]),
    ("analyze_evtx", &[]),
    ("analyze_rdp", &["shared/tests/fixtures/rdp"]),
    ("analyze_snapshot", &["shared/tests/fixtures/snapshot"]),
    ("api_request", &[]),
    ("decode_text", &[]),
    ("probe_ntlm", &[]),
    ("probe_tls_records", &[]),
    ("probe_x224", &[]),
];

pub fn run(tools: &Tools, seconds: u32, only: &[String]) -> Result {
    if let Some(unknown) = only
        .iter()
        .find(|name| !TARGETS.iter().any(|(t, _)| t == name))
    {
        let names: Vec<&str> = TARGETS.iter().map(|(t, _)| *t).collect();
        return Err(format!(
            "no fuzz target {unknown:?}; there are: {}",
            names.join(", ")
        ));
    }
    let cargo_fuzz_bin = setup::cargo_fuzz()?;
    let fuzz_dir = tools.root.join("fuzz");
    // Safe Rust needs no AddressSanitizer to show a panic or an unbounded allocation, and
    // without it the targets build in half the time. `-Z` flags on stable: RUSTC_BOOTSTRAP.
    let cargo_fuzz = |args: &[&str]| {
        Step::new(&cargo_fuzz_bin)
            .arg("fuzz")
            .args(args)
            .args(["--sanitizer", "none", "--release"])
            .env("RUSTC_BOOTSTRAP", "1")
            .dir(&fuzz_dir)
    };
    cargo_fuzz(&["build"])
        .titled("fuzz targets (build)")
        .run()?;
    let max_time = format!("-max_total_time={seconds}");
    let logs = tools.root.join("target/fuzz-logs");
    std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    let mut ran = 0;
    for (target, seeds) in TARGETS
        .iter()
        .filter(|(t, _)| only.is_empty() || only.iter().any(|o| o == t))
    {
        let corpus = fuzz_dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
        let seed_dirs = seeds
            .iter()
            .map(|dir| tools.root.join(dir))
            .filter(|dir| Path::new(dir).is_dir());
        Step::new(&cargo_fuzz_bin)
            .arg("fuzz")
            .args(["run", target, "--sanitizer", "none", "--release"])
            .arg_path(&corpus)
            .args(seed_dirs)
            // -rss_limit_mb makes unbounded memory a finding; -max_len covers realistic inputs.
            .args([
                "--",
                &max_time,
                "-rss_limit_mb=2048",
                "-max_len=65536",
                "-print_final_stats=0",
            ])
            .env("RUSTC_BOOTSTRAP", "1")
            .dir(&fuzz_dir)
            .log_to(logs.join(format!("{target}.log")))
            .titled(&format!("fuzz {target} for {seconds} s"))
            .run()?;
        ran += 1;
    }
    // A plain closing line (a failing target has already stopped the run above).
    println!("fuzz: {ran} passed, 0 failed");
    Ok(())
}
