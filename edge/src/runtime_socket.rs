//! A TCP connection through the runtime's `connect()` (`cloudflare:sockets`), as the tokio I/O
//! traits the probe engine reads and writes.
//!
//! Written against `worker_sys` rather than using `worker::Socket` because of what that costs in
//! workerd: `worker::Socket` takes a new reader for every read and a new writer for every write
//! and releases each lock afterwards, and every `releaseLock()` makes the runtime build a
//! `TypeError` (the released reader's `closed` promise rejects) with a stack trace through the
//! Wasm frames. Profiled with `perf` in workerd, those locks cost about a sixth of the Worker
//! thread's CPU per probe. This socket takes one reader and one writer for its whole life.
//!
//! It is also closed when dropped: dropping a runtime socket does not close its connection, and
//! without this a silent target saw 11–12 connections at once from one probe (on Cloudflare a
//! 7th open socket waits for one of the first six to close).

use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::FutureExt;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use worker::js_sys::{Object, Reflect, Uint8Array};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;
use worker::web_sys::{ReadableStreamDefaultReader, WritableStreamDefaultWriter};
use worker::worker_sys;

/// An open connection, or one the service dropped as the runtime opened it.
pub struct RuntimeSocket(Option<Open>);

struct Open {
    socket: worker_sys::Socket,
    reader: ReadableStreamDefaultReader,
    writer: WritableStreamDefaultWriter,
    /// The read in flight; it survives a caller that gave up waiting (a deadline), so the
    /// bytes it brings are not lost.
    read: Option<JsFuture>,
    /// Bytes of the last chunk the caller's buffer had no room for.
    unread: Vec<u8>,
    /// The write in flight and its length.
    write: Option<(JsFuture, usize)>,
    shutdown: Option<JsFuture>,
}

/// How `connect` ended.
pub enum Opened {
    Open(RuntimeSocket),
    /// The service accepted and reset (or closed) before the runtime finished opening: the port
    /// is open, and the engine reads that reset from the stream.
    LostOnOpen(RuntimeSocket),
    Failed(String),
}

impl RuntimeSocket {
    /// Starts a plain-TCP connection to `address` (never a name: the runtime's own lookup could
    /// answer differently from the one the target policy judged).
    pub fn connect(address: IpAddr, port: u16) -> Result<Connecting, String> {
        let destination = Object::new();
        set(&destination, "hostname", &workerd_hostname(address).into())?;
        set(&destination, "port", &port.into())?;
        let options = Object::new();
        set(&options, "secureTransport", &"off".into())?;
        set(&options, "allowHalfOpen", &false.into())?;
        let socket =
            worker_sys::connect(destination.into(), options.into()).map_err(|e| message(&e))?;
        let opened = socket.opened().map_err(|e| message(&e))?;
        Ok(Connecting {
            socket: Some(socket),
            opened: JsFuture::from(opened),
        })
    }

    fn open(&mut self) -> io::Result<&mut Open> {
        self.0.as_mut().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::ConnectionReset,
                "the connection was lost as it was opened",
            )
        })
    }
}

/// A connection being opened; dropping it closes the attempt.
pub struct Connecting {
    socket: Option<worker_sys::Socket>,
    opened: JsFuture,
}

impl Future for Connecting {
    type Output = Opened;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Opened> {
        let result = match self.opened.poll_unpin(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        let Some(socket) = self.socket.take() else {
            return Poll::Ready(Opened::Failed("the socket was already taken".into()));
        };
        Poll::Ready(match result {
            Ok(_) => match Open::new(socket) {
                Ok(open) => Opened::Open(RuntimeSocket(Some(open))),
                Err(error) => Opened::Failed(error),
            },
            Err(error) => {
                close_now(&socket);
                let error = message(&error);
                if is_connection_lost(&error) {
                    Opened::LostOnOpen(RuntimeSocket(None))
                } else {
                    Opened::Failed(error)
                }
            }
        })
    }
}

impl Drop for Connecting {
    fn drop(&mut self) {
        if let Some(socket) = self.socket.take() {
            close_now(&socket);
        }
    }
}

impl Open {
    fn new(socket: worker_sys::Socket) -> Result<Open, String> {
        let reader = socket
            .readable()
            .map_err(|e| message(&e))?
            .get_reader()
            .dyn_into()
            .map_err(|_| "the runtime's socket has no default reader".to_owned())?;
        let writer = socket
            .writable()
            .and_then(|writable| writable.get_writer())
            .map_err(|e| message(&e))?;
        Ok(Open {
            socket,
            reader,
            writer,
            read: None,
            unread: Vec::new(),
            write: None,
            shutdown: None,
        })
    }

