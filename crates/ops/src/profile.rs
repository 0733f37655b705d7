//! Profiles: which host, which development environment, which identity settings.
//!
//! Profiles live in the cache (never a token). The built-in **Local sandbox**
//! (`sandbox`) always exists: it runs an in-process `ferry-host` with the demo
//! tenant under `<data dir>/sandbox` and signs in by itself as the demo maker.
//! Any other profile signs in (`ferry login`); its tokens live in the keyring
//! (see `signin`), and `FERRY_TOKEN` overrides them with a fixed bearer token.

use std::path::PathBuf;
use std::sync::Arc;

use ferry_cache::{Cache, Profile, ProfileKind as CacheKind};
use serde::{Deserialize, Serialize};

use crate::signin::{self, SignInMethod, TokenStorage};
use crate::tenant::Tokens;

use crate::error::{OpsError, Result};
use crate::types::{NewProfile, ProfileInfo, ProfileKind};

/// The sandbox profile's id.
pub const SANDBOX_ID: &str = "sandbox";
/// The sandbox profile's name for people (also accepted by `--profile`).
pub const SANDBOX_NAME: &str = "Local sandbox";
/// The environment variable that overrides the data directory.
pub const DATA_DIR_ENV: &str = "FERRY_DATA_DIR";
/// The environment variable holding a bearer token for non-sandbox profiles
/// (overrides the signed-in tokens).
pub const TOKEN_ENV: &str = "FERRY_TOKEN";
/// The app's identifier: its data folder's name, shared by the CLI.
pub const APP_IDENTIFIER: &str = "app.ferry.desktop";
/// The default identity authority of cloud profiles.
pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com/organizations";
/// The cache file's name inside the data directory.
pub const CACHE_FILE: &str = "cache.sqlite";

/// `FERRY_DATA_DIR` when set, else `<platform data dir>/app.ferry.desktop` (the app's).
pub fn default_data_dir() -> Result<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => dirs::data_dir()
            .map(|d| d.join(APP_IDENTIFIER))
            .ok_or_else(|| {
                OpsError::Io(format!(
                    "this system has no per-user data folder; set {DATA_DIR_ENV} to a writable folder"
                ))
            }),
    }
}

/// What a profile knows beyond its host and dev environment (the cache keeps it as
/// JSON, `Profile::details`). Profiles added with explicit values have none of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Details {
    /// The cloud (`Cloud::name`); `None`: from the host URL.
    pub cloud: Option<String>,
    /// The local cloud's origin, whose host serves its endpoint table.
    pub cloud_origin: Option<String>,
    /// How it signs in (`SignInMethod::as_str`).
    pub sign_in: Option<String>,
    /// The keyring entry of its sign-in, shared by the profiles of one sign-in
    /// (`None`: the profile's id).
    pub keyring_key: Option<String>,
    /// The resource the sign-in was made for (`None`: the host).
    pub sign_in_resource: Option<String>,
    pub dev_environment_name: Option<String>,
    pub dev_organization_id: Option<String>,
    /// How the host was found, in a sentence.
    pub host_found: Option<String>,
    /// A PEM file of CA certificates trusted besides the system's.
    pub ca_file: Option<String>,
    /// The profile opted in to a plain `http://` host off this computer (a test host
    /// served with `--listen`): its token crosses the network unencrypted.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_insecure_http: bool,
}

/// Trusts a CA file besides the system's for every request of this process (the
/// sign-in flows included). The first file set wins: one proxy per machine.
pub(crate) fn trust_ca_file(path: Option<&str>) -> Result<()> {
    let Some(path) = path.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    ferry_auth::http::set_default_http_options(ferry_auth::HttpOptions {
        extra_ca_file: Some(PathBuf::from(path)),
        ..Default::default()
    })
    .map_err(|e| OpsError::InvalidInput(e.to_string()))
}

