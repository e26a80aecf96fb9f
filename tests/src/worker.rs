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

    async fn start_until(
        vars: &[(&str, &str)],
        ready: fn(reqwest::StatusCode) -> bool,
    ) -> WorkerUnderTest {
        let root = PathBuf::from(required_env("RDP_DOCTOR_ROOT"));
        let port = free_port();
        let log = std::env::temp_dir().join(format!("rdp-doctor-wrangler-{port}.log"));
        let log_file = std::fs::File::create(&log).expect("create wrangler log");
        let mut cmd = Command::new(required_env("RDP_DOCTOR_WRANGLER"));
        cmd.current_dir(&root)
            .args(["dev", "--ip", "127.0.0.1", "--port", &port.to_string()])
            // Each instance needs its own inspector port, or parallel tests collide on 9229.
            .args([
                "--inspector-port",
                &free_port().to_string(),
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
        let worker = WorkerUnderTest {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
            log,
        };
        worker.wait_ready(ready).await;
        worker
    }

    async fn wait_ready(&self, ready: fn(reqwest::StatusCode) -> bool) {
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
                return;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!(
            "wrangler dev did not become ready in 90 s; its log:\n{}",
            self.log_text()
        );
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for WorkerUnderTest {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
    }
}
