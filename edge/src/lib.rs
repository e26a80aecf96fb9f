//! The Worker: serves the built app from Workers Static Assets and the JSON API under `/api/`.
//! Handlers stay thin: they validate, call into `rdp-doctor-core`, and shape the response.

mod headers;
mod probe_api;
mod probe_runtime;

use rdp_doctor_core::api::{ApiError, HealthResponse, SiteConfig};
use worker::{Context, Env, Request, Response, Result, RouteContext, Router, event};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let path = req.path();
    let response = Router::new()
        .get("/api/health", health)
        .get("/api/config", site_config)
        // Any method: the handler answers 405 for anything but POST.
        .on_async("/api/probe", probe_api::handle)
        // matchit's catch-all does not match the bare root, hence two patterns.
        .or_else_any_method_async("/", fallback)
        .or_else_any_method_async("/*path", fallback)
        .run(req, env.clone())
        .await?;
    headers::secure(response, &env, &path)
}

fn health(_req: Request, _ctx: RouteContext<()>) -> Result<Response> {
    Response::from_json(&HealthResponse::ok(env!("CARGO_PKG_VERSION")))
}

/// Branding the page shows, from Worker vars, so a deployment can change it without a rebuild.
fn site_config(_req: Request, ctx: RouteContext<()>) -> Result<Response> {
    let config = SiteConfig::from_vars(|name| ctx.env.var(name).ok().map(|v| v.to_string()));
    Response::from_json(&config)
}

/// Anything that is not an API route is a file of the built app.
async fn fallback(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    if req.path().starts_with("/api/") {
        return probe_api::error_response(&ApiError::not_found());
    }
    ctx.env.assets("ASSETS")?.fetch_request(req).await
}
