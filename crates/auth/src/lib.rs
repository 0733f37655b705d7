//! Sign-in for a pipelines host and the tenant services around it, against
//! any Microsoft identity–style authority: Entra ID in each cloud, or Ferry's
//! local host, which is its own authority.
//!
//! * Clouds ([`cloud`]): an environment URL maps to its [`Cloud`] and
//!   [`HostKind`]; each cloud's authority and tenant-level services (Global
//!   Discovery, BAP, Power Apps) with their token audiences are a data table
//!   ([`Cloud::table`]); the local cloud's is read from the local host
//!   ([`fetch_local_table`]). Services no source establishes for a cloud are
//!   absent and say so.
//! * Flows: device code ([`device`]) and authorization code + PKCE on a
//!   loopback redirect ([`pkce`]). [`SignedIn`] hands out fresh access tokens
//!   for the host and, from the same refresh token, for any other resource
//!   ([`SignedIn::access_token_for`]), saving each rotated refresh token.
//! * Another way in: the Azure CLI ([`AzureCli`]). Both are a
//!   [`TokenSource`]: "a token for resource R".
//! * Connection files and `ferry://` links an admin hands out
//!   ([`ConnectionFile`], [`FerryLink`]): parsed strictly, never acted on here.
//! * HTTP ([`http_client`]): the one place clients are built, with the
//!   proxy environment variables (loopback always direct) and an optional
//!   extra CA certificate.
//!
//! Tokens live **only** in the operating system's keyring ([`KeyringStore`]:
//! Secret Service, Keychain or Credential Manager), one entry per profile
//! holding one refresh token, under a service name the caller chooses, so
//! tests use their own namespace and never touch the user's entries.
//! Access tokens for other audiences stay in memory. [`Secret`] keeps token
//! text out of `Debug` output and logs.
//!
//! **Built-in client id.** A build may carry the application id of a Ferry
//! app registration: set `FERRY_DEFAULT_CLIENT_ID` when compiling and
//! [`default_client_id`] returns it (this repository's builds carry none, so
//! a profile must name its client id).

// Numbers here come from authorities and the keyring: overflow must be handled, never a panic.
#![warn(clippy::arithmetic_side_effects)]

pub mod cloud;
mod connection;
pub mod device;
pub mod http;
mod oauth;
pub mod pkce;
mod secret;
mod session;
mod source;
mod store;

pub use cloud::{fetch_local_table, Cloud, CloudError, CloudTable, Endpoint, HostKind, Service};
pub use connection::{ConnectionError, ConnectionFile, FerryLink, CONNECTION_VERSION};
pub use http::{http_client, HttpError, HttpOptions, ProxyChoice, ProxySettings};
pub use oauth::{account_of, SignInConfig, SignInError};
pub use secret::Secret;
pub use session::{SignedIn, REFRESH_MARGIN_S};
pub use source::{AzureCli, TokenFuture, TokenSource, AZ_PROGRAM};
pub use store::{KeyringStore, MemoryStore, StoreError, StoredTokens, TokenStore};

/// The client id compiled in from `FERRY_DEFAULT_CLIENT_ID` (see the crate
/// doc), if any.
pub fn default_client_id() -> Option<&'static str> {
    option_env!("FERRY_DEFAULT_CLIENT_ID")
        .map(str::trim)
        .filter(|id| !id.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_client_id_is_the_build_variable() {
        let expected = option_env!("FERRY_DEFAULT_CLIENT_ID")
            .map(str::trim)
            .filter(|s| !s.is_empty());
        assert_eq!(super::default_client_id(), expected);
        if let Some(id) = super::default_client_id() {
            assert!(
                uuid::Uuid::try_parse(id).is_ok(),
                "FERRY_DEFAULT_CLIENT_ID is not a GUID: {id}"
            );
        }
    }
}
