//! Microsoft identity–style sign-in on the host's own port (spec §9): the
//! device-code, authorization-code + PKCE and refresh-token grants, a sign-in
//! page and a device-code page listing the seeded users, the JWKS and the
//! OpenID configuration. Access tokens are JWTs signed by the host's own key
//! (`keys`), refresh tokens rotate and, like pending codes, live in SQLite
//! (`codes`), so they survive a restart. `tokens` says what a token claims and
//! how a presented one is judged (used by `caller` in strict mode). The handlers
//! (`endpoints`, `pages`) and their routes (`router`) are the only part that knows the
//! host's `AppState`, so the caller and the state can name this module's types.

pub mod codes;
mod endpoints;
pub mod keys;
mod pages;
mod redirect;
pub mod router;
pub mod tokens;

use std::time::Duration;

use axum::http::HeaderValue;
use base64::Engine as _;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::schema::HOST_SCOPE;
use crate::store::records::{self, Record};

pub use keys::SigningKey;

/// Whether Web API requests must carry a token from this host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMode {
    /// Any or no token: no token acts as the first admin, a name acts as that
    /// user; a JWT signed by this host must still be valid (expired or badly
    /// signed ones get a 401 challenge).
    #[default]
    Open,
    /// Every request needs a valid token from this host (signature, `aud`, `exp`, `nbf`).
    Strict,
}

impl std::str::FromStr for AuthMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" => Ok(Self::Open),
            "strict" => Ok(Self::Strict),
            other => Err(format!(
                "auth mode {other:?} is unknown; use strict or open"
            )),
        }
    }
}

/// Lifetimes and pacing of sign-in.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityConfig {
    /// Access token lifetime (1 h, like Entra). Zero makes tokens that are already expired.
    pub token_lifetime: Duration,
    /// How long a device code can be entered (900 s, like Entra).
    pub device_code_lifetime: Duration,
    /// The `interval` clients must wait between device-code polls (5 s, like Entra).
    pub poll_interval: Duration,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            token_lifetime: Duration::from_secs(3600),
            device_code_lifetime: Duration::from_secs(900),
            poll_interval: Duration::from_secs(5),
        }
    }
}

/// The host as its own identity provider.
#[derive(Debug)]
pub struct Identity {
    pub key: SigningKey,
    pub tenant_id: String,
    /// `http://127.0.0.1:<port>`, `https://…` under TLS (no trailing slash).
    pub base_url: String,
    pub mode: AuthMode,
    pub config: IdentityConfig,
}

impl Identity {
    /// The token issuer, `{base}/{tenant}/v2.0`.
    pub fn issuer(&self) -> String {
        format!("{}/{}/v2.0", self.base_url, self.tenant_id)
    }

    /// Whether `{tenant}` in a path names this host's tenant.
    pub fn serves_tenant(&self, tenant: &str) -> bool {
        tenant.eq_ignore_ascii_case("organizations")
            || tenant.eq_ignore_ascii_case("common")
            || tenant.eq_ignore_ascii_case(&self.tenant_id)
    }

    /// The `WWW-Authenticate` value of a 401 (§8.13).
    pub fn challenge(&self) -> HeaderValue {
        let text = format!(
            "Bearer authorization_uri={base}/{tenant}/oauth2/authorize, resource_id={base}/",
            base = self.base_url,
            tenant = self.tenant_id
        );
        HeaderValue::from_str(&text).expect("URLs are valid header text")
    }

    /// The `WWW-Authenticate` value of a 401 from a service whose resource is `resource`.
    pub fn challenge_for(&self, resource: &str) -> HeaderValue {
        let text = format!(
            "Bearer authorization_uri={base}/{tenant}/oauth2/authorize, resource_id={resource}",
            base = self.base_url,
            tenant = self.tenant_id
        );
        HeaderValue::from_str(&text).expect("URLs are valid header text")
    }

    /// The audiences a Web API in `scope` accepts: only its own org URL (§14.4: a host
    /// token does not open a dev environment, nor the other way round) — the first host's
    /// `{base}`, another host's or an environment's `{base}/environments/{name}` — or, for
    /// a tenant service ([`Service::scope`]), that service's resource.
    pub fn audiences(&self, scope: &str) -> Vec<String> {
        if let Some(service) = Service::of_scope(scope) {
            return service.audiences(self);
        }
        let name = scope.strip_prefix("host:").unwrap_or(scope);
        if name == HOST_SCOPE {
            vec![self.base_url.clone()]
        } else {
            vec![format!("{}/environments/{name}", self.base_url)]
        }
    }

    /// The Global Discovery base, `{base}/_tenant/gds` (also its token audience).
    pub fn gds_url(&self) -> String {
        format!("{}{}", self.base_url, Service::Gds.path())
    }