impl Details {
    pub fn of(p: &Profile) -> Details {
        serde_json::from_str(&p.details).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    pub fn sign_in_method(&self) -> Option<SignInMethod> {
        self.sign_in.as_deref().and_then(SignInMethod::parse)
    }
}

/// The built-in sandbox profile as stored (its host URL is filled in when it runs).
pub(crate) fn sandbox_profile(host_url: &str) -> Profile {
    Profile {
        id: SANDBOX_ID.into(),
        display_name: SANDBOX_NAME.into(),
        kind: CacheKind::LocalSandbox,
        authority: format!("{host_url}/identity"),
        tenant: None,
        client_id: "ferry".into(),
        host_url: host_url.into(),
        dev_environment_id: Some("dev".into()),
        dev_environment_url: None,
        details: "{}".into(),
    }
}

/// Makes sure the sandbox profile exists, and a profile is active.
pub(crate) fn ensure_builtin(cache: &mut Cache) -> Result<()> {
    if cache.profile(SANDBOX_ID)?.is_none() {
        cache.save_profile(&sandbox_profile("http://127.0.0.1"))?;
    }
    if cache.active_profile()?.is_none() {
        cache.set_active_profile(SANDBOX_ID)?;
    }
    Ok(())
}

/// Finds a profile by id or display name (case-insensitive); `None` means the active one.
pub(crate) fn resolve(cache: &Cache, name: Option<&str>) -> Result<Profile> {
    let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
        return cache
            .active_profile()?
            .ok_or_else(|| OpsError::UnknownProfile(SANDBOX_NAME.into()));
    };
    if let Some(p) = cache.profile(name)? {
        return Ok(p);
    }
    cache
        .profiles()?
        .into_iter()
        .find(|p| p.id.eq_ignore_ascii_case(name) || p.display_name.eq_ignore_ascii_case(name))
        .ok_or_else(|| OpsError::UnknownProfile(name.into()))
}

pub(crate) fn info(p: &Profile, active_id: Option<&str>) -> ProfileInfo {
    let details = Details::of(p);
    ProfileInfo {
        id: p.id.clone(),
        display_name: p.display_name.clone(),
        kind: match p.kind {
            CacheKind::LocalSandbox => ProfileKind::LocalSandbox,
            CacheKind::Cloud => ProfileKind::Cloud,
        },
        host_url: p.host_url.clone(),
        dev_environment: p.dev_environment_id.clone(),
        authority: p.authority.clone(),
        tenant: p.tenant.clone(),
        client_id: p.client_id.clone(),
        active: active_id == Some(p.id.as_str()),
        cloud: details.cloud.clone().or_else(|| {
            ferry_auth::Cloud::of_url(&p.host_url)
                .ok()
                .filter(|_| p.kind == CacheKind::Cloud)
                .map(|c| c.name().to_string())
        }),
        dev_environment_name: details.dev_environment_name.clone(),
        dev_environment_url: p.dev_environment_url.clone(),
        host_found: details.host_found.clone(),
        sign_in: details.sign_in_method(),
    }
}

/// Checks and converts a new profile.
pub(crate) fn from_new(new: &NewProfile) -> Result<Profile> {
    let id = new.id.trim();
    let bad = |reason: &str| OpsError::ProfileIncomplete {
        profile: id.to_string(),
        reason: reason.to_string(),
    };
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        return Err(bad(
            "a profile name uses letters, digits, '-', '_' or '.' (like contoso-prod)",
        ));
    }
    if id.eq_ignore_ascii_case(SANDBOX_ID) || id.eq_ignore_ascii_case(SANDBOX_NAME) {
        return Err(bad(
            "that name belongs to the built-in Local sandbox; pick another",
        ));
    }
    let host = new.host_url.trim().trim_end_matches('/');
    if !(host.starts_with("https://") || host.starts_with("http://")) {
        return Err(bad(
            "the host URL must start with https:// (like https://contoso-host.crm.dynamics.com)",
        ));
    }
    let insecure = new.allow_insecure_http.unwrap_or(false);
    for url in std::iter::once(host).chain(new.authority.as_deref().map(str::trim)) {
        if plain_http_off_this_computer(url) && !insecure {
            return Err(OpsError::InvalidInput(format!(
                "the profile {id} is not saved: {}",
                ferry_dataverse::insecure_http(url)
            )));
        }
    }
    if new.dev_environment.trim().is_empty() {
        return Err(bad(
            "name the development environment (its environment id or name) with --dev-env",
        ));
    }
    Ok(Profile {
        id: id.to_string(),
        display_name: new
            .display_name
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| id.to_string()),
        kind: CacheKind::Cloud,
        // Default: the authority that serves the host (the local host is its own).
        authority: new
            .authority
            .clone()
            .or_else(|| signin::authority_for(host, None))
            .or_else(|| {
                signin::is_ferry_host(host, insecure)
                    .then(|| signin::ferry_host_authority(host))
                    .flatten()
            })
            .unwrap_or_else(|| DEFAULT_AUTHORITY.into()),
        tenant: new.tenant.clone(),
        // Empty: none chosen (the local host accepts any; Entra sign-in asks for one).
        client_id: new.client_id.clone().unwrap_or_default(),
        host_url: host.to_string(),
        dev_environment_id: Some(new.dev_environment.trim().to_string()),
        dev_environment_url: None,
        details: Details {
            allow_insecure_http: insecure,
            ..Details::default()
        }
        .to_json(),
    })
}

