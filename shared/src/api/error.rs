//! Every way the API refuses a request, each variant owning its HTTP status, its stable code
//! and the extra headers its response needs, so the Worker only serializes what it is given.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{JSON_CONTENT_TYPE, MAX_REQUEST_BODY_BYTES};

/// The period of both rate limits (`simple.period` of the `[[ratelimits]]` bindings in
/// wrangler.toml); a 429 says to retry after it.
pub const RATE_LIMIT_PERIOD_SECS: u32 = 60;

/// A refused request. Clients branch on [`ApiError::code`] (stable) and show
/// [`ApiError::message`] (prose, may change).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiError {
    /// The body is not the expected JSON.
    BadRequest(String),
    /// The host is not a well-formed name or address.
    InvalidHost(String),
    PortNotAllowed {
        port: u16,
        allowed: Vec<u16>,
    },
    /// A well-formed destination the target policy refuses; the text says which rule.
    TargetNotAllowed(String),
    NotFound,
    /// `allowed` is the method the endpoint takes (sent as `Allow`).
    MethodNotAllowed {
        allowed: &'static str,
    },
    PayloadTooLarge,
    UnsupportedMediaType,
    /// Too many probes from this client.
    RateLimited,
    /// Too many probes of this destination, from anyone.
    TargetRateLimited,
    /// The DNS-over-HTTPS resolver could not be asked or gave no usable answer; the name cannot
    /// be judged, so it is not probed.
    ResolverUnavailable,
    /// A failure inside the Worker (logged there); never caused by input.
    Internal,
    /// A bad or missing setting or binding; never caused by input.
    Misconfigured,
    /// The whole probe ran past its deadline (each stage has its own shorter timeout, so this is
    /// a safety net, not the normal way a slow server is reported).
    ProbeTimedOut {
        timeout_ms: u64,
    },
}

impl ApiError {
    pub fn status(&self) -> u16 {
        match self {
            ApiError::BadRequest(_) | ApiError::InvalidHost(_) => 400,
            ApiError::PortNotAllowed { .. } | ApiError::TargetNotAllowed(_) => 403,
            ApiError::NotFound => 404,
            ApiError::MethodNotAllowed { .. } => 405,
            ApiError::PayloadTooLarge => 413,
            ApiError::UnsupportedMediaType => 415,
            ApiError::RateLimited | ApiError::TargetRateLimited => 429,
            ApiError::Internal => 500,
            ApiError::ResolverUnavailable => 502,
            ApiError::Misconfigured => 503,
            ApiError::ProbeTimedOut { .. } => 504,
        }
    }

    /// The stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::InvalidHost(_) => "invalid_host",
            ApiError::PortNotAllowed { .. } => "port_not_allowed",
            ApiError::TargetNotAllowed(_) => "target_not_allowed",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed { .. } => "method_not_allowed",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::RateLimited => "rate_limited",
            ApiError::TargetRateLimited => "target_rate_limited",
            ApiError::ResolverUnavailable => "resolver_unavailable",
            ApiError::Internal => "internal_error",
            ApiError::Misconfigured => "unavailable",
            ApiError::ProbeTimedOut { .. } => "probe_timed_out",
        }
    }

    /// A sentence for people.
    pub fn message(&self) -> String {
        match self {
            ApiError::BadRequest(message)
            | ApiError::InvalidHost(message)
            | ApiError::TargetNotAllowed(message) => message.clone(),
            ApiError::PortNotAllowed { port, allowed } => {
                let allowed: Vec<String> = allowed.iter().map(u16::to_string).collect();
                format!(
                    "port {port} is not probed by this service; allowed: {}",
                    allowed.join(", ")
                )
            }
            ApiError::NotFound => "no such API endpoint".to_owned(),
            ApiError::MethodNotAllowed { allowed } => format!("use {allowed} for this endpoint"),
            ApiError::PayloadTooLarge => {
                format!("the request body must be at most {MAX_REQUEST_BODY_BYTES} bytes")
            }
            ApiError::UnsupportedMediaType => {
                format!("send the request body as {JSON_CONTENT_TYPE}")
            }
            ApiError::RateLimited => {
                "too many probes from your address; wait a minute and try again".to_owned()
            }
            ApiError::TargetRateLimited => "this host and port were probed many times in the \
                last minute (by anyone); wait a minute and try again"
                .to_owned(),
            ApiError::ResolverUnavailable => "the host name could not be looked up (the DNS \
                resolver did not answer); try again later, or enter the IP address"
                .to_owned(),
            ApiError::Internal => "something went wrong on our side; try again later".to_owned(),
            ApiError::Misconfigured => {
                "the probe service is not configured correctly; try again later".to_owned()
            }
            ApiError::ProbeTimedOut { timeout_ms } => {
                format!("the probe did not finish within {timeout_ms} ms")
            }
        }
    }

    /// Headers the response must carry besides the JSON body's.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        match self {
            ApiError::MethodNotAllowed { allowed } => vec![("Allow", (*allowed).to_owned())],
            ApiError::RateLimited | ApiError::TargetRateLimited => {
                vec![("Retry-After", RATE_LIMIT_PERIOD_SECS.to_string())]
            }
            _ => Vec::new(),
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message: self.message(),
            },
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status(), self.code(), self.message())
    }
}

impl std::error::Error for ApiError {}

/// The JSON body of every error response: `{"error":{"code","message"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}
