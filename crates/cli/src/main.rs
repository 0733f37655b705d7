//! `ferry`: Ferry's command-line interface.
//!
//! The CLI is a thin shell over the same Tauri-free crates the desktop app uses:
//! each subcommand lives in its own module (`solution`, `host`, `profile`,
//! `login`, `env`, `pipeline`, `deploy`, `run`, `history`, `matrix`), parses its arguments with
//! clap and calls `ferry-ops` (or `ferry-solution` / `ferry-host`), printing
//! words for people or `--json` for scripts (`output`). Errors go to stderr as
//! one sentence that says what to do (with `--json`, as `{"error": {"code",
//! "message"}}` with a code of `ferry-error`'s one vocabulary); each error class
//! has its own exit code, listed in `docs/cli.md`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod deploy;
mod env;
mod history;
mod host;
mod login;
mod matrix;
mod output;
mod pipeline;
mod profile;
mod run;
mod solution;
mod when;

/// Deploy Power Platform solutions through Pipelines, from the command line.
#[derive(Debug, Parser)]
#[command(name = "ferry", version, about, propagate_version = true)]
struct Cli {
    /// The profile to use (default: the one in use, initially "Local sandbox").
    #[arg(long, global = true, value_name = "NAME", env = "FERRY_PROFILE")]
    profile: Option<String>,
    /// Say each step of sign-in and host discovery on stderr (never a token).
    /// `RUST_LOG` sets the filter instead when it is set.
    #[arg(short, long, global = true)]
    verbose: bool,
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
    /// Sign in: with --environment, to a cloud, connecting that environment (Ferry
    /// finds its pipelines host); without, to the profile in use.
    Login(login::LoginArgs),
    /// Sign out of the profile (deletes its tokens from the keyring).
    Logout,
    /// Who is signed in to the profile.
    Whoami(login::WhoamiArgs),
    /// The environments of the profile's tenant, and switching to another.
    #[command(subcommand)]
    Env(env::EnvCommand),
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
    quiet_on_closed_stdout();
    let cli = Cli::parse();
    init_tracing(cli.verbose);
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
        Command::Env(cmd) => env::run(cmd, &global),
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

/// `ferry history | head`: once the reader has gone, printing more fails with a
/// broken pipe, which `println!` turns into a panic (exit 101 and a backtrace
/// hint). A closed stdout is the reader's choice: end quietly, as Unix tools do
/// (exit 141, 128 + SIGPIPE). Every other panic is reported as before.
fn quiet_on_closed_stdout() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        report(info);
    }));
}

/// Filter of `-v`: the engine's steps (discovery, sign-in, retries), which log no
/// token or secret.
const VERBOSE_FILTER: &str = "ferry_ops=debug,ferry_auth=debug,ferry_dataverse=debug";

/// Logs to stderr: `RUST_LOG` when set, else the steps with `-v`, else warnings.
fn init_tracing(verbose: bool) {
    use std::io::IsTerminal as _;
    use tracing_subscriber::EnvFilter;
    let filter = match std::env::var("RUST_LOG") {
        Ok(f) if !f.trim().is_empty() => EnvFilter::new(f),
        _ => EnvFilter::new(if verbose { VERBOSE_FILTER } else { "warn" }),
    };
    let ansi = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    // `try_init`: a second subscriber (none today) must not abort the command.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .try_init();
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
