//! The Worker's [`Resolver`]: DNS over HTTPS with the JSON API (Cloudflare's 1.1.1.1 by default,
//! `DOH_URL` to change it), through the runtime's `fetch`. Reading the answers and judging the
//! addresses happen in `rdp_doctor_core::api`.

use std::net::IpAddr;

use futures::future::join;
use rdp_doctor_core::api::{
    DOH_JSON_CONTENT_TYPE, RecordType, ResolveError, Resolver, doh_query_url, parse_doh_answer,
};
use worker::{Fetch, Headers, Method, Request, RequestInit};

use crate::probe_runtime::within;

/// A resolver answers in tens of milliseconds; past this it is treated as unavailable.
const LOOKUP_TIMEOUT_MS: u64 = 5_000;

pub struct DohResolver {
    pub url: String,
}

impl Resolver for DohResolver {
    /// Asks for A and AAAA records at once.
    async fn resolve(&self, name: &str) -> Result<Vec<IpAddr>, ResolveError> {
        let [a, aaaa] = RecordType::BOTH;
        let (v4, v6) = join(self.lookup(name, a), self.lookup(name, aaaa)).await;
        let mut addresses = v4?;
        addresses.extend(v6?);
        Ok(addresses)
    }
}

impl DohResolver {
    async fn lookup(&self, name: &str, record: RecordType) -> Result<Vec<IpAddr>, ResolveError> {
        let failed = |what: &str, error: &dyn std::fmt::Display| {
            ResolveError(format!("{what} {}: {error}", self.url))
        };
        let headers = Headers::new();
        headers
            .set("Accept", DOH_JSON_CONTENT_TYPE)
            .map_err(|error| failed("headers for", &error))?;
        let mut init = RequestInit::new();
        init.with_method(Method::Get).with_headers(headers);
        let request = Request::new_with_init(&doh_query_url(&self.url, name, record), &init)
            .map_err(|error| failed("request to", &error))?;
        let exchange = async {
            let mut response = Fetch::Request(request).send().await?;
            let status = response.status_code();
            let body = response.bytes().await?;
            Ok::<_, worker::Error>((status, body))
        };
        let (status, body) = within(LOOKUP_TIMEOUT_MS, exchange)
            .await
            .ok_or_else(|| failed("no answer within the timeout from", &LOOKUP_TIMEOUT_MS))?
            .map_err(|error| failed("fetch from", &error))?;
        if status != 200 {
            return Err(failed("HTTP status from", &status));
        }
        parse_doh_answer(&body, record)
    }
}
