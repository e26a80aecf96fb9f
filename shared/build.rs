//! Loads the knowledge base under `kb/`, validates it, and generates what the crate embeds.
//!
//! Knowledge is data that support engineers edit; mistakes in it must fail the build with a
//! message that names the file and the entry, not surface as a wrong diagnosis at run time.

// A build script reports a broken knowledge base by failing the build: panicking is its way out.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

#[path = "src/kb/model.rs"]
#[allow(dead_code)]
mod model;

use model::{
    Cause, CauseFile, ClientTables, CodeEntry, CodeTables, EventTables, EvidenceDecl, EvidenceFile,
    Incident, IncidentFile, Informational, InformationalFile, KnowledgeBase, Message, NamedCode,
    Question, QuestionFile, RdpSettingInfo, RdpSettingsFile, Scenario, ScenarioFile, StatusTables,
};

/// The UI languages the decoder reads (its words for "extended" cover the same set).
const LANGUAGES: &[&str] = &[
    "en", "de", "fr", "es", "pt", "it", "ro", "nl", "pl", "cs", "sk", "ru", "uk", "bg", "tr", "sv",
    "da", "nb", "fi", "hu", "el", "he", "ar", "ja", "zh", "ko",
];

/// The provider keys the event catalogue knows (`Provider::key` in src/analyze/events/catalogue.rs).
const EVENT_PROVIDERS: &[&str] = &[
    "schannel",
    "remote_connection_manager",
    "rdpcorets",
    "local_session_manager",
    "security_auditing",
    "lsasrv",
    "rdp_client",
    "service_control_manager",
    "termdd",
    "netlogon",
    "kerberos",
    "time_service",
    "termservice",
    "gateway",
];

/// `kb/messages.toml`.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageFile {
    message: Vec<Message>,
}

fn main() {
    let kb = Path::new("kb");
    println!("cargo::rerun-if-changed=kb");
    println!("cargo::rerun-if-changed=src/kb/model.rs");

    let evidence = load_evidence(&kb.join("evidence"));
    let declared: BTreeSet<&str> = evidence.iter().map(|d| d.id.as_str()).collect();
    let mut codes: CodeTables = parse(&kb.join("codes.toml"));
    codes.status = parse::<StatusTables>(&kb.join("status.toml"));
    codes.clients = parse::<ClientTables>(&kb.join("clients.toml"));
    codes.messages = parse::<MessageFile>(&kb.join("messages.toml")).message;
    let causes: Vec<Cause> = toml_files(&kb.join("causes"))
        .iter()
        .flat_map(|path| parse::<CauseFile>(path).cause)
        .map(|mut cause| {
            // Explanations are wrapped in the TOML for reading; the line breaks are not content.
            cause.explanation = cause
                .explanation
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            cause
        })
        .collect();
    let questions = parse::<QuestionFile>(&kb.join("questions.toml")).question;
    let scenarios = parse::<ScenarioFile>(&kb.join("scenarios.toml")).scenario;
    let informational = parse::<InformationalFile>(&kb.join("informational.toml")).informational;
    let incidents = load_incidents(&kb.join("incidents"));
    let rdp_settings = parse::<RdpSettingsFile>(&kb.join("rdp_settings.toml")).setting;

    let cause_ids = validate_causes(&causes, &declared);
    validate_codes(&codes, &cause_ids, &declared);
    validate_named_codes(&codes, &declared);
    validate_messages(&codes.messages, &declared);
    let events = parse::<EventTables>(&kb.join("events.toml"));
    validate_events(&events, &codes, &declared);
    validate_questions(&questions, &declared);
    validate_evidence_use(&evidence, &causes, &questions, &informational);
    validate_scenarios(&scenarios, &cause_ids, &questions, &declared);
    validate_incidents(&incidents, &cause_ids, &questions);
    validate_rdp_settings(&rdp_settings);

    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::write(out.join("evidence_ids.rs"), evidence_enum(&evidence))
        .expect("write evidence_ids.rs");
    let kb_json = serde_json::to_string(&KnowledgeBase {
        causes,
        questions,
        rdp_settings,
    })
    .expect("serialize kb");
    fs::write(out.join("kb.json"), kb_json).expect("write kb.json");
    let codes_json = serde_json::to_string(&codes).expect("serialize codes");
    fs::write(out.join("codes.json"), codes_json).expect("write codes.json");
    let events_json = serde_json::to_string(&events).expect("serialize events");
    fs::write(out.join("events.json"), events_json).expect("write events.json");
    let scenarios_json = serde_json::to_string(&scenarios).expect("serialize scenarios");
    fs::write(out.join("scenarios.json"), scenarios_json).expect("write scenarios.json");
    // Only the `accuracy` feature (tests and benchmarks) reads this file; no runtime embeds it.
    let incidents_json =
        serde_json::to_string(&incidents.iter().map(|(_, i)| i).collect::<Vec<_>>())
            .expect("serialize incidents");
    fs::write(out.join("incidents.json"), incidents_json).expect("write incidents.json");
}

