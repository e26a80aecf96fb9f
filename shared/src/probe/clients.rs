//! Stage 4, client compatibility: the TLS offers of real RDP clients, replayed against the
//! server, so "the client supports none of the cipher suites" is decided from outside.
//!
//! The table is data. Sources, per row: Microsoft Learn "TLS Cipher Suites in Windows 7",
//! "... in Windows 8.1", "... in Windows 10 v1903, v1909 and v2004", "... in Windows 11" (default
//! enabled suites in priority order; Windows 7 clients have TLS 1.1/1.2 disabled by default,
//! "Update to enable TLS 1.1 and TLS 1.2 as default secure protocols", KB3140245). FreeRDP uses
//! OpenSSL's DEFAULT list: 1.1.1 for FreeRDP 2 (TLS 1.0 allowed), 3.x for FreeRDP 3 (security
//! level 1+ removes TLS 1.0/1.1). The Windows App on macOS, iOS and Android ships its own TLS stack
//! whose list Microsoft does not publish; the row is an approximation of a modern TLS 1.2/1.3
//! client and says so in its name.

use serde::{Deserialize, Serialize};

use super::tls::{HelloOffer, HelloOutcome, TlsVersion};

#[derive(Clone, Copy, Debug)]
pub struct ClientProfile {
    pub id: &'static str,
    pub name: &'static str,
    pub versions: &'static [TlsVersion],
    pub cipher_suites: &'static [u16],
    pub groups: &'static [u16],
}

const WINDOWS_SIGNATURES: &[u16] = &[
    0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0403, 0x0503, 0x0603, 0x0201,
];
const WINDOWS_GROUPS: &[u16] = &[0x001d, 0x0017, 0x0018];
const NIST_GROUPS: &[u16] = &[0x0017, 0x0018];
const OPENSSL_GROUPS: &[u16] = &[0x001d, 0x0017, 0x001e, 0x0019, 0x0018];
const TLS12_AND_13: &[TlsVersion] = &[TlsVersion::Tls12, TlsVersion::Tls13];

pub const CLIENT_PROFILES: &[ClientProfile] = &[
    ClientProfile {
        id: "windows7_mstsc",
        name: "Windows 7 SP1 Remote Desktop Connection (defaults)",
        versions: &[TlsVersion::Tls10],
        cipher_suites: &[
            0x003c, 0x002f, 0x003d, 0x0035, 0x000a, 0xc027, 0xc013, 0xc014, 0xc02b, 0xc023, 0xc02c,
            0xc024, 0xc009, 0xc00a, 0x0040, 0x0032, 0x006a, 0x0038, 0x0013, 0x0004,
        ],
        groups: NIST_GROUPS,
    },
    ClientProfile {
        id: "windows81_mstsc",
        name: "Windows 8.1 Remote Desktop Connection",
        versions: &[TlsVersion::Tls10, TlsVersion::Tls11, TlsVersion::Tls12],
        cipher_suites: &[
            0xc028, 0xc027, 0xc014, 0xc013, 0x009f, 0x009e, 0x0039, 0x0033, 0x009d, 0x009c, 0x003d,
            0x003c, 0x0035, 0x002f, 0xc02c, 0xc02b, 0xc024, 0xc023, 0xc00a, 0xc009, 0x006a, 0x0040,
            0x0038, 0x0032, 0x000a, 0x0013,
        ],
        groups: NIST_GROUPS,
    },
    ClientProfile {
        id: "windows10_mstsc",
        name: "Windows 10 Remote Desktop Connection",
        versions: &[TlsVersion::Tls10, TlsVersion::Tls11, TlsVersion::Tls12],
        cipher_suites: &[
            0xc02c, 0xc02b, 0xc030, 0xc02f, 0x009f, 0x009e, 0xc024, 0xc023, 0xc028, 0xc027, 0xc00a,
            0xc009, 0xc014, 0xc013, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x000a,
        ],
        groups: WINDOWS_GROUPS,
    },
    ClientProfile {
        id: "windows11_mstsc",
        name: "Windows 11 Remote Desktop Connection / Windows App",
        versions: TLS12_AND_13,
        cipher_suites: &[
            0x1302, 0x1301, 0xc02c, 0xc02b, 0xc030, 0xc02f, 0x009f, 0x009e, 0xc024, 0xc023, 0xc028,
            0xc027, 0xc00a, 0xc009, 0xc014, 0xc013, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f,
        ],
        groups: WINDOWS_GROUPS,
    },
    ClientProfile {
        id: "windows_app_mobile",
        name: "Windows App on macOS, iOS and Android (approximation: modern TLS 1.2/1.3 client)",
        versions: TLS12_AND_13,
        cipher_suites: &[
            0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013,
            0xc00a, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
        ],
        groups: WINDOWS_GROUPS,
    },
    ClientProfile {
        id: "freerdp2",
        name: "FreeRDP 2 (OpenSSL 1.1.1 defaults)",
        versions: &[
            TlsVersion::Tls10,
            TlsVersion::Tls11,
            TlsVersion::Tls12,
            TlsVersion::Tls13,
        ],
        cipher_suites: &[
            0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b, 0xc02f,
            0x009e, 0xc024, 0xc028, 0x006b, 0xc023, 0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009,
            0xc013, 0x0033, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f,
        ],
        groups: OPENSSL_GROUPS,
    },
    ClientProfile {
        id: "freerdp3",
        name: "FreeRDP 3 (OpenSSL 3 defaults)",
        versions: TLS12_AND_13,
        cipher_suites: &[
            0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b, 0xc02f,
            0x009e, 0xc024, 0xc028, 0x006b, 0xc023, 0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009,
            0xc013, 0x0033, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f,
        ],
        groups: OPENSSL_GROUPS,
    },
];

impl ClientProfile {
    pub fn offer(&self) -> HelloOffer<'static> {
        HelloOffer {
            versions: self.versions,
            cipher_suites: self.cipher_suites,
            groups: self.groups,
            signature_algorithms: WINDOWS_SIGNATURES,
        }
    }
}

/// Whether one client would get through the TLS handshake, and why not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientResult {
    pub client: String,
    pub name: String,
    pub compatible: bool,
    pub outcome: HelloOutcome,
    pub reason: String,
}

pub fn judge(profile: &ClientProfile, outcome: HelloOutcome) -> ClientResult {
    let compatible = matches!(&outcome, HelloOutcome::Accepted { version, .. } if profile.versions.contains(version));
    let reason = match &outcome {
        HelloOutcome::Accepted { .. } if compatible => outcome.describe(),
        HelloOutcome::Accepted { version, .. } => {
            format!(
                "the server chose {}, which this client does not offer",
                version.label()
            )
        }
        HelloOutcome::Alert {
            description: 40 | 71,
            ..
        } => {
            format!("no cipher suite in common ({})", outcome.describe())
        }
        HelloOutcome::Alert {
            description: 70, ..
        } => {
            let offered: Vec<_> = profile.versions.iter().map(|v| v.label()).collect();
            format!(
                "no TLS version in common; this client offers {} ({})",
                offered.join(", "),
                outcome.describe()
            )
        }
        _ => outcome.describe(),
    };
    ClientResult {
        client: profile.id.to_owned(),
        name: profile.name.to_owned(),
        compatible,
        outcome,
        reason,
    }
}
