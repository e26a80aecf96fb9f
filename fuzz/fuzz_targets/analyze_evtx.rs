//! Any bytes into the .evtx reader (needs rdp-doctor-core's `evtx` feature). Inputs without the
//! "ElfFile" magic are refused at once, so the magic is prepended to reach the parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rdp_doctor_core::analyze::evtx;

fuzz_target!(|data: &[u8]| {
    let mut bytes = b"ElfFile\0".to_vec();
    bytes.extend_from_slice(data);
    if let Ok(report) = evtx::analyze(bytes) {
        let _ = report.evidence();
    }
});
