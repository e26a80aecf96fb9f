//! The event log analyzer against realistic exports in every supported format, including
//! German and French Windows.
#![cfg(feature = "analyzers")]

use rdp_doctor_core::analyze::AnalyzeError;
use rdp_doctor_core::analyze::events::{self, EventFormat, EventRecord, EventReport, OtherCount};
use rdp_doctor_core::evidence::{EvidenceId, Severity};

use crate::sorted;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/events/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn analyze(name: &str) -> EventReport {
    events::analyze(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn evidence(report: &EventReport) -> Vec<EvidenceId> {
    sorted(report.evidence().into_iter().map(|e| e.id))
}

fn field<'a>(report: &'a EventReport, event_id: u32, name: &str) -> Option<&'a str> {
    report
        .timeline
        .iter()
        .filter(|e| e.event_id == event_id)
        .flat_map(|e| &e.fields)
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn wevtutil_xml_without_a_root_element() {
    let report = analyze("wevtutil-system.xml");
    assert_eq!(report.format_detected, EventFormat::Xml);
    assert_eq!(report.events_read, 7);
    assert_eq!(
        evidence(&report),
        sorted(vec![
            EvidenceId::EventSchannelKeyInaccessible,
            EvidenceId::EventSchannelFatalAlert,
            EvidenceId::EventRcmSelfsignedFailed
        ])
    );
    let finding = report
        .findings
        .iter()
        .find(|f| f.evidence == Some(EvidenceId::EventSchannelKeyInaccessible))
        .unwrap();
    assert_eq!(
        finding.title,
        "Schannel 36870 seen 3 times: The TLS server credential's private key could not be accessed"
    );
    assert!(
        finding
            .detail
            .starts_with("Between 2024-01-15T09:02:11Z and 2024-01-15T09:40:03Z."),
        "{}",
        finding.detail
    );
    assert!(finding.detail.contains("MachineKeys"), "{}", finding.detail);
    assert_eq!(
        field(&report, 36870, "Error"),
        Some("0x8009030D SEC_E_UNKNOWN_CREDENTIALS")
    );
    assert_eq!(
        field(&report, 36888, "TLS alert"),
        Some("40 handshake_failure")
    );
    // Oldest first.
    let order: Vec<u32> = report.timeline.iter().map(|e| e.event_id).collect();
    assert_eq!(order, [1058, 36870, 36888, 36870, 36870]);
    assert_eq!(
        report.other_counts,
        [OtherCount {
            provider: "Service Control Manager".into(),
            event_id: 7036,
            count: 2
        }]
    );
}

#[test]
fn event_viewer_saved_xml_in_utf16_with_display_text() {
    let report = analyze("event-viewer-saved.xml");
    assert_eq!(report.format_detected, EventFormat::Xml);
    assert_eq!(
        evidence(&report),
        sorted(vec![
            EvidenceId::EventNlaAuthSucceeded,
            EvidenceId::EventConnectionReceived
        ])
    );
    assert_eq!(field(&report, 1149, "User"), Some("CORP\\alex"));
    assert_eq!(field(&report, 1149, "Client address"), Some("10.0.0.20"));
    assert_eq!(report.timeline[0].source, "RemoteConnectionManager");
    assert_eq!(
        report.timeline[0].computer.as_deref(),
        Some("RDS01.corp.example.com")
    );
}

#[test]
fn copy_details_as_text_uses_the_embedded_xml() {
    let report = analyze("copy-details-security-4625.txt");
    assert_eq!(report.format_detected, EventFormat::EventViewerDetails);
    assert_eq!(evidence(&report), vec![EvidenceId::EventLogonNoRemoteRight]);
    assert_eq!(
        field(&report, 4625, "Status"),
        Some("0xC000015B STATUS_LOGON_TYPE_NOT_GRANTED")
    );
    assert_eq!(
        field(&report, 4625, "Logon type"),
        Some("3 (network, e.g. NLA)")
    );
    assert_eq!(field(&report, 4625, "User"), Some("CORP\\alex"));
    let finding = &report.findings[0];
    assert!(
        finding.detail.contains("Remote Desktop Users"),
        "{}",
        finding.detail
    );
}

#[test]
fn german_copy_details_are_read_by_provider_and_id() {
    let report = analyze("copy-details-de.txt");
    assert_eq!(report.events_read, 2);
    assert_eq!(
        evidence(&report),
        sorted(vec![
            EvidenceId::EventSchannelKeyInaccessible,
            EvidenceId::EventSessionDisconnected
        ])
    );
    assert_eq!(
        field(&report, 40, "Reason"),
        Some("5: Another connection to the same session replaced this one")
    );
    assert_eq!(
        report.timeline[0].time.as_deref(),
        Some("2024-01-15T09:02:11Z")
    );
}

#[test]
fn french_copy_details_without_xml_use_the_message_numbers() {
    let report = analyze("copy-details-fr-no-xml.txt");
    assert_eq!(report.format_detected, EventFormat::EventViewerDetails);
    assert_eq!(
        evidence(&report),
        sorted(vec![
            EvidenceId::EventSchannelFatalAlert,
            EvidenceId::EventSchannelNoCommonCipher
        ])
    );
    assert_eq!(
        field(&report, 36888, "TLS alert"),
        Some("70 protocol_version")
    );
    assert_eq!(field(&report, 36888, "Schannel error state"), Some("105"));
    assert_eq!(field(&report, 36874, "Protocol"), Some("TLS 1.2"));
    assert_eq!(
        report.timeline[0].time.as_deref(),
        Some("2024-01-15 10:05:41 (local time)")
    );
}

#[test]
fn wevtutil_text() {
    let report = analyze("wevtutil-rdpcorets.txt");
    assert_eq!(report.format_detected, EventFormat::WevtutilText);
    assert_eq!(report.events_read, 4);
    assert_eq!(
        evidence(&report),
        sorted(vec![
            EvidenceId::EventConnectionReceived,
            EvidenceId::EventRdpcoretsFailedLogon,
            EvidenceId::EventRdpcoretsStateError
        ])
    );
    assert_eq!(
        field(&report, 131, "Client address"),
        Some("10.0.0.20:51234")
    );
    assert_eq!(field(&report, 140, "Client address"), Some("10.0.0.20"));
    assert_eq!(
        field(&report, 226, "Error"),
        Some("0x80070040 ERROR_NETNAME_DELETED")
    );
    assert_eq!(report.other_counts[0].event_id, 102);
}

#[test]
fn get_winevent_format_list() {
    let report = analyze("get-winevent-format-list.txt");
    assert_eq!(report.format_detected, EventFormat::PowershellFormatList);
    assert_eq!(report.events_read, 5);
    assert_eq!(
        evidence(&report),
        sorted(vec![
            EvidenceId::EventSessionDisconnected,
            EvidenceId::EventLogonBadCredentials,
            EvidenceId::EventLogonAccountLocked
        ])
    );
    assert_eq!(
        field(&report, 40, "Reason"),
        Some("5: Another connection to the same session replaced this one")
    );
    assert_eq!(field(&report, 21, "Client address"), Some("10.0.0.20"));
    let statuses: Vec<&str> = report
        .timeline
        .iter()
        .filter(|e| e.event_id == 4625)
        .flat_map(|e| &e.fields)
        .filter(|(n, _)| n == "Status")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(
        statuses,
        [
            "0xC000006A STATUS_WRONG_PASSWORD",
            "0xC0000234 STATUS_ACCOUNT_LOCKED_OUT"
        ]
    );
    assert_eq!(
        report.timeline[0].time.as_deref(),
        Some("2024-01-15 10:12:01 (local time)")
    );
}

#[test]
fn french_format_list_reads_status_codes_not_words() {
    let report = analyze("get-winevent-format-list-fr.txt");
    assert_eq!(
        evidence(&report),
        sorted(vec![
            EvidenceId::EventLogonRestricted,
            EvidenceId::EventLogonClockSkew
        ])
    );
    let skew = report
        .findings
        .iter()
        .find(|f| f.evidence == Some(EvidenceId::EventLogonClockSkew))
        .unwrap();
    assert!(skew.detail.contains("w32tm"), "{}", skew.detail);
}

#[test]
fn event_viewer_csv_exports_in_english_and_german() {
    let report = analyze("event-viewer-export.csv");
    assert_eq!(report.format_detected, EventFormat::Csv);
    assert_eq!(report.events_read, 7);
    assert_eq!(
        evidence(&report),
        sorted(vec![
            EvidenceId::EventSchannelCredentialFailed,
            EvidenceId::EventSchannelNoCommonCipher,
            EvidenceId::EventCredsspOracleMismatch,
            // Time-Service 129, "NtpClient was unable to set a domain peer to use as a time source."
            EvidenceId::EventTimeSyncFailed
        ])
    );
    assert!(report.findings.iter().any(|f| f.title
        == "Schannel 36871 seen 2 times: A fatal error occurred while creating a TLS credential"));
    assert_eq!(field(&report, 36871, "Error state"), Some("10013"));
    assert_eq!(field(&report, 36874, "Protocol"), Some("TLS 1.0"));
    // Time-Service 129 is read now; the Service Control Manager's 7036 (a state change) is not.
    assert_eq!(report.other_counts.len(), 1);
    assert_eq!(
        report.other_counts[0],
        OtherCount {
            provider: "Service Control Manager".into(),
            event_id: 7036,
            count: 2
        }
    );

    let report = analyze("event-viewer-export-de.csv");
    assert_eq!(
        evidence(&report),
        sorted(vec![
            EvidenceId::EventSchannelCredentialFailed,
            EvidenceId::EventRcmCertHashInvalid
        ])
    );
    assert_eq!(field(&report, 1059, "Error"), Some("0x80070057"));
}

#[test]
fn powershell_export_csv_from_the_client() {
    let report = analyze("export-csv-rdpclient.csv");
    assert_eq!(report.format_detected, EventFormat::Csv);
    // Reason 2308 is the 0x904 of the error dialog, and weighs as that code does.
    assert_eq!(evidence(&report), vec![EvidenceId::CodeSocketClosed]);
    assert_eq!(
        field(&report, 1026, "Reason"),
        Some("2308 = 0x904: The server closed the network connection (socket closed)")
    );
    assert_eq!(
        field(&report, 1024, "Server"),
        Some("rds01.corp.example.com")
    );
    let disconnect = report
        .findings
        .iter()
        .find(|f| f.evidence == Some(EvidenceId::CodeSocketClosed))
        .unwrap();
    assert_eq!(disconnect.severity, Severity::Warning);
}

#[test]
fn records_parsed_elsewhere_give_the_same_report() {
    let report = analyze("wevtutil-system.xml");
    let records = vec![EventRecord {
        provider: "Schannel".into(),
        event_id: 36888,
        data: vec![("AlertDesc".into(), "48".into())],
        ..EventRecord::default()
    }];
    let handed_over = events::analyze_records(records);
    assert_eq!(handed_over.format_detected, EventFormat::Records);
    assert_eq!(
        field(&handed_over, 36888, "TLS alert"),
        Some("48 unknown_ca")
    );
    assert!(report.findings.len() > handed_over.findings.len());
}

#[test]
fn schannel_client_credential_errors_are_not_evidence_against_the_listener() {
    let client = b"<Event><System><Provider Name='Schannel'/><EventID>36871</EventID></System>\
        <EventData><Data Name='Type'>client</Data><Data Name='ErrorState'>10013</Data></EventData></Event>";
    let report = events::analyze(client).unwrap();
    assert_eq!(evidence(&report), vec![]);
    assert_eq!(report.findings[0].severity, Severity::Info);
    let server = String::from_utf8_lossy(client).replace("client", "server");
    assert_eq!(
        evidence(&events::analyze(server.as_bytes()).unwrap()),
        vec![EvidenceId::EventSchannelCredentialFailed]
    );
}

#[test]
fn inputs_without_events_get_a_clear_message() {
    assert_eq!(
        events::analyze(b"just some words"),
        Err(AnalyzeError::NoEvents)
    );
    assert_eq!(events::analyze(b""), Err(AnalyzeError::Empty));
    assert_eq!(
        events::analyze(b"ElfFile\0 and the rest"),
        Err(AnalyzeError::EvtxNeedsEvtxReader)
    );
    assert_eq!(
        events::analyze(b"<Event><System></System></Event>\n<Event><System><EventID>1"),
        Err(AnalyzeError::EventsUnreadable { count: 2 })
    );
    assert_eq!(
        AnalyzeError::EventsUnreadable { count: 2 }.to_string(),
        "found 2 events, but none could be read (truncated or malformed)"
    );
    let unrelated = events::analyze(b"Source: Foo\nEvent ID: 1\nDescription: hi\n").unwrap();
    assert_eq!(unrelated.findings[0].title, "No RDP-related events found");
}

#[test]
fn the_timeline_is_bounded_but_everything_is_counted() {
    let one =
        "<Event><System><Provider Name='Schannel'/><EventID>36870</EventID></System></Event>\n";
    let many = one.repeat(events::MAX_TIMELINE + 10);
    let report = events::analyze(many.as_bytes()).unwrap();
    assert_eq!(report.timeline.len(), events::MAX_TIMELINE);
    assert_eq!(report.timeline_omitted, 10);
    assert!(
        report.findings[0]
            .title
            .contains(&format!("seen {} times", events::MAX_TIMELINE + 10))
    );
}

#[cfg(feature = "evtx")]
#[test]
fn an_evtx_file_gives_the_same_findings_as_its_text_exports() {
    use rdp_doctor_core::analyze::evtx;

    let bytes = fixture("rdp-server.evtx");
    assert_eq!(
        events::analyze(&bytes),
        Err(AnalyzeError::EvtxNeedsEvtxReader)
    );
    let records: Vec<EventRecord> = evtx::records(bytes.clone())
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(records.len(), 8);
    assert_eq!(records[1].provider, "Schannel");
    assert_eq!(records[1].time.as_deref(), Some("2024-01-15T09:02:11Z"));
    assert_eq!(
        records[5].data,
        [
            ("Param1".into(), "alex".into()),
            ("Param2".into(), "CORP".into()),
            ("Param3".into(), "10.0.0.20".into())
        ]
    );

    let report = evtx::analyze(bytes).unwrap();
    assert_eq!(report.format_detected, EventFormat::Evtx);
    assert_eq!((report.events_read, report.unreadable_records), (8, 0));
    assert_eq!(
        evidence(&report),
        sorted(vec![
            EvidenceId::EventRcmSelfsignedFailed,
            EvidenceId::EventSchannelKeyInaccessible,
            EvidenceId::EventSchannelFatalAlert,
            EvidenceId::EventNlaAuthSucceeded,
            EvidenceId::EventSessionDisconnected,
            EvidenceId::EventLogonBadCredentials,
        ])
    );
    assert_eq!(
        field(&report, 4625, "Logon type"),
        Some("10 (remote interactive, RDP)")
    );
    assert_eq!(
        report.other_counts,
        [OtherCount {
            provider: "Service Control Manager".into(),
            event_id: 7036,
            count: 1
        }]
    );
}

#[cfg(feature = "evtx")]
#[test]
fn a_damaged_evtx_chunk_is_reported_not_fatal() {
    use rdp_doctor_core::analyze::evtx;

    let mut bytes = fixture("rdp-server.evtx");
    // Break a record's BinXML in the middle of the chunk; the chunk checksum no longer matches either.
    let middle = 4096 + 512 + 700;
    bytes[middle..middle + 16].fill(0xEE);
    let report = evtx::analyze(bytes).expect("a report despite the damage");
    assert_eq!((report.events_read, report.unreadable_records), (7, 1));
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.title == "1 record could not be read"),
        "{:#?}",
        report.findings
    );
}

