//! The probe against hostile servers: a slow drip, an endless stream, lengths beyond every
//! limit, a chain of hundreds of certificates, resets at every stage and half-open connections.
//! Each must end in a verdict that says what happened — cut short by a deadline or a byte limit,
//! never hanging — and in bounded memory.

use std::sync::Arc;
use std::time::Duration;

use rdp_doctor_core::evidence::EvidenceId;
use rdp_doctor_core::probe::tls::{HelloOutcome, TlsVersion};
use rdp_doctor_core::probe::x224::NegotiationOutcome;
use rdp_doctor_core::probe::{ProbeOptions, ProbeReport, StageKind, StageStatus};
use rdp_doctor_tests::probing::{
    evidence, negotiation, probe, probe_with, quick_options, stage, stage_with_status,
    supported_versions, tls,
};
use rdp_doctor_tests::servers::{
    AfterConfirm, ChallengeFixture, FakeRdpServer, FlightCut, Negotiation, OnRequest, long_chain,
    tls_server_config,
};

#[global_allocator]
static ALLOCATOR: peak_memory::PerThreadPeak = peak_memory::PerThreadPeak;

const SSL: u32 = 1;
const HYBRID: u32 = 2;

/// What a case expects of an outcome or a report.
type Expect<T> = fn(&T) -> bool;

fn assert_every_version(report: &ProbeReport, expected: impl Fn(&HelloOutcome) -> bool) {
    for version in &tls(report).versions {
        assert!(
            expected(&version.outcome),
            "{:?}: {:?}",
            version.version,
            version.outcome
        );
    }
}

fn cut_short_by(reason: &str, what: &str) -> bool {
    reason.starts_with("the reply stopped after") && reason.ends_with(what)
}

#[tokio::test]
async fn absurd_tpkt_length_is_cut_off_by_the_deadline() {
    // A TPKT header announcing 65535 bytes, and nothing more.
    let server = FakeRdpServer::start(OnRequest::Banner(vec![3, 0, 0xff, 0xff]))
        .await
        .unwrap();
    let report = probe(server.port).await;
    assert_eq!(
        negotiation(&report),
        &NegotiationOutcome::Malformed {
            reason: "the reply stopped after 4 bytes (timed out)".into()
        }
    );
    assert!(evidence(&report).contains(&EvidenceId::ProbeX224NotRdp));
}

#[tokio::test]
async fn slow_drip_endless_stream_and_silence_end_at_a_deadline_or_a_limit() {
    let cases: [(AfterConfirm, Expect<HelloOutcome>); 3] = [
        // One byte a second: the exchange deadline ends it, with what had arrived.
        (
            AfterConfirm::SlowDrip,
            |outcome| matches!(outcome, HelloOutcome::Malformed { reason } if cut_short_by(reason, "(timed out)")),
        ),
        // An endless stream: the byte limit ends it long before the deadline could.
        (
            AfterConfirm::Flood,
            |outcome| matches!(outcome, HelloOutcome::Malformed { reason } if cut_short_by(reason, "(size limit reached)")),
        ),
        (AfterConfirm::Silent, |outcome| {
            matches!(outcome, HelloOutcome::Silent)
        }),
    ];
    for (after, expected) in cases {
        let server = FakeRdpServer::tls(after).await.unwrap();
        let report = probe(server.port).await;
        assert_every_version(&report, expected);
        assert_eq!(stage(&report, StageKind::Tls).status, StageStatus::Failed);
    }
}

#[tokio::test]
async fn tls_records_longer_than_the_protocol_allows_are_refused_at_the_header() {
    // RFC 8446 5.2: no record is longer than 2^14 + 2048 bytes.
    for length in [16_384 + 2_048 + 1, 65_535u16] {
        let [high, low] = length.to_be_bytes();
        let server = FakeRdpServer::tls(AfterConfirm::Reply(vec![22, 3, 3, high, low]))
            .await
            .unwrap();
        let report = probe(server.port).await;
        let expected = format!("record length {length} exceeds the TLS maximum");
        assert_every_version(
            &report,
            |outcome| matches!(outcome, HelloOutcome::Malformed { reason } if *reason == expected),
        );
        assert!(evidence(&report).contains(&EvidenceId::ProbeTlsNotTls));
    }
}

