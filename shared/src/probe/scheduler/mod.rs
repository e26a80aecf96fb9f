//! Orchestration: which connections to open, in what order, and when a stage's results are all
//! in. Each stage that gathers results from several connections has a state of its own
//! (`TlsStage`, `ClientStage`, `ProtocolStage`); the verdicts themselves are `super::verdict`'s.

mod tasks;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;

use futures::StreamExt as _;
use futures::stream::FuturesUnordered;

use self::tasks::{AcceptWatch, Ctx, Done, Task, TaskOutput, run_task};
use super::ProbeOptions;
use super::clients::{CLIENT_PROFILES, ClientResult, infer};
use super::driver::{Clock, Connector};
use super::session::Handshake;

use super::tls::{HelloOutcome, HelloResult, TlsVersion};
use super::verdict;
use super::x224::{NegotiationOutcome, Protocol};
use crate::analyze::cert::{self, CertContext};
use crate::report::*;

/// Runs the whole probe. `on_stage` sees each stage as soon as it is decided.
///
/// Schedule: the first connection does TCP, then the negotiation a current client sends, then
/// (if TLS was selected) a full TLS handshake and, for NLA, the CredSSP round trip. The TLS
/// version probes and the per-protocol negotiations run alongside on connections of their own
/// from the start; client offers are replayed only where the version probes cannot decide them.
/// The TLS stage waits for the full handshake as well as the version probes: a server can answer
/// every ClientHello and still drop the handshake after its ServerHello.
/// If the first connection fails, everything else is cancelled.
pub async fn run<C: Connector, K: Clock>(
    target: &Target,
    opts: &ProbeOptions,
    connector: &C,
    clock: &K,
    on_stage: impl FnMut(&StageReport),
) -> ProbeReport {
    let ctx = Ctx {
        target,
        opts,
        connector,
        clock,
        started_ms: clock.elapsed_ms(),
    };
    let started_unix_ms = clock.now_unix_ms();
    let mut progress = Progress::new(opts, on_stage);

    let mut queue: VecDeque<Task<C::Stream>> = VecDeque::new();
    queue.push_back(Task::Connect);
    queue.extend(TlsVersion::PROBED.into_iter().map(Task::Version));
    queue.extend(Protocol::ALL.into_iter().map(Task::Protocol));
    let mut running = FuturesUnordered::new();
    let mut started = 0;
    let mut next_connect_ms = 0;
    // A failed first connection ends the probe: dropping `running` cancels the rest.
    while !progress.tcp_failed() {
        while running.len() < opts.max_parallel.max(1) {
            let Some(task) = queue.pop_front() else { break };
            let mut wait_ms = 0;
            if task.opens_connection() {
                let now = ctx.now_ms();
                let at = next_connect_ms.max(now);
                next_connect_ms = at + opts.connect_spacing_ms;
                wait_ms = at - now;
            }
            running.push(run_task(&ctx, started, task, wait_ms));
            started += 1;
        }
        let Some(done) = running.next().await else {
            break;
        };
        progress.record(done, &mut queue);
    }
    drop(running);
    progress.finish(&ctx, target, started_unix_ms)
}

/// The negotiation stage: a reset or close without an answer is held until a connection that
/// sends nothing shows whether the service does the same on accept.
enum NegotiationStage {
    Waiting,
    Watching(NegotiationOutcome),
    Reported,
}

/// The NLA stage, when the handshake under it did not complete: its verdict waits for the TLS
/// stage's versions.
enum NlaStage {
    Pending,
    NotReached(FullHandshake),
}

/// The TLS stage: it needs the main connection's negotiation, every version probe and the main
/// connection's full handshake before it can be reported.
enum TlsStage {
    Collecting {
        negotiation: Option<NegotiationOutcome>,
        versions: Vec<(TlsVersion, HelloResult)>,
        handshake: Option<FullHandshake>,
    },
    Reported,
}

/// The client-compatibility stage: it starts once the version probes are in, decides what they
/// settle and replays the offers of the clients they do not.
enum ClientStage {
    WaitingForVersions,
    Replaying {
        results: Vec<ClientResult>,
        pending: usize,
    },
    Reported,
}

/// The security-protocols stage: one negotiation per protocol.
enum ProtocolStage {
    Collecting(Vec<ProtocolResult>),
    Reported,
}

/// When a stage's work ran and on how many connections of its own.
#[derive(Clone, Copy, Default)]
struct Span {
    started_ms: Option<u64>,
    finished_ms: u64,
    connections: u32,
}

