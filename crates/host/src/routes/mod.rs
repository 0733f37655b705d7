//! HTTP surface: the Dataverse Web API of the host and of every environment,
//! the tenant APIs (environments list, connections) and `$metadata`.

pub mod access;
mod dependencies;
mod entities;
mod files;
pub mod guard;
mod metadata;
mod operations;
pub mod path;
mod tenant;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rusqlite::Connection;

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::events;
use crate::odata::filter::Resolve;
use crate::odata::prefer::Prefer;
use crate::schema::{self, Entity, Nav, HOST_SCOPE};
use crate::store::environments;
use crate::store::records::{self, Record};

/// One Web API request, after routing.
pub struct Req {
    pub scope: String,
    /// `{base}/api/data/v9.2` or `{base}/environments/{name}/api/data/v9.2`.
    pub api_base: String,
    /// The path after the version segment, still percent-encoded.
    pub rest: String,
    pub method: Method,
    pub headers: HeaderMap,
    pub raw_query: String,
    pub query: Vec<(String, String)>,
    pub body: Bytes,
    pub prefer: Prefer,
    /// Who sent the request (see [`crate::caller`]).
    pub caller: Caller,
}

impl Req {
    /// The request body as a JSON object (an empty body is an empty object).
    pub fn json_body(&self) -> ApiResult<serde_json::Map<String, serde_json::Value>> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(serde_json::Map::new());
        }
        match serde_json::from_slice(&self.body) {
            Ok(serde_json::Value::Object(map)) => Ok(map),
            Ok(_) => Err(ApiError::bad_request(
                "the request body must be a JSON object",
            )),
            Err(e) => Err(ApiError::bad_request(format!(
                "the request body is not valid JSON: {e}"
            ))),
        }
    }
}

/// The router of a host.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .merge(tenant::routes())
        .route("/_ferry/info", get(tenant::info))
        .route("/_ferry/events", get(events::api::events))
        .route("/_ferry/deliveries", get(events::api::deliveries))
        .route(
            "/_ferry/webhooks",
            get(events::api::list_webhooks).post(events::api::create_webhook),
        )
        .route(
            "/_ferry/webhooks/{id}",
            axum::routing::delete(events::api::delete_webhook),
        )
        .route(
            "/_ferry/faults",
            get(crate::faults::endpoint::get)
                .put(crate::faults::endpoint::put)
                .patch(crate::faults::endpoint::patch)
                .delete(crate::faults::endpoint::delete),
        )
        .merge(crate::identity::router::routes())
        .fallback(dispatch)
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(too_large))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            challenge,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.faults.clone(),
            crate::faults::layer::apply,
        ))
        // Outermost: a foreign Host, Origin or cross-site request touches nothing.
        .layer(axum::middleware::from_fn_with_state(
            state.guard.clone(),
            guard::apply,
        ))
        .with_state(state)
}

pub use crate::state::{checked_caller, AppState};

/// The largest request body the host reads (no request of the flow comes near it) [I].
pub const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// A body over [`MAX_BODY_BYTES`] is refused by axum in plain text: answer 413 in the
/// Dataverse error shape instead (spec §8.11: 413 payload too large).
async fn too_large(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return response;
    }
    let json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if json {
        return response;
    }
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ferry_pipelines::codes::INVALID_ARGUMENT,
        format!(
            "The request body is larger than the {} MiB this host accepts.",
            MAX_BODY_BYTES / (1024 * 1024)
        ),
    )
    .into_response()
}

/// Adds the host's `WWW-Authenticate` challenge (§8.13) to every 401 that lacks one.
async fn challenge(
    State(state): State<Arc<AppState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut response = next.run(request).await;
    if response.status() == StatusCode::UNAUTHORIZED
        && !response.headers().contains_key(header::WWW_AUTHENTICATE)
    {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, state.identity.challenge());
    }
    response
}

/// Store access for the OData evaluator, bound to one scope.
pub struct Lookup<'a> {
    pub conn: &'a Connection,
    pub scope: &'a str,
}

impl Resolve for Lookup<'_> {
    fn get(&self, set: &str, id: &str) -> Option<Record> {
        records::get(self.conn, self.scope, set, id).ok().flatten()
    }

    fn related(&self, entity: &Entity, row: &Record, nav: &Nav) -> Vec<Record> {
        match nav {
            Nav::OneToMany { target, fk, .. } => records::find(
                self.conn,
                self.scope,
                target,
                &format!("_{fk}_value"),
                &row.id,
            )
            .unwrap_or_default(),
            Nav::ManyToMany {
                target, rel, left, ..
            } => {
                let _ = entity;
                records::linked(self.conn, self.scope, rel, &row.id, *left)
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|id| self.get(target, &id))
                    .collect()
            }
        }
    }

    fn entity(&self, set: &str) -> Option<&'static Entity> {
        schema::entity(self.scope, set)
    }
}

