//! Shared helpers for the integration suites: the Worker under workerd, purpose-built RDP servers
//! for every failure mode, and real peers (xrdp, freerdp-shadow-cli).

pub mod peers;
pub mod servers;
pub mod worker;
