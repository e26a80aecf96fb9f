//! The probe's reading of a server's first TLS flight (ServerHello, Certificate, alerts),
//! both while the stream is open and after it ended.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rdp_doctor_core::probe::tls::classify_server_flight;

fuzz_target!(|data: &[u8]| {
    let _ = classify_server_flight(data, false);
    let _ = classify_server_flight(data, true);
});
