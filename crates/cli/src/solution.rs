//! `ferry solution …` (owned by the solution-packages work; placeholder until it lands).

use std::process::ExitCode;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum SolutionCommand {
    /// Describe a solution package.
    Inspect {
        /// A solution .zip or an unpacked source folder.
        path: std::path::PathBuf,
    },
}

pub fn run(cmd: SolutionCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        SolutionCommand::Inspect { path } => {
            anyhow::bail!(
                "reading {} is not available in this build yet",
                path.display()
            )
        }
    }
}
