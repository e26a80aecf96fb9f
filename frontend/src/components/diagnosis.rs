//! Step 4: where the connection breaks, the ranked causes with their reasons and fixes, and
//! what was ruled out. Everything here is rendered from the core's `Diagnosis`.

use rdp_doctor_core::engine::{CheckKind, Confidence, RankedCause, Reason, RuledOut};
use rdp_doctor_core::evidence::{Layer, Severity};
use rdp_doctor_core::kb::model::FixStep;
use yew::prelude::*;

use super::{CopyButton, JourneyProps, RichText};
use crate::analysis_client::EvidenceKind;
use crate::audience::Audience;
use crate::labels;
use crate::state::{Analysis, ProbeRun, Session};
use std::rc::Rc;

use rdp_doctor_core::report::{AnalysisReport, StageDetails, StageKind, StageStatus};

/// Causes shown before the "less likely" fold, however unlikely.
const MIN_SHOWN: usize = 3;

/// The layers a connection climbs, as drawn in the path picture.
const PATH: [Layer; 7] = [
    Layer::Client,
    Layer::Network,
    Layer::Tcp,
    Layer::Negotiation,
    Layer::Tls,
    Layer::Nla,
    Layer::Logon,
];

#[function_component(DiagnosisPanel)]
pub fn diagnosis_panel(props: &JourneyProps) -> Html {
    let diagnosis = &props.journey.diagnosis;
    let session = &props.journey.session;
    let audience = Audience::of(&session.answers);
    let known = Rc::new(known_values(session));
    // The causes still worth reading first; the long tail stays one click away.
    let shown = diagnosis
        .ranked
        .iter()
        .position(|c| c.confidence == Confidence::Unlikely)
        .unwrap_or(diagnosis.ranked.len())
        .max(MIN_SHOWN)
        .min(diagnosis.ranked.len());
    let (leading, rest) = diagnosis.ranked.split_at(shown);
    let probed: Vec<(Layer, StageStatus, bool)> = match &session.probe {
        ProbeRun::Finished(report) => {
            let cert_problem = report
                .certificate
                .iter()
                .flat_map(|c| &c.findings)
                .any(|f| f.severity == Severity::Error);
            report
                .stages
                .iter()
                .map(|s| {
                    let layer = s.stage.layer();
                    let problem = s.findings.iter().any(|f| f.severity == Severity::Error)
                        || (layer == Layer::Tls && cert_problem);
                    (layer, s.status, problem)
                })
                .collect()
        }
        _ => Vec::new(),
    };
    html! {
        <section class="card" aria-labelledby="diagnosis-title">
            <h2 id="diagnosis-title">{ "4. Diagnosis" }</h2>
            <ConnectionPath diagnosed={diagnosis.failing_layer} {probed} />
            if let Some(check) = diagnosis.next_check.as_ref().filter(|c| !diagnosis.settled && !already_done(c.kind, session)) {
                <p class="next-check"><strong>{ "Most useful next step: " }</strong>
                    if matches!(check.kind, CheckKind::RunServerCheck | CheckKind::RunClientCheck) {
                        <a href="#inside">{ &check.title }</a>
                    } else {
                        { &check.title }
                    }
                </p>
            }
            <ol class="causes" aria-label="Ranked causes">
                { for leading.iter().enumerate().map(|(rank, cause)| {
                    // Nothing opens on its own until a cause is likely, and a fix the person
                    // cannot carry out stays folded for the one who can.
                    let open = rank == 0 && cause.confidence == Confidence::Likely
                        && Audience::can_do(audience, &cause.who);
                    html! { <CauseCard cause={cause.clone()} {open} {audience} known={known.clone()} /> }
                }) }
            </ol>
            if !rest.is_empty() {
                <details class="less-likely">
                    <summary>{ format!("{} less likely causes", rest.len()) }</summary>
                    <ol class="causes" start={(leading.len() + 1).to_string()} aria-label="Less likely causes">
                        { for rest.iter().map(|cause| html! { <CauseCard cause={cause.clone()} open=false {audience} known={known.clone()} /> }) }
                    </ol>
                </details>
            }
            if !diagnosis.ruled_out.is_empty() {
                <RuledOutList ruled_out={diagnosis.ruled_out.clone()} />
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ConnectionPathProps {
    /// The layer the leading causes point to.
    diagnosed: Option<Layer>,
    /// What the probe tested: each stage's layer, result, and whether it found a problem there
    /// (an expired certificate still lets the handshake complete).
    probed: Vec<(Layer, StageStatus, bool)>,
}

/// A layer of the path as the picture shows it.
#[derive(Clone, Copy, PartialEq)]
enum Step {
    /// The probe tested it and it worked.
    Passed,
    /// The probe got through it, but found something there that makes clients give up.
    PassedWithProblems,
    /// The probe tested it and it failed.
    Failed,
    /// Not tested: the evidence points here.
    LikelyHere,
    /// Not tested, before where the evidence points.
    ProbablyWorks,
    /// After where it breaks.
    NotReached,
    /// Nothing says anything about it.
    Unknown,
}

impl Step {
    fn class(self) -> &'static str {
        match self {
            Step::Passed => "passed",
            Step::PassedWithProblems => "warned",
            Step::Failed => "failing",
            Step::LikelyHere => "likely",
            Step::ProbablyWorks => "inferred",
            Step::NotReached => "not-reached",
            Step::Unknown => "unknown",
        }
    }

    /// Shown under the layer's name, so the picture does not rely on colour.
    fn words(self) -> &'static str {
        match self {
            Step::Passed => "tested: works",
            Step::PassedWithProblems => "tested: completes, with problems",
            Step::Failed => "tested: breaks here",
            Step::LikelyHere => "not tested: likely breaks here",
            Step::ProbablyWorks => "not tested",
            Step::NotReached => "not reached",
            Step::Unknown => "not tested",
        }
    }
}

/// Name resolution is part of reaching the server; licensing and session come after logon.
fn drawn(layer: Layer) -> Layer {
    match layer {
        Layer::Dns => Layer::Network,
        Layer::Licensing | Layer::Session => Layer::Logon,
        other => other,
    }
}

/// Client → network → TCP → RDP negotiation → TLS → NLA → logon: what the probe tested, what the
/// evidence points to, and which is which.
#[function_component(ConnectionPath)]
fn connection_path(props: &ConnectionPathProps) -> Html {
    let tested = |layer: Layer| {
        let stages: Vec<(StageStatus, bool)> = props
            .probed
            .iter()
            .filter(|(l, ..)| drawn(*l) == layer)
            .map(|(_, status, problem)| (*status, *problem))
            .collect();
        if stages.iter().any(|(s, _)| *s == StageStatus::Failed) {
            Some(Step::Failed)
        } else if stages.iter().any(|(s, _)| *s == StageStatus::Ok) {
            Some(if stages.iter().any(|(_, problem)| *problem) {
                Step::PassedWithProblems
            } else {
                Step::Passed
            })
        } else {
            None
        }
    };
    let probe_failed = PATH.iter().position(|&l| tested(l) == Some(Step::Failed));
    let diagnosed = props.diagnosed.map(drawn);
    let diagnosed_index = diagnosed.and_then(|d| PATH.iter().position(|&l| l == d));
    let breaks_at = probe_failed.or(diagnosed_index);
    let steps: Vec<Step> = PATH
        .iter()
        .enumerate()
        .map(|(i, &layer)| match tested(layer) {
            Some(step) => step,
            None => match breaks_at {
                Some(b) if i < b => Step::ProbablyWorks,
                Some(b) if i == b => Step::LikelyHere,
                Some(_) => Step::NotReached,
                None => Step::Unknown,
            },
        })
        .collect();
    let caption = match (probe_failed, diagnosed) {
        (Some(i), _) => format!(
            "The probe saw the connection break at: {}.",
            PATH[i].label()
        ),
        // The evidence points at a layer the server passes from outside.
        (None, Some(layer)) if tested(layer) == Some(Step::PassedWithProblems) => format!(
            "From outside, the server completes {}, but the probe found problems there that make clients give up (see the probe's report).",
            layer.label()
        ),
        (None, Some(layer)) if tested(layer) == Some(Step::Passed) => {
            let (layer_name, whose) = if layer == Layer::Nla {
                ("NLA".to_owned(), "your client is the one that fails it")
            } else {
                (
                    layer.label().to_owned(),
                    "the failure is on the client's side or on its way to the server",
                )
            };
            format!("From outside, the server completes {layer_name}; {whose}.")
        }
        (None, Some(layer)) => format!(
            "The evidence points to: {} (not tested by the probe).",
            layer.label()
        ),
        (None, None) if !props.probed.is_empty() => {
            "The probe got through every layer it tests; where it breaks is not clear yet."
                .to_owned()
        }
        (None, None) => "Where the connection breaks is not clear yet.".to_owned(),
    };
    html! {
        <figure class="path">
            <figcaption>{ caption }</figcaption>
            <ol class="path-steps" aria-label="Connection path">
                { for PATH.iter().zip(&steps).map(|(layer, step)| html! {
                    <li class={classes!("path-step", step.class())}
                        aria-current={matches!(step, Step::Failed | Step::LikelyHere).then_some("step")}>
                        { layer.label() }<span class="step-state">{ step.words() }</span>
                    </li>
                }) }
            </ol>
        </figure>
    }
}

/// Whether the person already gave what `kind` asks for: the next step never asks again.
fn already_done(kind: CheckKind, session: &Session) -> bool {
    let analysed = |kind| matches!(session.analysis(kind), Analysis::Done(_));
    match kind {
        CheckKind::RunProbe => matches!(session.probe, ProbeRun::Finished(_)),
        CheckKind::PasteEventLog => analysed(EvidenceKind::EventLog),
        CheckKind::CheckCertificate => analysed(EvidenceKind::Certificate),
        CheckKind::ShareRdpFile => analysed(EvidenceKind::RdpFile),
        CheckKind::RunServerCheck => analysed(EvidenceKind::ServerCheck),
        CheckKind::RunClientCheck => analysed(EvidenceKind::ClientCheck),
    }
}

#[derive(Properties, PartialEq)]
struct CauseCardProps {
    cause: RankedCause,
    open: bool,
    audience: Option<Audience>,
    known: Rc<Vec<(&'static str, String)>>,
}

#[function_component(CauseCard)]
fn cause_card(props: &CauseCardProps) -> Html {
    let cause = &props.cause;
    let confidence_class = format!("confidence-{}", cause.confidence.label());
    html! {
        <li class="cause" id={format!("cause-{}", cause.id)}>
            <details open={props.open}>
                <summary>
                    <span class="cause-title">{ &cause.title }</span>{ " " }
                    <span class={classes!("badge", confidence_class)}>
                        { format!("{} · {:.0}%", cause.confidence.label(), cause.probability * 100.0) }
                    </span>
                </summary>
                <p class="muted">{ "Who fixes it: " }{ labels::who_list(&cause.who) }{ " · Layer: " }{ cause.layer.label() }</p>
                <ReasonList title="Why" reasons={cause.because.clone()} />
                <ReasonList title="Against" reasons={cause.against.clone()} />
                if !cause.fixes.is_empty() {
                    if Audience::can_do(props.audience, &cause.who) {
                        <h3>{ "How to fix it" }</h3>
                        { fix_steps(cause, &props.known) }
                    } else {
                        <details class="for-it">
                            <summary>{ format!("How {} fixes it (the message for IT below names it)", labels::who_list(&cause.who)) }</summary>
                            { fix_steps(cause, &props.known) }
                        </details>
                    }
                }
            </details>
        </li>
    }
}

fn fix_steps(cause: &RankedCause, known: &Rc<Vec<(&'static str, String)>>) -> Html {
    html! {
        <ol class="fix-steps">
            { for cause.fixes.iter().enumerate().map(|(n, step)| html! {
                <FixStepView step={step.clone()} name={format!("step {} of “{}”", n + 1, cause.title)} known={known.clone()} />
            }) }
        </ol>
    }
}

/// Values the evidence already holds, by the placeholder the knowledge base's commands use for
/// them, so a command can be run as shown.
fn known_values(session: &Session) -> Vec<(&'static str, String)> {
    let mut known = Vec::new();
    let host = session.host.trim();
    if !host.is_empty() {
        known.push(("<server>", host.to_owned()));
        known.push(("<server-name>", host.to_owned()));
    }
    let port = session.port.trim();
    if !port.is_empty() && port != "3389" && port.parse::<u16>().is_ok() {
        // The commands name the RDP port by its default.
        known.push(("3389", port.to_owned()));
    }
    let probe = match &session.probe {
        ProbeRun::Finished(report) => Some(report),
        _ => None,
    };
    let pasted = match session.analysis(EvidenceKind::Certificate) {
        Analysis::Done(AnalysisReport::Certificate(report)) => Some(report),
        _ => None,
    };
    let thumbprint = probe
        .and_then(|r| r.certificate.as_ref())
        .or(pasted)
        .and_then(|c| c.certificates.first())
        .and_then(|leaf| leaf.thumbprint_sha1.clone());
    if let Some(thumbprint) = thumbprint {
        known.push(("<THUMBPRINT>", thumbprint));
    }
    let domain = probe
        .and_then(|r| r.stage(StageKind::Nla))
        .and_then(|stage| match &stage.details {
            StageDetails::Nla(nla) => nla.ntlm.as_ref()?.dns_domain_name.clone(),
            _ => None,
        })
        .filter(|d| !d.is_empty());
    if let Some(domain) = domain {
        known.push(("<domain>", domain));
    }
    if let Analysis::Done(AnalysisReport::RdpFile(rdp)) = session.analysis(EvidenceKind::RdpFile)
        && let Some(user) = rdp.setting("username").filter(|u| !u.trim().is_empty())
    {
        known.push(("<user>", user.trim().to_owned()));
    }
    known
}

#[derive(Properties, PartialEq)]
struct ReasonListProps {
    title: AttrValue,
    reasons: Vec<Reason>,
}

#[function_component(ReasonList)]
fn reason_list(props: &ReasonListProps) -> Html {
    if props.reasons.is_empty() {
        return html! {};
    }
    html! {
        <>
            <h3>{ props.title.clone() }</h3>
            <ul class="reasons">
                { for props.reasons.iter().map(|r| html! {
                    <li><RichText text={r.title.clone()} />
                        <span class="muted">{ " " }{ labels::reason_origin(r) }</span>
                    </li>
                }) }
            </ul>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct FixStepProps {
    step: FixStep,
    /// Which step this is, for the copy button's name ("step 2 of “Expired certificate”").
    name: String,
    known: Rc<Vec<(&'static str, String)>>,
}

#[function_component(FixStepView)]
fn fix_step_view(props: &FixStepProps) -> Html {
    let step = &props.step;
    let command = step.command.as_ref().map(|command| {
        props
            .known
            .iter()
            .fold(command.clone(), |filled, (placeholder, value)| {
                filled.replace(placeholder, value)
            })
    });
    let filled = command != step.command;
    html! {
        <li class="fix-step">
            <p><RichText text={step.text.clone()} /></p>
            if let Some(command) = &command {
                <div class="command">
                    if let Some(shell) = step.shell { <span class="badge">{ labels::shell(shell) }</span> }
                    <pre><code>{ command }</code></pre>
                    <CopyButton text={AttrValue::from(command.clone())} label={format!("Copy the command for {}", props.name)} />
                    if filled { <p class="muted">{ "Filled in from your evidence." }</p> }
                </div>
            }
            <p class="verify"><strong>{ "Check it worked: " }</strong><RichText text={step.verify.clone()} /></p>
            if let Some(risk) = &step.risk { <p class="risk"><strong>{ "Take care: " }</strong><RichText text={risk.clone()} /></p> }
        </li>
    }
}

#[derive(Properties, PartialEq)]
struct RuledOutProps {
    ruled_out: Vec<RuledOut>,
}

#[function_component(RuledOutList)]
fn ruled_out_list(props: &RuledOutProps) -> Html {
    html! {
        <details class="ruled-out">
            <summary>{ format!("Ruled out ({})", props.ruled_out.len()) }</summary>
            <ul>
                { for props.ruled_out.iter().map(|r| html! {
                    <li><strong>{ &r.title }</strong>{ ": " }
                        { r.by.iter().map(|b| b.title.as_str()).collect::<Vec<_>>().join("; ") }</li>
                }) }
            </ul>
        </details>
    }
}
