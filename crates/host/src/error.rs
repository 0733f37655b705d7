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

    /// The envelope with the `@Microsoft.PowerApps.CDS.*` keys Dataverse adds inside `error`
    /// when the request sent `Prefer: odata.include-annotations="*"` (spec §8.11 [D] names;
    /// values [I]: operation status 0, the sub-error code as a signed decimal, Dataverse's
    /// fwlink help link, the message as inner error; a trace only for plug-in errors).
    pub fn annotated_body(&self) -> serde_json::Value {
        let mut body = self.body();
        let error = body["error"].as_object_mut().expect("error is an object");
        let hex = self.code.hex();
        let mut put = |k: &str, v: String| {
            error.insert(format!("@Microsoft.PowerApps.CDS.{k}"), v.into());
        };
        put("ErrorDetails.OperationStatus", "0".into());
        put("ErrorDetails.SubErrorCode", self.code.signed().to_string());
        put(
            "HelpLink",
            format!(
                "http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a{}&client=platform",
                hex.trim_start_matches("0x")
            ),
        );
        if self.code == codes::PLUGIN_ERROR {
            put(
                "TraceText",
                format!(
                    "\r\n[Microsoft.PowerPlatform.Pipelines: ferry-host]\r\n{}\r\n",
                    self.message
                ),
            );
        }
        put("InnerError.Message", self.message.clone());
        body
    }

    /// The response for a request that did (`annotated`) or did not ask for annotations.
    pub fn response(self, annotated: bool) -> Response {
        if !annotated {
            return self.into_response();
        }
        let mut response = (self.status, axum::Json(self.annotated_body())).into_response();
        let headers = response.headers_mut();
        headers.insert("OData-Version", "4.0".parse().expect("static header"));
        headers.insert(
            "Preference-Applied",
            "odata.include-annotations=\"*\""
                .parse()
                .expect("static header"),
        );
        response
    }
}

/// True when a `Prefer` header asks for every annotation, or for the error ones.
pub fn wants_error_annotations(headers: &axum::http::HeaderMap) -> bool {
    crate::odata::prefer::Prefer::from_headers(headers)
        .annotations
        .is_some_and(|a| a == "*" || a.contains("Microsoft.PowerApps.CDS"))
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
