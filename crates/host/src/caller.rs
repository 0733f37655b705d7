//! Who is calling: every Web API request is made by one seeded user (or a
//! service principal), found from its bearer token. Roles and sharing are
//! checked against this caller, and rows it creates or changes carry its id.
//!
//! Resolution today (the "open" auth mode): no token acts as the scenario's
//! first administrator; a plain token names a user by UPN, by the part of the
//! UPN before `@`, or by the first word of the full name (`Bearer mona`); a
//! JWT names one by its `upn` (or `preferred_username`) or `oid` claim.
//!
//! [`resolve_checked`] adds what the host's identity endpoints make possible
//! (`crate::identity`): a JWT with a signature must be signed by this host,
//! unexpired and for this environment (else 401); in strict mode every request
//! needs such a token. [`resolve`] is the open, unchecked resolution.

use axum::http::{header, HeaderMap};
use base64::Engine as _;
use rusqlite::Connection;

use crate::error::{ApiError, ApiResult};
use crate::identity::{tokens, AuthMode, Identity};
use crate::schema::HOST_SCOPE;
use crate::store::records::{self, Record};

// Re-exported: the `systemusers` columns and lookups live in a leaf (`crate::users`) that
// identity shares without depending on the caller.
pub use crate::users::{find_user, is_application, secret_hash, APP_ID_COLUMN, SECRET_COLUMN};

/// A role of the Pipelines app, as a scenario names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Deployment Pipeline User: runs pipelines shared with them.
    Maker,
    /// Deployment Pipeline Administrator: full control.
    Admin,
    /// Answers approval gates of the stages it is the delegate of.
    Approver,
}

impl Role {
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "maker" | "user" => Some(Self::Maker),
            "admin" | "administrator" => Some(Self::Admin),
            "approver" | "delegate" => Some(Self::Approver),
            _ => None,
        }
    }
}

/// The identity behind one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// `systemuserid` of the seeded user.
    pub user_id: String,
    pub upn: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// The client (application) id the token was issued to, when known.
    pub app_id: Option<String>,
    /// An app-only token (`client_credentials`): the caller IS the application user whose
    /// application id is `app_id` (§4 SPN delegation), not a user signed in through an app.
    pub app_only: bool,
}

impl Caller {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    fn from_user(user: &Record, app_id: Option<String>) -> Self {
        Self {
            user_id: user.id.clone(),
            upn: user.str("domainname").unwrap_or_default().to_string(),
            name: user.str("fullname").unwrap_or_default().to_string(),
            roles: user
                .str("ferry_roles")
                .unwrap_or_default()
                .split(',')
                .filter_map(Role::parse)
                .collect(),
            app_id,
            app_only: false,
        }
    }
}

/// The bearer token of a request, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The unverified claims of a JWT (`header.payload.signature`), if `token` is one.
pub fn jwt_claims(token: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        serde_json::Value::Object(map) => Some(map),
        _ => None,
    }
}

/// The user columns a caller is found and made from.
const CALLER_COLUMNS: &[&str] = &["domainname", "fullname", "ferry_roles", APP_ID_COLUMN];

/// A store's id, its users' stamp and the users: what [`USERS`] keeps.
type CachedUsers = (u64, (i64, i64), std::rc::Rc<Vec<Record>>);

thread_local! {
    /// The users of the last store this thread resolved a caller in: the store
    /// ([`crate::store::current`]), the users' [`records::change_stamp`], and the users with
    /// [`CALLER_COLUMNS`].
    static USERS: std::cell::RefCell<Option<CachedUsers>> = const { std::cell::RefCell::new(None) };
}

/// The users a caller is found among. Asked on every request, so they are read again only
/// when a user row changed (the stamp, read without decoding any row), and then only with
/// the columns a caller needs.
fn users(conn: &Connection) -> rusqlite::Result<std::rc::Rc<Vec<Record>>> {
    let read = || records::list_text_columns(conn, HOST_SCOPE, "systemusers", CALLER_COLUMNS);
    let Some(store) = crate::store::current() else {
        return Ok(std::rc::Rc::new(read()?));
    };
    let stamp = records::change_stamp(conn, HOST_SCOPE, "systemusers")?;
    let cached = USERS.with(|u| {
        u.borrow()
            .as_ref()
            .filter(|(id, s, _)| *id == store && *s == stamp)
            .map(|(_, _, users)| users.clone())
    });
    if let Some(users) = cached {
        return Ok(users);
    }
    let users = std::rc::Rc::new(read()?);
    USERS.with(|u| *u.borrow_mut() = Some((store, stamp, users.clone())));
    Ok(users)
}

/// Finds the caller of a request.
pub fn resolve(conn: &Connection, headers: &HeaderMap) -> ApiResult<Caller> {
    let users = users(conn)?;
    let Some(token) = bearer(headers) else {
        return default_admin(&users);
    };
    if let Some(claims) = jwt_claims(token) {
        let text = |k: &str| claims.get(k).and_then(|v| v.as_str()).unwrap_or_default();
        let upn = [text("upn"), text("preferred_username"), text("unique_name")]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or_default();
        let oid = text("oid");
        let app_id = [text("appid"), text("azp")]
            .into_iter()
            .find(|s| !s.is_empty())
            .map(str::to_string);
        // An app-only token (Entra's `idtyp: app`; no user) is its application user.
        if text("idtyp") == "app" {
            let wanted = app_id.clone().unwrap_or_default();
            let app = users.iter().find(|u| {
                !wanted.is_empty()
                    && u.str(APP_ID_COLUMN)
                        .is_some_and(|a| a.eq_ignore_ascii_case(&wanted))
            });
            return app
                .map(|u| Caller {
                    app_only: true,
                    ..Caller::from_user(u, app_id.clone())
                })
                .ok_or_else(|| unknown_user(&format!("application {wanted}")));
        }
        let user = users.iter().find(|u| {
            (!upn.is_empty()
                && u.str("domainname")
                    .is_some_and(|d| d.eq_ignore_ascii_case(upn)))
                || (!oid.is_empty() && u.id.eq_ignore_ascii_case(oid))
        });
        return user
            .map(|u| Caller::from_user(u, app_id))
            .ok_or_else(|| unknown_user(if upn.is_empty() { oid } else { upn }));
    }
    find_user(&users, token)
        .map(|u| Caller::from_user(u, None))
        .map_or_else(|| default_admin(&users), Ok)
}

