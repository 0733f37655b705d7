//! `ferry env list|use`: the environments the profile's sign-in reaches (Global
//! Discovery), and switching to another of them — Ferry finds its pipelines
//! host and keeps it as a profile of its own, sharing the sign-in.

use std::process::ExitCode;

use clap::Subcommand;
use ferry_ops::{EnvironmentInfo, ProfileInfo};
use serde::Serialize;

use crate::login::{report_connected, Connected};
use crate::output::{pad, paint, print_json, with_engine, Global};

#[derive(Debug, Subcommand)]
pub enum EnvCommand {
    /// List the environments your account reaches; `*` marks the profile's.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Connect another environment of the same sign-in and use it from now on.
    Use {
        /// Its name (friendly or unique) or URL.
        #[arg(value_name = "NAME|URL")]
        environment: String,
        /// Print the profile as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Listing<'a> {
    /// The profile in use.
    profile: &'a str,
    /// Its pipelines host (only the chosen environment's host is known).
    host_url: &'a str,
    host_found: Option<&'a str>,
    environments: &'a [EnvironmentInfo],
}

pub fn run(cmd: EnvCommand, global: &Global) -> anyhow::Result<ExitCode> {
    with_engine(global, |engine| async move {
        match cmd {
            EnvCommand::List { json } => {
                let environments = engine.environments().await?;
                let profile = engine.profile();
                if json {
                    print_json(&Listing {
                        profile: &profile.id,
                        host_url: &profile.host_url,
                        host_found: profile.host_found.as_deref(),
                        environments: &environments,
                    })?;
                } else {
                    print_table(&environments, &profile);
                }
            }
            EnvCommand::Use { environment, json } => {
                let before = engine.profiles()?;
                let profile = engine.use_environment(&environment).await?;
                let replaced = before.iter().any(|p| p.id == profile.id);
                report_connected(None, &Connected { profile, replaced }, json)?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn print_table(environments: &[EnvironmentInfo], profile: &ProfileInfo) {
    if environments.is_empty() {
        println!("Your account reaches no environment in this tenant (a guest account picks the tenant with `ferry login --tenant`).");
    } else {
        let width = |f: fn(&EnvironmentInfo) -> &str, title: &str| {
            environments
                .iter()
                .map(|e| f(e).chars().count())
                .chain([title.chars().count()])
                .max()
                .unwrap_or(0)
        };
        let name_w = width(|e| &e.name, "NAME");
        let url_w = width(|e| &e.url, "URL");
        let id_w = width(|e| &e.environment_id, "ENVIRONMENT ID");
        let org_w = width(|e| &e.organization_id, "ORGANIZATION ID");
        println!(
            "  {} {} {} {} REGION",
            pad("NAME", name_w),
            pad("URL", url_w),
            pad("ENVIRONMENT ID", id_w),
            pad("ORGANIZATION ID", org_w)
        );
        for e in environments {
            let mark = if e.current {
                paint("*", "1")
            } else {
                " ".into()
            };
            println!(
                "{mark} {} {} {} {} {}",
                pad(&e.name, name_w),
                pad(&e.url, url_w),
                pad(&e.environment_id, id_w),
                pad(&e.organization_id, org_w),
                e.region.as_deref().unwrap_or("—")
            );
        }
    }
    println!();
    let env = profile
        .dev_environment_name
        .as_deref()
        .unwrap_or(&profile.display_name);
    println!(
        "Profile {} ({env}): pipelines host {}",
        profile.id, profile.host_url
    );
    if let Some(how) = &profile.host_found {
        println!("  found: {how}.");
    }
    println!("Switch with `ferry env use NAME`.");
}
