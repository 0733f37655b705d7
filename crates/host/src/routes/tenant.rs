//! The tenant around the hosts (spec §14): Global Discovery (the user's instances), the BAP
//! environments API (BAP id → instance URL, sku), the Power Apps connections API, each under
//! its own base URL on the host's origin (`/_tenant/gds`, `/_tenant/bap`,
//! `/_tenant/powerapps`) with its own token audience, and the local cloud's endpoint table
//! (`/.well-known/ferry/cloud`) that names them. A client that builds these URLs from an org
//! URL gets a 404, as it would on a real tenant. Also the emulator-only info endpoint.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::{json, AppState};
use crate::caller::{Caller, Role};
use crate::error::{ApiError, ApiResult};
use crate::identity::Service;
use crate::schema::HOST_SCOPE;
use crate::store::environments::{self, EnvInfo, EnvKind};
use crate::store::records;

const BAP_ENVIRONMENTS: &str = "/providers/Microsoft.BusinessAppPlatform/environments";
const BAP_ADMIN_ENVIRONMENTS: &str =
    "/providers/Microsoft.BusinessAppPlatform/scopes/admin/environments";
const CONNECTIONS: &str = "/providers/Microsoft.PowerApps/connections";
const CONNECTOR_CONNECTIONS: &str = "/providers/Microsoft.PowerApps/apis/{connector}/connections";

/// The endpoint table, GDS, BAP and Power Apps under their own base URLs.
pub fn routes() -> Router<Arc<AppState>> {
    let bap = Service::Bap.path();
    let powerapps = Service::PowerApps.path();
    Router::new()
        .route("/.well-known/ferry/cloud", get(cloud))
        .route(
            &format!("{}/api/discovery/v2.0/{{instances}}", Service::Gds.path()),
            get(gds_instances),
        )
        .route(&format!("{bap}{BAP_ENVIRONMENTS}"), get(bap_user_list))
        .route(
            &format!("{bap}{BAP_ENVIRONMENTS}/{{id}}"),
            get(bap_user_one),
        )
        .route(
            &format!("{bap}{BAP_ADMIN_ENVIRONMENTS}"),
            get(bap_admin_list),
        )
        .route(
            &format!("{bap}{BAP_ADMIN_ENVIRONMENTS}/{{id}}"),
            get(bap_admin_one),
        )
        .route(&format!("{powerapps}{CONNECTIONS}"), get(connections))
        .route(
            &format!("{powerapps}{CONNECTOR_CONNECTIONS}"),
            get(connector_connections),
        )
}

/// An ARM-style error of a tenant service: `{"error":{"code","message"}}` with a string code
/// (BAP and Power Apps answer so; GDS's exact codes are not known [I]).
struct TenantError {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// The `WWW-Authenticate` value of a 401.
    challenge: Option<axum::http::HeaderValue>,
}

impl TenantError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            challenge: None,
        }
    }
}

impl From<ApiError> for TenantError {
    fn from(e: ApiError) -> Self {
        Self::new(e.status, "InternalServerError", e.message)
    }
}

impl From<rusqlite::Error> for TenantError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::from(e).into()
    }
}

impl IntoResponse for TenantError {
    fn into_response(self) -> Response {
        let mut r = json(
            self.status,
            json!({ "error": { "code": self.code, "message": self.message } }),
        );
        if let Some(c) = self.challenge {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, c);
        }
        r
    }
}

type TenantResult = Result<Response, TenantError>;

/// The caller of a tenant service, its token judged by that service's audience (strict
/// mode: a Dataverse token is refused, §14.4). A refusal names the service's resource.
fn service_caller(
    state: &AppState,
    headers: &HeaderMap,
    service: Service,
) -> Result<Caller, TenantError> {
    super::checked_caller(state, headers, service.scope()).map_err(|e| {
        let status = e.status;
        let mut err = TenantError::new(
            status,
            if status == StatusCode::UNAUTHORIZED {
                "InvalidAuthenticationToken"
            } else {
                "InternalServerError"
            },
            e.message,
        );
        if status == StatusCode::UNAUTHORIZED {
            let resource = service.audiences(&state.identity).remove(0);
            err.challenge = Some(state.identity.challenge_for(&resource));
        }
        err
    })
}

