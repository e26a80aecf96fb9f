//! The diagnosis engine: weighs evidence against the causes in the knowledge base, ranks them,
//! explains why, and picks the question or check that would settle the ranking fastest.
//!
//! The model is deliberately transparent: each cause starts at its prior log-odds and every piece
//! of present evidence adds the weight its rule declares in `kb/causes/*.toml`. A rule marked
//! `rules_out` removes the cause. Scores become probabilities with a softmax over the causes still
//! in play. Nothing is random, and every iteration follows file order, so the same evidence always
//! gives the same answer.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::evidence::{Evidence, EvidenceId, Layer, Source};
use crate::kb::{
    self,
    model::{Cause, FixStep, Question, Who},
};

/// The top cause is "likely" from this probability on.
const LIKELY: f64 = 0.5;
/// Below this probability a cause is "unlikely".
const POSSIBLE: f64 = 0.15;
/// The ranking is settled when the top cause reaches this probability and is `LEAD_FACTOR`
/// times as likely as the next: the lowest probability at which the incident corpus's tune part
/// shows the top cause right at least 95 % of the time (kb/README.md). There, from 0.7 it was
/// right in 15 of 16 replays, from 0.8 in 11 of 12, from 0.9 in 6 of 6. Below it, asking on
/// (and the next check) is worth more than stopping.
const SETTLED: f64 = 0.9;
const LEAD_FACTOR: f64 = 3.0;
/// Evidence from outside the failure window (`Evidence::old`) counts this share of its weight,
/// and never rules a cause out.
const OLD_EVIDENCE_FACTOR: f64 = 0.25;
/// A question must be expected to remove at least this much uncertainty (bits) to be worth asking.
const MIN_GAIN_BITS: f64 = 0.05;
/// Questions and checks are chosen to separate the leading causes: those covering this much of
/// the probability, at most `MAX_CONTENDERS` of them.
const CONTENDER_MASS: f64 = 0.97;
const MAX_CONTENDERS: usize = 10;

/// Wizard answers: question id to option id.
pub type Answers = BTreeMap<String, String>;

/// Everything known about one failing connection.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Case {
    #[serde(default)]
    pub answers: Answers,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerError {
    UnknownQuestion(String),
    UnknownOption { question: String, option: String },
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnswerError::UnknownQuestion(q) => write!(f, "there is no question {q:?}"),
            AnswerError::UnknownOption { question, option } => {
                write!(f, "question {question:?} has no option {option:?}")
            }
        }
    }
}

impl std::error::Error for AnswerError {}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    Likely,
    Possible,
    Unlikely,
}

impl Confidence {
    pub fn label(self) -> &'static str {
        match self {
            Confidence::Likely => "likely",
            Confidence::Possible => "possible",
            Confidence::Unlikely => "unlikely",
        }
    }
}

/// One piece of evidence and how it moved a cause.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub evidence: EvidenceId,
    pub source: Source,
    /// The evidence in words ("The server certificate has expired").
    pub title: String,
    /// The specifics that established it.
    pub detail: String,
    /// Log-odds added to the cause: positive for, negative against (already reduced when old).
    pub weight: f64,
    /// The evidence is from outside the failure window.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub old: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankedCause {
    pub id: String,
    pub title: String,
    pub who: Vec<Who>,
    pub layer: Layer,
    /// Log-odds: the prior plus the weights of the present evidence.
    pub score: f64,
    /// Share of belief among the causes still in play (they sum to 1).
    pub probability: f64,
    pub confidence: Confidence,
    /// Evidence that raised the cause, strongest first.
    pub because: Vec<Reason>,
    /// Evidence that lowered it, strongest first.
    pub against: Vec<Reason>,
    pub fixes: Vec<FixStep>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuledOut {
    pub id: String,
    pub title: String,
    pub by: Vec<Reason>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptionRef {
    pub id: String,
    pub label: String,
}

/// A wizard question to put to the person next.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionRef {
    pub id: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub options: Vec<OptionRef>,
}

