//! Wall time of a full probe at 50 ms round-trip time, in round trips, against real and fake
//! servers (`cargo bench -p rdp-doctor-tests --bench probe_latency`). Measured, not asserted:
//! the target is about 6 round trips (0.35 s at 50 ms).

use std::time::{Duration, Instant};

use rdp_doctor_core::probe::tokio_driver::TokioClock;
use rdp_doctor_core::probe::{ProbeOptions, Target, run};
use rdp_doctor_tests::peers::{FreerdpShadow, Xrdp, XrdpConfig};
use rdp_doctor_tests::servers::{
    AfterConfirm, CertKind, ChallengeFixture, FakeRdpServer, LatencyRelay, Negotiation, OnRequest,
    SlowConnector, TempDir, TestCert,
};

const RTT: Duration = Duration::from_millis(50);
const RUNS: usize = 3;

async fn measure(name: &str, backend_port: u16) {
    let relay = LatencyRelay::start(backend_port, RTT).await.expect("relay");
    let target = Target {
        host: "127.0.0.1".into(),
        port: relay.port,
    };
    let connector = SlowConnector { rtt: RTT };
    for run_index in 0..RUNS {
        let started = Instant::now();
        let report = run(
            &target,
            &ProbeOptions::default(),
            &connector,
            &TokioClock::default(),
            |_| {},
        )
        .await;
        let wall = started.elapsed();
        let stages: Vec<String> = report
            .stages
            .iter()
            .map(|s| {
                format!(
                    "{:?}={}..{}ms",
                    s.stage,
                    s.started_ms,
                    s.started_ms + s.duration_ms
                )
            })
            .collect();
        println!(
            "{name:<28} run {run_index}: {:>5} ms = {:>4.1} RTT, {:>2} connections  [{}]",
            wall.as_millis(),
            wall.as_secs_f64() / RTT.as_secs_f64(),
            report.connections_opened,
            stages.join(" ")
        );
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let dir = TempDir::new("bench").expect("temp dir");
    let cert = TestCert::generate(CertKind::Good, dir.path()).expect("certificate");

    let fixture = ChallengeFixture::new(&cert, Duration::ZERO).expect("fixture");
    let rules = Negotiation {
        accepts: vec![2, 1],
        refusal: 5,
        after: AfterConfirm::Nla(fixture.into()),
    };
    let fake = FakeRdpServer::start(OnRequest::Negotiate(rules))
        .await
        .expect("fake NLA server");
    measure("fake NLA server", fake.port).await;

    let config = XrdpConfig {
        security_layer: "negotiate",
        certificate: Some(&cert),
        ..XrdpConfig::default()
    };
    match Xrdp::start(&config).await {
        Ok(xrdp) => measure("xrdp (TLS)", xrdp.port).await,
        Err(error) => println!("xrdp unavailable: {error}"),
    }
    match FreerdpShadow::start("nla").await {
        Ok(shadow) => measure("freerdp-shadow-cli (NLA)", shadow.port).await,
        Err(error) => println!("freerdp-shadow-cli unavailable: {error}"),
    }
}
