//! Business events of the Pipelines app (spec §7): the catalogue, the outbox
//! they are written to in the transaction of the run transition that causes
//! them, webhook subscriptions, the Dataverse webhook envelope and the
//! background task that delivers it.

pub mod api;
pub mod catalog;
pub mod delivery;
pub mod envelope;
pub mod outbox;
pub mod webhooks;

use ferry_pipelines::OperationStatus;
use rusqlite::Connection;
use serde_json::Value;

pub use catalog::EventName;

use crate::error::ApiResult;
use crate::store::records::Record;

/// Marks the run as requested for deployment and fires `OnDeploymentRequested`
/// once per run (at the pre-export gate, or at `DeployPackageAsync`).
pub fn deployment_requested(conn: &Connection, run: &mut Record) -> ApiResult<()> {
    if run.bool("__requested") {
        return Ok(());
    }
    run.set("__requested", true);
    outbox::emit(conn, run, EventName::DeploymentRequested, &[])
}

/// `OnDeploymentStarted` with DeploymentStatus Started or Scheduled.
pub fn deployment_started(
    conn: &Connection,
    run: &Record,
    status: OperationStatus,
) -> ApiResult<()> {
    outbox::emit(
        conn,
        run,
        EventName::DeploymentStarted,
        &[("DeploymentStatus", status.code().into())],
    )
}

/// `OnDeploymentCompleted` (Succeeded, Failed or Canceled) for a run that was
/// requested for deployment; a run that never got that far fires nothing.
pub fn deployment_completed(
    conn: &Connection,
    run: &Record,
    status: OperationStatus,
) -> ApiResult<()> {
    if !run.bool("__requested") {
        return Ok(());
    }
    let error = run.data.get("errormessage").cloned().unwrap_or(Value::Null);
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
    run: &Record,
    event: EventName,
    inputs: &[(&str, Value)],
) -> ApiResult<()> {
    outbox::emit(conn, run, event, inputs)
}
