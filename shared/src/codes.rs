//! Decodes what people paste about a failed Remote Desktop connection: the error dialog (in any UI
//! language), bare codes ("0x904 0x7", "2308/7"), or client event 1026 text ("Reason= 2308").
//!
//! No crate parses this loose, multilingual text, so the scanner is hand-written: it walks ASCII
//! alphanumeric runs once, bounded by [`MAX_INPUT`] bytes and [`MAX_CODES`] codes. Values are looked
//! up in `kb/codes.toml`; a value that is not there is reported as unknown, never guessed.

use serde::{Deserialize, Serialize};

use crate::evidence::{Evidence, EvidenceId, Layer, Source};
use crate::kb::{self, model::CodeEntry};

/// Only this much of the input is read; the rest is ignored and reported as truncated.
pub const MAX_INPUT: usize = 64 * 1024;
/// At most this many codes are reported.
pub const MAX_CODES: usize = 16;

/// How far before a number its label is searched for ("Extended error code: 0x7").
const LABEL_WINDOW: usize = 48;

/// Words that mark the extended reason in the dialog, lower-cased, across Windows UI languages.
const EXTENDED_WORDS: &[&str] = &[
    "extended",
    "erweitert",
    "étendu",
    "etendu",
    "extendido",
    "estendido",
    "esteso",
    "extins",
    "uitgebreid",
    "rozszerzon",
    "rozšířen",
    "rozšíren",
    "расширен",
    "розширен",
    "разширен",
    "genişletilmiş",
    "utökad",
    "udvidet",
    "utvidet",
    "laajennettu",
    "kiterjesztett",
    "εκτεταμένο",
    "מורחב",
    "موسع",
    "拡張",
    "扩展",
    "擴充",
    "延伸",
    "확장",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The main code ("Error code: 0x904").
    DisconnectReason,
    /// The extended code ("Extended error code: 0x7").
    ExtendedReason,
}

/// One code found in the input, with what the knowledge base knows about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecodedCode {
    pub value: u32,
    /// The value in the dialog's notation, e.g. `0x904`.
    pub hex: String,
    pub role: Role,
    /// False when the code is in no table: then name, meaning and layer are absent.
    pub known: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meaning: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<Layer>,
    /// Cause ids (see `kb::cause`) the code points to, most telling first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<EvidenceId>,
}

/// Everything found in one piece of text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Decoded {
    pub codes: Vec<DecodedCode>,
    /// The input was longer than [`MAX_INPUT`] or held more than [`MAX_CODES`] codes.
    pub truncated: bool,
}

impl Decoded {
    /// The evidence the known codes establish, one item per evidence id.
    pub fn evidence(&self) -> Vec<Evidence> {
        let mut out: Vec<Evidence> = Vec::new();
        for code in &self.codes {
            let Some(id) = code.evidence else { continue };
            if out.iter().any(|e| e.id == id) {
                continue;
            }
            let name = code.name.as_deref().unwrap_or_default();
            out.push(Evidence::new(
                id,
                Source::ErrorCode,
                format!("{} {name}", code.hex),
            ));
        }
        out
    }
}

/// The knowledge base entry for a disconnect reason.
pub fn lookup_disconnect(value: u32) -> Option<&'static CodeEntry> {
    narrowest(&kb::codes().disconnect, value)
}

/// The knowledge base entry for an extended disconnect reason.
pub fn lookup_extended(value: u32) -> Option<&'static CodeEntry> {
    narrowest(&kb::codes().extended, value)
}

fn lookup(role: Role, value: u32) -> Option<&'static CodeEntry> {
    match role {
        Role::DisconnectReason => lookup_disconnect(value),
        Role::ExtendedReason => lookup_extended(value),
    }
}

