//! The Worker: serves the built app from Workers Static Assets and the JSON API under `/api/`.
//! Handlers stay thin: they validate, call into `rdp-doctor-core`, and shape the response.

mod doh;
mod headers;
mod probe_api;
mod probe_runtime;
mod runtime_socket;

use rdp_doctor_core::api::{ApiError, HealthResponse, SiteConfig};
use worker::{
    Context, Env, Method, Request, Response, Result, RouteContext, Router, console_error, event,
};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let path = req.path();
    // Every route takes any method and answers a JSON 405 itself: the router's own 405 is text.
    let routed = Router::new()
        .on("/api/health", health)
        .on("/api/config", site_config)
        .on_async("/api/probe", probe_api::handle)
        // matchit's catch-all does not match the bare root, hence two patterns.
        .or_else_any_method_async("/", fallback)
        .or_else_any_method_async("/*path", fallback)
        .run(req, env.clone())
        .await;
    // An error escaping a handler would become the runtime's plain-text 500.
    let response = match routed {
        Ok(response) => response,
        Err(error) => {
            console_error!("{path}: {error}");
            probe_api::error_response(&ApiError::Internal)?
        }
    };
    headers::secure(response, &env, &path)
}

fn health(req: Request, _ctx: RouteContext<()>) -> Result<Response> {
    if req.method() != Method::Get {
        return probe_api::error_response(&ApiError::MethodNotAllowed { allowed: "GET" });
    }
    Response::from_json(&HealthResponse::ok(env!("CARGO_PKG_VERSION")))
}

/// Branding the page shows, from Worker vars, so a deployment can change it without a rebuild.
fn site_config(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    if req.method() != Method::Get {
        return probe_api::error_response(&ApiError::MethodNotAllowed { allowed: "GET" });
    }
    let config = SiteConfig::from_vars(|name| ctx.env.var(name).ok().map(|v| v.to_string()));
    Response::from_json(&config)
}

/// Anything that is not an API route is a file of the built app.
async fn fallback(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    if req.path() == "/api" || req.path().starts_with("/api/") {
        return probe_api::error_response(&ApiError::NotFound);
    }
    ctx.env.assets("ASSETS")?.fetch_request(req).await
}
