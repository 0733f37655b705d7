//! `ferry pipeline list`: the dev environment's solutions, the pipelines offered
//! to it with their stages in order, and for a solution which stage can take it.

use std::process::ExitCode;

use clap::Subcommand;
use serde::Serialize;

use crate::output::{pad, paint, print_json, status, when, with_engine, Global};

#[derive(Debug, Subcommand)]
pub enum PipelineCommand {
    /// List pipelines and stages (and, with --solution, where it can go next).
    List {
        /// A solution's unique name: show which stage can take it and its latest runs.
        #[arg(long)]
        solution: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listing {
    solutions: Vec<ferry_ops::SolutionSummary>,
    pipelines: Vec<ferry_ops::PipelineOverview>,
    /// Without pipelines: whom to ask for one.
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
}

pub fn run(cmd: PipelineCommand, global: &Global) -> anyhow::Result<ExitCode> {
    let PipelineCommand::List { solution, json } = cmd;
    with_engine(global, |engine| async move {
        let mut pipelines = engine.pipelines(solution.as_deref()).await?;
        if let Some(solution) = &solution {
            // "deployable" only where the target will take it: read what each target has.
            engine.check_targets(solution, &mut pipelines).await?;
        }
        let solutions = engine.solutions().await?;
        let hint = engine.no_pipeline_hint(&pipelines).await?;
        if json {
            print_json(&Listing {
                solutions,
                pipelines,
                hint,
            })?;
            return Ok(ExitCode::SUCCESS);
        }
        let info = engine.connect().await?;
        println!("Development environment: {}", info.dev_environment_name);
        println!("Solutions:");
        for s in &solutions {
            println!(
                "  {} {} {}",
                pad(&s.unique_name, 20),
                pad(&s.version, 12),
                s.friendly_name
            );
        }
        if let Some(hint) = hint {
            println!();
            println!("{}", paint(&format!("{hint}."), "33"));
        }
        for p in &pipelines {
            println!();
            println!("{}  {}", paint(&p.name, "1"), p.id);
            for (i, st) in p.stages.iter().enumerate() {
                let mut gates = Vec::new();
                if st.delegated {
                    gates.push("approval");
                }
                if st.pre_deployment_step {
                    gates.push("pre-deployment step");
                }
                let gates = if gates.is_empty() {
                    String::new()
                } else {
                    format!("  gates: {}", gates.join(", "))
                };
                println!(
                    "  {}. {} → {}  {}{gates}",
                    i + 1,
                    pad(&st.name, 16),
                    pad(st.target_name.as_deref().unwrap_or("?"), 14),
                    st.id
                );
                if let Some(d) = &st.deployability {
                    let mark = if d.deployable {
                        paint("deployable", "32")
                    } else {
                        paint("not now", "33")
                    };
                    println!("       {mark}: {}", d.reason);
                }
                if let Some(r) = &st.latest_run {
                    println!(
                        "       last run: {} {} {} ({})",
                        r.version.as_deref().unwrap_or("?"),
                        status(r),
                        when(r.created_on.as_deref()),
                        r.id
                    );
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
