//! The tenant around the host: a Power Platform–style environments list that
//! maps environment ids to instance URLs (spec §1), a Power Apps–style
//! connections API, and an emulator-only info endpoint.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::{json, AppState};
use crate::error::{ApiError, ApiResult};
use crate::schema::HOST_SCOPE;
use crate::store::environments::{self, EnvInfo, EnvKind};
use crate::store::records;

fn instance_url(state: &AppState, env: &EnvInfo) -> String {
    match env.kind {
        EnvKind::Host => format!("{}/", state.base_url),
        _ => format!("{}/environments/{}/", state.base_url, env.name),
    }
}

fn environment_json(state: &AppState, env: &EnvInfo) -> Value {
    let url = instance_url(state, env);
    json!({
        "id": format!("/providers/Microsoft.BusinessAppPlatform/environments/{}", env.bap_id),
        "name": env.bap_id,
        "type": "Microsoft.BusinessAppPlatform/environments",
        "location": "local",
        "properties": {
            "displayName": env.display_name,
            "environmentSku": match env.kind { EnvKind::Host => "Production", EnvKind::Development => "Developer", EnvKind::Target => "Sandbox" },
            "isDefault": false,
            "states": { "management": { "id": "Ready" }, "runtime": { "id": "Enabled" } },
            "linkedEnvironmentMetadata": {
                "type": "Dynamics365Instance",
                "uniqueName": env.name,
                "friendlyName": env.display_name,
                "instanceUrl": url,
                "instanceApiUrl": url,
                "instanceState": "Ready",
            },
            "governanceConfiguration": { "protectionLevel": if env.kind == EnvKind::Target { "Standard" } else { "Basic" } },
        }
    })
}

pub async fn environments(State(state): State<Arc<AppState>>) -> Result<Response, ApiError> {
    let envs = state.store.tx(|c| environments::list(c))?;
    let value: Vec<Value> = envs.iter().map(|e| environment_json(&state, e)).collect();
    Ok(json(StatusCode::OK, json!({ "value": value })))
}

pub async fn environment(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let env = state
        .store
        .tx(|c| environments::by_bap_id(c, &id))?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                ferry_pipelines::codes::OBJECT_DOES_NOT_EXIST,
                format!("The environment '{id}' could not be found in the tenant."),
            )
        })?;
    Ok(json(StatusCode::OK, environment_json(&state, &env)))
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

pub async fn connections(
    State(state): State<Arc<AppState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let env = filtered_env(&state, &q)?;
    Ok(json(StatusCode::OK, connections_json(&state, &env, None)?))
}

pub async fn connector_connections(
    State(state): State<Arc<AppState>>,
    Path(connector): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let env = filtered_env(&state, &q)?;
    Ok(json(
        StatusCode::OK,
        connections_json(&state, &env, Some(&connector))?,
    ))
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
        .map(|e| json!({ "name": e.name, "environmentId": e.bap_id, "kind": e.kind, "displayName": e.display_name, "url": instance_url(&state, e) }))
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
