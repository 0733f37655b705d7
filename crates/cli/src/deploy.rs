//! `ferry deploy`: plan, validate and deploy a solution to a stage. Ferry
//! proposes the version (one above dev, the stage and the target); values come
//! from `--settings`, else from the values last used for this stage. With
//! `--redeploy RUN_ID` the artifact of that earlier successful run goes to the
//! stage again, at its version (where the pipeline allows redeployment).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use ferry_ops::{CheckSeverity, DeployRequest, Plan, PlanRequest, ValueSource};

use crate::output::{
    ctrl_c_token, finish_outcome, paint, print_json, with_engine, Global, Progress,
};

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The solution's unique name (see `ferry pipeline list`).
    #[arg(long)]
    solution: String,
    /// The stage: its name (case-insensitive) or id.
    #[arg(long, value_name = "NAME|ID")]
    stage: String,
    /// A deployment settings file (pac format) with the values for this stage.
    #[arg(long, value_name = "FILE")]
    settings: Option<PathBuf>,
    /// Deployment notes, shown in the run history.
    #[arg(long, value_name = "TEXT")]
    notes: Option<String>,
    /// Deploy later, at this time: RFC 3339 (2026-12-01T18:00:00Z), a local date and time
    /// (2026-12-01 18:00), a time today or tomorrow (18:00, tomorrow 09:30) or a delay (in 2h).
    /// Local times that a clock change skips or repeats are refused.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Use this version instead of the proposed one.
    #[arg(long, value_name = "V", conflicts_with = "redeploy")]
    version: Option<String>,
    /// Deploy the artifact of this earlier successful run of the stage again, at its
    /// version (the pipeline must allow redeployment; see `ferry run candidates`).
    #[arg(long, value_name = "RUN_ID")]
    redeploy: Option<String>,
    /// Deploy this run, already validated (`ferry deploy` stopped after validation,
    /// or the app's Validate), instead of starting a new one.
    #[arg(long = "run", value_name = "RUN_ID", conflicts_with = "redeploy")]
    run: Option<String>,
    /// Follow the run to its end (exit code 3 if it fails, 4 if canceled).
    #[arg(long)]
    wait: bool,
    /// Only show the plan (versions, values, checks); send nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: DeployArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let settings_json = match &args.settings {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => Some(text),
            Err(e) => {
                return Ok(crate::output::report(&ferry_error::CodedError::new(
                    ferry_error::ErrorCode::Io,
                    format!(
                        "cannot read the settings file {}: {e}; check the path",
                        path.display()
                    ),
                )));
            }
        },
        None => None,
    };
    // Resolved here, where the maker's zone is known, and said back before anything is sent.
    let scheduled_time = match args.at.as_deref() {
        Some(text) => {
            let now = jiff::Zoned::now().with_time_zone(crate::when::zone());
            match crate::when::parse_at(text, &now) {
                Ok(at) => {
                    let utc = crate::when::utc_text(at);
                    if !args.json && !args.dry_run {
                        eprintln!(
                            "Scheduling for {} ({}).",
                            crate::when::show_in(&utc, now.time_zone()),
                            utc
                        );
                    }
                    Some(utc)
                }
                Err(message) => {
                    return Ok(crate::output::report(&ferry_error::CodedError::new(
                        ferry_error::ErrorCode::InvalidInput,
                        message,
                    )));
                }
            }
        }
        None => None,
    };
    let plan = PlanRequest {
        solution: args.solution.clone(),
        stage: args.stage.clone(),
        settings_json,
        values: None,
        version: args.version.clone(),
        redeploy_of: args.redeploy.clone(),
    };
    with_engine(global, |engine| async move {
        if args.dry_run {
            let plan = engine.plan(&plan).await?;
            if args.json {
                print_json(&plan)?;
            } else {
                print_plan(&plan);
            }
            return Ok(if plan.ready {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        let progress = Progress::new(args.json);
        let cancel = ctrl_c_token();
        let result = engine
            .deploy(
                &DeployRequest {
                    plan,
                    notes: args.notes.clone(),
                    scheduled_time: scheduled_time.clone(),
                    run_id: args.run.clone(),
                    wait: args.wait,
                },
                &progress,
                &cancel,
            )
            .await;
        progress.finish();
        let outcome = result?;
        Ok(finish_outcome(&outcome, args.json)?)
    })
}

fn source(s: ValueSource) -> &'static str {
    match s {
        ValueSource::Given => "given",
        ValueSource::SettingsFile => "settings file",
        ValueSource::StageProfile => "last used",
        ValueSource::Missing => "missing",
    }
}

fn print_plan(plan: &Plan) {
    println!(
        "{} → {} ({}, {})",
        plan.solution.unique_name,
        plan.stage.name,
        plan.stage.target_name.as_deref().unwrap_or("?"),
        plan.pipeline_name
    );
    println!(
        "  Version: {} (dev {}{}{}){}",
        paint(&plan.version, "1"),
        plan.dev_version,
        plan.stage_version
            .as_deref()
            .map(|v| format!(", stage has {v}"))
            .unwrap_or_default(),
        plan.target_version
            .as_deref()
            .map(|v| format!(", target has {v}"))
            .unwrap_or_default(),
        match (&plan.redeploy, plan.promotes) {
            (Some(r), _) => format!(" — redeploys the artifact of run {}", r.run_id),
            (None, true) => " — promoted".to_string(),
            (None, false) => String::new(),
        }
    );
    if !plan.environment_variables.is_empty() {
        println!("  Environment variables:");
        for v in &plan.environment_variables {
            println!(
                "    {} ({}) = {}  [{}]",
                v.schema_name,
                v.kind,
                match (&v.value, v.kind.as_str()) {
                    (Some(_), "Secret") => "<secret>".to_string(),
                    (Some(x), _) => x.clone(),
                    (None, _) => "—".into(),
                },
                source(v.source)
            );
        }
    }
    if !plan.connection_references.is_empty() {
        println!("  Connection references:");
        for c in &plan.connection_references {
            let choices: Vec<&str> = c.choices.iter().map(|x| x.id.as_str()).collect();
            println!(
                "    {} = {}  [{}]  (in target: {})",
                c.logical_name,
                c.connection_id.as_deref().unwrap_or("—"),
                source(c.source),
                if choices.is_empty() {
                    "none".to_string()
                } else {
                    choices.join(", ")
                }
            );
        }
    }
    for c in &plan.checks {
        let tag = match c.severity {
            CheckSeverity::Error => paint("error", "31"),
            CheckSeverity::Warning => paint("warning", "33"),
            CheckSeverity::Info => "note".into(),
        };
        println!("  {tag}: {}", c.message);
    }
    println!(
        "  {}",
        if plan.ready {
            paint("Ready to deploy.", "32")
        } else {
            paint("Not ready: fix the errors above.", "31")
        }
    );
}
