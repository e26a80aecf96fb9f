//! The API contract: request bodies, error bodies, content negotiation, configuration.

use rdp_doctor_core::api::{
    ApiError, ErrorBody, ErrorDetail, HealthResponse, MAX_REQUEST_BODY_BYTES, ProbeConfig,
    ProbeRequest, RATE_LIMIT_PERIOD_SECS, StreamEvent, TargetPolicy, accepts_ndjson,
    is_json_content_type, rate_limit_key, target_rate_limit_key,
};
use rdp_doctor_core::report::Target;
use serde_json::json;

#[test]
fn well_formed_bodies_parse() {
    let cases: [(&str, ProbeRequest); 4] = [
        (
            r#"{"host":"rdp.example.com"}"#,
            ProbeRequest {
                host: "rdp.example.com".into(),
                port: None,
            },
        ),
        (
            r#"{"host":"8.8.8.8","port":3390}"#,
            ProbeRequest {
                host: "8.8.8.8".into(),
                port: Some(3390),
            },
        ),
        (
            r#"{"port":3389,"host":"h.example"}"#,
            ProbeRequest {
                host: "h.example".into(),
                port: Some(3389),
            },
        ),
        (
            r#" {"host":"h.example","port":null} "#,
            ProbeRequest {
                host: "h.example".into(),
                port: None,
            },
        ),
    ];
    for (body, expected) in cases {
        assert_eq!(
            ProbeRequest::from_json(body.as_bytes()),
            Ok(expected),
            "{body}"
        );
    }
}