/// A TLS 1.2 ServerHello without extensions in one record: a first flight's start, not the whole.
fn tls12_server_hello() -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend([0x5a; 32]); // server random
    body.push(0); // no session id
    body.extend([0xc0, 0x2f, 0]); // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, no compression
    let mut handshake = vec![2, 0, 0, body.len() as u8];
    handshake.extend(body);
    let mut record = vec![22, 3, 3, 0, handshake.len() as u8];
    record.extend(handshake);
    record
}

fn nla_fixture() -> Arc<ChallengeFixture> {
    let (chain, key) = long_chain(1).unwrap();
    ChallengeFixture::with_chain(chain, key, Duration::ZERO)
        .unwrap()
        .into()
}

/// Selects TLS alone, then behaves as `after`.
fn tls_then(after: AfterConfirm) -> OnRequest {
    OnRequest::Negotiate(Negotiation {
        accepts: vec![SSL],
        refusal: 1,
        after,
    })
}

/// A real TLS server speaking only `version` whose reply is cut after its first `records`
/// records: every ClientHello for that version is answered, no handshake ever finishes.
fn tls_cut_after_records(
    version: &'static rustls::SupportedProtocolVersion,
    records: usize,
    cut: FlightCut,
) -> OnRequest {
    let (chain, key) = long_chain(1).unwrap();
    let tls = tls_server_config(chain, key, &[version]).unwrap();
    tls_then(AfterConfirm::CutAfterRecords { tls, records, cut })
}