/// Each .rdp setting is described once, in words, under its lower-case name.
fn validate_rdp_settings(settings: &[RdpSettingInfo]) {
    let mut names = BTreeSet::new();
    for setting in settings {
        let at = format!("kb/rdp_settings.toml: setting {:?}", setting.name);
        if setting.name != setting.name.to_lowercase() || !names.insert(setting.name.as_str()) {
            fail(format!("{at}: names are lower case and listed once"));
        }
        if setting.meaning.trim().is_empty()
            || setting
                .values
                .iter()
                .any(|(k, v)| k.trim().is_empty() || v.trim().is_empty())
        {
            fail(format!(
                "{at}: needs a meaning, and words for every value it lists"
            ));
        }
    }
}

fn check_evidence(declared: &BTreeSet<&str>, id: &str, place: impl FnOnce() -> String) {
    if !declared.contains(id) {
        fail(format!(
            "{}: evidence {id:?} is not declared in kb/evidence/",
            place()
        ));
    }
}

fn validate_causes<'a>(causes: &'a [Cause], declared: &BTreeSet<&str>) -> BTreeSet<&'a str> {
    let mut ids = BTreeSet::new();
    for cause in causes {
        let at = || format!("kb/causes: cause {:?}", cause.id);
        if !ids.insert(cause.id.as_str()) {
            fail(format!("{}: declared twice", at()));
        }
        if cause.title.trim().is_empty() || cause.explanation.trim().is_empty() {
            fail(format!("{}: needs a title and an explanation", at()));
        }
        if cause.who.is_empty() {
            fail(format!("{}: says nobody can fix it (`who` is empty)", at()));
        }
        let mut seen = BTreeSet::new();
        for rule in &cause.rules {
            check_evidence(declared, &rule.evidence, at);
            if !seen.insert(rule.evidence.as_str()) {
                fail(format!(
                    "{}: evidence {:?} has two rules",
                    at(),
                    rule.evidence
                ));
            }
            if !rule.weight.is_finite() || (rule.rules_out && rule.weight > 0.0) {
                fail(format!(
                    "{}: rule for {:?} needs a finite weight, not positive when it rules out",
                    at(),
                    rule.evidence
                ));
            }
        }
        if !cause.rules.iter().any(|r| r.weight > 0.0) {
            fail(format!(
                "{}: no evidence raises it, so it can never be diagnosed",
                at()
            ));
        }
        if cause.fixes.is_empty() {
            fail(format!("{}: has no fix steps", at()));
        }
        for (n, step) in cause.fixes.iter().enumerate() {
            if step.text.trim().is_empty() || step.verify.trim().is_empty() {
                fail(format!(
                    "{}: fix step {} needs text and a verification",
                    at(),
                    n + 1
                ));
            }
            if step.command.is_some() != step.shell.is_some() {
                fail(format!(
                    "{}: fix step {} must give `shell` exactly when it gives a `command`",
                    at(),
                    n + 1
                ));
            }
        }
    }
    ids
}

