//! The Worker's probe settings, read from its `[vars]`. A missing variable takes its default; a
//! malformed one is an error naming it, so the Worker refuses to probe instead of guessing.

use super::resolve::DEFAULT_DOH_URL;
use super::security_headers::FrameAncestors;
use super::target::TargetPolicy;
use crate::report::Target;

pub const ALLOWED_PORTS_VAR: &str = "ALLOWED_PORTS";
pub const ALLOW_LOOPBACK_TARGETS_VAR: &str = "ALLOW_LOOPBACK_TARGETS";
pub const PROBE_TIMEOUT_MS_VAR: &str = "PROBE_TIMEOUT_MS";
pub const LOG_TARGETS_VAR: &str = "LOG_TARGETS";
pub const DOH_URL_VAR: &str = "DOH_URL";

pub const DEFAULT_PROBE_TIMEOUT_MS: u64 = 15_000;
pub const MIN_PROBE_TIMEOUT_MS: u64 = 1_000;
pub const MAX_PROBE_TIMEOUT_MS: u64 = 60_000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeConfig {
    pub policy: TargetPolicy,
    /// The deadline for one whole probe.
    pub timeout_ms: u64,
    /// Log each probe's destination. Off by default: destinations are visitors' data.
    pub log_targets: bool,
    /// The DNS-over-HTTPS JSON endpoint that resolves host names.
    pub doh_url: String,
}

impl Default for ProbeConfig {
    fn default() -> Self {
        ProbeConfig {
            policy: TargetPolicy::default(),
            timeout_ms: DEFAULT_PROBE_TIMEOUT_MS,
            log_targets: false,
            doh_url: DEFAULT_DOH_URL.to_owned(),
        }
    }
}

impl ProbeConfig {
    /// `var` looks a variable up by name (in the Worker: `env.var(name)`).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let defaults = ProbeConfig::default();
        let allowed_ports = match var(ALLOWED_PORTS_VAR) {
            Some(value) => parse_ports(&value)?,
            None => vec![Target::DEFAULT_PORT],
        };
        let allow_loopback = match var(ALLOW_LOOPBACK_TARGETS_VAR) {
            Some(value) => parse_bool(ALLOW_LOOPBACK_TARGETS_VAR, &value)?,
            None => defaults.policy.allow_loopback,
        };
        let timeout_ms = match var(PROBE_TIMEOUT_MS_VAR) {
            Some(value) => parse_timeout(&value)?,
            None => defaults.timeout_ms,
        };
        let log_targets = match var(LOG_TARGETS_VAR) {
            Some(value) => parse_bool(LOG_TARGETS_VAR, &value)?,
            None => defaults.log_targets,
        };
        let doh_url = match var(DOH_URL_VAR) {
            Some(value) => parse_doh_url(&value)?,
            None => defaults.doh_url,
        };
        Ok(ProbeConfig {
            policy: TargetPolicy {
                allowed_ports,
                allow_loopback,
            },
            timeout_ms,
            log_targets,
            doh_url,
        })
    }
}

/// An `https://` URL without query or fragment (the query is added per lookup). Plain `http://`
/// only to a loopback resolver, for tests and local development: DNS answers decide where the
/// probe connects, so they must not cross a network in clear text.
fn parse_doh_url(value: &str) -> Result<String, String> {
    let url = value.trim();
    let loopback_http = [
        "http://127.",
        "http://localhost:",
        "http://localhost/",
        "http://[::1]",
    ]
    .iter()
    .any(|prefix| url.starts_with(prefix));
    let https = url.starts_with("https://") && url.len() > "https://".len();
    if (https || loopback_http) && !url.contains(['?', '#', ' ']) {
        Ok(url.to_owned())
    } else {
        Err(format!(
            "{DOH_URL_VAR}: {url:?} is not an https:// URL without a query \
             (http:// only to a loopback resolver)"
        ))
    }
}

/// A comma-separated list such as `3389, 3390`.
fn parse_ports(value: &str) -> Result<Vec<u16>, String> {
    let mut ports = Vec::new();
    for item in value.split(',') {
        let item = item.trim();
        match item.parse::<u16>() {
            Ok(port) if port != 0 => {
                if !ports.contains(&port) {
                    ports.push(port);
                }
            }
            _ => {
                return Err(format!(
                    "{ALLOWED_PORTS_VAR}: {item:?} is not a port (1-65535)"
                ));
            }
        }
    }
    Ok(ports)
}

fn parse_bool(name: &str, value: &str) -> Result<bool, String> {
    match value.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(format!(
            "{name}: {other:?} is neither \"true\" nor \"false\""
        )),
    }
}

