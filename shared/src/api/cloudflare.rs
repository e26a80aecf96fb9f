//! Cloudflare's published address ranges, kept as the data file Cloudflare serves
//! (`cloudflare-ips.txt`) so that an update is a paste, not a code change.

use std::net::IpAddr;

const RANGES: &str = include_str!("cloudflare-ips.txt");

/// The Cloudflare range (`104.16.0.0/13`) that holds `ip`, if any.
pub(crate) fn cloudflare_range(ip: IpAddr) -> Option<&'static str> {
    ranges()
        .find(|&(network, prefix_len, _)| contains(network, prefix_len, ip))
        .map(|(_, _, text)| text)
}

/// Every range in the file; a line that does not parse is skipped (the unit test below fails on
/// one, so none ships).
fn ranges() -> impl Iterator<Item = (IpAddr, u8, &'static str)> {
    RANGES
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            parse_range(line).map(|(network, prefix_len)| (network, prefix_len, line))
        })
}

fn parse_range(text: &str) -> Option<(IpAddr, u8)> {
    let (network, prefix_len) = text.split_once('/')?;
    let network: IpAddr = network.parse().ok()?;
    let prefix_len: u8 = prefix_len.parse().ok()?;
    let bits = if network.is_ipv4() { 32 } else { 128 };
    (prefix_len <= bits).then_some((network, prefix_len))
}

fn contains(network: IpAddr, prefix_len: u8, ip: IpAddr) -> bool {
    match (network, ip.to_canonical()) {
        (IpAddr::V4(network), IpAddr::V4(ip)) => {
            let mask = u32::MAX
                .checked_shl(32 - u32::from(prefix_len))
                .unwrap_or(0);
            ip.to_bits() & mask == network.to_bits() & mask
        }
        (IpAddr::V6(network), IpAddr::V6(ip)) => {
            let mask = u128::MAX
                .checked_shl(128 - u32::from(prefix_len))
                .unwrap_or(0);
            ip.to_bits() & mask == network.to_bits() & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_published_range_parses() {
        let lines = RANGES
            .lines()
            .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
            .count();
        assert_eq!(ranges().count(), lines);
        assert_eq!(lines, 22, "15 IPv4 and 7 IPv6 ranges as published");
    }

    #[test]
    fn finds_the_range_of_an_address() {
        let range = |ip: &str| cloudflare_range(ip.parse().unwrap());
        assert_eq!(range("104.16.132.229"), Some("104.16.0.0/13"));
        assert_eq!(range("104.23.255.255"), Some("104.16.0.0/13"));
        assert_eq!(range("104.32.0.0"), None);
        assert_eq!(range("2606:4700:4700::1111"), Some("2606:4700::/32"));
        assert_eq!(range("2a06:98c7::1"), Some("2a06:98c0::/29"));
        assert_eq!(range("2a06:98c8::1"), None);
        assert_eq!(range("8.8.8.8"), None);
    }
}
