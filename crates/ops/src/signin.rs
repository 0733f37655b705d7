//! Sign-in for profiles: tokens kept in the OS keyring (service name
//! injectable, `FERRY_KEYRING_SERVICE`), a [`TokenSource`] that refreshes
//! them, the device-code and browser (PKCE) flows for the app and the CLI,
//! and the Local sandbox's own sign-in as the demo maker, without prompting.

use std::sync::Arc;
use std::time::Duration;

use ferry_auth::{
    device, pkce, HostKind, KeyringStore, MemoryStore, SignInConfig, SignedIn, TokenStore,
};
use ferry_cache::{Profile, ProfileKind as CacheKind};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{OpsError, Result};
use crate::profile::Details;

/// The environment variable naming the keyring service Ferry's tokens live under.
pub const KEYRING_SERVICE_ENV: &str = "FERRY_KEYRING_SERVICE";
/// The keyring service of the app and the CLI.
pub const DEFAULT_KEYRING_SERVICE: &str = "ferry";
/// The public client id used with Ferry's local host (any id works there).
pub const LOCAL_CLIENT_ID: &str = "ferry";
/// The demo maker the Local sandbox signs in as.
pub const SANDBOX_USER: &str = "mona@contoso.example";

/// Where tokens are kept.
#[derive(Clone)]
pub enum TokenStorage {
    /// The OS keyring under this service name.
    Keyring(String),
    /// Memory only (tests; nothing survives the process).
    Memory(Arc<MemoryStore>),
}

impl std::fmt::Debug for TokenStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenStorage::Keyring(s) => write!(f, "Keyring({s:?})"),
            TokenStorage::Memory(_) => f.write_str("Memory"),
        }
    }
}

impl TokenStorage {
    /// `FERRY_KEYRING_SERVICE`, else the app's service name.
    pub fn from_env() -> Self {
        match std::env::var(KEYRING_SERVICE_ENV) {
            Ok(s) if !s.trim().is_empty() => TokenStorage::Keyring(s.trim().to_string()),
            _ => TokenStorage::Keyring(DEFAULT_KEYRING_SERVICE.into()),
        }
    }

    pub(crate) fn store(&self) -> Arc<dyn TokenStore> {
        match self {
            TokenStorage::Keyring(service) => Arc::new(KeyringStore::new(service)),
            TokenStorage::Memory(m) => m.clone(),
        }
    }
}

/// How to sign in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum SignInMethod {
    /// Show a code to enter on another device's browser.
    DeviceCode,
    /// Open the browser on this machine (authorization code + PKCE, loopback redirect).
    #[default]
    Browser,
    /// Use the Azure CLI's sign-in (`az account get-access-token`), as Microsoft's own
    /// pipeline scripts do: nothing is kept by Ferry.
    AzureCli,
}

impl SignInMethod {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SignInMethod::DeviceCode => "device_code",
            SignInMethod::Browser => "browser",
            SignInMethod::AzureCli => "azure_cli",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        [Self::DeviceCode, Self::Browser, Self::AzureCli]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// What a person must do to sign in with a device code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DeviceCodePrompt {
    pub user_code: String,
    pub verification_uri: String,
    pub message: String,
    #[ts(type = "number")]
    pub expires_in_seconds: u64,
}

/// Shows sign-in prompts: the CLI prints them, the app draws them.
pub trait SignInPrompt: Send + Sync {
    /// A device code to show with the page to enter it on.
    fn device_code(&self, prompt: &DeviceCodePrompt);
    /// The sign-in page to open in the browser.
    fn open_browser(&self, url: &str);
}

/// What a sign-in in progress asks of the person, as the app's window is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum SignInEvent {
    /// Enter this code on the verification page (any device's browser).
    #[serde(rename_all = "camelCase")]
    DeviceCode {
        user_code: String,
        verification_uri: String,
        message: String,
        #[ts(type = "number")]
        expires_in_seconds: u64,
    },
    /// Finish signing in on this page, opened in this machine's browser.
    #[serde(rename_all = "camelCase")]
    Browser { url: String },
}

impl From<&DeviceCodePrompt> for SignInEvent {
    fn from(p: &DeviceCodePrompt) -> Self {
        SignInEvent::DeviceCode {
            user_code: p.user_code.clone(),
            verification_uri: p.verification_uri.clone(),
            message: p.message.clone(),
            expires_in_seconds: p.expires_in_seconds,
        }
    }
}

/// Who is signed in to a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    pub profile_id: String,
    /// The user principal name.
    pub account: String,
    /// When the current access token expires (RFC 3339), if known.
    pub expires_at: Option<String>,
}

/// The Azure CLI as a token source (`az account get-access-token`), for a tenant.
pub(crate) fn azure_cli(tenant: Option<&str>) -> ferry_auth::AzureCli {
    let cli = ferry_auth::AzureCli::new();
    match tenant.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => cli.with_tenant(t),
        None => cli,
    }
}

/// The sign-in settings of a cloud (or local-host) profile.
pub(crate) fn config(profile: &Profile) -> Result<SignInConfig> {
    let mut authority = profile.authority.trim_end_matches('/').to_string();
    if let Some(tenant) = profile.tenant.as_deref().filter(|t| !t.trim().is_empty()) {
        for generic in ["/organizations", "/common"] {
            if let Some(base) = authority.strip_suffix(generic) {
                authority = format!("{base}/{}", tenant.trim());
            }
        }
    }
    let client_id = if !profile.client_id.trim().is_empty() {
        profile.client_id.trim().to_string()
    } else if is_ferry_host(&profile.host_url, Details::of(profile).allow_insecure_http) {
        LOCAL_CLIENT_ID.to_string()
    } else {
        return Err(OpsError::ProfileIncomplete {
            profile: profile.id.clone(),
            reason: "it has no client id to sign in with; add it again with --client-id (the application id of your app registration)".into(),
        });
    };
    let details = Details::of(profile);
    let resource = details
        .sign_in_resource
        .unwrap_or_else(|| profile.host_url.clone());
    Ok(SignInConfig::for_host(&authority, &client_id, &resource)
        .allowing_insecure_http(details.allow_insecure_http))
}

