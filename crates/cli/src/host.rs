//! `ferry host …` (owned by the local-host work; placeholder until it lands).

use std::process::ExitCode;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum HostCommand {
    /// Serve the local pipelines host over HTTP.
    Serve,
}

pub fn run(cmd: HostCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        HostCommand::Serve => anyhow::bail!("the local host is not available in this build yet"),
    }
}
