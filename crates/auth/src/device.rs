//! The device-code flow (§9.3): ask for a code, show it to the person with
//! the page to enter it on, then poll the token endpoint, honouring
//! `interval`, `slow_down` (5 s more each time, RFC 8628) and the expiry.

use std::time::Duration;

use serde::Deserialize;

use crate::oauth::{self, SignInConfig, SignInError, TokenAnswer};
use crate::secret::Secret;
use crate::store::StoredTokens;

/// What the person must see: the code and where to enter it.
#[derive(Debug, Clone)]
pub struct DeviceCode {
    pub user_code: String,
    pub verification_uri: String,
    /// The authority's own sentence ("To sign in, use a web browser to open …").
    pub message: String,
    pub expires_in: Duration,
    pub interval: Duration,
    device_code: Secret,
}

#[derive(Deserialize)]
struct Body {
    device_code: String,
    user_code: String,
    verification_uri: String,
    #[serde(default)]
    message: String,
    #[serde(default = "default_expiry")]
    expires_in: u64,
    #[serde(default = "default_interval")]
    interval: u64,
}

/// No one takes longer to type a code (Entra's live 15 minutes); a longer lifetime from
/// the authority is cut to this, so a sign-in nobody approves ends.
const MAX_CODE_LIFETIME: Duration = Duration::from_secs(3600);
/// Poll at least once a minute, whatever the authority asks (`slow_down` included).
const MAX_INTERVAL: Duration = Duration::from_secs(60);
const MIN_INTERVAL: Duration = Duration::from_secs(1);
/// RFC 8628 §3.5: each `slow_down` adds 5 seconds.
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);

fn default_expiry() -> u64 {
    900
}

fn default_interval() -> u64 {
    5
}

/// Starts a device-code sign-in.
pub async fn start(config: &SignInConfig) -> Result<DeviceCode, SignInError> {
    let http = oauth::client()?;
    let url = config.endpoint("devicecode");
    let (status, body) = oauth::post_form(
        &http,
        &url,
        &[("client_id", &config.client_id), ("scope", &config.scope)],
    )
    .await?;
    if !status.is_success() {
        let e: oauth::ErrorBody = serde_json::from_value(body)
            .map_err(|_| SignInError::Refused(format!("{url} answered {status}")))?;
        return Err(oauth::refused(&e));
    }
    let b: Body = serde_json::from_value(body).map_err(|e| {
        SignInError::Refused(format!("the device-code answer is not understood ({e})"))
    })?;
    // The caller shows this page and opens it with the OS opener.
    oauth::check_page(&b.verification_uri, config)?;
    Ok(DeviceCode {
        message: if b.message.is_empty() {
            format!(
                "To sign in, open {} and enter the code {}.",
                b.verification_uri, b.user_code
            )
        } else {
            b.message
        },
        user_code: b.user_code,
        verification_uri: b.verification_uri,
        expires_in: oauth::server_secs(i128::from(b.expires_in), MAX_CODE_LIFETIME),
        interval: oauth::server_secs(i128::from(b.interval), MAX_INTERVAL).max(MIN_INTERVAL),
        device_code: Secret::new(b.device_code),
    })
}

/// Polls until the person approves (tokens), declines, or the code expires.
/// The first poll comes at once (a code approved beforehand needs no wait).
pub async fn wait(config: &SignInConfig, code: &DeviceCode) -> Result<StoredTokens, SignInError> {
    let http = oauth::client()?;
    // The fields are public: a caller's Duration::MAX must not overflow the clock either
    // (no deadline then: it never expires).
    let deadline = tokio::time::Instant::now().checked_add(code.expires_in);
    let mut interval = code.interval;
    loop {
        let grant = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", code.device_code.expose()),
        ];
        match oauth::redeem(&http, config, &grant, None).await? {
            TokenAnswer::Tokens(t) => return Ok(t),
            TokenAnswer::Error(e) => match e.error.as_str() {
                "authorization_pending" => {}
                "slow_down" => interval = interval.saturating_add(SLOW_DOWN_STEP).min(MAX_INTERVAL),
                _ => return Err(oauth::refused(&e)),
            },
        }
        let expired = match (deadline, tokio::time::Instant::now().checked_add(interval)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(deadline), Some(next)) => next > deadline,
        };
        if expired {
            return Err(SignInError::Expired);
        }
        tokio::time::sleep(interval).await;
    }
}
