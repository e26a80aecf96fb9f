//! `POST /api/probe`: validate the request, apply the target policy and the per-client rate
//! limit, resolve a host name and judge every address it has, apply the per-target rate limit,
//! then run the probe and answer with its report (JSON), or stream its stages (NDJSON).
//!
//! Every refusal is an [`ApiError`] with a stable code; the decisions themselves live in
//! `rdp_doctor_core::api`, natively tested. This file only moves bytes and headers.

use futures::StreamExt;
use rdp_doctor_core::api::{
    ApiError, CheckedTarget, Destination, MAX_REQUEST_BODY_BYTES, ProbeConfig, ProbeRequest,
    accepts_ndjson, is_json_content_type, rate_limit_key, resolve_target, target_rate_limit_key,
};
use worker::{Env, Method, Request, Response, Result, RouteContext, console_error, console_log};

use crate::doh::DohResolver;
use crate::probe_runtime::within;

/// The Workers Rate Limiting binding per client (see wrangler.toml).
pub const CLIENT_RATE_LIMITER_BINDING: &str = "PROBE_RATE_LIMITER";
/// The binding per target: the checked address and port, whoever asks.
pub const TARGET_RATE_LIMITER_BINDING: &str = "PROBE_TARGET_RATE_LIMITER";
/// How long a client may take to send its (at most 4 KiB) body.
const BODY_READ_TIMEOUT_MS: u64 = 10_000;

const METHOD: &str = "POST";

/// Route with `.on_async("/api/probe", probe_api::handle)` so other methods get a JSON 405.
pub async fn handle(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    match respond(req, &ctx.env).await {
        Ok(response) => Ok(response),
        Err(error) => error_response(&error),
    }
}

/// The JSON response for `error`, with the headers it calls for (`Allow`, `Retry-After`).
pub fn error_response(error: &ApiError) -> Result<Response> {
    let response = Response::from_json(&error.body())?.with_status(error.status());
    for (name, value) in error.headers() {
        response.headers().set(name, &value)?;
    }
    Ok(response)
}

async fn respond(mut req: Request, env: &Env) -> std::result::Result<Response, ApiError> {
    if req.method() != Method::Post {
        return Err(ApiError::MethodNotAllowed { allowed: METHOD });
    }
    let config = ProbeConfig::from_vars(|name| env.var(name).ok().map(|value| value.to_string()))
        .map_err(|problem| {
        console_error!("probe configuration: {problem}");
        ApiError::Misconfigured
    })?;
    let content_type = header(&req, "Content-Type");
    if !is_json_content_type(content_type.as_deref()) {
        return Err(ApiError::UnsupportedMediaType);
    }
    let body = read_body(&mut req).await?;
    let target = ProbeRequest::from_json(&body)?.target(&config.policy)?;
    // Cloudflare sets CF-Connecting-IP on every request it forwards; clients cannot forge it.
    let client = rate_limit_key(header(&req, "CF-Connecting-IP").as_deref());
    check_rate_limit(
        env,
        CLIENT_RATE_LIMITER_BINDING,
        client,
        ApiError::RateLimited,
    )
    .await?;
    let resolver = DohResolver {
        url: config.doh_url.clone(),
    };
    let destination = resolve_target(&target, &config.policy, &resolver).await?;
    // A name without an address connects nowhere, so only reachable targets count.
    if let Destination::Address(address) = destination {
        let key = target_rate_limit_key(address, target.port);
        check_rate_limit(
            env,
            TARGET_RATE_LIMITER_BINDING,
            key,
            ApiError::TargetRateLimited,
        )
        .await?;
    }
    if config.log_targets {
        console_log!("probe {}:{} ({destination:?})", target.host, target.port);
    }
    let stream = accepts_ndjson(header(&req, "Accept").as_deref());
    run_probe(target, destination, &config, stream).await
}

fn header(req: &Request, name: &str) -> Option<String> {
    req.headers().get(name).ok().flatten()
}

/// Stops at the first byte past the limit, whether or not the body declared its length, so an
/// oversized body costs no more memory than the limit.
async fn read_body(req: &mut Request) -> std::result::Result<Vec<u8>, ApiError> {
    let declared = header(req, "Content-Length").and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_REQUEST_BODY_BYTES as u64) {
        return Err(ApiError::PayloadTooLarge);
    }
    let Ok(mut chunks) = req.stream() else {
        // No body at all: parsing the empty body explains what was expected.
        return Ok(Vec::new());
    };
    let read = async {
        let mut body = Vec::new();
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|_| {
                ApiError::BadRequest("the request body could not be read".to_owned())
            })?;
            let room = MAX_REQUEST_BODY_BYTES + 1 - body.len();
            body.extend_from_slice(chunk.get(..room).unwrap_or(&chunk));
            if body.len() > MAX_REQUEST_BODY_BYTES {
                return Err(ApiError::PayloadTooLarge);
            }
        }
        Ok(body)
    };
    within(BODY_READ_TIMEOUT_MS, read).await.unwrap_or_else(|| {
        Err(ApiError::BadRequest(
            "the request body took too long to arrive".to_owned(),
        ))
    })
}

/// Takes one probe from `key`'s bucket of the `binding` limiter; `exhausted` when it is empty.
/// A missing binding fails closed: an unlimited probe is an open port-scanning service, and
/// `wrangler dev` simulates the bindings, so nothing legitimate runs without them.
async fn check_rate_limit(
    env: &Env,
    binding: &str,
    key: String,
    exhausted: ApiError,
) -> std::result::Result<(), ApiError> {
    let limiter = env.rate_limiter(binding).map_err(|error| {
        console_error!("rate limiter {binding}: {error}");
        ApiError::Misconfigured
    })?;
    let outcome = limiter.limit(key).await.map_err(|error| {
        console_error!("rate limiter {binding}: {error}");
        ApiError::Misconfigured
    })?;
    if outcome.success {
        Ok(())
    } else {
        Err(exhausted)
    }
}

async fn run_probe(
    target: CheckedTarget,
    destination: Destination,
    config: &ProbeConfig,
    stream: bool,
) -> std::result::Result<Response, ApiError> {
    use crate::probe_runtime::{probe_ndjson_response, probe_report};

    let response = if stream {
        probe_ndjson_response(target, destination, config)
    } else {
        Response::from_json(&probe_report(target, destination, config).await?)
    };
    response.map_err(|error| {
        console_error!("probe response: {error}");
        ApiError::Internal
    })
}
