//! Where a token for a resource comes from: Ferry's own sign-in
//! ([`crate::SignedIn`]) or the Azure CLI ([`AzureCli`]), the way Microsoft's
//! own pipeline scripts authenticate (`az account get-access-token
//! --resource <org>`, spec §9.4). Callers hold a `dyn TokenSource` and ask
//! for "a token for resource R".

use std::collections::HashMap;
use std::ffi::OsString;
use std::future::Future;
use std::pin::Pin;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;

use serde::Deserialize;

use crate::oauth::{self, SignInError};
use crate::secret::Secret;
use crate::session::REFRESH_MARGIN_S;

/// A future returning an access token.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<Secret, SignInError>> + Send + 'a>>;

/// Gives access tokens per resource (an org URL or a service audience).
pub trait TokenSource: Send + Sync {
    /// A token for `resource`, valid for a while yet (each source caches and refreshes).
    fn token_for<'a>(&'a self, resource: &'a str) -> TokenFuture<'a>;
}

/// The program name of the Azure CLI (a `.cmd` script on Windows, which
/// `CreateProcess` does not find by the bare name).
pub const AZ_PROGRAM: &str = if cfg!(windows) { "az.cmd" } else { "az" };

/// Without `expires_on` (older Azure CLIs print only `expiresOn`, local time
/// without a zone), a token is reused this long rather than guessing the zone.
const UNZONED_REUSE_S: i64 = 60;

/// Tokens from `az account get-access-token`, cached per resource.
#[derive(Debug)]
pub struct AzureCli {
    program: OsString,
    tenant: Option<String>,
    search_path: Option<OsString>,
    timeout: Duration,
    cache: Mutex<HashMap<String, (Secret, i64)>>,
    /// One `az` at a time: two resources at once would each start a Python.
    running: tokio::sync::Mutex<()>,
}

impl Default for AzureCli {
    fn default() -> Self {
        Self::new()
    }
}

impl AzureCli {
    pub fn new() -> Self {
        Self {
            program: AZ_PROGRAM.into(),
            tenant: None,
            search_path: None,
            timeout: Duration::from_secs(120),
            cache: Mutex::new(HashMap::new()),
            running: tokio::sync::Mutex::new(()),
        }
    }

    /// Another program name or path (tests use a fake `az`).
    pub fn with_program(mut self, program: impl Into<OsString>) -> Self {
        self.program = program.into();
        self
    }

    /// Ask for tokens in this tenant (`--tenant`).
    pub fn with_tenant(mut self, tenant: impl Into<String>) -> Self {
        self.tenant = Some(tenant.into()).filter(|t: &String| !t.trim().is_empty());
        self
    }

    /// The `PATH` the program is looked up in and runs with (default: the process's).
    pub fn with_search_path(mut self, path: impl Into<OsString>) -> Self {
        self.search_path = Some(path.into());
        self
    }

    /// How long `az` may take (it can prompt nothing, so a hang is a fault).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// A token for `resource`, from the cache while it has more than
    /// [`REFRESH_MARGIN_S`] left, else from `az`.
    pub async fn access_token_for(&self, resource: &str) -> Result<Secret, SignInError> {
        let key = resource.trim().to_string();
        if let Some(token) = self.cached(&key) {
            return Ok(token);
        }
        let _one_at_a_time = self.running.lock().await;
        if let Some(token) = self.cached(&key) {
            return Ok(token);
        }
        let (token, expires_at) = self.run(&key).await?;
        self.cache
            .lock()
            .expect("not poisoned")
            .insert(key, (token.clone(), expires_at));
        Ok(token)
    }

    fn cached(&self, key: &str) -> Option<Secret> {
        let cache = self.cache.lock().expect("not poisoned");
        cache
            .get(key)
            .filter(|(_, at)| *at > oauth::now_s())
            .map(|(t, _)| t.clone())
    }

    async fn run(&self, resource: &str) -> Result<(Secret, i64), SignInError> {
        let name = self.program.to_string_lossy().into_owned();
        let mut command = tokio::process::Command::new(&self.program);
        command
            .args(["account", "get-access-token", "--resource", resource])
            .args(["--output", "json"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(tenant) = &self.tenant {
            command.args(["--tenant", tenant]);
        }
        if let Some(path) = &self.search_path {
            command.env("PATH", path);
        }
        let fail = |s: String| SignInError::AzureCli(s);
        let output = match tokio::time::timeout(self.timeout, command.output()).await {
            Err(_) => {
                return Err(fail(format!(
                    "the Azure CLI ({name}) gave no token within {} s; run `az account get-access-token --resource {resource}` yourself to see why, or choose another way in",
                    self.timeout.as_secs()
                )))
            }
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(fail(format!(
                    "the Azure CLI ({name}) is not installed or not on PATH; install the Azure CLI or choose another way in"
                )))
            }
            Ok(Err(e)) => return Err(fail(format!("the Azure CLI ({name}) could not be started ({e}); install the Azure CLI or choose another way in"))),
            Ok(Ok(output)) => output,
        };
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(fail(failure_sentence(
                &stderr,
                resource,
                self.tenant.as_deref(),
            )));
        }
        parse_token(&output.stdout, oauth::now_s()).map_err(fail)
    }
}

