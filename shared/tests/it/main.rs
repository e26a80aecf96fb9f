//! Every integration test of this crate in one binary: one link instead of one per file.

// A test stops loudly on the first surprise.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod analyze_bench;
mod analyze_cert;
mod analyze_events;
mod analyze_rdpfile;
mod analyze_robustness;
mod analyze_snapshot;
mod api_headers;
mod api_no_panic;
mod api_request;
mod api_target;
mod codes;
mod codes_localized;
mod engine;
mod scenarios;

/// Evidence ids in order, so the analyzer tests compare them as sets.
#[cfg(feature = "analyzers")]
fn sorted(
    ids: impl IntoIterator<Item = rdp_doctor_core::evidence::EvidenceId>,
) -> Vec<rdp_doctor_core::evidence::EvidenceId> {
    let mut ids: Vec<_> = ids.into_iter().collect();
    ids.sort();
    ids
}

/// The ids of the messages a decode recognised, in order.
fn message_ids(decoded: &rdp_doctor_core::codes::Decoded) -> Vec<&str> {
    decoded.messages.iter().map(|m| m.id.as_str()).collect()
}
