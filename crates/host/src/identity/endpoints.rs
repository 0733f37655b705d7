//! The JSON endpoints: `devicecode`, `token` (device code, authorization code
//! with PKCE, refresh token), the JWKS and the OpenID configuration. Errors are
//! shaped as Entra sends them: 400 with `{error, error_description, error_codes}`.
//! The AADSTS numbers are the documented ones where known, else emulator-chosen.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use base64::Engine as _;
use serde_json::{json, Value};
use sha2::Digest as _;

use super::codes::{self, DeviceState, Grant};
use super::{tokens, Identity};
use crate::clock::now_ms;
use crate::schema::HOST_SCOPE;
use crate::state::AppState;
use crate::store::records;

/// An OAuth error answer.
pub struct OAuthError {
    status: StatusCode,
    error: &'static str,
    code: u32,
    description: String,
}

impl OAuthError {
    pub fn new(error: &'static str, code: u32, description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            code,
            description: description.into(),
        }
    }

    fn internal(e: impl std::fmt::Display) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "server_error",
            code: 90033,
            description: format!("the host's database failed: {e}"),
        }
    }
}

impl From<rusqlite::Error> for OAuthError {
    fn from(e: rusqlite::Error) -> Self {
        Self::internal(e)
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": self.error,
            "error_description": format!("AADSTS{}: {}", self.code, self.description),
            "error_codes": [self.code],
            "timestamp": crate::clock::now_text(),
            "trace_id": uuid::Uuid::new_v4(),
            "correlation_id": uuid::Uuid::new_v4(),
        });
        (self.status, Json(body)).into_response()
    }
}

type OAuthResult = Result<Response, OAuthError>;

pub(super) fn identity(state: &AppState, tenant: &str) -> Result<Arc<Identity>, OAuthError> {
    let id = state.identity.clone();
    if id.serves_tenant(tenant) {
        Ok(id)
    } else {
        Err(OAuthError::new(
            "invalid_request",
            90002,
            format!(
                "Tenant '{tenant}' not found. Use organizations, common or this host's tenant id {}.",
                id.tenant_id
            ),
        ))
    }
}

fn field<'a>(form: &'a HashMap<String, String>, name: &str) -> Result<&'a str, OAuthError> {
    form.get(name)
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            OAuthError::new(
                "invalid_request",
                900144,
                format!("The request body must contain the following parameter: '{name}'."),
            )
        })
}

/// Refuses a scope whose resource is not this host or one of its environments.
pub(super) fn check_scope(state: &AppState, scope: &str) -> Result<(), OAuthError> {
    let id = &state.identity;
    let Some(resource) = tokens::resource_of(scope) else {
        return Err(OAuthError::new(
            "invalid_scope",
            70011,
            format!("The scope '{scope}' names no resource; ask for {}/.default (add offline_access for a refresh token).", id.base_url),
        ));
    };
    let envs = state
        .store
        .read(crate::store::environments::list)
        .map_err(OAuthError::internal)?;
    let served = envs
        .iter()
        .flat_map(|e| id.audiences(&e.scope()))
        .chain(id.service_resources())
        .any(|url| tokens::same_resource(&resource, &url));
    if served {
        Ok(())
    } else {
        Err(OAuthError::new(
            "invalid_resource",
            500011,
            format!("The resource principal named {resource} was not found in the tenant; ask for a scope on this host ({}).", id.base_url),
        ))
    }
}

/// `POST /{tenant}/oauth2/v2.0/devicecode`.
pub async fn devicecode(
    State(state): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> OAuthResult {
    let id = identity(&state, &tenant)?;
    let client_id = field(&form, "client_id")?;
    let scope = field(&form, "scope")?;
    check_scope(&state, scope)?;
    let device_code = super::random(32);
    let user_code = user_code();
    let lifetime = id.config.device_code_lifetime.as_secs() as i64;
    let interval = id.config.poll_interval.as_secs().max(1) as i64;
    state.store.tx(|c| {
        codes::insert_device_code(
            c,
            &codes::NewDeviceCode {
                device_code: &device_code,
                user_code: &user_code,
                client_id,
                scope,
                expires_ms: now_ms() + lifetime * 1000,
                interval_s: interval,
            },
        )
    })?;
    let uri = format!("{}/devicelogin", id.base_url);
    Ok(Json(json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": uri,
        "expires_in": lifetime,
        "interval": interval,
        "message": format!("To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate."),
    }))
    .into_response())
}