    /// Waits for the write in flight, if any: its length once the runtime took it (0 without one).
    fn poll_written(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let Some((write, len)) = self.write.as_mut() else {
            return Poll::Ready(Ok(0));
        };
        let len = *len;
        let result = match write.poll_unpin(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        self.write = None;
        Poll::Ready(result.map(|_| len).map_err(|e| io_error(&e)))
    }

    /// Moves what fits of `chunk` into `buf` and keeps the rest for the next read.
    fn deliver(&mut self, chunk: &[u8], buf: &mut ReadBuf<'_>) {
        let fits = chunk.len().min(buf.remaining());
        let (now, later) = chunk.split_at(fits);
        buf.put_slice(now);
        self.unread.extend_from_slice(later);
    }
}

impl Drop for RuntimeSocket {
    fn drop(&mut self) {
        if let Some(open) = self.0.take() {
            close_now(&open.socket);
        }
    }
}

impl AsyncRead for RuntimeSocket {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let open = self.open()?;
        if !open.unread.is_empty() {
            let unread = std::mem::take(&mut open.unread);
            open.deliver(&unread, buf);
            return Poll::Ready(Ok(()));
        }
        let read = open
            .read
            .get_or_insert_with(|| JsFuture::from(open.reader.read()));
        let result = match read.poll_unpin(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        open.read = None;
        let result = result.map_err(|e| io_error(&e))?;
        let done = Reflect::get(&result, &"done".into()).map_err(|e| io_error(&e))?;
        if done.is_truthy() {
            // The end of the stream: a read of nothing.
            return Poll::Ready(Ok(()));
        }
        let value = Reflect::get(&result, &"value".into()).map_err(|e| io_error(&e))?;
        let chunk = value
            .dyn_into::<Uint8Array>()
            .map_err(|_| io::Error::other("the runtime's socket gave a chunk that is not bytes"))?
            .to_vec();
        open.deliver(&chunk, buf);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for RuntimeSocket {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let open = self.open()?;
        if open.write.is_none() {
            let chunk = Uint8Array::from(buf);
            open.write = Some((
                JsFuture::from(open.writer.write_with_chunk(&chunk)),
                buf.len(),
            ));
        }
        open.poll_written(cx)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.open()?.poll_written(cx).map_ok(drop)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.as_mut().poll_flush(cx)?.is_pending() {
            return Poll::Pending;
        }
        let open = self.open()?;
        let shutdown = open
            .shutdown
            .get_or_insert_with(|| JsFuture::from(open.writer.close()));
        shutdown
            .poll_unpin(cx)
            .map(|result| result.map(|_| ()).map_err(|e| io_error(&e)))
    }
}

/// Closes `socket` now. Closing a socket the peer already closed or reset fails; it is closed
/// either way, and the `JsFuture` marks the rejection as handled.
fn close_now(socket: &worker_sys::Socket) {
    if let Ok(closing) = socket.close() {
        drop(JsFuture::from(closing));
    }
}

/// workerd joins `hostname:port` into one address string, so an IPv6 address needs its
/// brackets (`2001:db8::1:3389` would read as another address, without a port).
fn workerd_hostname(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

fn set(object: &Object, key: &str, value: &JsValue) -> Result<(), String> {
    Reflect::set(object, &key.into(), value)
        .map(drop)
        .map_err(|e| message(&e))
}

/// What a thrown or rejected JavaScript value says.
fn message(value: &JsValue) -> String {
    value
        .dyn_ref::<worker::js_sys::Error>()
        .map(|error| String::from(error.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

/// workerd's words for a connection the peer reset or dropped ("Network connection lost.").
fn is_connection_lost(message: &str) -> bool {
    message.contains("Network connection lost")
}

/// The runtime reports a reset as a plain error; the engine tells a reset apart by its kind.
fn io_error(value: &JsValue) -> io::Error {
    let message = message(value);
    let kind = if is_connection_lost(&message) {
        io::ErrorKind::ConnectionReset
    } else {
        io::ErrorKind::Other
    };
    io::Error::new(kind, message)
}