/// Results as they arrive, and the stage reports they complete.
struct Progress<F> {
    on_stage: F,
    stages: Vec<StageReport>,
    spans: Vec<(StageKind, Span)>,
    client_compatibility: bool,
    /// The longest a watch for a reset on accept may take.
    exchange_timeout_ms: u64,
    negotiation: NegotiationStage,
    nla: NlaStage,
    tls: TlsStage,
    clients: ClientStage,
    protocols: ProtocolStage,
    /// The certificate chain the main connection's full handshake saw (TLS 1.3 sends it
    /// encrypted, so the version probes may not have it).
    handshake_chain: Vec<Vec<u8>>,
}

impl<F: FnMut(&StageReport)> Progress<F> {
    fn new(opts: &ProbeOptions, on_stage: F) -> Self {
        Progress {
            on_stage,
            stages: Vec::new(),
            spans: Vec::new(),
            client_compatibility: opts.client_compatibility,
            exchange_timeout_ms: opts.exchange_timeout_ms,
            negotiation: NegotiationStage::Waiting,
            nla: NlaStage::Pending,
            tls: TlsStage::Collecting {
                negotiation: None,
                versions: Vec::new(),
                handshake: None,
            },
            clients: ClientStage::WaitingForVersions,
            protocols: ProtocolStage::Collecting(Vec::new()),
            handshake_chain: Vec::new(),
        }
    }

    fn tcp_failed(&self) -> bool {
        self.stages
            .iter()
            .any(|s| s.stage == StageKind::Tcp && s.status != StageStatus::Ok)
    }

    fn emitted(&self, kind: StageKind) -> bool {
        self.stages.iter().any(|s| s.stage == kind)
    }

    fn emit(&mut self, mut report: StageReport) {
        if let Some((_, span)) = self.spans.iter().find(|(k, _)| *k == report.stage) {
            report.started_ms = span.started_ms.unwrap_or_default();
            report.duration_ms = span.finished_ms.saturating_sub(report.started_ms);
            report.connections_opened = span.connections;
        }
        (self.on_stage)(&report);
        self.stages.push(report);
    }

    fn note(&mut self, kind: StageKind, started_ms: u64, finished_ms: u64, new_connection: bool) {
        let index = match self.spans.iter().position(|(k, _)| *k == kind) {
            Some(index) => index,
            None => {
                self.spans.push((kind, Span::default()));
                self.spans.len() - 1
            }
        };
        if let Some((_, span)) = self.spans.get_mut(index) {
            span.started_ms = Some(span.started_ms.map_or(started_ms, |s| s.min(started_ms)));
            span.finished_ms = span.finished_ms.max(finished_ms);
            span.connections += u32::from(new_connection);
        }
    }

    fn record<S>(&mut self, done: Done<S>, queue: &mut VecDeque<Task<S>>) {
        let (started, finished) = (done.started_ms, done.finished_ms);
        match done.output {
            TaskOutput::Connected(connected) => {
                self.note(StageKind::Tcp, started, finished, true);
                let elapsed = finished.saturating_sub(started);
                self.emit(verdict::tcp_report(connected.as_ref().err(), elapsed));
                if let Ok(stream) = connected {
                    queue.push_front(Task::Negotiate(stream));
                }
            }
            TaskOutput::Negotiated(outcome, stream) => {
                self.note(StageKind::Negotiation, started, finished, false);
                if matches!(
                    outcome,
                    NegotiationOutcome::Reset | NegotiationOutcome::Closed
                ) {
                    let window_ms = self.accept_watch_window();
                    self.negotiation = NegotiationStage::Watching(outcome);
                    queue.push_front(Task::WatchAccept { window_ms });
                } else {
                    self.negotiated(outcome, stream, queue);
                }
            }
            TaskOutput::AcceptWatched(watched) => {
                self.note(StageKind::Negotiation, started, finished, true);
                let held = std::mem::replace(&mut self.negotiation, NegotiationStage::Waiting);
                if let NegotiationStage::Watching(outcome) = held {
                    let outcome = match watched {
                        AcceptWatch::Reset => NegotiationOutcome::ResetOnAccept,
                        AcceptWatch::Closed => NegotiationOutcome::ClosedOnAccept,
                        AcceptWatch::Waits => outcome,
                    };
                    self.negotiated(outcome, None, queue);
                }
            }
            TaskOutput::Handshake {
                handshake,
                stream,
                credssp,
            } => {
                self.note(StageKind::Tls, started, finished, false);
                if credssp {
                    self.note(StageKind::Nla, started, finished, false);
                }
                self.handshake_done(handshake, stream, credssp, queue);
            }
            TaskOutput::Credssp(details) => {
                self.note(StageKind::Nla, started, finished, false);
                self.emit(verdict::nla_report(details));
            }
            TaskOutput::Protocol(result) => {
                self.note(StageKind::SecurityProtocols, started, finished, true);
                self.protocol_result(result);
            }
            TaskOutput::Version(version, result) => {
                self.note(StageKind::Tls, started, finished, true);
                if let TlsStage::Collecting { versions, .. } = &mut self.tls {
                    versions.push((version, result));
                }
                self.tls_results_in(queue);
            }
            TaskOutput::Client(result) => {
                self.note(StageKind::ClientCompatibility, started, finished, true);
                self.client_result(result);
            }
        }
    }

