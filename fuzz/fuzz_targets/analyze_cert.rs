//! Any bytes into the certificate analyzer, as pasted input and as a chain read off the wire.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rdp_doctor_core::analyze::cert::{self, CertContext};
use rdp_doctor_core::evidence::Source;

fuzz_target!(|data: &[u8]| {
    let ctx = CertContext {
        now_unix: 1_780_272_000,
        host: Some("rds01.corp.example.com".into()),
    };
    if let Ok(report) = cert::analyze(data, &ctx) {
        let _ = report.evidence(Source::Certificate);
    }
    // The probe hands over several DER blobs; split the input into some.
    let chain: Vec<Vec<u8>> = data
        .split(|&b| b == 0xFF)
        .take(8)
        .map(<[u8]>::to_vec)
        .collect();
    let _ = cert::analyze_chain_der(&chain, &ctx).evidence(Source::Probe);
});
