//! Orchestration: which connections to open, in what order, and how their results become stage
//! reports with findings.

use std::collections::VecDeque;

use futures::StreamExt as _;
use futures::stream::FuturesUnordered;

use super::ProbeOptions;
use super::clients::{CLIENT_PROFILES, ClientProfile, ClientResult, DecidedBy, infer, judge};
use super::driver::{Clock, ConnectError, Connector, exchange, with_deadline};
use super::nla::{self, FullHandshake, HandshakeEnd, NlaDetails, NlaLimits, TlsSession};
use super::tls::{self, HelloOffer, HelloOutcome, HelloResult, ServerHelloReply, TlsVersion};
use super::x224::{self, ConfirmReply, MODERN_CLIENT_REQUEST, NegotiationOutcome, Protocol};
use crate::analyze::cert::{self, CertContext};
use crate::evidence::{EvidenceId, Finding, Severity};
use crate::report::*;

/// Differences larger than this between the server's clock and real time break Kerberos and
/// show up as logon failures (Windows' default maximum tolerance is 5 minutes).
const MAX_CLOCK_SKEW_MS: i64 = 5 * 60 * 1000;

struct Ctx<'a, C, K> {
    target: &'a Target,
    opts: &'a ProbeOptions,
    connector: &'a C,
    clock: &'a K,
    started_ms: u64,
}

