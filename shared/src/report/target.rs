//! Where a probe goes: a host and a port, with RDP's default port.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub host: String,
    pub port: u16,
}

impl Target {
    pub const DEFAULT_PORT: u16 = 3389;

    /// Parses `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address.
    pub fn parse(input: &str) -> Result<Target, String> {
        let input = input.trim();
        let (host, port) = if let Some(rest) = input.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or("missing ']' after an IPv6 address")?;
            let port = match after.strip_prefix(':') {
                Some(port) => Some(port),
                None if after.is_empty() => None,
                None => return Err(format!("unexpected {after:?} after the address")),
            };
            (host, port)
        } else if input.matches(':').count() == 1 {
            let (host, port) = input.split_once(':').ok_or("invalid target")?;
            (host, Some(port))
        } else {
            (input, None)
        };
        if host.is_empty() {
            return Err("no host given".to_owned());
        }
        let port = match port {
            Some(port) => port
                .parse::<u16>()
                .ok()
                .filter(|&p| p != 0)
                .ok_or(format!("invalid port {port:?}"))?,
            None => Target::DEFAULT_PORT,
        };
        Ok(Target {
            host: host.to_owned(),
            port,
        })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = |host: &str, port| {
            Ok(Target {
                host: host.into(),
                port,
            })
        };
        assert_eq!(Target::parse("rdp.example.com"), t("rdp.example.com", 3389));
        assert_eq!(Target::parse("10.0.0.5:3390"), t("10.0.0.5", 3390));
        assert_eq!(Target::parse("[::1]:3390"), t("::1", 3390));
        assert_eq!(Target::parse("::1"), t("::1", 3389));
        assert!(Target::parse("host:0").is_err());
        assert!(Target::parse("host:x").is_err());
        assert!(Target::parse(":3389").is_err());
        assert_eq!(
            Target {
                host: "::1".into(),
                port: 1
            }
            .to_string(),
            "[::1]:1"
        );
    }
}
