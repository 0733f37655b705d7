//! A signed-in profile: tokens from the [`TokenStore`], a fresh access token
//! on request, refreshed (and the rotated refresh token saved) shortly before
//! it expires. One refresh at a time, so a rotated token is never redeemed twice.
//!
//! One sign-in serves every resource (§14.4): the store keeps one refresh
//! token and the host's access token; tokens for other audiences (dev and
//! target orgs, GDS, BAP/Power Apps) are redeemed from the same refresh token
//! and kept in memory only.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use crate::oauth::{self, SignInConfig, SignInError, TokenAnswer};
use crate::secret::Secret;
use crate::source::{TokenFuture, TokenSource};
use crate::store::{StoredTokens, TokenStore};

/// Refresh this long before the access token expires.
pub const REFRESH_MARGIN_S: i64 = 300;

/// Tokens of one profile, kept in a store under the profile's key.
pub struct SignedIn {
    store: Arc<dyn TokenStore>,
    key: String,
    config: SignInConfig,
    /// Held while redeeming the refresh token, for every audience; shared by
    /// every `SignedIn` of this profile in the process (see [`profile_locks`]).
    refresh: Arc<tokio::sync::Mutex<()>>,
    /// Held around every write of the profile's entry (and the read that decides a
    /// refresh's save), so a sign-out never lands between that read and that save.
    writes: Arc<Mutex<()>>,
    http: Result<reqwest::Client, SignInError>,
    /// Other audiences' access tokens: resource key → (token, expires at).
    others: Mutex<HashMap<String, (Secret, i64)>>,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("key", &self.key)
            .field("authority", &self.config.authority)
            .finish_non_exhaustive()
    }
}

/// The resource a scope list names (`{resource}/.default` or
/// `{resource}/user_impersonation`), compared loosely (case, trailing slash).
fn resource_key(resource: &str) -> String {
    resource.trim().trim_end_matches('/').to_ascii_lowercase()
}

fn resource_of_scope(scope: &str) -> Option<String> {
    scope.split_whitespace().find_map(|s| {
        let (resource, permission) = s.rsplit_once('/')?;
        (resource.contains("://") && matches!(permission, ".default" | "user_impersonation"))
            .then(|| resource_key(resource))
    })
}

/// The locks of one profile key.
#[derive(Default, Clone)]
struct ProfileLocks {
    refresh: Arc<tokio::sync::Mutex<()>>,
    writes: Arc<Mutex<()>>,
}

/// The locks of a profile key. Callers may build several `SignedIn` for one
/// profile (one per operation, and a new one after a sign-out); locks per object
/// would let two of them redeem the same refresh token (the second is refused),
/// or let one save a refresh's tokens just after another signed out.
fn profile_locks(key: &str) -> ProfileLocks {
    static LOCKS: OnceLock<Mutex<HashMap<String, ProfileLocks>>> = OnceLock::new();
    LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(key.to_string())
        .or_default()
        .clone()
}

impl SignedIn {
    pub fn new(store: Arc<dyn TokenStore>, key: impl Into<String>, config: SignInConfig) -> Self {
        let key = key.into();
        let locks = profile_locks(&key);
        Self {
            store,
            config,
            refresh: locks.refresh,
            writes: locks.writes,
            key,
            http: oauth::client(),
            others: Mutex::new(HashMap::new()),
        }
    }

    /// Uses this HTTP client (say, from [`crate::http_client`] with a CA file).
    pub fn with_http(mut self, http: reqwest::Client) -> Self {
        self.http = Ok(http);
        self
    }

    fn http(&self) -> Result<&reqwest::Client, SignInError> {
        self.http.as_ref().map_err(Clone::clone)
    }

    /// Saves the tokens a sign-in flow returned.
    pub fn save(&self, tokens: &StoredTokens) -> Result<(), SignInError> {
        let _writing = self.writing();
        self.others.lock().expect("not poisoned").clear();
        self.store.save(&self.key, tokens)?;
        tracing::debug!(profile = %self.key, "sign-in kept in the token store");
        Ok(())
    }

    fn writing(&self) -> std::sync::MutexGuard<'_, ()> {
        self.writes.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Who is signed in, if anyone (from the store; no network).
    pub fn account(&self) -> Result<Option<StoredTokens>, SignInError> {
        Ok(self.store.load(&self.key)?)
    }

    /// Forgets the tokens (sign out).
    pub fn sign_out(&self) -> Result<(), SignInError> {
        self.others.lock().expect("not poisoned").clear();
        Ok(Self::forget(self.store.as_ref(), &self.key)?)
    }

    /// Removes the sign-in kept under `key` (a sign-out without a session, as when
    /// a profile is removed), never between a refresh's check and its save.
    pub fn forget(store: &dyn TokenStore, key: &str) -> Result<(), crate::StoreError> {
        let writes = profile_locks(key).writes;
        let _writing = writes.lock().unwrap_or_else(|e| e.into_inner());
        store.clear(key)?;
        tracing::info!(profile = %key, "signed out: the sign-in left the token store");
        Ok(())
    }

    /// The host's access token, valid for at least [`REFRESH_MARGIN_S`],
    /// refreshing if needed.
    pub async fn access_token(&self) -> Result<Secret, SignInError> {
        if let Some(token) = self.fresh()? {
            return Ok(token);
        }
        let _one_at_a_time = self.refresh.lock().await;
        // Another caller may have refreshed while this one waited.
        if let Some(token) = self.fresh()? {
            return Ok(token);
        }
        let tokens = self.refresh_locked().await?;
        Ok(tokens
            .access_token
            .clone()
            .expect("a refresh returns an access token"))
    }

