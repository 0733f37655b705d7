//! The main window. It is built once the engine is open (`tauri.conf.json` declares it
//! with `create: false`), so its page gets, with its first script, what its first
//! screen shows: the profiles, for a window opening on History the newest page of runs
//! and the filters' choices (`Engine::start_reads`), and the first screen the last
//! start kept (`first_screen.rs`), as `window.__FERRY_FIRST__`. The UI's entry paints
//! from it at once instead of asking over IPC while WebKit loads the app's script
//! (`ui/src/shell/firstReads.ts`); without it (a read failed) the UI asks as usual.

use ferry_ipc::FirstScreen;
use ferry_ops::StartReads;
use serde::Serialize;
use tauri::WebviewWindowBuilder;

use crate::state::AppState;

const MAIN: &str = "main";

/// The history page the UI reads first (`HISTORY_PAGE` in `ui/src/history/filters.ts`).
/// The UI takes the page handed over only when its filter is the one it would send.
const FIRST_HISTORY_PAGE: u32 = 200;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct First<'a> {
    page: &'a str,
    /// When they were read (ms since the epoch): a page loaded again later asks anew.
    read_at_ms: u128,
    reads: Option<StartReads>,
    screen: Option<FirstScreen>,
}

/// The script handing the page its first reads.
fn start_script(page: &str, reads: Option<StartReads>, screen: Option<FirstScreen>) -> String {
    let read_at_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    // JSON is a JavaScript expression; serializing these types cannot fail.
    let first = serde_json::to_string(&First {
        page,
        read_at_ms,
        reads,
        screen,
    })
    .unwrap_or_else(|_| "null".into());
    format!("window.__FERRY_FIRST__ = {first};")
}

/// Builds the main window from its configuration, with its first reads.
pub fn create(app: &tauri::App, state: &AppState) -> Result<(), Box<dyn std::error::Error>> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .ok_or("tauri.conf.json declares no main window")?
        .clone();
    let page = crate::bench::start_page().unwrap_or("deploy");
    let history = (page == "history").then_some(FIRST_HISTORY_PAGE);
    let reads = state
        .engine()
        .ok()
        .and_then(|engine| engine.start_reads(history).ok());
    let screen = crate::first_screen::read(&state.options().data_dir);
    WebviewWindowBuilder::from_config(app.handle(), &config)?
        .initialization_script(start_script(page, reads, screen))
        .build()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the start script hands the page, as the page reads it.
    fn handed(script: &str) -> serde_json::Value {
        let json = script
            .strip_prefix("window.__FERRY_FIRST__ = ")
            .and_then(|s| s.strip_suffix(';'))
            .expect("the script assigns window.__FERRY_FIRST__");
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn the_start_script_hands_over_json_the_page_can_read() {
        let script = start_script(
            "deploy",
            Some(StartReads {
                profiles: vec![],
                history: None,
            }),
            None,
        );
        let value = handed(&script);
        assert_eq!(value["page"], "deploy");
        assert!(value["readAtMs"].as_u64().unwrap() > 1_700_000_000_000);
        assert_eq!(value["reads"]["profiles"], serde_json::json!([]));
        assert!(value["screen"].is_null());
        // Whatever the kept screen holds stays inside its string.
        let screen = FirstScreen {
            build: "b".into(),
            page: "history".into(),
            scheme: "light".into(),
            profile: None,
            html: "</script><script>alert(1)</script>\u{2028}".into(),
            css: "a{}".into(),
        };
        let value = handed(&start_script("history", None, Some(screen.clone())));
        assert_eq!(value["screen"]["html"], screen.html);
        assert!(value["reads"].is_null());
    }
}
