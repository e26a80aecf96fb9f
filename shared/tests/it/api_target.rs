//! The probe-target policy: every spelling of an address a resolver accepts is judged as that
//! address, and only public destinations on allowed ports pass.

use std::net::IpAddr;

use rdp_doctor_core::api::{
    ApiError, CheckedTarget, TargetPolicy, check_target, judge_resolved_addresses,
};

fn production() -> TargetPolicy {
    TargetPolicy::default()
}

fn development() -> TargetPolicy {
    TargetPolicy {
        allow_loopback: true,
        ..TargetPolicy::default()
    }
}

fn check(host: &str, policy: &TargetPolicy) -> Result<CheckedTarget, ApiError> {
    check_target(host, 3389, policy)
}

#[track_caller]
fn assert_refused(host: &str, policy: &TargetPolicy, code: &str) -> ApiError {
    match check(host, policy) {
        Ok(target) => panic!("{host:?} was allowed as {target:?}, expected {code}"),
        Err(error) => {
            assert_eq!(error.code(), code, "{host:?}: {error}");
            let expected_status = if code == "invalid_host" { 400 } else { 403 };
            assert_eq!(error.status(), expected_status, "{host:?}: {error}");
            error
        }
    }
}

#[test]
fn public_addresses_in_every_spelling_are_allowed_and_normalized() {
    let cases = [
        ("8.8.8.8", "8.8.8.8"),
        (" 8.8.8.8 ", "8.8.8.8"),
        ("8.8.8.8.", "8.8.8.8"),
        ("134744072", "8.8.8.8"),
        ("0x08080808", "8.8.8.8"),
        ("0X8080808", "8.8.8.8"),
        ("010.010.010.010", "8.8.8.8"),
        ("8.526344", "8.8.8.8"),
        ("8.8.2056", "8.8.8.8"),
        ("0x8.0x8.0x8.0x8", "8.8.8.8"),
        ("1.0.0.1", "1.0.0.1"),
        ("223.255.255.255", "223.255.255.255"),
        ("100.63.255.255", "100.63.255.255"),
        ("100.128.0.0", "100.128.0.0"),
        ("172.15.255.255", "172.15.255.255"),
        ("172.32.0.0", "172.32.0.0"),
        ("198.17.255.255", "198.17.255.255"),
        ("198.20.0.0", "198.20.0.0"),
        ("2001:4860:4860::8888", "2001:4860:4860::8888"),
        ("[2001:4860:4860::8888]", "2001:4860:4860::8888"),
        ("2001:4860:4860:0:0:0:0:8888", "2001:4860:4860::8888"),
        ("::ffff:8.8.8.8", "8.8.8.8"),
        ("[::ffff:808:808]", "8.8.8.8"),
        ("64:ff9b::808:808", "64:ff9b::808:808"),
        ("2002:808:808::1", "2002:808:808::1"),
    ];
    for (host, normalized) in cases {
        let target = check(host, &production()).unwrap_or_else(|e| panic!("{host:?}: {e}"));
        assert_eq!(target.host, normalized, "{host:?}");
        assert_eq!(target.port, 3389);
        assert_eq!(
            target.ip,
            Some(normalized.parse::<IpAddr>().unwrap()),
            "{host:?}"
        );
    }
}