/// The events that settle causes beyond Schannel and Remote Desktop Services. The records follow
/// the published layouts of each event's data (Microsoft Learn: "4624(S): An account was
/// successfully logged on", "4625(F): An account failed to log on", "5157(F): The Windows
/// Filtering Platform has blocked a connection", the Service Control Manager 7031 and Netlogon
/// 5719/3210 event references), with one RD licensing event from years before the rest.
#[test]
fn events_that_settle_causes_are_read_with_per_code_meanings() {
    let report = analyze("wevtutil-rdp-failures.xml");
    assert_eq!(
        evidence(&report),
        sorted(vec![
            EvidenceId::EventRdLicensingFailed,
            EvidenceId::EventRdpServiceFailed,
            EvidenceId::EventTermddSecurityLayerError,
            EvidenceId::EventNetlogonNoDc,
            EvidenceId::EventNetlogonTrustFailed,
            EvidenceId::EventKerberosWrongPrincipal,
            EvidenceId::EventTimeSyncFailed,
            EvidenceId::EventLogonPasswordExpired,
            EvidenceId::EventRdpLogonSucceeded,
            EvidenceId::EventWfpBlockedRdp,
            EvidenceId::EventRdpcoretsStateError,
        ])
    );
    // Another service's crash, a network logon and a drop on port 445 are not RDP's business.
    let others: Vec<(&str, u32, usize)> = report
        .other_counts
        .iter()
        .map(|o| (o.provider.as_str(), o.event_id, o.count))
        .collect();
    assert!(
        others.contains(&("Service Control Manager", 7031, 1)),
        "{others:?}"
    );
    assert!(
        others.contains(&("Microsoft-Windows-Security-Auditing", 4624, 1)),
        "{others:?}"
    );
    assert!(
        others.contains(&("Microsoft-Windows-Security-Auditing", 5157, 1)),
        "{others:?}"
    );
    // RdpCoreTS 226 explains the code it carries.
    let state_error = report.timeline.iter().find(|e| e.event_id == 226).unwrap();
    assert_eq!(
        field(&report, 226, "Error"),
        Some("0x8007274C WSAETIMEDOUT")
    );
    assert!(
        state_error.meaning.contains("did not properly respond"),
        "{}",
        state_error.meaning
    );
    // 4625 by sub-status: the password must change, with what to do about it under NLA.
    let must_change = report
        .findings
        .iter()
        .find(|f| f.evidence == Some(EvidenceId::EventLogonPasswordExpired))
        .unwrap();
    assert!(
        must_change.title.ends_with("the password must be changed"),
        "{}",
        must_change.title
    );
    assert!(
        must_change.detail.contains("With NLA"),
        "{}",
        must_change.detail
    );
    assert_eq!(
        field(&report, 4625, "Status"),
        Some("0xC0000224 STATUS_PASSWORD_MUST_CHANGE")
    );
    assert_eq!(
        field(&report, 5157, "Client address"),
        Some("198.51.100.30")
    );
}

