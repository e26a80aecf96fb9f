//! Runs the built Worker under the real Workers runtime (workerd, via `wrangler dev`) on a free
//! loopback port, for tests that talk to it over HTTP. `cargo xtask test` builds the Worker and
//! the app first and passes their location in `RDP_DOCTOR_ROOT`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct WorkerUnderTest {
    child: Child,
    pub base_url: String,
    log: PathBuf,
}

/// A free loopback port for wrangler; the harness cannot run without one.
fn free_port() -> u16 {
    crate::servers::free_port().expect("a free loopback port")
}

fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the Worker suites through `cargo xtask test`, which builds the Worker first")
    })
}

impl WorkerUnderTest {
    /// Starts `wrangler dev` with extra `--var NAME:value` settings and waits until
    /// `/api/health` answers.
    pub async fn start(vars: &[(&str, &str)]) -> WorkerUnderTest {
        Self::start_until(vars, |status| status.is_success()).await
    }

    /// Starts a Worker whose settings are meant to be refused: ready once `/api/health`
    /// answers 500.
    pub async fn start_misconfigured(vars: &[(&str, &str)]) -> WorkerUnderTest {
        Self::start_until(vars, |status| status.as_u16() == 500).await
    }

    /// Starts wrangler on fresh free ports, again when one was taken between the check and
    /// the bind (parallel tests open loopback ports all the time).
    async fn start_until(
        vars: &[(&str, &str)],
        ready: fn(reqwest::StatusCode) -> bool,
    ) -> WorkerUnderTest {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let worker = Self::spawn(vars);
            match worker.wait_ready(ready).await {
                Ready::Yes => return worker,
                Ready::PortTaken if attempts < 3 => continue,
                _ => panic!(
                    "wrangler dev did not become ready in 90 s; its log:\n{}",
                    worker.log_text()
                ),
            }
        }
    }

    fn spawn(vars: &[(&str, &str)]) -> WorkerUnderTest {
        let root = PathBuf::from(required_env("RDP_DOCTOR_ROOT"));
        let port = free_port();
        let inspector_port = free_port();
        let log = std::env::temp_dir().join(format!("rdp-doctor-wrangler-{port}.log"));
        let log_file = std::fs::File::create(&log).expect("create wrangler log");
        let mut cmd = Command::new(required_env("RDP_DOCTOR_WRANGLER"));
        cmd.current_dir(&root)
            .args(["dev", "--ip", "127.0.0.1", "--port", &port.to_string()])
            // Each instance needs its own inspector port, or parallel tests collide on 9229.
            .args([
                "--inspector-port",
                &inspector_port.to_string(),
                "--show-interactive-dev-session=false",
            ])
            // A fresh state directory per instance keeps rate-limit counters from leaking between tests.
            .args([
                "--persist-to",
                &std::env::temp_dir()
                    .join(format!("rdp-doctor-state-{port}"))
                    .to_string_lossy(),
            ])
            .env("WRANGLER_SEND_METRICS", "false")
            .env("WRANGLER_SEND_ERROR_REPORTS", "false")
            .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log handle"))
            .stderr(log_file);
        for (name, value) in vars {
            cmd.args(["--var", &format!("{name}:{value}")]);
        }
        // Own process group, so that stopping it also stops the workerd it spawns.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd.spawn().expect("start wrangler dev");
        WorkerUnderTest {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    async fn wait_ready(&self, ready: fn(reqwest::StatusCode) -> bool) -> Ready {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Ok(resp) = client
                .get(self.url("/api/health"))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                && ready(resp.status())
            {
                return Ready::Yes;
            }
            if self.log_text().contains("Address already in use") {
                return Ready::PortTaken;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Ready::TimedOut
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// The process id of wrangler, whose process group holds the workerd it started.
    pub fn process_group(&self) -> u32 {
        self.child.id()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

enum Ready {
    Yes,
    PortTaken,
    TimedOut,
}

impl Drop for WorkerUnderTest {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// A DNS-over-HTTPS server (the JSON API, plain HTTP on loopback) answering from a fixed map,
/// for the Worker's `DOH_URL`: the suite decides what every name resolves to, offline.
pub struct FakeDoh {
    pub url: String,
    queries: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

/// What [`FakeDoh`] answers for a name.
#[derive(Clone, Debug)]
pub enum DohAnswer {
    /// NOERROR with these addresses (A and AAAA answered by family).
    Addresses(Vec<std::net::IpAddr>),
    /// NXDOMAIN.
    NoSuchName,
    /// HTTP 500: the resolver is broken.
    ServerError,
}

impl FakeDoh {
    /// Names missing from `answers` get NXDOMAIN.
    pub async fn start(answers: Vec<(&str, DohAnswer)>) -> FakeDoh {
        let answers: std::collections::HashMap<String, DohAnswer> = answers
            .into_iter()
            .map(|(name, answer)| (name.to_owned(), answer))
            .collect();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the DoH server");
        let port = listener.local_addr().expect("local address").port();
        let queries = std::sync::Arc::default();
        let seen = std::sync::Arc::clone(&queries);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let answers = answers.clone();
                let seen = std::sync::Arc::clone(&seen);
                tokio::spawn(async move {
                    let _ = answer_doh(stream, &answers, &seen).await;
                });
            }
        });
        FakeDoh {
            url: format!("http://127.0.0.1:{port}/dns-query"),
            queries,
            task,
        }
    }

    /// Every `name type` asked so far, e.g. `rdp.example.com A`.
    pub fn queries(&self) -> Vec<String> {
        self.queries.lock().map(|q| q.clone()).unwrap_or_default()
    }
}

impl Drop for FakeDoh {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One HTTP/1.1 exchange: `GET /dns-query?name=N&type=T`, answered as Cloudflare's JSON API does.
async fn answer_doh(
    mut stream: tokio::net::TcpStream,
    answers: &std::collections::HashMap<String, DohAnswer>,
    seen: &std::sync::Mutex<Vec<String>>,
) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut request = Vec::new();
    let mut chunk = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 16 * 1024 {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&request);
    let target = text.split_whitespace().nth(1).unwrap_or_default();
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let param = |key: &str| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(&format!("{key}=")))
            .unwrap_or_default()
            .to_owned()
    };
    let (name, record_type) = (param("name"), param("type"));
    if let Ok(mut seen) = seen.lock() {
        seen.push(format!("{name} {record_type}"));
    }
    let (status, body) = match answers.get(&name) {
        Some(DohAnswer::ServerError) => (500, "{}".to_owned()),
        None | Some(DohAnswer::NoSuchName) => (200, r#"{"Status":3,"Answer":[]}"#.to_owned()),
        Some(DohAnswer::Addresses(addresses)) => {
            let (code, want_v4) = if record_type == "AAAA" {
                (28, false)
            } else {
                (1, true)
            };
            let records: Vec<serde_json::Value> = addresses
                .iter()
                .filter(|address| address.is_ipv4() == want_v4)
                .map(|address| {
                    serde_json::json!({"name": name, "type": code, "TTL": 60, "data": address.to_string()})
                })
                .collect();
            let answer = serde_json::json!({"Status": 0, "Answer": records});
            (200, answer.to_string())
        }
    };
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/dns-json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

/// A TCP service on loopback that accepts every connection and never says a word, counting
/// connections: how many were opened, and the most open at one time. "Open" is the kernel's
/// view when each connection is accepted: every earlier connection is checked without blocking,
/// and one whose FIN or RST has arrived no longer counts, so the order in which tasks happen to
/// run cannot inflate the count.
pub struct SilentCounter {
    pub port: u16,
    state: std::sync::Arc<std::sync::Mutex<Connections>>,
    task: tokio::task::JoinHandle<()>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConnectionCounts {
    pub opened: usize,
    pub open_now: usize,
    pub most_open: usize,
}

#[derive(Default)]
struct Connections {
    open: Vec<tokio::net::TcpStream>,
    counts: ConnectionCounts,
}

impl Connections {
    /// Drops every connection the client has closed or reset (whatever it sent is discarded).
    fn sweep(&mut self) {
        let mut sink = [0u8; 4096];
        self.open.retain(|stream| {
            loop {
                match stream.try_read(&mut sink) {
                    Ok(0) => return false,
                    Ok(_) => continue,
                    Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => return true,
                    Err(_) => return false,
                }
            }
        });
        self.counts.open_now = self.open.len();
    }
}

impl SilentCounter {
    pub async fn start() -> SilentCounter {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the silent server");
        let port = listener.local_addr().expect("local address").port();
        let state: std::sync::Arc<std::sync::Mutex<Connections>> = Default::default();
        let shared = std::sync::Arc::clone(&state);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                if let Ok(mut connections) = shared.lock() {
                    connections.sweep();
                    connections.open.push(stream);
                    let counts = &mut connections.counts;
                    counts.opened += 1;
                    counts.open_now += 1;
                    counts.most_open = counts.most_open.max(counts.open_now);
                }
            }
        });
        SilentCounter { port, state, task }
    }

    pub fn counts(&self) -> ConnectionCounts {
        self.state
            .lock()
            .map(|mut connections| {
                connections.sweep();
                connections.counts
            })
            .unwrap_or_default()
    }
}

impl Drop for SilentCounter {
    fn drop(&mut self) {
        self.task.abort();
    }
}
