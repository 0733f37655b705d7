//! History from the cache (offline too), sync, run records and their export.

use ferry_ipc::CodedError;

use ferry_ops::{
    CancellationToken, Engine, ExportFormat, HistoryChoices, HistoryFilter, HistoryResult,
    RunRecord, SyncReport,
};
use tauri::AppHandle;

use super::{blocking, state};

/// A page of history, newest first, from the cache.
pub async fn history(app: &AppHandle, filter: HistoryFilter) -> Result<HistoryResult, CodedError> {
    with_engine(app, move |engine| engine.history(&filter)).await
}

/// The solutions and stage names the history holds, for its filters.
pub async fn history_choices(app: &AppHandle) -> Result<HistoryChoices, CodedError> {
    with_engine(app, |engine| engine.history_choices()).await
}

/// Runs a cache read or write on a blocking thread: a page of runs is a query and
/// JSON the window waits for, which must not hold an async worker.
async fn with_engine<T: Send + 'static>(
    app: &AppHandle,
    work: impl FnOnce(&Engine) -> ferry_ops::Result<T> + Send + 'static,
) -> Result<T, CodedError> {
    let engine = state(app).engine()?;
    blocking(move || Ok(work(&engine)?)).await
}

/// Reads the runs that changed on the host into the cache.
pub async fn sync_history(app: &AppHandle) -> Result<SyncReport, CodedError> {
    Ok(state(app)
        .engine()?
        .sync_history(&CancellationToken::new())
        .await?)
}

/// Everything about one run, from the cache, secrets redacted.
pub async fn run_record(app: &AppHandle, run_id: String) -> Result<RunRecord, CodedError> {
    with_engine(app, move |engine| engine.run_record(&run_id)).await
}

/// A run record as Markdown or JSON text.
pub async fn export_run(
    app: &AppHandle,
    run_id: String,
    format: ExportFormat,
) -> Result<String, CodedError> {
    with_engine(app, move |engine| engine.export_run(&run_id, format)).await
}
