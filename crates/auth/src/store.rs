//! Where tokens are kept: the OS keyring, under an injectable service name.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

/// What a profile's sign-in leaves behind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredTokens {
    /// Who signed in (user principal name), shown in the app.
    pub account: String,
    pub refresh_token: Secret,
    pub access_token: Option<Secret>,
    /// Unix seconds when `access_token` expires.
    pub expires_at: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("The system keyring is not available ({0}). On Linux, start a Secret Service such as GNOME Keyring, or sign in again each time.")]
    Unavailable(String),
    #[error("The keyring entry for {0} is damaged; sign out and sign in again.")]
    Damaged(String),
}

/// Keeps tokens per profile.
pub trait TokenStore: Send + Sync {
    fn load(&self, profile: &str) -> Result<Option<StoredTokens>, StoreError>;
    fn save(&self, profile: &str, tokens: &StoredTokens) -> Result<(), StoreError>;
    /// Sign out: forget the profile's tokens. Forgetting nothing is not an error.
    fn clear(&self, profile: &str) -> Result<(), StoreError>;
}

/// The OS keyring. `service` names Ferry's entries (`ferry` in the app; tests use
/// a unique name so they never read or write the user's entries).
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    fn entry(&self, profile: &str) -> Result<keyring::Entry, StoreError> {
        keyring::Entry::new(&self.service, profile)
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }
}

impl TokenStore for KeyringStore {
    fn load(&self, profile: &str) -> Result<Option<StoredTokens>, StoreError> {
        match self.entry(profile)?.get_password() {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|_| StoreError::Damaged(profile.to_string())),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(StoreError::Unavailable(e.to_string())),
        }
    }

    fn save(&self, profile: &str, tokens: &StoredTokens) -> Result<(), StoreError> {
        let text = serde_json::to_string(tokens).expect("tokens serialize");
        self.entry(profile)?
            .set_password(&text)
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    fn clear(&self, profile: &str) -> Result<(), StoreError> {
        match self.entry(profile)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(StoreError::Unavailable(e.to_string())),
        }
    }
}

/// Tokens in memory only: for the Local sandbox, which needs no sign-in to remember.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, StoredTokens>>,
}

impl MemoryStore {
    /// How many entries it holds (one per sign-in).
    pub fn len(&self) -> usize {
        self.entries.lock().expect("not poisoned").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl TokenStore for MemoryStore {
    fn load(&self, profile: &str) -> Result<Option<StoredTokens>, StoreError> {
        Ok(self
            .entries
            .lock()
            .expect("not poisoned")
            .get(profile)
            .cloned())
    }

    fn save(&self, profile: &str, tokens: &StoredTokens) -> Result<(), StoreError> {
        self.entries
            .lock()
            .expect("not poisoned")
            .insert(profile.to_string(), tokens.clone());
        Ok(())
    }

    fn clear(&self, profile: &str) -> Result<(), StoreError> {
        self.entries.lock().expect("not poisoned").remove(profile);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> StoredTokens {
        StoredTokens {
            account: "mona@contoso.example".into(),
            refresh_token: Secret::new("rt-1"),
            access_token: Some(Secret::new("at-1")),
            expires_at: Some(1_900_000_000),
        }
    }

    #[test]
    fn memory_store_round_trip_and_clear() {
        let store = MemoryStore::default();
        assert_eq!(store.load("p").unwrap(), None);
        store.save("p", &sample()).unwrap();
        assert_eq!(store.load("p").unwrap(), Some(sample()));
        store.clear("p").unwrap();
        store.clear("p").unwrap();
        assert_eq!(store.load("p").unwrap(), None);
    }

    #[test]
    fn stored_tokens_debug_is_redacted() {
        let text = format!("{:?}", sample());
        assert!(!text.contains("rt-1") && !text.contains("at-1"), "{text}");
    }
}
