//! Dataverse-style errors: an HTTP status plus the `{"error":{"code","message"}}`
//! envelope (spec §8.11). Every refusal in the host goes through [`ApiError`].

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ferry_pipelines::codes::{self, ErrorCode};

/// An error answered to a Web API client.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400 with the generic invalid-argument code.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::INVALID_ARGUMENT, message)
    }

    /// 400 for a query the host does not understand or support.
    pub fn bad_query(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::QUERY_BUILDER_ERROR, message)
    }

    /// 400 for a business rule of the Pipelines app (surfaced as a plug-in error).
    pub fn rule(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, codes::PLUGIN_ERROR, message)
    }

    /// 404 for an unknown path segment (entity set, function, navigation).
    pub fn no_segment(segment: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::OBJECT_DOES_NOT_EXIST,
            format!("Resource not found for the segment '{segment}'."),
        )
    }

    /// 404 for a missing row, in Dataverse's words.
    pub fn no_record(logical: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            codes::OBJECT_DOES_NOT_EXIST,
            format!("{logical} With Id = {id} Does Not Exist"),
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            codes::INVALID_ARGUMENT,
            message,
        )
    }

    /// The JSON envelope.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "error": { "code": self.code.hex(), "message": self.message } })
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        Self::internal(format!("host database error: {err}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        response
            .headers_mut()
            .insert("OData-Version", "4.0".parse().expect("static header"));
        response
    }
}
