//! Emulator-only admin endpoints: `/_ferry/events` (what was emitted),
//! `/_ferry/webhooks` (subscriptions) and `/_ferry/deliveries` (the delivery
//! log). All of them need a caller with the admin role.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::webhooks::{self, WebhookSpec};
use super::{delivery, outbox};
use crate::caller::Role;
use crate::error::{ApiError, ApiResult};
use crate::state::{json, AppState};

/// 403 unless the caller is an admin.
fn require_admin(state: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    let who = crate::state::checked_caller(state, headers, crate::schema::HOST_SCOPE)?;
    if who.has(Role::Admin) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        ferry_pipelines::codes::PRIVILEGE_DENIED,
        format!(
            "Principal user {} is missing the Deployment Pipeline Administrator role; ask an admin to manage webhooks and read the event log.",
            who.upn
        ),
    ))
}

/// `GET /_ferry/events[?run=<id>]`.
pub async fn events(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    require_admin(&state, &headers)?;
    let list = state
        .store
        .read(|c| outbox::list(c, q.get("run").map(String::as_str)))?;
    let value: Vec<Value> = list.iter().map(outbox::Event::to_json).collect();
    Ok(json(StatusCode::OK, json!({ "value": value })))
}

/// `GET /_ferry/deliveries[?run=<id>]`.
pub async fn deliveries(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    require_admin(&state, &headers)?;
    let value = state
        .store
        .read(|c| delivery::log(c, q.get("run").map(String::as_str)))?;
    Ok(json(StatusCode::OK, json!({ "value": value })))
}

/// `GET /_ferry/webhooks`.
pub async fn list_webhooks(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    require_admin(&state, &headers)?;
    let list = state.store.read(webhooks::list)?;
    let value: Vec<Value> = list.iter().map(webhooks::Webhook::to_json).collect();
    Ok(json(StatusCode::OK, json!({ "value": value })))
}

/// `POST /_ferry/webhooks` with `{url, events?, secret?, headers?}` → 201 and the subscription.
pub async fn create_webhook(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_admin(&state, &headers)?;
    let spec: WebhookSpec = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(format!(
            "send a JSON object with url and optional events, secret and headers ({e})"
        ))
    })?;
    let id = uuid::Uuid::new_v4().to_string();
    let hook = state
        .store
        .write(move |c| webhooks::insert(c, &id, &spec))
        .await?;
    Ok(json(StatusCode::CREATED, hook.to_json()))
}

/// `DELETE /_ferry/webhooks/{id}` → 204; its undelivered deliveries are dropped.
pub async fn delete_webhook(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    require_admin(&state, &headers)?;
    let gone = id.clone();
    if state
        .store
        .write(move |c| webhooks::delete(c, &gone))
        .await?
    {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ferry_pipelines::codes::OBJECT_DOES_NOT_EXIST,
            format!("There is no webhook {id}; GET /_ferry/webhooks lists them."),
        ))
    }
}
