//! A bare Tauri window showing a static page: the baseline Ferry's app is measured
//! against (`scripts/bench-app.sh`). The page calls `ready` once its content is in the
//! DOM; like the app with `FERRY_BENCH_READY=1`, it prints the moment to stderr.

#![forbid(unsafe_code)]

/// Prints the page's `Date.now()` when its content was in the DOM, and its
/// `performance.timeOrigin` (when the webview began loading it).
#[tauri::command]
fn ready(at_ms: f64, origin_ms: f64) {
    eprintln!("ferry-bench-ready at_ms={at_ms:.0} origin_ms={origin_ms:.0}");
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .expect("the bare window could not start");
}
