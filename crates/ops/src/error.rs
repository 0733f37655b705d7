//! The operations layer's error: every message says what to do next, and
//! [`OpsError::code`] gives its code in Ferry's one vocabulary (`ferry-error`),
//! which the UI, the CLI's `--json` errors and its exit status all use.

use ferry_dataverse::ErrorKind;
use ferry_error::{CodedError, ErrorCode};

/// Everything an operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// No profile with that name.
    #[error("there is no profile named {0:?}; list them with `ferry profile list` or add one with `ferry profile add`")]
    UnknownProfile(String),

    /// The profile's definition is unusable.
    #[error("the profile {profile:?} is incomplete: {reason}")]
    ProfileIncomplete { profile: String, reason: String },

    /// A non-sandbox profile needs a token and none was given.
    #[error("not signed in to the profile {0:?}: sign in with `ferry login --profile {0}` (or set FERRY_TOKEN to a bearer token for the host)")]
    NoToken(String),

    /// The keyring holding the profile's sign-in cannot be read.
    #[error("the sign-in of the profile {profile:?} cannot be read: {reason} (or set FERRY_TOKEN to a bearer token for the host)")]
    Keyring { profile: String, reason: String },

    /// Signing in (or refreshing the sign-in) failed.
    #[error("{0}")]
    SignIn(#[from] ferry_auth::SignInError),

    /// The dev environment of the profile is not known to the tenant or not registered on the host.
    #[error("{0}")]
    DevEnvironment(String),

    /// The tenant is not set up for what was asked; the sentence names who can fix it.
    #[error("{0}")]
    NotSetUp(String),

    /// No solution with that name in the dev environment.
    #[error("there is no unmanaged solution {0:?} in the development environment; list them with `ferry pipeline list` (names are unique names, like ContosoCore)")]
    UnknownSolution(String),

    /// No stage with that name or id.
    #[error("there is no stage {0:?} in the pipelines offered to this development environment; list them with `ferry pipeline list`")]
    UnknownStage(String),

    /// A stage name matches more than one stage.
    #[error("{0:?} names more than one stage ({1}); use the stage id instead")]
    AmbiguousStage(String, String),

    /// No run with that id, in the cache or on the host.
    #[error("there is no stage run {0}; check the id with `ferry history`")]
    UnknownRun(String),

    /// The user's input was wrong (a version, a time, a settings file).
    #[error("{0}")]
    InvalidInput(String),

    /// The deployment's values did not pass the local checks.
    #[error("the deployment is not ready: {}; fix the values (or the settings file) and try again", .problems.join("; "))]
    NotReady { problems: Vec<String> },

    /// The stage cannot take this solution now.
    #[error("{0}")]
    NotDeployable(String),

    /// A request of a run was sent and its answer lost: the host may have acted on it.
    #[error("the host did not answer the {action} of the stage run {run} ({reason}); it may have received it: run the same command again and Ferry carries that run on instead of starting another (`ferry run status {run}` shows where it is)")]
    Unconfirmed {
        run: String,
        action: String,
        reason: String,
    },

    /// A request of a run never reached the host (no connection could be made): nothing
    /// happened to the run; `next` says what to do once the host is back.
    #[error("the {action} of the stage run {run} never reached the host, so nothing happened to the run ({reason}); {next}")]
    NotReceived {
        run: String,
        action: String,
        reason: String,
        next: String,
    },

    /// The operation was canceled by the caller (not the stage run).
    #[error("stopped before the operation finished; the stage run (if one was created) goes on, follow it with `ferry run watch ID`")]
    Interrupted,

    /// Waiting took longer than allowed.
    #[error("{0}")]
    TimedOut(String),

    /// The host refused or failed.
    #[error("{0}")]
    Host(#[from] ferry_dataverse::Error),

    /// The local cache failed.
    #[error(transparent)]
    Cache(#[from] ferry_cache::CacheError),

    /// The in-process local host could not start.
    #[error("the Local sandbox could not start: {0}; check that the data directory is writable, or remove its `sandbox` folder to start afresh")]
    Sandbox(String),

    /// A file could not be read or written.
    #[error("{0}")]
    Io(String),

    /// A bug in Ferry.
    #[error("internal error: {0}; please report it")]
    Internal(String),
}

/// The operations layer's result.
pub type Result<T, E = OpsError> = std::result::Result<T, E>;

impl OpsError {
    /// This error's code.
    pub fn code(&self) -> ErrorCode {
        match self {
            OpsError::UnknownProfile(_)
            | OpsError::UnknownSolution(_)
            | OpsError::UnknownStage(_)
            | OpsError::UnknownRun(_) => ErrorCode::NotFound,
            OpsError::ProfileIncomplete { .. }
            | OpsError::AmbiguousStage(..)
            | OpsError::InvalidInput(_)
            | OpsError::NotReady { .. }
            | OpsError::NotDeployable(_) => ErrorCode::InvalidInput,
            OpsError::NoToken(_) => ErrorCode::Unauthorized,
            OpsError::SignIn(ferry_auth::SignInError::Unreachable { .. }) => ErrorCode::Offline,
            // The authority named a page that is no web page: refused, nothing opened.
            OpsError::SignIn(ferry_auth::SignInError::UnsafePage { .. }) => ErrorCode::InvalidInput,
            OpsError::SignIn(_) | OpsError::Keyring { .. } => ErrorCode::Unauthorized,
            OpsError::NotSetUp(_) => ErrorCode::NotSetUp,
            OpsError::Unconfirmed { .. } | OpsError::NotReceived { .. } => ErrorCode::Offline,
            OpsError::DevEnvironment(_) => ErrorCode::NotFound,
            OpsError::TimedOut(_) => ErrorCode::Host,
            OpsError::Interrupted => ErrorCode::Interrupted,
            OpsError::Io(_) => ErrorCode::Io,
            OpsError::Sandbox(_) | OpsError::Internal(_) => ErrorCode::Internal,
            OpsError::Cache(_) => ErrorCode::Cache,
            OpsError::Host(e) => match e.kind {
                ErrorKind::Offline => ErrorCode::Offline,
                ErrorKind::Unauthorized | ErrorKind::Forbidden => ErrorCode::Unauthorized,
                ErrorKind::NotFound => ErrorCode::NotFound,
                ErrorKind::Rejected => ErrorCode::InvalidInput,
                _ => ErrorCode::Host,
            },
        }
    }

    /// The error as it leaves Ferry: over IPC, or as the CLI's JSON error.
    pub fn to_coded(&self) -> CodedError {
        CodedError::new(self.code(), self.to_string())
    }

    /// Whether the host could not be reached (cached data may still answer).
    pub fn is_offline(&self) -> bool {
        matches!(self, OpsError::Host(e) if e.kind == ErrorKind::Offline)
            || matches!(
                self,
                OpsError::Unconfirmed { .. } | OpsError::NotReceived { .. }
            )
    }
}

impl From<OpsError> for CodedError {
    fn from(e: OpsError) -> Self {
        e.to_coded()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        assert_eq!(
            OpsError::UnknownSolution("X".into()).code(),
            ErrorCode::NotFound
        );
        assert_eq!(
            OpsError::NoToken("p".into()).code(),
            ErrorCode::Unauthorized
        );
        assert_eq!(
            OpsError::NotReady {
                problems: vec!["a".into()]
            }
            .code(),
            ErrorCode::InvalidInput
        );
        let ipc = OpsError::UnknownRun("42".into()).to_coded();
        assert_eq!(ipc.code, ErrorCode::NotFound);
        assert!(ipc.message.contains("ferry history"), "{}", ipc.message);
    }

    #[test]
    fn messages_say_what_to_do() {
        let msg = OpsError::NoToken("contoso".into()).to_string();
        assert!(
            msg.contains("FERRY_TOKEN") && msg.contains("ferry login"),
            "{msg}"
        );
        let msg = OpsError::NotReady {
            problems: vec!["no connection for cont_x".into()],
        }
        .to_string();
        assert!(msg.contains("no connection for cont_x") && msg.contains("fix"));
    }
}
