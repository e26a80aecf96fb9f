//! Any bytes into the event log analyzer (XML, Event Viewer text and CSV, wevtutil, Format-List).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rdp_doctor_core::analyze::events;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = events::analyze(data) {
        let _ = report.evidence();
    }
});