#[test]
fn special_purpose_ipv4_is_refused_in_every_spelling() {
    let cases = [
        // Loopback, as inet_aton reads it.
        ("127.0.0.1", "127.0.0.0/8"),
        ("127.1", "127.0.0.0/8"),
        ("127.0.1", "127.0.0.0/8"),
        ("2130706433", "127.0.0.0/8"),
        ("0x7f000001", "127.0.0.0/8"),
        ("0x7F000001", "127.0.0.0/8"),
        ("0177.0.0.1", "127.0.0.0/8"),
        ("0177.0.0.01", "127.0.0.0/8"),
        ("0x7f.1", "127.0.0.0/8"),
        ("0x7f.0x0.0x0.0x1", "127.0.0.0/8"),
        ("017700000001", "127.0.0.0/8"),
        ("127.255.255.254", "127.0.0.0/8"),
        ("127.0.0.1.", "127.0.0.0/8"),
        // Private, shared and local.
        ("10.0.0.1", "10.0.0.0/8"),
        ("10.1", "10.0.0.0/8"),
        ("012.1", "10.0.0.0/8"),
        ("167772161", "10.0.0.0/8"),
        ("172.16.0.1", "172.16.0.0/12"),
        ("172.31.255.255", "172.16.0.0/12"),
        ("192.168.1.1", "192.168.0.0/16"),
        ("0xc0a80101", "192.168.0.0/16"),
        ("192.168.257", "192.168.0.0/16"),
        ("100.64.0.1", "100.64.0.0/10"),
        ("100.127.255.255", "100.64.0.0/10"),
        ("169.254.169.254", "169.254.0.0/16"),
        // Special-purpose.
        ("0.0.0.0", "0.0.0.0/8"),
        ("0", "0.0.0.0/8"),
        ("0.1.2.3", "0.0.0.0/8"),
        ("192.0.0.8", "192.0.0.0/24"),
        ("192.0.2.1", "192.0.2.0/24"),
        ("198.51.100.7", "198.51.100.0/24"),
        ("203.0.113.9", "203.0.113.0/24"),
        ("198.18.0.1", "198.18.0.0/15"),
        ("198.19.255.255", "198.18.0.0/15"),
        ("192.88.99.1", "192.88.99.0/24"),
        ("224.0.0.1", "224.0.0.0/4"),
        ("239.255.255.250", "224.0.0.0/4"),
        ("240.0.0.1", "240.0.0.0/4"),
        ("255.255.255.254", "240.0.0.0/4"),
        ("255.255.255.255", "255.255.255.255/32"),
        ("4294967295", "255.255.255.255/32"),
    ];
    for (host, block) in cases {
        let error = assert_refused(host, &production(), "target_not_allowed");
        assert!(
            error.message().contains(block),
            "{host:?} should name {block}: {}",
            error.message()
        );
    }
}

