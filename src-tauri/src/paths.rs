//! Where the app keeps its data: `FERRY_DATA_DIR` when set (tests and portable
//! installs), otherwise the platform's per-user data folder for the app's
//! identifier (Linux `~/.local/share/<id>`, macOS `~/Library/Application Support/<id>`,
//! Windows `%APPDATA%\<id>`).

use std::path::PathBuf;

use tauri::Manager;

pub const DATA_DIR_ENV: &str = "FERRY_DATA_DIR";

pub fn data_dir(app: &tauri::AppHandle) -> tauri::Result<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => app.path().app_data_dir(),
    }
}
