//! The app itself: about, the logs folder and the local cache (where, how big, clear it).

use ferry_ipc::{AppInfo, CodedError, ErrorCode};
use ferry_ops::CacheInfo;
use tauri::AppHandle;

use super::{blocking, state};

/// The app's name, version and data directory: the shell's first round trip.
pub async fn app_info(app: &AppHandle) -> Result<AppInfo, CodedError> {
    Ok(AppInfo {
        name: app.package_info().name.clone(),
        version: app.package_info().version.to_string(),
        data_dir: state(app).options().data_dir.display().to_string(),
        logs_dir: crate::logs::dir(&state(app).options().data_dir)
            .display()
            .to_string(),
        os: std::env::consts::OS.to_string(),
    })
}

/// Opens the logs folder in the system's file manager (made first if nothing was logged yet).
pub async fn open_logs_folder(app: &AppHandle) -> Result<String, CodedError> {
    use tauri_plugin_opener::OpenerExt;
    let dir = crate::logs::dir(&state(app).options().data_dir);
    let shown = dir.display().to_string();
    let opener = app.clone();
    blocking(move || {
        std::fs::create_dir_all(&dir).map_err(|e| {
            CodedError::new(
                ErrorCode::Io,
                format!(
                    "Ferry could not make its logs folder {}: {e}",
                    dir.display()
                ),
            )
        })?;
        opener
            .opener()
            .open_path(dir.display().to_string(), None::<&str>)
            .map_err(|e| {
                CodedError::new(
                    ErrorCode::Io,
                    format!(
                        "Ferry could not open {} in the file manager: {e}; open it by hand",
                        dir.display()
                    ),
                )
            })
    })
    .await?;
    Ok(shown)
}

/// Where the cache is and how big it is.
pub async fn cache_info(app: &AppHandle) -> Result<CacheInfo, CodedError> {
    let dir = state(app).options().data_dir.clone();
    blocking(move || Ok(ferry_ops::cache_info(&dir))).await
}

/// Empties the cache (profiles are kept); refused while an operation runs.
pub async fn clear_cache(app: &AppHandle) -> Result<CacheInfo, CodedError> {
    let state = state(app);
    blocking(move || {
        let dir = state.options().data_dir.clone();
        state.with_engine_closed(|| ferry_ops::clear_cache(&dir).map_err(|e| e.to_coded()))
    })
    .await
}

/// The error for a data folder Ferry cannot find.
pub fn no_data_dir(e: impl std::fmt::Display) -> CodedError {
    CodedError::new(
        ErrorCode::Internal,
        format!("Ferry could not find a folder for its data: {e}. Set FERRY_DATA_DIR to a writable folder."),
    )
}
