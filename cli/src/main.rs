//! `rdp-doctor`: RDP Doctor on the command line. Each subcommand lives in its own module with an
//! `Args` struct and a `run` function; this file only routes.

mod analyze;
mod decode;
mod diagnose;
mod fleet;
mod input;
mod probe;

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
    /// Rank the likely causes from the error text, wizard answers and evidence.
    Diagnose(diagnose::Args),
    /// Read evidence: a server certificate, Windows event logs, or an .rdp file.
    Analyze(analyze::AnalyzeArgs),
    /// Probe an RDP server from outside: TCP, negotiation, TLS, client compatibility, NLA.
    Probe(probe::ProbeArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Decode(args) => decode::run(&args),
        Command::Diagnose(args) => diagnose::run(&args),
        // These two say in their exit status how severe the findings are.
        Command::Analyze(args) => return analyze::run(args),
        Command::Probe(args) => return probe::main(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("rdp-doctor: {err}");
            ExitCode::FAILURE
        }
    }
}
