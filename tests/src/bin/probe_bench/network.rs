//! The benchmark's network: a network namespace of its own, added round-trip time without netem
//! (this kernel has none: an NFQUEUE rule hands packets to a thread that holds each one for half
//! the round trip), and a count of the TCP connections each tool opens.

use std::collections::VecDeque;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nfq::{Queue, Verdict};

/// Every target listens on RDP's own port, at a loopback address of its own: nmap's RDP scripts
/// run only against port 3389.
pub const RDP_PORT: u16 = 3389;

/// The NFQUEUE queue number the latency rules use.
const QUEUE: u16 = 0;

/// How often the delay thread looks for new packets. The nfq crate offers no file descriptor to
/// wait on, so it polls; a packet's hold starts when it is seen, up to this much late.
const POLL: Duration = Duration::from_micros(200);

/// Moves this process into a fresh network namespace with only its loopback up. Must run before
/// any thread starts: unshare applies to the calling thread, and threads and child processes
/// started later inherit it. The namespace, with every iptables rule in it, disappears with the
/// last process inside, so nothing is left on the host even when the benchmark is killed.
pub fn enter_new_namespace() -> Result<(), String> {
    // SAFETY: unshare takes no pointers; it only changes this thread's namespace.
    if unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
        return Err(format!(
            "cannot create a network namespace ({}); the benchmark needs root",
            std::io::Error::last_os_error()
        ));
    }
    command("ip", &["link", "set", "lo", "up"]).map(drop)
}

