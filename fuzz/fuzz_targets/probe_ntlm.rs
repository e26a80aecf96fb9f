//! The probe's reading of a server's CredSSP TSRequest and the NTLM CHALLENGE inside it; the
//! raw input is also tried as a bare CHALLENGE.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rdp_doctor_core::probe::credssp::{parse_ntlm_challenge, parse_ts_request};

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = parse_ts_request(data) {
        if let Some(token) = request.nego_token {
            let _ = parse_ntlm_challenge(&token);
        }
    }
    let _ = parse_ntlm_challenge(data);
});