impl<C: Connector, K: Clock> Ctx<'_, C, K> {
    fn now_ms(&self) -> u64 {
        self.clock.elapsed_ms().saturating_sub(self.started_ms)
    }

    /// `step_ms`, cut short by the whole probe's deadline.
    fn budget(&self, step_ms: u64) -> u64 {
        step_ms.min(self.opts.total_timeout_ms.saturating_sub(self.now_ms()))
    }

    async fn connect(&self) -> Result<C::Stream, ConnectError> {
        let connect = self.connector.connect(&self.target.host, self.target.port);
        with_deadline(
            self.clock,
            self.budget(self.opts.connect_timeout_ms),
            connect,
        )
        .await
        .unwrap_or(Err(ConnectError::TimedOut))
    }

    async fn negotiate(&self, stream: &mut C::Stream, requested: u32) -> NegotiationOutcome {
        let request = x224::connection_request(requested);
        let budget = self.budget(self.opts.exchange_timeout_ms);
        exchange(
            stream,
            &request,
            ConfirmReply,
            self.opts.max_exchange_bytes,
            budget,
            self.clock,
        )
        .await
    }

    /// Connects and negotiates; the stream comes back when a TLS-based protocol was selected.
    async fn open_tls(&self, requested: u32) -> Result<C::Stream, HelloOutcome> {
        let mut stream = self
            .connect()
            .await
            .map_err(|e| HelloOutcome::ConnectFailed {
                reason: e.to_string(),
            })?;
        let outcome = self.negotiate(&mut stream, requested).await;
        if outcome.selected_protocol().is_some_and(Protocol::uses_tls) {
            Ok(stream)
        } else {
            Err(HelloOutcome::NotNegotiated {
                reason: format!("the negotiation {}", outcome.describe()),
            })
        }
    }

    async fn hello(&self, offer: &HelloOffer<'_>, random: &[u8; 32]) -> HelloResult {
        let mut stream = match self.open_tls(MODERN_CLIENT_REQUEST).await {
            Ok(stream) => stream,
            Err(outcome) => {
                return HelloResult {
                    outcome,
                    chain: Vec::new(),
                    oversized_chain_bytes: None,
                };
            }
        };
        let reply = ServerHelloReply {
            max_handshake: self.opts.max_chain_bytes,
        };
        let budget = self.budget(self.opts.exchange_timeout_ms);
        let hello = tls::client_hello(offer, random);
        exchange(
            &mut stream,
            &hello,
            reply,
            self.opts.max_chain_bytes,
            budget,
            self.clock,
        )
        .await
    }

    fn nla_limits(&self) -> NlaLimits {
        NlaLimits {
            step_ms: self.opts.exchange_timeout_ms,
            probe_ends_at_ms: self.started_ms + self.opts.total_timeout_ms,
            max_bytes: self.opts.max_chain_bytes,
        }
    }

    /// 32 bytes for connection `index`, derived from the seed.
    fn random(&self, index: usize) -> [u8; 32] {
        let mut input = self.opts.seed.to_vec();
        input.extend_from_slice(&(index as u64).to_le_bytes());
        let digest = ring::digest::digest(&ring::digest::SHA256, &input);
        let mut out = [0u8; 32];
        out.copy_from_slice(digest.as_ref());
        out
    }
}

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
    let mut progress = Progress::new(opts.client_compatibility, on_stage);

    let mut queue: VecDeque<Task<C::Stream>> = VecDeque::new();
    queue.push_back(Task::Connect);
    queue.extend(TlsVersion::PROBED.into_iter().map(Task::Version));
    queue.extend(Protocol::ALL.into_iter().map(Task::Protocol));
    let mut running = FuturesUnordered::new();
    let mut started = 0;
    // A failed first connection ends the probe: dropping `running` cancels the rest.
    while !progress.tcp_failed {
        while running.len() < opts.max_parallel.max(1) {
            let Some(task) = queue.pop_front() else { break };
            running.push(run_task(&ctx, started, task));
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

enum Task<S> {
    /// The first connection: TCP.
    Connect,
    /// The first connection, now open: the negotiation of a current client.
    Negotiate(S),
    /// The first connection again, after it selected a TLS-based protocol.
    Handshake {
        stream: S,
        credssp: bool,
    },
    /// The first connection once more, after a completed handshake: the CredSSP round trip.
    Credssp {
        stream: S,
        session: Box<TlsSession>,
        // Boxed, as the session: a task waiting in the queue stays small.
        details: Box<NlaDetails>,
    },
    Protocol(Protocol),
    Version(TlsVersion),
    Client(&'static ClientProfile),
}

enum TaskOutput<S> {
    Connected(Result<S, ConnectError>),
    Negotiated(NegotiationOutcome, Option<S>),
    Handshake {
        handshake: nla::Handshake,
        stream: S,
        credssp: bool,
    },
    Credssp(NlaDetails),
    Protocol(ProtocolResult),
    Version(TlsVersion, HelloResult),
    Client(ClientResult),
}

struct Done<S> {
    output: TaskOutput<S>,
    started_ms: u64,
    finished_ms: u64,
}

async fn run_task<C: Connector, K: Clock>(
    ctx: &Ctx<'_, C, K>,
    index: usize,
    task: Task<C::Stream>,
) -> Done<C::Stream> {
    let started_ms = ctx.now_ms();
    let output = match task {
        Task::Connect => TaskOutput::Connected(ctx.connect().await),
        Task::Negotiate(mut stream) => {
            let outcome = ctx.negotiate(&mut stream, MODERN_CLIENT_REQUEST).await;
            let keep = outcome.selected_protocol().is_some_and(Protocol::uses_tls);
            TaskOutput::Negotiated(outcome, keep.then_some(stream))
        }
        Task::Handshake {
            mut stream,
            credssp,
        } => {
            let limits = ctx.nla_limits();
            let handshake = nla::handshake(&mut stream, &ctx.target.host, &limits, ctx.clock).await;
            TaskOutput::Handshake {
                handshake,
                stream,
                credssp,
            }
        }
        Task::Credssp {
            mut stream,
            mut session,
            details,
        } => {
            let limits = ctx.nla_limits();
            let details = nla::credssp(&mut session, &mut stream, &limits, ctx.clock, *details);
            TaskOutput::Credssp(details.await)
        }
        Task::Protocol(protocol) => {
            let outcome = match ctx.connect().await {
                Ok(mut stream) => ctx.negotiate(&mut stream, protocol.bits()).await,
                Err(error) => NegotiationOutcome::ConnectFailed {
                    reason: error.to_string(),
                },
            };
            let accepted = outcome.selected_protocol() == Some(protocol);
            TaskOutput::Protocol(ProtocolResult {
                protocol,
                accepted,
                outcome,
            })
        }
        Task::Version(version) => {
            let offer = tls::version_probe_offer(version);
            TaskOutput::Version(version, ctx.hello(&offer, &ctx.random(index)).await)
        }
        Task::Client(profile) => {
            let result = ctx.hello(&profile.offer(), &ctx.random(index)).await;
            TaskOutput::Client(judge(profile, result.outcome, DecidedBy::ReplayedOffer))
        }
    };
    Done {
        output,
        started_ms,
        finished_ms: ctx.now_ms(),
    }
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
    negotiation: Option<NegotiationOutcome>,
    versions: Vec<(TlsVersion, HelloResult)>,
    protocols: Vec<ProtocolResult>,
    clients: Vec<ClientResult>,
    replays_pending: usize,
    clients_scheduled: bool,
    /// How the main connection's full TLS handshake ended, once it has.
    handshake: Option<FullHandshake>,
    handshake_chain: Vec<Vec<u8>>,
    tcp_failed: bool,
}

impl<F: FnMut(&StageReport)> Progress<F> {
    fn new(client_compatibility: bool, on_stage: F) -> Self {
        Progress {
            on_stage,
            stages: Vec::new(),
            spans: Vec::new(),
            client_compatibility,
            negotiation: None,
            versions: Vec::new(),
            protocols: Vec::new(),
            clients: Vec::new(),
            replays_pending: 0,
            clients_scheduled: false,
            handshake: None,
            handshake_chain: Vec::new(),
            tcp_failed: false,
        }
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
        let span = &mut self.spans[index].1;
        span.started_ms = Some(span.started_ms.map_or(started_ms, |s| s.min(started_ms)));
        span.finished_ms = span.finished_ms.max(finished_ms);
        span.connections += u32::from(new_connection);
    }

    fn record<S>(&mut self, done: Done<S>, queue: &mut VecDeque<Task<S>>) {
        let (started, finished) = (done.started_ms, done.finished_ms);
        match done.output {
            TaskOutput::Connected(connected) => {
                self.note(StageKind::Tcp, started, finished, true);
                self.emit(tcp_report(connected.as_ref().err(), finished - started));
                match connected {
                    Ok(stream) => queue.push_front(Task::Negotiate(stream)),
                    Err(_) => self.tcp_failed = true,
                }
            }
            TaskOutput::Negotiated(outcome, stream) => {
                self.note(StageKind::Negotiation, started, finished, false);
                self.emit(negotiation_report(&outcome));
                match (outcome.selected_protocol(), stream) {
                    (Some(protocol), Some(stream)) => {
                        let credssp = matches!(protocol, Protocol::Hybrid | Protocol::HybridEx);
                        if !credssp {
                            let why = format!(
                                "The server selected {} for a client that offers NLA.",
                                protocol.label()
                            );
                            self.emit(not_applicable(StageKind::Nla, why));
                        }
                        queue.push_front(Task::Handshake { stream, credssp });
                    }
                    _ => self.emit(not_applicable(
                        StageKind::Nla,
                        format!("The server {}.", outcome.describe()),
                    )),
                }
                self.negotiation = Some(outcome);
                self.tls_results_in(queue);
            }
            TaskOutput::Handshake {
                handshake,
                stream,
                credssp,
            } => {
                self.note(StageKind::Tls, started, finished, false);
                self.handshake_chain = handshake.chain;
                if credssp {
                    self.note(StageKind::Nla, started, finished, false);
                    let details = NlaDetails::after(&handshake.outcome);
                    match handshake.session {
                        Some(session) => queue.push_front(Task::Credssp {
                            stream,
                            session,
                            details: Box::new(details),
                        }),
                        None => self.emit(nla_report(details)),
                    }
                }
                self.handshake = Some(handshake.outcome);
                self.tls_results_in(queue);
            }
            TaskOutput::Credssp(details) => {
                self.note(StageKind::Nla, started, finished, false);
                self.emit(nla_report(details));
            }
            TaskOutput::Protocol(result) => {
                self.note(StageKind::SecurityProtocols, started, finished, true);
                self.protocols.push(result);
                if self.protocols.len() == Protocol::ALL.len() {
                    let report = protocols_report(std::mem::take(&mut self.protocols));
                    self.emit(report);
                }
            }
            TaskOutput::Version(version, result) => {
                self.note(StageKind::Tls, started, finished, true);
                self.versions.push((version, result));
                self.tls_results_in(queue);
            }
            TaskOutput::Client(result) => {
                self.note(StageKind::ClientCompatibility, started, finished, true);
                self.clients.push(result);
                self.replays_pending = self.replays_pending.saturating_sub(1);
                if self.replays_pending == 0 {
                    let report = clients_report(std::mem::take(&mut self.clients));
                    self.emit(report);
                }
            }
        }
    }

    /// Once the negotiation and every version probe are in: the client verdicts the version
    /// probes decide, and replays for the rest; once the full handshake has ended too, the TLS
    /// stage. The replays do not wait for the handshake, which is on the critical path only when
    /// it takes longer than the version probes (a TLS 1.2 server: one round trip more).
    fn tls_results_in<S>(&mut self, queue: &mut VecDeque<Task<S>>) {
        let Some(negotiation) = &self.negotiation else {
            return;
        };
        if self.versions.len() < TlsVersion::PROBED.len() || self.emitted(StageKind::Tls) {
            return;
        }
        if !negotiation
            .selected_protocol()
            .is_some_and(Protocol::uses_tls)
        {
            let why = format!("No TLS: the server {}.", negotiation.describe());
            self.emit(not_applicable(StageKind::Tls, why.clone()));
            self.emit(not_applicable(StageKind::ClientCompatibility, why));
            return;
        }
        if !self.clients_scheduled {
            self.clients_scheduled = true;
            self.clients_from_versions(queue);
        }
        if let Some(handshake) = &self.handshake {
            let report = tls_report(&self.versions, handshake);
            self.emit(report);
        }
    }

    /// The client verdicts the version probes decide, and replays for the rest.
    fn clients_from_versions<S>(&mut self, queue: &mut VecDeque<Task<S>>) {
        if !self.client_compatibility {
            let skipped = StageReport::without_result(
                StageKind::ClientCompatibility,
                StageStatus::Skipped,
                "Not requested.",
            );
            self.emit(skipped);
            return;
        }
        let versions: Vec<(TlsVersion, &HelloOutcome)> = self
            .versions
            .iter()
            .map(|(v, r)| (*v, &r.outcome))
            .collect();
        let mut decided = Vec::new();
        for profile in CLIENT_PROFILES {
            match infer(profile, &versions) {
                Some(result) => decided.push(result),
                None => {
                    // Replays are the critical path now: ahead of any protocol probe.
                    queue.push_front(Task::Client(profile));
                    self.replays_pending += 1;
                }
            }
        }
        self.clients.extend(decided);
        if self.replays_pending == 0 {
            let report = clients_report(std::mem::take(&mut self.clients));
            self.emit(report);
        }
    }

    fn finish<C: Connector, K: Clock>(
        mut self,
        ctx: &Ctx<'_, C, K>,
        target: &Target,
        started_unix_ms: u64,
    ) -> ProbeReport {
        let tcp_open = self
            .stages
            .iter()
            .any(|s| s.stage == StageKind::Tcp && s.status == StageStatus::Ok);
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

fn not_applicable(kind: StageKind, verdict: impl Into<String>) -> StageReport {
    StageReport::without_result(kind, StageStatus::NotApplicable, verdict)
}

fn tcp_report(error: Option<&ConnectError>, connect_ms: u64) -> StageReport {
    let (status, outcome, verdict, finding) = match error {
        None => (
            StageStatus::Ok,
            TcpOutcome::Open,
            format!("The port is open (connected in {connect_ms} ms)."),
            Finding::new(Severity::Info, Some(EvidenceId::ProbeTcpOpen), "The port accepts TCP connections", format!("connected in {connect_ms} ms")),
        ),
        Some(ConnectError::Refused) => (
            StageStatus::Failed,
            TcpOutcome::Refused,
            "The port refused the connection: nothing listens there, or a firewall rejects it.".to_owned(),
            Finding::new(Severity::Error, Some(EvidenceId::ProbeTcpRefused), "The port refused the TCP connection", "connection refused (RST)"),
        ),
        Some(ConnectError::TimedOut) => (
            StageStatus::Failed,
            TcpOutcome::TimedOut,
            "No answer to the connection attempt: a firewall drops the traffic, or the host is down.".to_owned(),
            Finding::new(Severity::Error, Some(EvidenceId::ProbeTcpTimeout), "The TCP connection timed out", format!("no answer after {connect_ms} ms")),
        ),
        Some(ConnectError::NameNotResolved) => (
            StageStatus::Failed,
            TcpOutcome::NameNotResolved,
            "The host name does not resolve.".to_owned(),
            Finding::new(Severity::Error, Some(EvidenceId::ProbeDnsFailed), "The host name did not resolve", "DNS lookup failed"),
        ),
        Some(ConnectError::Other(reason)) => (
            StageStatus::Failed,
            TcpOutcome::Failed { reason: reason.clone() },
            format!("The connection failed: {reason}."),
            Finding::new(Severity::Error, None, "The TCP connection failed", reason.clone()),
        ),
    };
    let connect_ms = (status == StageStatus::Ok).then_some(connect_ms);
    StageReport {
        stage: StageKind::Tcp,
        status,
        started_ms: 0,
        duration_ms: connect_ms.unwrap_or_default(),
        verdict,
        details: StageDetails::Tcp {
            outcome,
            connect_ms,
        },
        findings: vec![finding],
        connections_opened: 1,
    }
}

fn failure_evidence(code: u32) -> Option<EvidenceId> {
    match code {
        1 => Some(EvidenceId::ProbeNegSslRequired),
        2 => Some(EvidenceId::ProbeNegSslNotAllowed),
        3 => Some(EvidenceId::ProbeNegCertNotOnServer),
        4 => Some(EvidenceId::ProbeNegInconsistentFlags),
        5 => Some(EvidenceId::ProbeNegHybridRequired),
        6 => Some(EvidenceId::ProbeNegUserAuthRequired),
        7 => Some(EvidenceId::ProbeNegEntraRequired),
        _ => None,
    }
}

fn negotiation_report(outcome: &NegotiationOutcome) -> StageReport {
    let said = format!(
        "To a client offering TLS and NLA, the server {}.",
        outcome.describe()
    );
    let (status, finding) = match outcome {
        NegotiationOutcome::Selected {
            protocol: Some(Protocol::Hybrid | Protocol::HybridEx),
            ..
        } => (
            StageStatus::Ok,
            Finding::new(
                Severity::Info,
                Some(EvidenceId::ProbeNegNlaOffered),
                "The server accepts NLA (CredSSP)",
                outcome.describe(),
            ),
        ),
        NegotiationOutcome::Selected {
            protocol: Some(Protocol::Rdp),
            ..
        } => (
            StageStatus::Ok,
            Finding::new(
                Severity::Warning,
                Some(EvidenceId::ProbeNegRdpSecurityOnly),
                "The server uses legacy RDP security",
                "it selected standard RDP security although the client offered TLS and NLA; current clients may refuse this",
            ),
        ),
        NegotiationOutcome::Selected { .. } => (
            StageStatus::Ok,
            Finding::new(
                Severity::Info,
                None,
                "The server selected a security protocol",
                outcome.describe(),
            ),
        ),
        NegotiationOutcome::Failure { code, name } => (
            StageStatus::Failed,
            Finding::new(
                Severity::Error,
                failure_evidence(*code),
                "The server refused the negotiation",
                format!("RDP_NEG_FAILURE {code} ({name})"),
            ),
        ),
        NegotiationOutcome::Reset => (
            StageStatus::Failed,
            Finding::new(
                Severity::Error,
                Some(EvidenceId::ProbeX224Reset),
                "The server reset the connection after the RDP connection request",
                "RST instead of a Connection Confirm",
            ),
        ),
        NegotiationOutcome::Closed => (
            StageStatus::Failed,
            Finding::new(
                Severity::Error,
                Some(EvidenceId::ProbeX224Closed),
                "The server closed the connection after the RDP connection request",
                "FIN instead of a Connection Confirm",
            ),
        ),
        NegotiationOutcome::Silent => (
            StageStatus::Failed,
            Finding::new(
                Severity::Error,
                Some(EvidenceId::ProbeX224Silent),
                "The server did not answer the RDP connection request",
                "no reply before the deadline",
            ),
        ),
        NegotiationOutcome::NotRdp { .. } | NegotiationOutcome::Malformed { .. } => (
            StageStatus::Failed,
            Finding::new(
                Severity::Error,
                Some(EvidenceId::ProbeX224NotRdp),
                "The service on this port does not speak RDP",
                outcome.describe(),
            ),
        ),
        NegotiationOutcome::ConnectFailed { reason } => (
            StageStatus::Failed,
            Finding::new(
                Severity::Error,
                None,
                "The connection failed during negotiation",
                reason.clone(),
            ),
        ),
    };
    StageReport {
        stage: StageKind::Negotiation,
        status,
        started_ms: 0,
        duration_ms: 0,
        verdict: said,
        details: StageDetails::Negotiation {
            requested: vec![Protocol::Ssl, Protocol::Hybrid, Protocol::HybridEx],
            outcome: outcome.clone(),
        },
        findings: vec![finding],
        connections_opened: 0,
    }
}

fn protocols_report(mut protocols: Vec<ProtocolResult>) -> StageReport {
    protocols.sort_by_key(|r| Protocol::ALL.iter().position(|p| *p == r.protocol));
    let accepted: Vec<&str> = protocols
        .iter()
        .filter(|r| r.accepted)
        .map(|r| r.protocol.label())
        .collect();
    let mut findings = Vec::new();
    let mut codes_seen = Vec::new();
    for result in &protocols {
        if let NegotiationOutcome::Failure { code, name } = &result.outcome
            && !codes_seen.contains(code)
        {
            codes_seen.push(*code);
            findings.push(Finding::new(
                Severity::Info,
                failure_evidence(*code),
                format!(
                    "Asked for {} alone, the server answered {name}",
                    result.protocol.label()
                ),
                format!("RDP_NEG_FAILURE {code}"),
            ));
        }
    }
    if protocols
        .iter()
        .any(|r| r.accepted && matches!(r.protocol, Protocol::Hybrid | Protocol::HybridEx))
    {
        findings.push(Finding::new(
            Severity::Info,
            Some(EvidenceId::ProbeNegNlaOffered),
            "The server accepts NLA (CredSSP)",
            "HYBRID accepted when asked alone",
        ));
    }
    let (status, verdict) = if accepted.is_empty() {
        (
            StageStatus::Failed,
            "The server accepted none of the security protocols asked for one at a time."
                .to_owned(),
        )
    } else {
        (
            StageStatus::Ok,
            format!("The server accepts: {}.", accepted.join(", ")),
        )
    };
    StageReport {
        details: StageDetails::SecurityProtocols { protocols },
        findings,
        ..StageReport::without_result(StageKind::SecurityProtocols, status, verdict)
    }
}

/// NULL and anonymous suites protect nothing; no RDP client offers them.
fn is_unusable_suite(id: u16) -> bool {
    tls_parser::TlsCipherSuite::from_id(id).is_some_and(|s| {
        matches!(s.enc, tls_parser::TlsCipherEnc::Null)
            || matches!(s.au, tls_parser::TlsCipherAu::Null)
    })
}

/// Why a server would drop a TLS handshake it has started.
const DROPPED_PART_WAY: &str = "security software or a device in the path that inspects TLS does this when it lets a connection start and then cuts it";

fn tls_report(results: &[(TlsVersion, HelloResult)], handshake: &FullHandshake) -> StageReport {
    let mut versions: Vec<TlsVersionResult> = Vec::new();
    let mut certificate_chain = Vec::new();
    let mut sorted: Vec<&(TlsVersion, HelloResult)> = results.iter().collect();
    sorted.sort_by_key(|(v, _)| std::cmp::Reverse(*v));
    for &(version, ref result) in sorted {
        if certificate_chain.is_empty() && !result.chain.is_empty() {
            certificate_chain.clone_from(&result.chain);
        }
        let supported = result.outcome.accepted_version() == Some(version);
        versions.push(TlsVersionResult {
            version,
            supported,
            outcome: result.outcome.clone(),
        });
    }
    versions.sort_by_key(|r| r.version);
    let negotiated = versions
        .iter()
        .rev()
        .find(|r| r.supported)
        .and_then(|r| match &r.outcome {
            HelloOutcome::Accepted {
                version,
                cipher_suite,
                cipher_suite_name,
                ..
            } => Some(NegotiatedTls {
                version: *version,
                cipher_suite: *cipher_suite,
                cipher_suite_name: cipher_suite_name.clone(),
            }),
            _ => None,
        });
    let supported: Vec<&str> = versions
        .iter()
        .filter(|r| r.supported)
        .map(|r| r.version.label())
        .collect();
    let mut findings = Vec::new();
    if let Some(bytes) = results.iter().find_map(|(_, r)| r.oversized_chain_bytes) {
        findings.push(Finding::new(
            Severity::Warning,
            None,
            "The server's certificate chain is too large to read",
            format!(
                "its Certificate message is {bytes} bytes, more than the probe reads; the certificate was not checked, and clients with a handshake size limit may refuse it"
            ),
        ));
    }
    let status;
    let verdict;
    if let Some(negotiated) = &negotiated {
        let suite = negotiated
            .cipher_suite_name
            .clone()
            .unwrap_or_else(|| format!("0x{:04x}", negotiated.cipher_suite));
        let accepted = format!(
            "{} accepted; {} negotiates {suite}",
            supported.join(", "),
            negotiated.version.label()
        );
        // The version probes stop at the ServerHello (or the Certificate); only the full
        // handshake shows whether the server finishes what it started. A server that drops it
        // after its ServerHello fails every client; one whose failure came before its
        // ServerHello, or from the probe's own TLS client, may only have refused rustls's offer.
        let dropped_after_hello = handshake.server_hello.is_some()
            && !matches!(
                handshake.end,
                HandshakeEnd::Completed | HandshakeEnd::Failed { .. }
            );
        if dropped_after_hello {
            status = StageStatus::Failed;
            verdict = format!(
                "TLS fails: {accepted}, but the full handshake does not finish: {}.",
                handshake.describe()
            );
            let (title, evidence) = if handshake.end == HandshakeEnd::TimedOut {
                (
                    "The server stops answering part-way through the TLS handshake",
                    None,
                )
            } else {
                (
                    "The server drops the TLS handshake part-way",
                    Some(EvidenceId::ProbeTlsDroppedMidHandshake),
                )
            };
            findings.push(Finding::new(
                Severity::Error,
                evidence,
                title,
                format!("{}; {DROPPED_PART_WAY}", handshake.describe()),
            ));
        } else {
            status = StageStatus::Ok;
            verdict = format!("TLS works: {accepted}.");
            if !handshake.completed() {
                findings.push(Finding::new(
                    Severity::Info,
                    None,
                    "The probe's own TLS client could not complete a handshake",
                    format!(
                        "{}; real clients make other offers and have other limits",
                        handshake.describe()
                    ),
                ));
            }
        }
        if negotiated.version < TlsVersion::Tls12 {
            findings.push(Finding::new(
                Severity::Error,
                Some(EvidenceId::ProbeTlsLegacyOnly),
                "The server accepts only TLS 1.0/1.1",
                format!("accepted: {}", supported.join(", ")),
            ));
        }
        if is_unusable_suite(negotiated.cipher_suite) {
            findings.push(Finding::new(
                Severity::Error,
                Some(EvidenceId::ProbeTlsNoModernCipher),
                "The server only offers cipher suites without encryption or authentication",
                suite,
            ));
        }
    } else {
        status = StageStatus::Failed;
        // Every version failed the same way or not: report the first failure, highest version first.
        let first = versions.iter().rev().map(|r| &r.outcome).next();
        let what = first
            .map(HelloOutcome::describe)
            .unwrap_or_else(|| "no result".to_owned());
        verdict = format!("No TLS version works: {what}.");
        let evidence = match first {
            Some(HelloOutcome::ClosedBeforeServerHello | HelloOutcome::ResetBeforeServerHello) => {
                Some((
                    "The server drops the TLS handshake before its ServerHello",
                    "on Windows this is how Schannel fails when the RDP certificate's private key cannot be read (Schannel event 36870)",
                    EvidenceId::ProbeTlsNoServerHello,
                ))
            }
            Some(HelloOutcome::DroppedMidHandshake { .. }) => Some((
                "The server drops the TLS handshake part-way",
                DROPPED_PART_WAY,
                EvidenceId::ProbeTlsDroppedMidHandshake,
            )),
            Some(HelloOutcome::Alert { .. }) => Some((
                "The server answers every TLS handshake with an alert",
                "",
                EvidenceId::ProbeTlsAlert,
            )),
            Some(HelloOutcome::NotTls { .. } | HelloOutcome::Malformed { .. }) => Some((
                "The server answers TLS with something that is not TLS",
                "",
                EvidenceId::ProbeTlsNotTls,
            )),
            _ => None,
        };
        if let Some((title, why, id)) = evidence {
            let detail = if why.is_empty() {
                what.clone()
            } else {
                format!("{what}; {why}")
            };
            findings.push(Finding::new(Severity::Error, Some(id), title, detail));
        }
    }
    StageReport {
        details: StageDetails::Tls(TlsDetails {
            versions,
            negotiated,
            certificate_chain,
            full_handshake: Some(handshake.clone()),
        }),
        findings,
        ..StageReport::without_result(StageKind::Tls, status, verdict)
    }
}

fn clients_report(mut clients: Vec<ClientResult>) -> StageReport {
    clients.sort_by_key(|c| CLIENT_PROFILES.iter().position(|p| p.id == c.client));
    let failing: Vec<&ClientResult> = clients.iter().filter(|c| !c.compatible).collect();
    let current = clients.iter().filter(|c| c.current).count();
    let failing_current = failing.iter().filter(|c| c.current).count();
    let mut findings = Vec::new();
    if !failing.is_empty() {
        let names: Vec<String> = failing
            .iter()
            .map(|c| format!("{}: {}", c.name, c.reason))
            .collect();
        let severity = match failing_current {
            0 => Severity::Info,
            n if n == current => Severity::Error,
            _ => Severity::Warning,
        };
        let title = format!(
            "{} of {} RDP clients would fail the TLS handshake",
            failing.len(),
            clients.len()
        );
        findings.push(Finding::new(
            severity,
            Some(EvidenceId::ProbeClientIncompatible),
            title,
            names.join("; "),
        ));
    }
    let no_common_suite = failing.iter().any(|c| {
        c.current
            && matches!(
                c.outcome,
                HelloOutcome::Alert {
                    description: 40 | 71,
                    ..
                }
            )
    });
    if failing_current == current && current > 0 && no_common_suite {
        findings.push(Finding::new(
            Severity::Error,
            Some(EvidenceId::ProbeTlsNoModernCipher),
            "No current RDP client shares a cipher suite with the server",
            "the client supports none of the cipher suites the server accepts",
        ));
    }
    let legacy: Vec<&str> = failing
        .iter()
        .filter(|c| !c.current)
        .map(|c| c.name.as_str())
        .collect();
    let (status, verdict) = match (failing.len(), failing_current) {
        (0, _) => (
            StageStatus::Ok,
            format!(
                "All {} client profiles would complete the TLS handshake.",
                clients.len()
            ),
        ),
        (_, 0) => (
            StageStatus::Ok,
            format!(
                "Current clients connect; older ones would fail: {}.",
                legacy.join(", ")
            ),
        ),
        _ => (
            StageStatus::Failed,
            format!("{failing_current} of {current} current clients would fail the TLS handshake."),
        ),
    };
    StageReport {
        details: StageDetails::ClientCompatibility { clients },
        findings,
        ..StageReport::without_result(StageKind::ClientCompatibility, status, verdict)
    }
}

fn nla_report(details: NlaDetails) -> StageReport {
    let mut findings = Vec::new();
    let (status, verdict) = match &details.ntlm {
        Some(ntlm) => {
            let name = ntlm
                .dns_computer_name
                .clone()
                .or_else(|| ntlm.netbios_computer_name.clone())
                .unwrap_or_else(|| "unnamed".to_owned());
            let os = ntlm
                .os_version
                .clone()
                .unwrap_or_else(|| "unknown".to_owned());
            let domain = ntlm
                .dns_domain_name
                .clone()
                .or_else(|| ntlm.netbios_domain_name.clone())
                .unwrap_or_default();
            findings.push(Finding::new(
                Severity::Info,
                Some(EvidenceId::ProbeNlaInfo),
                "The server answered NLA with its NTLM challenge",
                format!(
                    "computer {name}, domain {domain}, OS version {os}, CredSSP version {}",
                    details.credssp_version.unwrap_or_default()
                ),
            ));
            if let Some(skew) = ntlm.clock_skew_ms.filter(|s| s.abs() > MAX_CLOCK_SKEW_MS) {
                findings.push(Finding::new(
                    Severity::Warning,
                    Some(EvidenceId::ProbeClockSkew),
                    "The server's clock is off",
                    format!(
                        "the server's clock is {} s {} real time",
                        skew.abs() / 1000,
                        if skew > 0 { "ahead of" } else { "behind" }
                    ),
                ));
            }
            (
                StageStatus::Ok,
                format!(
                    "NLA answers: {name} (OS {os}) sent its NTLM challenge; no credentials were sent."
                ),
            )
        }
        None => {
            let why = details
                .failure
                .clone()
                .unwrap_or_else(|| "no NTLM challenge".to_owned());
            (
                StageStatus::Failed,
                format!("NLA did not get to the NTLM challenge: {why}."),
            )
        }
    };
    StageReport {
        details: StageDetails::Nla(details),
        findings,
        ..StageReport::without_result(StageKind::Nla, status, verdict)
    }
}

#[cfg(test)]
mod tests {
    //! The schedule and the deadlines, over in-memory streams and tokio's paused clock.

    use std::cell::Cell;
    use std::pin::Pin;
    use std::rc::Rc;
    use std::task::{Context, Poll};

    use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream, ReadBuf};

    use super::*;

    /// tokio's clock, which `start_paused` advances only when every task waits.
    struct PausedClock(tokio::time::Instant);

    impl PausedClock {
        fn new() -> Self {
            PausedClock(tokio::time::Instant::now())
        }
    }

    impl Clock for PausedClock {
        fn now_unix_ms(&self) -> u64 {
            1_700_000_000_000
        }
        fn elapsed_ms(&self) -> u64 {
            self.0.elapsed().as_millis() as u64
        }
        async fn sleep(&self, ms: u64) {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        }
    }

    /// How the in-memory server treats the bytes after its Connection Confirm.
    #[derive(Clone, Copy)]
    enum AfterConfirm {
        Alert,
        Silent,
        /// A TLS record header, then one byte a second, forever.
        SlowDrip,
        /// TLS records as fast as the stream takes them, forever, announcing a ServerHello that
        /// never ends.
        EndlessStream,
    }

    /// Counts open connections; each stream decrements on drop.
    struct Tracked {
        inner: DuplexStream,
        open: Rc<Cell<usize>>,
    }

    impl Drop for Tracked {
        fn drop(&mut self) {
            self.open.set(self.open.get() - 1);
        }
    }

    impl AsyncRead for Tracked {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            Pin::new(&mut self.inner).poll_read(cx, buf)
        }
    }

    impl AsyncWrite for Tracked {
        fn poll_write(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            Pin::new(&mut self.inner).poll_write(cx, buf)
        }
        fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Pin::new(&mut self.inner).poll_flush(cx)
        }
        fn poll_shutdown(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
        ) -> Poll<std::io::Result<()>> {
            Pin::new(&mut self.inner).poll_shutdown(cx)
        }
    }

    struct MemoryConnector {
        after: AfterConfirm,
        open: Rc<Cell<usize>>,
        peak: Cell<usize>,
        total: Cell<u32>,
    }

    impl MemoryConnector {
        fn new(after: AfterConfirm) -> Self {
            MemoryConnector {
                after,
                open: Rc::default(),
                peak: Cell::new(0),
                total: Cell::new(0),
            }
        }
    }

    impl Connector for MemoryConnector {
        type Stream = Tracked;

        async fn connect(&self, _host: &str, _port: u16) -> Result<Tracked, ConnectError> {
            let (client, mut server) = tokio::io::duplex(64 * 1024);
            let after = self.after;
            tokio::spawn(async move {
                let mut request = [0u8; 512];
                if server.read(&mut request).await.unwrap_or(0) == 0 {
                    return;
                }
                let selects_tls = [3, 0, 0, 19, 14, 0xd0, 0, 0, 0, 0, 0, 2, 0, 8, 0, 1, 0, 0, 0];
                let _ = server.write_all(&selects_tls).await;
                let mut hello = vec![0u8; 4096];
                if server.read(&mut hello).await.unwrap_or(0) == 0 {
                    return;
                }
                match after {
                    AfterConfirm::Alert => {
                        let _ = server.write_all(&[21, 3, 3, 0, 2, 2, 40]).await;
                    }
                    AfterConfirm::Silent => {}
                    AfterConfirm::SlowDrip => {
                        let drip = [22, 3, 3, 0x40, 0].into_iter().chain(std::iter::repeat(0));
                        for byte in drip {
                            if server.write_all(&[byte]).await.is_err() {
                                return;
                            }
                            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        }
                    }
                    AfterConfirm::EndlessStream => {
                        let mut record = vec![22, 3, 3, 0x40, 0];
                        record.resize(5 + 0x4000, 0);
                        let mut first = record.clone();
                        first[5..9].copy_from_slice(&[2, 3, 0xff, 0xff]); // a 256 KiB ServerHello
                        let _ = server.write_all(&first).await;
                        while server.write_all(&record).await.is_ok() {}
                        return;
                    }
                }
                let _ = server.read(&mut hello).await; // hold the connection until the client drops it
            });
            self.open.set(self.open.get() + 1);
            self.peak.set(self.peak.get().max(self.open.get()));
            self.total.set(self.total.get() + 1);
            Ok(Tracked {
                inner: client,
                open: self.open.clone(),
            })
        }
    }

    /// Never connects: a port behind a firewall that drops SYNs.
    struct BlackHole;

    impl Connector for BlackHole {
        type Stream = DuplexStream;

        async fn connect(&self, _host: &str, _port: u16) -> Result<DuplexStream, ConnectError> {
            futures::future::pending().await
        }
    }

    /// Answers every connect with the same error.
    struct Failing(ConnectError);

    impl Connector for Failing {
        type Stream = DuplexStream;

        async fn connect(&self, _host: &str, _port: u16) -> Result<DuplexStream, ConnectError> {
            Err(self.0.clone())
        }
    }

    fn target() -> Target {
        Target {
            host: "rdp.test".into(),
            port: 3389,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn at_most_max_parallel_connections() {
        let connector = MemoryConnector::new(AfterConfirm::Alert);
        let mut streamed = 0;
        let report = run(
            &target(),
            &ProbeOptions::default(),
            &connector,
            &PausedClock::new(),
            |_| streamed += 1,
        )
        .await;
        assert_eq!(streamed, StageKind::ALL.len());
        assert_eq!(
            connector.peak.get(),
            6,
            "runs in parallel, never above the limit"
        );
        assert_eq!(report.connections_opened, connector.total.get());
        // 1 primary + 4 versions + 6 protocols; every client verdict follows from the versions.
        assert_eq!(connector.total.get(), 11);
        assert_eq!(
            connector.open.get(),
            0,
            "every connection is closed at the end"
        );
        assert_eq!(
            report.stage(StageKind::Tls).map(|s| s.status),
            Some(StageStatus::Failed)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_drip_or_an_endless_stream_ends_within_the_deadline() {
        let options = ProbeOptions {
            total_timeout_ms: 8_000,
            ..ProbeOptions::default()
        };
        for (after, cut_by) in [
            (AfterConfirm::SlowDrip, "(timed out)"),
            (AfterConfirm::EndlessStream, "(size limit reached)"),
        ] {
            let connector = MemoryConnector::new(after);
            let report = run(&target(), &options, &connector, &PausedClock::new(), |_| {}).await;
            assert!(
                report.duration_ms <= options.total_timeout_ms,
                "took {} ms",
                report.duration_ms
            );
            let tls = report.stage(StageKind::Tls).expect("tls stage");
            let StageDetails::Tls(details) = &tls.details else {
                panic!("no TLS details: {}", tls.verdict);
            };
            for version in &details.versions {
                assert!(
                    matches!(&version.outcome, HelloOutcome::Malformed { reason } if reason.ends_with(cut_by)),
                    "{:?}",
                    version.outcome
                );
            }
            assert_eq!(tls.status, StageStatus::Failed);
            assert_eq!(connector.open.get(), 0, "every connection is closed");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn filtered_port_times_out_at_the_connect_deadline() {
        let report = run(
            &target(),
            &ProbeOptions::default(),
            &BlackHole,
            &PausedClock::new(),
            |_| {},
        )
        .await;
        let tcp = report.stage(StageKind::Tcp).expect("tcp stage");
        assert_eq!(
            tcp.details,
            StageDetails::Tcp {
                outcome: TcpOutcome::TimedOut,
                connect_ms: None
            }
        );
        assert_eq!(report.duration_ms, 5_000);
        assert!(
            report.stages[1..]
                .iter()
                .all(|s| s.status == StageStatus::Skipped)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn unresolved_name_is_named() {
        let connector = Failing(ConnectError::NameNotResolved);
        let report = run(
            &target(),
            &ProbeOptions::default(),
            &connector,
            &PausedClock::new(),
            |_| {},
        )
        .await;
        let evidence: Vec<EvidenceId> = report.evidence().iter().map(|e| e.id).collect();
        assert_eq!(evidence, [EvidenceId::ProbeDnsFailed]);
        assert_eq!(report.stages[0].verdict, "The host name does not resolve.");
    }

    #[tokio::test(start_paused = true)]
    async fn silent_servers_cannot_outlast_the_whole_probe_deadline() {
        let connector = MemoryConnector::new(AfterConfirm::Silent);
        let options = ProbeOptions {
            total_timeout_ms: 3_000,
            ..ProbeOptions::default()
        };
        let report = run(&target(), &options, &connector, &PausedClock::new(), |_| {}).await;
        assert!(
            report.duration_ms <= 3_000,
            "took {} ms",
            report.duration_ms
        );
        let tls = report.stage(StageKind::Tls).expect("tls stage");
        assert_eq!(tls.status, StageStatus::Failed);
        assert!(tls.verdict.contains("no answer"), "{}", tls.verdict);
    }
}