/// Whether `url` is plain `http://` to another computer (its traffic, the bearer token
/// included, readable on the network).
pub(crate) fn plain_http_off_this_computer(url: &str) -> bool {
    url.trim()
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
        && !ferry_dataverse::is_loopback(url.trim())
}

/// The tokens of a cloud profile: `FERRY_TOKEN` when set (one token for every
/// audience: on a real tenant, the host's only), the Azure CLI's when the profile
/// signs in with it, else the signed-in tokens (a token per audience, refreshed as
/// needed).
pub(crate) fn cloud_tokens(profile: &Profile, storage: &TokenStorage) -> Result<Tokens> {
    if let Ok(t) = std::env::var(TOKEN_ENV) {
        if !t.trim().is_empty() {
            return Ok(Tokens::Static(t.trim().to_string()));
        }
    }
    if Details::of(profile).sign_in_method() == Some(SignInMethod::AzureCli) {
        return Ok(Tokens::Source(Arc::new(signin::azure_cli(
            profile.tenant.as_deref(),
        ))));
    }
    let session = signin::signed_in(profile, storage)?;
    match session.account() {
        Ok(Some(_)) => Ok(Tokens::Source(Arc::new(session))),
        Ok(None) => Err(OpsError::NoToken(profile.id.clone())),
        Err(e) => Err(OpsError::Keyring {
            profile: profile.id.clone(),
            reason: e.to_string().trim_end_matches('.').to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(id: &str, host: &str, dev: &str) -> NewProfile {
        NewProfile {
            id: id.into(),
            host_url: host.into(),
            dev_environment: dev.into(),
            ..Default::default()
        }
    }

    #[test]
    fn new_profiles_are_checked() {
        let p = from_new(&new("contoso", "https://host.example/", "dev")).unwrap();
        assert_eq!(p.host_url, "https://host.example");
        assert_eq!(p.authority, DEFAULT_AUTHORITY);
        assert_eq!(p.kind, CacheKind::Cloud);
        for (id, host, dev) in [
            ("", "https://h", "d"),
            ("a b", "https://h", "d"),
            ("sandbox", "https://h", "d"),
            ("x", "ftp://h", "d"),
            ("x", "https://h", " "),
        ] {
            assert!(from_new(&new(id, host, dev)).is_err(), "{id} {host} {dev}");
        }
    }

    #[test]
    fn the_sandbox_is_built_in_and_found_by_either_name() {
        let mut cache = Cache::open_in_memory().unwrap();
        ensure_builtin(&mut cache).unwrap();
        assert_eq!(resolve(&cache, None).unwrap().id, SANDBOX_ID);
        assert_eq!(
            resolve(&cache, Some("local SANDBOX")).unwrap().id,
            SANDBOX_ID
        );
        let err = resolve(&cache, Some("nope")).unwrap_err();
        assert!(matches!(err, OpsError::UnknownProfile(_)), "{err}");
        // Idempotent, and it does not steal the active flag.
        cache
            .save_profile(&from_new(&new("other", "https://h", "d")).unwrap())
            .unwrap();
        cache.set_active_profile("other").unwrap();
        ensure_builtin(&mut cache).unwrap();
        assert_eq!(resolve(&cache, None).unwrap().id, "other");
    }
}
