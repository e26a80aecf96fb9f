//! Any bytes into the inside-view analyzer: the checks' JSON and the single command outputs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rdp_doctor_core::analyze::snapshot;

/// 2026-12-01T00:00:00Z; the clock only decides certificate expiry.
const NOW: i64 = 1_795_996_800;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = snapshot::analyze(data, NOW) {
        let _ = report.evidence();
    }
});