impl From<&Question> for QuestionRef {
    fn from(q: &Question) -> Self {
        QuestionRef {
            id: q.id.clone(),
            text: q.text.clone(),
            help: q.help.clone(),
            options: q
                .options
                .iter()
                .map(|o| OptionRef {
                    id: o.id.clone(),
                    label: o.label.clone(),
                })
                .collect(),
        }
    }
}

/// A source of evidence beyond the wizard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    RunProbe,
    PasteEventLog,
    CheckCertificate,
    ShareRdpFile,
    RunServerCheck,
    RunClientCheck,
}

impl CheckKind {
    const ALL: [CheckKind; 6] = [
        CheckKind::RunProbe,
        CheckKind::PasteEventLog,
        CheckKind::CheckCertificate,
        CheckKind::ShareRdpFile,
        CheckKind::RunServerCheck,
        CheckKind::RunClientCheck,
    ];

    /// The evidence id prefix this check establishes.
    fn prefix(self) -> &'static str {
        match self {
            CheckKind::RunProbe => "probe.",
            CheckKind::PasteEventLog => "event.",
            CheckKind::CheckCertificate => "cert.",
            CheckKind::ShareRdpFile => "rdp.",
            CheckKind::RunServerCheck => "server.",
            CheckKind::RunClientCheck => "client.",
        }
    }

    /// Whether this check can establish `id`. The RD Gateway's events are in the gateway's own
    /// log, not in the server's System and TerminalServices logs that the event check asks for
    /// (rd_gateway_path's fix steps say where to read them).
    fn establishes(self, id: EvidenceId) -> bool {
        let id = id.as_str();
        id.starts_with(self.prefix())
            && !(self == CheckKind::PasteEventLog && id.starts_with("event.gateway_"))
    }

    fn source(self) -> Source {
        match self {
            CheckKind::RunProbe => Source::Probe,
            CheckKind::PasteEventLog => Source::EventLog,
            CheckKind::CheckCertificate => Source::Certificate,
            CheckKind::ShareRdpFile => Source::RdpFile,
            CheckKind::RunServerCheck => Source::ServerCheck,
            CheckKind::RunClientCheck => Source::ClientCheck,
        }
    }

    fn title(self) -> &'static str {
        match self {
            CheckKind::RunProbe => "Run the connection probe against the server's address and port",
            CheckKind::PasteEventLog => {
                "Export the server's System and TerminalServices event logs from the time of the failure"
            }
            CheckKind::CheckCertificate => "Check the server's Remote Desktop certificate",
            CheckKind::ShareRdpFile => "Add the .rdp file the client uses",
            CheckKind::RunServerCheck => {
                "Run the read-only server check on the server and paste its output"
            }
            CheckKind::RunClientCheck => {
                "Run the read-only client check on the computer that cannot connect and paste its output"
            }
        }
    }
}

/// The evidence source that would best separate the leading causes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NextCheck {
    pub kind: CheckKind,
    pub title: String,
    /// The leading causes this check tells apart.
    pub tells_apart: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// Causes still in play, most likely first.
    pub ranked: Vec<RankedCause>,
    pub ruled_out: Vec<RuledOut>,
    pub next_question: Option<QuestionRef>,
    pub next_check: Option<NextCheck>,
    /// The top cause leads clearly. When it does not and `next_question` is `None`, no wizard
    /// question would help: `next_check` says which evidence to gather instead.
    pub settled: bool,
    /// Where along the connection path it fails: the top cause's layer once it is likely, or
    /// the layer every leading cause shares.
    pub failing_layer: Option<Layer>,
}

