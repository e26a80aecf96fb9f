//! Links that carry a case in the URL fragment, which browsers never send to a server.
//!
//! `#host=rdp.example.com&port=3389&code=0x904,0x7&answers=when_fails:before_prompt&evidence=probe.tcp_refused&embed=1`
//!
//! A support agent's link pre-fills the target and the codes; the person's "link to my results"
//! adds their answers and the probe's evidence ids, and the evidence ids from pasted files only
//! when they tick the box. The pasted text itself is never put into a link.

use rdp_doctor_core::codes::{Decoded, Role};
use rdp_doctor_core::engine::Answers;
use rdp_doctor_core::evidence::{EvidenceId, Source};

use crate::state::Session;

/// A link's fields; all optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Link {
    pub host: Option<String>,
    pub port: Option<String>,
    /// Codes in the dialog's order: the error code, then the extended error code.
    pub codes: Vec<String>,
    pub answers: Answers,
    pub evidence: Vec<EvidenceId>,
    pub embed: bool,
}

impl Link {
    /// Whether the link carries a case (and not only display options).
    pub fn has_case(&self) -> bool {
        self.host.is_some()
            || self.port.is_some()
            || !self.codes.is_empty()
            || !self.answers.is_empty()
            || !self.evidence.is_empty()
    }

    /// Reads `#a=b&c=d` (the leading `#` is optional). Unknown keys are ignored.
    pub fn parse(fragment: &str) -> Link {
        let mut link = Link::default();
        for pair in fragment.trim_start_matches('#').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value);
            let list = || {
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            };
            match key {
                "host" if !value.trim().is_empty() => link.host = Some(value.trim().to_owned()),
                "port" if !value.trim().is_empty() => link.port = Some(value.trim().to_owned()),
                "code" => link.codes = list(),
                "answers" => {
                    link.answers = list()
                        .iter()
                        .filter_map(|a| a.split_once(':'))
                        .map(|(q, o)| (q.to_owned(), o.to_owned()))
                        .collect();
                }
                "evidence" => {
                    link.evidence = list()
                        .iter()
                        .filter_map(|id| EvidenceId::parse(id))
                        .collect();
                }
                "embed" => link.embed = value != "0",
                _ => {}
            }
        }
        link
    }

    /// The case as the person has it now. Evidence from pasted files only when `include_pasted`.
    pub fn from_session(session: &Session, decoded: &Decoded, include_pasted: bool) -> Link {
        let mut codes: Vec<_> = decoded.codes.iter().collect();
        codes.sort_by_key(|c| c.role != Role::DisconnectReason);
        let mut evidence: Vec<EvidenceId> = Vec::new();
        for item in &session.evidence {
            let shareable = match item.source {
                Source::Probe => true,
                Source::Certificate
                | Source::EventLog
                | Source::RdpFile
                | Source::ServerCheck
                | Source::ClientCheck => include_pasted,
                Source::ErrorCode | Source::Wizard => false,
            };
            if shareable && !evidence.contains(&item.id) {
                evidence.push(item.id);
            }
        }
        Link {
            host: Some(session.host.trim().to_owned()).filter(|h| !h.is_empty()),
            port: Some(session.port.trim().to_owned()).filter(|p| !p.is_empty()),
            codes: codes.iter().map(|c| c.hex.clone()).collect(),
            answers: session.answers.clone(),
            evidence,
            embed: false,
        }
    }

    /// The fragment, starting with `#`.
    pub fn to_fragment(&self) -> String {
        let mut parts = Vec::new();
        if let Some(host) = &self.host {
            parts.push(format!("host={}", encode(host)));
        }
        if let Some(port) = &self.port {
            parts.push(format!("port={}", encode(port)));
        }
        if !self.codes.is_empty() {
            parts.push(format!("code={}", encode(&self.codes.join(","))));
        }
        if !self.answers.is_empty() {
            let answers: Vec<String> = self
                .answers
                .iter()
                .map(|(q, o)| format!("{q}:{o}"))
                .collect();
            parts.push(format!("answers={}", encode(&answers.join(","))));
        }
        if !self.evidence.is_empty() {
            let ids: Vec<&str> = self.evidence.iter().map(|id| id.as_str()).collect();
            parts.push(format!("evidence={}", encode(&ids.join(","))));
        }
        if self.embed {
            parts.push("embed=1".to_owned());
        }
        format!("#{}", parts.join("&"))
    }

    /// The dialog text the codes came from, so the decode step shows them as if pasted.
    pub fn error_text(&self) -> String {
        self.codes
            .iter()
            .enumerate()
            .map(|(i, code)| {
                let label = if i == 0 {
                    "Error code"
                } else {
                    "Extended error code"
                };
                format!("{label}: {code}")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn encode(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}

fn decode(value: &str) -> String {
    js_sys::decode_uri_component(value)
        .map(String::from)
        .unwrap_or_else(|_| value.to_owned())
}
