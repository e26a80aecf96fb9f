//! `POST /api/probe`: validate the request, apply the target policy and the per-client rate
//! limit, then run the probe and answer with its report (JSON), or stream its stages (NDJSON).
//!
//! Every refusal is an [`ApiError`] with a stable code; the decisions themselves live in
//! `rdp_doctor_core::api`, natively tested. This file only moves bytes and headers.

use futures::StreamExt;
use rdp_doctor_core::api::{
    ApiError, MAX_REQUEST_BODY_BYTES, ProbeConfig, ProbeRequest, Target, accepts_ndjson,
    is_json_content_type, rate_limit_key,
};
use worker::{Env, Method, Request, Response, Result, RouteContext, console_error, console_log};

use crate::probe_runtime::within;

/// The Workers Rate Limiting binding (see `edge/wrangler.fragment.toml`).
pub const RATE_LIMITER_BINDING: &str = "PROBE_RATE_LIMITER";
/// The binding's `simple.period`; sent as `Retry-After` with a 429.
const RATE_LIMIT_PERIOD_SECS: u32 = 60;
/// How long a client may take to send its (at most 4 KiB) body.
const BODY_READ_TIMEOUT_MS: u64 = 10_000;

const METHOD: &str = "POST";

/// Route with `.on_async("/api/probe", probe_api::handle)` so other methods get a JSON 405.
pub async fn handle(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let error = match respond(req, &ctx.env).await {
        Ok(response) => return Ok(response),
        Err(error) => error,
    };
    let response = error_response(&error)?;
    if error.status == 405 {
        response.headers().set("Allow", METHOD)?;
    }
    if error.status == 429 {
        let retry_after = RATE_LIMIT_PERIOD_SECS.to_string();
        response.headers().set("Retry-After", &retry_after)?;
    }
    Ok(response)
}

/// The JSON response for `error`; for other API routes too, e.g. with
/// [`ApiError::not_found`] for unknown `/api/` paths.
pub fn error_response(error: &ApiError) -> Result<Response> {
    Ok(Response::from_json(&error.body())?.with_status(error.status))
}

async fn respond(mut req: Request, env: &Env) -> std::result::Result<Response, ApiError> {
    if req.method() != Method::Post {
        return Err(ApiError::method_not_allowed(METHOD));
    }
    let config = ProbeConfig::from_vars(|name| env.var(name).ok().map(|value| value.to_string()))
        .map_err(|problem| {
        console_error!("probe configuration: {problem}");
        ApiError::misconfigured()
    })?;
    let content_type = header(&req, "Content-Type");
    if !is_json_content_type(content_type.as_deref()) {
        return Err(ApiError::unsupported_media_type());
    }
    let body = read_body(&mut req).await?;
    let target = ProbeRequest::from_json(&body)?.target(&config.policy)?;
    check_rate_limit(&req, env).await?;
    if config.log_targets {
        console_log!("probe {}:{}", target.host, target.port);
    }
    let stream = accepts_ndjson(header(&req, "Accept").as_deref());
    run_probe(target, &config, stream).await
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

/// Stops at the first byte past the limit, whether or not the body declared its length, so an
/// oversized body costs no more memory than the limit.
async fn read_body(req: &mut Request) -> std::result::Result<Vec<u8>, ApiError> {
    let declared = header(req, "Content-Length").and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_REQUEST_BODY_BYTES as u64) {
        return Err(ApiError::payload_too_large());
    }
    let Ok(mut chunks) = req.stream() else {
        // No body at all: parsing the empty body explains what was expected.
        return Ok(Vec::new());
    };
    let read = async {
        let mut body = Vec::new();
        while let Some(chunk) = chunks.next().await {
            let chunk =
                chunk.map_err(|_| ApiError::bad_request("the request body could not be read"))?;
            let room = MAX_REQUEST_BODY_BYTES + 1 - body.len();
            body.extend_from_slice(chunk.get(..room).unwrap_or(&chunk));
            if body.len() > MAX_REQUEST_BODY_BYTES {
                return Err(ApiError::payload_too_large());
            }
        }
        Ok(body)
    };
    within(BODY_READ_TIMEOUT_MS, read).await.unwrap_or_else(|| {
        Err(ApiError::bad_request(
            "the request body took too long to arrive",
        ))
    })
}

/// One bucket per client (IPv4 address or IPv6 /64). A missing binding fails closed: an unlimited probe is an
/// open port-scanning service, and `wrangler dev` simulates the binding, so nothing legitimate
/// runs without it.
async fn check_rate_limit(req: &Request, env: &Env) -> std::result::Result<(), ApiError> {
    let limiter = env.rate_limiter(RATE_LIMITER_BINDING).map_err(|error| {
        console_error!("rate limiter {RATE_LIMITER_BINDING}: {error}");
        ApiError::misconfigured()
    })?;
    // Cloudflare sets CF-Connecting-IP on every request it forwards; clients cannot forge it.
    let key = rate_limit_key(header(req, "CF-Connecting-IP").as_deref());
    let outcome = limiter.limit(key).await.map_err(|error| {
        console_error!("rate limiter {RATE_LIMITER_BINDING}: {error}");
        ApiError::misconfigured()
    })?;
    if outcome.success {
        Ok(())
    } else {
        Err(ApiError::rate_limited())
    }
}

async fn run_probe(
    target: Target,
    config: &ProbeConfig,
    stream: bool,
) -> std::result::Result<Response, ApiError> {
    use crate::probe_runtime::{probe_ndjson_response, probe_report};

    let response = if stream {
        probe_ndjson_response(target, config)
    } else {
        Response::from_json(&probe_report(target, config).await?)
    };
    response.map_err(|error| {
        console_error!("probe response: {error}");
        ApiError::internal()
    })
}