/// BAP and Power Apps refuse a request without `api-version` [I: ARM convention; every
/// documented call carries one, §14.2/14.3].
fn require_api_version(q: &HashMap<String, String>) -> Result<(), TenantError> {
    if q.get("api-version").is_some_and(|v| !v.trim().is_empty()) {
        Ok(())
    } else {
        Err(TenantError::new(
            StatusCode::BAD_REQUEST,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ))
    }
}

/// The org URL of an environment, with a trailing slash.
fn instance_url(state: &AppState, env: &EnvInfo) -> String {
    format!("{}{}/", state.base_url, env.path())
}

/// The Dataverse organization id of the environment in `scope`: the first host's is kept
/// in `meta`, the others' are derived from the scope (stable across restarts).
pub fn organization_id(state: &AppState, scope: &str) -> String {
    if scope == HOST_SCOPE {
        state.organization_id.clone()
    } else {
        crate::ids::derived_id("organization", scope)
    }
}

/// The BAP `environmentSku`: `Platform` marks the tenant's platform host (§1 step 2); the
/// others are emulator choices.
fn sku(env: &EnvInfo) -> &'static str {
    match env.kind {
        EnvKind::Host if env.platform => "Platform",
        EnvKind::Host => "Production",
        EnvKind::Development => "Developer",
        EnvKind::Target => "Sandbox",
    }
}

fn environment_json(state: &AppState, env: &EnvInfo) -> Value {
    let url = instance_url(state, env);
    json!({
        "id": format!("{BAP_ENVIRONMENTS}/{}", env.bap_id),
        "name": env.bap_id,
        "type": "Microsoft.BusinessAppPlatform/environments",
        "location": "local",
        "properties": {
            "tenantId": state.identity.tenant_id,
            "azureRegion": "local",
            "displayName": env.display_name,
            "environmentSku": sku(env),
            "isDefault": false,
            "states": { "management": { "id": "Ready" }, "runtime": { "id": "Enabled" } },
            "linkedEnvironmentMetadata": {
                "type": "Dynamics365Instance",
                "resourceId": organization_id(state, &env.scope()),
                "uniqueName": env.name,
                "friendlyName": env.display_name,
                "domainName": env.name,
                "instanceUrl": url,
                "instanceApiUrl": url,
                "instanceState": "Ready",
            },
            "governanceConfiguration": { "protectionLevel": if env.kind == EnvKind::Target { "Standard" } else { "Basic" } },
        }
    })
}

fn not_found(id: &str) -> TenantError {
    TenantError::new(
        StatusCode::NOT_FOUND,
        "EnvironmentNotFound",
        format!("The environment '{id}' could not be found in the tenant."),
    )
}

fn bap_list_of(state: &AppState) -> TenantResult {
    let envs = state.store.tx(environments::list)?;
    let value: Vec<Value> = envs.iter().map(|e| environment_json(state, e)).collect();
    Ok(json(StatusCode::OK, json!({ "value": value })))
}

fn bap_one_of(state: &AppState, id: &str) -> TenantResult {
    let env = state
        .store
        .tx(|c| environments::by_bap_id(c, id))?
        .ok_or_else(|| not_found(id))?;
    Ok(json(StatusCode::OK, environment_json(state, &env)))
}

/// `GET {bap}/providers/Microsoft.BusinessAppPlatform/environments` (user scope): every
/// environment of the tenant — the emulator's users reach them all [I].
async fn bap_user_list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> TenantResult {
    service_caller(&state, &headers, Service::Bap)?;
    require_api_version(&q)?;
    bap_list_of(&state)
}

