//! The evidence analyzers of `rdp-doctor-core`, packaged as their own Wasm module for the
//! analysis Web Worker (`static/analysis-worker.js`). Kept out of the page's bundle so the first
//! load stays small, and run off the main thread so a 100 MB event log never freezes the page.
//!
//! Built twice: without feature `evtx` (certificates, text event exports, .rdp files) and with
//! it (the same plus binary .evtx files, whose reader weighs more than everything else together),
//! so the worker downloads the .evtx reader only when an .evtx file arrives.
//!
//! Reports leave as JSON text: the worker hands `JSON.parse` of it to the page, and the page reads
//! it back into the core's report types with serde, so both sides share one exact format.

use std::str::FromStr;

use rdp_doctor_core::analyze::cert::{self, CertContext};
#[cfg(feature = "evtx")]
use rdp_doctor_core::analyze::{AnalyzeError, evtx};
use rdp_doctor_core::analyze::{events, rdpfile};
use rdp_doctor_core::report::AnalysisReport;
use wasm_bindgen::prelude::*;

/// What the bytes are, named as in the worker protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A server certificate or chain (PEM, DER, base64, certutil or PowerShell text).
    Cert,
    /// Windows events: XML, text or CSV exports, or a binary .evtx file.
    Events,
    /// An .rdp connection file.
    Rdp,
}

impl FromStr for Kind {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "cert" => Ok(Kind::Cert),
            "events" => Ok(Kind::Events),
            "rdp" => Ok(Kind::Rdp),
            other => Err(format!(
                "unknown kind of evidence {other:?}: expected \"cert\", \"events\" or \"rdp\""
            )),
        }
    }
}

impl Kind {
    /// The largest input the analyzer for this kind accepts, in bytes.
    pub fn input_limit(self) -> usize {
        match self {
            Kind::Cert => cert::MAX_INPUT_BYTES,
            Kind::Events => events::MAX_INPUT_BYTES,
            Kind::Rdp => rdpfile::MAX_INPUT_BYTES,
        }
    }
}

/// Runs the analyzer for `kind` and returns its report as JSON: the core's [`AnalysisReport`],
/// tagged with its kind, exactly as the page reads it. `ctx` matters to certificates only. An
/// error is a sentence for the person who supplied the input.
pub fn analyze_to_json(kind: Kind, bytes: Vec<u8>, ctx: &CertContext) -> Result<String, String> {
    let report = match kind {
        Kind::Cert => cert::analyze(&bytes, ctx).map(AnalysisReport::Certificate),
        Kind::Events => {
            let report = events::analyze(&bytes);
            #[cfg(feature = "evtx")]
            let report = match report {
                Err(AnalyzeError::EvtxNeedsEvtxReader) => evtx::analyze(bytes),
                other => other,
            };
            report.map(AnalysisReport::EventLog)
        }
        Kind::Rdp => rdpfile::analyze(&bytes).map(AnalysisReport::RdpFile),
    };
    serde_json::to_string(&report.map_err(|error| error.to_string())?)
        .map_err(|error| format!("the report could not be written as JSON: {error}"))
}

/// JavaScript entry point: `analyze("cert" | "events" | "rdp", bytes, now_unix, host)` returns
/// the report as JSON text, or throws an `Error` whose message says what was wrong.
///
/// `now_unix` is the browser's clock in seconds (certificate validity is judged against it);
/// `host` is the name the client connects to, checked against the certificate.
#[wasm_bindgen]
pub fn analyze(
    kind: &str,
    bytes: Vec<u8>,
    now_unix: f64,
    host: Option<String>,
) -> Result<String, JsError> {
    let kind: Kind = kind.parse().map_err(|e: String| JsError::new(&e))?;
    if !now_unix.is_finite() {
        return Err(JsError::new("now_unix must be a finite number of seconds"));
    }
    let ctx = CertContext {
        // Saturating conversion; any real clock is far inside i64.
        now_unix: now_unix.floor() as i64,
        host: host
            .map(|host| host.trim().to_string())
            .filter(|host| !host.is_empty()),
    };
    analyze_to_json(kind, bytes, &ctx).map_err(|e| JsError::new(&e))
}

