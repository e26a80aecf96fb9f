//! Which destinations the public probe may connect to.
//!
//! The probe opens TCP connections on a visitor's behalf, so without this policy it would be a
//! port scanner into whatever network the Worker runs in. Addresses are judged here against the
//! IANA special-purpose registries and Cloudflare's own ranges; names are validated and refused
//! when they only make sense inside a private network. A name that passes is resolved by the
//! Worker itself (`resolve.rs`), every address it has is judged here again
//! ([`judge_resolved_addresses`]), and the probe connects to the checked address, never to the
//! name, so DNS cannot lead it anywhere this policy refuses.
//!
//! Hand-written because the standard library's `IpAddr::is_global` is still unstable and no
//! crate judges the legacy IPv4 spellings (`0x7f.1`) that resolvers accept.

use std::fmt::Display;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use super::ApiError;
use super::cloudflare::cloudflare_range;
use crate::report::Target;

/// The longest DNS name in presentation form (RFC 1035, without the trailing dot).
pub const MAX_HOST_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

/// What the probe may connect to. The defaults are the production policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetPolicy {
    pub allowed_ports: Vec<u16>,
    /// Allow 127.0.0.0/8, ::1 and `localhost` (and names resolving to loopback): for local
    /// development and tests only.
    pub allow_loopback: bool,
}

impl Default for TargetPolicy {
    fn default() -> Self {
        TargetPolicy {
            allowed_ports: vec![Target::DEFAULT_PORT],
            allow_loopback: false,
        }
    }
}

/// A destination that passed the policy, with its address when it is one. `host` is normalized: an address in its canonical text
/// form (`0x7f.1` becomes `127.0.0.1`, `[::ffff:1.2.3.4]` becomes `1.2.3.4`), or a lower-case
/// name without a trailing dot. Connect to `host`, never to what the person typed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedTarget {
    pub host: String,
    pub port: u16,
    /// Set when the host is an address rather than a name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
}

/// Validates `host` and `port` against `policy`: 400 `invalid_host` for malformed hosts,
/// 403 `port_not_allowed` / `target_not_allowed` for well-formed destinations the policy refuses.
pub fn check_target(
    host: &str,
    port: u16,
    policy: &TargetPolicy,
) -> Result<CheckedTarget, ApiError> {
    let parsed = parse_host(host)?;
    if !policy.allowed_ports.contains(&port) {
        return Err(ApiError::PortNotAllowed {
            port,
            allowed: policy.allowed_ports.clone(),
        });
    }
    match parsed {
        Host::Ip {
            ip,
            zone: Some(zone),
        } => Err(ApiError::TargetNotAllowed(format!(
            "{ip}%{zone} has a zone index: scoped addresses point into a local network"
        ))),
        Host::Ip { ip, zone: None } => {
            let ip = judge_ip(ip, policy.allow_loopback).map_err(ApiError::TargetNotAllowed)?;
            Ok(CheckedTarget {
                host: ip.to_string(),
                port,
                ip: Some(ip),
            })
        }
        Host::Name(name) => {
            judge_name(&name, policy.allow_loopback)?;
            Ok(CheckedTarget {
                host: name,
                port,
                ip: None,
            })
        }
    }
}

enum Host {
    Ip { ip: IpAddr, zone: Option<String> },
    Name(String),
}

