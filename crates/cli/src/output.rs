//! How the engine's commands talk to people and scripts: JSON for `--json`,
//! aligned words otherwise, colour only on a terminal without `NO_COLOR`, and
//! progress as an indicatif spinner on a terminal or plain lines in a pipe.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Duration;

use ferry_error::{CodedError, ErrorCode};
use ferry_ops::{
    CancellationToken, Engine, EngineOptions, Explanation, OpsError, ProgressSink, RunEvent,
    RunEventKind, RunOutcome, RunSummary,
};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

/// Exit codes of runs (documented in docs/cli.md). An error's exit code is its
/// class's (`ferry_error::ErrorCode::exit_code`).
pub mod exit {
    /// The run failed (validation or deployment).
    pub const RUN_FAILED: u8 = 3;
    /// The run was canceled.
    pub const RUN_CANCELED: u8 = 4;
}

/// Whether the command line asked for JSON: errors then go to stderr as JSON too.
pub fn json_requested() -> bool {
    static JSON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *JSON.get_or_init(|| std::env::args_os().any(|a| a == "--json"))
}

/// Says an error on stderr — one sentence, or `{"error": {"code", "message"}}` when
/// the command line asked for JSON — and gives the exit status of its class.
pub fn report(err: &CodedError) -> ExitCode {
    if json_requested() {
        eprintln!("{}", serde_json::json!({ "error": err }));
    } else {
        eprintln!("error: {}", err.message);
    }
    ExitCode::from(err.code.exit_code())
}

/// The coded form of whatever a command failed with: the code of the first typed
/// error in its chain (the engine's, the solution reader's), else `internal`.
pub fn coded(err: &anyhow::Error) -> CodedError {
    let code = err
        .chain()
        .find_map(|cause| {
            if let Some(e) = cause.downcast_ref::<OpsError>() {
                Some(e.code())
            } else if let Some(e) = cause.downcast_ref::<ferry_solution::SolutionError>() {
                Some(e.code())
            } else {
                cause.downcast_ref::<CodedError>().map(|e| e.code)
            }
        })
        .unwrap_or(ErrorCode::Internal);
    CodedError::new(code, format!("{err:#}"))
}

/// Options every engine command shares.
#[derive(Debug, Clone)]
pub struct Global {
    pub profile: Option<String>,
}

impl Global {
    /// Opens the engine for the chosen profile (the data dir from `FERRY_DATA_DIR`).
    pub fn engine(&self) -> Result<Engine, OpsError> {
        let mut options = EngineOptions::from_env()?;
        options.profile = self.profile.clone();
        Engine::open(options)
    }
}

/// Runs an async command on a fresh runtime.
pub fn block_on<F: std::future::Future<Output = anyhow::Result<ExitCode>>>(
    f: F,
) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(f)
}

/// A cancel token that fires on Ctrl-C.
pub fn ctrl_c_token() -> CancellationToken {
    let token = CancellationToken::new();
    let t = token.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            t.cancel();
        }
    });
    token
}

/// Prints a value as pretty JSON.
pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Whether to colour stdout.
pub fn color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Paints text with an ANSI colour when colour is on.
pub fn paint(text: &str, code: &str) -> String {
    if color() {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// `HH:MM:SS` of an RFC 3339 time, in local time (the full text if it is not one).
pub fn clock(rfc3339: &str) -> String {
    crate::when::clock_in(rfc3339, &crate::when::zone())
}

/// `YYYY-MM-DD HH:MM +01:00`: an RFC 3339 time in local time, with its offset.
pub fn when(rfc3339: Option<&str>) -> String {
    match rfc3339 {
        Some(t) => crate::when::show_in(t, &crate::when::zone()),
        None => "—".into(),
    }
}

fn status_color(run: &RunSummary) -> &'static str {
    match run.status {
        200_000_002 => "32",
        200_000_003 => "31",
        200_000_004 => "33",
        _ => "36",
    }
}

/// The status label, coloured by outcome.
pub fn status(run: &RunSummary) -> String {
    paint(&run.status_label, status_color(run))
}

/// Progress of a run: a spinner with a log of transitions on a terminal, plain
/// timestamped lines otherwise, nothing for `--json`.
pub struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
    last: Mutex<Option<(RunEventKind, String)>>,
}

