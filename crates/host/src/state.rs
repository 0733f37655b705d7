//! What every handler shares ([`AppState`]), the caller of a request, and the Web API's JSON
//! response: a module of its own, so the handlers outside `routes` (identity, faults, events)
//! need not import the router that imports them.

use std::sync::Arc;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::Notify;

use crate::caller::{self, Caller};
use crate::error::ApiResult;
use crate::runs::{RunOptions, Timing};
use crate::store::Store;

/// Shared state of all handlers.
pub struct AppState {
    pub store: Arc<Store>,
    pub timing: Timing,
    pub options: RunOptions,
    pub wake: Arc<Notify>,
    /// `http://127.0.0.1:<port>`, no trailing slash.
    pub base_url: String,
    pub organization_id: String,
    pub business_unit_id: String,
    /// Faults on purpose (runtime only, see [`crate::faults`]).
    pub faults: Arc<crate::faults::Faults>,
    /// The host as identity provider: signing key, tenant, auth mode.
    pub identity: Arc<crate::identity::Identity>,
    /// The names the host answers to (DNS rebinding, cross-site requests).
    pub guard: Arc<crate::routes::guard::HostGuard>,
}

/// The caller of a request to `scope` (an environment name or the host), its token checked as
/// the auth mode demands (see [`crate::caller::resolve_checked`]). Every route that acts for a
/// caller — the Web APIs and the emulator's admin endpoints — asks here, so strict mode holds
/// everywhere; a refusal is a 401 that [`challenge`] completes.
pub fn checked_caller(state: &AppState, headers: &HeaderMap, scope: &str) -> ApiResult<Caller> {
    let auth = caller::AuthContext {
        identity: &state.identity,
        scope,
    };
    state
        .store
        .read(|c| caller::resolve_checked(c, headers, &auth))
}

/// A JSON response with the Web API's content type.
pub fn json(status: StatusCode, value: serde_json::Value) -> Response {
    let mut r = (status, value.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; odata.metadata=minimal"),
    );
    r
}
