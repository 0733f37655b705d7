//! Which redirect URIs the sign-in flow takes: loopback only (§9.3), matched without the
//! port. A leaf that the sign-in page and the token endpoint both check by.

use url::Url;

/// Only `http://127.0.0.1[:port]/…` and `http://localhost[:port]/…` (§9.3).
pub fn loopback_redirect(uri: &str) -> Option<Url> {
    let url = Url::parse(uri).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    (url.scheme() == "http" && (host == "127.0.0.1" || host == "localhost")).then_some(url)
}

/// Two loopback redirect URIs match when all but the port is equal.
pub fn same_redirect(a: &str, b: &str) -> bool {
    match (loopback_redirect(a), loopback_redirect(b)) {
        (Some(x), Some(y)) => {
            x.host_str() == y.host_str() && x.path() == y.path() && x.query() == y.query()
        }
        _ => false,
    }
}