    /// An access token for `resource` (an org URL like
    /// `https://contoso-dev.crm.dynamics.com`, or a service audience like
    /// `https://service.powerapps.com/`), valid for at least
    /// [`REFRESH_MARGIN_S`]. Redeems the one refresh token for
    /// `{resource}/.default` (the resource is used as given: Entra tells
    /// `…com/` from `…com`) and saves the rotated refresh token. The host's
    /// resource is the same as [`SignedIn::access_token`].
    pub async fn access_token_for(&self, resource: &str) -> Result<Secret, SignInError> {
        let key = resource_key(resource);
        if resource_of_scope(&self.config.scope).as_deref() == Some(key.as_str()) {
            return self.access_token().await;
        }
        if let Some(token) = self.cached(&key) {
            return Ok(token);
        }
        let _one_at_a_time = self.refresh.lock().await;
        if let Some(token) = self.cached(&key) {
            return Ok(token);
        }
        let stored = self.stored_with_refresh_token()?;
        let scope = format!("{}/.default offline_access", resource.trim());
        let grant = [
            ("grant_type", "refresh_token"),
            ("refresh_token", stored.refresh_token.expose()),
            ("scope", scope.as_str()),
        ];
        match oauth::redeem(self.http()?, &self.config, &grant, Some(&stored)).await? {
            TokenAnswer::Tokens(t) => {
                // Only the refresh token rotates in the store; the stored
                // access token stays the host's.
                let kept = StoredTokens {
                    account: if stored.account.is_empty() {
                        t.account.clone()
                    } else {
                        stored.account.clone()
                    },
                    refresh_token: t.refresh_token.clone(),
                    ..stored.clone()
                };
                self.save_unless_signed_out(&stored, &kept)?;
                let access = t.access_token.expect("a refresh returns an access token");
                let expires_at = t.expires_at.unwrap_or_else(oauth::now_s);
                self.others
                    .lock()
                    .expect("not poisoned")
                    .insert(key, (access.clone(), expires_at));
                Ok(access)
            }
            TokenAnswer::Error(e) => Err(oauth::refused(&e)),
        }
    }

    fn cached(&self, key: &str) -> Option<Secret> {
        let others = self.others.lock().expect("not poisoned");
        others
            .get(key)
            .filter(|(_, at)| at.saturating_sub(REFRESH_MARGIN_S) > oauth::now_s())
            .map(|(token, _)| token.clone())
    }

    fn fresh(&self) -> Result<Option<Secret>, SignInError> {
        let tokens = self
            .store
            .load(&self.key)?
            .ok_or_else(|| SignInError::NotSignedIn(self.key.clone()))?;
        let valid = tokens
            .expires_at
            .is_some_and(|at| at.saturating_sub(REFRESH_MARGIN_S) > oauth::now_s());
        Ok(tokens.access_token.filter(|_| valid))
    }

    fn stored_with_refresh_token(&self) -> Result<StoredTokens, SignInError> {
        let stored = self
            .store
            .load(&self.key)?
            .ok_or_else(|| SignInError::NotSignedIn(self.key.clone()))?;
        if stored.refresh_token.expose().is_empty() {
            return Err(SignInError::SignInAgain(
                "the access token expired and there is no refresh token".into(),
            ));
        }
        Ok(stored)
    }

    /// Redeems the refresh token for the host now and saves what comes back.
    pub async fn refreshed(&self) -> Result<StoredTokens, SignInError> {
        let _one_at_a_time = self.refresh.lock().await;
        self.refresh_locked().await
    }

    /// [`SignedIn::refreshed`] for a caller holding `self.refresh`.
    /// Saves what a refresh returned, unless the sign-in was removed (or replaced)
    /// while the refresh was on the wire: a request in flight during a sign-out must
    /// not bring the sign-in back.
    fn save_unless_signed_out(
        &self,
        redeemed: &StoredTokens,
        fresh: &StoredTokens,
    ) -> Result<(), SignInError> {
        let _writing = self.writing();
        match self.store.load(&self.key)? {
            Some(now) if now.refresh_token.expose() == redeemed.refresh_token.expose() => {
                Ok(self.store.save(&self.key, fresh)?)
            }
            _ => {
                tracing::info!(
                    profile = %self.key,
                    "a refresh came back after a sign-out; its tokens are not kept"
                );
                Err(SignInError::NotSignedIn(self.key.clone()))
            }
        }
    }

    async fn refresh_locked(&self) -> Result<StoredTokens, SignInError> {
        let stored = self.stored_with_refresh_token()?;
        let grant = [
            ("grant_type", "refresh_token"),
            ("refresh_token", stored.refresh_token.expose()),
            ("scope", self.config.scope.as_str()),
        ];
        match oauth::redeem(self.http()?, &self.config, &grant, Some(&stored)).await? {
            TokenAnswer::Tokens(t) => {
                self.save_unless_signed_out(&stored, &t)?;
                Ok(t)
            }
            TokenAnswer::Error(e) => Err(oauth::refused(&e)),
        }
    }
}

impl TokenSource for SignedIn {
    fn token_for<'a>(&'a self, resource: &'a str) -> TokenFuture<'a> {
        Box::pin(self.access_token_for(resource))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_resource_is_read_from_the_scope() {
        assert_eq!(
            resource_of_scope("https://X.crm.dynamics.com/user_impersonation offline_access")
                .as_deref(),
            Some("https://x.crm.dynamics.com")
        );
        assert_eq!(
            resource_of_scope("openid https://x.crm.dynamics.com//.default").as_deref(),
            Some("https://x.crm.dynamics.com")
        );
        assert_eq!(resource_of_scope("openid profile"), None);
        assert_eq!(
            resource_key("https://service.powerapps.com/"),
            resource_key("https://service.powerapps.com")
        );
    }
}
