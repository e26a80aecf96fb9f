//! `rdp-doctor diagnose`: ranked causes from the error text, wizard answers and evidence.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rdp_doctor_core::codes;
use rdp_doctor_core::engine::{self, Answers, Case, Diagnosis, RankedCause, Reason};
use rdp_doctor_core::kb::{
    self,
    model::{Shell, Who},
};
use rdp_doctor_core::report::EvidenceFile;

use crate::input::{Result, read_bounded};

/// Answer and evidence files are small; anything larger is a mistake.
const MAX_FILE: usize = 1024 * 1024;

#[derive(clap::Args)]
pub struct Args {
    /// The error text or codes, e.g. "0x904 0x7".
    #[arg(long)]
    error: Option<String>,
    /// Wizard answers: a JSON object of question id to option id, e.g. {"when_fails": "after_credentials"}.
    #[arg(long)]
    answers: Option<PathBuf>,
    /// One answer as question=option; repeatable, and added to --answers.
    #[arg(long = "answer", value_name = "QUESTION=OPTION")]
    answer: Vec<String>,
    /// Evidence: what `rdp-doctor analyze … --json` or `rdp-doctor probe --json` printed, or a
    /// JSON array of {"id", "source", "detail"} objects; repeatable, one file each.
    #[arg(long, value_name = "FILE")]
    evidence: Vec<PathBuf>,
    /// Show every cause still in play, not only the leading five.
    #[arg(long)]
    all: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Causes shown without --all.
const SHOWN: usize = 5;

pub fn run(args: &Args) -> Result<()> {
    let mut case = Case {
        answers: read_json::<Answers>(args.answers.as_deref())?.unwrap_or_default(),
        evidence: Vec::new(),
    };
    for pair in &args.answer {
        let (question, option) = pair
            .split_once('=')
            .ok_or_else(|| format!("--answer {pair:?}: expected QUESTION=OPTION"))?;
        case.answers
            .insert(question.trim().to_owned(), option.trim().to_owned());
    }
    if let Some(text) = &args.error {
        case.evidence.extend(codes::decode(text).evidence());
    }
    for path in &args.evidence {
        let file = EvidenceFile::from_json(&read_small(path)?)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        case.evidence.extend(file.evidence());
    }

    let diagnosis = engine::diagnose_case(&case)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&diagnosis)?);
    } else {
        print!(
            "{}",
            render(&diagnosis, if args.all { usize::MAX } else { SHOWN })
        );
    }
    Ok(())
}

fn read_json<T: serde::de::DeserializeOwned>(path: Option<&Path>) -> Result<Option<T>> {
    let Some(path) = path else { return Ok(None) };
    let text = read_small(path)?;
    let value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Some(value))
}

/// The whole file as text, refusing one larger than [`MAX_FILE`].
fn read_small(path: &Path) -> Result<String> {
    let text = read_bounded(path, MAX_FILE)?;
    if text.len() > MAX_FILE {
        return Err(format!("{}: larger than {} KiB", path.display(), MAX_FILE / 1024).into());
    }
    Ok(text)
}

fn render(diagnosis: &Diagnosis, shown: usize) -> String {
    let mut out = String::new();
    let state = match (diagnosis.settled, &diagnosis.next_question) {
        (true, _) => "settled",
        (false, Some(_)) => "not settled yet",
        (false, None) => "not settled; answers alone cannot tell the leaders apart",
    };
    let _ = writeln!(out, "Diagnosis ({state})");
    if let Some(layer) = diagnosis.failing_layer {
        let _ = writeln!(out, "Fails at: {}", layer.label());
    }
    out.push('\n');
    for (rank, cause) in diagnosis.ranked.iter().take(shown).enumerate() {
        render_cause(&mut out, rank + 1, cause);
    }
    if diagnosis.ranked.len() > shown {
        let _ = writeln!(
            out,
            "    … {} more (--all shows them)\n",
            diagnosis.ranked.len() - shown
        );
    }
    if !diagnosis.ruled_out.is_empty() {
        out.push_str("Ruled out:\n");
        for ruled in &diagnosis.ruled_out {
            let why: Vec<String> = ruled.by.iter().map(reason_text).collect();
            let _ = writeln!(out, "  - {}: {}", ruled.title, why.join("; "));
        }
        out.push('\n');
    }
    if let Some(question) = &diagnosis.next_question {
        let _ = writeln!(out, "Next question ({}): {}", question.id, question.text);
        for option in &question.options {
            let _ = writeln!(
                out,
                "    --answer {}={:<20} {}",
                question.id, option.id, option.label
            );
        }
        out.push('\n');
    }
    if let Some(check) = &diagnosis.next_check {
        let _ = writeln!(
            out,
            "Next check: {}\n    tells apart: {}\n",
            check.title,
            check.tells_apart.join(", ")
        );
    }
    if let Some(top) = diagnosis.ranked.first() {
        let _ = writeln!(out, "How to check and fix: {}", top.title);
        if let Some(cause) = kb::cause(&top.id) {
            let _ = writeln!(out, "  {}", cause.explanation);
        }
        for (n, step) in top.fixes.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}", n + 1, step.text);
            if let (Some(command), Some(shell)) = (&step.command, step.shell) {
                let _ = writeln!(out, "     {}> {command}", shell_label(shell));
            }
            let _ = writeln!(out, "     Verify: {}", step.verify);
            if let Some(risk) = &step.risk {
                let _ = writeln!(out, "     Risk: {risk}");
            }
        }
    }
    out
}

fn render_cause(out: &mut String, rank: usize, cause: &RankedCause) {
    let _ = writeln!(
        out,
        "{rank:>2}. {:<70} {:>5.1}%  {}",
        cause.title,
        cause.probability * 100.0,
        cause.confidence.label()
    );
    let who: Vec<&str> = cause.who.iter().map(|w| who_label(*w)).collect();
    let _ = writeln!(
        out,
        "    {} · fixed by {}",
        cause.layer.label(),
        who.join(", ")
    );
    for reason in &cause.because {
        let _ = writeln!(out, "    + {}", reason_text(reason));
    }
    for reason in &cause.against {
        let _ = writeln!(out, "    - {}", reason_text(reason));
    }
    out.push('\n');
}

fn reason_text(reason: &Reason) -> String {
    format!("{} ({})", reason.title, reason.detail)
}

fn who_label(who: Who) -> &'static str {
    match who {
        Who::EndUser => "the user",
        Who::ServerAdmin => "the server admin",
        Who::NetworkAdmin => "the network admin",
    }
}

fn shell_label(shell: Shell) -> &'static str {
    match shell {
        Shell::Powershell => "PowerShell",
        Shell::Cmd => "cmd",
        Shell::Registry => "registry",
        Shell::Gpo => "Group Policy",
        Shell::Mmc => "MMC",
    }
}