#[test]
fn events_long_before_the_failure_are_flagged_old_and_weigh_less() {
    let report = analyze("wevtutil-rdp-failures.xml");
    let licensing = report
        .findings
        .iter()
        .find(|f| f.evidence == Some(EvidenceId::EventRdLicensingFailed))
        .unwrap();
    assert!(licensing.old, "{licensing:?}");
    assert!(
        licensing
            .title
            .contains("(old: last seen 1738 days before the failure)"),
        "{}",
        licensing.title
    );
    let evidence = report.evidence();
    let old: Vec<EvidenceId> = evidence.iter().filter(|e| e.old).map(|e| e.id).collect();
    assert_eq!(old, [EvidenceId::EventRdLicensingFailed]);
    // The engine sees the age: the licensing cause moves by a quarter of its weight.
    let diagnosis = rdp_doctor_core::engine::diagnose(&evidence);
    let licensing_reason = diagnosis
        .ranked
        .iter()
        .find(|c| c.id == "rds_licensing")
        .and_then(|c| {
            c.because
                .iter()
                .find(|r| r.evidence == EvidenceId::EventRdLicensingFailed)
        })
        .unwrap();
    assert!(licensing_reason.old);

    // When the person says it failed back then, that event is inside the window.
    let failed_at = 1_559_462_400; // 2019-06-02T08:00:00Z
    let report =
        events::analyze_at(&fixture("wevtutil-rdp-failures.xml"), Some(failed_at)).unwrap();
    assert!(
        report.findings.iter().all(|f| !f.old),
        "{:?}",
        report.findings
    );
}

