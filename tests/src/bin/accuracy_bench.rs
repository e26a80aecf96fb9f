//! Diagnosis accuracy on the incident corpus (`shared/kb/incidents/`), for the tune and the
//! validation part: top-1, top-3, "settled but wrong" and questions asked, with the wizard
//! answered by an oracle that knows only each incident's stated facts. A measurement, not a test
//! (the floors are in `tests/accuracy.rs`). No network, no browser.
//!
//! `cargo run -p rdp-doctor-tests --bin accuracy_bench [--misses tune]` (`--misses` lists the
//! tune part's incidents whose confirmed cause is not first; the validation part's are never
//! listed, so nobody tunes on them).

use std::process::ExitCode;

use rdp_doctor_core::accuracy::{self, Figures, Replay};
use rdp_doctor_core::kb::model::Part;

fn main() -> ExitCode {
    let show_misses = match std::env::args().skip(1).collect::<Vec<_>>().as_slice() {
        [] => false,
        [flag, part] if flag == "--misses" && part == "tune" => true,
        _ => {
            eprintln!("usage: accuracy_bench [--misses tune]");
            return ExitCode::from(2);
        }
    };
    let replays = match accuracy::replay_all() {
        Ok(replays) => replays,
        Err(err) => {
            eprintln!("accuracy_bench: the wizard rejected an answer: {err}");
            return ExitCode::FAILURE;
        }
    };
    for (label, part) in [("tune      ", Part::Tune), ("validation", Part::Validation)] {
        let figures = Figures::of(replays.iter().filter(|r| r.part == part));
        println!("{label} {figures}");
    }
    println!("all        {}", Figures::of(&replays));
    let thresholds = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    let tune = replays.iter().filter(|r| r.part == Part::Tune);
    let steps: Vec<String> = accuracy::calibration(tune, &thresholds)
        .iter()
        .map(|(t, n, right)| format!("p≥{t:.1}: {right}/{n}"))
        .collect();
    println!(
        "tune part, top cause right once its probability reaches: {}",
        steps.join("  ")
    );
    if show_misses {
        for replay in replays.iter().filter(|r| r.part == Part::Tune && !r.top1()) {
            print_miss(replay);
        }
    }
    ExitCode::SUCCESS
}

fn print_miss(replay: &Replay) {
    let rank = replay
        .rank_of_truth()
        .map_or("ruled out".to_owned(), |r| format!("#{r}"));
    let leaders: Vec<&str> = replay.ranked.iter().take(3).map(String::as_str).collect();
    println!(
        "miss {} truth {} ({rank}) top {:?} p={:.2}{} pasted {:?} asked {:?} never asked {:?}",
        replay.id,
        replay.truth,
        leaders,
        replay.top_probability,
        if replay.settled { " SETTLED" } else { "" },
        replay.pasted,
        replay.asked,
        replay.never_asked
    );
}
