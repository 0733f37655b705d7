//! Sign-in support that does not depend on a particular flow: which Microsoft
//! cloud (and so which authority) serves a pipelines host, and where tokens live.
//!
//! Tokens live **only** in the operating system's keyring ([`KeyringStore`]:
//! Secret Service, Keychain or Credential Manager), under a service name the
//! caller chooses, so tests use their own namespace and never touch the user's
//! entries. [`Secret`] keeps token text out of `Debug` output and logs.

mod cloud;
mod secret;
mod store;

pub use cloud::{Cloud, HostKind};
pub use secret::Secret;
pub use store::{KeyringStore, MemoryStore, StoreError, StoredTokens, TokenStore};
