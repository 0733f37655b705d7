//! Sign-in for a pipelines host, against any Microsoft identity–style
//! authority: Entra ID in each cloud, or Ferry's local host, which is its own
//! authority ([`HostKind`] maps a host URL to it). Flows: device code
//! ([`device`]) and authorization code + PKCE on a loopback redirect
//! ([`pkce`]); [`SignedIn`] hands out fresh access tokens and refreshes them,
//! saving each rotated refresh token.
//!
//! Tokens live **only** in the operating system's keyring ([`KeyringStore`]:
//! Secret Service, Keychain or Credential Manager), under a service name the
//! caller chooses, so tests use their own namespace and never touch the user's
//! entries. [`Secret`] keeps token text out of `Debug` output and logs.

mod cloud;
pub mod device;
mod oauth;
pub mod pkce;
mod secret;
mod session;
mod store;

pub use cloud::{Cloud, HostKind};
pub use oauth::{account_of, SignInConfig, SignInError};
pub use secret::Secret;
pub use session::{SignedIn, REFRESH_MARGIN_S};
pub use store::{KeyringStore, MemoryStore, StoreError, StoredTokens, TokenStore};