/// The evidence a set of wizard answers establishes.
pub fn evidence_from_answers(answers: &Answers) -> Result<Vec<Evidence>, AnswerError> {
    let mut out = Vec::new();
    for (question_id, option_id) in answers {
        let question = kb::question(question_id)
            .ok_or_else(|| AnswerError::UnknownQuestion(question_id.clone()))?;
        let option = question
            .options
            .iter()
            .find(|o| &o.id == option_id)
            .ok_or_else(|| AnswerError::UnknownOption {
                question: question_id.clone(),
                option: option_id.clone(),
            })?;
        if let Some(id) = option.evidence.as_deref().and_then(EvidenceId::parse) {
            out.push(Evidence::new(
                id,
                Source::Wizard,
                format!("answered: {}", option.label),
            ));
        }
    }
    Ok(out)
}

/// Ranks the causes given the evidence. A question counts as answered when one of its options'
/// evidence is present.
pub fn diagnose(evidence: &[Evidence]) -> Diagnosis {
    rank(evidence, &BTreeSet::new())
}

/// Ranks the causes given wizard answers and other evidence. Answered questions are not asked
/// again, including those answered "I don't know", nor are those an answer `skips`.
pub fn diagnose_case(case: &Case) -> Result<Diagnosis, AnswerError> {
    let mut evidence = evidence_from_answers(&case.answers)?;
    evidence.extend(case.evidence.iter().cloned());
    let mut asked: BTreeSet<&str> = case.answers.keys().map(String::as_str).collect();
    for (question_id, option_id) in &case.answers {
        // evidence_from_answers has checked that both exist.
        let skipped = kb::question(question_id)
            .and_then(|q| q.options.iter().find(|o| &o.id == option_id))
            .map(|o| o.skips.iter().map(String::as_str));
        asked.extend(skipped.into_iter().flatten());
    }
    Ok(rank(&evidence, &asked))
}

/// A cause's rules with their evidence ids resolved once.
struct CompiledRule {
    evidence: EvidenceId,
    weight: f64,
    rules_out: bool,
}

struct Compiled {
    rules: Vec<Vec<CompiledRule>>,
    options: Vec<Vec<EvidenceId>>,
    ask_if: Vec<Vec<EvidenceId>>,
    /// Answers to context questions (see `Question::context`), but for those that name a cause.
    context: BTreeSet<EvidenceId>,
}

/// Resolves dotted ids. build.rs has checked that every id in the knowledge base resolves, so
/// `filter_map` drops nothing.
fn parse_ids<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<EvidenceId> {
    ids.filter_map(EvidenceId::parse).collect()
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| Compiled {
        rules: kb::causes()
            .iter()
            .map(|c| {
                c.rules
                    .iter()
                    .filter_map(|r| {
                        EvidenceId::parse(&r.evidence).map(|evidence| CompiledRule {
                            evidence,
                            weight: r.weight,
                            rules_out: r.rules_out,
                        })
                    })
                    .collect()
            })
            .collect(),
        options: kb::questions()
            .iter()
            .map(|q| parse_ids(q.options.iter().filter_map(|o| o.evidence.as_deref())))
            .collect(),
        ask_if: kb::questions()
            .iter()
            .map(|q| parse_ids(q.ask_if.iter().map(String::as_str)))
            .collect(),
        context: kb::questions()
            .iter()
            .filter(|q| q.context)
            .flat_map(|q| {
                parse_ids(
                    q.options
                        .iter()
                        .filter(|o| !o.names_cause)
                        .filter_map(|o| o.evidence.as_deref()),
                )
            })
            .collect(),
    })
}

/// A cause being scored.
struct Scored<'a> {
    index: usize,
    cause: &'a Cause,
    score: f64,
    /// The score with context answers counted in full: what the setup makes worth asking
    /// about, though it may not rank the cause (see [`evidence_score`]).
    steering_score: f64,
    probability: f64,
}

