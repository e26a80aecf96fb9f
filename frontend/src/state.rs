//! The journey's state: one reducer, every change a named [`Action`]. Evidence from the probe,
//! pasted certificates, event logs and .rdp files and a shared link lives in one list; the error
//! codes' evidence is derived from the error text. The diagnosis is recomputed from both and the
//! wizard answers on every change.

use std::rc::Rc;

use rdp_doctor_core::codes::{self, Decoded};
use rdp_doctor_core::engine::{self, Answers, Case, Diagnosis};
use rdp_doctor_core::evidence::{Evidence, Source};
use rdp_doctor_core::kb;
use rdp_doctor_core::report::{
    AnalysisReport, ProbeReport, RdpFileReport, SnapshotKind, SnapshotReport, StageReport, Target,
};
use serde::{Deserialize, Serialize};
use yew::Reducible;

use crate::analysis_client::EvidenceKind;
use crate::link::Link;
use crate::net::ProbeFailure;

/// What the person entered and what was found: everything a reload or a link restores.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Session {
    pub error_text: String,
    pub answers: Answers,
    pub evidence: Vec<Evidence>,
    pub host: String,
    pub port: String,
    pub probe: ProbeRun,
    pub cert: Analysis,
    pub events: Analysis,
    pub rdp: Analysis,
    pub server_check: Analysis,
    pub client_check: Analysis,
    /// Who sent the person here with a prepared link, and their note.
    pub support: Option<SupportNote>,
}

