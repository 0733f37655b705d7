//! Runs: validate, deploy, follow, retry, cancel. Progress goes into the
//! channel; `cancel_operation` stops following (the stage run goes on).

use ferry_ipc::CodedError;
use ferry_ops::{DeployRequest, PlanRequest, RunEvent, RunOutcome, RunSummary};
use tauri::ipc::Channel;
use tauri::AppHandle;

use super::state;
use crate::progress::Progress;

/// Creates a run and validates it against the target.
pub async fn validate(
    app: &AppHandle,
    request: PlanRequest,
    op_id: String,
    on_event: Channel<RunEvent>,
) -> Result<RunOutcome, CodedError> {
    let state = state(app);
    let op = state.begin(&op_id);
    let progress = Progress::new(app, state.clone(), Some(on_event));
    Ok(state
        .engine()?
        .validate(&request, &progress, &op.token)
        .await?)
}

/// Deploys now or later (a validated run is reused when `runId` is given).
pub async fn deploy(
    app: &AppHandle,
    request: DeployRequest,
    op_id: String,
    on_event: Channel<RunEvent>,
) -> Result<RunOutcome, CodedError> {
    let state = state(app);
    let op = state.begin(&op_id);
    let progress = Progress::new(app, state.clone(), Some(on_event));
    Ok(state
        .engine()?
        .deploy(&request, &progress, &op.token)
        .await?)
}

/// Follows a run to its end.
pub async fn watch_run(
    app: &AppHandle,
    run_id: String,
    op_id: String,
    on_event: Channel<RunEvent>,
) -> Result<RunOutcome, CodedError> {
    let state = state(app);
    let op = state.begin(&op_id);
    let progress = Progress::new(app, state.clone(), Some(on_event));
    Ok(state.engine()?.watch(&run_id, &progress, &op.token).await?)
}

/// Retries a failed deployment and follows it to its end.
pub async fn retry_run(
    app: &AppHandle,
    run_id: String,
    op_id: String,
    on_event: Channel<RunEvent>,
) -> Result<RunOutcome, CodedError> {
    let state = state(app);
    let op = state.begin(&op_id);
    let progress = Progress::new(app, state.clone(), Some(on_event));
    Ok(state
        .engine()?
        .retry(&run_id, true, &progress, &op.token)
        .await?)
}

/// Cancels a stage run that has not finished.
pub async fn cancel_run(app: &AppHandle, run_id: String) -> Result<RunSummary, CodedError> {
    Ok(state(app).engine()?.cancel(&run_id).await?)
}

/// Stops an operation of this window (validate, deploy, watch, retry); false when none runs.
pub async fn cancel_operation(app: &AppHandle, op_id: String) -> Result<bool, CodedError> {
    Ok(state(app).cancel(&op_id))
}
