//! The thin async layer: the only code that touches a socket or a timer, both injected.
//!
//! The Worker has no tokio runtime, only `tokio::io`'s traits on its `Socket`, so deadlines are
//! raced with `futures` against the injected [`Clock`], and nothing here needs `Send`.

use std::future::Future;
use std::pin::pin;

use futures::future::{Either, select};
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Why a TCP connection could not be opened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum ConnectError {
    Refused,
    TimedOut,
    NameNotResolved,
    Other(String),
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectError::Refused => f.write_str("connection refused"),
            ConnectError::TimedOut => f.write_str("connection timed out"),
            ConnectError::NameNotResolved => f.write_str("host name not resolved"),
            ConnectError::Other(reason) => f.write_str(reason),
        }
    }
}

/// Opens TCP connections (tokio natively, `worker::Socket` in the Worker).
#[allow(async_fn_in_trait)] // The Worker is single-threaded: futures need not be Send.
pub trait Connector {
    type Stream: AsyncRead + AsyncWrite + Unpin;
    async fn connect(&self, host: &str, port: u16) -> Result<Self::Stream, ConnectError>;
}

/// Time, injected so the engine runs the same under tokio, in workerd and in tests.
#[allow(async_fn_in_trait)]
pub trait Clock {
    /// Wall clock, for clock skew and certificate validity.
    fn now_unix_ms(&self) -> u64;
    /// Monotonic milliseconds, for timings and deadlines.
    fn elapsed_ms(&self) -> u64;
    async fn sleep(&self, ms: u64);
}

/// Runs `future` until it finishes or `ms` pass; `None` on timeout (the future is dropped).
pub async fn with_deadline<F: Future>(clock: &impl Clock, ms: u64, future: F) -> Option<F::Output> {
    match select(pin!(future), pin!(clock.sleep(ms))).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(((), _)) => None,
    }
}

/// How a read loop ended without the reply being decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StreamEnd {
    /// FIN: the peer closed cleanly.
    Closed,
    /// RST (or the platform's equivalent error).
    Reset,
    TimedOut,
    /// The peer sent more than the exchange's byte limit without a decidable reply.
    LimitReached,
    Failed(String),
}

impl StreamEnd {
    pub(crate) fn from_io(error: &std::io::Error) -> StreamEnd {
        use std::io::ErrorKind::*;
        match error.kind() {
            ConnectionReset | ConnectionAborted | BrokenPipe => StreamEnd::Reset,
            UnexpectedEof => StreamEnd::Closed,
            _ => StreamEnd::Failed(error.to_string()),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            StreamEnd::Closed => "connection closed".to_owned(),
            StreamEnd::Reset => "connection reset".to_owned(),
            StreamEnd::TimedOut => "timed out".to_owned(),
            StreamEnd::LimitReached => "size limit reached".to_owned(),
            StreamEnd::Failed(reason) => reason.clone(),
        }
    }
}

/// A sans-IO reader of one reply: it looks at everything received so far and decides.
pub(crate) trait Reply {
    type Outcome;
    /// `Some` once the bytes received so far decide the outcome.
    fn advance(&mut self, received: &[u8]) -> Option<Self::Outcome>;
    /// The outcome when the stream ends (or the deadline passes) before `advance` decided.
    fn end(&mut self, received: &[u8], end: StreamEnd) -> Self::Outcome;
}

const READ_CHUNK: usize = 16 * 1024;

/// Sends `request` (if not empty) and reads until `reply` decides, the stream ends, `limit`
/// bytes arrived or `deadline_ms` passed — whichever comes first.
pub(crate) async fn exchange<S, R>(
    stream: &mut S,
    request: &[u8],
    mut reply: R,
    limit: usize,
    deadline_ms: u64,
    clock: &impl Clock,
) -> R::Outcome
where
    S: AsyncRead + AsyncWrite + Unpin,
    R: Reply,
{
    let mut received = Vec::new();
    let io = async {
        if !request.is_empty()
            && let Err(error) = write_all(stream, request).await
        {
            return Err(StreamEnd::from_io(&error));
        }
        let mut chunk = vec![0u8; READ_CHUNK];
        loop {
            let room = limit.saturating_sub(received.len()).min(READ_CHUNK);
            if room == 0 {
                return Err(StreamEnd::LimitReached);
            }
            match stream.read(&mut chunk[..room]).await {
                Ok(0) => return Err(StreamEnd::Closed),
                Ok(n) => {
                    received.extend_from_slice(&chunk[..n]);
                    if let Some(outcome) = reply.advance(&received) {
                        return Ok(outcome);
                    }
                }
                Err(error) => return Err(StreamEnd::from_io(&error)),
            }
        }
    };
    let result = with_deadline(clock, deadline_ms, io).await;
    match result {
        Some(Ok(outcome)) => outcome,
        Some(Err(end)) => reply.end(&received, end),
        None => reply.end(&received, StreamEnd::TimedOut),
    }
}

pub(crate) async fn write_all<S: AsyncWrite + Unpin>(
    stream: &mut S,
    bytes: &[u8],
) -> std::io::Result<()> {
    stream.write_all(bytes).await?;
    stream.flush().await
}

#[cfg(test)]
pub(crate) mod test_support {
    //! A clock for unit tests that never sleeps for real: `sleep` waits forever unless the
    //! duration is zero, so only a deadline of 0 ms fires.
    use super::Clock;

    pub struct FrozenClock;

    impl Clock for FrozenClock {
        fn now_unix_ms(&self) -> u64 {
            1_700_000_000_000
        }
        fn elapsed_ms(&self) -> u64 {
            0
        }
        async fn sleep(&self, ms: u64) {
            if ms > 0 {
                futures::future::pending::<()>().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::FrozenClock;
    use super::*;

    struct FirstByte;
    impl Reply for FirstByte {
        type Outcome = Result<u8, StreamEnd>;
        fn advance(&mut self, received: &[u8]) -> Option<Self::Outcome> {
            received.get(5).map(|&b| Ok(b))
        }
        fn end(&mut self, _: &[u8], end: StreamEnd) -> Self::Outcome {
            Err(end)
        }
    }

    fn run<F: Future>(future: F) -> F::Output {
        futures::executor::block_on(future)
    }

    #[test]
    fn stops_at_the_limit() {
        let (mut client, mut server) = tokio::io::duplex(1024);
        run(async {
            server.write_all(&[1, 2, 3]).await.unwrap();
            let outcome = exchange(&mut client, b"hi", FirstByte, 3, 1000, &FrozenClock).await;
            assert_eq!(outcome, Err(StreamEnd::LimitReached));
        });
    }

    #[test]
    fn reports_a_clean_close() {
        let (mut client, server) = tokio::io::duplex(1024);
        drop(server);
        let outcome = run(exchange(
            &mut client,
            b"",
            FirstByte,
            100,
            1000,
            &FrozenClock,
        ));
        assert_eq!(outcome, Err(StreamEnd::Closed));
    }

    #[test]
    fn deadline_ends_a_silent_exchange() {
        let (mut client, _server) = tokio::io::duplex(1024);
        let outcome = run(exchange(&mut client, b"x", FirstByte, 100, 0, &FrozenClock));
        assert_eq!(outcome, Err(StreamEnd::TimedOut));
    }
}
