//! Real RDP servers as test peers: xrdp (no NLA; TLS and RDP security in several
//! configurations) and freerdp-shadow-cli (NLA with NTLM). Each writes its configuration into a
//! temporary directory, listens on a loopback port of its own (or a given loopback address) and
//! is killed on drop.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::servers::{TempDir, TestCert, free_port, wait_for_listener};

const STARTUP: Duration = Duration::from_secs(10);

/// A child process killed (and reaped) on drop.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `command` with its output in `log`, so a failed start can say why.
fn spawn(command: &mut Command, log: &Path) -> std::io::Result<Process> {
    let output = std::fs::File::create(log)?;
    command
        .stdin(Stdio::null())
        .stdout(output.try_clone()?)
        .stderr(output)
        .spawn()
        .map(Process)
}

fn start_failed(what: &str, log: &Path) -> std::io::Error {
    let output = std::fs::read_to_string(log).unwrap_or_default();
    let tail: Vec<&str> = output.lines().rev().take(5).collect();
    std::io::Error::other(format!(
        "{what}; its last output: {}",
        tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
    ))
}

/// The `[Globals]` settings of one xrdp instance.
#[derive(Clone, Debug, Default)]
pub struct XrdpConfig<'a> {
    /// Where it listens; `None`: 127.0.0.1 on a free port.
    pub address: Option<SocketAddrV4>,
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
        let address = loopback_or(config.address)?;
        let port = address.port();
        let template = std::fs::read_to_string("/etc/xrdp/xrdp.ini")?;
        let mut settings = vec![
            ("port", format!("tcp://{address}")),
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
        let log = dir.path().join("xrdp.out");
        let process = spawn(
            Command::new("/usr/sbin/xrdp").arg("-n").arg("-c").arg(&ini),
            &log,
        )?;
        if !wait_for_listener(address.into(), STARTUP).await {
            return Err(start_failed("xrdp did not start listening", &log));
        }
        Ok(Xrdp {
            port,
            _process: process,
            _dir: dir,
        })
    }
}

/// `address`, or 127.0.0.1 on a free port.
fn loopback_or(address: Option<SocketAddrV4>) -> std::io::Result<SocketAddrV4> {
    match address {
        Some(address) => Ok(address),
        None => Ok(SocketAddrV4::new(Ipv4Addr::LOCALHOST, free_port()?)),
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
    /// With `-displayfd 1`, Xvfb prints the display number on stdout once it accepts clients.
    async fn start(dir: &TempDir) -> std::io::Result<XDisplay> {
        let log = dir.path().join("xvfb.log");
        // Away from the low numbers desktops and other suites use; Xvfb fails if it is taken.
        let number = 100 + free_port()? % 800;
        let mut child = Command::new("Xvfb")
            .arg(format!(":{number}"))
            .args(["-displayfd", "1", "-nolisten", "tcp", "-noreset"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log)?)
            .spawn()?;
        let stdout = child.stdout.take();
        let mut process = Process(child);
        let ready = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            stdout.map(|out| {
                std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line)
            });
            line.trim().parse::<u16>().ok()
        });
        let answering = async {
            let number = ready.await.ok().flatten()?;
            while !accepts_x11_clients(number).await {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Some(number)
        };
        match tokio::time::timeout(STARTUP, answering).await {
            Ok(Some(number)) => Ok(XDisplay { number, process }),
            _ => {
                let _ = process.0.kill();
                Err(start_failed("Xvfb did not start", &log))
            }
        }
    }

    fn socket(&self) -> std::path::PathBuf {
        x11_socket(self.number)
    }
}

fn x11_socket(number: u16) -> std::path::PathBuf {
    format!("/tmp/.X11-unix/X{number}").into()
}

/// Whether the display completes an X11 connection setup. Under load Xvfb can report its display
/// number before it serves clients, and freerdp-shadow-cli gives up on the first refusal. Written
/// by hand: twelve bytes out and one back do not justify an X11 client library.
async fn accepts_x11_clients(number: u16) -> bool {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let Ok(mut stream) = tokio::net::UnixStream::connect(x11_socket(number)).await else {
        return false;
    };
    // Little-endian setup request for protocol 11.0 without authorization.
    let setup = [b'l', 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let mut status = [0u8; 1];
    stream.write_all(&setup).await.is_ok()
        && stream.read_exact(&mut status).await.is_ok()
        && status[0] == 1
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
    /// `security` is `nla`, `tls` or `rdp`; listens on 127.0.0.1 on a free port.
    pub async fn start(security: &str) -> std::io::Result<FreerdpShadow> {
        FreerdpShadow::start_at(security, None).await
    }

    /// Listens at `address` (`None`: 127.0.0.1 on a free port). Retries on a fresh display when
    /// the server cannot open the one it got (a display number another suite's X server also
    /// answers).
    pub async fn start_at(
        security: &str,
        address: Option<SocketAddrV4>,
    ) -> std::io::Result<FreerdpShadow> {
        let dir = TempDir::new("shadow")?;
        // A SAM file with one user; the probe never authenticates.
        let sam = dir.path().join("sam");
        std::fs::write(
            &sam,
            "tester:::aad3b435b51404eeaad3b435b51404ee:8846f7eaee8fb117ad06bdd830b7586c:::\n",
        )?;
        let log = dir.path().join("shadow.log");
        let mut attempts = 0;
        loop {
            attempts += 1;
            let display = XDisplay::start(&dir).await?;
            let address = loopback_or(address)?;
            let port = address.port();
            let mut server = spawn(
                Command::new("freerdp-shadow-cli")
                    .env("DISPLAY", format!(":{}", display.number))
                    .arg(format!("/bind-address:{}", address.ip()))
                    .arg(format!("/port:{port}"))
                    .arg(format!("/sec:{security}"))
                    .arg("+auth")
                    .arg(format!("/sam-file:{}", sam.display())),
                &log,
            )?;
            if wait_while_running(&mut server, address.into()).await {
                return Ok(FreerdpShadow {
                    port,
                    _server: server,
                    _display: display,
                    _dir: dir,
                });
            }
            if attempts == 3 {
                return Err(start_failed(
                    "freerdp-shadow-cli did not start listening",
                    &log,
                ));
            }
        }
    }
}

/// Waits for `address` to accept connections while `process` is alive.
async fn wait_while_running(process: &mut Process, address: SocketAddr) -> bool {
    let deadline = tokio::time::Instant::now() + STARTUP;
    while tokio::time::Instant::now() < deadline {
        if wait_for_listener(address, Duration::from_millis(100)).await {
            return true;
        }
        if !matches!(process.0.try_wait(), Ok(None)) {
            return false;
        }
    }
    false
}
