//! Fuzzes the error-text decoder: any bytes, read as lossy UTF-8, must decode without panicking
//! and within the documented bounds.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rdp_doctor_core::codes;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let decoded = codes::decode(&text);
    assert!(decoded.codes.len() <= codes::MAX_CODES);
    for code in &decoded.codes {
        assert_eq!(code.known, code.name.is_some());
    }
    let _ = decoded.evidence();
});
