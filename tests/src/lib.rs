//! Shared helpers for the integration suites.

pub mod peers;
pub mod servers;