/// The largest input `analyze` accepts for `kind`, so the worker can refuse a larger file before
/// copying it into Wasm memory.
#[wasm_bindgen(js_name = inputLimit)]
pub fn input_limit(kind: &str) -> Result<f64, JsError> {
    let kind: Kind = kind.parse().map_err(|e: String| JsError::new(&e))?;
    // Every limit is well below 2^53, so the conversion is exact.
    Ok(kind.input_limit() as f64)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use serde_json::Value;

    use super::*;

    fn fixture(path: &str) -> Vec<u8> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        std::fs::read(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn report(kind: Kind, path: &str, ctx: &CertContext) -> Value {
        let json = analyze_to_json(kind, fixture(path), ctx).unwrap_or_else(|e| panic!("{e}"));
        serde_json::from_str(&json).expect("the report is JSON")
    }

    fn evidence_ids(report: &Value) -> Vec<&str> {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter_map(|finding| finding["evidence"].as_str())
            .collect()
    }

    #[test]
    fn kinds_are_the_protocol_names() {
        assert_eq!("cert".parse(), Ok(Kind::Cert));
        assert_eq!("events".parse(), Ok(Kind::Events));
        assert_eq!("rdp".parse(), Ok(Kind::Rdp));
        let unknown = "evtx".parse::<Kind>().unwrap_err();
        assert!(unknown.contains("\"evtx\"") && unknown.contains("\"events\""));
    }

    #[test]
    fn an_expired_certificate_is_judged_against_the_given_clock() {
        let ctx = CertContext {
            now_unix: 1_900_000_000,
            host: None,
        };
        let report = report(Kind::Cert, "shared/tests/fixtures/certs/expired.pem", &ctx);
        assert_eq!(report["input_format"], "pem");
        assert!(evidence_ids(&report).contains(&"cert.expired"), "{report}");
    }

    #[cfg(feature = "evtx")]
    #[test]
    fn a_binary_evtx_file_goes_to_the_evtx_reader() {
        let report = report(
            Kind::Events,
            "shared/tests/fixtures/events/rdp-server.evtx",
            &CertContext::default(),
        );
        assert_eq!(report["format_detected"], "evtx");
        assert_eq!(report["events_read"], 8);
        assert!(
            evidence_ids(&report).contains(&"event.logon_bad_credentials"),
            "{report}"
        );
    }

    #[test]
    fn event_xml_and_rdp_files_are_read() {
        let ctx = CertContext::default();
        let events = report(
            Kind::Events,
            "shared/tests/fixtures/events/wevtutil-system.xml",
            &ctx,
        );
        assert_eq!(events["format_detected"], "xml");
        let rdp = report(
            Kind::Rdp,
            "shared/tests/fixtures/rdp/nla-off-nonstandard-port.rdp",
            &ctx,
        );
        assert_eq!(rdp["kind"], "rdp_file");
        assert_eq!(rdp["target"]["port"], 3390, "{rdp}");
    }

    #[test]
    fn unreadable_input_is_a_sentence_not_a_panic() {
        let ctx = CertContext::default();
        assert_eq!(
            analyze_to_json(Kind::Events, Vec::new(), &ctx),
            Err("the input is empty".to_string())
        );
        let not_a_cert = analyze_to_json(Kind::Cert, b"hello".to_vec(), &ctx).unwrap_err();
        assert!(
            not_a_cert.starts_with("no certificate found"),
            "{not_a_cert}"
        );
        // The .evtx magic followed by garbage is refused, not panicked on.
        let mut broken_evtx = b"ElfFile\0".to_vec();
        broken_evtx.extend_from_slice(&[0xff; 100]);
        let broken = analyze_to_json(Kind::Events, broken_evtx, &ctx).unwrap_err();
        assert!(broken.contains(".evtx"), "{broken}");
    }
}