fn rank(evidence: &[Evidence], asked: &BTreeSet<&str>) -> Diagnosis {
    let compiled = compiled();
    // One entry per id: the first item's detail, unless only a later one is recent.
    let mut present: BTreeMap<EvidenceId, &Evidence> = BTreeMap::new();
    for e in evidence {
        match present.get(&e.id) {
            Some(seen) if !seen.old || e.old => {}
            _ => {
                present.insert(e.id, e);
            }
        }
    }

    let mut in_play = Vec::new();
    let mut ruled_out = Vec::new();
    for (index, cause) in kb::causes().iter().enumerate() {
        let rules = &compiled.rules[index];
        let decisive: Vec<Reason> = rules
            .iter()
            .filter(|r| r.rules_out)
            .filter_map(|r| reason(r, &present))
            .filter(|r| !r.old)
            .collect();
        if decisive.is_empty() {
            let (score, steering_score) = evidence_score(rules, &present, &compiled.context);
            in_play.push(Scored {
                index,
                cause,
                score: cause.prior + score,
                steering_score: cause.prior + steering_score,
                probability: 0.0,
            });
        } else {
            ruled_out.push(RuledOut {
                id: cause.id.clone(),
                title: cause.title.clone(),
                by: decisive,
            });
        }
    }
    normalise(&mut in_play);
    // Stable sort: equal scores keep knowledge-base order.
    in_play.sort_by(|a, b| b.score.total_cmp(&a.score));

    // The next question or check tells apart the causes the setup makes plausible; the failing
    // layer is the one the ranking's leaders share.
    let contenders_to_ask = contenders(&in_play, |s| s.steering_score);
    let leaders = contenders(&in_play, |s| s.score);
    let clear_lead = match in_play.as_slice() {
        [] => false,
        [only] => only.probability >= SETTLED,
        [top, second, ..] => {
            top.probability >= SETTLED && top.probability >= LEAD_FACTOR * second.probability
        }
    };
    let next_question = if clear_lead {
        None
    } else {
        best_question(&contenders_to_ask, &present, asked)
    };
    let next_check = if clear_lead {
        None
    } else {
        best_check(&contenders_to_ask, &present, evidence)
    };
    let failing_layer = in_play
        .first()
        .filter(|top| top.probability >= LIKELY)
        .map(|top| top.cause.layer)
        .or_else(|| shared_layer(&leaders));

    Diagnosis {
        ranked: in_play.iter().map(|s| ranked_cause(s, &present)).collect(),
        ruled_out,
        settled: clear_lead,
        next_question,
        next_check,
        failing_layer,
    }
}

/// The log-odds the present evidence adds to a cause, for ranking and for steering the next
/// question. Context answers (where the server is, which app) raise a cause's rank by at most
/// what its other evidence raises it: a setup is no symptom, so "the server is a cloud VM" alone
/// never puts the cloud firewall first. They do count in full for choosing what to ask, as a
/// helpdesk would: a cloud VM makes the provider's console worth asking about. Weights against a
/// cause always count in full.
fn evidence_score(
    rules: &[CompiledRule],
    present: &BTreeMap<EvidenceId, &Evidence>,
    context: &BTreeSet<EvidenceId>,
) -> (f64, f64) {
    let (mut against, mut for_context, mut for_other) = (0.0, 0.0, 0.0);
    for reason in rules.iter().filter_map(|r| reason(r, present)) {
        if reason.weight < 0.0 {
            against += reason.weight;
        } else if context.contains(&reason.evidence) {
            for_context += reason.weight;
        } else {
            for_other += reason.weight;
        }
    }
    let rank = against + for_other + f64::min(for_context, for_other);
    (rank, against + for_other + for_context)
}

/// The layer all leading causes share, when they do: the failing step is known before the cause.
fn shared_layer(contenders: &[(usize, f64)]) -> Option<Layer> {
    let causes = kb::causes();
    let (&(first, _), rest) = contenders.split_first()?;
    let layer = causes[first].layer;
    rest.iter()
        .all(|&(c, _)| causes[c].layer == layer)
        .then_some(layer)
}

