//! Any bytes into the .rdp file analyzer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rdp_doctor_core::analyze::rdpfile;

fuzz_target!(|data: &[u8]| {
    if let Ok(report) = rdpfile::analyze(data) {
        let _ = report.evidence();
    }
});
