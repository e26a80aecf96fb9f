//! The inside view: what the server and client checks (`static/collect/*.ps1`) or a single
//! server command's output established.

use serde::{Deserialize, Serialize};

use super::events::EventReport;
use crate::evidence::{Evidence, Finding, Source, evidence_of};

/// Which command's output was pasted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    RegQuery,
    NetshFirewallRules,
    GetNetConnectionProfile,
    GetService,
    Netstat,
    CertutilStore,
    Icacls,
    W32tmStatus,
    DsregcmdStatus,
    Qwinsta,
    GetNetTcpConnection,
}

impl Command {
    pub fn label(self) -> &'static str {
        match self {
            Command::RegQuery => "reg query",
            Command::NetshFirewallRules => "netsh advfirewall firewall show rule",
            Command::GetNetConnectionProfile => "Get-NetConnectionProfile",
            Command::GetService => "Get-Service",
            Command::Netstat => "netstat -ano",
            Command::CertutilStore => "certutil -store",
            Command::Icacls => "icacls",
            Command::W32tmStatus => "w32tm /query /status",
            Command::DsregcmdStatus => "dsregcmd /status",
            Command::Qwinsta => "qwinsta",
            Command::GetNetTcpConnection => "Get-NetTCPConnection",
        }
    }
}

/// What the input was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "from", content = "command")]
pub enum SnapshotKind {
    ServerCheck,
    ClientCheck,
    Command(Command),
}

impl SnapshotKind {
    pub fn label(self) -> &'static str {
        match self {
            SnapshotKind::ServerCheck => "server check",
            SnapshotKind::ClientCheck => "client check",
            SnapshotKind::Command(command) => command.label(),
        }
    }

    /// Every single command is one support articles ask to run on the server.
    pub fn source(self) -> Source {
        match self {
            SnapshotKind::ClientCheck => Source::ClientCheck,
            SnapshotKind::ServerCheck | SnapshotKind::Command(_) => Source::ServerCheck,
        }
    }
}

/// A section the check could not collect, or that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionError {
    pub section: String,
    pub error: String,
    /// The section needs an elevated PowerShell (Run as administrator).
    pub needs_elevation: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotReport {
    pub snapshot: SnapshotKind,
    pub section_errors: Vec<SectionError>,
    /// Worst first; each problem's detail ends with its fix.
    pub findings: Vec<Finding>,
    /// The server check's events of the last 24 hours, read by the event analyzer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<EventReport>,
}

impl SnapshotReport {
    pub fn evidence(&self) -> Vec<Evidence> {
        let mut evidence = evidence_of(&self.findings, self.snapshot.source());
        if let Some(events) = &self.events {
            evidence.extend(events.evidence());
        }
        evidence
    }

    /// The findings of every part, the events' included.
    pub fn all_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .chain(self.events.iter().flat_map(|e| e.findings.iter()))
    }
}
