use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The small, stable set of error codes the UI may branch on. Never parse `message`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request itself was wrong (bad path, bad value): the maker can fix the input.
    InvalidInput,
    /// The thing asked for does not exist.
    NotFound,
    /// The host could not be reached; cached data is still available.
    Offline,
    /// The host refused: sign in again or ask an admin for access.
    Unauthorized,
    /// The host answered with an error; `message` explains it.
    Host,
    /// The local cache could not be read or written.
    Cache,
    /// A bug or an unexpected state in Ferry itself.
    Internal,
}

/// The one error shape that crosses the IPC boundary: a code to branch on and a
/// sentence for people that says what went wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl IpcError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let err = IpcError::new(ErrorCode::NotFound, "No such solution.");
        let json = serde_json::to_value(&err).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "not_found", "message": "No such solution."})
        );
    }
}
