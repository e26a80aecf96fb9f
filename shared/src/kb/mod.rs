//! The knowledge base: data files under `shared/kb/`, validated by `build.rs` and embedded here as
//! minified JSON, parsed once on first use. The code tables are a file of their own, so a
//! program that only decodes errors (the page's first screen) carries none of the causes.

pub mod model;

use std::sync::OnceLock;

use model::{Cause, CodeTables, KnowledgeBase, Question, RdpSettingInfo};

const KB_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/kb.json"));
const CODES_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/codes.json"));

/// The validated causes and questions.
pub fn knowledge() -> &'static KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    // The JSON is written by build.rs from the same model types after validation, so it always
    // parses; an empty knowledge base instead would give wrong diagnoses without a word.
    #[allow(clippy::expect_used)]
    KB.get_or_init(|| {
        serde_json::from_str(KB_JSON).expect("build.rs embeds valid knowledge base JSON")
    })
}

pub fn causes() -> &'static [Cause] {
    &knowledge().causes
}

pub fn cause(id: &str) -> Option<&'static Cause> {
    causes().iter().find(|c| c.id == id)
}

pub fn questions() -> &'static [Question] {
    &knowledge().questions
}

pub fn question(id: &str) -> Option<&'static Question> {
    questions().iter().find(|q| q.id == id)
}

/// What the .rdp setting `name` means, if the knowledge base describes it.
pub fn rdp_setting(name: &str) -> Option<&'static RdpSettingInfo> {
    knowledge()
        .rdp_settings
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(name.trim()))
}

/// The event catalogue's meanings (`kb/events.toml`); only the event analyzer reads it.
#[cfg(feature = "analyzers")]
pub fn events() -> &'static model::EventTables {
    const EVENTS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/events.json"));
    static EVENTS: OnceLock<model::EventTables> = OnceLock::new();
    // Written by build.rs from the same model types after validation, so it always parses.
    #[allow(clippy::expect_used)]
    EVENTS.get_or_init(|| {
        serde_json::from_str(EVENTS_JSON).expect("build.rs embeds valid event table JSON")
    })
}

pub fn codes() -> &'static CodeTables {
    static CODES: OnceLock<CodeTables> = OnceLock::new();
    // Written by build.rs from the same model types after validation, so it always parses.
    #[allow(clippy::expect_used)]
    CODES.get_or_init(|| {
        serde_json::from_str(CODES_JSON).expect("build.rs embeds valid code table JSON")
    })
}
