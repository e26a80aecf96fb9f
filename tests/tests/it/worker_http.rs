//! The built Worker under workerd: health, the app's static files, security headers and errors.

use rdp_doctor_tests::worker::WorkerUnderTest;
use serde_json::Value;

#[tokio::test]
async fn serves_health_app_and_json_404() {
    let worker = WorkerUnderTest::start(&[]).await;
    let client = reqwest::Client::new();

    let health = client.get(worker.url("/api/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(
        health.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = health.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));

    let page = client.get(worker.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("RDP Doctor"), "index.html is served: {html}");

    let wasm = client
        .get(worker.url("/pkg/rdp_doctor_frontend_bg.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(wasm.status(), 200);
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(&wasm.bytes().await.unwrap()[..4], b"\0asm");

    let missing = client
        .get(worker.url("/api/no-such-endpoint"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn every_api_error_is_json_with_its_headers() {
    let worker = WorkerUnderTest::start(&[]).await;
    let client = reqwest::Client::new();
    for (request, status, code, allow) in [
        (
            client.post(worker.url("/api/health")),
            405,
            "method_not_allowed",
            Some("GET"),
        ),
        (
            client.delete(worker.url("/api/config")),
            405,
            "method_not_allowed",
            Some("GET"),
        ),
        (
            client.get(worker.url("/api/probe")),
            405,
            "method_not_allowed",
            Some("POST"),
        ),
        (client.get(worker.url("/api")), 404, "not_found", None),
        (
            client.put(worker.url("/api/nothing")),
            404,
            "not_found",
            None,
        ),
    ] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), status, "{code}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{code}"
        );
        assert_eq!(
            response.headers().get("allow").map(|v| v.to_str().unwrap()),
            allow
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code);
    }
}
