//! Deterministic robustness check for every parser of server replies, in plain `cargo test`:
//! valid replies mutated (bytes flipped, cut, spliced, lengths inflated) and pure noise. The
//! fuzz targets under `fuzz/` run the same entry points without a budget.

use super::credssp::{parse_ntlm_challenge, parse_ts_request, ts_request};
use super::tls::classify_server_flight;
use super::x224::classify_confirm;

#[path = "../../tests/support/xorshift.rs"]
mod xorshift;

use xorshift::Rng as Noise;

impl Noise {
    fn mutate(&mut self, seed: &[u8]) -> Vec<u8> {
        let mut bytes = seed.to_vec();
        for _ in 0..=self.below(4) {
            match self.below(5) {
                0 if !bytes.is_empty() => {
                    let at = self.below(bytes.len());
                    bytes[at] = self.next() as u8;
                }
                1 => bytes.truncate(self.below(bytes.len() + 1)),
                2 => {
                    let at = self.below(bytes.len() + 1);
                    let junk: Vec<u8> = (0..self.below(32)).map(|_| self.next() as u8).collect();
                    bytes.splice(at..at, junk);
                }
                3 if !bytes.is_empty() => {
                    let at = self.below(bytes.len());
                    bytes[at] = 0xff; // inflate whatever length field is there
                }
                _ => bytes = (0..self.below(300)).map(|_| self.next() as u8).collect(),
            }
        }
        bytes
    }
}

const X224_CONFIRM: &[u8] = &[
    3, 0, 0, 19, 14, 0xd0, 0, 0, 0x12, 0x34, 0, 2, 0x1f, 8, 0, 1, 0, 0, 0,
];

fn tls12_flight() -> Vec<u8> {
    let mut hello = vec![2, 0, 0, 38, 3, 3];
    hello.extend_from_slice(&[9; 32]);
    hello.extend_from_slice(&[0, 0xc0, 0x30, 0]);
    let certificate = [11, 0, 0, 9, 0, 0, 6, 0, 0, 3, 1, 2, 3];
    let done = [14, 0, 0, 0];
    let body = [hello.as_slice(), &certificate, &done].concat();
    let mut record = vec![22, 3, 3];
    record.extend_from_slice(&(body.len() as u16).to_be_bytes());
    record.extend(body);
    record
}

fn challenge() -> Vec<u8> {
    let mut challenge = b"NTLMSSP\0\x02\0\0\0".to_vec();
    challenge.extend_from_slice(&[4, 0, 4, 0, 56, 0, 0, 0, 0x15, 0x82, 0x8a, 0xe2]);
    challenge.extend_from_slice(&[0; 16]);
    challenge.extend_from_slice(&[12, 0, 12, 0, 60, 0, 0, 0, 10, 0, 0x7c, 0x4f, 0, 0, 0, 15]);
    challenge.extend_from_slice(&[b'D', 0, b'C', 0]);
    challenge.extend_from_slice(&[1, 0, 4, 0, b'P', 0, b'C', 0, 0, 0, 0, 0]);
    challenge
}

#[test]
fn parsers_of_server_replies_never_panic() {
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    let flight = tls12_flight();
    let challenge = challenge();
    let request = ts_request(&challenge);
    assert!(
        parse_ntlm_challenge(&challenge)
            .is_ok_and(|c| c.netbios_computer_name.as_deref() == Some("PC"))
    );
    assert!(
        classify_server_flight(&flight, false)
            .outcome
            .accepted_version()
            .is_some()
    );
    assert!(parse_ts_request(&request).is_ok_and(|r| r.nego_token.is_some()));
    for _ in 0..20_000 {
        let _ = classify_confirm(&noise.mutate(X224_CONFIRM));
        let mutated = noise.mutate(&flight);
        let _ = classify_server_flight(&mutated, false);
        let _ = classify_server_flight(&mutated, true);
        let mutated = noise.mutate(&request);
        if let Ok(parsed) = parse_ts_request(&mutated) {
            let _ = parsed.nego_token.as_deref().map(parse_ntlm_challenge);
        }
        let _ = parse_ntlm_challenge(&noise.mutate(&challenge));
    }
}