fn validate_codes(codes: &CodeTables, cause_ids: &BTreeSet<&str>, declared: &BTreeSet<&str>) {
    for (table, entries) in [
        ("disconnect", &codes.disconnect),
        ("extended", &codes.extended),
    ] {
        let mut exact = BTreeMap::<u32, &CodeEntry>::new();
        for entry in entries {
            let at = || {
                format!(
                    "kb/codes.toml: [[{table}]] {:#x} {:?}",
                    entry.value, entry.name
                )
            };
            if entry.name.trim().is_empty() || entry.meaning.trim().is_empty() {
                fail(format!("{}: needs a name and a meaning", at()));
            }
            match entry.through {
                Some(last) if last <= entry.value => {
                    fail(format!("{}: `through` must be above `value`", at()))
                }
                Some(_) => {}
                None => {
                    if exact.insert(entry.value, entry).is_some() {
                        fail(format!("{}: value listed twice", at()));
                    }
                }
            }
            for cause in &entry.causes {
                if !cause_ids.contains(cause.as_str()) {
                    fail(format!("{}: points to unknown cause {cause:?}", at()));
                }
            }
            if let Some(id) = &entry.evidence {
                check_evidence(declared, id, at);
            }
        }
    }
}

/// Status codes and other clients' codes: named, explained, unique per table, evidence declared;
/// every FreeRDP `ERRINFO_*` name stands for a code the extended table explains.
fn validate_named_codes(codes: &CodeTables, declared: &BTreeSet<&str>) {
    let tables: [(&str, &[NamedCode]); 5] = [
        ("status.toml [[hresult]]", &codes.status.hresult),
        ("status.toml [[ntstatus]]", &codes.status.ntstatus),
        ("status.toml [[win32]]", &codes.status.win32),
        (
            "clients.toml [[freerdp_connect]]",
            &codes.clients.freerdp_connect,
        ),
        ("clients.toml [[openssl_ssl]]", &codes.clients.openssl_ssl),
    ];
    for (table, entries) in tables {
        let mut values = BTreeSet::new();
        for entry in entries {
            let at = || format!("kb/{table} {:#x} {:?}", entry.value, entry.name);
            if entry.name.trim().is_empty() || entry.meaning.trim().is_empty() {
                fail(format!("{}: needs a name and a meaning", at()));
            }
            if !values.insert(entry.value) {
                fail(format!("{}: value listed twice", at()));
            }
            if let Some(id) = &entry.evidence {
                check_evidence(declared, id, at);
            }
        }
    }
    for entry in &codes.status.hresult {
        if entry.value >> 16 == 0x8007 {
            fail(format!(
                "kb/status.toml [[hresult]] {:#x}: a Win32 error in an HRESULT belongs in [[win32]] as {}",
                entry.value,
                entry.value & 0xFFFF
            ));
        }
    }
    for errinfo in &codes.clients.freerdp_errinfo {
        if !codes.extended.iter().any(|e| e.covers(errinfo.value)) {
            fail(format!(
                "kb/clients.toml [[freerdp_errinfo]] {:?}: {:#x} is in no [[extended]] entry of kb/codes.toml",
                errinfo.name, errinfo.value
            ));
        }
    }
}

/// Message wording: unique ids, a cited source, known languages, and fragments written the way the
/// decoder compares them (lower case, straight apostrophes, single spaces), so matching needs no
/// work on the patterns at run time.
fn validate_messages(messages: &[Message], declared: &BTreeSet<&str>) {
    let mut ids = BTreeSet::new();
    for message in messages {
        let at = || format!("kb/messages.toml: message {:?}", message.id);
        if !ids.insert(message.id.as_str()) {
            fail(format!("{}: declared twice", at()));
        }
        if message.meaning.trim().is_empty() || message.source.trim().is_empty() {
            fail(format!("{}: needs a meaning and a source", at()));
        }
        check_evidence(declared, &message.evidence, at);
        if !message.text.contains_key("en") {
            fail(format!("{}: needs the English wording", at()));
        }
        for (language, fragments) in &message.text {
            if !LANGUAGES.contains(&language.as_str()) {
                fail(format!(
                    "{}: language {language:?} is not one the decoder reads",
                    at()
                ));
            }
            for fragment in fragments {
                let normal = fragment.split_whitespace().collect::<Vec<_>>().join(" ");
                let folded = normal.to_lowercase().replace(['\u{2019}', '\u{2018}'], "'");
                if fragment_length(fragment) < 12 || *fragment != folded {
                    fail(format!(
                        "{}: fragment {fragment:?} must be at least 12 characters (a CJK character counts two), lower case, with straight apostrophes and single spaces",
                        at()
                    ));
                }
            }
        }
    }
}

