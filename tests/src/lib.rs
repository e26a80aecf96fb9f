//! Shared helpers for the integration suites: the Worker under workerd, purpose-built RDP servers
//! for every failure mode, and real peers (xrdp, freerdp-shadow-cli).

// Test support: a server or fixture that cannot start should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod peers;
pub mod probing;
pub mod servers;
pub mod worker;

use rdp_doctor_core::evidence::EvidenceId;
use rdp_doctor_core::probe::ProbeReport;

/// Whether the probe established `id` (from its stages or the certificate it read).
pub fn has_evidence(report: &ProbeReport, id: EvidenceId) -> bool {
    report.evidence().iter().any(|e| e.id == id)
}
