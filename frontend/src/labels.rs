//! Words for the core's enums where the core has none of its own.

use rdp_doctor_core::engine::Reason;
use rdp_doctor_core::evidence::{Severity, Source};
use rdp_doctor_core::kb::model::{Shell, Who};

pub fn source(source: Source) -> &'static str {
    match source {
        Source::ErrorCode => "error code",
        Source::Wizard => "your answer",
        Source::Certificate => "certificate",
        Source::EventLog => "event log",
        Source::RdpFile => ".rdp file",
        Source::Probe => "probe",
        Source::ServerCheck => "server check",
        Source::ClientCheck => "client check",
    }
}

pub fn who(who: Who) -> &'static str {
    match who {
        Who::EndUser => "you (the person connecting)",
        Who::ServerAdmin => "the server's administrator",
        Who::NetworkAdmin => "the network administrator",
    }
}

pub fn who_list(list: &[Who]) -> String {
    list.iter().map(|w| who(*w)).collect::<Vec<_>>().join(", ")
}

pub fn shell(shell: Shell) -> &'static str {
    match shell {
        Shell::Powershell => "PowerShell (as administrator)",
        Shell::Cmd => "Command Prompt (as administrator)",
        Shell::Registry => "Registry",
        Shell::Gpo => "Group Policy",
        Shell::Mmc => "Management console",
    }
}

pub fn severity(severity: Severity) -> (&'static str, &'static str) {
    match severity {
        Severity::Error => ("Problem", "sev-error"),
        Severity::Warning => ("Warning", "sev-warning"),
        Severity::Info => ("Note", "sev-info"),
    }
}

/// Where a reason's evidence came from, with its specifics: "(probe: connected in 8 ms)".
pub fn reason_origin(reason: &Reason) -> String {
    match reason.source {
        // The wizard's detail already reads "answered: …".
        Source::Wizard => format!("(you {})", reason.detail),
        source => format!("({}: {})", self::source(source), reason.detail),
    }
}