/// How specific a fragment is, in Latin letters' worth: a CJK ideograph, kana or hangul syllable
/// carries about a word, so it counts two (the Chinese "要求的函数不受支持" is as specific as "the
/// function requested is not supported", yet nine characters long).
fn fragment_length(fragment: &str) -> usize {
    fragment
        .chars()
        .map(|c| match u32::from(c) {
            0x3040..=0x30FF | 0x3400..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF => 2,
            _ => 1,
        })
        .sum()
}

/// Events: known providers, one entry per provider, ID and variant, declared evidence; every
/// logon failure reason is an NTSTATUS that kb/status.toml names.
fn validate_events(events: &EventTables, codes: &CodeTables, declared: &BTreeSet<&str>) {
    let mut seen = BTreeSet::new();
    for entry in &events.event {
        let at = || format!("kb/events.toml: {} {:?}", entry.provider, entry.ids);
        if !EVENT_PROVIDERS.contains(&entry.provider.as_str()) {
            fail(format!(
                "{}: unknown provider (known: {EVENT_PROVIDERS:?})",
                at()
            ));
        }
        if entry.ids.is_empty() || entry.meaning.trim().is_empty() {
            fail(format!("{}: needs event IDs and a meaning", at()));
        }
        for id in &entry.ids {
            if !seen.insert((entry.provider.as_str(), *id, entry.variant.as_deref())) {
                fail(format!(
                    "{}: event {id} (variant {:?}) listed twice",
                    at(),
                    entry.variant
                ));
            }
        }
        if let Some(id) = &entry.evidence {
            check_evidence(declared, id, at);
        }
    }
    let mut statuses = BTreeSet::new();
    for status in &events.logon_status {
        let at = || format!("kb/events.toml: [[logon_status]] {:#x}", status.status);
        if !statuses.insert(status.status) {
            fail(format!("{}: listed twice", at()));
        }
        if !codes
            .status
            .ntstatus
            .iter()
            .any(|e| e.value == status.status)
        {
            fail(format!("{}: is not an NTSTATUS in kb/status.toml", at()));
        }
        check_evidence(declared, &status.evidence, at);
    }
}

/// Every question must be askable: its `ask_if` evidence comes from an earlier question or from
/// another source, so the wizard can reach it, and it must have an option that tells the engine something.
fn validate_questions(questions: &[Question], declared: &BTreeSet<&str>) {
    let mut ids = BTreeSet::new();
    let mut answerable = BTreeSet::new();
    for q in questions {
        let at = || format!("kb/questions.toml: question {:?}", q.id);
        if !ids.insert(q.id.as_str()) {
            fail(format!("{}: declared twice", at()));
        }
        if q.options.len() < 2 {
            fail(format!("{}: needs at least two options", at()));
        }
        for cond in &q.ask_if {
            check_evidence(declared, cond, at);
            if cond.starts_with("wizard.") && !answerable.contains(cond.as_str()) {
                fail(format!(
                    "{}: `ask_if` {cond:?} is not an answer to an earlier question, so it is unreachable",
                    at()
                ));
            }
        }
        let mut option_ids = BTreeSet::new();
        for option in &q.options {
            if !option_ids.insert(option.id.as_str()) {
                fail(format!("{}: option {:?} listed twice", at(), option.id));
            }
            if let Some(id) = &option.evidence {
                check_evidence(declared, id, at);
                answerable.insert(id.as_str());
            }
            if option.names_cause && !q.context {
                fail(format!(
                    "{}: option {:?} sets `names_cause`, which only means something on a `context` question",
                    at(),
                    option.id
                ));
            }
            for skipped in &option.skips {
                if !questions.iter().any(|other| &other.id == skipped) || skipped == &q.id {
                    fail(format!(
                        "{}: option {:?} skips {skipped:?}, which is no other question",
                        at(),
                        option.id
                    ));
                }
            }
        }
        if q.options.iter().all(|o| o.evidence.is_none()) {
            fail(format!("{}: no option establishes any evidence", at()));
        }
    }
}

