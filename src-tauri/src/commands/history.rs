//! History from the cache (offline too), sync, run records and their export.

use ferry_ipc::{ErrorCode, IpcError};
use std::sync::Arc;

use ferry_ops::{
    CancellationToken, Engine, ExportFormat, HistoryChoices, HistoryFilter, HistoryResult,
    RunRecord, SyncReport,
};

use super::AppStateRef;

/// A page of history, newest first, from the cache.
#[tauri::command]
pub async fn history(
    state: AppStateRef<'_>,
    filter: HistoryFilter,
) -> Result<HistoryResult, IpcError> {
    off_main_thread(state, move |engine| engine.history(&filter)).await
}

/// The solutions and stage names the history holds, for its filters.
#[tauri::command]
pub async fn history_choices(state: AppStateRef<'_>) -> Result<HistoryChoices, IpcError> {
    off_main_thread(state, |engine| engine.history_choices()).await
}

/// Runs a cache read on a blocking thread: a page of runs is a query and JSON the
/// window waits for, which must not hold the main thread.
async fn off_main_thread<T: Send + 'static>(
    state: AppStateRef<'_>,
    read: impl FnOnce(&Engine) -> ferry_ops::Result<T> + Send + 'static,
) -> Result<T, IpcError> {
    let engine: Arc<Engine> = state.engine()?;
    tauri::async_runtime::spawn_blocking(move || read(&engine))
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