/// Text exports without named data: the logon type and the port are read from the (English) labels.
#[test]
fn logon_type_and_port_are_read_from_text_exports() {
    let record = |id: u32, message: &str| EventRecord {
        provider: "Microsoft-Windows-Security-Auditing".into(),
        event_id: id,
        message: Some(message.into()),
        ..EventRecord::default()
    };
    let report = events::analyze_records([
        record(
            4624,
            "An account was successfully logged on.\n\nLogon Information:\n\tLogon Type:\t\t10\n",
        ),
        record(
            4624,
            "An account was successfully logged on.\n\nLogon Information:\n\tLogon Type:\t\t3\n",
        ),
        record(
            5157,
            "The Windows Filtering Platform has blocked a connection.\n\nNetwork Information:\n\tDirection:\t\tInbound\n\tSource Address:\t\t198.51.100.30\n\tSource Port:\t\t51234\n\tDestination Address:\t10.0.0.5\n\tDestination Port:\t\t3389\n",
        ),
    ]);
    assert_eq!(
        evidence(&report),
        sorted(vec![
            EvidenceId::EventRdpLogonSucceeded,
            EvidenceId::EventWfpBlockedRdp
        ])
    );
}

/// Events as Microsoft Learn's troubleshooting articles and forum posts quote them, one per line
/// ("Troubleshoot an RDP general error to a VM in Azure"; "Event ID 1055 — Terminal Server
/// Authentication Configuration").
#[test]
fn events_quoted_one_per_line() {
    let quoted = "Microsoft-Windows-TerminalServices-RemoteConnectionManager 1055: The Terminal Server is configured to use a certificate but is unable to access the private key associated with this certificate.\n\
        Service Control Manager 7022: The Remote Desktop Services service hung on starting.\n\
        Tcpip 4231: A request to allocate an ephemeral port number from the global TCP port space has failed.";
    let report = events::analyze(quoted.as_bytes()).unwrap();
    assert_eq!(report.format_detected, EventFormat::QuotedLines);
    assert_eq!(
        sorted(evidence(&report)),
        sorted(vec![
            EvidenceId::EventRcmCertKeyInaccessible,
            EvidenceId::EventRdpServiceFailed
        ])
    );
    // A pasted dialog is no event list.
    assert!(events::analyze(b"Error code: 0x904\nExtended error code: 0x7").is_err());
}

