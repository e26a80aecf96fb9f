//! The properties the `api_request` fuzz target and `api_no_panic.rs` check on any input:
//! nothing panics, every refusal is a client error, normalization is a fixed point, and nothing
//! accepted is an address the standard library itself calls non-public. One copy, included by
//! both (`#[path]` from `fuzz/fuzz_targets/api_request.rs`).

use std::net::IpAddr;

use rdp_doctor_core::api::{ApiError, CheckedTarget, ProbeRequest, TargetPolicy, check_target};

fn assert_client_error(error: &ApiError, input: &[u8]) {
    assert!(
        matches!(error.status(), 400 | 403 | 413) && !error.message().is_empty(),
        "{error} for {:?}",
        String::from_utf8_lossy(input)
    );
}

/// An oracle independent of the policy's own tables: the standard library's predicates.
fn is_plainly_non_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_unspecified()
                || v4.is_documentation()
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || v6.is_unique_local()
                || v6.is_unicast_link_local()
                || v6.to_ipv4_mapped().is_some()
        }
    }
}

/// Checks an accepted target; returns whether it was an address (so the test can tell that
/// mutations really reached the address judgement).
fn check_accepted(target: &CheckedTarget, policy: &TargetPolicy) -> bool {
    if let Some(ip) = target.ip {
        let loopback_allowed = policy.allow_loopback && ip.is_loopback();
        assert!(
            loopback_allowed || !is_plainly_non_public(ip),
            "accepted {target:?}"
        );
    }
    assert_eq!(
        check_target(&target.host, target.port, policy).as_ref(),
        Ok(target),
        "not idempotent"
    );
    target.ip.is_some()
}

/// Returns how many accepted targets were addresses.
pub fn exercise(input: &[u8]) -> usize {
    let policies = [
        TargetPolicy::default(),
        TargetPolicy {
            allow_loopback: true,
            ..TargetPolicy::default()
        },
    ];
    let host = String::from_utf8_lossy(input);
    let mut addresses = 0;
    for policy in &policies {
        let results = [
            check_target(&host, 3389, policy),
            ProbeRequest::from_json(input).and_then(|request| request.target(policy)),
        ];
        for result in results {
            match result {
                Ok(target) => addresses += usize::from(check_accepted(&target, policy)),
                Err(error) => assert_client_error(&error, input),
            }
        }
    }
    addresses
}