    /// The main connection's full handshake ended: CredSSP next if it completed under NLA, and
    /// the TLS stage once its other results are in.
    fn handshake_done<S>(
        &mut self,
        handshake: Handshake,
        stream: S,
        credssp: bool,
        queue: &mut VecDeque<Task<S>>,
    ) {
        self.handshake_chain = handshake.chain;
        if credssp {
            match handshake.session {
                Some(session) => queue.push_front(Task::Credssp {
                    stream,
                    session,
                    details: Box::new(NlaDetails::after(&handshake.outcome)),
                }),
                // Decided with the TLS stage: whether the probe's own TLS client is what
                // stopped depends on the versions the server accepts.
                None => self.nla = NlaStage::NotReached(handshake.outcome.clone()),
            }
        }
        if let TlsStage::Collecting {
            handshake: slot, ..
        } = &mut self.tls
        {
            *slot = Some(handshake.outcome);
        }
        self.tls_results_in(queue);
    }

    /// Four TCP connect times, at least 250 ms: a reset sent on accept arrives about one round
    /// trip after the connection opens.
    fn accept_watch_window(&self) -> u64 {
        let connect_ms = self
            .spans
            .iter()
            .find(|(kind, _)| *kind == StageKind::Tcp)
            .map_or(0, |(_, span)| {
                span.finished_ms
                    .saturating_sub(span.started_ms.unwrap_or_default())
            });
        connect_ms
            .saturating_mul(4)
            .clamp(250, self.exchange_timeout_ms.max(250))
    }

    /// The main connection's negotiation: its stage, and the next step on that connection.
    fn negotiated<S>(
        &mut self,
        outcome: NegotiationOutcome,
        stream: Option<S>,
        queue: &mut VecDeque<Task<S>>,
    ) {
        self.negotiation = NegotiationStage::Reported;
        self.emit(verdict::negotiation_report(&outcome));
        match (outcome.selected_protocol(), stream) {
            (Some(protocol), Some(stream)) => {
                let credssp = matches!(protocol, Protocol::Hybrid | Protocol::HybridEx);
                if !credssp {
                    let why = format!(
                        "The server selected {} for a client that offers NLA.",
                        protocol.label()
                    );
                    self.emit(verdict::not_applicable(StageKind::Nla, why));
                }
                queue.push_front(Task::Handshake { stream, credssp });
            }
            _ => self.emit(verdict::not_applicable(
                StageKind::Nla,
                format!("The server {}.", outcome.describe()),
            )),
        }
        if let TlsStage::Collecting { negotiation, .. } = &mut self.tls {
            *negotiation = Some(outcome);
        }
        self.tls_results_in(queue);
    }

    fn protocol_result(&mut self, result: ProtocolResult) {
        let ProtocolStage::Collecting(results) = &mut self.protocols else {
            return;
        };
        results.push(result);
        if results.len() == Protocol::ALL.len() {
            let results = std::mem::take(results);
            self.protocols = ProtocolStage::Reported;
            self.emit(verdict::protocols_report(results));
        }
    }

    fn client_result(&mut self, result: ClientResult) {
        let ClientStage::Replaying { results, pending } = &mut self.clients else {
            return;
        };
        results.push(result);
        *pending = pending.saturating_sub(1);
        if *pending == 0 {
            let results = std::mem::take(results);
            self.clients = ClientStage::Reported;
            self.emit(verdict::clients_report(results));
        }
    }