#[tokio::test]
async fn resets_at_every_stage_are_named_at_that_stage() {
    let hello = tls12_server_hello();
    let cases = [
        (
            "on accept",
            OnRequest::ResetOnAccept,
            StageKind::Negotiation,
            Some(EvidenceId::ProbeTcpResetOnAccept),
        ),
        (
            "after the X.224 Connection Request",
            OnRequest::ResetAfterRequest,
            StageKind::Negotiation,
            Some(EvidenceId::ProbeX224Reset),
        ),
        (
            "after the X.224 Connection Confirm",
            tls_then(AfterConfirm::Reset),
            StageKind::Tls,
            Some(EvidenceId::ProbeTlsNoServerHello),
        ),
        (
            "after the ClientHello",
            tls_then(AfterConfirm::ReplyThenReset(Vec::new())),
            StageKind::Tls,
            Some(EvidenceId::ProbeTlsNoServerHello),
        ),
        (
            "in the middle of the ServerHello",
            tls_then(AfterConfirm::ReplyThenReset(hello[..20].to_vec())),
            StageKind::Tls,
            Some(EvidenceId::ProbeTlsDroppedMidHandshake),
        ),
        (
            "after the ServerHello, before the certificate",
            tls_then(AfterConfirm::ReplyThenReset(hello.clone())),
            StageKind::Tls,
            Some(EvidenceId::ProbeTlsDroppedMidHandshake),
        ),
        // The version probes are answered (they stop at the ServerHello, or at the Certificate
        // before TLS 1.3); only the full handshake on the main connection meets the reset.
        (
            "right after a TLS 1.3 ServerHello",
            tls_cut_after_records(&rustls::version::TLS13, 1, FlightCut::Reset),
            StageKind::Tls,
            Some(EvidenceId::ProbeTlsDroppedMidHandshake),
        ),
        (
            "after a TLS 1.2 ServerHello and Certificate",
            tls_cut_after_records(&rustls::version::TLS12, 2, FlightCut::Reset),
            StageKind::Tls,
            Some(EvidenceId::ProbeTlsDroppedMidHandshake),
        ),
        (
            "during CredSSP, after the TSRequest",
            OnRequest::Negotiate(Negotiation {
                accepts: vec![HYBRID, SSL],
                refusal: 5,
                after: AfterConfirm::ResetDuringCredssp(nla_fixture()),
            }),
            StageKind::Nla,
            None,
        ),
    ];
    for (when, behaviour, failed_stage, id) in cases {
        let server = FakeRdpServer::start(behaviour).await.unwrap();
        let report = probe(server.port).await;
        let failed = stage(&report, failed_stage);
        assert_eq!(failed.status, StageStatus::Failed, "reset {when}");
        assert!(
            failed.verdict.contains("reset"),
            "reset {when}: {}",
            failed.verdict
        );
        if let Some(id) = id {
            assert!(
                evidence(&report).contains(&id),
                "reset {when}: {id:?} not in {:?}",
                evidence(&report)
            );
        }
        // Every stage before the one that failed went through.
        for earlier in StageKind::ALL
            .iter()
            .take_while(|k| **k != failed_stage)
            .filter(|k| matches!(k, StageKind::Tcp | StageKind::Negotiation))
        {
            assert_eq!(
                stage(&report, *earlier).status,
                StageStatus::Ok,
                "reset {when}: {earlier:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_handshake_dropped_after_an_accepted_server_hello_fails_the_tls_stage() {
    let cases = [
        (&rustls::version::TLS13, 1, TlsVersion::Tls13, 0),
        (&rustls::version::TLS12, 2, TlsVersion::Tls12, 2),
    ];
    for (version, records, accepted, chain_len) in cases {
        let server =
            FakeRdpServer::start(tls_cut_after_records(version, records, FlightCut::Reset))
                .await
                .unwrap();
        let report = probe(server.port).await;
        // What the ServerHello probes alone would call working TLS...
        assert_eq!(supported_versions(&report), [accepted]);
        assert_eq!(report.certificate_chain.len(), chain_len, "{accepted:?}");
        // ...fails where a client needs it to: the full handshake.
        let tls_stage = stage_with_status(&report, StageKind::Tls, StageStatus::Failed);
        let expected = format!("reset after the server's {} ServerHello", accepted.label());
        assert!(
            tls_stage.verdict.contains(&expected),
            "{}",
            tls_stage.verdict
        );
        assert!(evidence(&report).contains(&EvidenceId::ProbeTlsDroppedMidHandshake));
    }
}

/// Only the ServerHello gets through and the connection stays open: a path that loses the
/// certificate flight's full-size packets. The TLS stage fails with the stall as its evidence,
/// which points at the path's MTU, not at a server that cut the handshake.
#[tokio::test]
async fn a_handshake_that_stalls_after_the_server_hello_is_named_as_a_stall() {
    let server = FakeRdpServer::start(tls_cut_after_records(
        &rustls::version::TLS12,
        1,
        FlightCut::Stall,
    ))
    .await
    .unwrap();
    let report = probe(server.port).await;
    assert_eq!(supported_versions(&report), [TlsVersion::Tls12]);
    stage_with_status(&report, StageKind::Tls, StageStatus::Failed);
    let found = evidence(&report);
    assert!(
        found.contains(&EvidenceId::ProbeTlsStallsMidHandshake),
        "{found:?}"
    );
    assert!(
        !found.contains(&EvidenceId::ProbeTlsDroppedMidHandshake),
        "{found:?}"
    );
}

#[tokio::test]
async fn half_open_connections_end_in_a_clear_verdict() {
    // The kernel accepts into the backlog, the service never does: TCP opens, RDP is silent.
    let backlog_only = FakeRdpServer::never_accepting().await.unwrap();
    let report = probe(backlog_only.port).await;
    assert_eq!(stage(&report, StageKind::Tcp).status, StageStatus::Ok);
    assert_eq!(negotiation(&report), &NegotiationOutcome::Silent);
    assert!(evidence(&report).contains(&EvidenceId::ProbeX224Silent));

    // FIN on the server's sending half while its socket stays open and reading.
    let half_closed = FakeRdpServer::start(OnRequest::HalfCloseAfterRequest)
        .await
        .unwrap();
    let report = probe(half_closed.port).await;
    assert_eq!(negotiation(&report), &NegotiationOutcome::Closed);
    assert!(evidence(&report).contains(&EvidenceId::ProbeX224Closed));

    let half_closed_after_confirm = FakeRdpServer::tls(AfterConfirm::HalfClose).await.unwrap();
    let report = probe(half_closed_after_confirm.port).await;
    assert_every_version(&report, |outcome| {
        matches!(outcome, HelloOutcome::ClosedBeforeServerHello)
    });
    assert!(evidence(&report).contains(&EvidenceId::ProbeTlsNoServerHello));
}

/// An NLA server (selecting TLS alone unless `nla`) presenting its certificate under
/// `intermediates` CA certificates.
async fn long_chain_server(intermediates: usize, nla: bool) -> FakeRdpServer {
    let (chain, key) = long_chain(intermediates).unwrap();
    let fixture = ChallengeFixture::with_chain(chain, key, Duration::ZERO).unwrap();
    let accepts = if nla { vec![HYBRID, SSL] } else { vec![SSL] };
    FakeRdpServer::start(OnRequest::Negotiate(Negotiation {
        accepts,
        refusal: 5,
        after: AfterConfirm::Nla(fixture.into()),
    }))
    .await
    .unwrap()
}

fn finding_titled<'r>(report: &'r ProbeReport, start: &str) -> Option<&'r str> {
    let certificate = report.certificate.iter().flat_map(|c| &c.findings);
    report
        .stages
        .iter()
        .flat_map(|s| &s.findings)
        .chain(certificate)
        .find(|f| f.title.starts_with(start))
        .map(|f| f.detail.as_str())
}

#[tokio::test]
async fn a_chain_of_hundreds_of_certificates_is_read_and_judged_up_to_the_limits() {
    let server = long_chain_server(299, false).await;

    // Within the byte limit: the whole chain is reported, the first 64 are checked.
    let report = probe(server.port).await;
    assert_eq!(
        supported_versions(&report),
        [TlsVersion::Tls12, TlsVersion::Tls13]
    );
    assert_eq!(report.certificate_chain.len(), 300);
    // The probe's own TLS client refuses a chain this size; that is its limit, not the server's.
    let tls_stage = stage(&report, StageKind::Tls);
    assert_eq!(tls_stage.status, StageStatus::Ok, "{}", tls_stage.verdict);
    let analysis = report.certificate.as_ref().expect("the chain was analysed");
    assert_eq!(analysis.certificates.len(), 64);
    assert!(
        finding_titled(&report, "Only the first 64 certificates")
            .is_some_and(|detail| detail.contains("there are 300 certificates")),
        "{:?}",
        analysis.findings
    );

    // Over the byte limit: the versions are still answered, and the chain is named as too large.
    let small = ProbeOptions {
        max_chain_bytes: 32 * 1024,
        ..quick_options()
    };
    let report = probe_with(server.port, small).await;
    assert_eq!(
        supported_versions(&report),
        [TlsVersion::Tls12, TlsVersion::Tls13]
    );
    assert!(report.certificate_chain.is_empty());
    assert!(
        finding_titled(
            &report,
            "The server's certificate chain is too large to read"
        )
        .is_some(),
        "{:?}",
        stage(&report, StageKind::Tls).findings
    );

    // NLA needs the full handshake, which the probe's TLS client refuses with a chain this size:
    // the probe's own limit, so NLA is not checked rather than failed.
    let nla_server = long_chain_server(299, true).await;
    let report = probe(nla_server.port).await;
    let nla = stage(&report, StageKind::Nla);
    assert_eq!(nla.status, StageStatus::Skipped);
    assert!(
        nla.verdict.contains("larger than the 64 KB"),
        "{}",
        nla.verdict
    );
}

// The servers run on the worker threads while the probe runs on a thread of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_stays_bounded_against_an_endless_stream_and_a_huge_chain() {
    let options = ProbeOptions {
        total_timeout_ms: 4_000,
        ..quick_options()
    };
    // Each of the parallel connections may hold its byte limit, twice over while the reply is
    // parsed; the bound leaves as much again for everything else.
    let bound = options.max_parallel * options.max_chain_bytes * 4;
    let flood = FakeRdpServer::tls(AfterConfirm::Flood).await.unwrap();
    let chain = long_chain_server(299, false).await;
    let cases: [(&str, u16, Expect<ProbeReport>); 2] = [
        ("endless stream", flood.port, |report| {
            tls(report).versions.iter().all(|v| {
                matches!(&v.outcome, HelloOutcome::Malformed { reason } if cut_short_by(reason, "(size limit reached)"))
            })
        }),
        ("300 certificates", chain.port, |report| {
            report.certificate_chain.len() == 300
        }),
    ];
    for (what, port, as_expected) in cases {
        let probe_options = options.clone();
        let (report, peak) = peak_memory::measure(move || probe_with(port, probe_options));
        assert!(as_expected(&report), "{what}: {:?}", tls(&report).versions);
        println!("{what}: peak {peak} bytes (bound {bound})");
        assert!(peak < bound, "{what}: peak {peak} bytes, bound {bound}");
    }
}

