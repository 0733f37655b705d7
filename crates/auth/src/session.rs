//! A signed-in profile: tokens from the [`TokenStore`], a fresh access token
//! on request, refreshed (and the rotated refresh token saved) shortly before
//! it expires. One refresh at a time, so a rotated token is never redeemed twice.

use std::sync::Arc;

use crate::oauth::{self, SignInConfig, SignInError, TokenAnswer};
use crate::secret::Secret;
use crate::store::{StoredTokens, TokenStore};

/// Refresh this long before the access token expires.
pub const REFRESH_MARGIN_S: i64 = 300;

/// Tokens of one profile, kept in a store under the profile's key.
pub struct SignedIn {
    store: Arc<dyn TokenStore>,
    key: String,
    config: SignInConfig,
    refresh: tokio::sync::Mutex<()>,
    http: reqwest::Client,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("key", &self.key)
            .field("authority", &self.config.authority)
            .finish_non_exhaustive()
    }
}

impl SignedIn {
    pub fn new(store: Arc<dyn TokenStore>, key: impl Into<String>, config: SignInConfig) -> Self {
        Self {
            store,
            key: key.into(),
            config,
            refresh: tokio::sync::Mutex::new(()),
            http: oauth::client(),
        }
    }

    /// Saves the tokens a sign-in flow returned.
    pub fn save(&self, tokens: &StoredTokens) -> Result<(), SignInError> {
        Ok(self.store.save(&self.key, tokens)?)
    }

    /// Who is signed in, if anyone (from the store; no network).
    pub fn account(&self) -> Result<Option<StoredTokens>, SignInError> {
        Ok(self.store.load(&self.key)?)
    }

    /// Forgets the tokens (sign out).
    pub fn sign_out(&self) -> Result<(), SignInError> {
        Ok(self.store.clear(&self.key)?)
    }

    /// An access token valid for at least [`REFRESH_MARGIN_S`], refreshing if needed.
    pub async fn access_token(&self) -> Result<Secret, SignInError> {
        if let Some(token) = self.fresh()? {
            return Ok(token);
        }
        let _one_at_a_time = self.refresh.lock().await;
        // Another caller may have refreshed while this one waited.
        if let Some(token) = self.fresh()? {
            return Ok(token);
        }
        let tokens = self.refreshed().await?;
        Ok(tokens
            .access_token
            .clone()
            .expect("a refresh returns an access token"))
    }

    fn fresh(&self) -> Result<Option<Secret>, SignInError> {
        let tokens = self
            .store
            .load(&self.key)?
            .ok_or_else(|| SignInError::NotSignedIn(self.key.clone()))?;
        let valid = tokens
            .expires_at
            .is_some_and(|at| at - REFRESH_MARGIN_S > oauth::now_s());
        Ok(tokens.access_token.filter(|_| valid))
    }

    /// Redeems the refresh token now and saves what comes back.
    pub async fn refreshed(&self) -> Result<StoredTokens, SignInError> {
        let stored = self
            .store
            .load(&self.key)?
            .ok_or_else(|| SignInError::NotSignedIn(self.key.clone()))?;
        if stored.refresh_token.expose().is_empty() {
            return Err(SignInError::SignInAgain(
                "the access token expired and there is no refresh token".into(),
            ));
        }
        let grant = [
            ("grant_type", "refresh_token"),
            ("refresh_token", stored.refresh_token.expose()),
            ("scope", self.config.scope.as_str()),
        ];
        match oauth::redeem(&self.http, &self.config, &grant, Some(&stored)).await? {
            TokenAnswer::Tokens(t) => {
                self.store.save(&self.key, &t)?;
                Ok(t)
            }
            TokenAnswer::Error(e) => Err(oauth::refused(&e)),
        }
    }
}
