//! Security headers and the `frame-ancestors` allowlist.

use rdp_doctor_core::api::{
    FrameAncestors, ResponseKind, content_security_policy, security_headers,
};

#[test]
fn the_default_policy_allows_only_the_app_itself() {
    assert_eq!(
        content_security_policy(&FrameAncestors::default()),
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
    );
}

#[test]
fn api_responses_are_never_cached_and_assets_keep_their_caching() {
    let ancestors = FrameAncestors::default();
    let names = |kind| -> Vec<&str> {
        security_headers(&ancestors, kind)
            .into_iter()
            .map(|(name, _)| name)
            .collect()
    };
    assert_eq!(
        names(ResponseKind::Asset),
        [
            "Content-Security-Policy",
            "X-Content-Type-Options",
            "Referrer-Policy",
            "Strict-Transport-Security",
            "Permissions-Policy",
            "Cross-Origin-Opener-Policy",
            "Cross-Origin-Resource-Policy",
        ]
    );
    let asset = security_headers(&ancestors, ResponseKind::Asset);
    assert!(asset.contains(&("Strict-Transport-Security", "max-age=31536000".to_owned())));
    assert!(asset.contains(&("Cross-Origin-Opener-Policy", "same-origin".to_owned())));
    assert!(asset.contains(&("Cross-Origin-Resource-Policy", "same-origin".to_owned())));
    // The embedding script is the one file a wiki on another origin must be able to load.
    let embed = security_headers(&ancestors, ResponseKind::EmbedScript);
    assert!(embed.contains(&("Cross-Origin-Resource-Policy", "cross-origin".to_owned())));
    assert!(!embed.iter().any(|(name, _)| *name == "Cache-Control"));
    let permissions = &asset
        .iter()
        .find(|(name, _)| *name == "Permissions-Policy")
        .unwrap()
        .1;
    for feature in ["camera=()", "microphone=()", "geolocation=()", "usb=()"] {
        assert!(permissions.contains(feature), "{permissions}");
    }
    let api = security_headers(&ancestors, ResponseKind::Api);
    assert!(api.contains(&("Cache-Control", "no-store".to_owned())));
    assert!(api.contains(&("X-Content-Type-Options", "nosniff".to_owned())));
    assert!(api.contains(&("Referrer-Policy", "no-referrer".to_owned())));
}

#[test]
fn allowed_frame_ancestors_are_normalized() {
    let cases = [
        ("'self'", "'self'"),
        ("  'none'  ", "'none'"),
        ("https://portal.example.com", "https://portal.example.com"),
        (
            "'self' HTTPS://Portal.Example.com:8443",
            "'self' https://portal.example.com:8443",
        ),
        (
            "https://*.example.com https://a.example",
            "https://*.example.com https://a.example",
        ),
        // Intranet wikis without TLS (the risk is documented on FrameAncestors).
        ("http://wiki.corp", "http://wiki.corp"),
        ("'self' HTTP://Intranet:8080", "'self' http://intranet:8080"),
    ];
    for (value, expected) in cases {
        let ancestors = FrameAncestors::parse(value).unwrap_or_else(|e| panic!("{value:?}: {e}"));
        assert_eq!(ancestors.to_string(), expected);
        assert!(
            content_security_policy(&ancestors).ends_with(&format!("frame-ancestors {expected}"))
        );
    }
}

#[test]
fn frame_ancestors_cannot_inject_directives_or_weaken_the_policy() {
    let too_many = vec!["https://a.example"; 17].join(" ");
    let cases = [
        "",
        "   ",
        "*",
        "'unsafe-inline'",
        "'self'; script-src *",
        "https://a.example; script-src *",
        "https://a.example;",
        "https://a.example,https://b.example",
        "ftp://portal.example.com",
        "http://",
        "http://a.example/path",
        "wiki.corp",
        "https://",
        "https://*",
        "https://*.",
        "https://a.example/path",
        "https://user@a.example",
        "https://a.example:99999",
        "https://a.example:",
        "https://a.example:+1",
        "https://-a.example",
        "https://a_b.example",
        "data:",
        "'none' 'self'",
        "'self'\r\nSet-Cookie: x=y",
        "https://bücher.example",
        too_many.as_str(),
    ];
    for value in cases {
        assert!(
            FrameAncestors::parse(value).is_err(),
            "{value:?} was accepted"
        );
    }
}