    /// Once the negotiation and every version probe are in: the client verdicts the version
    /// probes decide, and replays for the rest; once the full handshake has ended too, the TLS
    /// stage. The replays do not wait for the handshake, which is on the critical path only when
    /// it takes longer than the version probes (a TLS 1.2 server: one round trip more).
    fn tls_results_in<S>(&mut self, queue: &mut VecDeque<Task<S>>) {
        let TlsStage::Collecting {
            negotiation: Some(negotiation),
            versions,
            handshake,
        } = &self.tls
        else {
            return;
        };
        if versions.len() < TlsVersion::PROBED.len() {
            return;
        }
        if !negotiation
            .selected_protocol()
            .is_some_and(Protocol::uses_tls)
        {
            let why = format!("No TLS: the server {}.", negotiation.describe());
            self.tls = TlsStage::Reported;
            self.clients = ClientStage::Reported;
            self.emit(verdict::not_applicable(StageKind::Tls, why.clone()));
            self.emit(verdict::not_applicable(StageKind::ClientCompatibility, why));
            return;
        }
        let report = handshake
            .as_ref()
            .map(|handshake| verdict::tls_report(versions, handshake));
        if matches!(self.clients, ClientStage::WaitingForVersions) {
            let outcomes: Vec<(TlsVersion, HelloOutcome)> = versions
                .iter()
                .map(|(v, r)| (*v, r.outcome.clone()))
                .collect();
            self.clients_from_versions(&outcomes, queue);
        }
        if let Some(report) = report {
            let highest = match &report.details {
                StageDetails::Tls(details) => details.negotiated.as_ref().map(|n| n.version),
                _ => None,
            };
            self.tls = TlsStage::Reported;
            self.emit(report);
            self.nla_not_reached(highest);
        }
    }

    /// The NLA verdict held back for the TLS stage's versions, if any.
    fn nla_not_reached(&mut self, highest_version: Option<TlsVersion>) {
        if let NlaStage::NotReached(handshake) = std::mem::replace(&mut self.nla, NlaStage::Pending)
        {
            self.emit(verdict::nla_not_reached(&handshake, highest_version));
        }
    }

    /// The client verdicts the version probes decide, and replays for the rest.
    fn clients_from_versions<S>(
        &mut self,
        versions: &[(TlsVersion, HelloOutcome)],
        queue: &mut VecDeque<Task<S>>,
    ) {
        if !self.client_compatibility {
            self.clients = ClientStage::Reported;
            self.emit(StageReport::without_result(
                StageKind::ClientCompatibility,
                StageStatus::Skipped,
                "Not requested.",
            ));
            return;
        }
        let versions: Vec<(TlsVersion, &HelloOutcome)> =
            versions.iter().map(|(v, o)| (*v, o)).collect();
        let mut results = Vec::new();
        let mut pending = 0;
        for profile in CLIENT_PROFILES {
            match infer(profile, &versions) {
                Some(result) => results.push(result),
                None => {
                    // Replays are the critical path now: ahead of any protocol probe.
                    queue.push_front(Task::Client(profile));
                    pending += 1;
                }
            }
        }
        if pending == 0 {
            self.clients = ClientStage::Reported;
            self.emit(verdict::clients_report(results));
        } else {
            self.clients = ClientStage::Replaying { results, pending };
        }
    }

    fn finish<C: Connector, K: Clock>(
        mut self,
        ctx: &Ctx<'_, C, K>,
        target: &Target,
        started_unix_ms: u64,
    ) -> ProbeReport {
        self.nla_not_reached(None);
        let tcp_open = !self.tcp_failed() && self.emitted(StageKind::Tcp);
        for kind in StageKind::ALL {
            if !self.emitted(kind) {
                let (status, verdict) = if tcp_open {
                    (
                        StageStatus::Failed,
                        "Did not finish before the probe's deadline.",
                    )
                } else {
                    (StageStatus::Skipped, "Skipped: the TCP connection failed.")
                };
                self.emit(StageReport::without_result(kind, status, verdict));
            }
        }
        let mut stages = self.stages;
        stages.sort_by_key(|s| StageKind::ALL.iter().position(|k| *k == s.stage));
        let tls_chain = stages.iter().find_map(|s| match &s.details {
            StageDetails::Tls(details) if !details.certificate_chain.is_empty() => {
                Some(details.certificate_chain.clone())
            }
            _ => None,
        });
        let certificate_chain = tls_chain.unwrap_or(self.handshake_chain);
        let certificate = (!certificate_chain.is_empty()).then(|| {
            let context = CertContext {
                now_unix: i64::try_from(started_unix_ms / 1000).unwrap_or(i64::MAX),
                host: Some(target.host.clone()),
            };
            cert::analyze_chain_der(&certificate_chain, &context)
        });
        ProbeReport {
            target: target.clone(),
            started_unix_ms,
            duration_ms: ctx.now_ms(),
            connections_opened: stages.iter().map(|s| s.connections_opened).sum(),
            stages,
            certificate_chain,
            certificate,
        }
    }
}
