//! Ferry's desktop app: a thin Tauri shell.
//!
//! This crate owns the window, the Tauri commands and nothing else: every
//! command converts its arguments, calls a Tauri-free crate and returns an
//! `ferry_ipc` type or an [`IpcError`]. Business logic never lives here, so the
//! CLI and the app behave the same and the logic is testable without a webview.

mod commands;
mod paths;

pub use commands::app_info;

/// Builds and runs the app until its last window closes.
pub fn run() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![commands::app_info])
        .run(tauri::generate_context!())
        .expect("Ferry could not start its window");
}