/// The listener failing to create the session, as Microsoft Learn's "You can't establish a Remote
/// Desktop session to a computer running one of the affected products" quotes the System log.
#[test]
fn termservice_session_creation_failure_is_read() {
    let quoted = "TermService 1036: Terminal Server session creation failed. The relevant status code was 0x2740.";
    let report = events::analyze(quoted.as_bytes()).unwrap();
    assert_eq!(
        evidence(&report),
        vec![EvidenceId::EventSessionCreationFailed]
    );
}

/// Netlogon not running, as Microsoft Learn's "Azure Virtual Machine - Netlogon service is not
/// starting" quotes the guest's System log: the service itself, and the service it depends on.
#[test]
fn netlogon_service_failures_are_read_apart_from_other_services() {
    let quoted = "Service Control Manager 7022: The Netlogon service hung on starting.\n\
        Service Control Manager 7001: The Netlogon service depends on the Workstation service which failed to start because of the following error: The service cannot be started, either because it is disabled or because it has no enabled devices associated with it.\n\
        Service Control Manager 7031: The Windows Update service terminated unexpectedly.";
    let report = events::analyze(quoted.as_bytes()).unwrap();
    assert_eq!(
        evidence(&report),
        vec![EvidenceId::EventNetlogonServiceFailed]
    );
}

