//! The probe request parser and target policy on arbitrary bytes, both as a JSON body and as a
//! bare host: `cargo +nightly fuzz run api_request` from `fuzz/`. The checks are the ones
//! `shared/tests/api_no_panic.rs` runs deterministically on every `cargo test`.

#![no_main]

#[path = "../../shared/tests/api_properties/mod.rs"]
mod api_properties;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    api_properties::exercise(data);
});
