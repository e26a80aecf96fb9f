//! Fuzzes the error-text decoder: any bytes, read as lossy UTF-8, must decode without panicking
//! and within the documented bounds — codes of every family (dialog, status, FreeRDP, OpenSSL)
//! and the recognised wording alike.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rdp_doctor_core::{codes, kb};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let decoded = codes::decode(&text);
    assert!(decoded.codes.len() <= codes::MAX_CODES);
    for code in &decoded.codes {
        assert_eq!(code.known, code.name.is_some());
        assert_eq!(code.known, code.meaning.is_some());
    }
    // Each message at most once, and only messages the knowledge base has.
    assert!(decoded.messages.len() <= kb::codes().messages.len());
    for message in &decoded.messages {
        assert!(kb::codes().messages.iter().any(|m| m.id == message.id));
    }
    let evidence = decoded.evidence();
    assert!(evidence.len() <= decoded.codes.len() + decoded.messages.len());
});