fn parse_host(raw: &str) -> Result<Host, ApiError> {
    let host = raw.trim_ascii();
    if host.is_empty() {
        return Err(invalid_host("enter a host name or IP address"));
    }
    if host.len() > MAX_HOST_LEN {
        return Err(invalid_host(format!(
            "a host name has at most {MAX_HOST_LEN} characters"
        )));
    }
    if !host.is_ascii() {
        return Err(invalid_host(
            "host names must be ASCII; enter an internationalized name in its xn-- (punycode) form",
        ));
    }
    if host.contains("://") || host.contains('/') {
        return Err(invalid_host(
            "enter just the host name or address, not a URL",
        ));
    }
    if let Some(bracketed) = host.strip_prefix('[') {
        return match bracketed.strip_suffix(']') {
            Some(inner) => parse_ipv6(inner),
            None if bracketed.contains("]:") => Err(port_in_host()),
            None => Err(invalid_host(format!(
                "{host} is missing its closing bracket"
            ))),
        };
    }
    if host.contains(':') {
        return match host.split_once(':') {
            Some((_, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => {
                Err(port_in_host())
            }
            _ => parse_ipv6(host),
        };
    }
    // One trailing dot marks a fully qualified name (and resolvers accept it after an address).
    let host = host.strip_suffix('.').unwrap_or(host);
    // As in the WHATWG URL host parser: a host whose last label is a number is an IPv4 address
    // (in any spelling inet_aton(3) accepts) or nothing, never a name.
    if host.rsplit('.').next().is_some_and(is_ipv4_number_label) {
        return parse_ipv4_any_spelling(host)
            .map(|ip| Host::Ip {
                ip: IpAddr::V4(ip),
                zone: None,
            })
            .ok_or_else(|| {
                invalid_host(format!("{host} looks like an IPv4 address but is not one"))
            });
    }
    validate_dns_name(host).map(Host::Name)
}

fn invalid_host(message: impl Into<String>) -> ApiError {
    ApiError::InvalidHost(message.into())
}

fn port_in_host() -> ApiError {
    invalid_host("enter the port in the port field, not after the host")
}

fn parse_ipv6(text: &str) -> Result<Host, ApiError> {
    let (address, zone) = match text.split_once('%') {
        Some((address, zone)) => (address, Some(zone.to_owned())),
        None => (text, None),
    };
    address
        .parse::<Ipv6Addr>()
        .map(|ip| Host::Ip {
            ip: IpAddr::V6(ip),
            zone,
        })
        .map_err(|_| invalid_host(format!("{text} is not a valid IPv6 address")))
}

/// A label that makes the whole host an IPv4 address: decimal digits, or `0x` and hex digits.
fn is_ipv4_number_label(label: &str) -> bool {
    let digits = label
        .strip_prefix("0x")
        .or_else(|| label.strip_prefix("0X"));
    match digits {
        Some(hex) => hex.bytes().all(|b| b.is_ascii_hexdigit()),
        None => !label.is_empty() && label.bytes().all(|b| b.is_ascii_digit()),
    }
}

/// IPv4 as inet_aton(3) reads it: one to four parts, each decimal, `0x` hex or `0` octal; the
/// last part fills all remaining bytes (`127.1` is 127.0.0.1, `2130706433` is 127.0.0.1).
fn parse_ipv4_any_spelling(text: &str) -> Option<Ipv4Addr> {
    let mut parts = [0u32; 4];
    let mut count = 0;
    for part in text.split('.') {
        *parts.get_mut(count)? = parse_ipv4_part(part)?;
        count += 1;
    }
    let (&last, leading) = parts.get(..count)?.split_last()?;
    if leading.iter().any(|&part| part > 0xff) {
        return None;
    }
    let last_bits = 8 * (4 - leading.len() as u32);
    if last_bits < 32 && last >> last_bits != 0 {
        return None;
    }
    let high = leading
        .iter()
        .enumerate()
        .fold(0u32, |acc, (i, &part)| acc | part << (24 - 8 * i));
    Some(Ipv4Addr::from(high | last))
}

fn parse_ipv4_part(part: &str) -> Option<u32> {
    let hex = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X"));
    let octal = part.strip_prefix('0').filter(|rest| !rest.is_empty());
    let (digits, radix) = match (hex, octal) {
        (Some(hex), _) => (hex, 16),
        (None, Some(octal)) => (octal, 8),
        (None, None) => (part, 10),
    };
    // Empty parts (`127..1`) are errors, and so is a bare `0x`: resolvers disagree on it
    // (WHATWG reads zero, glibc refuses), and a host is refused rather than guessed at.
    // `from_str_radix` alone would also accept a leading `+`.
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u32::from_str_radix(digits, radix).ok()
}

/// LDH labels (letters, digits, hyphen; RFC 1123), 1–63 characters, no hyphen at either end.
fn validate_dns_name(host: &str) -> Result<String, ApiError> {
    for label in host.split('.') {
        if label.is_empty() {
            return Err(invalid_host(format!("{host} has an empty label (\"..\")")));
        }
        if label.len() > MAX_LABEL_LEN {
            return Err(invalid_host(format!(
                "each part of a host name has at most {MAX_LABEL_LEN} characters"
            )));
        }
        if let Some(bad) = label
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || c == '-'))
        {
            return Err(invalid_host(format!(
                "{bad:?} cannot appear in a host name (letters, digits, '-' and '.' only)"
            )));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(invalid_host(format!(
                "host name parts cannot start or end with '-' ({label})"
            )));
        }
    }
    Ok(host.to_ascii_lowercase())
}

