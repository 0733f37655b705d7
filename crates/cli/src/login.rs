//! `ferry login|logout|whoami`: sign the profile in (device code, or the
//! browser with PKCE on a loopback redirect), sign it out (its keyring entry
//! is deleted), and say who is signed in. Tokens live only in the keyring,
//! under `FERRY_KEYRING_SERVICE` (default `ferry`).

use std::io::Write as _;
use std::process::ExitCode;

use clap::Args;
use ferry_ops::{DeviceCodePrompt, SignInMethod, SignInPrompt};

use crate::output::{print_json, with_engine, Global};

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("method"))]
pub struct LoginArgs {
    /// Show a code to enter on a sign-in page (any device's browser). The default.
    #[arg(long, group = "method")]
    pub device_code: bool,
    /// Sign in in this machine's browser (prints the URL to open).
    #[arg(long, group = "method")]
    pub browser: bool,
    /// Print the account as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Prints prompts for people: the code large, the page to open.
struct Terminal;

impl SignInPrompt for Terminal {
    fn device_code(&self, p: &DeviceCodePrompt) {
        println!(
            "To sign in, open {} and enter the code:",
            p.verification_uri
        );
        println!();
        println!("{}", big(&p.user_code));
        println!();
        println!("    code: {}", p.user_code);
        println!(
            "Waiting for the sign-in (the code expires in {} minutes)…",
            p.expires_in_seconds.div_ceil(60)
        );
        std::io::stdout().flush().ok();
    }

    fn open_browser(&self, url: &str) {
        println!("Open this page in your browser to sign in:");
        println!("  {url}");
        println!("Waiting for the browser…");
        std::io::stdout().flush().ok();
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
    with_engine(global, |engine| async move {
        let method = if args.browser {
            SignInMethod::Browser
        } else {
            SignInMethod::DeviceCode
        };
        let account = engine.sign_in(method, &Terminal).await?;
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
