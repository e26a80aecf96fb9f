//! Every analyzer against deterministic pseudo-random and mutated inputs: each must return a
//! report or an error, never panic, and finish quickly. (The cargo-fuzz targets in `fuzz/`
//! explore further; this runs on every `cargo test`.)
#![cfg(feature = "analyzers")]

use std::path::Path;
use std::time::{Duration, Instant};

use rdp_doctor_core::analyze::cert::{self, CertContext};
use rdp_doctor_core::analyze::{events, rdpfile, snapshot};
use rdp_doctor_core::evidence::Source;

use crate::xorshift;

use xorshift::Rng;

impl Rng {
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn fixtures(dir: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "sh"))
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// One random edit: flip bits, drop, duplicate or insert bytes, truncate, or splice in another sample.
fn mutate(rng: &mut Rng, input: &[u8], others: &[Vec<u8>]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(7) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 => {
                let end = (at + rng.below(64)).min(out.len());
                out.drain(at..end);
            }
            2 => {
                let end = (at + rng.below(256)).min(out.len());
                let copy = out[at..end].to_vec();
                out.splice(
                    at..at,
                    copy.iter()
                        .cycle()
                        .take(copy.len() * (1 + rng.below(8)))
                        .copied(),
                );
            }
            3 => {
                let len = rng.below(32);
                let noise = rng.bytes(len);
                out.splice(at..at, noise);
            }
            4 => out.truncate(at),
            5 if !others.is_empty() => {
                let other = &others[rng.below(others.len())];
                let from = rng.below(other.len());
                let end = (from + rng.below(512)).min(other.len());
                out.splice(at..at, other[from..end].iter().copied());
            }
            _ => {
                // Markers the parsers look for, dropped in at random.
                const MARKERS: &[&[u8]] = &[
                    b"-----BEGIN CERTIFICATE-----",
                    b"-----END CERTIFICATE-----",
                    b"<Event ",
                    b"</Event>",
                    b"<EventData><Data Name='x'>",
                    b"Event[0]:\n",
                    b"\nSource: Schannel\nEvent ID: 36888\nDescription:\n",
                    b"\"",
                    b"full address:s:[",
                    b"\xFF\xFE",
                    b"&#xD800;",
                    b"0x",
                ];
                out.splice(at..at, MARKERS[rng.below(MARKERS.len())].iter().copied());
            }
        }
    }
    out
}

fn run_all(input: &[u8]) {
    let ctx = CertContext {
        now_unix: 1_780_272_000,
        host: Some("rds01.corp.example.com".into()),
    };
    if let Ok(report) = cert::analyze(input, &ctx) {
        report.evidence(Source::Certificate);
    }
    cert::analyze_chain_der(&[input.to_vec()], &ctx);
    if let Ok(report) = events::analyze(input) {
        report.evidence();
    }
    if let Ok(report) = rdpfile::analyze(input) {
        report.evidence();
    }
    if let Ok(report) = snapshot::analyze(input, ctx.now_unix) {
        report.evidence();
    }
}

#[test]
fn mutated_fixtures_never_panic() {
    let started = Instant::now();
    let mut rng = Rng(0x5EED_0FD0_C70B);
    let samples: Vec<Vec<u8>> = ["certs", "events", "rdp", "snapshot"]
        .iter()
        .flat_map(|d| fixtures(d))
        .collect();
    for sample in &samples {
        for _ in 0..100 {
            run_all(&mutate(&mut rng, sample, &samples));
        }
    }
    assert!(
        started.elapsed() < Duration::from_secs(120),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0xC0FF_EE00_1234_5678);
    for round in 0..2_000 {
        let len = rng.below(if round % 10 == 0 { 4096 } else { 128 });
        // Make some inputs look like what each parser expects at the start.
        let prefix: &[u8] = match round % 5 {
            0 => b"\x30",
            1 => b"<Event xmlns='x'><System>",
            2 => b"\xFF\xFE",
            _ => b"",
        };
        run_all(&[prefix, &rng.bytes(len)].concat());
    }
}

#[test]
fn hostile_shapes_are_bounded() {
    let started = Instant::now();
    let cases: Vec<Vec<u8>> = vec![
        format!("<Event>{}", "<a>".repeat(100_000)).into_bytes(),
        "<Event><System><Provider Name='Schannel'/><EventID>36870</EventID></System>".repeat(20_000).into_bytes(),
        "-----BEGIN CERTIFICATE-----\nMIIB\n".repeat(50_000).into_bytes(),
        "-----BEGIN CERTIFICATE-----".repeat(100_000).into_bytes(),
        "Event[0]:\n  Source: Schannel\n  Event ID: 36870\n  Description:\n".repeat(20_000).into_bytes(),
        format!("Level,Date and Time,Source,Event ID,Task Category\n\"{}", "x".repeat(1_000_000)).into_bytes(),
        "full address:s:a\n".repeat(100_000).into_bytes(),
        vec![b'A'; 3_000_000],
        vec![0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF],
        vec![0xFF, 0xFE, 0x00],
        "Thumbprint : AB\nSubject : CN=a\nNotAfter : 99/99/99999 99:99:99 PM\n".repeat(10_000).into_bytes(),
        "X509 Certificate:\nNotAfter: 1/1/2000 1:00 AM\n    2.5.29.15: Flags = 0\n    Key Usage\n        x (ffffffffffffffff)\n".repeat(5_000).into_bytes(),
    ];
    for case in &cases {
        run_all(case);
    }
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn oversized_inputs_are_refused_before_parsing() {
    let big = vec![b' '; events::MAX_INPUT_BYTES + 1];
    assert!(matches!(
        events::analyze(&big),
        Err(rdp_doctor_core::analyze::AnalyzeError::TooLarge { .. })
    ));
    assert!(matches!(
        rdpfile::analyze(&big[..rdpfile::MAX_INPUT_BYTES + 1]),
        Err(rdp_doctor_core::analyze::AnalyzeError::TooLarge { .. })
    ));
}

#[cfg(feature = "evtx")]
#[test]
fn the_evtx_reader_survives_random_files() {
    use rdp_doctor_core::analyze::evtx;
    let mut rng = Rng(0xE77C_0FFE);
    for round in 0..300 {
        let mut input = b"ElfFile\0".to_vec();
        let len = if round % 3 == 0 {
            4096 + 65536 + rng.below(4096)
        } else {
            rng.below(8192)
        };
        input.extend(rng.bytes(len));
        if let Ok(report) = evtx::analyze(input) {
            report.evidence();
        }
    }
    // The real-format sample, damaged: headers, chunk, templates and values.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events/rdp-server.evtx");
    let sample = std::fs::read(path).unwrap();
    for _ in 0..1000 {
        let mut damaged = sample.clone();
        for _ in 0..=rng.below(8) {
            // Within the file header, the chunk header and the records, not the empty rest.
            let at = rng.below(4096 + 512 + 4096);
            damaged[at] ^= 1 << rng.below(8);
        }
        if let Ok(report) = evtx::analyze(damaged) {
            report.evidence();
        }
    }
}
