//! `ferry login|logout|whoami`: sign in (device code, the browser with PKCE on
//! a loopback redirect, or the Azure CLI's sign-in) — to a cloud, connecting an
//! environment as a profile (`--environment`, as `pac auth create` does), or to
//! the profile in use — sign out (its keyring entry is deleted), and say who is
//! signed in. Tokens live only in the keyring, under `FERRY_KEYRING_SERVICE`
//! (default `ferry`).

use std::io::Write as _;
use std::process::ExitCode;

use clap::Args;
use ferry_ops::{
    AccountInfo, CloudSignIn, DeviceCodePrompt, Engine, ProfileInfo, SignInMethod, SignInPrompt,
};
use serde::Serialize;

use crate::output::{print_json, with_engine, CommandError, Global};

/// How to sign in: shared by `login` and `profile import`.
#[derive(Debug, Clone, Args)]
#[command(group = clap::ArgGroup::new("method"))]
pub struct MethodArgs {
    /// Show a code to enter on a sign-in page (any device's browser). The default.
    #[arg(long, group = "method")]
    pub device_code: bool,
    /// Sign in in this machine's browser (prints the URL to open).
    #[arg(long, group = "method")]
    pub browser: bool,
    /// Use the Azure CLI's sign-in (`az login` first); Ferry keeps no tokens.
    #[arg(long, group = "method")]
    pub azure_cli: bool,
}

impl MethodArgs {
    pub fn method(&self) -> SignInMethod {
        if self.browser {
            SignInMethod::Browser
        } else if self.azure_cli {
            SignInMethod::AzureCli
        } else {
            SignInMethod::DeviceCode
        }
    }
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The development environment to connect: its URL or its name. Ferry finds
    /// its pipelines host and saves a profile named after it, now the one in use.
    /// A loopback URL (http://127.0.0.1:PORT/…) is the local cloud.
    #[arg(long, visible_alias = "env", value_name = "URL|NAME")]
    pub environment: Option<String>,
    /// Tenant id or domain (default: the account's home tenant).
    #[arg(long, value_name = "T", requires = "environment")]
    pub tenant: Option<String>,
    /// The cloud (default: from the environment's URL, else public).
    #[arg(long, value_name = "CLOUD", requires = "environment", value_parser = ["public", "gcc", "usgovhigh", "dod", "china", "local"])]
    pub cloud: Option<String>,
    /// The application (client) id of your organization's app registration.
    #[arg(long, value_name = "ID", requires = "environment")]
    pub client_id: Option<String>,
    /// A PEM file of CA certificates to trust besides the system's (a
    /// TLS-inspecting proxy's CA).
    #[arg(long, value_name = "PEM", requires = "environment")]
    pub ca_file: Option<String>,
    /// Accept an environment at a plain http:// address that is not this computer: a test
    /// host served with `ferry host serve --listen`. Your token then crosses the network
    /// unencrypted; never use it for a real tenant.
    #[arg(long, requires = "environment")]
    pub allow_insecure_http: bool,
    #[command(flatten)]
    pub method: MethodArgs,
    /// Print the account (and, with --environment, the profile) as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Prints prompts for people: the code large, the page to open. With `--json`
/// they go to stderr, so stdout stays one JSON document.
pub struct Terminal {
    pub json: bool,
}

impl Terminal {
    fn say(&self, text: &str) {
        if self.json {
            eprintln!("{text}");
        } else {
            println!("{text}");
            std::io::stdout().flush().ok();
        }
    }
}

impl SignInPrompt for Terminal {
    fn device_code(&self, p: &DeviceCodePrompt) {
        self.say(&format!(
            "To sign in, open {} and enter the code:\n\n{}\n\n    code: {}\nWaiting for the sign-in (the code expires in {} minutes)…",
            p.verification_uri,
            big(&p.user_code),
            p.user_code,
            p.expires_in_seconds.div_ceil(60)
        ));
    }