/// Eight letters and digits, without look-alikes (0/O, 1/I).
fn user_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 8];
    aws_lc_rs::rand::fill(&mut buf).expect("the system random source works");
    buf.iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// `POST /{tenant}/oauth2/v2.0/token`.
pub async fn token(
    State(state): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> OAuthResult {
    let id = identity(&state, &tenant)?;
    let client_id = field(&form, "client_id")?;
    let grant = match field(&form, "grant_type")? {
        "urn:ietf:params:oauth:grant-type:device_code" => {
            device_grant(&state, field(&form, "device_code")?)?
        }
        "authorization_code" => code_grant(&state, &form)?,
        "client_credentials" => return client_credentials(&state, &id, &form, client_id),
        "refresh_token" => {
            let token = field(&form, "refresh_token")?;
            let spent = || {
                OAuthError::new(
                    "invalid_grant",
                    70008,
                    "The refresh token has expired, was revoked or was already used (refresh tokens rotate: keep the newest one). Sign in again.",
                )
            };
            // Judge the request before spending the token: Entra leaves a refresh token
            // redeemable when it refuses the scope or the client, so no new sign-in is needed.
            let mut grant = state
                .store
                .read(|c| codes::peek_refresh_token(c, token))?
                .ok_or_else(spent)?;
            if let Some(scope) = form.get("scope").filter(|s| !s.trim().is_empty()) {
                check_scope(&state, scope)?;
                grant.scope = scope.trim().to_string();
            }
            check_client(&grant, client_id)?;
            // Spent only now; a concurrent redemption that got there first wins.
            state
                .store
                .tx(|c| codes::take_refresh_token(c, token))?
                .ok_or_else(spent)?;
            grant
        }
        other => {
            return Err(OAuthError::new(
                "unsupported_grant_type",
                70003,
                format!("The grant type '{other}' is not supported; use device_code, authorization_code, refresh_token or client_credentials."),
            ))
        }
    };
    check_client(&grant, client_id)?;
    issue(&state, &id, &grant)
}

/// The `client_credentials` grant of an application user (a scenario's `[[applications]]`):
/// `client_secret` must match, `scope` must be `{resource}/.default` (Entra's rule for app-only
/// tokens, AADSTS1002012). The answer has an app-only access token and nothing else.
fn client_credentials(
    state: &AppState,
    id: &Identity,
    form: &HashMap<String, String>,
    client_id: &str,
) -> OAuthResult {
    let scope = field(form, "scope")?;
    let default_only = scope.split_whitespace().count() == 1 && scope.trim().ends_with("/.default");
    if !default_only {
        return Err(OAuthError::new(
            "invalid_scope",
            1002012,
            format!("The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."),
        ));
    }
    check_scope(state, scope)?;
    let secret = form
        .get("client_secret")
        .map(|s| s.as_str())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| OAuthError {
            status: StatusCode::UNAUTHORIZED,
            ..OAuthError::new(
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            )
        })?;
    let users = state
        .store
        .read(|c| records::list(c, HOST_SCOPE, "systemusers"))?;
    let app = users
        .iter()
        .find(|u| {
            u.str(crate::users::APP_ID_COLUMN)
                .is_some_and(|a| a.eq_ignore_ascii_case(client_id.trim()))
        })
        .ok_or_else(|| {
            OAuthError::new(
                "unauthorized_client",
                700016,
                format!("Application with identifier '{client_id}' was not found in the directory '{}'. Add it to the scenario's [[applications]].", id.tenant_id),
            )
        })?;
    let want = app.str(crate::users::SECRET_COLUMN).unwrap_or_default();
    let got = crate::users::secret_hash(secret);
    // Constant time: both are hex digests of the same length.
    let same = want.len() == got.len()
        && want
            .bytes()
            .zip(got.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if !same {
        return Err(OAuthError {
            status: StatusCode::UNAUTHORIZED,
            ..OAuthError::new(
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
            )
        });
    }
    let now = state.store.clock().now_ms();
    let (access, lifetime) = tokens::app_token(id, scope, app, client_id.trim(), now);
    Ok(Json(json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access,
    }))
    .into_response())
}

fn check_client(grant: &Grant, client_id: &str) -> Result<(), OAuthError> {
    if grant.client_id == client_id {
        Ok(())
    } else {
        Err(OAuthError::new(
            "invalid_grant",
            70000,
            "The grant was issued to another client_id; use the same client_id as when signing in.",
        ))
    }
}

