//! The one middleware that applies per-request faults to the Web API routes
//! (host, environments, tenant APIs), never to the emulator's `/_ferry/*` nor to the
//! local cloud's endpoint table (`/.well-known/ferry/cloud`), which stands for a table
//! a real client has compiled in.

use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ferry_pipelines::codes::ErrorCode;

use super::conn::ConnInfo;
use super::{Decision, Faults};
use crate::error::ApiError;

/// Dataverse's service-protection code for "too many requests in the window" (§8.12).
pub const THROTTLED: ErrorCode = ErrorCode(0x8007_2322);
/// Dataverse's generic "an unexpected error occurred".
pub const UNEXPECTED: ErrorCode = ErrorCode(0x8004_0216);

/// The 429 answer of a throttling storm.
pub fn throttled(retry_after: u64) -> Response {
    let mut r = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        THROTTLED,
        "Number of requests exceeded the limit of 6000 over time window of 300 seconds.",
    )
    .into_response();
    r.headers_mut()
        .insert("Retry-After", HeaderValue::from(retry_after));
    r
}

/// A 5xx answer with a Dataverse error body.
pub fn server_error(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let message = match status.as_u16() {
        500 => "An unexpected error occurred.",
        502 => "The gateway did not get an answer from the service; try again.",
        504 => "The request timed out before the service answered; try again.",
        _ => "The service is temporarily unavailable; try again shortly.",
    };
    ApiError::new(status, UNEXPECTED, message).into_response()
}

/// Latency, then 429 / 5xx / dropped connection as switched on.
pub async fn apply(State(faults): State<Arc<Faults>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.starts_with("/_ferry/") || path == "/.well-known/ferry/cloud" {
        return next.run(req).await;
    }
    let latency = faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let kill = req
        .extensions()
        .get::<ConnectInfo<ConnInfo>>()
        .map(|c| c.0.kill.clone());
    match faults.decide(req.method().as_str(), req.uri().path()) {
        Decision::Pass => next.run(req).await,
        Decision::Throttle(after) => throttled(after),
        Decision::ServerError(status) => server_error(status),
        Decision::Drop(after_handling) => {
            let Some(kill) = kill else {
                // Not served through the fault listener: the closest honest answer.
                return server_error(502);
            };
            let response = if after_handling {
                next.run(req).await
            } else {
                StatusCode::NO_CONTENT.into_response()
            };
            kill.trip();
            response
        }
    }
}
