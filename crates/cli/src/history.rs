//! `ferry history`: every run Ferry saw, from the local cache (works offline);
//! `--sync` reads what changed on the host first.

use std::process::ExitCode;

use clap::Args;
use ferry_ops::{CancellationToken, HistoryFilter};

use crate::output::{pad, print_json, status, when, with_engine, Global};

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Full-text search (solution, stage, version, notes, errors, validation messages).
    #[arg(long, value_name = "TEXT")]
    search: Option<String>,
    /// Only this solution (unique name).
    #[arg(long)]
    solution: Option<String>,
    /// Only this stage (name or id).
    #[arg(long)]
    stage: Option<String>,
    /// Only these statuses: succeeded, failed, canceled, running, scheduled, … (repeatable).
    #[arg(long, value_name = "STATUS")]
    status: Vec<String>,
    /// Only runs created on or after this local day (YYYY-MM-DD) or instant (RFC 3339).
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Only runs created before this local day (YYYY-MM-DD: the day itself is left out) or instant.
    #[arg(long, value_name = "DATE")]
    before: Option<String>,
    /// How many runs to show.
    #[arg(long, default_value_t = 50)]
    limit: u32,
    /// Read new and changed runs from the host first (needs the host).
    #[arg(long)]
    sync: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: HistoryArgs, global: &Global) -> anyhow::Result<ExitCode> {
    with_engine(global, |engine| async move {
        if args.sync {
            let report = engine.sync_history(&CancellationToken::new()).await?;
            if !args.json {
                eprintln!(
                    "Synced {} runs from the host ({} new).",
                    report.fetched, report.inserted
                );
            }
        }
        let page = engine.history(&HistoryFilter {
            text: args.search.clone(),
            solution: args.solution.clone(),
            stage: args.stage.clone(),
            statuses: args.status.clone(),
            created_from: args.from.as_deref().map(day_or_instant),
            created_before: args.before.as_deref().map(day_or_instant),
            limit: args.limit,
            offset: 0,
        })?;
        if args.json {
            print_json(&page)?;
            return Ok(ExitCode::SUCCESS);
        }
        if page.runs.is_empty() {
            println!("No runs match.");
            return Ok(ExitCode::SUCCESS);
        }
        println!(
            "{} {} {} {} {} RUN",
            pad("WHEN", 23),
            pad("SOLUTION", 16),
            pad("VERSION", 10),
            pad("STAGE", 16),
            pad("STATUS", 12)
        );
        for r in &page.runs {
            let st = status(r);
            let width = 12 + st.len() - r.status_label.chars().count();
            println!(
                "{} {} {} {} {} {}",
                pad(&when(r.created_on.as_deref()), 23),
                pad(&r.solution, 16),
                pad(r.version.as_deref().unwrap_or("—"), 10),
                pad(r.stage_name.as_deref().unwrap_or(&r.stage_id), 16),
                pad(&st, width),
                r.id
            );
        }
        if page.next_offset.is_some() {
            println!("(more: raise --limit)");
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `2026-12-01` as the instant that local day begins; anything else is passed on as an
/// instant (the engine says what to write when it is not one).
fn day_or_instant(text: &str) -> String {
    crate::when::day_start(text, &crate::when::zone()).unwrap_or_else(|| text.trim().to_string())
}
