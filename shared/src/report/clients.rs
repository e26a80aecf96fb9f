//! Whether each simulated client would get through the TLS handshake.

use serde::{Deserialize, Serialize};

use super::tls::HelloOutcome;

/// How a client's verdict was reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecidedBy {
    /// The client's own ClientHello was sent to the server.
    ReplayedOffer,
    /// The version probes already settle it: no version in common, or the suite the server
    /// picked for the client's best common version is one the client offers.
    VersionProbes,
}

/// Whether one client would get through the TLS handshake, and why not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientResult {
    pub client: String,
    pub name: String,
    pub current: bool,
    pub compatible: bool,
    pub decided_by: DecidedBy,
    pub outcome: HelloOutcome,
    pub reason: String,
}
