//! The hand-off: the diagnosis as Markdown for a ticket, as JSON for tools, and as a plain
//! message an end user sends to IT.
//!
//! Host names, certificate fields, server answers and evidence details come from outside (a
//! pasted file, a probed server), so every such string is escaped before it enters Markdown:
//! a ticket system that renders HTML must see text, never markup.

use std::fmt::Write;

use rdp_doctor_core::codes::Role;
use rdp_doctor_core::engine::RankedCause;
use rdp_doctor_core::kb;
use serde_json::json;

use rdp_doctor_core::report::{AnalysisReport, CertReport};

use crate::analysis_client::EvidenceKind;
use crate::labels;
use crate::state::{Analysis, Journey, ProbeRun};

/// Causes a ticket carries, with their fixes; the rest are one click away in the link.
const TICKET_CAUSES: usize = 3;
/// Evidence lines a ticket carries.
const TICKET_EVIDENCE: usize = 25;
/// Longest untrusted string quoted in a ticket.
const MAX_QUOTED_CHARS: usize = 200;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Escapes text from outside for Markdown: HTML's `<`, `>` and `&` become entities and every
/// character with Markdown meaning inside a line is backslash-escaped; line breaks become
/// spaces, so the text never starts a line and cannot open a heading, list or table row. Long
/// text is cut.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        if i == MAX_QUOTED_CHARS {
            out.push('…');
            break;
        }
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '(' | ')' | '#' | '|' | '!' | '~' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn target(journey: &Journey) -> Option<String> {
    let host = journey.session.host.trim();
    (!host.is_empty()).then(|| {
        let port = Some(journey.session.port.trim())
            .filter(|p| !p.is_empty())
            .unwrap_or("3389");
        format!("{host}:{port}")
    })
}

fn codes_line(journey: &Journey) -> Option<String> {
    let mut codes: Vec<_> = journey.decoded.codes.iter().collect();
    codes.sort_by_key(|c| c.role != Role::DisconnectReason);
    let parts: Vec<String> = codes
        .iter()
        .map(|code| format!("{} {}", code.role.label(), code.hex))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn summary(journey: &Journey) -> String {
    match journey.diagnosis.ranked.first() {
        Some(top) => format!(
            "Most likely: {} ({}, {:.0}%)",
            top.title,
            top.confidence.label(),
            top.probability * 100.0
        ),
        None => "No cause stands out yet.".to_owned(),
    }
}

/// Ticket-ready Markdown, at most about 10 KB: a summary leading with the top cause, the date,
/// version and a link back, the top causes with their fixes, the probe's stages, the evidence
/// list. `now` is the time of the export (ISO 8601) and `link` the results link.
pub fn markdown(journey: &Journey, now: &str, link: &str) -> String {
    let Journey {
        session, diagnosis, ..
    } = journey;
    let mut out = String::from("# RDP Doctor diagnosis\n\n");
    let _ = writeln!(out, "**{}**\n", summary(journey));
    if let Some(target) = target(journey) {
        let _ = writeln!(out, "- Server: {}", escape(&target));
    }
    if let Some(codes) = codes_line(journey) {
        let _ = writeln!(out, "- Error: {codes}");
    }
    for message in &journey.decoded.messages {
        // The wording is what the person pasted: escaped like any text from outside.
        let _ = writeln!(
            out,
            "- Error wording: \"{}\": {}",
            escape(&message.matched),
            message.meaning
        );
    }
    if let Some(layer) = diagnosis.failing_layer {
        let _ = writeln!(out, "- Where it breaks: {}", layer.label());
    }
    let _ = writeln!(out, "- Date: {now}");
    let _ = writeln!(out, "- RDP Doctor version: {VERSION}");
    let _ = writeln!(out, "- Full results: <{}>\n", link.replace('>', "%3E"));

    out.push_str("## Likely causes\n\n");
    for (rank, cause) in diagnosis.ranked.iter().take(TICKET_CAUSES).enumerate() {
        cause_markdown(&mut out, rank + 1, cause);
    }
    if diagnosis.ranked.len() > TICKET_CAUSES {
        let _ = writeln!(
            out,
            "{} less likely causes are in the full results.\n",
            diagnosis.ranked.len() - TICKET_CAUSES
        );
    }

    if let ProbeRun::Finished(report) = &session.probe {
        let _ = writeln!(
            out,
            "## Probe from outside\n\n{} in {} ms.\n\n| Stage | Result | Details |\n|---|---|---|",
            escape(&report.target.to_string()),
            report.duration_ms
        );
        for stage in &report.stages {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                stage.stage.label(),
                labels::stage_status(stage.status).0,
                escape(&stage.verdict)
            );
        }
        out.push('\n');
    }
    let certificate = match (&session.probe, session.analysis(EvidenceKind::Certificate)) {
        (ProbeRun::Finished(report), _) if report.certificate.is_some() => report
            .certificate
            .as_ref()
            .map(|c| ("the server sent (probe)", c)),
        (_, Analysis::Done(AnalysisReport::Certificate(pasted))) => Some(("pasted", pasted)),
        _ => None,
    };
    if let Some((from, certificate)) = certificate {
        certificate_markdown(&mut out, from, certificate);
    }

    if !session.answers.is_empty() {
        out.push_str("## Answers\n\n");
        for question in kb::questions() {
            let Some(option_id) = session.answers.get(&question.id) else {
                continue;
            };
            let Some(option) = question.options.iter().find(|o| &o.id == option_id) else {
                continue;
            };
            let _ = writeln!(out, "- {} **{}**", question.text, option.label);
        }
        out.push('\n');
    }
    // The codes' own evidence is in the summary.
    if !session.evidence.is_empty() {
        out.push_str("## Evidence\n\n");
        for item in session.evidence.iter().take(TICKET_EVIDENCE) {
            let _ = writeln!(
                out,
                "- {} ({}): {}",
                item.id.title(),
                labels::source(item.source),
                escape(&item.detail)
            );
        }
        if session.evidence.len() > TICKET_EVIDENCE {
            let _ = writeln!(
                out,
                "- and {} more in the full results",
                session.evidence.len() - TICKET_EVIDENCE
            );
        }
        out.push('\n');
    }
    if !diagnosis.ruled_out.is_empty() {
        let titles: Vec<&str> = diagnosis
            .ruled_out
            .iter()
            .map(|r| r.title.as_str())
            .collect();
        let _ = writeln!(out, "Ruled out: {}", titles.join("; "));
    }
    out
}

