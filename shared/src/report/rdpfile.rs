//! An .rdp file analysis: its settings, the target it names and the findings.

use serde::{Deserialize, Serialize};

use super::target::Target;
use crate::evidence::{Evidence, Finding, Source, evidence_of};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RdpSetting {
    /// As written in the file (names are matched case-insensitively).
    pub name: String,
    /// `s`, `i` or `b`.
    pub kind: String,
    pub value: String,
    /// 1-based line number.
    pub line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RdpFileReport {
    /// Host and port the client connects to, for the probe.
    pub target: Option<Target>,
    pub settings: Vec<RdpSetting>,
    pub findings: Vec<Finding>,
    /// Lines that were neither blank nor `name:type:value`.
    pub unreadable_lines: usize,
}

impl RdpFileReport {
    pub fn evidence(&self) -> Vec<Evidence> {
        evidence_of(&self.findings, Source::RdpFile)
    }

    /// The value of the last setting called `name` (mstsc lets a later line override an earlier one).
    pub fn setting(&self, name: &str) -> Option<&str> {
        self.settings
            .iter()
            .rev()
            .find(|s| s.name.eq_ignore_ascii_case(name))
            .map(|s| s.value.as_str())
    }

    /// The last setting called `name` read as an integer.
    pub fn integer(&self, name: &str) -> Option<i64> {
        self.setting(name).and_then(|v| v.trim().parse().ok())
    }
}
