//! `ferry`: Ferry's command-line interface.
//!
//! The CLI is a thin shell over the same Tauri-free crates the desktop app uses:
//! each subcommand lives in its own module (`solution`, `host`, `profile`,
//! `login`, `pipeline`, `deploy`, `run`, `history`, `matrix`), parses its arguments with
//! clap and calls `ferry-ops` (or `ferry-solution` / `ferry-host`), printing
//! words for people or `--json` for scripts (`output`). Errors go to stderr as
//! one sentence that says what to do (with `--json`, as `{"error": {"code",
//! "message"}}` with a code of `ferry-error`'s one vocabulary); each error class
//! has its own exit code, listed in `docs/cli.md`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod deploy;
mod history;
mod host;
mod login;
mod matrix;
mod output;
mod pipeline;
mod profile;
mod run;
mod solution;

/// Deploy Power Platform solutions through Pipelines, from the command line.
#[derive(Debug, Parser)]
#[command(name = "ferry", version, about, propagate_version = true)]
struct Cli {
    /// The profile to use (default: the one in use, initially "Local sandbox").
    #[arg(long, global = true, value_name = "NAME", env = "FERRY_PROFILE")]
    profile: Option<String>,
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
    /// Choose the host and development environment (profiles).
    #[command(subcommand)]
    Profile(profile::ProfileCommand),
    /// Sign in to the profile's host (device code by default, or --browser).
    Login(login::LoginArgs),
    /// Sign out of the profile (deletes its tokens from the keyring).
    Logout,
    /// Who is signed in to the profile.
    Whoami(login::WhoamiArgs),
    /// Pipelines and stages offered to the development environment.
    #[command(subcommand)]
    Pipeline(pipeline::PipelineCommand),
    /// Deploy a solution to a stage (validates first; proposes the version).
    #[command(disable_version_flag = true)]
    Deploy(deploy::DeployArgs),
    /// Follow, cancel, retry or export one stage run.
    #[command(subcommand)]
    Run(run::RunCommand),
    /// Past runs, from the local cache (works offline).
    History(history::HistoryArgs),
    /// Which version of each solution each stage has, and drift.
    Matrix(matrix::MatrixArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let global = output::Global {
        profile: cli.profile,
    };
    let result = match cli.command {
        Command::Solution(cmd) => solution::run(cmd),
        Command::Host(cmd) => host::run(cmd),
        Command::Profile(cmd) => profile::run(cmd, &global),
        Command::Login(args) => login::login(args, &global),
        Command::Logout => login::logout(&global),
        Command::Whoami(args) => login::whoami(args, &global),
        Command::Pipeline(cmd) => pipeline::run(cmd, &global),
        Command::Deploy(args) => deploy::run(args, &global),
        Command::Run(cmd) => run::run(cmd, &global),
        Command::History(args) => history::run(args, &global),
        Command::Matrix(args) => matrix::run(args, &global),
    };
    match result {
        Ok(code) => code,
        Err(err) => output::report(&output::coded(&err)),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
