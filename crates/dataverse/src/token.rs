//! Where bearer tokens come from. Sign-in flows (device code, PKCE) implement
//! [`TokenSource`] elsewhere (`ferry-ops` wraps `ferry_auth::SignedIn`, which
//! refreshes before expiry); the client only asks for a token per request.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// A future returning a bearer token (or a sentence saying why there is none).
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<String, String>> + Send + 'a>>;

/// Supplies the bearer token for each request; implementations refresh as they see fit.
pub trait TokenSource: Send + Sync {
    fn token(&self) -> TokenFuture<'_>;
}

/// A fixed token: `FERRY_TOKEN`, a local host in open mode, and tests.
#[derive(Clone)]
pub struct StaticToken(String);

impl StaticToken {
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken(<redacted>)")
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> TokenFuture<'_> {
        let token = self.0.clone();
        Box::pin(async move { Ok(token) })
    }
}
