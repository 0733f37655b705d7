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
        expires_in: Duration::from_secs(b.expires_in),
        interval: Duration::from_secs(b.interval.max(1)),
        device_code: Secret::new(b.device_code),
    })
}

/// Polls until the person approves (tokens), declines, or the code expires.
/// The first poll comes at once (a code approved beforehand needs no wait).
pub async fn wait(config: &SignInConfig, code: &DeviceCode) -> Result<StoredTokens, SignInError> {
    let http = oauth::client()?;
    let deadline = tokio::time::Instant::now() + code.expires_in;
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
                "slow_down" => interval += Duration::from_secs(5),
                _ => return Err(oauth::refused(&e)),
            },
        }
        if tokio::time::Instant::now() + interval > deadline {
            return Err(SignInError::Expired);
        }
        tokio::time::sleep(interval).await;
    }
}