/// Suffixes that only resolve inside a private network, with why.
const PRIVATE_NAME_SUFFIXES: &[(&str, &str)] = &[
    ("localhost", "names the local machine (RFC 6761)"),
    (
        "localdomain",
        "is the local machine's own domain (`localhost.localdomain` in /etc/hosts)",
    ),
    (
        "local",
        "is multicast DNS, resolved only on the local link (RFC 6762)",
    ),
    ("internal", "is reserved for private networks"),
    ("home.arpa", "is reserved for home networks (RFC 8375)"),
    ("lan", "is a private-network name (RFC 6762, appendix G)"),
    ("home", "is a private-network name (RFC 6762, appendix G)"),
    ("corp", "is a private-network name (RFC 6762, appendix G)"),
    (
        "intranet",
        "is a private-network name (RFC 6762, appendix G)",
    ),
    (
        "private",
        "is a private-network name (RFC 6762, appendix G)",
    ),
];

fn judge_name(name: &str, allow_loopback: bool) -> Result<(), ApiError> {
    if allow_loopback && name == "localhost" {
        return Ok(());
    }
    for (suffix, why) in PRIVATE_NAME_SUFFIXES {
        let matches = name
            .strip_suffix(suffix)
            .is_some_and(|head| head.is_empty() || head.ends_with('.'));
        if matches {
            return Err(ApiError::TargetNotAllowed(format!(
                "{name}: .{suffix} {why}; the probe only reaches public hosts"
            )));
        }
    }
    if !name.contains('.') {
        return Err(ApiError::TargetNotAllowed(format!(
            "{name} is a single-label name, which resolves only inside a local network; \
             enter the full name, e.g. {name}.example.com"
        )));
    }
    Ok(())
}

/// An address block the probe refuses to reach.
struct Block<A> {
    network: A,
    prefix_len: u8,
    what: &'static str,
}

const fn v4(a: u8, b: u8, c: u8, d: u8, prefix_len: u8, what: &'static str) -> Block<Ipv4Addr> {
    Block {
        network: Ipv4Addr::new(a, b, c, d),
        prefix_len,
        what,
    }
}

/// IANA IPv4 special-purpose blocks that are not reachable on the public internet.
/// Checked in order: the more specific block comes first where blocks nest.
const REFUSED_V4: &[Block<Ipv4Addr>] = &[
    v4(255, 255, 255, 255, 32, "limited broadcast"),
    v4(
        0,
        0,
        0,
        0,
        8,
        "\"this network\", including the unspecified address",
    ),
    v4(10, 0, 0, 0, 8, "private (RFC 1918)"),
    v4(
        100,
        64,
        0,
        0,
        10,
        "carrier-grade NAT shared space (RFC 6598)",
    ),
    v4(127, 0, 0, 0, 8, "loopback"),
    v4(169, 254, 0, 0, 16, "link-local"),
    v4(172, 16, 0, 0, 12, "private (RFC 1918)"),
    v4(192, 0, 0, 0, 24, "IETF protocol assignments"),
    v4(192, 0, 2, 0, 24, "documentation (TEST-NET-1)"),
    v4(192, 88, 99, 0, 24, "the retired 6to4 relay anycast"),
    v4(192, 168, 0, 0, 16, "private (RFC 1918)"),
    v4(198, 18, 0, 0, 15, "benchmarking"),
    v4(198, 51, 100, 0, 24, "documentation (TEST-NET-2)"),
    v4(203, 0, 113, 0, 24, "documentation (TEST-NET-3)"),
    v4(224, 0, 0, 0, 4, "multicast"),
    v4(240, 0, 0, 0, 4, "reserved"),
];

