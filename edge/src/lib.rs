//! The Worker: serves the built app from Workers Static Assets and the JSON API under `/api/`.
//! Handlers stay thin: they validate, call into `rdp-doctor-core`, and shape the response.

use serde_json::json;
use worker::{Context, Env, Request, Response, Result, RouteContext, Router, event};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    Router::new()
        .get("/api/health", health)
        // matchit's catch-all does not match the bare root, hence two patterns.
        .or_else_any_method_async("/", fallback)
        .or_else_any_method_async("/*path", fallback)
        .run(req, env)
        .await
}

fn health(_req: Request, _ctx: RouteContext<()>) -> Result<Response> {
    Response::from_json(&json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}))
}

/// Anything that is not an API route is a file of the built app.
async fn fallback(req: Request, ctx: RouteContext<()>) -> Result<Response> {
    if req.path().starts_with("/api/") {
        let body = json!({"error": {"code": "not_found", "message": "No such API endpoint."}});
        return Ok(Response::from_json(&body)?.with_status(404));
    }
    ctx.env.assets("ASSETS")?.fetch_request(req).await
}
