//! Words for the core's enums where the core has none of its own.

use rdp_doctor_core::engine::Reason;
use rdp_doctor_core::evidence::{Severity, Source};
use rdp_doctor_core::kb::model::{Shell, Who};
use rdp_doctor_core::report::StageStatus;

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

/// A probe stage's status and its badge class.
pub fn stage_status(status: StageStatus) -> (&'static str, &'static str) {
    match status {
        StageStatus::Ok => ("Passed", "sev-ok"),
        StageStatus::Failed => ("Failed", "sev-error"),
        // Neither good nor bad: the plain badge.
        StageStatus::Skipped => ("Skipped", "neutral"),
        StageStatus::NotApplicable => ("Not applicable", "neutral"),
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

/// What a TLS alert a server sends instead of a ServerHello means, in words (RFC 8446 §6 and
/// RFC 5246 §7.2); `None` for alerts a server does not send at that point.
pub fn tls_alert(description: u8) -> Option<&'static str> {
    Some(match description {
        40 => {
            "nothing in common with this offer (TLS version, cipher suites or signature algorithms)"
        }
        47 => "the server found a value in the offer invalid",
        50 => "the server could not read the offer",
        70 => "the server does not accept this TLS version",
        71 => "the server requires stronger cipher suites than offered",
        80 => "the server failed internally (on Windows, often its certificate's private key)",
        86 => "the server saw a downgrade it refuses",
        109 => "the server requires an extension the offer lacks",
        112 => "the server does not know the name asked for",
        _ => return None,
    })
}

/// "Windows 7 or Server 2008 R2 (6.1.7601)" from the version an NTLM CHALLENGE carries.
pub fn windows_version(version: &str) -> String {
    let mut parts = version.split('.');
    let major_minor = (parts.next(), parts.next());
    let build: Option<u32> = parts.next().and_then(|b| b.parse().ok());
    let name = match major_minor {
        (Some("10"), Some("0")) => match build {
            Some(b) if b >= 22000 => "Windows 11 or Server 2022/2025",
            Some(b) if b >= 20348 => "Windows Server 2022",
            Some(b) if b >= 17763 => "Windows 10 or Server 2019",
            _ => "Windows 10 or Server 2016",
        },
        (Some("6"), Some("3")) => "Windows 8.1 or Server 2012 R2",
        (Some("6"), Some("2")) => "Windows 8 or Server 2012",
        (Some("6"), Some("1")) => "Windows 7 or Server 2008 R2",
        (Some("6"), Some("0")) => "Windows Vista or Server 2008",
        _ => return version.to_owned(),
    };
    format!("{name} ({version})")
}

/// Clock skew in plain units: "5 min 12 s ahead of the probe's clock".
pub fn clock_skew(skew_ms: i64) -> String {
    let seconds = (skew_ms.unsigned_abs() + 500) / 1000;
    if seconds < 2 {
        return "in step with the probe's clock".to_owned();
    }
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let amount = match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, _) => format!("{m} min {s} s"),
        _ => format!("{h} h {m} min"),
    };
    let side = if skew_ms > 0 { "ahead of" } else { "behind" };
    // Kerberos refuses more than 5 minutes of skew by default.
    let note = if seconds > 300 {
        ": more than the 5 minutes Kerberos allows"
    } else {
        ""
    };
    format!("{amount} {side} the probe's clock{note}")
}
