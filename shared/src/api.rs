//! The JSON API between the browser (or any client) and the Worker: request and response types,
//! stable error codes, the probe-target safety policy, server configuration and the security
//! headers every response carries. Pure: the Worker feeds bytes and header values in.
//!
//! Error bodies are always `{"error":{"code":"...","message":"..."}}`; clients branch on `code`
//! (stable) and show `message` (prose, may change).

mod cloudflare;
mod config;
mod error;
mod resolve;
mod security_headers;
mod target;

use std::net::{IpAddr, Ipv6Addr};

use serde::{Deserialize, Serialize};

pub use config::{
    ALLOW_LOOPBACK_TARGETS_VAR, ALLOWED_PORTS_VAR, DEFAULT_PROBE_TIMEOUT_MS, DOH_URL_VAR,
    FRAME_ANCESTORS_VAR, LOG_TARGETS_VAR, MAX_PROBE_TIMEOUT_MS, MIN_PROBE_TIMEOUT_MS, ORG_NAME_VAR,
    PROBE_TIMEOUT_MS_VAR, ProbeConfig, SUPPORT_CONTACT_VAR, SiteConfig, frame_ancestors_from_vars,
};
pub use error::{ApiError, ErrorBody, ErrorDetail, RATE_LIMIT_PERIOD_SECS};
pub use resolve::{
    DEFAULT_DOH_URL, DOH_JSON_CONTENT_TYPE, Destination, MAX_DOH_RESPONSE_BYTES, RecordType,
    ResolveError, Resolver, doh_query_url, parse_doh_answer, resolve_target,
};
pub use security_headers::{
    FrameAncestors, PERMISSIONS_POLICY, ResponseKind, STRICT_TRANSPORT_SECURITY,
    content_security_policy, security_headers,
};
pub use target::{
    CheckedTarget, MAX_HOST_LEN, TargetPolicy, check_target, judge_resolved_addresses,
};

/// Request bodies larger than this are refused before parsing (a probe request is ~50 bytes).
pub const MAX_REQUEST_BODY_BYTES: usize = 4096;

pub const JSON_CONTENT_TYPE: &str = "application/json";
/// Streaming probe results: one JSON object per line ([`StreamEvent`]).
pub const NDJSON_CONTENT_TYPE: &str = "application/x-ndjson";

/// `POST /api/probe` body: `{"host": "rdp.example.com", "port": 3389}`; `port` may be omitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeRequest {
    pub host: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
}

impl ProbeRequest {
    /// Parses a request body. Size is checked first, so callers may pass whatever they read as
    /// long as they stopped reading a little past [`MAX_REQUEST_BODY_BYTES`].
    pub fn from_json(body: &[u8]) -> Result<Self, ApiError> {
        if body.len() > MAX_REQUEST_BODY_BYTES {
            return Err(ApiError::PayloadTooLarge);
        }
        const EXPECTED: &str =
            r#"the body must be a JSON object like {"host": "rdp.example.com", "port": 3389}"#;
        // serde's derived struct parsing also takes a JSON array (`["host", 3389]`); refuse it.
        if body.trim_ascii_start().first() != Some(&b'{') {
            return Err(ApiError::BadRequest(EXPECTED.to_owned()));
        }
        serde_json::from_slice(body).map_err(|e| ApiError::BadRequest(format!("{EXPECTED}: {e}")))
    }

    /// The policy-checked destination; the port defaults to [`Target::DEFAULT_PORT`](crate::report::Target::DEFAULT_PORT).
    pub fn target(&self, policy: &TargetPolicy) -> Result<CheckedTarget, ApiError> {
        check_target(
            &self.host,
            self.port.unwrap_or(crate::report::Target::DEFAULT_PORT),
            policy,
        )
    }
}

/// `GET /api/health`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthResponse {
    pub status: String,
    pub version: String,
}

impl HealthResponse {
    pub fn ok(version: &str) -> Self {
        HealthResponse {
            status: "ok".to_owned(),
            version: version.to_owned(),
        }
    }
}

/// One line of a streamed (`application/x-ndjson`) probe response: a line per finished stage,
/// then exactly one `report` or `error` line, with the report types of [`crate::report`]: the
/// Worker writes `StreamEvent<&StageReport, &ProbeReport>` (no copy), clients read
/// `StreamEvent<StageReport, ProbeReport>`.
/// Stages and reports must serialize as JSON objects (the `type` tag is merged into them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamEvent<S, R> {
    Stage(S),
    Report(R),
    Error { error: ErrorDetail },
}

/// The rate-limit bucket for a client address (the `CF-Connecting-IP` header): IPv4 per
/// address, IPv6 per /64, since one subscriber usually holds a whole /64 and could otherwise
/// take a fresh bucket per request. Missing or malformed values share one bucket.
pub fn rate_limit_key(client_ip: Option<&str>) -> String {
    let ip = client_ip.and_then(|ip| ip.trim().parse::<IpAddr>().ok());
    match ip.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let prefix = Ipv6Addr::from_bits(v6.to_bits() & !(u128::from(u64::MAX)));
            format!("{prefix}/64")
        }
        None => "unknown".to_owned(),
    }
}

/// The per-target rate-limit bucket: the checked address the probe connects to, and the port,
/// so that every name pointing at one service shares one bucket (IPv6 per address: a victim is
/// one host, not a subscriber's /64).
pub fn target_rate_limit_key(address: IpAddr, port: u16) -> String {
    match address.to_canonical() {
        IpAddr::V4(v4) => format!("{v4}:{port}"),
        IpAddr::V6(v6) => format!("[{v6}]:{port}"),
    }
}

/// Whether a `Content-Type` header value names JSON (parameters such as `charset` are ignored).
pub fn is_json_content_type(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|value| media_type(value).eq_ignore_ascii_case(JSON_CONTENT_TYPE))
}

/// Whether an `Accept` header asks for the streamed NDJSON form (and does not refuse it with
/// `q=0`). Anything else gets the single JSON report.
pub fn accepts_ndjson(accept: Option<&str>) -> bool {
    accept.is_some_and(|value| {
        value.split(',').any(|range| {
            media_type(range).eq_ignore_ascii_case(NDJSON_CONTENT_TYPE) && !has_zero_quality(range)
        })
    })
}

fn media_type(value: &str) -> &str {
    value.split(';').next().unwrap_or_default().trim()
}

fn has_zero_quality(media_range: &str) -> bool {
    media_range.split(';').skip(1).any(|param| {
        let Some((name, value)) = param.split_once('=') else {
            return false;
        };
        name.trim().eq_ignore_ascii_case("q") && value.trim().parse::<f32>().is_ok_and(|q| q == 0.0)
    })
}
