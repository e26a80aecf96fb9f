//! Host names are resolved by the Worker itself, so that every address a name has is judged by
//! the target policy before anything connects, and the probe then connects to that checked
//! address, not to the name (a runtime's own resolver would be asked again, and could answer
//! differently: DNS rebinding).
//!
//! The lookup is injected as a [`Resolver`] (the Worker asks a DNS-over-HTTPS server with the
//! JSON API; tests answer from a map). This module builds the queries, reads the answers and
//! decides; it does no I/O.

use std::net::{IpAddr, Ipv4Addr};

use serde::Deserialize;

use super::ApiError;
use super::target::{CheckedTarget, TargetPolicy, judge_resolved_addresses};

/// Cloudflare's public resolver, JSON API (https://developers.cloudflare.com/1.1.1.1/encryption/dns-over-https/make-api-requests/dns-json/).
pub const DEFAULT_DOH_URL: &str = "https://cloudflare-dns.com/dns-query";
/// The `Accept` header the JSON API needs.
pub const DOH_JSON_CONTENT_TYPE: &str = "application/dns-json";
/// A DNS answer for one name fits in a few kilobytes; more is not a resolver's answer.
pub const MAX_DOH_RESPONSE_BYTES: usize = 64 * 1024;
/// The most addresses of one type read from an answer (each one is judged).
const MAX_ADDRESSES: usize = 32;

/// The record types asked for: a name may have either or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordType {
    A,
    Aaaa,
}

impl RecordType {
    pub const BOTH: [RecordType; 2] = [RecordType::A, RecordType::Aaaa];

    fn name(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
        }
    }

    /// The RR TYPE number (RFC 1035, RFC 3596).
    fn code(self) -> u16 {
        match self {
            RecordType::A => 1,
            RecordType::Aaaa => 28,
        }
    }
}

/// The JSON API's query URL. `name` is a name the target policy accepted (letters, digits,
/// `-` and `.` only), so it needs no escaping.
pub fn doh_query_url(doh_url: &str, name: &str, record: RecordType) -> String {
    format!("{doh_url}?name={name}&type={}", record.name())
}

/// Why a lookup gave no answer that can be judged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolveError(pub String);

/// The JSON API's answer (only the fields read here).
#[derive(Deserialize)]
struct DohAnswer {
    #[serde(rename = "Status")]
    status: u16,
    #[serde(rename = "Answer", default)]
    answer: Vec<DohRecord>,
}

#[derive(Deserialize)]
struct DohRecord {
    #[serde(rename = "type")]
    record_type: u16,
    data: String,
}

/// The addresses of type `record` in a JSON API answer. Other records (the CNAME chain that
/// led there) are skipped. A name that does not exist (NXDOMAIN) or whose DNS servers fail
/// (SERVFAIL) has no addresses; any other error code, malformed JSON or an address that does
/// not parse is an error, since an answer that cannot be read cannot be judged.
pub fn parse_doh_answer(body: &[u8], record: RecordType) -> Result<Vec<IpAddr>, ResolveError> {
    if body.len() > MAX_DOH_RESPONSE_BYTES {
        return Err(ResolveError(format!(
            "the answer is larger than {MAX_DOH_RESPONSE_BYTES} bytes"
        )));
    }
    let answer: DohAnswer = serde_json::from_slice(body)
        .map_err(|error| ResolveError(format!("the answer is not DNS JSON: {error}")))?;
    const NOERROR: u16 = 0;
    const SERVFAIL: u16 = 2;
    const NXDOMAIN: u16 = 3;
    match answer.status {
        NOERROR => {}
        SERVFAIL | NXDOMAIN => return Ok(Vec::new()),
        other => return Err(ResolveError(format!("the resolver answered RCODE {other}"))),
    }
    let mut addresses = Vec::new();
    for found in answer
        .answer
        .iter()
        .filter(|found| found.record_type == record.code())
        .take(MAX_ADDRESSES)
    {
        let address: IpAddr = found.data.trim().parse().map_err(|_| {
            ResolveError(format!(
                "the {} record {:?} is not an address",
                record.name(),
                found.data
            ))
        })?;
        let right_family = match record {
            RecordType::A => address.is_ipv4(),
            RecordType::Aaaa => address.is_ipv6(),
        };
        if !right_family {
            return Err(ResolveError(format!(
                "the {} record {address} is of the other address family",
                record.name()
            )));
        }
        addresses.push(address);
    }
    Ok(addresses)
}

