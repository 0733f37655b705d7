//! Power Platform Pipelines domain types, shared by the local host and the client.
//!
//! This crate owns the vocabulary of a pipelines host as it appears on the wire
//! (spec `host-api.md` §3, §5.7, §5.8): the option-set values with their codes and
//! labels, the `validationresults` JSON shape, the deployment settings document (one model
//! for the `deploymentsettingsjson` column and the `pac` settings file),
//! solution version rules and the Dataverse error codes both sides need. It does no
//! I/O and knows nothing of HTTP or Tauri, so the emulator and the client cannot
//! drift apart on a number or a field name.

pub mod codes;
mod option_set;
pub mod settings;
pub mod validation;
pub mod version;

pub use option_set::{
    ApprovalStatus, DelegatedDeploymentType, DeploymentType, EnvironmentType,
    EnvironmentValidationStatus, GateStatus, Operation, OperationStatus, StageRunStatus,
    SubOperation, UnknownCode,
};
pub use settings::{ConnectionReferenceSetting, DeploymentSettings, EnvironmentVariableSetting};
pub use validation::{
    MissingDependency, Severity, SolutionDetails, SolutionValidationResult, ValidationOutcome,
    ValidationResults,
};
pub use version::{SolutionVersion, VersionError};