async fn bap_user_one(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> TenantResult {
    service_caller(&state, &headers, Service::Bap)?;
    require_api_version(&q)?;
    bap_one_of(&state, &id)
}

/// The admin scope is for tenant administrators; the emulator lets its admins in (the
/// Pipelines admin role stands for the tenant admin role) and refuses others with 403 [I].
fn require_tenant_admin(caller: &Caller) -> Result<(), TenantError> {
    if caller.has(Role::Admin) {
        Ok(())
    } else {
        Err(TenantError::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            format!(
                "The caller {} is not a tenant administrator; the admin scope needs the Power Platform administrator role.",
                caller.upn
            ),
        ))
    }
}

async fn bap_admin_list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> TenantResult {
    let caller = service_caller(&state, &headers, Service::Bap)?;
    require_api_version(&q)?;
    require_tenant_admin(&caller)?;
    bap_list_of(&state)
}

async fn bap_admin_one(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> TenantResult {
    let caller = service_caller(&state, &headers, Service::Bap)?;
    require_api_version(&q)?;
    require_tenant_admin(&caller)?;
    bap_one_of(&state, &id)
}

/// One GDS row (§14.1).
fn instance_json(state: &AppState, env: &EnvInfo, caller: &Caller) -> Value {
    let url = format!("{}{}", state.base_url, env.path());
    json!({
        "Id": organization_id(state, &env.scope()),
        "UniqueName": env.name,
        "UrlName": env.name,
        "FriendlyName": env.display_name,
        "State": 0,
        "Version": "9.2.25011.00001",
        "Url": url,
        "ApiUrl": url,
        "LastUpdated": "2026-01-01T00:00:00Z",
        "EnvironmentId": env.bap_id,
        "Region": "local",
        "TenantId": state.identity.tenant_id,
        "Purpose": "",
        "IsUserSysAdmin": caller.has(Role::Admin),
        "TrialExpirationDate": Value::Null,
        "OrganizationType": 0,
    })
}

/// `Instances`, `Instances(UniqueName='x')`, `Instances(Region='x')` → the key and value.
fn instances_key(segment: &str) -> Option<Option<(String, String)>> {
    let rest = segment.strip_prefix("Instances")?;
    if rest.is_empty() {
        return Some(None);
    }
    let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
    let (key, value) = inner.split_once('=')?;
    let value = value.trim().trim_matches('\'').to_string();
    Some(Some((key.trim().to_string(), value)))
}

/// `GET {gds}/api/discovery/v2.0/Instances[(UniqueName='…'|Region='…')]`: the signed-in
/// user's instances as `{"value":[…]}` (an unknown name gives an empty list [I]).
async fn gds_instances(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(segment): Path<String>,
) -> TenantResult {
    let caller = service_caller(&state, &headers, Service::Gds)?;
    let key = instances_key(&segment).ok_or_else(|| {
        TenantError::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!("Resource not found for the segment '{segment}'."),
        )
    })?;
    let envs = state.store.tx(environments::list)?;
    let mut value = Vec::new();
    for env in &envs {
        let keep = match &key {
            None => true,
            Some((k, v)) if k.eq_ignore_ascii_case("UniqueName") => {
                env.name.eq_ignore_ascii_case(v)
            }
            Some((k, v)) if k.eq_ignore_ascii_case("Region") => v.eq_ignore_ascii_case("local"),
            Some((k, _)) => {
                return Err(TenantError::new(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    format!("The key '{k}' is not a key of Instances; use UniqueName or Region."),
                ))
            }
        };
        if keep {
            value.push(instance_json(&state, env, &caller));
        }
    }
    Ok(json(
        StatusCode::OK,
        json!({
            "@odata.context": format!("{}/api/discovery/v2.0/$metadata#Instances", state.identity.gds_url()),
            "value": value,
        }),
    ))
}

/// The endpoint table of the local cloud (§14.5), unauthenticated like the OpenID
/// configuration: where sign-in, GDS, BAP and Power Apps are and which audience each wants.
async fn cloud(State(state): State<Arc<AppState>>) -> Response {
    let id = &state.identity;
    json(
        StatusCode::OK,
        json!({
            "cloud": "local",
            "authority": state.base_url,
            "tenantId": id.tenant_id,
            "gds": id.gds_url(),
            "bap": id.bap_url(),
            "powerApps": id.powerapps_url(),
            "gdsAudience": id.gds_url(),
            "bapAudience": id.service_resource(),
            "powerAppsAudience": id.service_resource(),
        }),
    )
}

