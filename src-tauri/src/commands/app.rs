//! The app itself: about, the local cache (where, how big, clear it) and the first
//! screen kept between starts.

use ferry_ipc::{AppInfo, ErrorCode, FirstScreen, IpcError};
use ferry_ops::CacheInfo;

use super::AppStateRef;

/// The app's name, version and data directory: the shell's first round trip.
#[tauri::command]
pub fn app_info(app: tauri::AppHandle, state: AppStateRef<'_>) -> Result<AppInfo, IpcError> {
    Ok(AppInfo {
        name: app.package_info().name.clone(),
        version: app.package_info().version.to_string(),
        data_dir: state.options().data_dir.display().to_string(),
        os: std::env::consts::OS.to_string(),
    })
}

/// Where the cache is and how big it is.
#[tauri::command]
pub fn cache_info(state: AppStateRef<'_>) -> CacheInfo {
    ferry_ops::cache_info(&state.options().data_dir)
}

/// Empties the cache (profiles are kept); refused while an operation runs.
#[tauri::command]
pub fn clear_cache(state: AppStateRef<'_>) -> Result<CacheInfo, IpcError> {
    let dir = state.options().data_dir.clone();
    let info = state.with_engine_closed(|| ferry_ops::clear_cache(&dir).map_err(|e| e.to_ipc()))?;
    crate::first_screen::remove(&dir);
    Ok(info)
}

/// The error for a data folder Ferry cannot find.
pub fn no_data_dir(e: impl std::fmt::Display) -> IpcError {
    IpcError::new(
        ErrorCode::Internal,
        format!("Ferry could not find a folder for its data: {e}. Set FERRY_DATA_DIR to a writable folder."),
    )
}

/// The first screen kept by the last start, if it can be painted (`first_screen.rs`).
#[tauri::command]
pub async fn first_screen(state: AppStateRef<'_>) -> Result<Option<FirstScreen>, IpcError> {
    Ok(crate::first_screen::read(&state.options().data_dir))
}

/// Keeps the first screen this start drew, for the next one.
#[tauri::command]
pub async fn save_first_screen(
    state: AppStateRef<'_>,
    screen: FirstScreen,
) -> Result<(), IpcError> {
    crate::first_screen::write(&state.options().data_dir, &screen)
}