/// The RD Gateway's own log, as `wevtutil qe Microsoft-Windows-TerminalServices-Gateway/Operational
/// /f:text` prints it; the messages are the published texts (Microsoft Learn: "RD Gateway Server
/// Connections", events 200, 201 and 301). The policy refusals are evidence, the admission is not.
#[test]
fn rd_gateway_refusals_in_wevtutil_text() {
    let event = |n: usize, id: u32, level: &str, message: &str| {
        format!(
            "Event[{n}]:\n  Log Name: Microsoft-Windows-TerminalServices-Gateway/Operational\n  Source: Microsoft-Windows-TerminalServices-Gateway\n  Date: 2024-03-04T08:15:0{n}.000\n  Event ID: {id}\n  Task: N/A\n  Level: {level}\n  Opcode: N/A\n  Keyword: N/A\n  User: S-1-5-20\n  User Name: NT AUTHORITY\\NETWORK SERVICE\n  Computer: RDGW01.corp.example.com\n  Description: \n{message}\n\n"
        )
    };
    let text = [
        event(
            0,
            201,
            "Error",
            r#"The user "CORP\alex", on client computer "198.51.100.7", did not meet connection authorization policy requirements and was therefore not authorized to access the RD Gateway server. The following authentication method was attempted: "NTLM". The following error occurred: "23003"."#,
        ),
        event(
            1,
            200,
            "Information",
            r#"The user "CORP\sam", on client computer "198.51.100.8", met connection authorization policy requirements and was therefore authorized to access the RD Gateway server. The following authentication method was used: "NTLM"."#,
        ),
        event(
            2,
            301,
            "Error",
            r#"The user "CORP\sam", on client computer "198.51.100.8", did not meet resource authorization policy requirements and was therefore not authorized to resource "10.0.0.66". The following error occurred: "23002"."#,
        ),
    ]
    .concat();
    let report = events::analyze(text.as_bytes()).unwrap();
    assert_eq!(report.format_detected, EventFormat::WevtutilText);
    assert_eq!(report.events_read, 3);
    assert_eq!(
        evidence(&report),
        sorted(vec![
            EvidenceId::EventGatewayCapDenied,
            EvidenceId::EventGatewayRapDenied
        ])
    );
    // The client's address is the first address of the message, not the resource's.
    assert_eq!(field(&report, 201, "Client address"), Some("198.51.100.7"));
    assert_eq!(field(&report, 301, "Client address"), Some("198.51.100.8"));
    let admitted = report.timeline.iter().find(|e| e.event_id == 200).unwrap();
    assert_eq!(admitted.severity, Severity::Info);
    let refused = report
        .findings
        .iter()
        .find(|f| f.evidence == Some(EvidenceId::EventGatewayRapDenied))
        .unwrap();
    assert!(
        refused.detail.contains("Resource Authorization Policies"),
        "{}",
        refused.detail
    );
}

