//! What the host's tokens say and how a presented token is judged: claims of
//! access and ID tokens, the audience a scope asks for, and the checks of
//! strict mode (signature, `aud` in any spelling of the URL — §13.18 —,
//! `exp`, `nbf`).

use serde_json::{json, Map, Value};
use url::Url;

use super::codes::Grant;
use super::Identity;
use crate::store::records::Record;

/// The resource a scope list asks for: `<url>/.default` or `<url>/user_impersonation`.
pub fn resource_of(scope: &str) -> Option<String> {
    scope.split_whitespace().find_map(|s| {
        let (resource, permission) = s.rsplit_once('/')?;
        (resource.contains("://") && matches!(permission, ".default" | "user_impersonation"))
            .then(|| resource.trim_end_matches('/').to_string())
    })
}

/// Whether `scope` contains the single scope `name` (like `offline_access`).
pub fn has_scope(scope: &str, name: &str) -> bool {
    scope
        .split_whitespace()
        .any(|s| s.eq_ignore_ascii_case(name))
}

/// Whether `aud` names the same resource as `url`: same scheme and host, the
/// same port or none, and the same path up to a trailing slash.
pub fn same_resource(aud: &str, url: &str) -> bool {
    let (Ok(a), Ok(u)) = (Url::parse(aud.trim()), Url::parse(url.trim())) else {
        return false;
    };
    let host = |x: &Url| x.host_str().unwrap_or_default().to_ascii_lowercase();
    a.scheme() == u.scheme()
        && host(&a) == host(&u)
        && (a.port().is_none() || a.port_or_known_default() == u.port_or_known_default())
        && a.path().trim_end_matches('/') == u.path().trim_end_matches('/')
}

fn seconds(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

fn user_claims(claims: &mut Map<String, Value>, id: &Identity, user: &Record, now_s: i64) {
    let upn = user.str("domainname").unwrap_or_default();
    for (k, v) in [
        ("iss", json!(id.issuer())),
        ("tid", json!(id.tenant_id)),
        ("oid", json!(user.id)),
        ("sub", json!(user.id)),
        ("upn", json!(upn)),
        ("preferred_username", json!(upn)),
        ("name", json!(user.str("fullname").unwrap_or_default())),
        ("iat", json!(now_s)),
        ("nbf", json!(now_s)),
    ] {
        claims.insert(k.into(), v);
    }
}

/// A signed access token for `grant`, valid for the configured lifetime.
pub fn access_token(id: &Identity, grant: &Grant, user: &Record, now_ms: i64) -> (String, i64) {
    let now_s = seconds(now_ms);
    let lifetime = id.config.token_lifetime.as_secs() as i64;
    let mut claims = Map::new();
    user_claims(&mut claims, id, user, now_s);
    let aud = resource_of(&grant.scope).unwrap_or_else(|| id.base_url.clone());
    let roles: Vec<&str> = user
        .str("ferry_roles")
        .unwrap_or_default()
        .split(',')
        .filter(|r| !r.is_empty())
        .collect();
    for (k, v) in [
        ("aud", json!(aud)),
        ("appid", json!(grant.client_id)),
        ("azp", json!(grant.client_id)),
        ("scp", json!("user_impersonation")),
        ("roles", json!(roles)),
        ("exp", json!(now_s + lifetime)),
        ("ver", json!("2.0")),
        // A unique token id (Entra's `uti`): two tokens of one second differ.
        ("uti", json!(super::random(16))),
    ] {
        claims.insert(k.into(), v);
    }
    (id.key.sign(&claims), lifetime)
}

/// A signed ID token (audience: the client).
/// An app-only access token (`client_credentials`): no `upn`, `scp` or names of a person;
/// `idtyp: app` and the application user's `roles`, as Entra issues them.
pub fn app_token(
    id: &Identity,
    scope: &str,
    app: &Record,
    app_id: &str,
    now_ms: i64,
) -> (String, i64) {
    let now_s = seconds(now_ms);
    let lifetime = id.config.token_lifetime.as_secs() as i64;
    let aud = resource_of(scope).unwrap_or_else(|| id.base_url.clone());
    let roles: Vec<&str> = app
        .str("ferry_roles")
        .unwrap_or_default()
        .split(',')
        .filter(|r| !r.is_empty())
        .collect();
    let mut claims = Map::new();
    for (k, v) in [
        ("aud", json!(aud)),
        ("iss", json!(id.issuer())),
        ("tid", json!(id.tenant_id)),
        ("oid", json!(app.id)),
        ("sub", json!(app.id)),
        ("appid", json!(app_id)),
        ("azp", json!(app_id)),
        ("idtyp", json!("app")),
        ("roles", json!(roles)),
        ("iat", json!(now_s)),
        ("nbf", json!(now_s)),
        ("exp", json!(now_s + lifetime)),
        ("ver", json!("2.0")),
        ("uti", json!(super::random(16))),
    ] {
        claims.insert(k.into(), v);
    }
    (id.key.sign(&claims), lifetime)
}

pub fn id_token(id: &Identity, grant: &Grant, user: &Record, now_ms: i64) -> String {
    let now_s = seconds(now_ms);
    let mut claims = Map::new();
    user_claims(&mut claims, id, user, now_s);
    claims.insert("aud".into(), json!(grant.client_id));
    claims.insert("exp".into(), json!(now_s + 3600));
    claims.insert("ver".into(), json!("2.0"));
    id.key.sign(&claims)
}

/// Why a presented token is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the access token has expired; sign in again (or refresh it)")]
    Expired,
    #[error(
        "the access token is not valid yet (nbf is in the future); check this machine's clock"
    )]
    NotYetValid,
    #[error("the access token is for {0}, not for this environment; ask for a token whose scope is this environment's URL followed by /.default")]
    Audience(String),
    #[error("the access token has no {0} claim; sign in again against this host")]
    Missing(&'static str),
}

