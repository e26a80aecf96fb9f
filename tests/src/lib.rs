//! Shared helpers for the integration suites: the Worker under workerd, and (elsewhere in this
//! crate) purpose-built RDP servers and real peers.

pub mod worker;
