//! Security headers for every response the Worker sends (the app's assets and the API).

use std::fmt;

/// The `frame-ancestors` sources: who may embed the app in a frame. Either `'self'`, `'none'`,
/// or `'self'` and/or `https://` or `http://` origins (a leading `*.` wildcard allowed). Anything
/// else, and in particular `;` or `,` that would smuggle in other directives or headers, is
/// refused.
///
/// `http://` is for intranet wikis that have no TLS. Its risk: anyone on the network path can
/// alter such a page, so they could frame the app inside a page of their own making (the app
/// holds no secrets and sends nothing but a probe's host and port, but a framing page could
/// mislead about what it shows). Prefer https origins wherever the wiki has them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameAncestors(String);

const MAX_FRAME_ANCESTOR_SOURCES: usize = 16;

impl Default for FrameAncestors {
    fn default() -> Self {
        FrameAncestors("'self'".to_owned())
    }
}

impl fmt::Display for FrameAncestors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FrameAncestors {
    /// Parses a space-separated source list, e.g. `'self' https://portal.example.com`.
    pub fn parse(value: &str) -> Result<Self, String> {
        let sources: Vec<&str> = value.split_ascii_whitespace().collect();
        match sources.as_slice() {
            [] => return Err("FRAME_ANCESTORS is empty; use 'none' to forbid framing".to_owned()),
            ["'none'"] => return Ok(FrameAncestors("'none'".to_owned())),
            too_many if too_many.len() > MAX_FRAME_ANCESTOR_SOURCES => {
                return Err(format!(
                    "FRAME_ANCESTORS lists more than {MAX_FRAME_ANCESTOR_SOURCES} sources"
                ));
            }
            _ => {}
        }
        let mut normalized = Vec::with_capacity(sources.len());
        for source in sources {
            if source == "'self'" {
                normalized.push(source.to_owned());
            } else if let Some(origin) = web_origin(source) {
                normalized.push(origin);
            } else {
                return Err(format!(
                    "FRAME_ANCESTORS: {source:?} is not 'self' or an https:// or http:// origin \
                     such as https://wiki.example.com:8443 ('none' must stand alone)"
                ));
            }
        }
        Ok(FrameAncestors(normalized.join(" ")))
    }
}

/// `https://host[:port]` or `http://host[:port]` with an LDH host (optionally `*.`-prefixed),
/// lower-cased.
fn web_origin(source: &str) -> Option<String> {
    let scheme = ["https://", "http://"].into_iter().find(|scheme| {
        source
            .get(..scheme.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
    })?;
    let authority = source.get(scheme.len()..)?;
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if port.is_some_and(|port| {
        !port.bytes().all(|b| b.is_ascii_digit()) || port.parse::<u16>().is_err()
    }) {
        return None;
    }
    let name = host.strip_prefix("*.").unwrap_or(host);
    let labels_ok = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    labels_ok.then(|| format!("{scheme}{}", authority.to_ascii_lowercase()))
}

/// The app is one origin: scripts, styles, Wasm and API calls all come from it.
/// `'wasm-unsafe-eval'` lets the page compile its WebAssembly without allowing `eval`;
/// `form-action` is not covered by `default-src`, so it is named: the probe's form posts nowhere
/// else.
pub fn content_security_policy(frame_ancestors: &FrameAncestors) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors}"
    )
}

/// HTTPS only, for a year, on the deployment's own host name. Browsers ignore it on plain-HTTP
/// responses (local development), and on `*.workers.dev` it changes nothing; it matters on a
/// custom domain. `includeSubDomains` and preloading are the domain owner's decision, not this
/// app's.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// Powerful browser features the app never uses, off for it and for anything it would embed.
/// Only names Chromium recognises: an unknown one is logged as an error on every page load.
pub const PERMISSIONS_POLICY: &str = "accelerometer=(), camera=(), display-capture=(), \
    geolocation=(), gyroscope=(), hid=(), magnetometer=(), microphone=(), payment=(), \
    serial=(), usb=()";

/// What a response carries, which decides its caching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseKind {
    /// Static files: their caching is the asset server's business.
    Asset,
    /// `/embed.js`, the one file other sites load (a wiki page embeds the tool with it): an
    /// asset that other origins may fetch.
    EmbedScript,
    /// API responses are per request and may name visitors' hosts: never cached.
    Api,
}

/// The `(name, value)` pairs to set on a response.
pub fn security_headers(
    frame_ancestors: &FrameAncestors,
    kind: ResponseKind,
) -> Vec<(&'static str, String)> {
    let mut headers = vec![
        (
            "Content-Security-Policy",
            content_security_policy(frame_ancestors),
        ),
        ("X-Content-Type-Options", "nosniff".to_owned()),
        ("Referrer-Policy", "no-referrer".to_owned()),
        (
            "Strict-Transport-Security",
            STRICT_TRANSPORT_SECURITY.to_owned(),
        ),
        ("Permissions-Policy", PERMISSIONS_POLICY.to_owned()),
        // No other window keeps a handle on the app's (window.opener); embedding in an
        // iframe, which the wiki mode uses, is unaffected.
        ("Cross-Origin-Opener-Policy", "same-origin".to_owned()),
        // Other sites cannot load the app's files or API answers as their own subresources,
        // except the embedding script, which exists for them.
        (
            "Cross-Origin-Resource-Policy",
            if kind == ResponseKind::EmbedScript {
                "cross-origin"
            } else {
                "same-origin"
            }
            .to_owned(),
        ),
    ];
    if kind == ResponseKind::Api {
        headers.push(("Cache-Control", "no-store".to_owned()));
    }
    headers
}
