//! `rdp-doctor`: RDP Doctor on the command line.

mod analyze;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "rdp-doctor",
    version,
    about = "Diagnose Remote Desktop connection failures (0x904 / 0x7 and relatives)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Read evidence: a server certificate, Windows event logs, or an .rdp file.
    Analyze(analyze::AnalyzeArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Analyze(args) => analyze::run(args),
    }
}