#[test]
fn malformed_bodies_are_bad_requests() {
    let cases = [
        ("", "JSON object"),
        ("not json", "JSON object"),
        ("[]", "JSON object"),
        (r#"["h.example", 3389]"#, "JSON object"),
        ("\"rdp.example.com\"", "JSON object"),
        ("null", "JSON object"),
        ("{}", "missing field `host`"),
        (r#"{"host":null}"#, "invalid type"),
        (r#"{"host":42}"#, "invalid type"),
        (r#"{"host":"h.example","port":"3389"}"#, "invalid type"),
        (r#"{"host":"h.example","port":-1}"#, "invalid value"),
        (r#"{"host":"h.example","port":65536}"#, "invalid value"),
        (r#"{"host":"h.example","port":3389.0}"#, "invalid type"),
        (
            r#"{"host":"h.example","user":"admin"}"#,
            "unknown field `user`",
        ),
        (
            r#"{"host":"a.example","host":"b.example"}"#,
            "duplicate field `host`",
        ),
        (r#"{"host":"h.example"} {}"#, "trailing characters"),
        (r#"{"host":"h.example""#, "EOF"),
        ("\u{feff}{\"host\":\"h.example\"}", "JSON object"),
        (r#"{"host":"h.example","port":[3389]}"#, "invalid type"),
        (r#"{"host":["h.example"]}"#, "invalid type"),
    ];
    for (body, detail) in cases {
        let error = ProbeRequest::from_json(body.as_bytes()).unwrap_err();
        assert_eq!(
            (error.status(), error.code()),
            (400, "bad_request"),
            "{body}"
        );
        assert!(
            error.message().contains(detail),
            "{body:?} should mention {detail:?}: {}",
            error.message()
        );
    }
    let invalid_utf8 = b"{\"host\":\"\xff\"}";
    assert_eq!(
        ProbeRequest::from_json(invalid_utf8).unwrap_err().code(),
        "bad_request"
    );
}

#[test]
fn bodies_over_the_limit_are_refused_before_parsing() {
    let padding = " ".repeat(MAX_REQUEST_BODY_BYTES);
    let body = format!(r#"{{"host":"h.example"}}{padding}"#);
    let error = ProbeRequest::from_json(body.as_bytes()).unwrap_err();
    assert_eq!((error.status(), error.code()), (413, "payload_too_large"));

    let at_limit = format!(
        r#"{{"host":"h.example"}}{}"#,
        " ".repeat(MAX_REQUEST_BODY_BYTES - 20)
    );
    assert_eq!(at_limit.len(), MAX_REQUEST_BODY_BYTES);
    assert!(ProbeRequest::from_json(at_limit.as_bytes()).is_ok());
}

#[test]
fn a_request_becomes_a_checked_target_with_the_default_port() {
    let request = ProbeRequest::from_json(br#"{"host":"RDP.example.com"}"#).unwrap();
    let target = request.target(&TargetPolicy::default()).unwrap();
    assert_eq!(
        (target.host.as_str(), target.port),
        ("rdp.example.com", Target::DEFAULT_PORT)
    );

    let request = ProbeRequest::from_json(br#"{"host":"rdp.example.com","port":22}"#).unwrap();
    assert_eq!(
        request.target(&TargetPolicy::default()).unwrap_err().code(),
        "port_not_allowed"
    );
    let request = ProbeRequest::from_json(br#"{"host":"0x7f.1"}"#).unwrap();
    assert_eq!(
        request.target(&TargetPolicy::default()).unwrap_err().code(),
        "target_not_allowed"
    );
}

#[test]
fn every_error_has_its_status_code_headers_and_the_documented_body() {
    let errors = [
        (ApiError::BadRequest("x".into()), 400, "bad_request"),
        (ApiError::InvalidHost("x".into()), 400, "invalid_host"),
        (
            ApiError::PortNotAllowed {
                port: 22,
                allowed: vec![3389],
            },
            403,
            "port_not_allowed",
        ),
        (
            ApiError::TargetNotAllowed("x".into()),
            403,
            "target_not_allowed",
        ),
        (ApiError::NotFound, 404, "not_found"),
        (
            ApiError::MethodNotAllowed { allowed: "POST" },
            405,
            "method_not_allowed",
        ),
        (ApiError::PayloadTooLarge, 413, "payload_too_large"),
        (
            ApiError::UnsupportedMediaType,
            415,
            "unsupported_media_type",
        ),
        (ApiError::RateLimited, 429, "rate_limited"),
        (ApiError::TargetRateLimited, 429, "target_rate_limited"),
        (ApiError::Internal, 500, "internal_error"),
        (ApiError::ResolverUnavailable, 502, "resolver_unavailable"),
        (ApiError::Misconfigured, 503, "unavailable"),
        (
            ApiError::ProbeTimedOut { timeout_ms: 15_000 },
            504,
            "probe_timed_out",
        ),
    ];
    for (error, status, code) in errors {
        assert_eq!((error.status(), error.code()), (status, code));
        assert!(!error.message().is_empty());
        let json = serde_json::to_value(error.body()).unwrap();
        assert_eq!(
            json,
            json!({"error": {"code": code, "message": error.message()}})
        );
        let back: ErrorBody = serde_json::from_value(json).unwrap();
        assert_eq!(back.error.code, code);
        let header_names: Vec<&str> = error.headers().iter().map(|(name, _)| *name).collect();
        let expected: &[&str] = match status {
            405 => &["Allow"],
            429 => &["Retry-After"],
            _ => &[],
        };
        assert_eq!(header_names, expected, "{code}");
    }
    assert_eq!(
        ApiError::MethodNotAllowed { allowed: "GET" }.headers(),
        [("Allow", "GET".to_owned())]
    );
    assert_eq!(
        ApiError::TargetRateLimited.headers(),
        [("Retry-After", RATE_LIMIT_PERIOD_SECS.to_string())]
    );
}

#[test]
fn json_content_types() {
    for value in [
        "application/json",
        "Application/JSON",
        "application/json; charset=utf-8",
        " application/json ;x=y",
    ] {
        assert!(is_json_content_type(Some(value)), "{value}");
    }
    for value in [
        "",
        "text/plain",
        "application/jsonx",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/ld+json",
    ] {
        assert!(!is_json_content_type(Some(value)), "{value}");
    }
    assert!(!is_json_content_type(None));
}

#[test]
fn ndjson_is_chosen_only_when_asked_for() {
    for value in [
        "application/x-ndjson",
        "application/json, application/x-ndjson",
        "APPLICATION/X-NDJSON;q=0.5",
        "application/x-ndjson; q=1",
    ] {
        assert!(accepts_ndjson(Some(value)), "{value}");
    }
    for value in [
        "application/json",
        "*/*",
        "",
        "application/x-ndjson;q=0",
        "application/x-ndjson; Q=0.000",
        "application/x-ndjsonx",
    ] {
        assert!(!accepts_ndjson(Some(value)), "{value}");
    }
    assert!(!accepts_ndjson(None));
}

#[test]
fn stream_events_carry_their_type_tag() {
    type Event = StreamEvent<serde_json::Value, serde_json::Value>;
    let stage: Event = StreamEvent::Stage(json!({"stage": "tcp", "ms": 12}));
    assert_eq!(
        serde_json::to_value(&stage).unwrap(),
        json!({"type": "stage", "stage": "tcp", "ms": 12})
    );
    let report: Event = StreamEvent::Report(json!({"verdict": "ok"}));
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        json!({"type": "report", "verdict": "ok"})
    );
    let error: Event = StreamEvent::Error {
        error: ErrorDetail {
            code: "probe_timed_out".into(),
            message: "m".into(),
        },
    };
    let value = serde_json::to_value(&error).unwrap();
    assert_eq!(
        value,
        json!({"type": "error", "error": {"code": "probe_timed_out", "message": "m"}})
    );
    assert_eq!(serde_json::from_value::<Event>(value).unwrap(), error);
}

#[test]
fn health_response_shape() {
    let health = HealthResponse::ok("0.1.0");
    assert_eq!(
        serde_json::to_value(&health).unwrap(),
        json!({"status": "ok", "version": "0.1.0"})
    );
}

fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        pairs
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
    }
}

#[test]
fn configuration_defaults_are_the_production_policy() {
    let config = ProbeConfig::from_vars(vars(&[])).unwrap();
    assert_eq!(config, ProbeConfig::default());
    assert_eq!(
        config.policy,
        TargetPolicy {
            allowed_ports: vec![3389],
            allow_loopback: false
        }
    );
    assert_eq!(config.timeout_ms, 15_000);
    assert!(!config.log_targets);
}

#[test]
fn configuration_is_read_from_vars() {
    let config = ProbeConfig::from_vars(vars(&[
        ("ALLOWED_PORTS", "3389, 3390,3389"),
        ("ALLOW_LOOPBACK_TARGETS", "true"),
        ("PROBE_TIMEOUT_MS", "5000"),
        ("LOG_TARGETS", "true"),
    ]))
    .unwrap();
    assert_eq!(
        config.policy,
        TargetPolicy {
            allowed_ports: vec![3389, 3390],
            allow_loopback: true
        }
    );
    assert_eq!(config.timeout_ms, 5000);
    assert!(config.log_targets);
}

#[test]
fn malformed_configuration_names_the_variable() {
    let cases = [
        ("ALLOWED_PORTS", ""),
        ("ALLOWED_PORTS", "0"),
        ("ALLOWED_PORTS", "3389,"),
        ("ALLOWED_PORTS", "rdp"),
        ("ALLOWED_PORTS", "65536"),
        ("ALLOW_LOOPBACK_TARGETS", "yes"),
        ("ALLOW_LOOPBACK_TARGETS", "TRUE"),
        ("LOG_TARGETS", "1"),
        ("PROBE_TIMEOUT_MS", "999"),
        ("PROBE_TIMEOUT_MS", "60001"),
        ("PROBE_TIMEOUT_MS", "15s"),
    ];
    for (name, value) in cases {
        let error = ProbeConfig::from_vars(vars(&[(name, value)])).unwrap_err();
        assert!(error.starts_with(name), "{name}={value:?}: {error}");
    }
}

#[test]
fn rate_limit_buckets_are_per_ipv4_address_and_per_ipv6_slash_64() {
    let cases = [
        (Some("203.0.113.7"), "203.0.113.7"),
        (Some(" 198.51.100.1 "), "198.51.100.1"),
        (Some("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64"),
        (
            Some("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            "2001:db8:1:2::/64",
        ),
        (Some("2001:db8:1:3::1"), "2001:db8:1:3::/64"),
        (Some("::ffff:203.0.113.7"), "203.0.113.7"),
        (None, "unknown"),
        (Some(""), "unknown"),
        (Some("203.0.113.7, 10.0.0.1"), "unknown"),
    ];
    for (header, key) in cases {
        assert_eq!(rate_limit_key(header), key, "{header:?}");
    }
}

#[test]
fn target_rate_limit_buckets_are_per_address_and_port() {
    let key = |ip: &str, port| target_rate_limit_key(ip.parse().unwrap(), port);
    assert_eq!(key("8.8.8.8", 3389), "8.8.8.8:3389");
    assert_eq!(key("::ffff:8.8.8.8", 3389), "8.8.8.8:3389");
    assert_eq!(key("2001:4860::8888", 3390), "[2001:4860::8888]:3390");
    assert_ne!(key("8.8.8.8", 3389), key("8.8.8.8", 3390));
}