/// What a support agent wrote into the link they prepared, shown as they wrote it (as text).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SupportNote {
    pub contact: Option<String>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum ProbeRun {
    #[default]
    NotRun,
    Running {
        stages: Vec<StageReport>,
    },
    Finished(ProbeReport),
    Failed(ProbeFailure),
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub enum Analysis {
    #[default]
    Empty,
    /// Reading; `progress` is 0..1 when the worker reports it.
    Working {
        progress: Option<f64>,
    },
    Done(AnalysisReport),
    Failed(String),
}

/// Every change the page can make.
pub enum Action {
    ErrorTextChanged(String),
    Answered {
        question: String,
        option: String,
    },
    AnswerWithdrawn(String),
    HostChanged(String),
    PortChanged(String),
    ProbeStarted,
    ProbeStageFinished(StageReport),
    ProbeFinished(ProbeReport),
    ProbeFailed(ProbeFailure),
    AnalysisStarted(EvidenceKind),
    AnalysisProgress(EvidenceKind, f64),
    AnalysisFinished(EvidenceKind, AnalysisReport),
    AnalysisFailed(EvidenceKind, String),
    /// "Use this host for the probe" from an .rdp file.
    ProbeTargetChosen {
        host: String,
        port: u16,
    },
    Cleared,
}

/// The session plus what the core computed from it.
#[derive(Clone, Debug, PartialEq)]
pub struct Journey {
    pub session: Session,
    pub decoded: Decoded,
    /// The error codes' evidence, then the session's.
    pub evidence: Vec<Evidence>,
    pub diagnosis: Diagnosis,
}

impl Journey {
    pub fn new(session: Session) -> Self {
        let decoded = codes::decode(&session.error_text);
        let mut evidence = decoded.evidence();
        evidence.extend(session.evidence.iter().cloned());
        let diagnosis = diagnose(&session, &evidence);
        Journey {
            session,
            decoded,
            evidence,
            diagnosis,
        }
    }
}

/// Answers that no longer match the knowledge base (an old link) are dropped, not fatal.
fn diagnose(session: &Session, evidence: &[Evidence]) -> Diagnosis {
    let answers: Answers = session
        .answers
        .iter()
        .filter(|(question, option)| {
            kb::question(question).is_some_and(|q| q.options.iter().any(|o| &o.id == *option))
        })
        .map(|(q, o)| (q.clone(), o.clone()))
        .collect();
    let case = Case {
        answers,
        evidence: evidence.to_vec(),
    };
    // Every answer left names a real question and option, so the case is valid.
    engine::diagnose_case(&case).unwrap_or_else(|_| engine::diagnose(&case.evidence))
}

/// Replaces the evidence from one source.
fn replace_evidence(list: &mut Vec<Evidence>, source: Source, items: Vec<Evidence>) {
    list.retain(|e| e.source != source);
    add_evidence(list, items);
}

/// Adds evidence, an item already there from the same source replaced by the newer one.
fn add_evidence(list: &mut Vec<Evidence>, items: Vec<Evidence>) {
    for item in items {
        list.retain(|e| !(e.id == item.id && e.source == item.source));
        list.push(item);
    }
}

impl Session {
    /// The case a link carries; evidence ids stand in for the reports they came from.
    pub fn from_link(link: &Link) -> Session {
        let mut session = Session {
            error_text: link.error_text(),
            host: link.host.clone().unwrap_or_default(),
            port: link.port.clone().unwrap_or_default(),
            answers: link.answers.clone(),
            support: (link.contact.is_some() || link.note.is_some()).then(|| SupportNote {
                contact: link.contact.clone(),
                note: link.note.clone(),
            }),
            ..Session::default()
        };
        for &id in &link.evidence {
            let source = match id.as_str().split('.').next() {
                Some("probe") => Source::Probe,
                Some("cert") => Source::Certificate,
                Some("event") => Source::EventLog,
                Some("rdp") => Source::RdpFile,
                Some("server") => Source::ServerCheck,
                Some("client") => Source::ClientCheck,
                _ => continue,
            };
            session
                .evidence
                .push(Evidence::new(id, source, "from the shared link"));
        }
        if let Some(results) = &link.results {
            // Only what a results link may carry: never code or wizard evidence, which the
            // codes and answers already give.
            session.evidence.extend(
                results
                    .evidence
                    .iter()
                    .filter(|e| !matches!(e.source, Source::ErrorCode | Source::Wizard))
                    .cloned(),
            );
            if let Some(report) = &results.probe {
                session.probe = ProbeRun::Finished(report.clone());
            }
        }
        session
    }

    /// A session saved while a probe or an analysis was under way: those did not survive the
    /// reload, so they are shown as not run rather than as running forever. Code evidence that
    /// earlier versions saved is dropped: it is derived from the error text now.
    pub fn resumed(mut self) -> Session {
        self.evidence.retain(|e| e.source != Source::ErrorCode);
        if matches!(self.probe, ProbeRun::Running { .. }) {
            self.probe = ProbeRun::NotRun;
        }
        for kind in EvidenceKind::ALL {
            if matches!(self.analysis(kind), Analysis::Working { .. }) {
                *self.analysis_mut(kind) = Analysis::Empty;
            }
        }
        self
    }

    pub fn analysis(&self, kind: EvidenceKind) -> &Analysis {
        match kind {
            EvidenceKind::Certificate => &self.cert,
            EvidenceKind::EventLog => &self.events,
            EvidenceKind::RdpFile => &self.rdp,
            EvidenceKind::ServerCheck => &self.server_check,
            EvidenceKind::ClientCheck => &self.client_check,
        }
    }

    fn analysis_mut(&mut self, kind: EvidenceKind) -> &mut Analysis {
        match kind {
            EvidenceKind::Certificate => &mut self.cert,
            EvidenceKind::EventLog => &mut self.events,
            EvidenceKind::RdpFile => &mut self.rdp,
            EvidenceKind::ServerCheck => &mut self.server_check,
            EvidenceKind::ClientCheck => &mut self.client_check,
        }
    }

    fn apply(&mut self, action: Action) {
        match action {
            Action::ErrorTextChanged(text) => self.error_text = text,
            Action::Answered { question, option } => {
                self.answers.insert(question, option);
            }
            Action::AnswerWithdrawn(question) => {
                self.answers.remove(&question);
            }
            Action::HostChanged(host) => self.host = host,
            Action::PortChanged(port) => self.port = port,
            Action::ProbeStarted => self.probe = ProbeRun::Running { stages: Vec::new() },
            Action::ProbeStageFinished(stage) => {
                if let ProbeRun::Running { stages } = &mut self.probe {
                    stages.push(stage);
                }
            }
            Action::ProbeFinished(report) => {
                // The certificate's findings are evidence too: an expired or wrong-name
                // certificate must weigh the certificate causes.
                let found = report.evidence();
                replace_evidence(&mut self.evidence, Source::Probe, found);
                self.probe = ProbeRun::Finished(report);
            }
            Action::ProbeFailed(failure) => self.probe = ProbeRun::Failed(failure),
            Action::AnalysisStarted(kind) => {
                *self.analysis_mut(kind) = Analysis::Working { progress: None };
            }
            Action::AnalysisProgress(kind, progress) => {
                if let Analysis::Working { .. } = self.analysis(kind) {
                    *self.analysis_mut(kind) = Analysis::Working {
                        progress: Some(progress.clamp(0.0, 1.0)),
                    };
                }
            }
            Action::AnalysisFinished(kind, report) => {
                let found = report.evidence();
                if let AnalysisReport::Snapshot(SnapshotReport {
                    snapshot: SnapshotKind::Command(_),
                    ..
                }) = &report
                {
                    // Single commands are pasted one after another: each adds to the last.
                    add_evidence(&mut self.evidence, found);
                } else {
                    replace_evidence(&mut self.evidence, report.source(), found);
                }
                // An .rdp file names the server: fill in the probe unless the person already did.
                if let AnalysisReport::RdpFile(RdpFileReport {
                    target: Some(Target { host, port }),
                    ..
                }) = &report
                    && self.host.trim().is_empty()
                {
                    self.host = host.clone();
                    self.port = port.to_string();
                }
                *self.analysis_mut(kind) = Analysis::Done(report);
            }
            Action::AnalysisFailed(kind, message) => {
                *self.analysis_mut(kind) = Analysis::Failed(message);
            }
            Action::ProbeTargetChosen { host, port } => {
                self.host = host;
                self.port = port.to_string();
            }
            Action::Cleared => *self = Session::default(),
        }
    }
}

impl Reducible for Journey {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let recompute = !matches!(
            action,
            Action::HostChanged(_)
                | Action::PortChanged(_)
                | Action::ProbeStarted
                | Action::ProbeStageFinished(_)
                | Action::AnalysisStarted(_)
                | Action::AnalysisProgress(..)
        );
        let mut session = self.session.clone();
        session.apply(action);
        if recompute {
            Rc::new(Journey::new(session))
        } else {
            Rc::new(Journey {
                session,
                decoded: self.decoded.clone(),
                evidence: self.evidence.clone(),
                diagnosis: self.diagnosis.clone(),
            })
        }
    }
}
