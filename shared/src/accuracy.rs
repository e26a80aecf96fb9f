//! Accuracy on the incident corpus (`kb/incidents/`): each real incident is replayed as a new
//! user would meet RDP Doctor, and the figures say how often the confirmed cause comes out first.
//!
//! The replay: the reporter's error text goes through the real decoder and their quoted events
//! through the real event analyzer; then the wizard runs, the engine choosing each question and
//! an oracle answering only from the incident's `facts` ("I don't know" for anything the
//! reporter did not say), until the ranking is settled or no question is left.
//!
//! Only tests and benchmarks enable the `accuracy` feature, so the corpus is never part of a
//! runtime bundle. No I/O: the corpus is embedded by `build.rs` after validation.

use std::fmt;

use crate::analyze::events;
use crate::codes;
use crate::engine::{self, AnswerError, Case};
use crate::kb::{
    self,
    model::{Incident, Part},
};

const INCIDENTS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/incidents.json"));

/// No replay asks more questions than this; a loop the engine never ends would show as a case
/// stopped here.
const MAX_QUESTIONS: usize = 30;

/// The validated corpus, in file order.
pub fn incidents() -> Vec<Incident> {
    // Written by build.rs from the same model types after validation, so it always parses; an
    // empty corpus instead would report accuracy on nothing.
    #[allow(clippy::expect_used)]
    let incidents =
        serde_json::from_str(INCIDENTS_JSON).expect("build.rs embeds valid incident JSON");
    incidents
}

/// What the engine concluded on one incident.
#[derive(Clone, Debug, PartialEq)]
pub struct Replay {
    pub id: String,
    pub part: Part,
    /// The confirmed cause.
    pub truth: String,
    /// Cause ids still in play, most likely first.
    pub ranked: Vec<String>,
    /// Probability of the top cause.
    pub top_probability: f64,
    /// Probability of the runner-up (0 when only one cause is left).
    pub second_probability: f64,
    pub settled: bool,
    /// Evidence ids the error text and the quoted events established, before any question.
    pub pasted: Vec<String>,
    /// Question ids in the order the wizard asked them.
    pub asked: Vec<String>,
    /// How many of those the reporter's stated facts answered (the rest: "I don't know").
    pub answered: usize,
    /// Questions the reporter's facts answer that the wizard never asked.
    pub never_asked: Vec<String>,
}

impl Replay {
    /// Position of the true cause (1 = first), if still in play.
    pub fn rank_of_truth(&self) -> Option<usize> {
        self.ranked
            .iter()
            .position(|c| c == &self.truth)
            .map(|p| p + 1)
    }

    pub fn top1(&self) -> bool {
        self.rank_of_truth() == Some(1)
    }

    pub fn top3(&self) -> bool {
        self.rank_of_truth().is_some_and(|r| r <= 3)
    }

    /// Nothing to go on: no recognised text or event, and every question asked got "I don't
    /// know" (though the reporter may have stated facts the wizard never asked about). The
    /// ranking is then the causes' priors.
    pub fn uninformed(&self) -> bool {
        self.pasted.is_empty() && self.answered == 0
    }
}

/// Replays one incident: decoder, event analyzer, then the wizard with the oracle.
pub fn replay(incident: &Incident) -> Result<Replay, AnswerError> {
    let mut case = Case {
        answers: Default::default(),
        evidence: codes::decode(&incident.error_text).evidence(),
    };
    if let Some(quoted) = &incident.events {
        // Quoted lines that are no recognisable export give no evidence, as on the page.
        if let Ok(report) = events::analyze(quoted.as_bytes()) {
            case.evidence.extend(report.evidence());
        }
    }
    // Who the person is comes before any question on the page, when the report says it.
    if let Some(role) = incident.facts.get(ROLE_QUESTION) {
        case.answers.insert(ROLE_QUESTION.to_owned(), role.clone());
    }
    let pasted = case
        .evidence
        .iter()
        .map(|e| e.id.as_str().to_owned())
        .collect();
    let mut asked: Vec<String> = Vec::new();
    let diagnosis = loop {
        let diagnosis = engine::diagnose_case(&case)?;
        let next = match &diagnosis.next_question {
            Some(q) if !diagnosis.settled && asked.len() < MAX_QUESTIONS => q,
            _ => break diagnosis,
        };
        let Some(answer) = oracle(incident, &next.id) else {
            break diagnosis;
        };
        asked.push(next.id.clone());
        case.answers.insert(next.id.clone(), answer);
    };
    Ok(Replay {
        id: incident.id.clone(),
        part: incident.part(),
        truth: incident.true_cause().to_owned(),
        ranked: diagnosis.ranked.iter().map(|c| c.id.clone()).collect(),
        top_probability: diagnosis.ranked.first().map_or(0.0, |c| c.probability),
        second_probability: diagnosis.ranked.get(1).map_or(0.0, |c| c.probability),
        settled: diagnosis.settled,
        never_asked: incident
            .facts
            .keys()
            .filter(|q| q.as_str() != ROLE_QUESTION && !asked.contains(*q))
            .cloned()
            .collect(),
        answered: asked
            .iter()
            .filter(|q| incident.facts.contains_key(*q))
            .count(),
        pasted,
        asked,
    })
}

