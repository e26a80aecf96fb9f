//! Security headers on every response, the app's files and the API alike (the header values
//! themselves are built and tested in `rdp_doctor_core::api`).

use rdp_doctor_core::api::{ResponseKind, frame_ancestors_from_vars, security_headers};
use worker::{Env, Headers, Response, Result, console_error};

/// Returns `response` with the security headers for the request `path` set. Call it once, on
/// whatever the router produced. A malformed `FRAME_ANCESTORS` turns every response into a 500
/// that names the problem: a deployment with a typo fails loudly on its first request instead
/// of serving a framing policy its operator did not write.
pub fn secure(response: Response, env: &Env, path: &str) -> Result<Response> {
    let kind = if path == "/api" || path.starts_with("/api/") {
        ResponseKind::Api
    } else if path == "/embed.js" {
        ResponseKind::EmbedScript
    } else {
        ResponseKind::Asset
    };
    let frame_ancestors =
        match frame_ancestors_from_vars(|name| env.var(name).ok().map(|v| v.to_string())) {
            Ok(ancestors) => ancestors,
            Err(problem) => {
                console_error!("{problem}");
                return Response::error(
                    format!("This deployment of RDP Doctor is misconfigured: {problem}"),
                    500,
                );
            }
        };
    // Responses from the assets binding have immutable headers: copy them into a fresh set.
    let headers = Headers::new();
    for (name, value) in response.headers().entries() {
        headers.append(&name, &value)?;
    }
    for (name, value) in security_headers(&frame_ancestors, kind) {
        headers.set(name, &value)?;
    }
    let (builder, body) = response.into_parts();
    Ok(builder.with_headers(headers).body(body))
}
