//! The Worker's probe settings, read from its `[vars]`. A missing variable takes its default; a
//! malformed one is an error naming it, so the Worker refuses to probe instead of guessing.

use super::target::{DEFAULT_RDP_PORT, TargetPolicy};

pub const ALLOWED_PORTS_VAR: &str = "ALLOWED_PORTS";
pub const ALLOW_LOOPBACK_TARGETS_VAR: &str = "ALLOW_LOOPBACK_TARGETS";
pub const PROBE_TIMEOUT_MS_VAR: &str = "PROBE_TIMEOUT_MS";
pub const LOG_TARGETS_VAR: &str = "LOG_TARGETS";

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
}

impl Default for ProbeConfig {
    fn default() -> Self {
        ProbeConfig {
            policy: TargetPolicy::default(),
            timeout_ms: DEFAULT_PROBE_TIMEOUT_MS,
            log_targets: false,
        }
    }
}

impl ProbeConfig {
    /// `var` looks a variable up by name (in the Worker: `env.var(name)`).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let defaults = ProbeConfig::default();
        let allowed_ports = match var(ALLOWED_PORTS_VAR) {
            Some(value) => parse_ports(&value)?,
            None => vec![DEFAULT_RDP_PORT],
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
        Ok(ProbeConfig {
            policy: TargetPolicy {
                allowed_ports,
                allow_loopback,
            },
            timeout_ms,
            log_targets,
        })
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
