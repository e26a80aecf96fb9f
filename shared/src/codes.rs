//! Decodes what people paste about a failed Remote Desktop connection: the error dialog (in any UI
//! language), bare codes ("0x904 0x7", "2308/7"), client event 1026 text ("Reason= 2308"), the
//! wording of the dialogs that name their cause, Windows status codes (HRESULT, Win32, NTSTATUS,
//! SSPI), FreeRDP's `ERRCONNECT_*`/`ERRINFO_*` errors and OpenSSL error numbers.
//!
//! No crate parses this loose, multilingual text, so the scanner is hand-written: it walks ASCII
//! alphanumeric runs once, bounded by [`MAX_INPUT`] bytes and [`MAX_CODES`] codes. Values are looked
//! up in the knowledge base (`kb/codes.toml`, `status.toml`, `clients.toml`, `messages.toml`); a
//! value that is not there is reported as unknown, never guessed. A status code is named as what
//! it is and never read as a disconnect reason.

mod status;
mod wording;

use serde::{Deserialize, Serialize};

pub use self::wording::RecognisedMessage;
use crate::evidence::{Evidence, EvidenceId, Layer, Source};
use crate::kb::{
    self,
    model::{CodeEntry, NamedCode},
};

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
    /// A Windows status code: an HRESULT (SSPI, certificate, COM), a Win32 error or an NTSTATUS.
    Status,
    /// FreeRDP's own connection error (`ERRCONNECT_*`), as FreeRDP, Remmina and guacd print it.
    FreerdpError,
    /// An OpenSSL error number (`error:0A000102`).
    OpensslError,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::DisconnectReason => "Error code",
            Role::ExtendedReason => "Extended error code",
            Role::Status => "Windows status code",
            Role::FreerdpError => "FreeRDP error",
            Role::OpensslError => "OpenSSL error",
        }
    }
}

/// One code found in the input, with what the knowledge base knows about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecodedCode {
    pub value: u32,
    /// The value in the dialog's notation, e.g. `0x904`.
    pub hex: String,
    pub role: Role,
    /// What the code is beyond its role, e.g. "HRESULT, FACILITY_SECURITY" or "NTSTATUS (error)".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// False when the code is in no table: then name and meaning are absent.
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
    /// Messages whose wording names their cause.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<RecognisedMessage>,
    /// The input was longer than [`MAX_INPUT`] or held more than [`MAX_CODES`] codes.
    pub truncated: bool,
}

impl Decoded {
    /// The evidence the known codes and recognised messages establish, one item per evidence id.
    pub fn evidence(&self) -> Vec<Evidence> {
        let codes = self.codes.iter().filter_map(|code| {
            let name = code.name.as_deref().unwrap_or_default();
            code.evidence.map(|id| (id, format!("{} {name}", code.hex)))
        });
        let messages = self.messages.iter().filter_map(|m| {
            m.evidence.map(|id| {
                (
                    id,
                    format!("message wording \"{}\" ({})", m.matched, m.language),
                )
            })
        });
        let mut out: Vec<Evidence> = Vec::new();
        for (id, detail) in codes.chain(messages) {
            if !out.iter().any(|e| e.id == id) {
                out.push(Evidence::new(id, Source::ErrorCode, detail));
            }
        }
        out
    }
}

/// A Windows status code named: `0x80070040 ERROR_NETNAME_DELETED`, or `0x80091234 (HRESULT,
/// FACILITY_SECURITY …)` when no table names it; `None` for a value that is no status code.
pub fn status_name(value: u32) -> Option<String> {
    let reading = status::read_status(value)?;
    Some(match reading.entry {
        Some(entry) => format!("0x{value:08X} {}", entry.name),
        None => format!("0x{value:08X} ({})", reading.kind),
    })
}

/// What a Windows status code means, when the tables say.
pub fn status_meaning(value: u32) -> Option<&'static str> {
    status::read_status(value)?
        .entry
        .map(|entry| entry.meaning.as_str())
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
        Role::Status | Role::FreerdpError | Role::OpensslError => None,
    }
}