async fn dispatch(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    // (store scope, path of the instance below the origin, rest after `api/data/`)
    let (scope, prefix, after) = if let Some(rest) = path.strip_prefix("/api/data/") {
        (HOST_SCOPE.to_string(), String::new(), rest)
    } else if let Some(rest) = path.strip_prefix("/environments/") {
        let Some((name, tail)) = rest.split_once('/') else {
            return ApiError::no_segment(rest).into_response();
        };
        let Some(tail) = tail.strip_prefix("api/data/") else {
            return ApiError::no_segment(tail).into_response();
        };
        let known = state
            .store
            .read(|c| environments::get(c, name))
            .ok()
            .flatten();
        match known {
            // Another host is served like an environment, with the pipelines tables.
            Some(env) if env.name != HOST_SCOPE => (env.scope(), env.path(), tail),
            _ => return ApiError::no_segment(name).into_response(),
        }
    } else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            ferry_pipelines::codes::OBJECT_DOES_NOT_EXIST,
            format!("No resource at {path}; the Web API is under /api/data/v9.2/"),
        )
        .into_response();
    };
    let (version, rest) = after.split_once('/').unwrap_or((after, ""));
    if !matches!(version, "v9.0" | "v9.1" | "v9.2") {
        return ApiError::no_segment(version).into_response();
    }
    let raw_query = uri.query().unwrap_or("").to_string();
    let annotated = crate::error::wants_error_annotations(&headers);
    let caller = match checked_caller(&state, &headers, &scope) {
        Ok(c) => c,
        Err(e) => return e.response(annotated),
    };
    let req = Req {
        caller,
        api_base: format!("{}{prefix}/api/data/{version}", state.base_url),
        rest: rest.to_string(),
        query: crate::odata::query::pairs(&raw_query),
        raw_query,
        prefer: Prefer::from_headers(&headers),
        scope,
        method,
        headers,
        body,
    };
    // A request that may write runs on the store's writer thread, after those before it (see
    // `Store::on_writer`); reads go on meanwhile on their own connections.
    let result = if req.method == Method::GET {
        handle(&state, &req)
    } else {
        let writer = state.clone();
        let store = state.store.clone();
        store
            .on_writer(move || handle(&writer, &req))
            .await
            .unwrap_or_else(|| Err(ApiError::internal("the request could not be completed")))
    };
    let mut response = match result {
        Ok(r) => r,
        Err(e) => e.response(annotated),
    };
    response
        .headers_mut()
        .insert("OData-Version", HeaderValue::from_static("4.0"));
    response
}

fn handle(state: &AppState, req: &Req) -> ApiResult<Response> {
    use path::Resource as R;
    let resource = path::parse(&req.scope, &req.rest)?;
    tracing::debug!(caller = %req.caller.upn, method = %req.method, rest = %req.rest, "request");
    // A user who holds no role on a host reaches none of its data (Dataverse answers a
    // missing read privilege); WhoAmI and $metadata stay open, as they do there.
    if schema::is_host_scope(&req.scope)
        && req.caller.roles.is_empty()
        && !matches!(resource, R::Metadata)
        && !req.rest.starts_with("WhoAmI")
    {
        return Err(access::denied(
            &req.caller,
            "prvReaddeploymentpipeline",
            "deploymentpipeline",
        ));
    }
    match (&req.method, resource) {
        (&Method::GET, R::Metadata) => Ok(metadata::response(&req.scope)),
        (_, R::Batch) => Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            ferry_pipelines::codes::NOT_SUPPORTED,
            "$batch is not supported by the local host; send the requests one by one",
        )),
        (&Method::GET, R::Collection(e)) => entities::list(state, req, e),
        (&Method::GET, R::Count(e)) => entities::count(state, req, e),
        (&Method::GET, R::Row(e, id)) => entities::get_row(state, req, e, &id),
        (&Method::POST, R::Collection(e)) => entities::create(state, req, e),
        (&Method::PATCH, R::Row(e, id)) => entities::patch(state, req, e, &id),
        (&Method::DELETE, R::Row(e, id)) => entities::delete(state, req, e, &id),
        (
            &Method::GET,
            R::Column {
                entity,
                id,
                column,
                raw,
            },
        ) => files::column(state, req, entity, &id, column, raw),
        (
            &Method::GET,
            R::Nav {
                entity,
                id,
                nav,
                refs: false,
            },
        ) => entities::navigate(state, req, entity, &id, &nav),
        (
            &Method::POST,
            R::Nav {
                entity,
                id,
                nav,
                refs: true,
            },
        ) => entities::associate(state, req, entity, &id, &nav),
        (
            &Method::DELETE,
            R::Nav {
                entity,
                id,
                nav,
                refs: true,
            },
        ) => entities::disassociate(state, req, entity, &id, &nav),
        (&Method::GET, R::Function { name, params }) => {
            operations::function(state, req, &name, &params)
        }
        (&Method::GET, R::Operation(name)) if operations::is_function(&req.scope, &name) => {
            operations::function(state, req, &name, "")
        }
        (&Method::POST, R::Operation(name)) => operations::action(state, req, &name),
        (_, R::Function { name, .. } | R::Operation(name)) => Err(ApiError::no_segment(&name)),
        (method, _) => Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ferry_pipelines::codes::NOT_SUPPORTED,
            format!("{method} is not allowed on this resource"),
        )),
    }
}

pub use crate::state::json;
