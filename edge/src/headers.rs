//! Security headers on every response, the app's files and the API alike (the header values
//! themselves are built and tested in `rdp_doctor_core::api`).

use rdp_doctor_core::api::{FrameAncestors, ResponseKind, security_headers};
use worker::{Env, Headers, Response, Result, console_error};

/// Who may frame the app: `'self'` (the default), `'none'`, or https origins.
pub const FRAME_ANCESTORS_VAR: &str = "FRAME_ANCESTORS";

/// Returns `response` with the security headers for the request `path` set. Call it once, on
/// whatever the router produced.
pub fn secure(response: Response, env: &Env, path: &str) -> Result<Response> {
    let kind = if path == "/api" || path.starts_with("/api/") {
        ResponseKind::Api
    } else {
        ResponseKind::Asset
    };
    // Responses from the assets binding have immutable headers: copy them into a fresh set.
    let headers = Headers::new();
    for (name, value) in response.headers().entries() {
        headers.append(&name, &value)?;
    }
    for (name, value) in security_headers(&frame_ancestors(env), kind) {
        headers.set(name, &value)?;
    }
    let (builder, body) = response.into_parts();
    Ok(builder.with_headers(headers).body(body))
}

/// A malformed setting falls back to the default, which is never weaker than what was meant.
fn frame_ancestors(env: &Env) -> FrameAncestors {
    let Ok(value) = env.var(FRAME_ANCESTORS_VAR) else {
        return FrameAncestors::default();
    };
    FrameAncestors::parse(&value.to_string()).unwrap_or_else(|problem| {
        console_error!("{problem}; using the default frame-ancestors 'self'");
        FrameAncestors::default()
    })
}
