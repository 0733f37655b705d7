//! History from the cache (offline too), sync, run records and their export.

use ferry_ipc::{ErrorCode, IpcError};
use ferry_ops::{
    CancellationToken, ExportFormat, HistoryChoices, HistoryFilter, HistoryResult, RunRecord,
    SyncReport,
};

use super::AppStateRef;

/// A page of history, newest first, from the cache.
#[tauri::command]
pub async fn history(
    state: AppStateRef<'_>,
    filter: HistoryFilter,
) -> Result<HistoryResult, IpcError> {
    let engine = state.engine()?;
    // Off the main thread: a page of runs is a cache query and JSON the window waits for.
    tauri::async_runtime::spawn_blocking(move || engine.history(&filter))
        .await
        .map_err(|e| IpcError::new(ErrorCode::Internal, format!("reading history failed: {e}")))?
        .map_err(Into::into)
}

/// The solutions and stage names the history holds, for its filters.
#[tauri::command]
pub async fn history_choices(state: AppStateRef<'_>) -> Result<HistoryChoices, IpcError> {
    let engine = state.engine()?;
    tauri::async_runtime::spawn_blocking(move || engine.history_choices())
        .await
        .map_err(|e| IpcError::new(ErrorCode::Internal, format!("reading history failed: {e}")))?
        .map_err(Into::into)
}

/// Reads the runs that changed on the host into the cache.
#[tauri::command]
pub async fn sync_history(state: AppStateRef<'_>) -> Result<SyncReport, IpcError> {
    Ok(state
        .engine()?
        .sync_history(&CancellationToken::new())
        .await?)
}

/// Everything about one run, from the cache, secrets redacted.
#[tauri::command]
pub fn run_record(state: AppStateRef<'_>, run_id: String) -> Result<RunRecord, IpcError> {
    Ok(state.engine()?.run_record(&run_id)?)
}

/// A run record as Markdown or JSON text.
#[tauri::command]
pub fn export_run(
    state: AppStateRef<'_>,
    run_id: String,
    format: ExportFormat,
) -> Result<String, IpcError> {
    Ok(state.engine()?.export_run(&run_id, format)?)
}
