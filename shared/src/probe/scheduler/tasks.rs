//! The connections' work: one task per connection step, each a future the scheduler polls
//! alongside the others. Tasks do I/O through the injected `Connector` and `Clock` and return
//! raw results; they decide nothing about verdicts.

use crate::probe::ProbeOptions;
use crate::probe::clients::{ClientProfile, ClientResult, DecidedBy, judge};
use crate::probe::credssp;
use crate::probe::driver::{
    Clock, ConnectError, Connector, Reply, StreamEnd, exchange, with_deadline,
};
use crate::probe::session::{self, NlaLimits, TlsSession};
use crate::probe::tls::{
    self, HelloOffer, HelloOutcome, HelloResult, ServerHelloReply, TlsVersion,
};
use crate::probe::x224::{self, ConfirmReply, MODERN_CLIENT_REQUEST, NegotiationOutcome, Protocol};
use crate::report::NlaDetails;
use crate::report::{ProtocolResult, Target};

pub(super) struct Ctx<'a, C, K> {
    pub target: &'a Target,
    pub opts: &'a ProbeOptions,
    pub connector: &'a C,
    pub clock: &'a K,
    pub started_ms: u64,
}

impl<C: Connector, K: Clock> Ctx<'_, C, K> {
    pub fn now_ms(&self) -> u64 {
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

pub(super) enum Task<S> {
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
    /// After the main connection was reset or closed without an answer: a connection that sends
    /// nothing and waits this long, to tell "on accept" from "after the request".
    WatchAccept {
        window_ms: u64,
    },
}

/// What a connection that sent nothing saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum AcceptWatch {
    Reset,
    Closed,
    /// Open and quiet (or it spoke first, or could not be opened): the service waits for a
    /// request.
    Waits,
}

/// Reads nothing into a verdict: only how the stream ends.
struct WatchReply;

impl Reply for WatchReply {
    type Outcome = AcceptWatch;

    fn advance(&mut self, received: &[u8]) -> Option<AcceptWatch> {
        (!received.is_empty()).then_some(AcceptWatch::Waits)
    }

    fn end(&mut self, _received: &[u8], end: StreamEnd) -> AcceptWatch {
        match end {
            StreamEnd::Reset => AcceptWatch::Reset,
            StreamEnd::Closed => AcceptWatch::Closed,
            _ => AcceptWatch::Waits,
        }
    }
}

impl<S> Task<S> {
    /// Whether the task starts with a TCP connection of its own.
    pub fn opens_connection(&self) -> bool {
        matches!(
            self,
            Task::Connect
                | Task::Protocol(_)
                | Task::Version(_)
                | Task::Client(_)
                | Task::WatchAccept { .. }
        )
    }
}

pub(super) enum TaskOutput<S> {
    Connected(Result<S, ConnectError>),
    Negotiated(NegotiationOutcome, Option<S>),
    Handshake {
        handshake: session::Handshake,
        stream: S,
        credssp: bool,
    },
    Credssp(NlaDetails),
    Protocol(ProtocolResult),
    Version(TlsVersion, HelloResult),
    Client(ClientResult),
    AcceptWatched(AcceptWatch),
}

pub(super) struct Done<S> {
    pub output: TaskOutput<S>,
    pub started_ms: u64,
    pub finished_ms: u64,
}

/// Runs `task` after `wait_ms` (the spacing between connection starts).
pub(super) async fn run_task<C: Connector, K: Clock>(
    ctx: &Ctx<'_, C, K>,
    index: usize,
    task: Task<C::Stream>,
    wait_ms: u64,
) -> Done<C::Stream> {
    if wait_ms > 0 {
        ctx.clock.sleep(wait_ms).await;
    }
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
            let handshake =
                session::handshake(&mut stream, &ctx.target.host, &limits, ctx.clock).await;
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
            let details = credssp::credssp(&mut session, &mut stream, &limits, ctx.clock, *details);
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
        Task::WatchAccept { window_ms } => {
            let watched = match ctx.connect().await {
                Ok(mut stream) => {
                    let budget = ctx.budget(window_ms);
                    exchange(&mut stream, &[], WatchReply, 1, budget, ctx.clock).await
                }
                Err(_) => AcceptWatch::Waits,
            };
            TaskOutput::AcceptWatched(watched)
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
