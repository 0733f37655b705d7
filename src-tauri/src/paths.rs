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

/// What earlier versions of Ferry kept in the data folder and this one no longer reads:
/// `first-screen.json` held a copy of the last start's markup (raw HTML painted into the
/// window). Removed at start, so no stale copy of a maker's solutions stays behind.
const RETIRED_FILES: &[&str] = &["first-screen.json"];

/// Removes [`RETIRED_FILES`] from `data_dir`; a file that is not there is not an error, one
/// that cannot be removed is logged and left.
pub fn remove_retired_files(data_dir: &std::path::Path) {
    for name in RETIRED_FILES {
        let path = data_dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => tracing::info!("removed {name}, which this version no longer uses"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!("cannot remove {}: {e}", path.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retired_first_screen_copy_is_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("first-screen.json"),
            "{\"html\":\"<b>x</b>\"}",
        )
        .unwrap();
        std::fs::write(dir.path().join("cache.db"), "kept").unwrap();
        remove_retired_files(dir.path());
        assert!(!dir.path().join("first-screen.json").exists());
        assert!(dir.path().join("cache.db").exists());
        remove_retired_files(dir.path());
    }
}