/// How an IPv6 block is judged.
enum V6Rule {
    Refuse,
    /// The block carries an IPv4 address; judge that address.
    EmbedsIpv4(fn(Ipv6Addr) -> Ipv4Addr),
}

struct V6Block {
    block: Block<Ipv6Addr>,
    rule: V6Rule,
}

const fn v6(network: [u16; 8], prefix_len: u8, what: &'static str, rule: V6Rule) -> V6Block {
    let [a, b, c, d, e, f, g, h] = network;
    V6Block {
        block: Block {
            network: Ipv6Addr::new(a, b, c, d, e, f, g, h),
            prefix_len,
            what,
        },
        rule,
    }
}

fn low_32_bits(ip: Ipv6Addr) -> Ipv4Addr {
    Ipv4Addr::from(ip.to_bits() as u32)
}

fn six_to_four_ipv4(ip: Ipv6Addr) -> Ipv4Addr {
    Ipv4Addr::from((ip.to_bits() >> 80) as u32)
}

/// IANA IPv6 special-purpose blocks, in order (more specific first). IPv4-mapped addresses are
/// converted to IPv4 before this table; anything outside global unicast 2000::/3 that no entry
/// names is refused as well.
const REFUSED_V6: &[V6Block] = &[
    v6(
        [0, 0, 0, 0, 0, 0, 0, 0],
        128,
        "the unspecified address",
        V6Rule::Refuse,
    ),
    v6([0, 0, 0, 0, 0, 0, 0, 1], 128, "loopback", V6Rule::Refuse),
    // Deprecated by RFC 4291 (2.5.5.1) and routed nowhere, whatever IPv4 address it carries.
    v6(
        [0, 0, 0, 0, 0, 0, 0, 0],
        96,
        "IPv4-compatible, deprecated and not routed",
        V6Rule::Refuse,
    ),
    v6(
        [0x64, 0xff9b, 0, 0, 0, 0, 0, 0],
        96,
        "NAT64",
        V6Rule::EmbedsIpv4(low_32_bits),
    ),
    v6(
        [0x64, 0xff9b, 1, 0, 0, 0, 0, 0],
        48,
        "local-use NAT64",
        V6Rule::Refuse,
    ),
    v6(
        [0x100, 0, 0, 0, 0, 0, 0, 0],
        64,
        "discard-only",
        V6Rule::Refuse,
    ),
    v6(
        [0x2001, 0xdb8, 0, 0, 0, 0, 0, 0],
        32,
        "documentation",
        V6Rule::Refuse,
    ),
    v6([0x2001, 0, 0, 0, 0, 0, 0, 0], 32, "Teredo", V6Rule::Refuse),
    v6(
        [0x2001, 2, 0, 0, 0, 0, 0, 0],
        48,
        "benchmarking (RFC 5180)",
        V6Rule::Refuse,
    ),
    v6(
        [0x2001, 0x10, 0, 0, 0, 0, 0, 0],
        28,
        "ORCHID, deprecated (RFC 4843)",
        V6Rule::Refuse,
    ),
    v6(
        [0x2001, 0x20, 0, 0, 0, 0, 0, 0],
        28,
        "ORCHIDv2 identifiers, not routed (RFC 7343)",
        V6Rule::Refuse,
    ),
    v6(
        [0x2002, 0, 0, 0, 0, 0, 0, 0],
        16,
        "6to4",
        V6Rule::EmbedsIpv4(six_to_four_ipv4),
    ),
    v6(
        [0x3fff, 0, 0, 0, 0, 0, 0, 0],
        20,
        "documentation",
        V6Rule::Refuse,
    ),
    v6(
        [0xfc00, 0, 0, 0, 0, 0, 0, 0],
        7,
        "unique local (private)",
        V6Rule::Refuse,
    ),
    v6(
        [0xfe80, 0, 0, 0, 0, 0, 0, 0],
        10,
        "link-local",
        V6Rule::Refuse,
    ),
    v6(
        [0xfec0, 0, 0, 0, 0, 0, 0, 0],
        10,
        "site-local (deprecated)",
        V6Rule::Refuse,
    ),
    v6(
        [0xff00, 0, 0, 0, 0, 0, 0, 0],
        8,
        "multicast",
        V6Rule::Refuse,
    ),
];

