//! The hand-off: the diagnosis as Markdown for a ticket and as JSON for tools.

use std::fmt::Write;

use rdp_doctor_core::kb;
use serde_json::json;

use crate::labels;
use crate::state::Journey;

/// Ticket-ready Markdown: codes, answers, ranked causes with their reasons, fix steps with
/// commands, what was ruled out.
pub fn markdown(journey: &Journey) -> String {
    let Journey {
        session,
        decoded,
        diagnosis,
        ..
    } = journey;
    let mut out = String::from("# RDP Doctor diagnosis\n\n");
    if !session.host.trim().is_empty() {
        let port = Some(session.port.trim())
            .filter(|p| !p.is_empty())
            .unwrap_or("3389");
        let _ = writeln!(out, "Server: `{}:{port}`\n", session.host.trim());
    }
    if !decoded.codes.is_empty() {
        out.push_str("## Error codes\n\n");
        for code in &decoded.codes {
            let role = code.role.label();
            let meaning = code
                .meaning
                .as_deref()
                .unwrap_or("not in the published tables RDP Doctor reads");
            let _ = writeln!(out, "- {role} `{}`: {meaning}", code.hex);
        }
        out.push('\n');
    }
    if !decoded.messages.is_empty() {
        out.push_str("## Error wording\n\n");
        for message in &decoded.messages {
            let _ = writeln!(out, "- \"{}\": {}", message.matched, message.meaning);
        }
        out.push('\n');
    }
    if !session.answers.is_empty() {
        out.push_str("## Answers\n\n");
        for (question_id, option_id) in &session.answers {
            let Some(question) = kb::question(question_id) else {
                continue;
            };
            let answer = question
                .options
                .iter()
                .find(|o| &o.id == option_id)
                .map_or(option_id.as_str(), |o| o.label.as_str());
            let _ = writeln!(out, "- {}: **{answer}**", question.text);
        }
        out.push('\n');
    }
    // The codes' own evidence is in the section above.
    if !session.evidence.is_empty() {
        out.push_str("## Evidence\n\n");
        for item in &session.evidence {
            let _ = writeln!(
                out,
                "- {} ({}): {}",
                item.id.title(),
                labels::source(item.source),
                item.detail
            );
        }
        out.push('\n');
    }
    if let Some(layer) = diagnosis.failing_layer {
        let _ = writeln!(out, "Where it breaks: **{}**\n", layer.label());
    }
    out.push_str("## Likely causes\n\n");
    for (rank, cause) in diagnosis.ranked.iter().enumerate() {
        let _ = writeln!(
            out,
            "### {}. {} ({}, {:.0}%)\n",
            rank + 1,
            cause.title,
            cause.confidence.label(),
            cause.probability * 100.0
        );
        let _ = writeln!(out, "Who: {}\n", labels::who_list(&cause.who));
        for reason in &cause.because {
            let _ = writeln!(
                out,
                "- Because {} {}",
                reason.title,
                labels::reason_origin(reason)
            );
        }
        for reason in &cause.against {
            let _ = writeln!(
                out,
                "- Against: {} {}",
                reason.title,
                labels::reason_origin(reason)
            );
        }
        if !cause.fixes.is_empty() {
            out.push_str("\nFix:\n\n");
            for (n, step) in cause.fixes.iter().enumerate() {
                let _ = writeln!(out, "{}. {}", n + 1, step.text);
                if let Some(command) = &step.command {
                    let _ = writeln!(
                        out,
                        "\n   ```\n   {}\n   ```\n",
                        command.replace('\n', "\n   ")
                    );
                }
                let _ = writeln!(out, "   Verify: {}", step.verify);
                if let Some(risk) = &step.risk {
                    let _ = writeln!(out, "   Risk: {risk}");
                }
            }
        }
        out.push('\n');
    }
    if !diagnosis.ruled_out.is_empty() {
        out.push_str("## Ruled out\n\n");
        for ruled in &diagnosis.ruled_out {
            let by: Vec<&str> = ruled.by.iter().map(|r| r.title.as_str()).collect();
            let _ = writeln!(out, "- {}: {}", ruled.title, by.join("; "));
        }
    }
    out
}

/// Everything the page knows about the case, for tools.
pub fn json(journey: &Journey) -> String {
    let value = json!({
        "host": journey.session.host,
        "port": journey.session.port,
        "codes": journey.decoded.codes,
        "answers": journey.session.answers,
        "evidence": journey.evidence,
        "diagnosis": journey.diagnosis,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}