    fn open_browser(&self, url: &str) {
        self.say(&format!(
            "Open this page in your browser to sign in:\n  {url}\nWaiting for the browser…"
        ));
    }
}

/// The code in a box, letters spaced, so it reads across a room.
fn big(code: &str) -> String {
    let spaced: Vec<String> = code.chars().map(|c| c.to_string()).collect();
    let inner = format!("  {}  ", spaced.join(" "));
    let line = "─".repeat(inner.chars().count());
    format!("    ┌{line}┐\n    │{inner}│\n    └{line}┘")
}

pub fn login(args: LoginArgs, global: &Global) -> anyhow::Result<ExitCode> {
    if let Some(environment) = args.environment.clone() {
        let req = CloudSignIn {
            cloud: args.cloud.clone(),
            tenant: args.tenant.clone(),
            client_id: args.client_id.clone(),
            method: args.method.method(),
            environment: Some(environment.clone()),
            ca_file: args.ca_file.clone(),
            allow_insecure_http: Some(args.allow_insecure_http).filter(|a| *a),
        };
        if args.allow_insecure_http {
            warn_insecure_http("this sign-in");
        }
        return with_engine(global, |engine| async move {
            let account = sign_in_to_cloud(&engine, &req, args.json).await?;
            let connected = connect(&engine, &req, &environment).await?;
            report_connected(Some(&account), &connected, args.json)?;
            Ok(ExitCode::SUCCESS)
        });
    }
    with_engine(global, |engine| async move {
        let terminal = Terminal { json: args.json };
        let account = engine.sign_in(args.method.method(), &terminal).await?;
        if args.json {
            print_json(&account)?;
        } else {
            println!(
                "Signed in to {} as {}.",
                engine.profile().display_name,
                account.account
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The warning of an opt-in to plain http off this computer (`what`: "the profile x").
pub fn warn_insecure_http(what: &str) {
    eprintln!(
        "warning: {what} may send its sign-in token over plain http to a computer on the network, where anyone on the way can read and reuse it; use it only for a test host (`ferry host serve --listen`)"
    );
}

/// Signs in to a cloud, prompting on the terminal.
pub async fn sign_in_to_cloud(
    engine: &Engine,
    req: &CloudSignIn,
    json: bool,
) -> Result<AccountInfo, CommandError> {
    Ok(engine.sign_in_to_cloud(req, &Terminal { json }).await?)
}

/// A profile a connect made or replaced.
pub struct Connected {
    pub profile: ProfileInfo,
    /// Whether a profile of that name was there before (now replaced).
    pub replaced: bool,
}

/// Connects an environment of a cloud sign-in (a profile named after it, now in use).
pub async fn connect(
    engine: &Engine,
    req: &CloudSignIn,
    environment: &str,
) -> Result<Connected, CommandError> {
    let before = engine.profiles()?;
    let profile = engine.connect_environment(req, environment).await?;
    let replaced = before.iter().any(|p| p.id == profile.id);
    Ok(Connected { profile, replaced })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ConnectedJson<'a> {
    account: Option<&'a AccountInfo>,
    profile: &'a ProfileInfo,
    replaced: bool,
}

/// Says which profile a connect made or replaced, where its host is and how
/// it was found, and that it is now in use.
pub fn report_connected(
    account: Option<&AccountInfo>,
    connected: &Connected,
    json: bool,
) -> anyhow::Result<()> {
    let p = &connected.profile;
    if json {
        return print_json(&ConnectedJson {
            account,
            profile: p,
            replaced: connected.replaced,
        });
    }
    if let Some(a) = account {
        println!("Signed in as {}.", a.account);
    }
    let env = p.dev_environment_name.as_deref().unwrap_or(&p.display_name);
    let url = p
        .dev_environment_url
        .as_deref()
        .map(|u| format!(" ({u})"))
        .unwrap_or_default();
    println!(
        "{} profile {} for {env}{url}.",
        if connected.replaced {
            "Updated"
        } else {
            "Created"
        },
        p.id
    );
    println!("Pipelines host: {}", p.host_url);
    if let Some(how) = &p.host_found {
        println!("  found: {how}.");
    }
    println!(
        "It is now the profile in use (`ferry --profile {}` from another one).",
        p.id
    );
    Ok(())
}

pub fn logout(global: &Global) -> anyhow::Result<ExitCode> {
    with_engine(global, |engine| async move {
        engine.sign_out()?;
        println!(
            "Signed out of {}; its tokens are removed from the keyring.",
            engine.profile().display_name
        );
        Ok(ExitCode::SUCCESS)
    })
}

pub fn whoami(args: WhoamiArgs, global: &Global) -> anyhow::Result<ExitCode> {
    with_engine(global, |engine| async move {
        let account = engine.account().await?;
        if args.json {
            print_json(&account)?;
            return Ok(ExitCode::SUCCESS);
        }
        let profile = engine.profile().display_name;
        match account {
            Some(a) => println!("{} on {profile}", a.account),
            None => {
                eprintln!("Not signed in to {profile}; sign in with `ferry login`.");
                return Ok(ExitCode::FAILURE);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_code_is_boxed_and_spaced() {
        let text = super::big("AB12");
        assert!(text.contains("│  A B 1 2  │"), "{text}");
        assert_eq!(text.lines().count(), 3);
    }
}
