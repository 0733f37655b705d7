//! Business events of the Pipelines app (spec §7): the catalogue, the outbox
//! they are written to in the transaction of the run transition that causes
//! them, webhook subscriptions, the Dataverse webhook envelope and the
//! background task that delivers it.

pub mod api;
pub mod catalog;
pub mod delivery;
pub mod envelope;
pub mod event;
pub mod outbox;
pub mod webhooks;

use ferry_pipelines::OperationStatus;
use rusqlite::Connection;
use serde_json::Value;

pub use catalog::EventName;

use crate::error::ApiResult;
use crate::runs::record::Run;

/// `OnDeploymentRequested` (the run's transitions fire it once per run).
pub fn deployment_requested(conn: &Connection, run: &Run) -> ApiResult<()> {
    outbox::emit(conn, run, EventName::DeploymentRequested, &[])
}

/// `OnDeploymentStarted` with DeploymentStatus Started or Scheduled.
pub fn deployment_started(conn: &Connection, run: &Run, status: OperationStatus) -> ApiResult<()> {
    outbox::emit(
        conn,
        run,
        EventName::DeploymentStarted,
        &[("DeploymentStatus", status.code().into())],
    )
}

/// `OnDeploymentCompleted` (Succeeded, Failed or Canceled), with the run's error unless it
/// succeeded.
pub fn deployment_completed(
    conn: &Connection,
    run: &Run,
    status: OperationStatus,
) -> ApiResult<()> {
    let error = run
        .record()
        .data
        .get("errormessage")
        .cloned()
        .unwrap_or(Value::Null);
    let error = if status == OperationStatus::Succeeded {
        Value::Null
    } else {
        error
    };
    outbox::emit(
        conn,
        run,
        EventName::DeploymentCompleted,
        &[
            ("DeploymentStatus", status.code().into()),
            ("ErrorMessage", error),
        ],
    )
}

/// Any other event, with its extra input parameters.
pub fn emit(
    conn: &Connection,
    run: &Run,
    event: EventName,
    inputs: &[(&str, Value)],
) -> ApiResult<()> {
    outbox::emit(conn, run, event, inputs)
}
