//! The knowledge base's data model, as written in `shared/kb/**/*.toml`.
//!
//! This file is compiled twice: by `build.rs` (to load and validate the TOML at build time)
//! and by the crate (to read the validated, embedded copy). Keep it free of crate imports.

use serde::{Deserialize, Serialize};

/// Where along the connection path something happens, in the order a connection climbs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    Client,
    Dns,
    Network,
    Tcp,
    Negotiation,
    Tls,
    Nla,
    Logon,
    Licensing,
    Session,
}

impl Layer {
    pub const ALL: [Layer; 10] = [
        Layer::Client,
        Layer::Dns,
        Layer::Network,
        Layer::Tcp,
        Layer::Negotiation,
        Layer::Tls,
        Layer::Nla,
        Layer::Logon,
        Layer::Licensing,
        Layer::Session,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Layer::Client => "Client",
            Layer::Dns => "Name resolution",
            Layer::Network => "Network path",
            Layer::Tcp => "TCP",
            Layer::Negotiation => "RDP negotiation",
            Layer::Tls => "TLS",
            Layer::Nla => "NLA / CredSSP",
            Layer::Logon => "Logon",
            Layer::Licensing => "Licensing",
            Layer::Session => "Session",
        }
    }
}

/// One kind of evidence: something a code, an answer, an analyzer or the probe can establish.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceDecl {
    /// Dotted id, e.g. `cert.expired`; its first segment names the source.
    pub id: String,
    /// Short statement of the fact, e.g. "The server certificate has expired".
    pub title: String,
    pub layer: Layer,
}

/// One file under `kb/evidence/`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceFile {
    #[serde(default)]
    pub evidence: Vec<EvidenceDecl>,
}

/// Who can carry out a fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    EndUser,
    ServerAdmin,
    NetworkAdmin,
}

/// Where a fix step's command is typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Shell {
    Powershell,
    Cmd,
    Registry,
    Gpo,
    Mmc,
}

/// One disconnect or extended reason code (or an inclusive range sharing one meaning).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeEntry {
    pub value: u32,
    /// Last value of a range that shares this entry, inclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub through: Option<u32>,
    pub name: String,
    pub meaning: String,
    pub layer: Layer,
    /// Causes this code points to, most telling first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<String>,
    /// Evidence the code establishes for the engine, if it tells the engine anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

impl CodeEntry {
    pub fn covers(&self, value: u32) -> bool {
        value >= self.value && value <= self.through.unwrap_or(self.value)
    }
}

/// What the decoder reads, embedded as one table set: `kb/codes.toml` gives the client's
/// disconnect and extended reasons; build.rs adds `kb/status.toml`, `kb/clients.toml` and
/// `kb/messages.toml` (those fields are absent from `codes.toml` itself).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeTables {
    pub disconnect: Vec<CodeEntry>,
    pub extended: Vec<CodeEntry>,
    #[serde(default)]
    pub status: StatusTables,
    #[serde(default)]
    pub clients: ClientTables,
    #[serde(default)]
    pub messages: Vec<Message>,
}

/// A code with a symbolic name in some other table than the client's disconnect reasons: a
/// Windows status code, a FreeRDP error, an OpenSSL reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedCode {
    pub value: u32,
    /// The symbolic name, e.g. `SEC_E_WRONG_PRINCIPAL`.
    pub name: String,
    pub meaning: String,
    /// Evidence the code establishes, when it points to causes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// One HRESULT facility (bits 16-26 of an HRESULT).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facility {
    pub value: u32,
    pub name: String,
}

/// `kb/status.toml`: Windows status codes as MS-ERREF publishes them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusTables {
    /// HRESULTs that are not Win32 errors in disguise (SSPI `SEC_E_*`, `CERT_E_*`, COM).
    pub hresult: Vec<NamedCode>,
    /// NTSTATUS values (`0xC000006D`).
    pub ntstatus: Vec<NamedCode>,
    /// Win32 error codes; `0x8007xxxx` HRESULTs carry them in their low 16 bits.
    pub win32: Vec<NamedCode>,
    pub facility: Vec<Facility>,
}

