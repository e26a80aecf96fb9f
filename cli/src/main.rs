//! `rdp-doctor`: RDP Doctor on the command line. Each subcommand lives in its own module with an
//! `Args` struct and a `run` function; this file only routes.

mod analyze;
mod decode;
mod input;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "rdp-doctor",
    version,
    about = "Find out why a Remote Desktop connection fails (0x904 / 0x7 and friends)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode an error dialog, bare codes ("0x904 0x7", "2308/7") or client event 1026 text.
    Decode(decode::Args),
    /// Read evidence: a server certificate, Windows event logs, or an .rdp file.
    Analyze(analyze::AnalyzeArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Decode(args) => match decode::run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("rdp-doctor: {err}");
                ExitCode::FAILURE
            }
        },
        Command::Analyze(args) => analyze::run(args),
    }
}
