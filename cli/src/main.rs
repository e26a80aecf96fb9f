//! `rdp-doctor` on the command line. (This branch carries only the `probe` command; the other
//! commands are merged in from their own branch.)

use clap::{Parser, Subcommand};

mod probe;

#[derive(Parser)]
#[command(
    name = "rdp-doctor",
    version,
    about = "Diagnose Remote Desktop connection failures"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Probe an RDP server from outside: TCP, negotiation, TLS, client compatibility, NLA.
    Probe(probe::ProbeArgs),
}

fn main() -> std::process::ExitCode {
    match Cli::parse().command {
        Command::Probe(args) => probe::main(args),
    }
}