fn certificate_markdown(out: &mut String, from: &str, certificate: &CertReport) {
    let Some(leaf) = certificate.certificates.first() else {
        return;
    };
    let _ = writeln!(out, "## Certificate ({from})\n");
    let field = |value: Option<&str>| value.map_or("not shown".to_owned(), escape);
    let _ = writeln!(out, "- Subject: {}", escape(&leaf.subject));
    let _ = writeln!(
        out,
        "- Issuer: {}{}",
        escape(&leaf.issuer),
        if leaf.self_signed {
            " (self-signed)"
        } else {
            ""
        }
    );
    let names: Vec<&str> = leaf
        .dns_names
        .iter()
        .chain(&leaf.ip_addresses)
        .map(String::as_str)
        .collect();
    let _ = writeln!(out, "- Names: {}", escape(&names.join(", ")));
    let _ = writeln!(
        out,
        "- Valid: {} to {}",
        field(leaf.not_before.as_deref()),
        field(leaf.not_after.as_deref())
    );
    let _ = writeln!(
        out,
        "- Thumbprint (SHA-1): {}",
        field(leaf.thumbprint_sha1.as_deref())
    );
    for finding in &certificate.findings {
        let _ = writeln!(
            out,
            "- {}: {}",
            labels::severity(finding.severity).0,
            escape(&finding.title)
        );
    }
    out.push('\n');
}

fn cause_markdown(out: &mut String, rank: usize, cause: &RankedCause) {
    let _ = writeln!(
        out,
        "### {rank}. {} ({}, {:.0}%)\n",
        cause.title,
        cause.confidence.label(),
        cause.probability * 100.0
    );
    let _ = writeln!(out, "Who fixes it: {}\n", labels::who_list(&cause.who));
    for reason in cause.because.iter().take(4) {
        let _ = writeln!(
            out,
            "- Why: {} ({}: {})",
            reason.title,
            labels::source(reason.source),
            escape(&reason.detail)
        );
    }
    for reason in cause.against.iter().take(2) {
        let _ = writeln!(
            out,
            "- Against: {} ({}: {})",
            reason.title,
            labels::source(reason.source),
            escape(&reason.detail)
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
            let _ = writeln!(out, "   Check: {}", step.verify);
        }
    }
    out.push('\n');
}

/// The message an end user sends to IT: plain text, short, with the link to everything.
pub fn message_for_it(journey: &Journey, link: &str) -> String {
    let mut out = String::from("Hello,\n\n");
    match target(journey) {
        Some(target) => {
            let _ = writeln!(out, "I cannot connect with Remote Desktop to {target}.");
        }
        None => out.push_str("I cannot connect with Remote Desktop.\n"),
    }
    if let Some(codes) = codes_line(journey) {
        let _ = writeln!(out, "The error says: {codes}.");
    }
    let _ = writeln!(out, "RDP Doctor's diagnosis: {}.", summary(journey));
    let for_it: Vec<&RankedCause> = journey
        .diagnosis
        .ranked
        .iter()
        .take(TICKET_CAUSES)
        .collect();
    if !for_it.is_empty() {
        out.push_str("\nThe likely causes, with the steps to fix each:\n");
        for cause in for_it {
            let _ = writeln!(
                out,
                "- {} ({:.0}%, for {})",
                cause.title,
                cause.probability * 100.0,
                labels::who_list(&cause.who)
            );
        }
    }
    let _ = writeln!(
        out,
        "\nMy answers, the checks I ran and the fix steps are here:\n{link}\n\nThank you."
    );
    out
}

/// Everything the page knows about the case, for tools, stamped with `now` (ISO 8601).
pub fn json(journey: &Journey, now: &str) -> String {
    let value = json!({
        "generated_at": now,
        "rdp_doctor_version": VERSION,
        "host": journey.session.host,
        "port": journey.session.port,
        "codes": journey.decoded.codes,
        "answers": journey.session.answers,
        "evidence": journey.evidence,
        "probe": journey.session.probe,
        "diagnosis": journey.diagnosis,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}
