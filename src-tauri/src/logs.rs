//! The app's log: what the engine, the Dataverse client and the Local sandbox report
//! (their `tracing` events, bridged to `log`) goes to `logs/ferry.log` in the data
//! folder, rotated at 2 MB with the last five files kept, so a maker can send it with
//! a problem report (Settings → About → Open logs folder). Nothing the crates log
//! carries a token or secret (`crates/cli/tests/logs_cli.rs` checks the same events
//! at trace level through the CLI).

use std::path::{Path, PathBuf};

use tauri_plugin_log::{RotationStrategy, Target, TargetKind};

/// The folder of the log files, inside the data folder.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

/// The logger, writing into `dir(data_dir)`.
pub fn plugin<R: tauri::Runtime>(data_dir: &Path) -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_log::Builder::new()
        .clear_targets()
        .target(Target::new(TargetKind::Folder {
            path: dir(data_dir),
            file_name: Some("ferry".into()),
        }))
        .max_file_size(2_000_000)
        .rotation_strategy(RotationStrategy::KeepSome(5))
        // Ferry's own crates say what they do; libraries only what went wrong.
        .level(log::LevelFilter::Warn)
        .level_for("ferry_ops", log::LevelFilter::Debug)
        .level_for("ferry_dataverse", log::LevelFilter::Debug)
        .level_for("ferry_auth", log::LevelFilter::Debug)
        .level_for("ferry_host", log::LevelFilter::Info)
        .level_for("ferry_app", log::LevelFilter::Debug)
        .build()
}