fn reason(rule: &CompiledRule, present: &BTreeMap<EvidenceId, &Evidence>) -> Option<Reason> {
    present.get(&rule.evidence).map(|e| Reason {
        evidence: e.id,
        source: e.source,
        title: e.id.title().to_owned(),
        detail: e.detail.clone(),
        weight: if e.old {
            rule.weight * OLD_EVIDENCE_FACTOR
        } else {
            rule.weight
        },
        old: e.old,
    })
}

fn ranked_cause(scored: &Scored, present: &BTreeMap<EvidenceId, &Evidence>) -> RankedCause {
    let mut reasons: Vec<Reason> = compiled().rules[scored.index]
        .iter()
        .filter_map(|r| reason(r, present))
        .collect();
    reasons.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
    let (because, against) = reasons.into_iter().partition(|r| r.weight > 0.0);
    let confidence = if scored.probability >= LIKELY {
        Confidence::Likely
    } else if scored.probability >= POSSIBLE {
        Confidence::Possible
    } else {
        Confidence::Unlikely
    };
    let cause = scored.cause;
    RankedCause {
        id: cause.id.clone(),
        title: cause.title.clone(),
        who: cause.who.clone(),
        layer: cause.layer,
        score: scored.score,
        probability: scored.probability,
        confidence,
        because,
        against,
        fixes: cause.fixes.clone(),
    }
}

/// Softmax of the scores into probabilities.
fn normalise(scored: &mut [Scored]) {
    let max = scored
        .iter()
        .map(|s| s.score)
        .fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = scored.iter().map(|s| (s.score - max).exp()).sum();
    for s in scored.iter_mut() {
        s.probability = (s.score - max).exp() / total;
    }
}

/// The leading causes by `score` (as `(cause index, probability)`), renormalised among
/// themselves.
fn contenders(ranked: &[Scored], score: fn(&Scored) -> f64) -> Vec<(usize, f64)> {
    let max = ranked.iter().map(score).fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = ranked.iter().map(|s| (score(s) - max).exp()).sum();
    let mut steering: Vec<(usize, f64)> = ranked
        .iter()
        .map(|s| (s.index, (score(s) - max).exp() / total))
        .collect();
    // Stable sort: equal scores keep the ranking's order.
    steering.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut mass = 0.0;
    let mut out = Vec::new();
    for (index, probability) in steering.into_iter().take(MAX_CONTENDERS) {
        if out.len() >= 2 && mass >= CONTENDER_MASS {
            break;
        }
        mass += probability;
        out.push((index, probability));
    }
    for (_, p) in &mut out {
        *p /= mass;
    }
    out
}

fn weight_of(cause: usize, evidence: EvidenceId) -> f64 {
    compiled().rules[cause]
        .iter()
        .find(|r| r.evidence == evidence)
        .map_or(0.0, |r| r.weight)
}

fn entropy(probabilities: impl Iterator<Item = f64>) -> f64 {
    probabilities
        .filter(|&p| p > 0.0)
        .map(|p| -p * p.log2())
        .sum()
}

/// Expected entropy (bits) of the contenders after learning which of `options` holds.
///
/// Answer likelihoods come from the same weights the scoring uses: P(option | cause) is
/// proportional to exp(weight), normalised over the question's options, and the posterior follows
/// Bayes' rule. An answer that opens a follow-up question (`ask_if`) is valued together with the
/// best follow-up, so a gate is worth what the question behind it will tell.
fn expected_entropy(
    contenders: &[(usize, f64)],
    options: &[EvidenceId],
    follow_ups: &dyn Fn(EvidenceId) -> Vec<usize>,
) -> f64 {
    let likelihood = |cause: usize, option: EvidenceId| {
        let total: f64 = options.iter().map(|&o| weight_of(cause, o).exp()).sum();
        weight_of(cause, option).exp() / total
    };
    let compiled = compiled();
    options
        .iter()
        .map(|&option| {
            let joint: Vec<(usize, f64)> = contenders
                .iter()
                .map(|&(c, p)| (c, p * likelihood(c, option)))
                .collect();
            let p_option: f64 = joint.iter().map(|&(_, p)| p).sum();
            if p_option <= 0.0 {
                return 0.0;
            }
            let after: Vec<(usize, f64)> =
                joint.into_iter().map(|(c, p)| (c, p / p_option)).collect();
            let best = follow_ups(option)
                .into_iter()
                .map(|q| expected_entropy(&after, &compiled.options[q], &|_| Vec::new()))
                .fold(entropy(after.iter().map(|&(_, p)| p)), f64::min);
            p_option * best
        })
        .sum()
}