/// The keyring entry of a profile's sign-in (shared by the profiles of one sign-in).
pub(crate) fn keyring_key(profile: &Profile) -> String {
    Details::of(profile)
        .keyring_key
        .unwrap_or_else(|| profile.id.clone())
}

pub(crate) fn signed_in(profile: &Profile, storage: &TokenStorage) -> Result<SignedIn> {
    Ok(SignedIn::new(
        storage.store(),
        keyring_key(profile),
        config(profile)?,
    ))
}

/// Signs a profile in through a flow, saving the tokens; returns the account.
pub(crate) async fn sign_in(
    profile: &Profile,
    storage: &TokenStorage,
    method: SignInMethod,
    prompt: &dyn SignInPrompt,
) -> Result<AccountInfo> {
    if Details::of(profile).sign_in_method() == Some(SignInMethod::AzureCli)
        || method == SignInMethod::AzureCli
    {
        return Err(OpsError::InvalidInput(format!(
            "the profile {:?} signs in with the Azure CLI: sign in there with `az login`",
            profile.id
        )));
    }
    let session = signed_in(profile, storage)?;
    let config = config(profile)?;
    run_flow(&session, &config, method, prompt).await?;
    let tokens = session
        .account()?
        .ok_or_else(|| OpsError::Internal("the sign-in kept no tokens".into()))?;
    Ok(account_info(&profile.id, &tokens))
}

/// Runs a sign-in flow and keeps its tokens in `session`'s entry.
pub(crate) async fn run_flow(
    session: &SignedIn,
    config: &SignInConfig,
    method: SignInMethod,
    prompt: &dyn SignInPrompt,
) -> Result<()> {
    let config = config.clone();
    let tokens = match method {
        SignInMethod::DeviceCode => {
            let code = device::start(&config).await?;
            prompt.device_code(&DeviceCodePrompt {
                user_code: code.user_code.clone(),
                verification_uri: code.verification_uri.clone(),
                message: code.message.clone(),
                expires_in_seconds: code.expires_in.as_secs(),
            });
            device::wait(&config, &code).await?
        }
        SignInMethod::Browser => {
            pkce::sign_in(
                &config,
                |url| prompt.open_browser(url),
                Duration::from_secs(600),
            )
            .await?
        }
        SignInMethod::AzureCli => {
            return Err(OpsError::Internal(
                "the Azure CLI has no sign-in flow of Ferry's".into(),
            ))
        }
    };
    session.save(&tokens)?;
    Ok(())
}

pub(crate) fn account_info(profile_id: &str, t: &ferry_auth::StoredTokens) -> AccountInfo {
    AccountInfo {
        profile_id: profile_id.to_string(),
        account: t.account.clone(),
        expires_at: t
            .expires_at
            .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
            .map(crate::engine::format_time),
    }
}

/// The Local sandbox signs in as the demo maker through the real device-code
/// flow: it asks its own host for a code, approves it in-process, and redeems it.
#[cfg(feature = "sandbox")]
pub(crate) async fn sandbox_tokens(
    host: &ferry_host::RunningHost,
) -> Result<(Arc<SignedIn>, AccountInfo)> {
    let config = SignInConfig::for_host(&host.authority(), LOCAL_CLIENT_ID, host.base_url());
    let code = device::start(&config).await?;
    host.approve_device_code(&code.user_code, SANDBOX_USER)
        .map_err(|e| OpsError::Sandbox(format!("{e:#}")))?;
    let tokens = device::wait(&config, &code).await?;
    let info = account_info(crate::profile::SANDBOX_ID, &tokens);
    let session = SignedIn::new(
        Arc::new(MemoryStore::default()),
        crate::profile::SANDBOX_ID,
        config,
    );
    session.save(&tokens)?;
    Ok((Arc::new(session), info))
}

/// The authority that signs people in to a host: the local host is its own,
/// a Dataverse URL maps to its cloud's (`None`: not a URL Ferry recognizes).
pub(crate) fn authority_for(host_url: &str, tenant: Option<&str>) -> Option<String> {
    HostKind::of(host_url)
        .ok()
        .map(|kind| kind.authority(tenant))
}

/// Whether a host is Ferry's own, its own authority: on loopback, or a plain-`http://` test
/// host off this computer (`ferry host serve --listen`) that the profile opted in to — no
/// Microsoft host is served over http.
pub(crate) fn is_ferry_host(host_url: &str, allow_insecure_http: bool) -> bool {
    matches!(HostKind::of(host_url), Ok(HostKind::Local { .. }))
        || (allow_insecure_http && crate::profile::plain_http_off_this_computer(host_url))
}

/// The authority of Ferry's own host at `host_url` (it is its own authority).
pub(crate) fn ferry_host_authority(host_url: &str) -> Option<String> {
    let url = url::Url::parse(host_url.trim()).ok()?;
    Some(format!(
        "{}://{}/organizations",
        url.scheme(),
        url.authority()
    ))
}

/// Whether this profile is the built-in sandbox.
pub(crate) fn is_sandbox(profile: &Profile) -> bool {
    profile.kind == CacheKind::LocalSandbox
}
