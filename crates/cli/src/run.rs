//! `ferry run status|watch|cancel|retry|resume|export`: one stage run by id;
//! `ferry run candidates`: the runs whose artifact can go back to a stage.

use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};
use ferry_ops::ExportFormat;

use crate::output::{
    ctrl_c_token, finish_outcome, print_json, print_run, run_exit, status, with_engine, Global,
    Progress,
};

#[derive(Debug, Subcommand)]
pub enum RunCommand {
    /// Show a run's state (from the host, or the cache when offline).
    Status {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Follow a run to its end (Ctrl-C stops watching; the run goes on).
    Watch {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Cancel a run that has not finished.
    Cancel {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Retry a run whose deployment failed.
    Retry {
        id: String,
        /// Follow it to its end.
        #[arg(long)]
        wait: bool,
        #[arg(long)]
        json: bool,
    },
    /// Re-attach to every unfinished run in the cache and follow them to their end.
    Resume {
        #[arg(long)]
        json: bool,
    },
    /// The successful runs of a solution in a stage, newest first: what `ferry deploy
    /// --redeploy RUN_ID` can put back there (where the pipeline allows redeployment).
    Candidates {
        /// The solution's unique name.
        #[arg(long)]
        solution: String,
        /// The stage: its name (case-insensitive) or id.
        #[arg(long, value_name = "NAME|ID")]
        stage: String,
        #[arg(long)]
        json: bool,
    },
    /// Write a run record (from the cache, secrets redacted) to stdout.
    Export {
        id: String,
        #[arg(long, value_enum, default_value_t = Format::Markdown)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Markdown,
    Json,
}

pub fn run(cmd: RunCommand, global: &Global) -> anyhow::Result<ExitCode> {
    with_engine(global, |engine| async move {
        match cmd {
            RunCommand::Status { id, json } => {
                let outcome = engine.run_status(&id).await?;
                Ok(finish_outcome(&outcome, json)?)
            }
            RunCommand::Watch { id, json } => {
                let progress = Progress::new(json);
                let result = engine.watch(&id, &progress, &ctrl_c_token()).await;
                progress.finish();
                Ok(finish_outcome(&result?, json)?)
            }
            RunCommand::Cancel { id, json } => {
                let run = engine.cancel(&id).await?;
                if json {
                    print_json(&run)?;
                } else {
                    print_run(&run);
                }
                Ok(if run.status == 200_000_004 {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                })
            }
            RunCommand::Retry { id, wait, json } => {
                let progress = Progress::new(json);
                let result = engine.retry(&id, wait, &progress, &ctrl_c_token()).await;
                progress.finish();
                Ok(finish_outcome(&result?, json)?)
            }
            RunCommand::Resume { json } => {
                let progress = Progress::new(json);
                let result = engine.resume(&progress, &ctrl_c_token()).await;
                progress.finish();
                let runs = result?;
                if json {
                    print_json(&runs)?;
                } else if runs.is_empty() {
                    println!("No unfinished runs.");
                } else {
                    for r in &runs {
                        println!(
                            "{}  {} {}  {}",
                            r.id,
                            r.solution,
                            r.version.as_deref().unwrap_or(""),
                            status(r)
                        );
                    }
                }
                Ok(runs
                    .iter()
                    .map(run_exit)
                    .find(|c| *c != ExitCode::SUCCESS)
                    .unwrap_or(ExitCode::SUCCESS))
            }
            RunCommand::Candidates {
                solution,
                stage,
                json,
            } => {
                let candidates = engine.redeploy_candidates(&solution, &stage).await?;
                if json {
                    print_json(&candidates)?;
                } else if candidates.is_empty() {
                    println!("No successful run of {solution} in {stage} to redeploy.");
                } else {
                    for c in &candidates {
                        println!(
                            "{}  {} {}  {}{}",
                            c.run_id,
                            c.solution,
                            c.version.as_deref().unwrap_or("?"),
                            crate::output::when(c.deployed_on.as_deref()),
                            if c.current {
                                "  (in the stage now)"
                            } else {
                                ""
                            }
                        );
                    }
                }
                Ok(ExitCode::SUCCESS)
            }
            RunCommand::Export { id, format } => {
                let format = match format {
                    Format::Markdown => ExportFormat::Markdown,
                    Format::Json => ExportFormat::Json,
                };
                print!("{}", engine.export_run(&id, format)?);
                if matches!(format, ExportFormat::Json) {
                    println!();
                }
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}
