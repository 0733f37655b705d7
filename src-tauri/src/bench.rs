//! Hooks for `scripts/bench-app.sh` (startup time and memory against a bare Tauri
//! window), inert unless their environment variables are set: `FERRY_START_PAGE`
//! (`deploy`, `history` or `settings`) opens the window on that page, and
//! `FERRY_BENCH_READY=1` has the page report the moment its first history row is in
//! the DOM, which `bench_ready` prints to stderr. Both reach the page through an
//! initialization script (`window.__FERRY_START__`), so no round trip delays the start.

use tauri::plugin::{Builder, TauriPlugin};
use tauri::Runtime;

pub const START_PAGE_ENV: &str = "FERRY_START_PAGE";
pub const BENCH_READY_ENV: &str = "FERRY_BENCH_READY";

const PAGES: [&str; 3] = ["deploy", "history", "settings"];

/// The navigation's page `name` names (spaces around it aside), if any.
fn page_named(name: &str) -> Option<&'static str> {
    PAGES.iter().copied().find(|p| *p == name.trim())
}

/// The page `FERRY_START_PAGE` names, when it names one of the navigation's.
pub fn start_page() -> Option<&'static str> {
    page_named(&std::env::var(START_PAGE_ENV).ok()?)
}

fn bench_on() -> bool {
    std::env::var(BENCH_READY_ENV).is_ok_and(|v| v.trim() == "1")
}

/// The script that tells the page where to start and whether to report; `None` when
/// neither is asked for (or the page is not one of the navigation's).
fn init_script(start_page: Option<&str>, bench: bool) -> Option<String> {
    let page = start_page.and_then(page_named);
    if page.is_none() && !bench {
        return None;
    }
    let start = serde_json::json!({ "page": page, "bench": bench });
    Some(format!("window.__FERRY_START__ = {start};"))
}

/// The plugin carrying the script, when the environment asks for one.
pub fn plugin<R: Runtime>() -> Option<TauriPlugin<R>> {
    let script = init_script(start_page(), bench_on())?;
    Some(Builder::new("ferry-start").js_init_script(script).build())
}

/// The page's `Date.now()` when the first history row was in the DOM, its
/// `performance.timeOrigin` (when the webview began loading it), when the UI's script
/// began to run and the page's startup marks (`name=ms` after the script began, comma
/// separated), printed to stderr as `ferry-bench-ready at_ms=<ms> origin_ms=<ms>
/// script_ms=<ms> marks=<marks>` with `FERRY_BENCH_READY=1`; ignored otherwise.
pub async fn bench_ready(
    _app: &tauri::AppHandle,
    at_ms: f64,
    origin_ms: f64,
    script_ms: f64,
    marks: Option<String>,
) -> Result<(), ferry_ipc::CodedError> {
    if bench_on() && [at_ms, origin_ms, script_ms].iter().all(|t| t.is_finite()) {
        let marks = clean_marks(marks.as_deref().unwrap_or(""));
        eprintln!(
            "ferry-bench-ready at_ms={at_ms:.0} origin_ms={origin_ms:.0} script_ms={script_ms:.0} marks={marks}"
        );
    }
    Ok(())
}

/// The marks with anything but names, numbers and their separators dropped, so the
/// line stays one line the runner can parse.
fn clean_marks(marks: &str) -> String {
    marks
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "_=,<>-".contains(*c))
        .take(2000)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_injected_unless_asked() {
        assert_eq!(init_script(None, false), None);
        assert_eq!(init_script(Some("nowhere"), false), None);
    }

    #[test]
    fn marks_stay_one_parsable_line() {
        assert_eq!(
            clean_marks("render=3,history>=9,history<=40"),
            "render=3,history>=9,history<=40"
        );
        assert_eq!(
            clean_marks("a=1\nferry-bench-ready at_ms=0 "),
            "a=1ferry-bench-readyat_ms=0"
        );
    }

    #[test]
    fn a_known_page_and_the_bench_flag_reach_the_page() {
        assert_eq!(
            init_script(Some(" history "), false).unwrap(),
            r#"window.__FERRY_START__ = {"bench":false,"page":"history"};"#
        );
        assert_eq!(
            init_script(Some("<script>"), true).unwrap(),
            r#"window.__FERRY_START__ = {"bench":true,"page":null};"#
        );
    }
}