impl TokenSource for AzureCli {
    fn token_for<'a>(&'a self, resource: &'a str) -> TokenFuture<'a> {
        Box::pin(self.access_token_for(resource))
    }
}

/// `az`'s complaint as a sentence: the common cases by what they mean, any
/// other by its first `ERROR:` line (stderr never holds the token).
fn failure_sentence(stderr: &str, resource: &str, tenant: Option<&str>) -> String {
    let lower = stderr.to_ascii_lowercase();
    let login = match tenant {
        Some(t) => format!("az login --tenant {t}"),
        None => "az login".to_string(),
    };
    // Consent errors also suggest `az login`, so they are told apart first.
    if lower.contains("aadsts65001") || lower.contains("consent") {
        return format!("the Azure CLI may not get tokens for {resource} in this tenant (consent is missing); ask an admin to consent, or choose another way in");
    }
    if lower.contains("az login") {
        return format!(
            "the Azure CLI is not signed in (or its sign-in expired); run `{login}` and try again"
        );
    }
    let detail: String = stderr
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("ERROR:"))
        .or_else(|| stderr.lines().map(str::trim).find(|l| !l.is_empty()))
        .unwrap_or("no message")
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect();
    format!("the Azure CLI could not get a token for {resource} ({detail}); check `{login}`, or choose another way in")
}

#[derive(Deserialize)]
struct AzToken {
    #[serde(rename = "accessToken")]
    access_token: Option<String>,
    #[serde(rename = "expires_on")]
    expires_on: Option<serde_json::Value>,
    #[serde(rename = "expiresOn")]
    expires_on_local: Option<String>,
}

/// Reads `az account get-access-token --output json`: the token and when to
/// stop reusing it (unix seconds). Errors never include the output.
fn parse_token(stdout: &[u8], now: i64) -> Result<(Secret, i64), String> {
    let unexpected = |what: &str| {
        format!("the Azure CLI printed something unexpected ({what}, {} bytes); update the Azure CLI, or choose another way in", stdout.len())
    };
    let body: AzToken =
        serde_json::from_slice(stdout).map_err(|_| unexpected("not the JSON of a token"))?;
    let token = body
        .access_token
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| unexpected("no accessToken"))?;
    let expires_on = match &body.expires_on {
        Some(serde_json::Value::Number(n)) => n.as_i64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    let reuse_until = match (expires_on, body.expires_on_local.as_deref()) {
        (Some(at), _) => at.saturating_sub(REFRESH_MARGIN_S),
        (None, Some(local)) if looks_like_local_time(local) => now.saturating_add(UNZONED_REUSE_S),
        (None, Some(_)) => return Err(unexpected("an expiresOn that is not a time")),
        (None, None) => return Err(unexpected("no expiry")),
    };
    Ok((Secret::new(token), reuse_until))
}

/// `2024-05-01 13:45:10.123456` (what older `az` prints as `expiresOn`).
fn looks_like_local_time(s: &str) -> bool {
    let b = s.trim().as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    b.len() >= 19
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b' ' | b'T')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_token_and_its_expiry() {
        let now = 1_700_000_000;
        let (t, until) = parse_token(
            br#"{"accessToken":"eyJ.a.b","expiresOn":"2023-11-14 23:13:20.000000","expires_on":1700003600,"tokenType":"Bearer"}"#,
            now,
        )
        .unwrap();
        assert_eq!(t.expose(), "eyJ.a.b");
        assert_eq!(until, 1_700_003_600 - REFRESH_MARGIN_S);
        let (_, until) =
            parse_token(br#"{"accessToken":"x","expires_on":"1700003600"}"#, now).unwrap();
        assert_eq!(until, 1_700_003_600 - REFRESH_MARGIN_S);
        let (_, until) = parse_token(
            br#"{"accessToken":"x","expiresOn":"2023-11-14 23:13:20.000000"}"#,
            now,
        )
        .unwrap();
        assert_eq!(until, now + UNZONED_REUSE_S, "no zone: reused briefly");
    }

    #[test]
    fn unexpected_output_is_refused_without_showing_it() {
        for out in [
            &b"WARNING: eyJ-secret-token"[..],
            br#"{"token":"eyJ-secret-token"}"#,
            br#"{"accessToken":"eyJ-secret-token"}"#,
            br#"{"accessToken":"eyJ-secret-token","expiresOn":"soon"}"#,
        ] {
            let e = parse_token(out, 0).unwrap_err();
            assert!(!e.contains("eyJ-secret-token"), "{e}");
            assert!(e.contains("unexpected"), "{e}");
        }
    }

    #[test]
    fn failures_say_what_to_do() {
        let e = failure_sentence(
            "ERROR: Please run 'az login' to setup account.\n",
            "https://x.crm.dynamics.com",
            Some("contoso.example"),
        );
        assert!(e.contains("az login --tenant contoso.example"), "{e}");
        let e = failure_sentence(
            "ERROR: AADSTS500011: The resource principal named https://x was not found\n",
            "https://x",
            None,
        );
        assert!(
            e.contains("AADSTS500011") && e.contains("choose another way in"),
            "{e}"
        );
    }
}
