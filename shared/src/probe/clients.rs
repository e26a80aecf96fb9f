//! Stage 4, client compatibility: the TLS offers of real RDP clients, replayed against the
//! server, so "the client supports none of the cipher suites" is decided from outside.
//!
//! The table is data. Sources, per row: Microsoft Learn "TLS Cipher Suites in Windows 7",
//! "... in Windows 8.1", "... in Windows 10 v1903, v1909 and v2004", "... in Windows 11" (default
//! enabled suites in priority order; Windows 7 clients have TLS 1.1/1.2 disabled by default,
//! "Update to enable TLS 1.1 and TLS 1.2 as default secure protocols", KB3140245). FreeRDP uses
//! OpenSSL's DEFAULT list, so what it offers follows the OpenSSL it is built on, not its own
//! version: FreeRDP 2 on OpenSSL 1.1.1 still offers TLS 1.0; on OpenSSL 3 (Debian 12, Ubuntu
//! 22.04 and later ship FreeRDP 2 that way) TLS 1.0/1.1 work only at security level 0 (OpenSSL
//! 3.0 release notes), so it refuses a TLS 1.0-only server exactly as FreeRDP 3 does. The Windows App on macOS, iOS and Android ships its own TLS stack
//! whose list Microsoft does not publish; the row is an approximation of a modern TLS 1.2/1.3
//! client and says so in its name.

use super::tls::{HelloOffer, HelloOutcome, TlsVersion};
pub use crate::report::{ClientResult, DecidedBy};

#[derive(Clone, Copy, Debug)]
pub struct ClientProfile {
    pub id: &'static str,
    pub name: &'static str,
    /// Still supported and in wide use; a legacy client failing is worth a note, not a fault.
    pub current: bool,
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
/// OpenSSL's DEFAULT cipher list (1.1.1 and 3.x agree on it).
const OPENSSL_SUITES: &[u16] = &[
    0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b, 0xc02f, 0x009e,
    0xc024, 0xc028, 0x006b, 0xc023, 0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009, 0xc013, 0x0033,
    0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f,
];
const TLS12_AND_13: &[TlsVersion] = &[TlsVersion::Tls12, TlsVersion::Tls13];

pub const CLIENT_PROFILES: &[ClientProfile] = &[
    ClientProfile {
        id: "windows7_mstsc",
        name: "Windows 7 SP1 Remote Desktop Connection (defaults)",
        current: false,
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
        current: false,
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
        current: true,
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
        current: true,
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
        current: true,
        versions: TLS12_AND_13,
        cipher_suites: &[
            0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013,
            0xc00a, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035,
        ],
        groups: WINDOWS_GROUPS,
    },
    ClientProfile {
        id: "freerdp2",
        name: "FreeRDP 2 on OpenSSL 1.1.1 (older distributions)",
        current: false,
        versions: &[
            TlsVersion::Tls10,
            TlsVersion::Tls11,
            TlsVersion::Tls12,
            TlsVersion::Tls13,
        ],
        cipher_suites: OPENSSL_SUITES,
        groups: OPENSSL_GROUPS,
    },
    ClientProfile {
        id: "freerdp2_openssl3",
        name: "FreeRDP 2 on OpenSSL 3 (Debian 12, Ubuntu 22.04+)",
        current: true,
        versions: TLS12_AND_13,
        cipher_suites: OPENSSL_SUITES,
        groups: OPENSSL_GROUPS,
    },
    ClientProfile {
        id: "freerdp3",
        name: "FreeRDP 3 (OpenSSL 3 defaults)",
        current: true,
        versions: TLS12_AND_13,
        cipher_suites: OPENSSL_SUITES,
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

/// Decides a client from the per-version results (`version`, `outcome` of the probe offering
/// that version alone), or `None` when only replaying its offer can tell.
pub fn infer(
    profile: &ClientProfile,
    versions: &[(TlsVersion, &HelloOutcome)],
) -> Option<ClientResult> {
    let supported = |v: TlsVersion| {
        versions
            .iter()
            .any(|(probed, outcome)| *probed == v && outcome.accepted_version() == Some(v))
    };
    let best_common = profile
        .versions
        .iter()
        .copied()
        .filter(|v| supported(*v))
        .max();
    let Some(version) = best_common else {
        // No version in common: the server answers this client as it answered the probe of the
        // client's highest version.
        let highest = profile.versions.iter().copied().max()?;
        let (_, outcome) = versions.iter().find(|(probed, _)| *probed == highest)?;
        return Some(judge(profile, (*outcome).clone(), DecidedBy::VersionProbes));
    };
    let (_, outcome) = versions.iter().find(|(probed, _)| *probed == version)?;
    match outcome {
        HelloOutcome::Accepted { cipher_suite, .. }
            if profile.cipher_suites.contains(cipher_suite) =>
        {
            Some(judge(profile, (*outcome).clone(), DecidedBy::VersionProbes))
        }
        _ => None,
    }
}

pub fn judge(
    profile: &ClientProfile,
    outcome: HelloOutcome,
    decided_by: DecidedBy,
) -> ClientResult {
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
        current: profile.current,
        compatible,
        decided_by,
        outcome,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(version: TlsVersion, cipher_suite: u16) -> HelloOutcome {
        HelloOutcome::Accepted {
            version,
            cipher_suite,
            cipher_suite_name: None,
            hello_retry: false,
        }
    }

    fn profile(id: &str) -> &'static ClientProfile {
        CLIENT_PROFILES
            .iter()
            .find(|p| p.id == id)
            .expect("profile exists")
    }

    const VERSION_ALERT: HelloOutcome = HelloOutcome::Alert {
        level: 2,
        description: 70,
        name: String::new(),
    };

    #[test]
    fn suite_the_client_offers_decides_without_a_replay() {
        let tls12 = accepted(TlsVersion::Tls12, 0xc030);
        let versions = [
            (TlsVersion::Tls10, &VERSION_ALERT),
            (TlsVersion::Tls12, &tls12),
            (TlsVersion::Tls13, &VERSION_ALERT),
        ];
        let result = infer(profile("windows10_mstsc"), &versions).expect("decided");
        assert!(result.compatible);
        assert_eq!(result.decided_by, DecidedBy::VersionProbes);
    }

    #[test]
    fn suite_the_client_lacks_needs_a_replay() {
        let null_suite = accepted(TlsVersion::Tls12, 0x003b);
        let versions = [
            (TlsVersion::Tls12, &null_suite),
            (TlsVersion::Tls13, &VERSION_ALERT),
        ];
        assert_eq!(infer(profile("windows11_mstsc"), &versions), None);
    }

    #[test]
    fn no_common_version_is_incompatible() {
        let tls10 = accepted(TlsVersion::Tls10, 0xc014);
        let versions = [
            (TlsVersion::Tls10, &tls10),
            (TlsVersion::Tls12, &VERSION_ALERT),
            (TlsVersion::Tls13, &VERSION_ALERT),
        ];
        let result = infer(profile("windows11_mstsc"), &versions).expect("decided");
        assert!(!result.compatible);
        assert!(
            result.reason.starts_with("no TLS version in common"),
            "{}",
            result.reason
        );
        assert!(
            infer(profile("windows7_mstsc"), &versions)
                .expect("decided")
                .compatible
        );
    }
}
