//! The probe's report, laid out like Qualys SSL Labs' server test: a summary line with an
//! overall verdict, then a section per subject (certificate, TLS, client simulation, NLA), the
//! probe's date and time, and from each finding a link to the fix it points to. Rendered from
//! the core's `ProbeReport`.

use rdp_doctor_core::engine::Diagnosis;
use rdp_doctor_core::evidence::{Finding, Severity};
use yew::prelude::*;

use super::RichText;
use crate::browser;
use crate::labels;
use rdp_doctor_core::report::{
    CertReport, CertSummary, ClientResult, HelloOutcome, NlaDetails, ProbeReport, StageDetails,
    StageKind, StageReport, StageStatus, TlsDetails,
};

#[derive(Properties, PartialEq)]
pub struct ProbeReportProps {
    pub report: ProbeReport,
    pub diagnosis: Diagnosis,
}

/// The finished report.
#[function_component(ProbeReportView)]
pub fn probe_report_view(props: &ProbeReportProps) -> Html {
    let report = &props.report;
    let stage = |kind| report.stage(kind);
    html! {
        <div class="probe-report">
            <SummaryLine report={report.clone()} />
            <p class="muted">{ format!("Probed {} on {} in {}.", report.target, browser::local_time(report.started_unix_ms), duration(report.duration_ms)) }</p>
            <StageList stages={report.stages.clone()} running=false diagnosis={props.diagnosis.clone()} />
            if let Some(certificate) = &report.certificate {
                <CertificateSection certificate={certificate.clone()} chain_len={report.certificate_chain.len()} probed_unix_ms={report.started_unix_ms} diagnosis={props.diagnosis.clone()} />
            }
            if let Some(StageDetails::Tls(tls)) = stage(StageKind::Tls).map(|s| &s.details) {
                <TlsSection tls={tls.clone()} />
            }
            if let Some(StageDetails::ClientCompatibility { clients }) = stage(StageKind::ClientCompatibility).map(|s| &s.details) {
                <ClientSection clients={clients.clone()} />
            }
            if let Some(StageDetails::Nla(nla)) = stage(StageKind::Nla).map(|s| &s.details) {
                <NlaSection nla={nla.clone()} />
            }
        </div>
    }
}

/// The verdict of one subject in the summary line.
struct Verdict {
    label: &'static str,
    value: String,
    class: &'static str,
}

fn status_class(status: StageStatus) -> &'static str {
    labels::stage_status(status).1
}

fn summary(report: &ProbeReport) -> Vec<Verdict> {
    let mut line = Vec::new();
    let stage_value = |kind: StageKind| report.stage(kind);
    line.push(match stage_value(StageKind::Tcp) {
        Some(StageReport {
            status: StageStatus::Ok,
            details: StageDetails::Tcp { connect_ms, .. },
            ..
        }) => Verdict {
            label: "Reachable",
            value: connect_ms.map_or("yes".to_owned(), |ms| format!("yes, in {ms} ms")),
            class: "sev-ok",
        },
        Some(stage) => Verdict {
            label: "Reachable",
            value: "no".to_owned(),
            class: status_class(stage.status),
        },
        None => Verdict {
            label: "Reachable",
            value: "not tested".to_owned(),
            class: "neutral",
        },
    });
    line.push(
        match stage_value(StageKind::SecurityProtocols).map(|s| (&s.details, s.status)) {
            Some((StageDetails::SecurityProtocols { protocols }, status)) => {
                let accepted: Vec<&str> = protocols
                    .iter()
                    .filter(|p| p.accepted)
                    .map(|p| p.protocol.label())
                    .collect();
                Verdict {
                    label: "Security protocols",
                    value: if accepted.is_empty() {
                        "none accepted".to_owned()
                    } else {
                        accepted.join(", ")
                    },
                    class: if accepted.is_empty() {
                        "sev-error"
                    } else {
                        status_class(status)
                    },
                }
            }
            _ => Verdict {
                label: "Security protocols",
                value: "not tested".to_owned(),
                class: "neutral",
            },
        },
    );
    line.push(
        match stage_value(StageKind::Tls).map(|s| (&s.details, s.status)) {
            Some((StageDetails::Tls(tls), status)) => {
                let versions: Vec<&str> = tls
                    .versions
                    .iter()
                    .filter(|v| v.supported)
                    .map(|v| v.version.label())
                    .collect();
                Verdict {
                    label: "TLS versions",
                    value: if versions.is_empty() {
                        "none accepted".to_owned()
                    } else {
                        versions.join(", ")
                    },
                    class: if versions.is_empty() {
                        "sev-error"
                    } else {
                        status_class(status)
                    },
                }
            }
            _ => Verdict {
                label: "TLS versions",
                value: "not tested".to_owned(),
                class: "neutral",
            },
        },
    );
    line.push(match &report.certificate {
        Some(certificate) => {
            let worst = certificate
                .findings
                .iter()
                .find(|f| f.severity == Severity::Error)
                .or_else(|| {
                    certificate
                        .findings
                        .iter()
                        .find(|f| f.severity == Severity::Warning)
                });
            match worst {
                Some(finding) => Verdict {
                    label: "Certificate",
                    value: finding.title.clone(),
                    class: labels::severity(finding.severity).1,
                },
                None => Verdict {
                    label: "Certificate",
                    value: "valid".to_owned(),
                    class: "sev-ok",
                },
            }
        }
        None => Verdict {
            label: "Certificate",
            value: "not seen".to_owned(),
            class: "neutral",
        },
    });
    line.push(match stage_value(StageKind::Nla) {
        Some(stage) => Verdict {
            label: "NLA",
            value: match stage.status {
                StageStatus::Ok => "the server completes it".to_owned(),
                StageStatus::Failed => "fails".to_owned(),
                StageStatus::Skipped => "not reached".to_owned(),
                StageStatus::NotApplicable => "not offered".to_owned(),
            },
            class: status_class(stage.status),
        },
        None => Verdict {
            label: "NLA",
            value: "not tested".to_owned(),
            class: "neutral",
        },
    });
    line
}