/// An exact entry wins over a range that also covers the value.
fn narrowest(entries: &'static [CodeEntry], value: u32) -> Option<&'static CodeEntry> {
    entries
        .iter()
        .filter(|e| e.covers(value))
        .min_by_key(|e| e.through.unwrap_or(e.value) - e.value)
}

/// Finds the codes in `text` and decodes each.
pub fn decode(text: &str) -> Decoded {
    let (text, mut truncated) = bounded(text);
    let tokens = scan(text);
    // Bare numbers count only when the text has no labelled notation: in a dialog (0x numbers) or
    // an event (Reason= N), the other numbers are dates, times, event ids and activity ids.
    let labelled = tokens
        .iter()
        .any(|t| matches!(t.kind, Kind::Hex | Kind::Assigned));

    let mut decoded = Decoded::default();
    let mut previous_role = None;
    for token in &tokens {
        let role = match token.kind {
            // "Reason= 2308" is client event 1026, which carries only the disconnect reason.
            Kind::Assigned => Role::DisconnectReason,
            Kind::Decimal | Kind::BareHex if labelled => continue,
            _ if is_labelled_extended(text, token.start, token.label_from) => Role::ExtendedReason,
            // The dialog and bare pairs list the disconnect reason first, then the extended one.
            _ if previous_role == Some(Role::DisconnectReason) => Role::ExtendedReason,
            _ => Role::DisconnectReason,
        };
        previous_role = Some(role);
        let value = token.value(role);
        if decoded
            .codes
            .iter()
            .any(|c| c.value == value && c.role == role)
        {
            continue;
        }
        if decoded.codes.len() == MAX_CODES {
            truncated = true;
            break;
        }
        decoded.codes.push(describe(value, role));
    }
    decoded.truncated = truncated;
    decoded
}

fn describe(value: u32, role: Role) -> DecodedCode {
    let entry = lookup(role, value);
    DecodedCode {
        value,
        hex: format!("0x{value:X}"),
        role,
        known: entry.is_some(),
        name: entry.map(|e| e.name.clone()),
        meaning: entry.map(|e| e.meaning.clone()),
        layer: entry.map(|e| e.layer),
        causes: entry.map(|e| e.causes.clone()).unwrap_or_default(),
        evidence: entry
            .and_then(|e| e.evidence.as_deref())
            .and_then(EvidenceId::parse),
    }
}

/// The first [`MAX_INPUT`] bytes, cut at a character boundary.
fn bounded(text: &str) -> (&str, bool) {
    if text.len() <= MAX_INPUT {
        return (text, false);
    }
    let mut end = MAX_INPUT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], true)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `0x904`
    Hex,
    /// `2308`
    Decimal,
    /// `2308` right after `=`, as in event 1026's "Reason= 2308".
    Assigned,
    /// `a06`: hex digits without `0x`, with at least one letter and one digit.
    BareHex,
}

#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    kind: Kind,
    digits: &'a str,
    start: usize,
    /// Where this number's label can start: after the previous number or line break.
    label_from: usize,
}

impl Token<'_> {
    fn value(&self, role: Role) -> u32 {
        let decimal = self.digits.parse::<u32>().ok();
        let hex = u32::from_str_radix(self.digits, 16).ok();
        match self.kind {
            Kind::Hex | Kind::BareHex => hex.unwrap_or_default(),
            Kind::Assigned => decimal.unwrap_or_default(),
            // "904 7": people drop the 0x. Read as decimal unless only the hex reading is a known code.
            Kind::Decimal => match (decimal, hex) {
                (Some(d), Some(h)) if lookup(role, d).is_none() && lookup(role, h).is_some() => h,
                (Some(d), _) => d,
                (None, h) => h.unwrap_or_default(),
            },
        }
    }
}

/// Splits `text` into ASCII alphanumeric runs and keeps those that are numbers fitting in a u32.
fn scan(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut label_from = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            label_from = i + 1;
        }
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let run = &text[start..i];
        if let Some(kind_digits) = classify(run, text[..start].trim_end().ends_with('=')) {
            let (kind, digits) = kind_digits;
            tokens.push(Token {
                kind,
                digits,
                start,
                label_from,
            });
            label_from = i;
        }
    }
    tokens
}

fn classify(run: &str, after_equals: bool) -> Option<(Kind, &str)> {
    let fits = |digits: &str, radix: u32| u32::from_str_radix(digits, radix).is_ok();
    if let Some(digits) = run.strip_prefix("0x").or_else(|| run.strip_prefix("0X")) {
        return (!digits.is_empty()
            && digits.bytes().all(|b| b.is_ascii_hexdigit())
            && fits(digits, 16))
        .then_some((Kind::Hex, digits));
    }
    if run.bytes().all(|b| b.is_ascii_digit()) {
        let kind = if after_equals {
            Kind::Assigned
        } else {
            Kind::Decimal
        };
        return fits(run, 10).then_some((kind, run));
    }
    let hex_shaped = run.bytes().all(|b| b.is_ascii_hexdigit())
        && run.bytes().any(|b| b.is_ascii_digit())
        && run.bytes().any(|b| b.is_ascii_alphabetic());
    (hex_shaped && fits(run, 16)).then_some((Kind::BareHex, run))
}

/// Whether the words just before the number (same line, since the previous number) mark it extended.
fn is_labelled_extended(text: &str, start: usize, label_from: usize) -> bool {
    let mut from = label_from.max(start.saturating_sub(LABEL_WINDOW));
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let label = text[from..start].to_lowercase();
    EXTENDED_WORDS.iter().any(|w| label.contains(w))
}
