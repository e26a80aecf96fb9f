//! `rdp-doctor decode`: what the codes in an error message mean.

use std::fmt::Write as _;
use std::path::PathBuf;

use rdp_doctor_core::codes::{self, Decoded};

use crate::input::{Result, read_bounded};

#[derive(clap::Args)]
pub struct Args {
    /// The error text or codes, e.g. `0x904 0x7`. Without it, the text is read from --file or standard input.
    text: Vec<String>,
    /// Read the text from this file (`-` for standard input).
    #[arg(long, short)]
    file: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(args: &Args) -> Result<()> {
    let text = match (&args.file, args.text.is_empty()) {
        (Some(path), true) => read_bounded(path, codes::MAX_INPUT)?,
        (Some(_), false) => {
            return Err("give the text either as arguments or with --file, not both".into());
        }
        (None, false) => args.text.join(" "),
        (None, true) => read_bounded("-".as_ref(), codes::MAX_INPUT)?,
    };
    let decoded = codes::decode(&text);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&decoded)?);
    } else {
        print!("{}", render(&decoded));
    }
    Ok(())
}

fn render(decoded: &Decoded) -> String {
    let mut out = String::new();
    if decoded.codes.is_empty() && decoded.messages.is_empty() {
        out.push_str(
            "No error code found. Paste the whole error dialog, or codes like `0x904 0x7`.\n",
        );
    }
    for message in &decoded.messages {
        let _ = writeln!(
            out,
            "{:<19} \"{}\" ({}, {})",
            "Message", message.matched, message.client, message.language
        );
        let _ = writeln!(out, "{:<19} {}", "", message.meaning);
        let _ = writeln!(out, "{:<19} Source: {}", "", message.source);
        out.push('\n');
    }
    for code in &decoded.codes {
        let role = code.role.label();
        let name = code.name.as_deref().unwrap_or("unknown code");
        let _ = writeln!(out, "{role:<19} {:<8} ({}) {name}", code.hex, code.value);
        if let Some(kind) = &code.kind {
            let _ = writeln!(out, "{:<19} {kind}", "");
        }
        if let Some(layer) = code.layer {
            let _ = writeln!(out, "{:<18} Layer: {}", "", layer.label());
        }
        match &code.meaning {
            Some(meaning) => {
                let _ = writeln!(out, "{:<18} {meaning}", "");
            }
            None => {
                let _ = writeln!(
                    out,
                    "{:<18} Not in the Remote Desktop code tables; no meaning is guessed.",
                    ""
                );
            }
        }
        if !code.causes.is_empty() {
            let _ = writeln!(out, "{:<18} Points to: {}", "", code.causes.join(", "));
        }
        out.push('\n');
    }
    if decoded.truncated {
        let _ = writeln!(
            out,
            "Only the first {} KiB and {} codes were read.",
            codes::MAX_INPUT / 1024,
            codes::MAX_CODES
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_both_roles_and_unknown_codes() {
        let text = render(&codes::decode("0x904 0x7 0xFFFF"));
        assert!(
            text.contains(
                "Error code          0x904    (2308) disconnectReasonAtClientWinsockFDCLOSE"
            ),
            "{text}"
        );
        assert!(
            text.contains("Extended error code 0x7      (7) exDiscReasonServerDeniedConnection"),
            "{text}"
        );
        assert!(
            text.contains("0xFFFF") && text.contains("unknown code"),
            "{text}"
        );
    }

    #[test]
    fn renders_status_codes_and_wording() {
        let text = render(&codes::decode(
            "An authentication error has occurred. The Local Security Authority cannot be contacted. 0x80090322",
        ));
        assert!(text.contains("Windows status code 0x80090322"), "{text}");
        assert!(text.contains("SEC_E_WRONG_PRINCIPAL"), "{text}");
        assert!(
            text.contains("\"the local security authority cannot be contacted\" (windows, en)"),
            "{text}"
        );
    }
}
