//! Fleet-check throughput: `rdp-doctor probe --targets FILE` against many fake NLA servers on
//! the namespace's loopback (each on an address of its own, answering at once), in hosts per
//! minute at the CLI's default concurrency.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::Path;
use std::time::{Duration, Instant};

use rdp_doctor_core::probe::x224::Protocol;
use rdp_doctor_tests::servers::{
    AfterConfirm, ChallengeFixture, FakeRdpServer, Negotiation, OnRequest, TestCert,
};

use crate::network::RDP_PORT;

/// HYBRID_REQUIRED_BY_SERVER.
const HYBRID_REQUIRED: u32 = 5;

pub struct FleetRun {
    pub hosts: usize,
    pub wall: Duration,
}

impl FleetRun {
    pub fn hosts_per_minute(&self) -> f64 {
        self.hosts as f64 * 60.0 / self.wall.as_secs_f64()
    }
}

/// Starts `hosts` servers at 127.0.1.1, 127.0.1.2, … and times one fleet check over them.
pub async fn run(
    cli: &Path,
    cert: &TestCert,
    dir: &Path,
    hosts: usize,
) -> Result<FleetRun, String> {
    let fixture = std::sync::Arc::new(
        ChallengeFixture::new(cert, Duration::ZERO).map_err(|e| format!("fixture: {e}"))?,
    );
    let mut servers = Vec::new();
    let mut lines = Vec::new();
    for index in 0..hosts {
        let host = u8::try_from(index % 250 + 1).unwrap_or(1);
        let address = Ipv4Addr::new(127, 0, 1 + u8::try_from(index / 250).unwrap_or(0), host);
        let negotiation = Negotiation {
            accepts: vec![Protocol::Ssl.bits(), Protocol::Hybrid.bits()],
            refusal: HYBRID_REQUIRED,
            after: AfterConfirm::Nla(fixture.clone()),
        };
        let at = SocketAddrV4::new(address, RDP_PORT);
        servers.push(
            FakeRdpServer::start_at(at.into(), OnRequest::Negotiate(negotiation))
                .await
                .map_err(|e| format!("fleet server {at}: {e}"))?,
        );
        lines.push(at.to_string());
    }
    let file = dir.join("fleet.txt");
    std::fs::write(&file, lines.join("\n")).map_err(|e| format!("targets file: {e}"))?;
    let started = Instant::now();
    let output = tokio::process::Command::new(cli)
        // The test certificate is valid for 30 days: not "expiring" at a 7-day horizon.
        .args(["probe", "--json", "--expiring-days", "7", "--targets"])
        .arg(&file)
        .output()
        .await
        .map_err(|e| format!("rdp-doctor probe --targets: {e}"))?;
    let wall = started.elapsed();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("rdp-doctor probe --targets printed no report: {e}"))?;
    let healthy = report["summary"]["healthy"].as_u64().unwrap_or_default();
    if usize::try_from(healthy).ok() != Some(hosts) {
        return Err(format!(
            "fleet check: {healthy} of {hosts} hosts healthy: {}",
            report["summary"]
        ));
    }
    drop(servers);
    Ok(FleetRun { hosts, wall })
}
