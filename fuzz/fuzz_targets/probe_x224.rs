//! The probe's reading of a server's answer to the X.224 Connection Request.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rdp_doctor_core::probe::x224::classify_confirm;

fuzz_target!(|data: &[u8]| {
    let _ = classify_confirm(data);
});