/// The environment named by `$filter=environment eq '<id>'` (BAP id or short name).
fn filtered_env(state: &AppState, q: &HashMap<String, String>) -> ApiResult<EnvInfo> {
    let filter = q.get("$filter").cloned().unwrap_or_default();
    let wanted = filter
        .strip_prefix("environment eq ")
        .map(|v| v.trim().trim_matches('\'').to_string())
        .ok_or_else(|| {
            ApiError::bad_request(
                "add $filter=environment eq '<environment id>' to choose the environment",
            )
        })?;
    state
        .store
        .tx(|c| -> ApiResult<Option<EnvInfo>> {
            Ok(match environments::by_bap_id(c, &wanted)? {
                Some(e) => Some(e),
                None => environments::get(c, &wanted)?,
            })
        })?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                ferry_pipelines::codes::OBJECT_DOES_NOT_EXIST,
                format!("The environment '{wanted}' could not be found."),
            )
        })
}

fn connections_json(state: &AppState, env: &EnvInfo, connector: Option<&str>) -> ApiResult<Value> {
    let list = state
        .store
        .tx(|c| environments::connections(c, &env.name))?;
    let value: Vec<Value> = list
        .iter()
        .filter(|c| connector.is_none_or(|k| c.connector.eq_ignore_ascii_case(k)))
        .map(|c| {
            let api = format!("/providers/Microsoft.PowerApps/apis/{}", c.connector);
            json!({
                "name": c.id,
                "id": format!("{api}/connections/{}", c.id),
                "type": "Microsoft.PowerApps/apis/connections",
                "properties": {
                    "apiId": api,
                    "displayName": c.display_name,
                    "environment": { "id": format!("/providers/Microsoft.PowerApps/environments/{}", env.bap_id), "name": env.bap_id },
                    "statuses": [ { "status": c.status } ],
                    "connectionParameters": {},
                }
            })
        })
        .collect();
    Ok(json!({ "value": value }))
}

/// Connections of the filtered environment, as the Power Apps API answers (errors in its
/// ARM-style envelope).
fn powerapps_connections(
    state: &AppState,
    headers: &HeaderMap,
    q: &HashMap<String, String>,
    connector: Option<&str>,
) -> TenantResult {
    service_caller(state, headers, Service::PowerApps)?;
    require_api_version(q)?;
    let env = filtered_env(state, q).map_err(|e| {
        let code = if e.status == StatusCode::NOT_FOUND {
            "EnvironmentNotFound"
        } else {
            "InvalidFilter"
        };
        TenantError::new(e.status, code, e.message)
    })?;
    Ok(json(
        StatusCode::OK,
        connections_json(state, &env, connector)?,
    ))
}

async fn connections(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> TenantResult {
    powerapps_connections(&state, &headers, &q, None)
}

async fn connector_connections(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(connector): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> TenantResult {
    powerapps_connections(&state, &headers, &q, Some(&connector))
}

/// Emulator-only: where everything is, for tests and the CLI.
pub async fn info(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let (envs, users) = state.store.tx(|c| -> ApiResult<_> {
        Ok((
            environments::list(c)?,
            records::list(c, HOST_SCOPE, "systemusers")?,
        ))
    })?;
    let envs: Vec<Value> = envs
        .iter()
        .map(|e| json!({ "name": e.name, "environmentId": e.bap_id, "kind": e.kind, "displayName": e.display_name, "url": instance_url(&state, e), "boundHost": e.bound_host, "platform": e.platform }))
        .collect();
    let users: Vec<Value> = users
        .iter()
        .map(|u| json!({ "id": u.id, "name": u.str("fullname"), "upn": u.str("domainname"), "roles": u.str("ferry_roles") }))
        .collect();
    Ok(json(
        StatusCode::OK,
        json!({ "baseUrl": state.base_url, "environments": envs, "users": users }),
    ))
}