/// Gateway events carry `UserData/EventInfo` (Username, IpAddress, AuthType, Resource,
/// ConnectionProtocol, ErrorCode): the user, the client, the computer asked for and the gateway's
/// error are read from it.
#[test]
fn rd_gateway_xml_reads_the_user_the_resource_and_the_error() {
    let event = |id: u32, level: u8, resource: &str, error: u32| {
        format!(
            r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-TerminalServices-Gateway" Guid="{{4D5AE6A1-C7C8-4E6D-B840-4D8080B42E1B}}"/><EventID>{id}</EventID><Level>{level}</Level><TimeCreated SystemTime="2024-03-04T08:20:00.000000000Z"/><Channel>Microsoft-Windows-TerminalServices-Gateway/Operational</Channel><Computer>RDGW01.corp.example.com</Computer></System><UserData><EventInfo xmlns="aag"><Username>CORP\alex</Username><IpAddress>198.51.100.7</IpAddress><AuthType>NTLM</AuthType><Resource>{resource}</Resource><ConnectionProtocol>HTTP</ConnectionProtocol><ErrorCode>{error}</ErrorCode></EventInfo></UserData></Event>"#
        )
    };
    let xml = [
        event(304, 2, "rds02.corp.example.com", 1_460),
        event(302, 4, "rds01.corp.example.com", 0),
    ]
    .concat();
    let report = events::analyze(xml.as_bytes()).unwrap();
    assert_eq!(report.format_detected, EventFormat::Xml);
    assert_eq!(
        evidence(&report),
        sorted(vec![
            EvidenceId::EventGatewayResourceUnreachable,
            EvidenceId::EventGatewayConnected
        ])
    );
    assert_eq!(field(&report, 304, "User"), Some("CORP\\alex"));
    assert_eq!(field(&report, 304, "Client address"), Some("198.51.100.7"));
    assert_eq!(
        field(&report, 304, "Resource"),
        Some("rds02.corp.example.com")
    );
    assert_eq!(field(&report, 304, "Gateway error"), Some("1460"));
    // No error is no field.
    assert_eq!(field(&report, 302, "Gateway error"), None);
    assert_eq!(report.timeline[0].source, "RD Gateway");
}

