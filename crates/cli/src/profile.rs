//! `ferry profile list|add|use`: which host and development environment Ferry works with.

use std::process::ExitCode;

use clap::Subcommand;
use ferry_ops::{NewProfile, ProfileKind};

use crate::output::{pad, paint, print_json, with_engine, Global};

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// List the profiles; `*` marks the one in use.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add (or replace) a profile for a pipelines host.
    Add {
        /// A short name (letters, digits, '-', '_', '.').
        name: String,
        /// The pipelines host's URL, like https://contoso-host.crm.dynamics.com.
        #[arg(long, value_name = "URL")]
        host: String,
        /// The development environment: its environment id or name.
        #[arg(long, value_name = "ID|NAME")]
        dev_env: String,
        /// The name shown for it.
        #[arg(long)]
        display_name: Option<String>,
        /// Identity authority (default: Microsoft's public cloud, organizations).
        #[arg(long, value_name = "URL")]
        authority: Option<String>,
        /// Tenant id or domain.
        #[arg(long)]
        tenant: Option<String>,
        /// Public client id of the app registration used to sign in.
        #[arg(long)]
        client_id: Option<String>,
        /// Also start using it.
        #[arg(long = "use")]
        use_it: bool,
    },
    /// Use this profile from now on (by name or display name).
    Use { name: String },
}

pub fn run(cmd: ProfileCommand, global: &Global) -> anyhow::Result<ExitCode> {
    with_engine(global, |engine| async move {
        match cmd {
            ProfileCommand::List { json } => {
                let profiles = engine.profiles()?;
                if json {
                    print_json(&profiles)?;
                } else {
                    for p in &profiles {
                        let mark = if p.active {
                            paint("*", "1")
                        } else {
                            " ".into()
                        };
                        let kind = match p.kind {
                            ProfileKind::LocalSandbox => "local sandbox".to_string(),
                            ProfileKind::Cloud => p.host_url.clone(),
                        };
                        println!(
                            "{mark} {} {} {}  dev: {}",
                            pad(&p.id, 12),
                            pad(&p.display_name, 16),
                            kind,
                            p.dev_environment.as_deref().unwrap_or("—")
                        );
                    }
                }
            }
            ProfileCommand::Add {
                name,
                host,
                dev_env,
                display_name,
                authority,
                tenant,
                client_id,
                use_it,
            } => {
                let p = engine.add_profile(&NewProfile {
                    id: name,
                    display_name,
                    host_url: host,
                    dev_environment: dev_env,
                    authority,
                    tenant,
                    client_id,
                })?;
                if use_it {
                    engine.use_profile(&p.id)?;
                }
                println!(
                    "Added profile {} for {} (dev: {}).{}",
                    p.id,
                    p.host_url,
                    p.dev_environment.as_deref().unwrap_or("—"),
                    if use_it {
                        " It is now in use."
                    } else {
                        " Use it with `ferry profile use NAME` or `--profile NAME`."
                    }
                );
            }
            ProfileCommand::Use { name } => {
                let p = engine.use_profile(&name)?;
                println!("Now using {} ({}).", p.id, p.display_name);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
