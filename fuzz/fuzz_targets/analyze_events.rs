//! Any bytes into the event log analyzer (XML, Event Viewer text and CSV, wevtutil, Format-List).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rdp_doctor_core::analyze::events;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = events::analyze(data) {
        let _ = report.evidence();
    }
    // With a failure time from the input itself, the failure window must hold for any value.
    let failed_at = data
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .map(i64::from_le_bytes);
    if let Ok(report) = events::analyze_at(data, failed_at) {
        let _ = report.evidence();
    }
});
