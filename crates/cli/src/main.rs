//! `ferry`: Ferry's command-line interface.
//!
//! The CLI is a thin shell over the same Tauri-free crates the desktop app uses:
//! each subcommand lives in its own module (`solution`, `host`, …), parses its
//! arguments with clap and prints either words for people or `--json` for
//! scripts. Errors go to stderr as one sentence that says what to do, and the
//! process exits non-zero.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod host;
mod solution;

/// Deploy Power Platform solutions through Pipelines, from the command line.
#[derive(Debug, Parser)]
#[command(name = "ferry", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read solution packages (.zip exports and unpacked source folders).
    #[command(subcommand)]
    Solution(solution::SolutionCommand),
    /// Run the local pipelines host (the "Local sandbox").
    #[command(subcommand)]
    Host(host::HostCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Solution(cmd) => solution::run(cmd),
        Command::Host(cmd) => host::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