/// What [`resolve_checked`] needs to judge a token: the host's identity and
/// the scope (host or environment name) the request is for.
pub struct AuthContext<'a> {
    pub identity: &'a Identity,
    pub scope: &'a str,
}

/// Finds the caller and checks its token (see the module comment). Every
/// error is a 401 that the router answers with a `WWW-Authenticate` challenge.
pub fn resolve_checked(
    conn: &Connection,
    headers: &HeaderMap,
    ctx: &AuthContext<'_>,
) -> ApiResult<Caller> {
    let strict = ctx.identity.mode == AuthMode::Strict;
    let Some(token) = bearer(headers) else {
        if strict {
            return Err(unauthorized(
                "This host requires a bearer token; sign in (ferry login) and send Authorization: Bearer <token>.",
            ));
        }
        return resolve(conn, headers);
    };
    let signed = token.split('.').count() == 3 && !token.ends_with('.');
    if !signed {
        if strict {
            return Err(unauthorized(
                "The bearer token is not a token from this host; sign in against this host (ferry login).",
            ));
        }
        return resolve(conn, headers);
    }
    let claims = ctx
        .identity
        .key
        .verify(token)
        .map_err(|e| unauthorized(&upper_first(&e.to_string())))?;
    tokens::check(
        &claims,
        &ctx.identity.audiences(ctx.scope),
        crate::clock::now_ms(),
    )
    .map_err(|e| unauthorized(&upper_first(&e.to_string())))?;
    resolve(conn, headers)
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect::<String>() + ".",
        None => String::new(),
    }
}

/// The Dataverse code of a refused ticket (emulator-chosen).
pub const BAD_AUTH_TICKET: ferry_pipelines::codes::ErrorCode =
    ferry_pipelines::codes::ErrorCode(0x8004_0203);

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::UNAUTHORIZED,
        BAD_AUTH_TICKET,
        message.to_string(),
    )
}

fn default_admin(users: &[Record]) -> ApiResult<Caller> {
    let admin = users
        .iter()
        .filter(|u| !is_application(u))
        .map(|u| Caller::from_user(u, None))
        .find(|c| c.has(Role::Admin));
    Ok(admin.unwrap_or_else(|| Caller {
        user_id: crate::ids::derived_id("user", "system"),
        upn: "system".into(),
        name: "SYSTEM".into(),
        roles: vec![Role::Admin],
        app_id: None,
        app_only: false,
    }))
}

fn unknown_user(who: &str) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::UNAUTHORIZED,
        ferry_pipelines::codes::INVALID_ARGUMENT,
        format!(
            "The user {who} is not a member of this organization; sign in with a user of the host."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use serde_json::{json, Value};

    fn user(c: &Connection, upn: &str, roles: &str) -> Record {
        let Value::Object(data) =
            json!({ "domainname": upn, "fullname": upn, "ferry_roles": roles })
        else {
            unreachable!()
        };
        records::insert(c, HOST_SCOPE, "systemusers", "systemuserid", upn, data).unwrap()
    }

    fn headers(token: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
        h
    }

    #[test]
    fn the_users_a_caller_is_found_among_follow_every_change() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let resolve_as = |token: &str| store.tx(|c| resolve(c, &headers(token)));
        store
            .tx(|c| -> rusqlite::Result<()> {
                user(c, "mona@x", "maker");
                Ok(())
            })
            .unwrap();
        assert_eq!(resolve_as("mona").unwrap().roles, vec![Role::Maker]);
        // An update, an insert and a delete are each seen by the next request.
        store
            .tx(|c| -> rusqlite::Result<()> {
                let mut mona = records::get(c, HOST_SCOPE, "systemusers", "mona@x")?.unwrap();
                mona.set("ferry_roles", "admin");
                records::update(c, HOST_SCOPE, "systemusers", &mut mona)
            })
            .unwrap();
        assert_eq!(resolve_as("mona").unwrap().roles, vec![Role::Admin]);
        assert!(resolve_as("x.eyJ1cG4iOiJwYXRAeCJ9.x").is_err());
        store
            .tx(|c| -> rusqlite::Result<()> {
                user(c, "pat@x", "approver");
                Ok(())
            })
            .unwrap();
        assert_eq!(resolve_as("pat").unwrap().roles, vec![Role::Approver]);
        store
            .tx(|c| records::delete(c, HOST_SCOPE, "systemusers", "pat@x"))
            .unwrap();
        assert_ne!(resolve_as("pat").unwrap().upn, "pat@x");
        // Another store on this thread has its own users.
        let other_dir = tempfile::tempdir().unwrap();
        let other = Store::open(other_dir.path()).unwrap();
        other
            .tx(|c| -> rusqlite::Result<()> {
                user(c, "mona@x", "approver");
                Ok(())
            })
            .unwrap();
        let roles = other.tx(|c| resolve(c, &headers("mona"))).unwrap().roles;
        assert_eq!(roles, vec![Role::Approver]);
    }
}
