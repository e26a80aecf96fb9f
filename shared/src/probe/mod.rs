//! The outside-in probe: from the internet's side, which stage of an RDP connection fails and why
//! (TCP, RDP negotiation, TLS, client compatibility, NLA).
//!
//! The protocol logic is sans-IO (`x224`, `tls`, `credssp` parse and build bytes; `session` pumps
//! rustls); `driver` moves
//! bytes over any `AsyncRead + AsyncWrite` with injected time, so the same engine runs in the
//! Worker and natively. [`run`] follows one connection as a current client would (TCP,
//! negotiation, TLS, CredSSP) and runs every other check on a connection of its own, at most
//! `max_parallel` connections at once.

pub mod clients;
pub mod credssp;
pub mod driver;
pub mod fleet;
#[cfg(test)]
mod no_panic;
mod scheduler;
mod session;
pub mod tls;
#[cfg(feature = "native-driver")]
pub mod tokio_driver;
mod verdict;
pub mod x224;

pub use crate::report::{
    NegotiatedTls, ProbeReport, ProtocolResult, StageDetails, StageKind, StageReport, StageStatus,
    Target, TcpOutcome, TlsDetails, TlsVersionResult,
};
pub use driver::{Clock, ConnectError, Connector};
pub use scheduler::run;

/// Deadlines, limits and the randomness seed. `Default` gives the documented values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeOptions {
    pub connect_timeout_ms: u64,
    /// Each request/reply exchange (and each TLS/CredSSP step).
    pub exchange_timeout_ms: u64,
    /// The whole probe.
    pub total_timeout_ms: u64,
    /// Bytes read per exchange.
    pub max_exchange_bytes: usize,
    /// Bytes read for a handshake that carries a certificate chain.
    pub max_chain_bytes: usize,
    /// Simultaneous connections (Cloudflare Workers allow 6 per request).
    pub max_parallel: usize,
    /// Least time between two connection starts: a burst of SYNs overflows a small listen
    /// backlog (xrdp listens with 2) and costs a SYN retry of a second; spaced starts add no
    /// round trip.
    pub connect_spacing_ms: u64,
    /// Fills client randoms and key shares; pass fresh randomness per probe.
    pub seed: [u8; 32],
    /// Replay the TLS offers of real RDP clients.
    pub client_compatibility: bool,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            connect_timeout_ms: 5_000,
            exchange_timeout_ms: 5_000,
            total_timeout_ms: 15_000,
            max_exchange_bytes: 64 * 1024,
            max_chain_bytes: 256 * 1024,
            max_parallel: 6,
            connect_spacing_ms: 10,
            seed: [0; 32],
            client_compatibility: true,
        }
    }
}
