//! The knowledge base's data model, as written in `shared/kb/**/*.toml`.
//!
//! This file is compiled twice: by `build.rs` (to load and validate the TOML at build time)
//! and by the crate (to read the validated, embedded copy). Keep it free of crate imports.

use serde::{Deserialize, Serialize};

/// Where along the connection path something happens, in the order a connection climbs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    Client,
    Dns,
    Network,
    Tcp,
    Negotiation,
    Tls,
    Nla,
    Logon,
    Licensing,
    Session,
}

impl Layer {
    pub const ALL: [Layer; 10] = [
        Layer::Client,
        Layer::Dns,
        Layer::Network,
        Layer::Tcp,
        Layer::Negotiation,
        Layer::Tls,
        Layer::Nla,
        Layer::Logon,
        Layer::Licensing,
        Layer::Session,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Layer::Client => "Client",
            Layer::Dns => "Name resolution",
            Layer::Network => "Network path",
            Layer::Tcp => "TCP",
            Layer::Negotiation => "RDP negotiation",
            Layer::Tls => "TLS",
            Layer::Nla => "NLA / CredSSP",
            Layer::Logon => "Logon",
            Layer::Licensing => "Licensing",
            Layer::Session => "Session",
        }
    }
}

/// One kind of evidence: something a code, an answer, an analyzer or the probe can establish.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceDecl {
    /// Dotted id, e.g. `cert.expired`; its first segment names the source.
    pub id: String,
    /// Short statement of the fact, e.g. "The server certificate has expired".
    pub title: String,
    pub layer: Layer,
}

/// One file under `kb/evidence/`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceFile {
    #[serde(default)]
    pub evidence: Vec<EvidenceDecl>,
}