impl Progress {
    pub fn new(json: bool) -> Self {
        let bar = (!json && std::io::stdout().is_terminal()).then(|| {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Self {
            bar,
            quiet: json,
            last: Mutex::new(None),
        }
    }

    /// Removes the spinner.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl ProgressSink for Progress {
    fn event(&self, event: RunEvent) {
        if self.quiet {
            return;
        }
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let key = (event.kind, event.message.clone());
        if last.as_ref() == Some(&key) {
            return;
        }
        *last = Some(key);
        let mut line = format!("{}  {}", clock(&event.at), event.message);
        if let Some(who) = &event.who_can_act {
            line.push_str(&format!("\n          {who}"));
        }
        match &self.bar {
            Some(bar) => {
                bar.println(line);
                bar.set_message(event.message.clone());
            }
            None => println!("{line}"),
        }
    }
}

/// Prints explanations (cause and next step).
pub fn print_explanations(explanations: &[Explanation]) {
    for e in explanations {
        let code = e
            .code
            .as_deref()
            .map(|c| format!(" [{c}]"))
            .unwrap_or_default();
        println!("{}{code}", paint(&e.title, "1"));
        println!("  Why:  {}", e.cause);
        for d in &e.details {
            println!("        - {d}");
        }
        println!("  Next: {}", e.next_step);
    }
}

/// Prints a run's summary lines.
pub fn print_run(run: &RunSummary) {
    let target = run
        .target_name
        .clone()
        .or_else(|| run.stage_name.clone())
        .unwrap_or_default();
    let version = run
        .version
        .as_deref()
        .map(|v| format!(" {v}"))
        .unwrap_or_default();
    println!("{}{version} → {target}: {}", run.solution, status(run));
    println!("  Run:     {}", run.id);
    if let Some(stage) = &run.stage_name {
        let pipeline = run.pipeline_name.as_deref().unwrap_or("");
        println!("  Stage:   {stage} ({pipeline})");
    }
    if let Some(step) = run.step.as_deref().filter(|_| !run.terminal) {
        println!("  Step:    {step}");
    }
    if let Some(t) = &run.scheduled_time {
        println!("  At:      {}", when(Some(t)));
    }
    if let Some(notes) = &run.notes {
        println!("  Notes:   {notes}");
    }
    if let Some(err) = &run.error_message {
        println!("  Error:   {err}");
    }
}

/// Prints a finished (or left) operation and picks the exit code.
pub fn finish_outcome(outcome: &RunOutcome, json: bool) -> anyhow::Result<ExitCode> {
    if json {
        print_json(outcome)?;
    } else {
        print_run(&outcome.run);
        if !outcome.explanations.is_empty() {
            println!();
            print_explanations(&outcome.explanations);
        }
        // A run that waits for its maker has its next step in its explanation already.
        let waits_for_you = outcome
            .explanations
            .iter()
            .any(|x| x.id == "waiting-for-you");
        if !outcome.run.terminal && !waits_for_you {
            println!(
                "Follow it with `ferry run watch {}` (or cancel it with `ferry run cancel {}`).",
                outcome.run.id, outcome.run.id
            );
        }
    }
    Ok(run_exit(&outcome.run))
}

/// The exit code a run's state calls for.
pub fn run_exit(run: &RunSummary) -> ExitCode {
    match run.status {
        200_000_003 => ExitCode::from(exit::RUN_FAILED),
        200_000_004 => ExitCode::from(exit::RUN_CANCELED),
        _ => ExitCode::SUCCESS,
    }
}

/// The exit code for an engine error (after printing it).
pub fn error_exit(err: &OpsError) -> ExitCode {
    report(&err.to_coded())
}

/// Runs an engine command: opens the engine, runs `f`, maps errors to exit codes.
pub fn with_engine<F, Fut>(global: &Global, f: F) -> anyhow::Result<ExitCode>
where
    F: FnOnce(Engine) -> Fut,
    Fut: std::future::Future<Output = Result<ExitCode, CommandError>>,
{
    block_on(async move {
        let engine = match global.engine() {
            Ok(e) => e,
            Err(e) => return Ok(error_exit(&e)),
        };
        match f(engine).await {
            Ok(code) => Ok(code),
            Err(CommandError::Ops(e)) => Ok(error_exit(&e)),
            Err(CommandError::Other(e)) => Err(e),
        }
    })
}

/// What an engine command can fail with.
#[derive(Debug)]
pub enum CommandError {
    Ops(OpsError),
    Other(anyhow::Error),
}

impl From<OpsError> for CommandError {
    fn from(e: OpsError) -> Self {
        CommandError::Ops(e)
    }
}

impl From<anyhow::Error> for CommandError {
    fn from(e: anyhow::Error) -> Self {
        CommandError::Other(e)
    }
}

impl From<std::io::Error> for CommandError {
    fn from(e: std::io::Error) -> Self {
        CommandError::Other(e.into())
    }
}

/// Pads `text` to `width` characters.
pub fn pad(text: &str, width: usize) -> String {
    let n = text.chars().count();
    if n >= width {
        text.to_string()
    } else {
        format!("{text}{}", " ".repeat(width - n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_times_and_padding() {
        // Local times themselves are tested in `when`, with a zone given.
        assert_eq!(when(None), "—");
        assert_eq!(pad("ab", 4), "ab  ");
        assert_eq!(pad("abcdef", 4), "abcdef");
    }
}
