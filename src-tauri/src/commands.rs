//! The Tauri commands. Each is declared with types from `ferry_ipc`, so the UI's
//! generated bindings and these signatures cannot disagree.

use ferry_ipc::{AppInfo, ErrorCode, IpcError};

use crate::paths;

/// The app's name, version and data directory: the shell's first round trip.
#[tauri::command]
pub fn app_info(app: tauri::AppHandle) -> Result<AppInfo, IpcError> {
    let data_dir = paths::data_dir(&app).map_err(|e| {
        IpcError::new(
            ErrorCode::Internal,
            format!("Ferry could not find a folder for its data: {e}. Set FERRY_DATA_DIR to a writable folder."),
        )
    })?;
    Ok(AppInfo {
        name: app.package_info().name.clone(),
        version: app.package_info().version.to_string(),
        data_dir: data_dir.display().to_string(),
        os: std::env::consts::OS.to_string(),
    })
}