/// Every gateway event that settles a cause, quoted one per line as tickets quote them (the texts
/// from Microsoft Learn's RD Gateway event reference), gives its own evidence; the events that
/// only tell the story (200, 202, 303, 307) give none.
#[test]
fn rd_gateway_events_each_give_their_evidence() {
    let cases: &[(&str, Option<EvidenceId>)] = &[
        (
            r#"Microsoft-Windows-TerminalServices-Gateway 201: The user "CORP\alex", on client computer "198.51.100.7", did not meet connection authorization policy requirements and was therefore not authorized to access the RD Gateway server."#,
            Some(EvidenceId::EventGatewayCapDenied),
        ),
        (
            r#"TerminalServices-Gateway 204: The user "CORP\alex", on client computer "198.51.100.7", did not meet the requirements of the Network Access Protection (NAP) policies defined in the Network Policy Server."#,
            Some(EvidenceId::EventGatewayCapDenied),
        ),
        (
            r#"TerminalServices-Gateway 305: The user "CORP\alex", on client computer "198.51.100.7", was not authorized to connect to this RD Gateway server because the authentication method attempted by the user is not supported."#,
            Some(EvidenceId::EventGatewayCapDenied),
        ),
        (
            r#"TerminalServices-Gateway 301: The user "CORP\alex", on client computer "198.51.100.7", did not meet resource authorization policy requirements and was therefore not authorized to resource "rds01"."#,
            Some(EvidenceId::EventGatewayRapDenied),
        ),
        (
            "TerminalServices-Gateway 203: The number of simultaneous connections to the RD Gateway server has reached the maximum number that was configured by the administrator.",
            Some(EvidenceId::EventGatewayConnectionLimit),
        ),
        (
            r#"TerminalServices-Gateway 304: The user "CORP\alex", on client computer "198.51.100.7", met connection authorization policy and resource authorization policy requirements, but could not connect to resource "rds01.corp.example.com"."#,
            Some(EvidenceId::EventGatewayResourceUnreachable),
        ),
        (
            "TerminalServices-Gateway 102: The Remote Desktop Gateway service requires a valid Secure Sockets Layer (SSL) certificate to accept connections.",
            Some(EvidenceId::EventGatewayCertUnusable),
        ),
        (
            "TerminalServices-Gateway 103: The Remote Desktop Gateway service does not have sufficient permissions to access the Secure Sockets Layer (SSL) certificate that is required to accept connections.",
            Some(EvidenceId::EventGatewayCertUnusable),
        ),
        (
            r#"TerminalServices-Gateway 306: The user "CORP\alex", on client computer "198.51.100.7", was not authorized to connect to the RD Gateway server because a tunnel could not be created."#,
            Some(EvidenceId::EventGatewayCertUnusable),
        ),
        (
            "TerminalServices-Gateway 100: The RD Gateway service could not be initialized. The following error occurred: \"0x80070005\".",
            Some(EvidenceId::EventGatewayServiceFailed),
        ),
        (
            "TerminalServices-Gateway 700: The following exception code \"0xC0000005\" occured in the RD Gateway server. The RD Gateway will be restarted.",
            Some(EvidenceId::EventGatewayServiceFailed),
        ),
        (
            r#"TerminalServices-Gateway 302: The user "CORP\alex", on client computer "198.51.100.7", connected to resource "rds01.corp.example.com". Connection protocol used: "HTTP"."#,
            Some(EvidenceId::EventGatewayConnected),
        ),
        (
            r#"TerminalServices-Gateway 200: The user "CORP\alex", on client computer "198.51.100.7", met connection authorization policy requirements and was therefore authorized to access the RD Gateway server."#,
            None,
        ),
        (
            r#"TerminalServices-Gateway 202: The administrator disconnected the user "CORP\alex", on client computer "198.51.100.7", from the following network resource: "rds01"."#,
            None,
        ),
        (
            r#"TerminalServices-Gateway 303: The user "CORP\alex", on client computer "198.51.100.7", disconnected from the following network resource: "rds01"."#,
            None,
        ),
        (
            r#"TerminalServices-Gateway 307: The user "CORP\alex", on client computer "198.51.100.7", disconnected from the following network resource: "rds01" because the session exceeded the session timeout limit of "480" minutes."#,
            None,
        ),
    ];
    for (line, expected) in cases {
        let report = events::analyze(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(report.format_detected, EventFormat::QuotedLines, "{line}");
        // Known either way: an event the catalogue reads is in the timeline, not among the others.
        assert_eq!(report.timeline.len(), 1, "{line}");
        assert_eq!(
            evidence(&report),
            expected.iter().copied().collect::<Vec<_>>(),
            "{line}"
        );
    }
}
