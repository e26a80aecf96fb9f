//! `openssl s_server` as a TLS back end, for what rustls will not serve: TLS 1.0 only, NULL
//! cipher suites, 1024-bit keys.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::{TestCert, free_port, wait_for_port};

pub struct OpensslServer {
    pub port: u16,
    child: Child,
}

impl OpensslServer {
    /// Starts `openssl s_server` with `cert` and the extra arguments (e.g. `["-tls1"]`).
    pub async fn start(cert: &TestCert, extra: &[&str]) -> std::io::Result<OpensslServer> {
        let port = free_port()?;
        let child = Command::new("openssl")
            .args(["s_server", "-quiet", "-accept"])
            .arg(format!("127.0.0.1:{port}"))
            .arg("-cert")
            .arg(&cert.cert_pem)
            .arg("-key")
            .arg(&cert.key_pem)
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let server = OpensslServer { port, child };
        if !wait_for_port(port, Duration::from_secs(5)).await {
            return Err(std::io::Error::other("openssl s_server did not start"));
        }
        Ok(server)
    }
}

impl Drop for OpensslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
