//! Links that carry a case in the URL fragment, which browsers never send to a server.
//!
//! `#host=rdp.example.com&port=3389&code=0x904,0x7&answers=when_fails:before_prompt&evidence=probe.tcp_refused&embed=1`
//!
//! A support agent's link ("prepare a link for a user") pre-fills the target and the codes and
//! says who prepared it (`contact`) and why (`note`); the person's "link to my results" adds
//! their answers and `results`: the probe's whole report and the findings with their details
//! (from pasted files only when they tick the box), as base64url JSON, so the one who opens it
//! sees what the person saw. The pasted text itself is never put into a link. Links made
//! before `results` carried only evidence ids (`evidence=`), which are still read.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rdp_doctor_core::codes::{self, Decoded, Role};
use rdp_doctor_core::engine::Answers;
use rdp_doctor_core::evidence::{Evidence, EvidenceId, Source};
use rdp_doctor_core::report::ProbeReport;
use serde::{Deserialize, Serialize};

use crate::state::{ProbeRun, Session};

/// A `results` value longer than this is not one the page wrote; it is ignored.
const MAX_RESULTS_CHARS: usize = 256 * 1024;

/// What a results link carries beyond the answers: the probe's report and the shared findings,
/// each with the detail that established it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SharedResults {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<ProbeReport>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

/// A link's fields; all optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Link {
    pub host: Option<String>,
    pub port: Option<String>,
    /// Codes in the dialog's order: the error code, then the extended error code.
    pub codes: Vec<String>,
    pub answers: Answers,
    pub evidence: Vec<EvidenceId>,
    pub results: Option<SharedResults>,
    /// Who prepared the link and how to reach them, as they wrote it.
    pub contact: Option<String>,
    /// What the person preparing the link wants the user to know.
    pub note: Option<String>,
    pub embed: bool,
}

/// Longest note or contact a link carries; a prepared link stays short enough to paste in chat.
const MAX_NOTE_CHARS: usize = 500;

impl Link {
    /// Whether the link carries a case (and not only display options).
    pub fn has_case(&self) -> bool {
        self.host.is_some()
            || self.port.is_some()
            || !self.codes.is_empty()
            || !self.answers.is_empty()
            || !self.evidence.is_empty()
            || self.results.is_some()
            || self.contact.is_some()
            || self.note.is_some()
    }

    /// The link a support agent prepares: `error` is the dialog text the user reported (only
    /// its codes travel).
    pub fn prepared(host: &str, port: &str, error: &str, note: &str, contact: &str) -> Link {
        let text = |value: &str| {
            Some(
                value
                    .trim()
                    .chars()
                    .take(MAX_NOTE_CHARS)
                    .collect::<String>(),
            )
            .filter(|v| !v.is_empty())
        };
        Link {
            host: text(host),
            port: text(port),
            codes: dialog_order(&codes::decode(error)),
            note: text(note),
            contact: text(contact),
            ..Link::default()
        }
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
                "results" if value.len() <= MAX_RESULTS_CHARS => {
                    link.results = URL_SAFE_NO_PAD
                        .decode(value.trim())
                        .ok()
                        .and_then(|json| serde_json::from_slice(&json).ok());
                }
                "contact" if !value.trim().is_empty() => {
                    link.contact = Some(value.trim().chars().take(MAX_NOTE_CHARS).collect());
                }
                "note" if !value.trim().is_empty() => {
                    link.note = Some(value.trim().chars().take(MAX_NOTE_CHARS).collect());
                }
                "embed" => link.embed = value != "0",
                _ => {}
            }
        }
        link
    }

    /// The case as the person has it now. Evidence from pasted files only when `include_pasted`.
    pub fn from_session(session: &Session, decoded: &Decoded, include_pasted: bool) -> Link {
        let evidence: Vec<Evidence> = session
            .evidence
            .iter()
            .filter(|item| match item.source {
                Source::Probe => true,
                Source::Certificate
                | Source::EventLog
                | Source::RdpFile
                | Source::ServerCheck
                | Source::ClientCheck => include_pasted,
                Source::ErrorCode | Source::Wizard => false,
            })
            .cloned()
            .collect();
        let probe = match &session.probe {
            // The certificate's DER is summarised in its report; the link need not carry it.
            ProbeRun::Finished(report) => Some(ProbeReport {
                certificate_chain: Vec::new(),
                ..report.clone()
            }),
            _ => None,
        };
        let results =
            (probe.is_some() || !evidence.is_empty()).then_some(SharedResults { probe, evidence });
        Link {
            host: Some(session.host.trim().to_owned()).filter(|h| !h.is_empty()),
            port: Some(session.port.trim().to_owned()).filter(|p| !p.is_empty()),
            codes: dialog_order(decoded),
            answers: session.answers.clone(),
            evidence: Vec::new(),
            results,
            // The note was for this person; whoever opens their results is someone else.
            contact: None,
            note: None,
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
        if let Some(json) = self
            .results
            .as_ref()
            .and_then(|r| serde_json::to_vec(r).ok())
        {
            parts.push(format!("results={}", URL_SAFE_NO_PAD.encode(json)));
        }
        if let Some(contact) = &self.contact {
            parts.push(format!("contact={}", encode(contact)));
        }
        if let Some(note) = &self.note {
            parts.push(format!("note={}", encode(note)));
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

/// The codes as the dialog shows them: the error code, then the extended error code.
fn dialog_order(decoded: &Decoded) -> Vec<String> {
    let mut codes: Vec<_> = decoded.codes.iter().collect();
    codes.sort_by_key(|c| c.role != Role::DisconnectReason);
    codes.iter().map(|c| c.hex.clone()).collect()
}

fn encode(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}

fn decode(value: &str) -> String {
    js_sys::decode_uri_component(value)
        .map(String::from)
        .unwrap_or_else(|_| value.to_owned())
}
