//! Deterministic stand-in for the `api_request` fuzz target: thousands of mutated bodies and
//! hosts through the parser and the policy. Nothing panics, every refusal is a client error,
//! and nothing accepted is an address the standard library itself calls non-public.

// Shared with the api_request fuzz target.
#[path = "../api_properties/mod.rs"]
mod api_properties;

use std::net::Ipv4Addr;

use api_properties::exercise;
use rdp_doctor_core::api::{TargetPolicy, check_target};

const SEEDS: &[&str] = &[
    r#"{"host":"rdp.example.com","port":3389}"#,
    r#"{"host":"0x7f.1"}"#,
    r#"{"host":"[::ffff:10.0.0.1]","port":3389}"#,
    r#"{"host":"fe80::1%eth0"}"#,
    r#"{"host":"2002:c0a8:101::1"}"#,
    r#"{"host":"0177.0.0.01","port":null}"#,
    r#"{"host":"64:ff9b::a00:1"}"#,
    r#"{"host":"printer.local."}"#,
    r#"{"host":"8.8.8.8"}"#,
    // Bare hosts, which `exercise` also feeds to the policy directly.
    "8.8.8.8",
    "127.1",
    "0x7f000001",
    "0300.0250.1.1",
    "::ffff:8.8.8.8",
    "[2606:4700::1111]",
    "2002:c0a8:101::1",
    "64:ff9b::808:808",
    "100.64.1.1",
    "fd00::1",
];

/// Fragments that steer mutations towards interesting hosts.
const TOKENS: &[&str] = &[
    "0x",
    "0",
    ".",
    "..",
    ":",
    "::",
    "[",
    "]",
    "%",
    "ffff:",
    "127",
    "10",
    "255",
    "4294967295",
    "\\u0000",
    "\"",
    "{",
    "}",
    ",",
    "localhost",
    "-",
    "é",
    "65535",
    "2002:",
    "64:ff9b::",
    "fe80",
    "1e3",
];

use crate::xorshift;

use xorshift::Rng;

/// Characters that keep a mutated address looking like one.
const ADDRESS_BYTES: &[u8] = b"0123456789abcdefx.:[]%";

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut data = input.to_vec();
    for _ in 0..=rng.below(2) {
        let at = rng.below(data.len() + 1);
        match rng.below(8) {
            0 if at < data.len() => data[at] = rng.next() as u8,
            1 if at < data.len() => {
                data.remove(at);
            }
            2 => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                data.splice(at..at, token.iter().copied());
            }
            3 => data.insert(at, ADDRESS_BYTES[rng.below(ADDRESS_BYTES.len())]),
            _ if at < data.len() => data[at] = b"0123456789"[rng.below(10)],
            _ => data.push(b"0123456789"[rng.below(10)]),
        }
    }
    data
}

#[test]
fn mutated_requests_never_panic_and_never_pass_private_addresses() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut corpus: Vec<Vec<u8>> = SEEDS.iter().map(|seed| seed.as_bytes().to_vec()).collect();
    let mut accepted_addresses = 0;
    for round in 0..20_000 {
        let parent = &corpus[rng.below(corpus.len())];
        let child = mutate(&mut rng, parent);
        accepted_addresses += exercise(&child);
        // Keep some children so mutations compound, bounded so inputs stay small.
        if round % 7 == 0 && child.len() < 512 {
            corpus.push(child);
        }
    }
    assert!(
        accepted_addresses > 500,
        "mutations reached only {accepted_addresses} accepted addresses"
    );
}

#[test]
fn every_byte_value_and_edge_sized_input_is_handled() {
    for byte in 0..=u8::MAX {
        exercise(&[byte]);
        exercise(&[b'1', b'.', byte]);
    }
    exercise(b"");
    exercise("a.".repeat(200).as_bytes());
    exercise("9".repeat(10_000).as_bytes());
    exercise(&[b'['; 5000]);
}

/// Blocks worth sampling densely: their edges are where off-by-one masks would show.
const INTERESTING_V4: &[(u32, u32)] = &[
    (0x0000_0000, 8),
    (0x0a00_0000, 8),
    (0x6440_0000, 10),
    (0x7f00_0000, 8),
    (0xa9fe_0000, 16),
    (0xac10_0000, 12),
    (0xc000_0000, 24),
    (0xc612_0000, 15),
    (0xe000_0000, 3),
];

fn spellings(ip: Ipv4Addr) -> Vec<String> {
    let [a, b, c, d] = ip.octets();
    let bits = ip.to_bits();
    vec![
        format!("{bits}"),
        format!("{bits:#x}"),
        format!("0{bits:o}"),
        format!("{a}.{}", bits & 0xff_ffff),
        format!("{a}.{b}.{}", bits & 0xffff),
        format!("{a:#x}.{b:#x}.{c:#x}.{d:#x}"),
        format!("0{a:o}.0{b:o}.0{c:o}.0{d:o}"),
        format!("{a}.{b}.{c}.{d}."),
        format!("::ffff:{ip}"),
        format!("[::ffff:{ip}]"),
    ]
}

#[test]
fn every_spelling_of_an_address_gets_the_same_verdict() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let policy = TargetPolicy::default();
    for _ in 0..5_000 {
        let random = rng.next() as u32;
        let bits = match INTERESTING_V4.get(rng.below(INTERESTING_V4.len() * 2)) {
            // Near an interesting block: inside it, or just past either end.
            Some(&(network, prefix)) => {
                let size = 1u64 << (32 - prefix);
                let offset = (u64::from(random) % (size + 2)) as i64 - 1;
                (i64::from(network) + offset).rem_euclid(1 << 32) as u32
            }
            None => random,
        };
        let ip = Ipv4Addr::from(bits);
        // The oracle's checks on the canonical form; the spellings must then agree with it.
        exercise(ip.to_string().as_bytes());
        let canonical = check_target(&ip.to_string(), 3389, &policy);
        for spelling in spellings(ip) {
            let verdict = check_target(&spelling, 3389, &policy);
            match (&canonical, &verdict) {
                (Ok(expected), Ok(got)) => assert_eq!(got, expected, "{spelling}"),
                (Err(expected), Err(got)) => assert_eq!(got.code(), expected.code(), "{spelling}"),
                _ => panic!("{spelling} gave {verdict:?} but {ip} gave {canonical:?}"),
            }
        }
    }
}
