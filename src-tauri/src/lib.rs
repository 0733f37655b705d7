//! Ferry's desktop app: a thin Tauri shell.
//!
//! This crate owns the window, the Tauri commands and nothing else: every
//! command converts its arguments, calls a Tauri-free crate and returns an
//! `ferry_ipc` type or an [`IpcError`]. Business logic never lives here, so the
//! CLI and the app behave the same and the logic is testable without a webview.

mod commands;
mod paths;

use tauri::Manager;

pub use commands::app_info;

/// Set to run several instances side by side (the e2e tests do, one at a time).
const MULTI_INSTANCE_ENV: &str = "FERRY_MULTI_INSTANCE";

/// Builds and runs the app until its last window closes.
pub fn run() {
    let mut builder = tauri::Builder::default();
    if std::env::var_os(MULTI_INSTANCE_ENV).is_none() {
        builder = builder.plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            // A second launch: bring the running window forward instead.
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }));
    }
    builder
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .invoke_handler(tauri::generate_handler![commands::app_info])
        .run(tauri::generate_context!())
        .expect("Ferry could not start its window");
}
