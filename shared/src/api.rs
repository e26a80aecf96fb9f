//! The JSON API between the browser (or any client) and the Worker: request and response types,
//! stable error codes, the probe-target safety policy, server configuration and the security
//! headers every response carries. Pure: the Worker feeds bytes and header values in.
//!
//! Error bodies are always `{"error":{"code":"...","message":"..."}}`; clients branch on `code`
//! (stable) and show `message` (prose, may change).

mod config;
mod security_headers;
mod target;

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

use serde::{Deserialize, Serialize};

pub use config::{
    ALLOW_LOOPBACK_TARGETS_VAR, ALLOWED_PORTS_VAR, DEFAULT_PROBE_TIMEOUT_MS, FRAME_ANCESTORS_VAR,
    LOG_TARGETS_VAR, MAX_PROBE_TIMEOUT_MS, MIN_PROBE_TIMEOUT_MS, ORG_NAME_VAR,
    PROBE_TIMEOUT_MS_VAR, ProbeConfig, SUPPORT_CONTACT_VAR, SiteConfig, frame_ancestors_from_vars,
};
pub use security_headers::{
    FrameAncestors, ResponseKind, content_security_policy, security_headers,
};
pub use target::{DEFAULT_RDP_PORT, MAX_HOST_LEN, Target, TargetPolicy, check_target};

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
            return Err(ApiError::payload_too_large());
        }
        const EXPECTED: &str =
            r#"the body must be a JSON object like {"host": "rdp.example.com", "port": 3389}"#;
        // serde's derived struct parsing also takes a JSON array (`["host", 3389]`); refuse it.
        if body.trim_ascii_start().first() != Some(&b'{') {
            return Err(ApiError::bad_request(EXPECTED));
        }
        serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("{EXPECTED}: {e}")))
    }

    /// The policy-checked destination; the port defaults to [`DEFAULT_RDP_PORT`].
    pub fn target(&self, policy: &TargetPolicy) -> Result<Target, ApiError> {
        check_target(&self.host, self.port.unwrap_or(DEFAULT_RDP_PORT), policy)
    }
}

/// A refused request: the HTTP status, a stable machine-readable code and a sentence for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "bad_request", message)
    }

    pub fn invalid_host(message: impl Into<String>) -> Self {
        Self::new(400, "invalid_host", message)
    }

    pub fn port_not_allowed(port: u16, allowed: &[u16]) -> Self {
        let allowed: Vec<String> = allowed.iter().map(u16::to_string).collect();
        Self::new(
            403,
            "port_not_allowed",
            format!(
                "port {port} is not probed by this service; allowed: {}",
                allowed.join(", ")
            ),
        )
    }

    pub fn target_not_allowed(message: impl Into<String>) -> Self {
        Self::new(403, "target_not_allowed", message)
    }

    pub fn not_found() -> Self {
        Self::new(404, "not_found", "no such API endpoint")
    }

    /// `allowed` is the value for the `Allow` header the caller must also send.
    pub fn method_not_allowed(allowed: &str) -> Self {
        Self::new(
            405,
            "method_not_allowed",
            format!("use {allowed} for this endpoint"),
        )
    }

    pub fn payload_too_large() -> Self {
        Self::new(
            413,
            "payload_too_large",
            format!("the request body must be at most {MAX_REQUEST_BODY_BYTES} bytes"),
        )
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(
            415,
            "unsupported_media_type",
            format!("send the request body as {JSON_CONTENT_TYPE}"),
        )
    }

    pub fn rate_limited() -> Self {
        Self::new(
            429,
            "rate_limited",
            "too many probes from your address; wait a minute and try again",
        )
    }

    /// A failure inside the Worker (logged there); never caused by input.
    pub fn internal() -> Self {
        Self::new(
            500,
            "internal_error",
            "something went wrong on our side; try again later",
        )
    }

    /// The server is misconfigured (a bad or missing setting or binding); never caused by input.
    pub fn misconfigured() -> Self {
        Self::new(
            503,
            "unavailable",
            "the probe service is not configured correctly; try again later",
        )
    }

    /// The whole probe ran past its deadline (each stage has its own shorter timeout, so this is
    /// a safety net, not the normal way a slow server is reported).
    pub fn probe_timed_out(timeout_ms: u64) -> Self {
        Self::new(
            504,
            "probe_timed_out",
            format!("the probe did not finish within {timeout_ms} ms"),
        )
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message.clone(),
            },
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

/// The JSON body of every error response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
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
