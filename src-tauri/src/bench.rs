//! Startup marks for `scripts/bench-app.sh`, only in a build with the `bench` feature
//! (a shipped build has none of this: no script, no `bench_ready` command, no grant of
//! it, `build.rs`). The marks are taken from outside the UI's code: an initialization
//! script watches the page and, the moment the first history row is in the DOM
//! (React's commit with the cached rows: the page is live), reports that `Date.now()`,
//! the page's `performance.timeOrigin` and a few moments of its load through
//! `bench_ready`, which prints them to stderr for the runner. The shell's own moments
//! (process start, engine open, window built) are printed the same way ([`mark`]), so
//! the runner can tell the shell's share of a start from WebKit's.

use tauri::ipc::Invoke;

/// The page's side. It stands for a returning maker (one who chose the profile in this
/// window once, so the host's status is asked and the offline banner can show), then
/// waits for the first history row. Marks are ms after `timeOrigin`: `dom` (the
/// document parsed, the entry's module run), `root` (React's first commit of anything),
/// `scripts` (the last script file fetched, when WebKit reports resource timing).
pub const SCRIPT: &str = r#"(() => {
  if (window.top !== window) return;
  try { window.localStorage.setItem("ferry.welcomed", "1"); } catch (_) {}
  const marks = [];
  const note = (name, at) => marks.push(name + "=" + Math.round(at ?? performance.now()));
  document.addEventListener("DOMContentLoaded", () => note("dom"), { once: true });
  let root = false;
  const observer = new MutationObserver(() => {
    if (!root && document.getElementById("root")?.firstChild) { root = true; note("root"); }
    if (!document.querySelector('[data-testid="history-row"]')) return;
    const at = Date.now();
    observer.disconnect();
    note("interactive");
    const scripts = performance.getEntriesByType("resource").filter((e) => e.initiatorType === "script" || e.name.endsWith(".js"));
    if (scripts.length) note("scripts", Math.max(...scripts.map((e) => e.responseEnd)));
    window.__TAURI_INTERNALS__.invoke("bench_ready", { atMs: at, originMs: performance.timeOrigin, marks: marks.join(",") });
  });
  observer.observe(document, { childList: true, subtree: true });
})();"#;

/// Prints a moment of the shell's start as `ferry-bench-shell <name> at_ms=<ms since the epoch>`.
pub fn mark(name: &str) {
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    eprintln!("ferry-bench-shell {name} at_ms={at:.0}");
}

/// Prints the page's report as one line: `ferry-bench-ready at_ms=<ms> origin_ms=<ms>
/// marks=<name=ms,...>`.
#[tauri::command]
fn bench_ready(at_ms: f64, origin_ms: f64, marks: String) {
    if [at_ms, origin_ms].iter().all(|t| t.is_finite()) {
        let marks = clean_marks(&marks);
        eprintln!("ferry-bench-ready at_ms={at_ms:.0} origin_ms={origin_ms:.0} marks={marks}");
    }
}

/// The app's handler with `bench_ready` beside it.
pub fn with_ready(
    app: impl Fn(Invoke) -> bool + Send + Sync + 'static,
) -> impl Fn(Invoke) -> bool + Send + Sync + 'static {
    let bench: fn(Invoke) -> bool = tauri::generate_handler![bench_ready];
    move |invoke: Invoke| {
        if invoke.message.command() == "bench_ready" {
            bench(invoke)
        } else {
            app(invoke)
        }
    }
}

/// The marks with anything but names, numbers and their separators dropped, so the
/// line stays one line the runner can parse.
fn clean_marks(marks: &str) -> String {
    marks
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "_=,-".contains(*c))
        .take(2000)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_stay_one_parsable_line() {
        assert_eq!(
            clean_marks("dom=3,root=9,interactive=40"),
            "dom=3,root=9,interactive=40"
        );
        assert_eq!(
            clean_marks("a=1\nferry-bench-ready at_ms=0 "),
            "a=1ferry-bench-readyat_ms=0"
        );
    }
}