fn device_grant(state: &AppState, device_code: &str) -> Result<Grant, OAuthError> {
    let polled = state
        .store
        .tx(|c| codes::poll_device_code(c, device_code, now_ms()))?;
    match polled {
        Some(DeviceState::Approved(grant)) => Ok(grant),
        Some(DeviceState::Pending) => Err(OAuthError::new(
            "authorization_pending",
            70016,
            "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
        )),
        Some(DeviceState::TooFast) => Err(OAuthError::new(
            "slow_down",
            70016,
            "Polling too often; wait the interval (plus 5 seconds) before the next request.",
        )),
        Some(DeviceState::Declined) => Err(OAuthError::new(
            "authorization_declined",
            70000,
            "The user declined the sign-in request.",
        )),
        Some(DeviceState::Expired) => Err(OAuthError::new(
            "expired_token",
            70020,
            "The device code has expired; start the sign-in again.",
        )),
        Some(DeviceState::Redeemed) => Err(OAuthError::new(
            "invalid_grant",
            54005,
            "The device code was already redeemed; start the sign-in again.",
        )),
        None => Err(OAuthError::new(
            "bad_verification_code",
            70019,
            "The device code is unknown to this host; start the sign-in again.",
        )),
    }
}

fn code_grant(state: &AppState, form: &HashMap<String, String>) -> Result<Grant, OAuthError> {
    let code = field(form, "code")?;
    let redirect_uri = field(form, "redirect_uri")?;
    let verifier = field(form, "code_verifier")?;
    let (grant, redirect, challenge) = state
        .store
        .tx(|c| codes::take_auth_code(c, code, now_ms()))?
        .ok_or_else(|| {
            OAuthError::new(
                "invalid_grant",
                70008,
                "The authorization code has expired or was already used; sign in again.",
            )
        })?;
    if !super::redirect::same_redirect(&redirect, redirect_uri) {
        return Err(OAuthError::new(
            "invalid_grant",
            50011,
            "The redirect_uri differs from the one the code was issued for.",
        ));
    }
    let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    if computed != challenge {
        return Err(OAuthError::new(
            "invalid_grant",
            501481,
            "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
        ));
    }
    Ok(grant)
}

/// Tokens for a grant: access token, a rotated refresh token with
/// `offline_access`, an ID token with `openid`.
fn issue(state: &AppState, id: &Identity, grant: &Grant) -> OAuthResult {
    let now = state.store.clock().now_ms();
    let user = state
        .store
        .read(|c| records::get(c, HOST_SCOPE, "systemusers", &grant.user_id))?
        .ok_or_else(|| {
            OAuthError::new(
                "invalid_grant",
                50034,
                "The user account does not exist in this tenant any more; sign in with another user.",
            )
        })?;
    let (access, lifetime) = tokens::access_token(id, grant, &user, now);
    let mut body = json!({
        "token_type": "Bearer",
        "scope": grant.scope,
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access,
    });
    if tokens::has_scope(&grant.scope, "offline_access") {
        let refresh = super::random(48);
        state
            .store
            .tx(|c| codes::insert_refresh_token(c, &refresh, grant, now))?;
        body["refresh_token"] = Value::String(refresh);
    }
    if tokens::has_scope(&grant.scope, "openid") {
        body["id_token"] = Value::String(tokens::id_token(id, grant, &user, now));
    }
    Ok(Json(body).into_response())
}

/// `GET /{tenant}/discovery/v2.0/keys`.
pub async fn jwks(State(state): State<Arc<AppState>>, Path(tenant): Path<String>) -> OAuthResult {
    let id = identity(&state, &tenant)?;
    Ok(Json(id.key.jwks()).into_response())
}

/// `GET /{tenant}/v2.0/.well-known/openid-configuration`.
pub async fn openid_configuration(
    State(state): State<Arc<AppState>>,
    Path(tenant): Path<String>,
) -> OAuthResult {
    let id = identity(&state, &tenant)?;
    let base = format!("{}/{tenant}", id.base_url);
    Ok(Json(json!({
        "issuer": id.issuer(),
        "authorization_endpoint": format!("{base}/oauth2/v2.0/authorize"),
        "token_endpoint": format!("{base}/oauth2/v2.0/token"),
        "device_authorization_endpoint": format!("{base}/oauth2/v2.0/devicecode"),
        "jwks_uri": format!("{base}/discovery/v2.0/keys"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code", "client_credentials"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "token_endpoint_auth_methods_supported": ["none", "client_secret_post"],
        "tenant_region_scope": "local",
    }))
    .into_response())
}