/// No orphans: every declared evidence id moves some cause or gates some question, and every
/// wizard id is the answer to some question.
fn validate_evidence_use(
    evidence: &[EvidenceDecl],
    causes: &[Cause],
    questions: &[Question],
    informational: &[Informational],
) {
    let weighed: BTreeSet<&str> = causes
        .iter()
        .flat_map(|c| c.rules.iter().map(|r| r.evidence.as_str()))
        .collect();
    let exempt: BTreeSet<&str> = informational.iter().map(|i| i.evidence.as_str()).collect();
    for info in informational {
        let at = format!("kb/informational.toml: {:?}", info.evidence);
        if !evidence.iter().any(|d| d.id == info.evidence) {
            fail(format!("{at}: is not declared in kb/evidence/"));
        }
        if weighed.contains(info.evidence.as_str()) || info.reason.trim().is_empty() {
            fail(format!(
                "{at}: informational evidence needs a reason and must not weigh any cause"
            ));
        }
    }
    let used: BTreeSet<&str> = causes
        .iter()
        .flat_map(|c| c.rules.iter().map(|r| r.evidence.as_str()))
        .chain(
            questions
                .iter()
                .flat_map(|q| q.ask_if.iter().map(String::as_str)),
        )
        .collect();
    let answered: BTreeSet<&str> = questions
        .iter()
        .flat_map(|q| q.options.iter().filter_map(|o| o.evidence.as_deref()))
        .collect();
    for decl in evidence {
        if !used.contains(decl.id.as_str()) && !exempt.contains(decl.id.as_str()) {
            fail(format!(
                "kb/evidence: {:?} is an orphan: no cause rule or question uses it",
                decl.id
            ));
        }
        if decl.id.starts_with("wizard.") && !answered.contains(decl.id.as_str()) {
            fail(format!(
                "kb/evidence/wizard.toml: {:?} is the answer to no question",
                decl.id
            ));
        }
    }
}

fn validate_scenarios(
    scenarios: &[Scenario],
    cause_ids: &BTreeSet<&str>,
    questions: &[Question],
    declared: &BTreeSet<&str>,
) {
    let mut ids = BTreeSet::new();
    for s in scenarios {
        let at = || format!("kb/scenarios.toml: scenario {:?}", s.id);
        if !ids.insert(s.id.as_str()) {
            fail(format!("{}: declared twice", at()));
        }
        if s.source.trim().is_empty() {
            fail(format!("{}: must cite where the pattern comes from", at()));
        }
        if !cause_ids.contains(s.expect_top.as_str()) {
            fail(format!(
                "{}: expects unknown cause {:?}",
                at(),
                s.expect_top
            ));
        }
        for id in &s.evidence {
            check_evidence(declared, id, at);
        }
        for (question, option) in &s.answers {
            if !names_option(questions, question, option) {
                fail(format!(
                    "{}: answer {question:?} = {option:?} names no question option",
                    at()
                ));
            }
        }
    }
}

/// Each incident with the file it came from, for messages.
fn load_incidents(dir: &Path) -> Vec<(String, Incident)> {
    toml_files(dir)
        .iter()
        .flat_map(|path| {
            let file = format!(
                "kb/incidents/{}",
                path.file_name().unwrap_or_default().display()
            );
            parse::<IncidentFile>(path)
                .incident
                .into_iter()
                .map(move |i| (file.clone(), i))
        })
        .collect()
}

fn validate_incidents(
    incidents: &[(String, Incident)],
    cause_ids: &BTreeSet<&str>,
    questions: &[Question],
) {
    let mut ids = BTreeSet::new();
    let mut urls = BTreeMap::new();
    for (file, incident) in incidents {
        let at = || format!("{file}: incident {:?}", incident.id);
        let well_formed = !incident.id.is_empty()
            && incident
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !well_formed {
            fail(format!("{}: the id must be lowercase [a-z0-9-]", at()));
        }
        if !ids.insert(incident.id.as_str()) {
            fail(format!("{}: declared twice", at()));
        }
        let cited = incident.url.starts_with("https://") || incident.url.starts_with("http://");
        if !cited || incident.title.trim().is_empty() {
            fail(format!(
                "{}: must cite its page (its http(s) url and its title)",
                at()
            ));
        }
        if let Some(other) = urls.insert(incident.url.as_str(), incident.id.as_str()) {
            fail(format!(
                "{}: cites the same page as incident {other:?}",
                at()
            ));
        }
        if incident.report.trim().is_empty() || incident.resolution.trim().is_empty() {
            fail(format!("{}: needs the report and the resolution", at()));
        }
        let proposed = incident.proposed_cause.as_ref().map(|p| &p.id);
        if incident.causes.is_empty() && proposed.is_none() {
            fail(format!("{}: names no cause and proposes none", at()));
        }
        for cause in incident.causes.iter().chain(proposed) {
            if !cause_ids.contains(cause.as_str()) {
                fail(format!(
                    "{}: names cause {cause:?}, which kb/causes/ does not declare",
                    at()
                ));
            }
        }
        for (question, option) in &incident.facts {
            if !names_option(questions, question, option) {
                fail(format!(
                    "{}: fact {question:?} = {option:?} names no question option",
                    at()
                ));
            }
        }
    }
}

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("knowledge base error: {msg}");
    std::process::exit(1)
}

fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| fail(format!("{}: {e}", dir.display())))
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn parse<T: serde::de::DeserializeOwned>(path: &Path) -> T {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| fail(format!("{}: {e}", path.display())));
    toml::from_str(&text).unwrap_or_else(|e| fail(format!("{}: {e}", path.display())))
}

fn load_evidence(dir: &Path) -> Vec<EvidenceDecl> {
    let mut all = Vec::new();
    let mut seen = BTreeSet::new();
    for path in toml_files(dir) {
        let file: EvidenceFile = parse(&path);
        for decl in file.evidence {
            let valid = !decl.id.is_empty()
                && decl.id.split('.').all(|seg| {
                    !seg.is_empty()
                        && seg
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                });
            if !valid {
                fail(format!(
                    "{}: evidence id {:?} must be dotted lower_snake segments",
                    path.display(),
                    decl.id
                ));
            }
            if !seen.insert(decl.id.clone()) {
                fail(format!(
                    "{}: evidence id {:?} is declared twice",
                    path.display(),
                    decl.id
                ));
            }
            if decl.title.trim().is_empty() {
                fail(format!(
                    "{}: evidence {:?} has no title",
                    path.display(),
                    decl.id
                ));
            }
            all.push(decl);
        }
    }
    all
}

/// `cert.key_weak` -> `CertKeyWeak`.
fn variant_name(id: &str) -> String {
    id.split(['.', '_'])
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn evidence_enum(decls: &[EvidenceDecl]) -> String {
    let mut names = BTreeSet::new();
    let mut src = String::from(
        "/// Every kind of evidence the knowledge base declares (generated from `kb/evidence/*.toml`).\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\n\
         pub enum EvidenceId {\n",
    );
    for d in decls {
        let name = variant_name(&d.id);
        if !names.insert(name.clone()) {
            fail(format!(
                "evidence id {:?} collides with another id once turned into a Rust name",
                d.id
            ));
        }
        writeln!(src, "    /// {}\n    {name},", d.title).unwrap();
    }
    src.push_str("}\n\nimpl EvidenceId {\n    pub const ALL: &'static [EvidenceId] = &[\n");
    for d in decls {
        writeln!(src, "        EvidenceId::{},", variant_name(&d.id)).unwrap();
    }
    src.push_str("    ];\n\n    /// The dotted id, as written in the knowledge base.\n    pub fn as_str(self) -> &'static str {\n        match self {\n");
    for d in decls {
        writeln!(
            src,
            "            EvidenceId::{} => {:?},",
            variant_name(&d.id),
            d.id
        )
        .unwrap();
    }
    src.push_str(
        "        }\n    }\n\n    pub fn title(self) -> &'static str {\n        match self {\n",
    );
    for d in decls {
        writeln!(
            src,
            "            EvidenceId::{} => {:?},",
            variant_name(&d.id),
            d.title
        )
        .unwrap();
    }
    src.push_str("        }\n    }\n\n    pub fn layer(self) -> Layer {\n        match self {\n");
    for d in decls {
        writeln!(
            src,
            "            EvidenceId::{} => Layer::{:?},",
            variant_name(&d.id),
            d.layer
        )
        .unwrap();
    }
    src.push_str(
        "        }\n    }\n\n    pub fn parse(id: &str) -> Option<EvidenceId> {\n        \
         EvidenceId::ALL.iter().copied().find(|e| e.as_str() == id)\n    }\n}\n",
    );
    src
}

/// Whether `question` is a wizard question with an option `option`.
fn names_option(questions: &[Question], question: &str, option: &str) -> bool {
    questions
        .iter()
        .find(|q| q.id == question)
        .is_some_and(|q| q.options.iter().any(|o| o.id == option))
}