    /// The BAP base, `{base}/_tenant/bap`.
    pub fn bap_url(&self) -> String {
        format!("{}{}", self.base_url, Service::Bap.path())
    }

    /// The Power Apps base, `{base}/_tenant/powerapps`.
    pub fn powerapps_url(&self) -> String {
        format!("{}{}", self.base_url, Service::PowerApps.path())
    }

    /// The local stand-in for `https://service.powerapps.com/`, the one token resource BAP
    /// and Power Apps share on a real tenant (§14.2, §14.3).
    pub fn service_resource(&self) -> String {
        format!("{}/_tenant/service.powerapps/", self.base_url)
    }

    /// Every resource the token endpoint issues tokens for besides the org URLs.
    pub fn service_resources(&self) -> Vec<String> {
        [Service::Gds, Service::Bap, Service::PowerApps]
            .iter()
            .flat_map(|s| s.audiences(self))
            .collect()
    }
}

/// A tenant-level service the host emulates besides the Dataverse orgs (spec §14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Global Discovery: the user's instances (§14.1).
    Gds,
    /// Business Application Platform: environment metadata (§14.2).
    Bap,
    /// Power Apps: connections (§14.3).
    PowerApps,
}

impl Service {
    /// The path prefix of its base URL on the host's origin.
    pub fn path(self) -> &'static str {
        match self {
            Self::Gds => "/_tenant/gds",
            Self::Bap => "/_tenant/bap",
            Self::PowerApps => "/_tenant/powerapps",
        }
    }

    /// The pseudo-scope [`crate::caller::resolve_checked`] judges its tokens by (`_tenant:…`
    /// cannot be an environment name).
    pub fn scope(self) -> &'static str {
        match self {
            Self::Gds => "_tenant:gds",
            Self::Bap => "_tenant:bap",
            Self::PowerApps => "_tenant:powerapps",
        }
    }

    fn of_scope(scope: &str) -> Option<Self> {
        [Self::Gds, Self::Bap, Self::PowerApps]
            .into_iter()
            .find(|s| s.scope() == scope)
    }

    /// The token audiences it accepts: GDS its base (§14.1); BAP and Power Apps the shared
    /// service resource, BAP also its own base (`https://api.bap.microsoft.com/.default`
    /// is seen too, §14.2).
    pub fn audiences(self, id: &Identity) -> Vec<String> {
        match self {
            Self::Gds => vec![id.gds_url()],
            Self::Bap => vec![id.service_resource(), id.bap_url()],
            Self::PowerApps => vec![id.service_resource()],
        }
    }
}

/// The tenant id kept in `meta` (made the first time).
pub fn tenant_id(conn: &Connection) -> rusqlite::Result<String> {
    if let Some(id) = crate::store::meta_get(conn, "tenantid")? {
        return Ok(id);
    }
    let id = uuid::Uuid::new_v4().to_string();
    crate::store::meta_set(conn, "tenantid", &id)?;
    Ok(id)
}

/// URL-safe random text with `bytes` bytes of entropy.
pub fn random(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    aws_lc_rs::rand::fill(&mut buf).expect("the system random source works");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// A seeded user by UPN, the part of the UPN before `@`, or first name.
pub fn find_user(conn: &Connection, wanted: &str) -> rusqlite::Result<Option<Record>> {
    let users = records::list(conn, HOST_SCOPE, "systemusers")?;
    Ok(crate::users::find_user(&users, wanted).cloned())
}

/// Completes a pending device-code sign-in as `user` (by UPN or short name),
/// straight in the store (`ferry host approve-code --data-dir`, the sandbox).
pub fn approve_device_code(
    conn: &Connection,
    user_code: &str,
    user: &str,
) -> anyhow::Result<String> {
    let found = find_user(conn, user)?.ok_or_else(|| {
        anyhow::anyhow!("there is no user {user:?} on this host; use a seeded user's UPN or first name, like mona")
    })?;
    let upn = found.str("domainname").unwrap_or_default().to_string();
    anyhow::ensure!(
        codes::decide(conn, user_code, Some(&found.id), crate::clock::now_ms())?,
        "there is no pending sign-in with the code {user_code}; check the code, or start the sign-in again (codes expire)"
    );
    Ok(upn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_and_flags_name_the_auth_mode() {
        let s = crate::Scenario::from_toml("[options]\nauth = \"strict\"\n").unwrap();
        assert_eq!(s.options.auth, AuthMode::Strict);
        assert!(crate::Scenario::from_toml("[options]\nauth = \"maybe\"\n").is_err());
        assert_eq!("OPEN".parse::<AuthMode>(), Ok(AuthMode::Open));
        assert!("x"
            .parse::<AuthMode>()
            .unwrap_err()
            .contains("strict or open"));
    }
}