/// An exact entry wins over a range that also covers the value.
fn narrowest(entries: &'static [CodeEntry], value: u32) -> Option<&'static CodeEntry> {
    entries
        .iter()
        .filter(|e| e.covers(value))
        .min_by_key(|e| e.through.unwrap_or(e.value) - e.value)
}

/// Finds the codes and the cause-naming wording in `text` and decodes each.
pub fn decode(text: &str) -> Decoded {
    let (text, mut truncated) = bounded(text);
    let mut decoded = Decoded {
        messages: wording::recognise(&wording::normalise(text)),
        ..Decoded::default()
    };
    let mut masked = ipv4_addresses(text);
    let named = named_codes(text, &mut masked);
    let tokens: Vec<Token> = scan(text)
        .into_iter()
        .filter(|t| {
            !masked
                .iter()
                .any(|m: &std::ops::Range<usize>| m.contains(&t.start))
        })
        .collect();
    // Bare numbers count only when the text has no labelled notation: in a dialog (0x numbers,
    // recognised wording), an event (Reason= N) or a log (named codes), the other numbers are
    // dates, times, process, event and activity ids.
    let labelled = !named.is_empty()
        || !decoded.messages.is_empty()
        || tokens
            .iter()
            .any(|t| matches!(t.kind, Kind::Hex | Kind::Assigned));

    let mut found = named;
    let mut previous_role = None;
    for token in &tokens {
        if let Some(code) = describe_other(text, token) {
            found.push(code);
            continue;
        }
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
        found.push(describe(token.value(role), role));
    }
    for code in found {
        if decoded
            .codes
            .iter()
            .any(|c| c.value == code.value && c.role == code.role)
        {
            continue;
        }
        if decoded.codes.len() == MAX_CODES {
            truncated = true;
            break;
        }
        decoded.codes.push(code);
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
        kind: None,
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

/// A code from another table than the dialog's: a status code (by its severity bits; without
/// `0x` only eight digits that name a known status, and never a GUID's group) or a FreeRDP
/// connection error.
fn describe_other(text: &str, token: &Token) -> Option<DecodedCode> {
    let hex = u32::from_str_radix(token.digits, 16).ok()?;
    if token.kind == Kind::Hex {
        if let Some(reading) = status::read_status(hex) {
            return Some(describe_named(
                hex,
                Role::Status,
                Some(reading.kind),
                reading.entry,
            ));
        }
        return status::read_freerdp(hex)
            .map(|e| describe_named(hex, Role::FreerdpError, None, Some(e)));
    }
    let end = token.start + token.digits.len();
    let in_guid = text[..token.start].ends_with(['{', '-']) || text[end..].starts_with('-');
    if token.digits.len() != 8 || in_guid || !matches!(token.kind, Kind::Decimal | Kind::BareHex) {
        return None;
    }
    status::read_status(hex)
        .filter(|reading| reading.entry.is_some())
        .map(|reading| describe_named(hex, Role::Status, Some(reading.kind), reading.entry))
}

fn describe_named(
    value: u32,
    role: Role,
    kind: Option<String>,
    entry: Option<&'static NamedCode>,
) -> DecodedCode {
    let evidence = entry
        .and_then(|e| e.evidence.as_deref())
        .and_then(EvidenceId::parse);
    DecodedCode {
        value,
        hex: format!("0x{value:08X}"),
        role,
        kind,
        known: entry.is_some(),
        name: entry.map(|e| e.name.clone()),
        meaning: entry.map(|e| e.meaning.clone()),
        layer: evidence.map(EvidenceId::layer),
        causes: Vec::new(),
        evidence,
    }
}

/// How far after a FreeRDP name its value is printed (`ERRINFO_X (0x0000000C)`, `… [0x0002000D]`).
const NAME_VALUE_GAP: usize = 4;

/// Codes named by symbol or by their own notation: FreeRDP's `ERRCONNECT_*` and `ERRINFO_*` names,
/// and OpenSSL's `error:0A000102`. The numbers printed with them are added to `masked`, so they
/// are not read again as dialog codes.
fn named_codes(text: &str, masked: &mut Vec<std::ops::Range<usize>>) -> Vec<DecodedCode> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() && found.len() < MAX_CODES {
        let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        if !is_word(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_word(bytes[i]) {
            i += 1;
        }
        let word = &text[start..i];
        let upper = word.to_ascii_uppercase();
        if upper.starts_with("ERRCONNECT_") {
            if let Some(entry) = status::freerdp_connect_by_name(word) {
                found.push(describe_named(
                    entry.value,
                    Role::FreerdpError,
                    None,
                    Some(entry),
                ));
                masked.push(i..(i + NAME_VALUE_GAP + 2).min(bytes.len()));
            }
        } else if upper.starts_with("ERRINFO_") {
            if let Some(errinfo) = status::freerdp_errinfo_by_name(word) {
                let mut code = describe(errinfo.value, Role::ExtendedReason);
                code.kind = Some(format!("FreeRDP {}", errinfo.name));
                found.push(code);
                masked.push(i..(i + NAME_VALUE_GAP + 2).min(bytes.len()));
            }
        } else if upper == "ERROR" && bytes.get(i) == Some(&b':') {
            let digits = text.get(i + 1..i + 9).unwrap_or_default();
            let after = bytes.get(i + 9).copied();
            let eight_hex_digits = digits.len() == 8
                && digits.bytes().all(|b| b.is_ascii_hexdigit())
                && !after.is_some_and(|b| b.is_ascii_hexdigit());
            let packed = u32::from_str_radix(digits, 16).ok();
            if let Some(packed) = packed.filter(|_| eight_hex_digits) {
                let reading = status::read_openssl(packed);
                let mut code = describe_named(
                    packed,
                    Role::OpensslError,
                    Some(reading.kind),
                    reading.entry,
                );
                code.hex = digits.to_ascii_uppercase();
                found.push(code);
                masked.push(i + 1..i + 9);
            }
        }
    }
    found
}

/// Where `text` holds IPv4 addresses, each with its `:port` if one follows: "10.0.0.5:3389" names
/// the server, and its four numbers and the port are no codes.
fn ipv4_addresses(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let digits_from = |at: usize| {
        bytes[at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts_number = bytes[i].is_ascii_digit()
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'.'));
        if !starts_number {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        let mut octets = 0;
        while octets < 4 {
            let len = digits_from(end);
            let octet_fits = (1..=3).contains(&len)
                && text[end..end + len].parse::<u16>().is_ok_and(|v| v <= 255);
            if !octet_fits {
                break;
            }
            octets += 1;
            end += len;
            if octets < 4 && bytes.get(end) == Some(&b'.') {
                end += 1;
            } else {
                break;
            }
        }
        let ends_cleanly = !bytes.get(end).is_some_and(|&b| {
            b.is_ascii_alphanumeric()
                || (b == b'.' && bytes.get(end + 1).is_some_and(u8::is_ascii_digit))
        });
        if octets == 4 && ends_cleanly {
            if bytes.get(end) == Some(&b':') {
                end += 1 + digits_from(end + 1);
            }
            found.push(start..end);
        }
        i = end.max(start + 1);
    }
    found
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
        // "1) Remote access to the server is not enabled 2) …": a dialog's numbered list.
        let before = text[..start].trim_end();
        let list_marker = run.len() == 1
            && bytes.get(i) == Some(&b')')
            && (start == 0 || bytes[start - 1].is_ascii_whitespace())
            && !before.ends_with('=');
        if list_marker {
            continue;
        }
        if let Some(kind_digits) = classify(run, before.ends_with('=')) {
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