fn parse_timeout(value: &str) -> Result<u64, String> {
    match value.trim().parse::<u64>() {
        Ok(ms) if (MIN_PROBE_TIMEOUT_MS..=MAX_PROBE_TIMEOUT_MS).contains(&ms) => Ok(ms),
        _ => Err(format!(
            "{PROBE_TIMEOUT_MS_VAR}: {value:?} is not a number of milliseconds between \
             {MIN_PROBE_TIMEOUT_MS} and {MAX_PROBE_TIMEOUT_MS}"
        )),
    }
}

pub const FRAME_ANCESTORS_VAR: &str = "FRAME_ANCESTORS";

/// Who may frame the app, from `FRAME_ANCESTORS` (`'self'` when unset). A malformed value is an
/// error naming the variable and the bad source: the Worker then refuses to serve rather than
/// quietly serving a policy other than the one its operator meant, which would leave a wiki's
/// embed broken with no explanation.
pub fn frame_ancestors_from_vars(
    var: impl Fn(&str) -> Option<String>,
) -> Result<FrameAncestors, String> {
    match var(FRAME_ANCESTORS_VAR) {
        Some(value) => FrameAncestors::parse(&value),
        None => Ok(FrameAncestors::default()),
    }
}

pub const ORG_NAME_VAR: &str = "ORG_NAME";
pub const SUPPORT_CONTACT_VAR: &str = "SUPPORT_CONTACT";
/// Longest branding text shown; longer settings are cut rather than breaking the layout.
const MAX_BRANDING_CHARS: usize = 200;

/// `GET /api/config`: what the page shows about this deployment, from Worker vars, so an
/// organisation can brand it without rebuilding. Empty settings count as unset.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SiteConfig {
    /// "Contoso IT"; the page says "RDP Doctor" alone when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_name: Option<String>,
    /// Where to get human help: an e-mail address, a URL or a phone number, shown as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_contact: Option<String>,
    /// The ports the probe accepts, so the page can say so before a request is refused.
    pub allowed_ports: Vec<u16>,
}

impl SiteConfig {
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let text = |name| {
            var(name)
                .map(|value: String| {
                    value
                        .trim()
                        .chars()
                        .take(MAX_BRANDING_CHARS)
                        .collect::<String>()
                })
                .filter(|value| !value.is_empty())
        };
        let allowed_ports = var(ALLOWED_PORTS_VAR)
            .and_then(|value| parse_ports(&value).ok())
            .unwrap_or_else(|| vec![Target::DEFAULT_PORT]);
        SiteConfig {
            org_name: text(ORG_NAME_VAR),
            support_contact: text(SUPPORT_CONTACT_VAR),
            allowed_ports,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_ancestors_default_to_self_and_a_bad_value_is_an_error_naming_it() {
        assert_eq!(
            frame_ancestors_from_vars(|_| None),
            Ok(FrameAncestors::default())
        );
        let intranet = frame_ancestors_from_vars(|_| Some("'self' http://wiki.corp:8080".into()));
        assert_eq!(
            intranet.map(|a| a.to_string()),
            Ok("'self' http://wiki.corp:8080".to_owned())
        );
        let bad = frame_ancestors_from_vars(|_| Some("wiki.corp".into()));
        assert!(bad.is_err_and(|e| e.contains("FRAME_ANCESTORS") && e.contains("wiki.corp")));
    }

    #[test]
    fn doh_url_must_be_https_or_a_loopback_resolver() {
        let config = |value: &str| {
            ProbeConfig::from_vars(|name| (name == DOH_URL_VAR).then(|| value.to_owned()))
                .map(|config| config.doh_url)
        };
        assert_eq!(
            ProbeConfig::from_vars(|_| None).map(|c| c.doh_url),
            Ok(DEFAULT_DOH_URL.to_owned())
        );
        for good in [
            "https://dns.google/resolve",
            "http://127.0.0.1:5353/dns-query",
            "http://[::1]:8053/",
        ] {
            assert_eq!(config(good), Ok(good.to_owned()));
        }
        for bad in [
            "http://dns.example.com/dns-query",
            "https://",
            "https://cloudflare-dns.com/dns-query?ct=x",
            "ftp://127.0.0.1/",
        ] {
            assert!(config(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn site_config_reads_branding_and_ports_and_ignores_blank_settings() {
        let vars = |name: &str| match name {
            ORG_NAME_VAR => Some("  Contoso IT ".to_owned()),
            SUPPORT_CONTACT_VAR => Some("   ".to_owned()),
            ALLOWED_PORTS_VAR => Some("3389, 3390".to_owned()),
            _ => None,
        };
        assert_eq!(
            SiteConfig::from_vars(vars),
            SiteConfig {
                org_name: Some("Contoso IT".into()),
                support_contact: None,
                allowed_ports: vec![3389, 3390]
            }
        );
        let unset = SiteConfig::from_vars(|_| None);
        assert_eq!(unset.allowed_ports, vec![Target::DEFAULT_PORT]);
        assert_eq!(unset.org_name, None);
    }
}
