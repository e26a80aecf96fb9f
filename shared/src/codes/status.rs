//! Codes that are not the Remote Desktop client's disconnect reasons: Windows status codes
//! (HRESULT, Win32, NTSTATUS, SSPI), FreeRDP's own errors and OpenSSL error numbers. Each is named
//! as what it is; its meaning comes from `kb/status.toml` and `kb/clients.toml`, or stays unknown.

use crate::kb::{
    self,
    model::{ErrinfoName, NamedCode},
};

/// What kind of code a value is, with its knowledge-base entry when there is one.
pub(super) struct Reading {
    pub kind: String,
    pub entry: Option<&'static NamedCode>,
}

/// Reads a value with the severity bits of an HRESULT or NTSTATUS (0x8…-0xF…). Such values are
/// never disconnect reasons: those stay below 0x10000.
pub(super) fn read_status(value: u32) -> Option<Reading> {
    let tables = &kb::codes().status;
    let find = |entries: &'static [NamedCode], v: u32| entries.iter().find(|e| e.value == v);
    match value >> 28 {
        // NTSTATUS with error severity (and 0xD…, an NTSTATUS carried in an HRESULT).
        0xC..=0xF => Some(Reading {
            kind: "NTSTATUS (error)".into(),
            entry: find(&tables.ntstatus, value),
        }),
        0x8..=0xB => {
            let facility = (value >> 16) & 0x7FF;
            if facility == 7 {
                let code = value & 0xFFFF;
                return Some(Reading {
                    kind: format!("HRESULT from Win32 error {code}"),
                    entry: find(&tables.win32, code),
                });
            }
            let facility_name = tables
                .facility
                .iter()
                .find(|f| f.value == facility)
                .map_or_else(|| format!("facility {facility}"), |f| f.name.clone());
            Some(Reading {
                kind: format!("HRESULT, {facility_name}"),
                entry: find(&tables.hresult, value),
            })
        }
        _ => None,
    }
}

/// A FreeRDP connection error as FreeRDP prints it (`[0x0002000D]`): class 2 in the high bits.
pub(super) fn read_freerdp(value: u32) -> Option<&'static NamedCode> {
    (value >> 16 == 2)
        .then(|| {
            kb::codes()
                .clients
                .freerdp_connect
                .iter()
                .find(|e| e.value == value)
        })
        .flatten()
}

pub(super) fn freerdp_connect_by_name(name: &str) -> Option<&'static NamedCode> {
    kb::codes()
        .clients
        .freerdp_connect
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case(name))
}

pub(super) fn freerdp_errinfo_by_name(name: &str) -> Option<&'static ErrinfoName> {
    kb::codes()
        .clients
        .freerdp_errinfo
        .iter()
        .find(|e| e.name.eq_ignore_ascii_case(name))
}

/// An OpenSSL packed error (`0A000102` in OpenSSL 3, `1425F102` in 1.1): the library and reason,
/// and the table entry when the library is `ssl` (20) and the reason is known.
pub(super) fn read_openssl(packed: u32) -> Reading {
    // OpenSSL 3 packs the library in bits 23-30 and the reason in bits 0-22; 1.1 packs the
    // library in bits 24-31, a function code in 12-23 and the reason in 0-11.
    let (library, reason) = if packed & 0x8000_0000 == 0 && (packed >> 23) & 0xFF == 20 {
        (20, packed & 0x7F_FFFF)
    } else {
        (packed >> 24, packed & 0xFFF)
    };
    let entry = (library == 20)
        .then(|| {
            kb::codes()
                .clients
                .openssl_ssl
                .iter()
                .find(|e| e.value == reason)
        })
        .flatten();
    let kind = if library == 20 {
        format!("OpenSSL error, library ssl, reason {reason}")
    } else {
        format!("OpenSSL error, library {library}, reason {reason}")
    };
    Reading { kind, entry }
}
