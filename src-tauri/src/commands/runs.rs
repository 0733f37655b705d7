//! Runs: validate, deploy, follow, retry, cancel. Progress goes into the
//! channel; `cancel_operation` stops following (the stage run goes on).

use ferry_ipc::IpcError;
use ferry_ops::{DeployRequest, PlanRequest, RunEvent, RunOutcome, RunSummary};
use tauri::ipc::Channel;

use super::AppStateRef;
use crate::progress::Progress;

/// Creates a run and validates it against the target.
#[tauri::command]
pub async fn validate(
    app: tauri::AppHandle,
    state: AppStateRef<'_>,
    request: PlanRequest,
    op_id: String,
    on_event: Channel<RunEvent>,
) -> Result<RunOutcome, IpcError> {
    let op = state.begin(&op_id);
    let progress = Progress::new(&app, state.inner().clone(), Some(on_event));
    Ok(state
        .engine()?
        .validate(&request, &progress, &op.token)
        .await?)
}

/// Deploys now or later (a validated run is reused when `runId` is given).
#[tauri::command]
pub async fn deploy(
    app: tauri::AppHandle,
    state: AppStateRef<'_>,
    request: DeployRequest,
    op_id: String,
    on_event: Channel<RunEvent>,
) -> Result<RunOutcome, IpcError> {
    let op = state.begin(&op_id);
    let progress = Progress::new(&app, state.inner().clone(), Some(on_event));
    Ok(state
        .engine()?
        .deploy(&request, &progress, &op.token)
        .await?)
}

/// Follows a run to its end.
#[tauri::command]
pub async fn watch_run(
    app: tauri::AppHandle,
    state: AppStateRef<'_>,
    run_id: String,
    op_id: String,
    on_event: Channel<RunEvent>,
) -> Result<RunOutcome, IpcError> {
    let op = state.begin(&op_id);
    let progress = Progress::new(&app, state.inner().clone(), Some(on_event));
    Ok(state.engine()?.watch(&run_id, &progress, &op.token).await?)
}

/// Retries a failed deployment and follows it to its end.
#[tauri::command]
pub async fn retry_run(
    app: tauri::AppHandle,
    state: AppStateRef<'_>,
    run_id: String,
    op_id: String,
    on_event: Channel<RunEvent>,
) -> Result<RunOutcome, IpcError> {
    let op = state.begin(&op_id);
    let progress = Progress::new(&app, state.inner().clone(), Some(on_event));
    Ok(state
        .engine()?
        .retry(&run_id, true, &progress, &op.token)
        .await?)
}

/// Cancels a stage run that has not finished.
#[tauri::command]
pub async fn cancel_run(state: AppStateRef<'_>, run_id: String) -> Result<RunSummary, IpcError> {
    Ok(state.engine()?.cancel(&run_id).await?)
}

/// Stops an operation of this window (validate, deploy, watch, retry); false when none runs.
#[tauri::command]
pub fn cancel_operation(state: AppStateRef<'_>, op_id: String) -> bool {
    state.cancel(&op_id)
}