/// Runs `program` to completion; its stdout, or an error that quotes its stderr.
fn command(program: &str, args: &[&str]) -> Result<String, String> {
    let output = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "{program} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// `iptables -w` (waits for the lock rather than failing).
fn iptables(args: &[&str]) -> Result<String, String> {
    let mut all = vec!["-w"];
    all.extend_from_slice(args);
    command("iptables", &all)
}

/// Counts the TCP connections opened to [`RDP_PORT`] (half-open scans included) and the SYNs
/// sent again because the first went unanswered: two iptables rules, first in the OUTPUT chain
/// so that they see each SYN before the latency rules queue it. The second marks each
/// connection (CONNMARK) at its first SYN; the first counts only SYNs of unmarked connections.
pub struct ConnectionCounter;

/// Connections opened, and SYNs sent again.
#[derive(Clone, Copy, Debug)]
pub struct Connections {
    pub opened: u64,
    pub syn_retransmits: u64,
}

impl ConnectionCounter {
    pub fn install() -> Result<ConnectionCounter, String> {
        let port = RDP_PORT.to_string();
        let syn = ["-o", "lo", "-p", "tcp", "--dport", &port, "--syn"];
        let first_syn = ["-m", "connmark", "--mark", "0"];
        let mark = ["-j", "CONNMARK", "--set-mark", "1"];
        iptables(&[&["-I", "OUTPUT", "1"], &syn[..], &first_syn].concat())?;
        iptables(&[&["-I", "OUTPUT", "2"], &syn[..], &mark].concat())?;
        Ok(ConnectionCounter)
    }

    pub fn reset(&self) -> Result<(), String> {
        iptables(&["-Z", "OUTPUT"]).map(drop)
    }

    pub fn read(&self) -> Result<Connections, String> {
        let opened = rule_packets(1)?;
        let syns = rule_packets(2)?;
        Ok(Connections {
            opened,
            syn_retransmits: syns.saturating_sub(opened),
        })
    }
}

/// How many packets the OUTPUT chain's rule `number` has matched.
fn rule_packets(number: u32) -> Result<u64, String> {
    let rule = iptables(&["-L", "OUTPUT", &number.to_string(), "-v", "-x", "-n"])?;
    rule.split_whitespace()
        .next()
        .and_then(|packets| packets.parse().ok())
        .ok_or_else(|| format!("unexpected iptables counter line {rule:?}"))
}

/// `rtt` added to every round trip with [`RDP_PORT`]: each packet to or from it waits `rtt / 2`
/// in the OUTPUT chain. Removed on drop.
pub struct AddedLatency {
    rules: Vec<Vec<String>>,
    _delay: PacketDelay,
}

impl AddedLatency {
    pub fn start(rtt: Duration) -> Result<AddedLatency, String> {
        // The listener first: the kernel drops what it queues while nobody listens.
        let delay = PacketDelay::start(rtt / 2).map_err(|e| format!("NFQUEUE: {e}"))?;
        let mut latency = AddedLatency {
            rules: Vec::new(),
            _delay: delay,
        };
        let port = RDP_PORT.to_string();
        let queue = QUEUE.to_string();
        for direction in ["--dport", "--sport"] {
            let rule = [
                "OUTPUT",
                "-o",
                "lo",
                "-p",
                "tcp",
                direction,
                &port,
                "-j",
                "NFQUEUE",
                "--queue-num",
                &queue,
            ]
            .map(str::to_owned)
            .to_vec();
            change_rule("-A", &rule)?;
            latency.rules.push(rule);
        }
        Ok(latency)
    }
}

/// Appends (`-A`) or deletes (`-D`) `rule`.
fn change_rule(action: &str, rule: &[String]) -> Result<(), String> {
    let mut args = vec![action];
    args.extend(rule.iter().map(String::as_str));
    iptables(&args).map(drop)
}

impl Drop for AddedLatency {
    fn drop(&mut self) {
        for rule in &self.rules {
            let _ = change_rule("-D", rule);
        }
    }
}

/// Holds every packet queued to [`QUEUE`] for a fixed time, then accepts it. The delay is the
/// same for every packet, so their order is kept.
struct PacketDelay {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl PacketDelay {
    fn start(delay: Duration) -> std::io::Result<PacketDelay> {
        let mut queue = Queue::open()?;
        queue.bind(QUEUE)?;
        // A verdict needs only the packet's id: copy no payload to user space.
        queue.set_copy_range(QUEUE, 0)?;
        // Loopback sends segments of up to 64 KB; take them whole rather than split.
        queue.set_recv_gso(QUEUE, true)?;
        queue.set_nonblocking(true);
        let stop = Arc::new(AtomicBool::new(false));
        let thread = std::thread::spawn({
            let stop = Arc::clone(&stop);
            move || hold_packets(queue, delay, &stop)
        });
        Ok(PacketDelay {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for PacketDelay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(Ok(Err(error))) = self.thread.take().map(JoinHandle::join) {
            eprintln!("the packet delay thread failed: {error}");
        }
    }
}

fn hold_packets(mut queue: Queue, delay: Duration, stop: &AtomicBool) -> std::io::Result<()> {
    let mut held = VecDeque::new();
    while !stop.load(Ordering::Relaxed) {
        loop {
            match queue.recv() {
                Ok(packet) => held.push_back((Instant::now() + delay, packet)),
                Err(error) if error.kind() == ErrorKind::WouldBlock => break,
                Err(error) => return Err(error),
            }
        }
        let now = Instant::now();
        while let Some((_, mut packet)) = held.pop_front_if(|(due, _)| *due <= now) {
            packet.set_verdict(Verdict::Accept);
            queue.verdict(packet)?;
        }
        let until_next = held
            .front()
            .map_or(POLL, |(due, _)| due.saturating_duration_since(now));
        std::thread::sleep(until_next.min(POLL));
    }
    for (_, mut packet) in held {
        packet.set_verdict(Verdict::Accept);
        queue.verdict(packet)?;
    }
    Ok(())
}

/// The round trip to `address` as a TCP connect sees it (SYN out, SYN-ACK back): the median of
/// a few connects.
pub async fn measured_rtt(address: SocketAddr) -> Result<Duration, String> {
    let mut samples = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        tokio::net::TcpStream::connect(address)
            .await
            .map_err(|e| format!("connect to {address}: {e}"))?;
        samples.push(started.elapsed());
    }
    samples.sort();
    Ok(samples[samples.len() / 2])
}