/// Checks times and audience of verified claims; `audiences` are the URLs accepted.
pub fn check(
    claims: &Map<String, Value>,
    audiences: &[String],
    now_ms: i64,
) -> Result<(), Refused> {
    let now_s = seconds(now_ms);
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or(Refused::Missing("exp"))?;
    if now_s >= exp {
        return Err(Refused::Expired);
    }
    if claims
        .get("nbf")
        .and_then(Value::as_i64)
        .is_some_and(|nbf| nbf > now_s + 5)
    {
        return Err(Refused::NotYetValid);
    }
    let aud = claims
        .get("aud")
        .and_then(Value::as_str)
        .ok_or(Refused::Missing("aud"))?;
    if !audiences.iter().any(|a| same_resource(aud, a)) {
        return Err(Refused::Audience(aud.to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_name_their_resource() {
        assert_eq!(
            resource_of("openid http://127.0.0.1:4321/.default offline_access").as_deref(),
            Some("http://127.0.0.1:4321")
        );
        assert_eq!(
            resource_of("https://org.crm.dynamics.com//user_impersonation").as_deref(),
            Some("https://org.crm.dynamics.com")
        );
        assert_eq!(resource_of("openid profile"), None);
        assert!(has_scope("openid OFFLINE_ACCESS", "offline_access"));
    }

    #[test]
    fn the_audience_matches_in_any_spelling() {
        let host = "http://127.0.0.1:4321";
        for aud in [
            "http://127.0.0.1:4321",
            "http://127.0.0.1:4321/",
            "http://127.0.0.1/",
            "HTTP://127.0.0.1:4321",
        ] {
            assert!(same_resource(aud, host), "{aud}");
        }
        for aud in [
            "http://127.0.0.1:4322/",
            "https://127.0.0.1:4321/",
            "http://127.0.0.1:4321/environments/dev/",
            "http://localhost:4321/",
            "not a url",
        ] {
            assert!(!same_resource(aud, host), "{aud}");
        }
        assert!(same_resource(
            "https://org.crm.dynamics.com:443/",
            "https://org.crm.dynamics.com"
        ));
        assert!(same_resource(
            "http://127.0.0.1:4321/environments/dev",
            "http://127.0.0.1:4321/environments/dev/"
        ));
    }

    #[test]
    fn checks_times_and_audience() {
        let aud = vec!["http://127.0.0.1:1".to_string()];
        let claims = |exp: i64, nbf: i64, a: &str| {
            let mut m = Map::new();
            m.insert("exp".into(), json!(exp));
            m.insert("nbf".into(), json!(nbf));
            m.insert("aud".into(), json!(a));
            m
        };
        assert_eq!(
            check(&claims(100, 0, "http://127.0.0.1:1/"), &aud, 50_000),
            Ok(())
        );
        assert_eq!(
            check(&claims(100, 0, "http://127.0.0.1:1/"), &aud, 100_000),
            Err(Refused::Expired)
        );
        assert_eq!(
            check(&claims(1000, 200, "http://127.0.0.1:1/"), &aud, 100_000),
            Err(Refused::NotYetValid)
        );
        assert!(matches!(
            check(&claims(100, 0, "https://other.example/"), &aud, 50_000),
            Err(Refused::Audience(_))
        ));
        assert_eq!(check(&Map::new(), &aud, 0), Err(Refused::Missing("exp")));
    }
}