/// `kb/clients.toml`: other clients' own error tables.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientTables {
    /// FreeRDP's `ERRCONNECT_*` codes; `value` is the code as FreeRDP prints it (class 2 in the
    /// high 16 bits, `FREERDP_ERROR_CONNECT_CLASS`).
    pub freerdp_connect: Vec<NamedCode>,
    /// FreeRDP's `ERRINFO_*` names; their values are the server's error info codes, which the
    /// extended reason table already explains.
    pub freerdp_errinfo: Vec<ErrinfoName>,
    /// OpenSSL reason codes (the low bits of `error:0A000102`) of the library `ssl`.
    pub openssl_ssl: Vec<NamedCode>,
}

/// A FreeRDP `ERRINFO_*` name and the error info code it stands for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrinfoName {
    pub name: String,
    pub value: u32,
}

/// Wording of an error message that names its cause, as the clients show it, per UI language.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    pub id: String,
    /// Which client or tool shows it: `windows` (mstsc, Windows App, web client), `freerdp`,
    /// `guacamole`, `rdesktop`, `rdpwrap` (RDP Wrapper's configuration tool).
    pub client: String,
    pub meaning: String,
    /// Evidence the message establishes.
    pub evidence: String,
    /// Where the wording comes from, per language.
    pub source: String,
    /// Language code (`en`, `de`, …) to fragments of the real wording; any one fragment matches,
    /// case-insensitively and with whitespace and apostrophes normalised.
    pub text: std::collections::BTreeMap<String, Vec<String>>,
}

/// How one kind of evidence moves one cause, in log-odds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub evidence: String,
    /// Positive raises the cause, negative lowers it.
    pub weight: f64,
    /// The evidence excludes the cause outright.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rules_out: bool,
}

/// One step of a fix: what to do, how to check it worked, and what could go wrong.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixStep {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shell: Option<Shell>,
    pub verify: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
}

/// A root cause of a failed connection and how to fix it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cause {
    pub id: String,
    pub title: String,
    pub who: Vec<Who>,
    pub layer: Layer,
    /// Log-odds before any evidence; common causes sit above zero.
    #[serde(default)]
    pub prior: f64,
    pub explanation: String,
    pub rules: Vec<Rule>,
    pub fixes: Vec<FixStep>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
}

/// One file under `kb/causes/`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CauseFile {
    #[serde(default)]
    pub cause: Vec<Cause>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerOption {
    pub id: String,
    pub label: String,
    /// What choosing this option establishes; none for "I don't know".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// Questions this answer makes moot, which are then never asked (someone who only uses
    /// the client is not asked what the server's event log shows).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skips: Vec<String>,
    /// On a `context` question: this answer is no mere setup but a cause in itself ("the server
    /// runs Windows Home", which cannot host Remote Desktop), so it weighs like a symptom.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub names_cause: bool,
}

/// A symptom question of the wizard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Ask only once one of these is known (e.g. "what changed" only if it used to work).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ask_if: Vec<String>,
    /// The answer describes the setup (where the server is, which app, which account) rather
    /// than the failure: it may strengthen a cause other evidence supports, never lift one alone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub context: bool,
    pub options: Vec<AnswerOption>,
}

/// `kb/questions.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionFile {
    #[serde(default)]
    pub question: Vec<Question>,
}

/// What one .rdp file setting means, in words (`kb/rdp_settings.toml`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RdpSettingInfo {
    pub name: String,
    pub meaning: String,
    /// What each value means, for settings whose numbers stand for choices.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub values: std::collections::BTreeMap<String, String>,
}

/// `kb/rdp_settings.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RdpSettingsFile {
    #[serde(default)]
    pub setting: Vec<RdpSettingInfo>,
}

/// The validated causes and questions as embedded in the crate. The code tables are embedded
/// apart: decoding an error needs only them, and the page's first screen decodes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeBase {
    pub causes: Vec<Cause>,
    pub questions: Vec<Question>,
    #[serde(default)]
    pub rdp_settings: Vec<RdpSettingInfo>,
}