const GLOBAL_UNICAST_V6: Block<Ipv6Addr> = Block {
    network: Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0),
    prefix_len: 3,
    what: "global unicast",
};

fn v4_contains(block: &Block<Ipv4Addr>, ip: Ipv4Addr) -> bool {
    let mask = u32::MAX
        .checked_shl(32 - u32::from(block.prefix_len))
        .unwrap_or(0);
    ip.to_bits() & mask == block.network.to_bits()
}

fn v6_contains(block: &Block<Ipv6Addr>, ip: Ipv6Addr) -> bool {
    let mask = u128::MAX
        .checked_shl(128 - u32::from(block.prefix_len))
        .unwrap_or(0);
    ip.to_bits() & mask == block.network.to_bits()
}

/// Why an address is refused, as a sentence that starts with the address.
type Refusal = String;

fn refusal(ip: impl Display, block: &Block<impl Display>) -> Refusal {
    format!(
        "{ip} is in {}/{}: {}; the probe only connects to public addresses",
        block.network, block.prefix_len, block.what
    )
}

/// Judges every address a name resolved to and returns the one to connect to: the first IPv4
/// address, else the first IPv6 one. One refused address refuses the name, since which address
/// a connection would use is the resolver's choice, and a rebinding name mixes a public address
/// with a private one. `None` when there is no address at all.
pub fn judge_resolved_addresses(
    name: &str,
    addresses: &[IpAddr],
    policy: &TargetPolicy,
) -> Result<Option<IpAddr>, ApiError> {
    let mut checked = Vec::with_capacity(addresses.len());
    for &address in addresses {
        let ip = judge_ip(address, policy.allow_loopback).map_err(|reason| {
            ApiError::TargetNotAllowed(format!(
                "{name} resolves to {address}, and {reason} (every address a name has is \
                 checked)"
            ))
        })?;
        checked.push(ip);
    }
    Ok(checked
        .iter()
        .find(|ip| ip.is_ipv4())
        .or(checked.first())
        .copied())
}

/// Returns the address to connect to (IPv4-mapped IPv6 becomes plain IPv4), or why not.
fn judge_ip(ip: IpAddr, allow_loopback: bool) -> Result<IpAddr, Refusal> {
    if allow_loopback && ip.is_loopback() {
        return Ok(ip);
    }
    let ip = match ip {
        IpAddr::V4(v4) => judge_ipv4(v4).map(IpAddr::V4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) if allow_loopback && v4.is_loopback() => Ok(IpAddr::V4(v4)),
            Some(v4) => judge_ipv4(v4).map(IpAddr::V4),
            None => judge_ipv6(v6).map(IpAddr::V6),
        },
    }?;
    match cloudflare_range(ip) {
        Some(range) => Err(format!(
            "{ip} is in {range}, Cloudflare's own network: a Cloudflare Worker cannot open TCP \
             connections to Cloudflare's addresses, so this service cannot test it; run \
             `rdp-doctor probe` from another network"
        )),
        None => Ok(ip),
    }
}

fn judge_ipv4(ip: Ipv4Addr) -> Result<Ipv4Addr, Refusal> {
    match REFUSED_V4.iter().find(|block| v4_contains(block, ip)) {
        Some(block) => Err(refusal(ip, block)),
        None => Ok(ip),
    }
}

fn judge_ipv6(ip: Ipv6Addr) -> Result<Ipv6Addr, Refusal> {
    let Some(entry) = REFUSED_V6
        .iter()
        .find(|entry| v6_contains(&entry.block, ip))
    else {
        return if v6_contains(&GLOBAL_UNICAST_V6, ip) {
            Ok(ip)
        } else {
            Err(format!(
                "{ip} is outside global unicast 2000::/3 and not routed on the internet"
            ))
        };
    };
    match entry.rule {
        V6Rule::Refuse => Err(refusal(ip, &entry.block)),
        // Loopback inside these forms is refused even in development: only plain loopback is
        // the development exception.
        V6Rule::EmbedsIpv4(extract) => match judge_ipv4(extract(ip)) {
            Ok(_) => Ok(ip),
            Err(inner) => Err(format!(
                "{ip} embeds an IPv4 address ({}): {inner}",
                entry.block.what
            )),
        },
    }
}