fn best_question(
    contenders: &[(usize, f64)],
    present: &BTreeMap<EvidenceId, &Evidence>,
    asked: &BTreeSet<&str>,
) -> Option<QuestionRef> {
    let compiled = compiled();
    let answered = |index: usize| {
        asked.contains(kb::questions()[index].id.as_str())
            || compiled.options[index]
                .iter()
                .any(|o| present.contains_key(o))
    };
    let open = |index: usize| {
        let gate = &compiled.ask_if[index];
        gate.is_empty() || gate.iter().any(|e| present.contains_key(e))
    };
    // Closed, unanswered questions that `option` would open.
    let follow_ups = |option: EvidenceId| -> Vec<usize> {
        (0..compiled.ask_if.len())
            .filter(|&q| !answered(q) && !open(q) && compiled.ask_if[q].contains(&option))
            .collect()
    };
    let now = entropy(contenders.iter().map(|&(_, p)| p));
    let mut best: Option<(f64, &Question)> = None;
    for (index, question) in kb::questions().iter().enumerate() {
        if answered(index) || !open(index) {
            continue;
        }
        let gain = now - expected_entropy(contenders, &compiled.options[index], &follow_ups);
        if gain >= MIN_GAIN_BITS && best.is_none_or(|(g, _)| gain > g) {
            best = Some((gain, question));
        }
    }
    best.map(|(_, q)| QuestionRef::from(q))
}

/// The evidence source, not yet used, whose findings would best tell the leading causes apart,
/// and the leading causes it bears on.
///
/// A source's power is how differently its evidence weighs each pair of contenders, weighted by
/// how likely both are: Σ p(a)·p(b)·Σ |w(e, a) − w(e, b)| over the source's unseen evidence e.
fn best_check(
    contenders: &[(usize, f64)],
    present: &BTreeMap<EvidenceId, &Evidence>,
    evidence: &[Evidence],
) -> Option<NextCheck> {
    let mut best: Option<(f64, CheckKind, Vec<String>)> = None;
    for kind in CheckKind::ALL {
        if evidence.iter().any(|e| e.source == kind.source()) {
            continue;
        }
        let unseen: BTreeSet<EvidenceId> = contenders
            .iter()
            .flat_map(|&(c, _)| compiled().rules[c].iter().map(|r| r.evidence))
            .filter(|&e| kind.establishes(e) && !present.contains_key(&e))
            .collect();
        let mut power = 0.0;
        for (i, &(a, pa)) in contenders.iter().enumerate() {
            for &(b, pb) in &contenders[i + 1..] {
                let spread: f64 = unseen
                    .iter()
                    .map(|&e| (weight_of(a, e) - weight_of(b, e)).abs())
                    .sum();
                power += pa * pb * spread;
            }
        }
        let tells_apart: Vec<String> = contenders
            .iter()
            .filter(|&&(c, _)| unseen.iter().any(|&e| weight_of(c, e) != 0.0))
            .map(|&(c, _)| kb::causes()[c].id.clone())
            .collect();
        if power > 0.0 && best.as_ref().is_none_or(|(p, _, _)| power > *p) {
            best = Some((power, kind, tells_apart));
        }
    }
    best.map(|(_, kind, tells_apart)| NextCheck {
        kind,
        title: kind.title().to_owned(),
        tells_apart,
    })
}
