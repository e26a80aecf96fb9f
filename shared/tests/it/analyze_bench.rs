//! Throughput of the event log analyzer on ~100 MB exports (the size the issue asks to handle).
//! Run: `cargo test --release -p rdp-doctor-core --test analyze_bench -- --ignored --nocapture`
#![cfg(feature = "analyzers")]

use std::time::Instant;

use rdp_doctor_core::analyze::events;

const TARGET_BYTES: usize = 100 * 1024 * 1024;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/events/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Repeats `unit` to about 100 MB, after `header`.
fn grow(header: &str, unit: &str) -> Vec<u8> {
    let mut out = String::with_capacity(TARGET_BYTES + unit.len());
    out.push_str(header);
    while out.len() < TARGET_BYTES {
        out.push_str(unit);
    }
    out.into_bytes()
}

fn measure(name: &str, input: &[u8]) {
    let started = Instant::now();
    let report = events::analyze(input).expect("analysable");
    let seconds = started.elapsed().as_secs_f64();
    let megabytes = input.len() as f64 / 1_000_000.0;
    println!(
        "{name}: {megabytes:.0} MB, {} events in {seconds:.2} s = {:.0} MB/s, {:.0} events/s",
        report.events_read,
        megabytes / seconds,
        report.events_read as f64 / seconds
    );
    assert!(report.events_read > 0);
}

#[test]
#[ignore = "benchmark; run in release with --ignored --nocapture"]
fn throughput_on_100_mb_exports() {
    measure("wevtutil XML", &grow("", &fixture("wevtutil-system.xml")));
    measure(
        "Format-List text",
        &grow("", &fixture("get-winevent-format-list.txt")),
    );
    measure(
        "wevtutil text",
        &grow("", &fixture("wevtutil-rdpcorets.txt")),
    );
    let csv = fixture("event-viewer-export.csv");
    let (header, rows) = csv.split_once("\r\n").expect("header line");
    measure("Event Viewer CSV", &grow(&format!("{header}\r\n"), rows));
}
