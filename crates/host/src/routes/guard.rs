//! DNS rebinding and cross-site requests: a page on another site must not drive the host
//! through a visitor's browser. Every request's `Host` must name this host (an allow-list:
//! loopback names, the public name, TLS names, `HostConfig::allowed_hosts`, or an IP
//! literal — a rebinding attack always arrives under the attacker's domain name); a request
//! whose `Origin` is foreign or whose `Sec-Fetch-Site` is `cross-site` is refused. Requests
//! without these browser headers (CLIs, MSAL desktop clients) pass untouched (§13.11).

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ferry_pipelines::codes;

use crate::error::ApiError;

/// The names this host answers to (lower case, no port).
#[derive(Debug, Clone, Default)]
pub struct HostGuard {
    names: Vec<String>,
}

/// The host part of a `Host` header or an authority, lower case, without port or brackets.
fn host_of(authority: &str) -> String {
    let a = authority.trim().to_ascii_lowercase();
    if let Some(rest) = a.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default().to_string();
    }
    match a.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h.to_string(),
        _ => a,
    }
    .trim_end_matches('.')
    .to_string()
}

impl HostGuard {
    pub fn new(names: impl IntoIterator<Item = String>) -> Self {
        let mut names: Vec<String> = names
            .into_iter()
            .map(|n| host_of(&n))
            .filter(|n| !n.is_empty())
            .collect();
        names.extend([
            "localhost".to_string(),
            "127.0.0.1".to_string(),
            "::1".to_string(),
        ]);
        names.sort();
        names.dedup();
        Self { names }
    }

    /// Whether an authority (`name[:port]`) names this host.
    pub fn allows(&self, authority: &str) -> bool {
        let host = host_of(authority);
        host.parse::<IpAddr>().is_ok() || self.names.contains(&host)
    }

    /// Why a request is refused, if it is.
    pub fn judge(&self, headers: &HeaderMap, uri_authority: Option<&str>) -> Option<ApiError> {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or(uri_authority);
        if let Some(host) = host {
            if !self.allows(host) {
                return Some(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    codes::INVALID_ARGUMENT,
                    format!(
                        "This host does not answer to the name '{host}'. Use its address, or start it with --allowed-host {} (or --public-name).",
                        host_of(host)
                    ),
                ));
            }
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let text = origin.to_str().unwrap_or("null");
            let authority = text.split_once("://").map(|(_, a)| a).unwrap_or("");
            if authority.is_empty() || !self.allows(authority) {
                return Some(forbidden(format!(
                    "Requests from the web page at {text} are refused: this host serves its own pages and clients only."
                )));
            }
        }
        let site = headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if site.eq_ignore_ascii_case("cross-site") {
            return Some(forbidden(
                "Cross-site requests are refused: this host serves its own pages and clients only."
                    .into(),
            ));
        }
        None
    }
}

fn forbidden(message: String) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, codes::PRIVILEGE_DENIED, message)
}

/// The middleware: refuses before anything else runs (faults, tokens, handlers).
pub async fn apply(State(guard): State<Arc<HostGuard>>, request: Request, next: Next) -> Response {
    let authority = request.uri().authority().map(|a| a.as_str().to_string());
    if let Some(refusal) = guard.judge(request.headers(), authority.as_deref()) {
        return refusal.into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_ip_literals_are_allowed_others_not() {
        let g = HostGuard::new(["contoso-host.test".to_string()]);
        for ok in [
            "127.0.0.1:4321",
            "localhost:4321",
            "LOCALHOST",
            "[::1]:80",
            "10.1.2.3:4321",
            "contoso-host.test:443",
            "contoso-host.test.",
        ] {
            assert!(g.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example:4321",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
        ] {
            assert!(!g.allows(bad), "{bad}");
        }
    }
}