/// Looks a name's A and AAAA records up (injected: DNS over HTTPS in the Worker).
#[allow(async_fn_in_trait)] // The Worker is single-threaded: futures need not be Send.
pub trait Resolver {
    /// Every IPv4 and IPv6 address `name` has; empty when it has none.
    async fn resolve(&self, name: &str) -> Result<Vec<IpAddr>, ResolveError>;
}

/// Where the probe goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    /// Connect to this checked address.
    Address(IpAddr),
    /// The name has no address: the probe reports it as not resolved and connects nowhere.
    Unresolved,
}

/// Resolves a policy-checked target and judges every address the name has. An address target
/// is its own destination; `localhost` (allowed only in development) is loopback without
/// asking DNS, as RFC 6761 (6.3) says resolvers must treat it.
pub async fn resolve_target(
    target: &CheckedTarget,
    policy: &TargetPolicy,
    resolver: &impl Resolver,
) -> Result<Destination, ApiError> {
    if let Some(ip) = target.ip {
        return Ok(Destination::Address(ip));
    }
    if target.host == "localhost" && policy.allow_loopback {
        return Ok(Destination::Address(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    }
    let addresses = resolver
        .resolve(&target.host)
        .await
        .map_err(|_| ApiError::ResolverUnavailable)?;
    Ok(
        match judge_resolved_addresses(&target.host, &addresses, policy)? {
            Some(address) => Destination::Address(address),
            None => Destination::Unresolved,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str, record: RecordType) -> Result<Vec<IpAddr>, ResolveError> {
        parse_doh_answer(body.as_bytes(), record)
    }

    #[test]
    fn reads_addresses_past_a_cname_chain() {
        // The shape of Cloudflare's JSON API answer for a CNAME'd name.
        let body = r#"{"Status":0,"TC":false,"RD":true,"RA":true,"AD":false,"CD":false,
            "Question":[{"name":"rdp.example.com","type":1}],
            "Answer":[{"name":"rdp.example.com","type":5,"TTL":300,"data":"gw.example.net."},
                      {"name":"gw.example.net","type":1,"TTL":60,"data":"93.184.215.14"},
                      {"name":"gw.example.net","type":1,"TTL":60,"data":"93.184.215.15"}]}"#;
        assert_eq!(
            parse(body, RecordType::A),
            Ok(vec![
                "93.184.215.14".parse().unwrap(),
                "93.184.215.15".parse().unwrap()
            ])
        );
        let body =
            r#"{"Status":0,"Answer":[{"name":"x","type":28,"TTL":1,"data":"2001:4860::8888"}]}"#;
        assert_eq!(
            parse(body, RecordType::Aaaa),
            Ok(vec!["2001:4860::8888".parse().unwrap()])
        );
    }

    #[test]
    fn a_missing_name_has_no_addresses_and_other_failures_are_errors() {
        assert_eq!(parse(r#"{"Status":3}"#, RecordType::A), Ok(vec![]));
        assert_eq!(parse(r#"{"Status":2}"#, RecordType::A), Ok(vec![]));
        assert_eq!(parse(r#"{"Status":0}"#, RecordType::Aaaa), Ok(vec![]));
        for body in [
            r#"{"Status":5}"#,
            "not json",
            r#"{"Answer":[]}"#,
            r#"{"Status":0,"Answer":[{"type":1,"data":"not-an-ip"}]}"#,
            r#"{"Status":0,"Answer":[{"type":1,"data":"::1"}]}"#,
        ] {
            assert!(parse(body, RecordType::A).is_err(), "{body}");
        }
        let huge = vec![b' '; MAX_DOH_RESPONSE_BYTES + 1];
        assert!(parse_doh_answer(&huge, RecordType::A).is_err());
    }

    #[test]
    fn query_urls() {
        assert_eq!(
            doh_query_url(DEFAULT_DOH_URL, "rdp.example.com", RecordType::Aaaa),
            "https://cloudflare-dns.com/dns-query?name=rdp.example.com&type=AAAA"
        );
    }
}
