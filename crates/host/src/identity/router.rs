//! The identity routes, all on the host's port. Apart from `identity`'s own types, so the
//! identity core (the key, the tenant, the auth mode the caller judges tokens by) does not
//! depend on the handlers' shared state.

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;

use super::{endpoints, pages};
use crate::state::AppState;

/// The identity routes (all on the host's port).
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            post(endpoints::devicecode),
        )
        .route("/{tenant}/oauth2/v2.0/token", post(endpoints::token))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(pages::authorize_page).post(pages::authorize_submit),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(endpoints::jwks))
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(endpoints::openid_configuration),
        )
        .route(
            "/devicelogin",
            get(pages::device_page).post(pages::device_submit),
        )
}