#[test]
fn special_purpose_ipv6_is_refused() {
    let cases = [
        ("::1", "::1/128"),
        ("[::1]", "::1/128"),
        ("0:0:0:0:0:0:0:1", "::1/128"),
        ("::", "::/128"),
        ("[::]", "::/128"),
        ("fc00::1", "fc00::/7"),
        ("fd12:3456:789a::1", "fc00::/7"),
        ("fe80::1", "fe80::/10"),
        ("febf::1", "fe80::/10"),
        ("fec0::1", "fec0::/10"),
        ("ff02::1", "ff00::/8"),
        ("2001:db8::1", "2001:db8::/32"),
        ("3fff::1", "3fff::/20"),
        ("2001::1", "2001::/32"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::/32"),
        ("100::1", "100::/64"),
        ("64:ff9b:1::1", "64:ff9b:1::/48"),
        // Outside global unicast 2000::/3.
        ("4000::1", "2000::/3"),
        ("::2:0:0", "2000::/3"),
        // IPv4 inside IPv6: the embedded address decides.
        ("::ffff:127.0.0.1", "127.0.0.0/8"),
        ("[::ffff:7f00:1]", "127.0.0.0/8"),
        ("::ffff:10.0.0.1", "10.0.0.0/8"),
        ("::ffff:169.254.169.254", "169.254.0.0/16"),
        // IPv4-compatible: deprecated and routed nowhere, whatever it carries.
        ("::127.0.0.1", "::/96"),
        ("::10.1.2.3", "::/96"),
        ("::8.8.8.8", "::/96"),
        ("[::808:808]", "::/96"),
        // Benchmarking and ORCHID blocks inside 2001::/23.
        ("2001:2::1", "2001:2::/48"),
        ("2001:2:0:ffff::1", "2001:2::/48"),
        ("2001:10::1", "2001:10::/28"),
        ("2001:1f:ffff::1", "2001:10::/28"),
        ("2001:20::1", "2001:20::/28"),
        ("64:ff9b::10.0.0.1", "10.0.0.0/8"),
        ("64:ff9b::7f00:1", "127.0.0.0/8"),
        ("2002:c0a8:0101::1", "192.168.0.0/16"),
        ("2002:7f00:1::", "127.0.0.0/8"),
        ("2002:a00:1::1", "10.0.0.0/8"),
    ];
    for (host, block) in cases {
        let error = assert_refused(host, &production(), "target_not_allowed");
        assert!(
            error.message().contains(block),
            "{host:?} should name {block}: {}",
            error.message()
        );
    }
}

#[test]
fn cloudflare_ranges_are_refused_with_an_explanation() {
    // First and last addresses of published ranges (https://www.cloudflare.com/ips-v4, -v6),
    // in several spellings, plain and mapped.
    let cases = [
        ("104.16.0.0", "104.16.0.0/13"),
        ("104.23.255.255", "104.16.0.0/13"),
        ("0x68100001", "104.16.0.0/13"),
        ("::ffff:104.16.0.1", "104.16.0.0/13"),
        ("173.245.48.1", "173.245.48.0/20"),
        ("131.0.75.255", "131.0.72.0/22"),
        ("2606:4700:4700::1111", "2606:4700::/32"),
        ("[2a06:98c7:ffff::1]", "2a06:98c0::/29"),
        ("2c0f:f248::1", "2c0f:f248::/32"),
    ];
    for (host, range) in cases {
        for policy in [production(), development()] {
            let error = assert_refused(host, &policy, "target_not_allowed");
            assert!(
                error.message().contains(range) && error.message().contains("Cloudflare"),
                "{host:?} should name {range}: {}",
                error.message()
            );
        }
    }
    // Next to them, not Cloudflare's.
    for host in ["104.15.255.255", "104.32.0.0", "131.0.76.0", "2606:4701::1"] {
        assert!(check(host, &production()).is_ok(), "{host}");
    }
}

#[test]
fn every_address_of_a_name_is_judged() {
    let ip = |text: &str| text.parse::<IpAddr>().unwrap();
    let public = [ip("2001:4860::8888"), ip("8.8.8.8"), ip("8.8.4.4")];
    assert_eq!(
        judge_resolved_addresses("rdp.example.com", &public, &production()),
        Ok(Some(ip("8.8.8.8"))),
        "the first IPv4 address is the one connected to"
    );
    assert_eq!(
        judge_resolved_addresses("v6.example.com", &[ip("2001:4860::8888")], &production()),
        Ok(Some(ip("2001:4860::8888")))
    );
    assert_eq!(
        judge_resolved_addresses("none.example.com", &[], &production()),
        Ok(None)
    );
    for (addresses, block) in [
        (vec![ip("127.0.0.1")], "127.0.0.0/8"),
        (vec![ip("8.8.8.8"), ip("10.0.0.5")], "10.0.0.0/8"),
        (
            vec![ip("8.8.8.8"), ip("::ffff:192.168.1.1")],
            "192.168.0.0/16",
        ),
        (vec![ip("fd00::1"), ip("8.8.8.8")], "fc00::/7"),
        (vec![ip("104.16.0.1")], "104.16.0.0/13"),
    ] {
        let error =
            judge_resolved_addresses("rebind.example.com", &addresses, &production()).unwrap_err();
        assert_eq!(error.code(), "target_not_allowed");
        assert!(
            error
                .message()
                .starts_with("rebind.example.com resolves to ")
                && error.message().contains(block),
            "{addresses:?}: {}",
            error.message()
        );
    }
    // Development allows loopback behind a name too, and nothing else private.
    assert_eq!(
        judge_resolved_addresses("dev.example.com", &[ip("127.0.0.1")], &development()),
        Ok(Some(ip("127.0.0.1")))
    );
    assert!(
        judge_resolved_addresses("dev.example.com", &[ip("10.0.0.1")], &development()).is_err()
    );
}

#[test]
fn zone_indexes_are_refused() {
    for host in [
        "fe80::1%eth0",
        "[fe80::1%25eth0]",
        "2606:4700::1%1",
        "[fe80::1%eth0]",
    ] {
        let error = assert_refused(host, &production(), "target_not_allowed");
        assert!(
            error.message().contains("zone"),
            "{host:?}: {}",
            error.message()
        );
    }
}

#[test]
fn malformed_addresses_are_invalid_hosts() {
    let cases = [
        "256.0.0.1",
        "1.2.3.4.5",
        "1.2.3.256",
        "1.2.65536",
        "1.16777216",
        "4294967296",
        "0x100000000",
        "08.0.0.1",
        "0129.0.0.1",
        "127..1",
        "127.0.0.1..",
        ".127.0.0.1",
        "+1.2.3.4",
        "1.2.3.+4",
        "1.2.3.-4",
        "0xg.1",
        "1.2.3.0x",
        "0x",
        "0x.1",
        "example.123",
        "example.0x1f",
        "::ffff:0x7f.1",
        "fe80:::1",
        "2001:db8::1::2",
        "[::1",
        "[not-an-address]",
        "[127.0.0.1]",
        "1:2:3:4:5:6:7:8:9",
    ];
    for host in cases {
        assert_refused(host, &production(), "invalid_host");
    }
}

#[test]
fn host_names_are_validated() {
    let long_label = format!("{}.example.com", "a".repeat(64));
    let too_long = format!("{}.com", vec!["a".repeat(60); 5].join("."));
    let cases = [
        ("", "enter a host"),
        ("   ", "enter a host"),
        ("exa mple.com", "cannot appear"),
        ("exa_mple.com", "cannot appear"),
        ("user@example.com", "cannot appear"),
        ("-example.com", "start or end"),
        ("example-.com", "start or end"),
        ("example..com", "empty label"),
        (".example.com", "empty label"),
        ("example.com..", "empty label"),
        (long_label.as_str(), "at most 63"),
        (too_long.as_str(), "at most 253"),
        ("bücher.example", "ASCII"),
        ("例え.jp", "ASCII"),
        ("rdp://server.example.com", "not a URL"),
        ("https://server.example.com/", "not a URL"),
        ("server.example.com/path", "not a URL"),
        ("server.example.com:3389", "port field"),
        ("8.8.8.8:3389", "port field"),
        ("[2606:4700::1]:3389", "port field"),
    ];
    for (host, hint) in cases {
        let error = assert_refused(host, &production(), "invalid_host");
        assert!(
            error.message().contains(hint),
            "{host:?} should mention {hint:?}: {}",
            error.message()
        );
    }
}

#[test]
fn public_names_are_allowed_and_normalized() {
    let cases = [
        ("rdp.example.com", "rdp.example.com"),
        ("RDP.Example.COM", "rdp.example.com"),
        ("rdp.example.com.", "rdp.example.com"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("a-b.c-d.example", "a-b.c-d.example"),
        ("1.2.3.4a", "1.2.3.4a"),
        ("123.example.com", "123.example.com"),
        ("localhost.example.com", "localhost.example.com"),
        ("mylocal.com", "mylocal.com"),
    ];
    for (host, normalized) in cases {
        let target = check(host, &production()).unwrap_or_else(|e| panic!("{host:?}: {e}"));
        assert_eq!(
            target,
            CheckedTarget {
                host: normalized.to_owned(),
                port: 3389,
                ip: None
            }
        );
    }
    let longest = [
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(63),
        "d".repeat(61),
    ]
    .join(".");
    assert_eq!(longest.len(), 253);
    assert!(check(&longest, &production()).is_ok());
}

#[test]
fn private_network_names_are_refused() {
    let cases = [
        "localhost",
        "LOCALHOST",
        "localhost.",
        "foo.localhost",
        "localhost.localdomain",
        "LOCALHOST.LOCALDOMAIN.",
        "printer.local",
        "db.internal",
        "nas.lan",
        "router.home.arpa",
        "pc.home",
        "dc01.corp",
        "app.intranet",
        "x.private",
        "server",
        "rdp-gateway",
    ];
    for host in cases {
        assert_refused(host, &production(), "target_not_allowed");
    }
}

#[test]
fn development_allows_loopback_and_nothing_else_private() {
    let dev = development();
    for (host, normalized) in [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("::1", "::1"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "127.0.0.1"),
        ("localhost", "localhost"),
        ("LocalHost.", "localhost"),
    ] {
        let target = check(host, &dev).unwrap_or_else(|e| panic!("{host:?}: {e}"));
        assert_eq!(target.host, normalized, "{host:?}");
    }
    for host in [
        "10.0.0.1",
        "192.168.0.1",
        "169.254.169.254",
        "0.0.0.0",
        "::",
        "fe80::1",
        "fc00::1",
        "64:ff9b::7f00:1",
        "2002:7f00:1::",
        "::127.0.0.1",
        "foo.localhost",
        "printer.local",
        "server",
    ] {
        assert_refused(host, &dev, "target_not_allowed");
    }
}

#[test]
fn only_allowed_ports_pass() {
    let policy = TargetPolicy {
        allowed_ports: vec![3389, 3390],
        allow_loopback: false,
    };
    assert_eq!(
        check_target("8.8.8.8", 3390, &policy).map(|t| t.port),
        Ok(3390)
    );
    for port in [0, 22, 80, 443, 3388, 65535] {
        let error = check_target("8.8.8.8", port, &policy).unwrap_err();
        assert_eq!(
            (error.status(), error.code()),
            (403, "port_not_allowed"),
            "port {port}"
        );
        assert!(
            error.message().contains("3389, 3390"),
            "{}",
            error.message()
        );
    }
    let error = check_target("8.8.8.8", 3390, &TargetPolicy::default()).unwrap_err();
    assert_eq!(error.code(), "port_not_allowed");
}

#[test]
fn a_malformed_host_is_reported_before_a_refused_port() {
    let error = check_target("not a host", 22, &TargetPolicy::default()).unwrap_err();
    assert_eq!(error.code(), "invalid_host");
}

#[test]
fn normalization_is_idempotent() {
    for host in [
        "0x7f.1",
        "RDP.example.COM.",
        "::ffff:8.8.8.8",
        "[2606:4700::1]",
        "010.010.010.010",
    ] {
        let policy = development();
        let Ok(first) = check(host, &policy) else {
            continue;
        };
        assert_eq!(check(&first.host, &policy), Ok(first.clone()), "{host:?}");
    }
}