/// A realistic case: evidence and answers in, the cause that must come out on top.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub id: String,
    pub title: String,
    /// Where the pattern comes from (article, forum thread, documentation).
    pub source: String,
    /// Error text as the person would paste it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_text: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// The person's answers to the wizard, question id to option id.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub answers: std::collections::BTreeMap<String, String>,
    pub expect_top: String,
}

/// `kb/scenarios.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    #[serde(default)]
    pub scenario: Vec<Scenario>,
}

/// Evidence shown to the person that deliberately weighs no cause.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Informational {
    pub evidence: String,
    pub reason: String,
}

/// `kb/informational.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InformationalFile {
    #[serde(default)]
    pub informational: Vec<Informational>,
}

/// A real, publicly documented incident with a confirmed resolution (`kb/incidents/*.toml`):
/// what the reporter said, and the cause the resolution confirmed. The accuracy runner replays
/// it through the decoder, the event analyzer and the wizard. Incidents are for measuring the
/// engine only: they are never embedded in the runtime bundles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    /// Unique, stable, lowercase `[a-z0-9-]`; it decides the incident's part (see [`Part`]).
    pub id: String,
    /// The exact page the incident comes from.
    pub url: String,
    /// The page's title as published.
    pub title: String,
    pub kind: IncidentKind,
    /// The error text the reporter quoted, verbatim ("" when they quoted none).
    #[serde(default)]
    pub error_text: String,
    /// What the reporter stated before any answer.
    pub report: String,
    /// Event log lines the reporter quoted, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<String>,
    /// What the reporter stated, as wizard answers: question id to option id.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub facts: std::collections::BTreeMap<String, String>,
    /// Stated facts the wizard had no question for when the incident was written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unmapped_facts: Vec<String>,
    /// The confirmed fix.
    pub resolution: String,
    /// The causes the resolution maps to; the first is the true cause.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<String>,
    /// The cause the researcher proposed when the catalogue had none (then `causes` is empty);
    /// its id must since have been added to `kb/causes/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_cause: Option<ProposedCause>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    Qa,
    IssueTracker,
    MicrosoftLearn,
    Forum,
    Blog,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProposedCause {
    pub id: String,
    pub title: String,
    pub layer: String,
}

/// `kb/incidents/*.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentFile {
    #[serde(default)]
    pub incident: Vec<Incident>,
}

/// Which part of the corpus an incident belongs to. The knowledge base is tuned on `Tune` only;
/// `Validation` is held out to measure it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Tune,
    Validation,
}

/// Percent of the corpus held out for validation (about; the split is by hash, not by count).
pub const VALIDATION_PERCENT: u64 = 40;

impl Incident {
    /// The part is a pure function of the id: FNV-1a (64-bit) of its bytes, modulo 100, below
    /// [`VALIDATION_PERCENT`] is validation. Adding or editing other incidents never moves one.
    pub fn part(&self) -> Part {
        part_of(&self.id)
    }

    /// The confirmed cause: the first of `causes`, or the proposed one.
    pub fn true_cause(&self) -> &str {
        self.causes
            .first()
            .map(String::as_str)
            .or(self.proposed_cause.as_ref().map(|p| p.id.as_str()))
            .unwrap_or_default()
    }
}

/// See [`Incident::part`].
pub fn part_of(id: &str) -> Part {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let hash = id
        .bytes()
        .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME));
    if hash % 100 < VALIDATION_PERCENT {
        Part::Validation
    } else {
        Part::Tune
    }
}

/// How serious an event is (mirrors the analyzers' finding severity).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventLevel {
    Info,
    Warning,
    Error,
}

/// What one known Windows event means (`kb/events.toml`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventEntry {
    /// The catalogue's key for the provider (`schannel`, `termdd`, …).
    pub provider: String,
    pub ids: Vec<u32>,
    /// A reading of the event the catalogue picks from its fields (e.g. `client`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    pub meaning: String,
    pub severity: EventLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice: Option<String>,
}

/// A reason a logon failed (Security 4625 Status / SubStatus), with its evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogonStatus {
    pub status: u32,
    pub reason: String,
    pub evidence: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice: Option<String>,
}

/// `kb/events.toml`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventTables {
    pub event: Vec<EventEntry>,
    pub logon_status: Vec<LogonStatus>,
}
