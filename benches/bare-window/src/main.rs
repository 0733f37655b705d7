//! A bare Tauri window showing a static page: the baseline Ferry's app is measured
//! against (`scripts/bench-app.sh`). The page calls `ready` once its content is in the
//! DOM; like the app's `bench` build, it prints the moment to stderr.
//! `BARE_PAGE=floor/index.html` opens the "Fluent floor" instead (React, a
//! FluentProvider and one line of text, built by the script from `ui/bench/floor/`).

#![forbid(unsafe_code)]

/// Prints the page's `Date.now()` when its content was in the DOM, and its
/// `performance.timeOrigin` (when the webview began loading it).
#[tauri::command]
fn ready(at_ms: f64, origin_ms: f64) {
    eprintln!("ferry-bench-ready at_ms={at_ms:.0} origin_ms={origin_ms:.0}");
}

fn main() {
    let page = std::env::var("BARE_PAGE").unwrap_or_else(|_| "index.html".into());
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .setup(move |app| {
            tauri::WebviewWindowBuilder::new(app, "main", tauri::WebviewUrl::App(page.into()))
                .title("Bare window")
                .inner_size(1100.0, 720.0)
                .build()?;
            Ok(())
        })
        .run(tauri::generate_context!())
        .expect("the bare window could not start");
}