/// The wizard question about who the person is (end user, server admin, helpdesk).
const ROLE_QUESTION: &str = "role";

/// The reporter's answer: the stated fact, or the question's "I don't know" option. `None` when
/// the question has no such option and the report does not say.
fn oracle(incident: &Incident, question: &str) -> Option<String> {
    if let Some(stated) = incident.facts.get(question) {
        return Some(stated.clone());
    }
    kb::question(question)?
        .options
        .iter()
        .find(|o| o.evidence.is_none())
        .map(|o| o.id.clone())
}

/// The figures for a set of replays.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    pub incidents: usize,
    pub top1: usize,
    pub top3: usize,
    pub settled: usize,
    /// Settled on a cause that is not the confirmed one.
    pub settled_wrong: usize,
    pub questions_median: usize,
    pub questions_max: usize,
    /// Replays with nothing to go on (see [`Replay::uninformed`]).
    pub uninformed: usize,
    /// Replays where the wizard stopped before asking something the reporter had stated.
    pub missed_facts: usize,
}

impl Figures {
    pub fn of<'a>(replays: impl IntoIterator<Item = &'a Replay>) -> Figures {
        let replays: Vec<&Replay> = replays.into_iter().collect();
        let mut questions: Vec<usize> = replays.iter().map(|r| r.asked.len()).collect();
        questions.sort_unstable();
        Figures {
            incidents: replays.len(),
            top1: replays.iter().filter(|r| r.top1()).count(),
            top3: replays.iter().filter(|r| r.top3()).count(),
            settled: replays.iter().filter(|r| r.settled).count(),
            settled_wrong: replays.iter().filter(|r| r.settled && !r.top1()).count(),
            questions_median: questions.get(questions.len() / 2).copied().unwrap_or(0),
            questions_max: questions.last().copied().unwrap_or(0),
            uninformed: replays.iter().filter(|r| r.uninformed()).count(),
            missed_facts: replays.iter().filter(|r| !r.never_asked.is_empty()).count(),
        }
    }

    fn share(count: usize, of: usize) -> f64 {
        if of == 0 {
            0.0
        } else {
            count as f64 / of as f64
        }
    }

    pub fn top1_rate(&self) -> f64 {
        Self::share(self.top1, self.incidents)
    }

    pub fn top3_rate(&self) -> f64 {
        Self::share(self.top3, self.incidents)
    }

    /// Of all incidents, the share the engine called settled on a wrong cause.
    pub fn settled_wrong_rate(&self) -> f64 {
        Self::share(self.settled_wrong, self.incidents)
    }
}

impl fmt::Display for Figures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:>3} incidents  top-1 {:>5.1} %  top-3 {:>5.1} %  settled {:>3} ({:>2} wrong = {:>4.1} %)  questions median {} max {}  nothing to go on {}  stated facts never asked {}",
            self.incidents,
            100.0 * self.top1_rate(),
            100.0 * self.top3_rate(),
            self.settled,
            self.settled_wrong,
            100.0 * self.settled_wrong_rate(),
            self.questions_median,
            self.questions_max,
            self.uninformed,
            self.missed_facts,
        )
    }
}

/// Replays every incident of the corpus.
pub fn replay_all() -> Result<Vec<Replay>, AnswerError> {
    incidents().iter().map(replay).collect()
}

/// How often the top cause is right once its probability reaches each threshold: the evidence
/// for where "settled" may begin. Returns `(threshold, cases at or above it, of them right)`.
pub fn calibration<'a>(
    replays: impl IntoIterator<Item = &'a Replay>,
    thresholds: &[f64],
) -> Vec<(f64, usize, usize)> {
    let replays: Vec<&Replay> = replays.into_iter().collect();
    thresholds
        .iter()
        .map(|&t| {
            let above: Vec<&&Replay> = replays.iter().filter(|r| r.top_probability >= t).collect();
            (t, above.len(), above.iter().filter(|r| r.top1()).count())
        })
        .collect()
}
