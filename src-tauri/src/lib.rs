//! Ferry's desktop app: a thin Tauri shell around `ferry_ops`.
//!
//! This crate owns the window, the Tauri commands and nothing else: one
//! [`state::AppState`] holds the operations engine (opened on `FERRY_DATA_DIR`
//! or the app's data folder), and every command converts its arguments, calls
//! one engine method and returns its type or a `CodedError`; the commands
//! are generated from their one declaration in `ferry-ipc`. Long operations
//! stream `RunEvent`s through a Tauri channel. Business logic never lives here,
//! so the CLI and the app behave the same and the logic is testable without a
//! webview.

#[cfg(feature = "bench")]
mod bench;
mod commands;
mod logs;
mod paths;
mod progress;
mod rendering;
mod state;
mod window;

use std::sync::Arc;

use tauri::Manager;

use commands::{app, connect, signin};
use state::AppState;

/// Set to run several instances side by side (the e2e tests do, one at a time).
const MULTI_INSTANCE_ENV: &str = "FERRY_MULTI_INSTANCE";

/// A moment of the start, printed in a `bench` build only (bench.rs); nothing otherwise.
fn mark(_name: &str) {
    #[cfg(feature = "bench")]
    bench::mark(_name);
}

/// Builds and runs the app until its last window closes.
pub fn run() {
    mark("main");
    rendering::choose();
    let first = Arc::new(window::FirstScript::new(window::start_page()));
    let mut context = tauri::generate_context!();
    window::serve_first_script(&mut context, first.clone());
    let mut builder = tauri::Builder::default();
    if std::env::var_os(MULTI_INSTANCE_ENV).is_none() {
        builder = builder.plugin(tauri_plugin_single_instance::init(|app, args, cwd| {
            // A second launch: bring the running window forward instead, with the
            // ferry:// link or connection file it was started with.
            if let Some(links) = app.try_state::<connect::LaunchLinks>() {
                links.arrive(args.into_iter().skip(1), std::path::Path::new(&cwd));
            }
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.set_focus();
            }
        }));
    }
    builder
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(signin::SignInPage::default())
        .manage(connect::LaunchLinks::from_args(
            std::env::args().skip(1),
            &std::env::current_dir().unwrap_or_default(),
        ))
        .setup(move |tauri_app| {
            mark("setup");
            let handle = tauri_app.handle().clone();
            let (options, problems) = engine_options(&handle)?;
            handle.plugin(logs::plugin(&options.data_dir))?;
            // Once the log exists: a bad variable is reported where a maker can read it.
            for problem in problems {
                tracing::warn!("{problem}");
            }
            tracing::info!(version = %handle.package_info().version, "Ferry starts");
            paths::remove_retired_files(&options.data_dir);
            mark("logs");
            let state = Arc::new(AppState::open(options));
            mark("engine");
            tauri_app.manage(state.clone());
            window::create(tauri_app, &state, &first)?;
            mark("window");
            resume_in_background(handle, state);
            Ok(())
        })
        .invoke_handler(invoke_handler())
        .run(context)
        .expect("Ferry could not start its window");
}

/// The engine's options: the environment's (`FERRY_SANDBOX_SPEED`, `FERRY_POLL_MS`,
/// `FERRY_PACING`) on the app's data folder, and a sentence per bad variable. The app
/// starts anyway when one is bad: the good ones still apply, and each bad one becomes a
/// warning in the app's log (Settings → About opens it) naming the variable and what to
/// write.
fn engine_options(
    app: &tauri::AppHandle,
) -> Result<(ferry_ops::EngineOptions, Vec<String>), Box<dyn std::error::Error>> {
    let data_dir = paths::data_dir(app).map_err(app::no_data_dir)?;
    Ok(ferry_ops::EngineOptions::from_env_in(data_dir))
}

/// Runs left in flight when the app last closed are followed again, so their
/// endings land in history and notify.
fn resume_in_background(app: tauri::AppHandle, state: Arc<AppState>) {
    tauri::async_runtime::spawn(async move {
        let Ok(engine) = state.engine() else { return };
        let op = state.begin("resume");
        let progress = progress::Progress::new(&app, state.clone(), None);
        if let Err(e) = engine.resume(&progress, &op.token).await {
            tracing::warn!("Ferry could not pick up unfinished runs: {e}");
        }
    });
}

/// The commands' handler (with the startup mark's beside it in a `bench` build).
fn invoke_handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    #[cfg(feature = "bench")]
    return bench::with_ready(commands::handler());
    #[cfg(not(feature = "bench"))]
    commands::handler()
}
