//! Real RDP servers as test peers: xrdp (no NLA; TLS and RDP security in several
//! configurations) and freerdp-shadow-cli (NLA with NTLM). Each writes its configuration into a
//! temporary directory, listens on a loopback port of its own and is killed on drop.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::servers::{TempDir, TestCert, free_port, wait_for_port};

const STARTUP: Duration = Duration::from_secs(10);

/// A child process killed (and reaped) on drop.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(command: &mut Command) -> std::io::Result<Process> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Process)
}

/// The `[Globals]` settings of one xrdp instance.
#[derive(Clone, Debug, Default)]
pub struct XrdpConfig<'a> {
    /// `negotiate`, `tls` or `rdp`.
    pub security_layer: &'a str,
    /// `None` leaves xrdp without a certificate.
    pub certificate: Option<&'a TestCert>,
    /// e.g. `TLSv1.2, TLSv1.3` or `TLSv1`.
    pub ssl_protocols: Option<&'a str>,
    /// An OpenSSL cipher string.
    pub tls_ciphers: Option<&'a str>,
}

pub struct Xrdp {
    pub port: u16,
    _process: Process,
    _dir: TempDir,
}

impl Xrdp {
    pub async fn start(config: &XrdpConfig<'_>) -> std::io::Result<Xrdp> {
        let dir = TempDir::new("xrdp")?;
        let port = free_port()?;
        let template = std::fs::read_to_string("/etc/xrdp/xrdp.ini")?;
        let mut settings = vec![
            ("port", format!("tcp://127.0.0.1:{port}")),
            ("security_layer", config.security_layer.to_owned()),
            (
                "certificate",
                pem_path(config.certificate.map(|c| &c.cert_pem), &dir),
            ),
            (
                "key_file",
                pem_path(config.certificate.map(|c| &c.key_pem), &dir),
            ),
            ("LogFile", dir.path().join("xrdp.log").display().to_string()),
        ];
        if let Some(protocols) = config.ssl_protocols {
            settings.push(("ssl_protocols", protocols.to_owned()));
        }
        if let Some(ciphers) = config.tls_ciphers {
            settings.push(("tls_ciphers", ciphers.to_owned()));
        }
        let ini = dir.path().join("xrdp.ini");
        std::fs::write(&ini, set_ini_values(&template, &settings))?;
        let process = spawn(Command::new("/usr/sbin/xrdp").arg("-n").arg("-c").arg(&ini))?;
        if !wait_for_port(port, STARTUP).await {
            return Err(std::io::Error::other("xrdp did not start listening"));
        }
        Ok(Xrdp {
            port,
            _process: process,
            _dir: dir,
        })
    }
}

/// xrdp falls back to /etc/xrdp's certificate when the setting is empty, so "no certificate"
/// is a path that does not exist.
fn pem_path(path: Option<&std::path::PathBuf>, dir: &TempDir) -> String {
    let missing = dir.path().join("missing.pem");
    path.unwrap_or(&missing).display().to_string()
}

/// Sets the first `key=value` line of each key (the `[Globals]` one: session sections repeat
/// keys such as `port`); keys the template lacks are added right after `[Globals]`.
fn set_ini_values(template: &str, settings: &[(&str, String)]) -> String {
    let key_of = |line: &str| line.split_once('=').map(|(key, _)| key.trim().to_owned());
    let present: Vec<String> = template.lines().filter_map(key_of).collect();
    let mut replaced: Vec<&str> = Vec::new();
    let mut lines = Vec::new();
    for line in template.lines() {
        let setting = key_of(line).and_then(|key| {
            settings
                .iter()
                .find(|(k, _)| *k == key && !replaced.contains(k))
        });
        match setting {
            Some((key, value)) => {
                replaced.push(key);
                lines.push(format!("{key}={value}"));
            }
            None => lines.push(line.to_owned()),
        }
        if line.trim() == "[Globals]" {
            let absent = settings
                .iter()
                .filter(|(k, _)| !present.iter().any(|p| p == k));
            lines.extend(absent.map(|(key, value)| format!("{key}={value}")));
        }
    }
    lines.join("\n") + "\n"
}

/// An Xvfb display; killed on drop, with the lock file and socket a killed Xvfb leaves behind.
struct XDisplay {
    number: u16,
    process: Process,
}

impl XDisplay {
    async fn start() -> std::io::Result<XDisplay> {
        let lock = |n: u16| std::path::PathBuf::from(format!("/tmp/.X{n}-lock"));
        // Start somewhere different per process so parallel suites rarely collide.
        let start = free_port()? % 400;
        let number = (0..400)
            .map(|i| 40 + (start + i) % 400)
            .find(|&n| !lock(n).exists())
            .unwrap_or(440);
        let process = spawn(
            Command::new("Xvfb")
                .arg(format!(":{number}"))
                .args(["-nolisten", "tcp"]),
        )?;
        let display = XDisplay { number, process };
        let deadline = std::time::Instant::now() + STARTUP;
        while !display.socket().exists() {
            if std::time::Instant::now() > deadline {
                return Err(std::io::Error::other("Xvfb did not start"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(display)
    }

    fn socket(&self) -> std::path::PathBuf {
        format!("/tmp/.X11-unix/X{}", self.number).into()
    }
}

impl Drop for XDisplay {
    fn drop(&mut self) {
        let _ = self.process.0.kill();
        let _ = self.process.0.wait();
        let _ = std::fs::remove_file(self.socket());
        let _ = std::fs::remove_file(format!("/tmp/.X{}-lock", self.number));
    }
}

/// freerdp-shadow-cli on its own Xvfb display.
pub struct FreerdpShadow {
    pub port: u16,
    _server: Process,
    _display: XDisplay,
    _dir: TempDir,
}

impl FreerdpShadow {
    /// `security` is `nla`, `tls` or `rdp`.
    pub async fn start(security: &str) -> std::io::Result<FreerdpShadow> {
        let dir = TempDir::new("shadow")?;
        let display = XDisplay::start().await?;
        // A SAM file with one user; the probe never authenticates.
        let sam = dir.path().join("sam");
        std::fs::write(
            &sam,
            "tester:::aad3b435b51404eeaad3b435b51404ee:8846f7eaee8fb117ad06bdd830b7586c:::\n",
        )?;
        let port = free_port()?;
        let server = spawn(
            Command::new("freerdp-shadow-cli")
                .env("DISPLAY", format!(":{}", display.number))
                .arg("/bind-address:127.0.0.1")
                .arg(format!("/port:{port}"))
                .arg(format!("/sec:{security}"))
                .arg("+auth")
                .arg(format!("/sam-file:{}", sam.display())),
        )?;
        if !wait_for_port(port, STARTUP).await {
            return Err(std::io::Error::other(
                "freerdp-shadow-cli did not start listening",
            ));
        }
        Ok(FreerdpShadow {
            port,
            _server: server,
            _display: display,
            _dir: dir,
        })
    }
}
