// The app's own commands are listed here so Tauri generates one permission per
// command (`allow-<name>`); capabilities/default.json grants exactly these.
const COMMANDS: &[&str] = &[
    "app_info",
    "cache_info",
    "clear_cache",
    "first_screen",
    "save_first_screen",
    "status",
    "profiles",
    "add_profile",
    "use_profile",
    "solutions",
    "pipelines",
    "matrix",
    "plan",
    "artifact_hash",
    "redeploy_candidates",
    "validate",
    "deploy",
    "watch_run",
    "retry_run",
    "cancel_run",
    "cancel_operation",
    "history",
    "history_choices",
    "sync_history",
    "run_record",
    "export_run",
    "save_run_export",
    "save_settings_file",
    "sign_in",
    "open_sign_in_page",
    "sign_out",
    "account",
    // Prints a startup mark for scripts/bench-app.sh; does nothing without FERRY_BENCH_READY=1.
    "bench_ready",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
