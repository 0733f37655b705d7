//! `ferry matrix`: solutions × stages — the version each stage last deployed,
//! when and by whom, and whether the target still has it (drift).

use std::process::ExitCode;

use clap::Args;
use ferry_ops::Drift;

use crate::output::{ctrl_c_token, pad, paint, print_json, when, with_engine, Global};

#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

fn drift(d: Drift) -> String {
    match d {
        Drift::InSync => String::new(),
        Drift::NotDeployed => String::new(),
        Drift::VersionDiffers => paint(" (target differs)", "33"),
        Drift::MissingInTarget => paint(" (gone from target)", "33"),
        Drift::InstalledOutsidePipeline => paint(" (installed outside the pipeline)", "33"),
        Drift::Unmanaged => paint(" (unmanaged in target)", "31"),
        Drift::OtherPipeline => String::new(),
        Drift::Unknown => " (target not read)".into(),
    }
}

pub fn run(args: MatrixArgs, global: &Global) -> anyhow::Result<ExitCode> {
    with_engine(global, |engine| async move {
        let m = engine.matrix(&ctrl_c_token()).await?;
        if args.json {
            print_json(&m)?;
            return Ok(ExitCode::SUCCESS);
        }
        if !m.online {
            println!("(offline: from the local cache; drift not checked)");
        }
        for row in &m.rows {
            println!(
                "{}  dev {}",
                paint(&row.solution, "1"),
                row.dev_version.as_deref().unwrap_or("—")
            );
            for (stage, cell) in m.stages.iter().zip(&row.cells) {
                let version = match (&cell.version, &cell.installed_version) {
                    (Some(v), _) => v.clone(),
                    (None, Some(i)) => format!("— (target has {i})"),
                    (None, None) => "—".into(),
                };
                let who = match (&cell.deployed_on, &cell.deployed_by) {
                    (Some(on), Some(by)) => format!("  {} by {by}", when(Some(on))),
                    (Some(on), None) => format!("  {}", when(Some(on))),
                    _ => String::new(),
                };
                let extra = if cell.drift == Drift::OtherPipeline {
                    let by = cell.installed_by.as_deref().unwrap_or("another pipeline");
                    match (&cell.version, &cell.installed_version) {
                        (Some(_), Some(i)) => format!(" (target has {i}, installed by {by})"),
                        _ => format!(" (installed by {by})"),
                    }
                } else if cell.drift == Drift::VersionDiffers {
                    format!(
                        "{} now {}",
                        drift(cell.drift),
                        cell.installed_version.as_deref().unwrap_or("?")
                    )
                } else {
                    drift(cell.drift)
                };
                println!(
                    "  {} {}{who}{extra}",
                    pad(
                        &format!("{} / {}", stage.pipeline_name, stage.stage_name),
                        34
                    ),
                    version
                );
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
