//! `ferry profile list|add|use|import|remove`: which host and development
//! environment Ferry works with — typed in, or from a connection file an admin
//! hands out (shown and confirmed before anything is created or replaced).

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;

use clap::Subcommand;
use ferry_ops::{ConnectionOffer, Engine, NewProfile, OpsError, ProfileKind, SignInMethod};

use crate::login::{connect, report_connected, sign_in_to_cloud, MethodArgs};
use crate::output::{pad, paint, print_json, with_engine, CommandError, Global};

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
        /// Accept a plain http:// host (or authority) that is not this computer: a
        /// test host served with `ferry host serve --listen`. Your token then crosses
        /// the network unencrypted; never use it for a real tenant.
        #[arg(long)]
        allow_insecure_http: bool,
    },
    /// Use this profile from now on (by name or display name).
    Use { name: String },
    /// Sign in with a connection file (or a ferry:// link) from your admin:
    /// shows what it holds, asks, then signs in and connects its environment.
    Import {
        /// The connection file (JSON), or a `ferry://connect?…` / `ferry://open?file=…` link.
        #[arg(value_name = "FILE|LINK")]
        source: String,
        #[command(flatten)]
        method: MethodArgs,
        /// Do not ask for confirmation (needed without a terminal).
        #[arg(long, short = 'y')]
        yes: bool,
        /// A PEM file of CA certificates to trust besides the system's (a
        /// TLS-inspecting proxy's CA).
        #[arg(long, value_name = "PEM")]
        ca_file: Option<String>,
        /// Accept an environment at a plain http:// address that is not this computer: a
        /// test host served with `ferry host serve --listen`. Your token then crosses the
        /// network unencrypted; never use it for a real tenant.
        #[arg(long)]
        allow_insecure_http: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove a profile, its cached history, and its sign-in unless another
    /// profile shares it (the Local sandbox stays).
    Remove {
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
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
                allow_insecure_http,
            } => {
                let p = engine.add_profile(&NewProfile {
                    id: name,
                    display_name,
                    host_url: host,
                    dev_environment: dev_env,
                    authority,
                    tenant,
                    client_id,
                    allow_insecure_http: Some(allow_insecure_http),
                })?;
                if allow_insecure_http {
                    crate::login::warn_insecure_http(&format!("the profile {}", p.id));
                }
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
            ProfileCommand::Import {
                source,
                method,
                yes,
                ca_file,
                allow_insecure_http,
                json,
            } => {
                let options = ImportOptions {
                    yes,
                    ca_file,
                    allow_insecure_http,
                    json,
                };
                return import(&engine, &source, method.method(), options).await;
            }
            ProfileCommand::Remove { name, json } => {
                let before = engine.profiles()?;
                let removed = engine.remove_profile(&name)?;
                if json {
                    print_json(&removed)?;
                    return Ok(ExitCode::SUCCESS);
                }
                let was = before.iter().find(|p| p.id == removed.id);
                let azure_cli = was.is_some_and(|p| p.sign_in == Some(SignInMethod::AzureCli));
                let was_active = was.is_some_and(|p| p.active);
                println!("Removed the profile {}.", removed.id);
                if removed.tokens_deleted {
                    println!("Its sign-in is deleted from the keyring.");
                } else if azure_cli {
                    println!("It signed in with the Azure CLI, so Ferry kept no tokens for it (`az logout` signs out there).");
                } else {
                    println!("Its sign-in stays in the keyring: another profile uses it (remove that one too to sign out).");
                }
                println!(
                    "Its cached history went with it ({} run{}).",
                    removed.runs_deleted,
                    if removed.runs_deleted == 1 { "" } else { "s" }
                );
                if was_active {
                    println!("It was in use; now {} is.", removed.active);
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `profile import`: read the connection, show it, confirm, sign in, connect.
/// How `profile import` goes about it.
struct ImportOptions {
    yes: bool,
    ca_file: Option<String>,
    allow_insecure_http: bool,
    json: bool,
}

async fn import(
    engine: &Engine,
    source: &str,
    method: SignInMethod,
    options: ImportOptions,
) -> Result<ExitCode, CommandError> {
    let ImportOptions {
        yes,
        ca_file,
        allow_insecure_http,
        json,
    } = options;
    let text = if source.trim_start().starts_with("ferry:") {
        source.to_string()
    } else {
        std::fs::read_to_string(source)
            .map_err(|e| OpsError::Io(format!("cannot read the connection file {source} ({e})")))?
    };
    let mut offer = ferry_ops::read_connection(&text, method)?;
    offer.sign_in.ca_file = ca_file;
    if allow_insecure_http {
        offer.sign_in.allow_insecure_http = Some(true);
        crate::login::warn_insecure_http("this sign-in");
    }
    // Shown before anything happens, so a maker sees where the file points.
    let shown = describe(&offer);
    if json {
        eprintln!("{shown}");
    } else {
        println!("{shown}");
    }
    if !yes {
        confirm()?;
    }
    let account = sign_in_to_cloud(engine, &offer.sign_in, json).await?;
    match offer.sign_in.environment.clone() {
        Some(environment) => {
            let connected = connect(engine, &offer.sign_in, &environment).await?;
            report_connected(Some(&account), &connected, json)?;
        }
        None => {
            let environments = engine.cloud_environments(&offer.sign_in).await?;
            let next = login_command(&offer);
            if json {
                print_json(&serde_json::json!({
                    "account": account,
                    "environments": environments,
                    "next": next,
                }))?;
            } else {
                println!("Signed in as {}.", account.account);
                println!("The connection names no environment; yours are:");
                for e in &environments {
                    println!("  {}  {}", pad(&e.name, 24), e.url);
                }
                println!("Connect one with:");
                println!("  {next}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What a connection holds, for people.
fn describe(offer: &ConnectionOffer) -> String {
    let s = &offer.sign_in;
    let field = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    format!(
        "Connection{}:\n  cloud:       {}\n  tenant:      {}\n  client id:   {}\n  environment: {}\nImporting signs in, then creates (or replaces) the profile named after the environment and uses it.",
        offer
            .name
            .as_deref()
            .map(|n| format!(" {n:?}"))
            .unwrap_or_default(),
        field(&s.cloud),
        field(&s.tenant),
        field(&s.client_id),
        s.environment
            .clone()
            .unwrap_or_else(|| "— (you pick one after signing in)".into()),
    )
}

/// Asks on the terminal; refuses without one.
fn confirm() -> Result<(), CommandError> {
    if !std::io::stdin().is_terminal() {
        return Err(OpsError::InvalidInput(
            "not importing without a confirmation, and there is no terminal to ask on: check the connection above and pass --yes".into(),
        )
        .into());
    }
    eprint!("Import it? [y/N] ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(OpsError::InvalidInput("not imported: nothing was changed".into()).into())
    }
}

/// The `ferry login` that connects an environment of this connection.
fn login_command(offer: &ConnectionOffer) -> String {
    let s = &offer.sign_in;
    let mut cmd = String::from("ferry login --environment NAME");
    for (flag, value) in [
        ("--cloud", &s.cloud),
        ("--tenant", &s.tenant),
        ("--client-id", &s.client_id),
        ("--ca-file", &s.ca_file),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.is_empty()) {
            cmd.push_str(&format!(" {flag} {}", quote(v)));
        }
    }
    if s.allow_insecure_http == Some(true) {
        cmd.push_str(" --allow-insecure-http");
    }
    match s.method {
        SignInMethod::AzureCli => cmd.push_str(" --azure-cli"),
        SignInMethod::Browser => cmd.push_str(" --browser"),
        SignInMethod::DeviceCode => cmd.push_str(" --device-code"),
    }
    cmd
}

/// Quotes a shell word when it needs it.
fn quote(v: &str) -> String {
    if v.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_.:/@".contains(c))
    {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_command_of_a_connection_names_its_sign_in() {
        let offer = ConnectionOffer {
            name: None,
            sign_in: ferry_ops::CloudSignIn {
                cloud: Some("gcc".into()),
                tenant: Some("contoso.onmicrosoft.com".into()),
                client_id: Some("0b1c".into()),
                method: SignInMethod::AzureCli,
                environment: None,
                ca_file: Some("/etc/proxy ca.pem".into()),
                allow_insecure_http: None,
            },
        };
        assert_eq!(
            login_command(&offer),
            "ferry login --environment NAME --cloud gcc --tenant contoso.onmicrosoft.com --client-id 0b1c --ca-file '/etc/proxy ca.pem' --azure-cli"
        );
        assert_eq!(quote("it's"), "'it'\\''s'");
    }
}
