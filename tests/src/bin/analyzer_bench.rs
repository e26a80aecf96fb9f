//! Event log analyzer throughput, native: how many MB per second `events::analyze` reads from
//! large generated exports, and the .evtx reader from the generated .evtx fixture. A measurement, not a test.
//!
//! `cargo run --profile release-native -p rdp-doctor-tests --bin analyzer_bench [MB ...]`
//! (sizes default to 1 10 100). The browser counterpart is tests/e2e/bench/.

// A benchmark stops loudly when its setup fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rdp_doctor_core::analyze::{events, evtx};

const DEFAULT_SIZES_MB: &[usize] = &[1, 10, 100];
const MB: usize = 1_000_000;
/// Each input is analysed at least this often and for at least `MIN_TIME`; the best run counts.
const MIN_RUNS: usize = 3;
const MIN_TIME: Duration = Duration::from_secs(2);

/// Text exports that stay valid when repeated end to end.
const REPEATABLE_EXPORTS: &[(&str, &str)] = &[
    ("event XML (wevtutil /f:xml)", "wevtutil-system.xml"),
    ("wevtutil text", "wevtutil-rdpcorets.txt"),
];
const EVTX_FIXTURE: &str = "shared/tests/fixtures/events/rdp-server.evtx";

struct Measurement {
    format: String,
    bytes: usize,
    events: usize,
    best: Duration,
}

fn main() -> ExitCode {
    let sizes: Result<Vec<usize>, _> = std::env::args().skip(1).map(|a| a.parse()).collect();
    let sizes = match sizes {
        Ok(sizes) if sizes.is_empty() => DEFAULT_SIZES_MB.to_vec(),
        Ok(sizes) => sizes,
        Err(_) => {
            eprintln!("usage: analyzer_bench [size in MB ...]");
            return ExitCode::from(2);
        }
    };
    match run(&sizes) {
        Ok(rows) => {
            print_table(&rows);
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("analyzer_bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(sizes: &[usize]) -> Result<Vec<Measurement>, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut rows = Vec::new();
    for (format, file) in REPEATABLE_EXPORTS {
        let sample = read(&root.join("shared/tests/fixtures/events").join(file))?;
        for &size in sizes {
            let input = repeat_to(&sample, size * MB);
            let (best, events) = measure(|| {
                events::analyze(&input)
                    .map(|report| report.events_read)
                    .map_err(|e| e.to_string())
            })?;
            rows.push(Measurement {
                format: format.to_string(),
                bytes: input.len(),
                events,
                best,
            });
        }
    }
    // An .evtx file cannot be concatenated, so the fixture is read whole, repeatedly.
    let evtx_file = read(&root.join(EVTX_FIXTURE))?;
    let (best, events) = measure(|| {
        evtx::analyze(evtx_file.clone())
            .map(|report| report.events_read)
            .map_err(|e| e.to_string())
    })?;
    rows.push(Measurement {
        format: format!(".evtx ({EVTX_FIXTURE})"),
        bytes: evtx_file.len(),
        events,
        best,
    });
    Ok(rows)
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// `sample` repeated until the result is at least `size` bytes.
fn repeat_to(sample: &[u8], size: usize) -> Vec<u8> {
    let copies = size.div_ceil(sample.len().max(1));
    sample.repeat(copies)
}

/// The fastest of several runs of `analyze`, and the events it read.
fn measure(
    mut analyze: impl FnMut() -> Result<usize, String>,
) -> Result<(Duration, usize), String> {
    let started = Instant::now();
    let mut best = Duration::MAX;
    let mut events = 0;
    let mut runs = 0;
    while runs < MIN_RUNS || started.elapsed() < MIN_TIME {
        let run = Instant::now();
        events = analyze()?;
        best = best.min(run.elapsed());
        runs += 1;
    }
    Ok((best, events))
}

fn print_table(rows: &[Measurement]) {
    println!(
        "{:<48} {:>8} {:>8} {:>9} {:>7} {:>10}",
        "format", "MB", "events", "best ms", "MB/s", "events/s"
    );
    for row in rows {
        let seconds = row.best.as_secs_f64();
        let megabytes = row.bytes as f64 / MB as f64;
        println!(
            "{:<48} {:>8.2} {:>8} {:>9.1} {:>7.1} {:>10.0}",
            row.format,
            megabytes,
            row.events,
            seconds * 1000.0,
            megabytes / seconds,
            row.events as f64 / seconds
        );
    }
}
