//! Files the maker saves: a run record and a `pac` deployment settings file,
//! each through the system's save dialog (asked from Rust, so the webview needs
//! no dialog or file-system permission), written atomically by `ferry_ops`.
//!
//! `FERRY_SAVE_DIR` skips the dialog and saves under the offered name in that
//! folder: for automation and the end-to-end tests, which cannot drive a native
//! GTK dialog through WebDriver.

use std::path::PathBuf;

use ferry_ipc::{CodedError, ErrorCode};
use ferry_ops::ExportFormat;
use tauri::AppHandle;
use tauri_plugin_dialog::DialogExt;

use super::{blocking, state};

/// Saves without asking, into this folder (automation and tests).
pub const SAVE_DIR_ENV: &str = "FERRY_SAVE_DIR";

/// Asks where to save a file offered as `name` (starting in `dir`); `None` when
/// the maker closes the dialog.
async fn ask_save_path(
    app: &AppHandle,
    name: &str,
    dir: PathBuf,
    filter: (&str, &str),
) -> Result<Option<PathBuf>, CodedError> {
    if let Some(folder) = std::env::var_os(SAVE_DIR_ENV).filter(|v| !v.is_empty()) {
        let folder = PathBuf::from(folder);
        std::fs::create_dir_all(&folder).map_err(|e| {
            CodedError::new(
                ErrorCode::Io,
                format!("could not create {}: {e}", folder.display()),
            )
        })?;
        return Ok(Some(folder.join(name)));
    }
    let mut dialog = app
        .dialog()
        .file()
        .set_file_name(name)
        .add_filter(filter.0, &[filter.1]);
    if dir.is_dir() {
        dialog = dialog.set_directory(dir);
    }
    // The dialog blocks its caller until closed: off the async workers.
    let chosen = tauri::async_runtime::spawn_blocking(move || dialog.blocking_save_file())
        .await
        .map_err(|e| {
            CodedError::new(ErrorCode::Internal, format!("the save dialog failed: {e}"))
        })?;
    chosen
        .map(|p| {
            p.into_path().map_err(|e| {
                CodedError::new(
                    ErrorCode::InvalidInput,
                    format!("the chosen place is not a file on this computer ({e}); choose a folder on a local disk"),
                )
            })
        })
        .transpose()
}

/// Saves a run record where the maker chooses; returns the path, or `None` when canceled.
pub async fn save_run_export(
    app: &AppHandle,
    run_id: String,
    format: ExportFormat,
) -> Result<Option<String>, CodedError> {
    let engine = state(app).engine()?;
    let name = engine.run_export_file_name(&run_id, format)?;
    let filter = match format {
        ExportFormat::Markdown => ("Markdown", "md"),
        ExportFormat::Json => ("JSON", "json"),
    };
    let Some(path) = ask_save_path(app, &name, engine.default_export_dir(), filter).await? else {
        return Ok(None);
    };
    blocking(move || {
        engine.write_run_export(&run_id, format, &path)?;
        Ok(Some(path.display().to_string()))
    })
    .await
}

/// Saves a deployment settings file (the wizard's values, as `pac` reads them) where
/// the maker chooses; returns the path, or `None` when canceled.
pub async fn save_settings_file(
    app: &AppHandle,
    solution: String,
    text: String,
) -> Result<Option<String>, CodedError> {
    let engine = state(app).engine()?;
    let safe: String = solution
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = format!("{safe}.settings.json");
    let Some(path) =
        ask_save_path(app, &name, engine.default_export_dir(), ("JSON", "json")).await?
    else {
        return Ok(None);
    };
    blocking(move || {
        ferry_ops::write_settings_file(&path, &text)?;
        Ok(Some(path.display().to_string()))
    })
    .await
}