mod peak_memory {
    //! Peak live heap bytes of one probe. Hand-written because only allocations on the probe's
    //! own thread may count — the fake servers run in the same process — while allocation
    //! statistics crates (stats_alloc, dhat) count every thread.

    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;
    use std::future::Future;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicIsize, Ordering};

    pub struct PerThreadPeak;

    thread_local! {
        static COUNTED: Cell<bool> = const { Cell::new(false) };
    }
    static LIVE: AtomicIsize = AtomicIsize::new(0);
    static PEAK: AtomicIsize = AtomicIsize::new(0);
    /// One measurement at a time: LIVE and PEAK are shared.
    static MEASURING: Mutex<()> = Mutex::new(());

    fn counted() -> bool {
        COUNTED.try_with(Cell::get).unwrap_or(false)
    }

    fn grew(bytes: usize) {
        let live = LIVE.fetch_add(bytes as isize, Ordering::Relaxed) + bytes as isize;
        PEAK.fetch_max(live, Ordering::Relaxed);
    }

    fn shrank(bytes: usize) {
        LIVE.fetch_sub(bytes as isize, Ordering::Relaxed);
    }

    // SAFETY: every call is passed on to the system allocator unchanged; only sizes are counted.
    unsafe impl GlobalAlloc for PerThreadPeak {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let pointer = unsafe { System.alloc(layout) };
            if !pointer.is_null() && counted() {
                grew(layout.size());
            }
            pointer
        }

        unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
            unsafe { System.dealloc(pointer, layout) };
            if counted() {
                shrank(layout.size());
            }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let pointer = unsafe { System.alloc_zeroed(layout) };
            if !pointer.is_null() && counted() {
                grew(layout.size());
            }
            pointer
        }

        unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let moved = unsafe { System.realloc(pointer, layout, new_size) };
            if !moved.is_null() && counted() {
                grew(new_size);
                shrank(layout.size());
            }
            moved
        }
    }

    /// Runs the future `start` makes on a thread of its own, under a current-thread runtime,
    /// and returns its output and the peak of live heap bytes allocated on that thread.
    pub fn measure<F, Fut>(start: F) -> (Fut::Output, usize)
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future,
        Fut::Output: Send + 'static,
    {
        let _one_at_a_time = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            LIVE.store(0, Ordering::Relaxed);
            PEAK.store(0, Ordering::Relaxed);
            COUNTED.set(true);
            let output = runtime.block_on(start());
            COUNTED.set(false);
            (output, PEAK.load(Ordering::Relaxed).max(0) as usize)
        })
        .join()
        .expect("the measured thread")
    }
}