/// The overall verdict, in one sentence.
fn overall(report: &ProbeReport) -> (String, &'static str) {
    if let Some(failed) = report
        .stages
        .iter()
        .find(|s| s.status == StageStatus::Failed)
    {
        return (
            format!(
                "A client cannot get through: {} fails ({})",
                failed.stage.label(),
                failed.verdict
            ),
            "sev-error",
        );
    }
    let problems = report
        .findings()
        .chain(report.certificate.iter().flat_map(|c| &c.findings))
        .filter(|f| f.severity != Severity::Info)
        .count();
    match problems {
        0 => (
            "A client can get as far as the logon from outside.".to_owned(),
            "sev-ok",
        ),
        n => (
            format!(
                "A client can get as far as the logon, with {n} problem{} to look at.",
                if n == 1 { "" } else { "s" }
            ),
            "sev-warning",
        ),
    }
}

#[derive(Properties, PartialEq)]
struct SummaryLineProps {
    report: ProbeReport,
}

#[function_component(SummaryLine)]
fn summary_line(props: &SummaryLineProps) -> Html {
    let (verdict, class) = overall(&props.report);
    html! {
        <div class="probe-summary">
            <p class={classes!("overall", class)}><strong>{ verdict }</strong></p>
            <dl class="summary-line" aria-label="Summary">
                { for summary(&props.report).into_iter().map(|v| html! {
                    <div><dt>{ v.label }</dt><dd><span class={classes!("badge", v.class)}>{ v.value }</span></dd></div>
                }) }
            </dl>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct StageListProps {
    pub stages: Vec<StageReport>,
    /// While the probe runs, stages not yet reported are shown as pending.
    pub running: bool,
    pub diagnosis: Diagnosis,
}

/// The stages in their fixed order.
#[function_component(StageList)]
pub fn stage_list(props: &StageListProps) -> Html {
    html! {
        <ol class="stages" aria-label="Probe stages" aria-busy={props.running.to_string()}>
            { for StageKind::ALL.iter().filter_map(|&kind| {
                let Some(stage) = props.stages.iter().find(|s| s.stage == kind) else {
                    return props.running.then(|| html! {
                        <li class="stage pending">
                            <span class="badge">{ "Pending" }</span>{ " " }<strong>{ kind.label() }</strong>
                        </li>
                    });
                };
                let (status, class) = labels::stage_status(stage.status);
                Some(html! {
                    <li class="stage">
                        <span class={classes!("badge", class)}>{ status }</span>{ " " }
                        <strong>{ kind.label() }</strong>{ " — " }{ &stage.verdict }
                        <LinkedFindings findings={stage.findings.clone()} diagnosis={props.diagnosis.clone()} />
                    </li>
                })
            }) }
        </ol>
    }
}

#[derive(Properties, PartialEq)]
struct LinkedFindingsProps {
    findings: Vec<Finding>,
    diagnosis: Diagnosis,
}

/// Findings, each with a link to the fix of the cause it raises most.
#[function_component(LinkedFindings)]
fn linked_findings(props: &LinkedFindingsProps) -> Html {
    if props.findings.is_empty() {
        return html! {};
    }
    html! {
        <ul class="findings">
            { for props.findings.iter().map(|f| {
                let (label, class) = labels::severity(f.severity);
                // A note is not a problem: it gets no fix.
                let fix = f.evidence.filter(|_| f.severity != Severity::Info).and_then(|id| {
                    props.diagnosis.ranked.iter().find(|c| c.because.iter().any(|r| r.evidence == id))
                });
                html! {
                    <li>
                        <span class={classes!("badge", class)}>{ label }</span>{ " " }<RichText text={f.title.clone()} />
                        if !f.detail.is_empty() { <span class="muted">{ ": " }{ &f.detail }</span> }
                        if let Some(cause) = fix {
                            { " " }
                            <a class="fix-link" href={format!("#cause-{}", cause.id)} onclick={reveal(cause.id.clone())}>
                                { format!("How to fix: {}", cause.title) }
                            </a>
                        }
                    </li>
                }
            }) }
        </ul>
    }
}

/// Opens and shows the cause card instead of following the link (the fragment holds the case).
fn reveal(cause_id: String) -> Callback<MouseEvent> {
    Callback::from(move |e: MouseEvent| {
        e.prevent_default();
        browser::reveal(&format!("cause-{cause_id}"));
    })
}

#[derive(Properties, PartialEq)]
struct CertificateSectionProps {
    certificate: CertReport,
    chain_len: usize,
    probed_unix_ms: u64,
    diagnosis: Diagnosis,
}

#[function_component(CertificateSection)]
fn certificate_section(props: &CertificateSectionProps) -> Html {
    let Some(leaf) = props.certificate.certificates.first() else {
        return html! {};
    };
    html! {
        <section class="report-section" aria-labelledby="probe-cert-title">
            <h3 id="probe-cert-title">{ "Certificate" }</h3>
            <LinkedFindings findings={props.certificate.findings.clone()} diagnosis={props.diagnosis.clone()} />
            { cert_facts(leaf, props.probed_unix_ms) }
            if props.certificate.certificates.len() > 1 {
                <h4>{ format!("Chain as sent ({} certificates)", props.certificate.certificates.len()) }</h4>
                <ol class="chain">
                    { for props.certificate.certificates.iter().map(|c| html! {
                        <li>{ &c.subject }<span class="muted">{ " issued by " }{ &c.issuer }</span></li>
                    }) }
                </ol>
            } else {
                <p class="muted">{ "The server sent this certificate alone, without a chain." }</p>
            }
        </section>
    }
}

pub fn cert_facts(cert: &CertSummary, now_unix_ms: u64) -> Html {
    let names: Vec<&str> = cert
        .dns_names
        .iter()
        .chain(&cert.ip_addresses)
        .map(String::as_str)
        .collect();
    let until = cert.not_after.as_deref().map(|after| {
        let note = browser::parse_time(after).map(|ms| relative_validity(ms, now_unix_ms));
        format!(
            "{after}{}",
            note.map(|n| format!(" ({n})")).unwrap_or_default()
        )
    });
    html! {
        <dl class="facts">
            <dt>{ "Subject" }</dt><dd>{ &cert.subject }</dd>
            <dt>{ "Names (SAN)" }</dt><dd>{ if names.is_empty() { "none".to_owned() } else { names.join(", ") } }</dd>
            <dt>{ "Issuer" }</dt><dd>{ &cert.issuer }{ if cert.self_signed { " (self-signed)" } else { "" } }</dd>
            <dt>{ "Valid from" }</dt><dd>{ cert.not_before.as_deref().unwrap_or("not shown") }</dd>
            <dt>{ "Valid until" }</dt><dd>{ until.unwrap_or_else(|| "not shown".to_owned()) }</dd>
            if let Some(key) = &cert.key {
                <dt>{ "Key" }</dt><dd>{ &key.algorithm }{ key.bits.map(|b| format!(" {b} bits")).unwrap_or_default() }</dd>
            }
            if let Some(signature) = &cert.signature_algorithm { <dt>{ "Signature" }</dt><dd>{ signature }</dd> }
            if let Some(thumbprint) = &cert.thumbprint_sha1 { <dt>{ "Thumbprint (SHA-1)" }</dt><dd><code>{ thumbprint }</code></dd> }
        </dl>
    }
}

/// "expired 3 days before the probe", "valid for 41 more days".
fn relative_validity(not_after_ms: f64, now_ms: u64) -> String {
    let days = ((not_after_ms - now_ms as f64) / 86_400_000.0).round() as i64;
    match days {
        d if d < 0 => format!("expired {} ago", plural(-d, "day")),
        0 => "expires today".to_owned(),
        d => format!("valid for {} more", plural(d, "day")),
    }
}

fn plural(n: i64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

#[derive(Properties, PartialEq)]
struct TlsSectionProps {
    tls: TlsDetails,
}

#[function_component(TlsSection)]
fn tls_section(props: &TlsSectionProps) -> Html {
    let tls = &props.tls;
    html! {
        <section class="report-section" aria-labelledby="probe-tls-title">
            <h3 id="probe-tls-title">{ "TLS versions and the negotiated suite" }</h3>
            <table>
                <thead><tr><th scope="col">{ "Version" }</th><th scope="col">{ "Accepted" }</th><th scope="col">{ "What the server did" }</th></tr></thead>
                <tbody>
                    { for tls.versions.iter().map(|v| html! {
                        <tr>
                            <th scope="row">{ v.version.label() }</th>
                            <td>{ if v.supported { "Yes" } else { "No" } }</td>
                            <td>{ outcome_words(&v.outcome) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            if let Some(negotiated) = &tls.negotiated {
                <p>{ "Negotiated: " }<strong>{ negotiated.version.label() }</strong>{ " with " }
                    <code>{ negotiated.cipher_suite_name.clone().unwrap_or_else(|| format!("0x{:04x}", negotiated.cipher_suite)) }</code></p>
            }
        </section>
    }
}

/// A server's answer to a ClientHello in plain words: alerts by their meaning, not their number.
pub fn outcome_words(outcome: &HelloOutcome) -> String {
    match outcome {
        HelloOutcome::Alert {
            description, name, ..
        } => match labels::tls_alert(*description) {
            Some(words) => format!("refused: {words} (TLS alert {name})"),
            None => outcome.describe(),
        },
        other => other.describe(),
    }
}

#[derive(Properties, PartialEq)]
struct ClientSectionProps {
    clients: Vec<ClientResult>,
}

#[function_component(ClientSection)]
fn client_section(props: &ClientSectionProps) -> Html {
    html! {
        <section class="report-section" aria-labelledby="probe-clients-title">
            <h3 id="probe-clients-title">{ "Client simulation" }</h3>
            <table>
                <thead><tr><th scope="col">{ "Client" }</th><th scope="col">{ "Result" }</th><th scope="col">{ "Why" }</th></tr></thead>
                <tbody>
                    { for props.clients.iter().map(|c| html! {
                        <tr>
                            <th scope="row">{ &c.name }</th>
                            <td><span class={classes!("badge", if c.compatible { "sev-ok" } else { "sev-error" })}>{ if c.compatible { "Connects" } else { "Fails" } }</span></td>
                            <td>{ &c.reason }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct NlaSectionProps {
    nla: NlaDetails,
}

#[function_component(NlaSection)]
fn nla_section(props: &NlaSectionProps) -> Html {
    let nla = &props.nla;
    let ntlm = nla.ntlm.as_ref();
    let name = ntlm.and_then(|n| {
        n.dns_computer_name
            .clone()
            .or_else(|| n.netbios_computer_name.clone())
    });
    let membership = ntlm.map(|n| {
        match (
            &n.dns_domain_name,
            &n.netbios_domain_name,
            &n.netbios_computer_name,
        ) {
            (_, Some(domain), Some(computer)) if domain == computer => {
                "a workgroup (stand-alone) computer".to_owned()
            }
            (Some(dns), _, _) if !dns.is_empty() => format!("a member of the domain {dns}"),
            (_, Some(domain), _) => format!("a member of the domain {domain}"),
            _ => "not stated".to_owned(),
        }
    });
    html! {
        <section class="report-section" aria-labelledby="probe-nla-title">
            <h3 id="probe-nla-title">{ "NLA and what the server says about itself" }</h3>
            <dl class="facts">
                if let Some(version) = nla.credssp_version { <dt>{ "CredSSP version" }</dt><dd>{ version }</dd> }
                if let Some(name) = name { <dt>{ "Computer name" }</dt><dd>{ name }</dd> }
                if let Some(membership) = membership { <dt>{ "Domain or workgroup" }</dt><dd>{ membership }</dd> }
                if let Some(os) = ntlm.and_then(|n| n.os_version.clone()) { <dt>{ "Windows version" }</dt><dd>{ labels::windows_version(&os) }</dd> }
                if let Some(skew) = ntlm.and_then(|n| n.clock_skew_ms) { <dt>{ "Server clock" }</dt><dd>{ labels::clock_skew(skew) }</dd> }
                if let Some(failure) = &nla.failure { <dt>{ "Where it stopped" }</dt><dd>{ failure.describe() }</dd> }
            </dl>
        </section>
    }
}

fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}
