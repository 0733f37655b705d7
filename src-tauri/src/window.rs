//! The main window. It is built once the engine is open (`tauri.conf.json` declares it
//! with `create: false`). Its page gets, with its first script, the page it opens on
//! and what that page shows first: the profiles, and for a window opening on History
//! the newest page of runs and the filters' choices (`Engine::start_reads`), as
//! `window.__FERRY_FIRST__`. That script is a file the app serves, `/ferry-first.js`
//! (`ui/index.html` loads it before the app's script): the reads run on a thread of
//! their own while the window is built and WebKit starts, and the page's request for
//! it waits for them only if they are not in yet ([`Pages`]). The UI takes them
//! instead of asking over IPC (`ui/src/shell/firstReads.ts`); without them (a read
//! failed) it asks as usual. The window never leaves the app's own origin: any other
//! page (a host on this computer, a file, `about:`) is refused, and no other window
//! opens.

use std::borrow::Cow;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use ferry_ops::StartReads;
use serde::Serialize;
use tauri::utils::assets::{AssetKey, AssetsIter, CspHash};
use tauri::webview::NewWindowResponse;
use tauri::{Assets, Runtime, Url, WebviewWindowBuilder};

use crate::state::AppState;

const MAIN: &str = "main";

/// Opens the window on another page of the navigation (`deploy`, `history`, `settings`).
pub const START_PAGE_ENV: &str = "FERRY_START_PAGE";

/// The pages a window can open on, in the navigation's order (`START_PAGES` in
/// `ui/src/shell/startOptions.ts`).
const PAGES: [&str; 3] = ["deploy", "history", "settings"];

/// The history page the UI reads first (`HISTORY_PAGE` in `ui/src/history/filters.ts`).
/// The UI takes the page handed over only when its filter is the one it would send.
const FIRST_HISTORY_PAGE: u32 = 200;

/// The navigation's page `name` names (spaces around it aside), if any.
fn page_named(name: &str) -> Option<&'static str> {
    PAGES.iter().copied().find(|p| *p == name.trim())
}

/// The page the window opens on: the one `FERRY_START_PAGE` names, else Deploy.
pub fn start_page() -> &'static str {
    std::env::var(START_PAGE_ENV)
        .ok()
        .and_then(|p| page_named(&p))
        .unwrap_or("deploy")
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct First<'a> {
    page: &'a str,
    /// When they were read (ms since the epoch): a page loaded again later asks anew.
    read_at_ms: u128,
    reads: Option<StartReads>,
}

/// The script handing the page its start page and first reads.
fn start_script(page: &str, reads: Option<StartReads>) -> String {
    let read_at_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    // JSON is a JavaScript expression; serializing these types cannot fail.
    let first = serde_json::to_string(&First {
        page,
        read_at_ms,
        reads,
    })
    .unwrap_or_else(|_| "null".into());
    format!("window.__FERRY_FIRST__ = {first};")
}

/// Where the app's own pages come from: the dev server in a dev build, else Tauri's
/// protocol (`tauri://localhost`; `http(s)://tauri.localhost` on Windows and Android),
/// as Tauri resolves the window's `index.html`.
fn own_origin(dev_url: Option<&Url>, https: bool) -> Url {
    if let Some(url) = dev_url.filter(|_| tauri::is_dev()) {
        return url.clone();
    }
    let origin = if cfg!(any(windows, target_os = "android")) {
        format!("{}://tauri.localhost", if https { "https" } else { "http" })
    } else {
        "tauri://localhost".to_string()
    };
    Url::parse(&origin).expect("a valid URL")
}

/// Whether the window may show `url`: only a page of `home`'s origin (same scheme, host
/// and port). Compared by parts because a custom scheme's origin is opaque to `Url`.
fn stays_home(url: &Url, home: &Url) -> bool {
    url.scheme() == home.scheme()
        && url.host_str().is_some()
        && url.host_str() == home.host_str()
        && url.port_or_known_default() == home.port_or_known_default()
}

/// Where the page finds its first script (`ui/index.html` loads it).
const FIRST_SCRIPT_PATH: &str = "/ferry-first.js";

/// How long the page's request for its first script waits for the reads at most: a
/// read that hangs must not hold the window blank (the page then asks over IPC).
const FIRST_SCRIPT_WAIT: Duration = Duration::from_secs(2);

/// The page's first script: made once the first reads are in, served when asked.
pub struct FirstScript {
    page: &'static str,
    script: Mutex<Option<String>>,
    made: Condvar,
}

impl FirstScript {
    /// The first script of a window opening on `page`, before its reads.
    pub fn new(page: &'static str) -> Self {
        Self {
            page,
            script: Mutex::new(None),
            made: Condvar::new(),
        }
    }

    /// The script with the reads (`None`: a read failed; the page asks over IPC).
    fn make(&self, reads: Option<StartReads>) {
        let script = start_script(self.page, reads);
        *self.script.lock().unwrap_or_else(|e| e.into_inner()) = Some(script);
        self.made.notify_all();
    }

    /// The script once made, waiting up to `wait`; after that the start page without
    /// reads.
    fn wait(&self, wait: Duration) -> String {
        let slot = self.script.lock().unwrap_or_else(|e| e.into_inner());
        let (slot, _) = self
            .made
            .wait_timeout_while(slot, wait, |script| script.is_none())
            .unwrap_or_else(|e| e.into_inner());
        slot.clone()
            .unwrap_or_else(|| start_script(self.page, None))
    }
}

/// The app's files (`ui/dist`, embedded) with the page's first script beside them.
pub struct Pages<R: Runtime> {
    files: Box<dyn Assets<R>>,
    first: Arc<FirstScript>,
}

impl<R: Runtime> Assets<R> for Pages<R> {
    fn setup(&self, app: &tauri::App<R>) {
        self.files.setup(app);
    }

    fn get(&self, key: &AssetKey) -> Option<Cow<'_, [u8]>> {
        if key.as_ref() == FIRST_SCRIPT_PATH {
            return Some(Cow::Owned(self.first.wait(FIRST_SCRIPT_WAIT).into_bytes()));
        }
        self.files.get(key)
    }

    fn iter(&self) -> Box<AssetsIter<'_>> {
        self.files.iter()
    }

    fn csp_hashes(&self, html_path: &AssetKey) -> Box<dyn Iterator<Item = CspHash<'_>> + '_> {
        self.files.csp_hashes(html_path)
    }
}

/// No files: what stands in the context while [`serve_first_script`] wraps its own.
struct NoFiles;

impl<R: Runtime> Assets<R> for NoFiles {
    fn get(&self, _: &AssetKey) -> Option<Cow<'_, [u8]>> {
        None
    }

    fn iter(&self) -> Box<AssetsIter<'_>> {
        Box::new(std::iter::empty())
    }

    fn csp_hashes(&self, _: &AssetKey) -> Box<dyn Iterator<Item = CspHash<'_>> + '_> {
        Box::new(std::iter::empty())
    }
}

/// Makes the app serve `first` as the page's first script beside its own files.
pub fn serve_first_script<R: Runtime>(context: &mut tauri::Context<R>, first: Arc<FirstScript>) {
    let files = context.set_assets(Box::new(NoFiles));
    context.set_assets(Box::new(Pages { files, first }));
}

/// Builds the main window from its configuration; its first reads run meanwhile.
pub fn create(
    app: &tauri::App,
    state: &AppState,
    first: &Arc<FirstScript>,
) -> Result<(), Box<dyn std::error::Error>> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .ok_or("tauri.conf.json declares no main window")?
        .clone();
    let history = (first.page == "history").then_some(FIRST_HISTORY_PAGE);
    let engine = state.engine().ok();
    let reads_for = first.clone();
    std::thread::Builder::new()
        .name("first-reads".into())
        .spawn(move || {
            let reads = engine.and_then(|engine| engine.start_reads(history).ok());
            crate::mark("reads");
            reads_for.make(reads);
        })?;
    let home = own_origin(app.config().build.dev_url.as_ref(), config.use_https_scheme);
    let builder = WebviewWindowBuilder::from_config(app.handle(), &config)?;
    #[cfg(feature = "bench")]
    let builder = builder.initialization_script(crate::bench::SCRIPT);
    builder
        .on_navigation(move |url| {
            let stays = stays_home(url, &home);
            if !stays {
                // The scheme only: an address may carry a code or token.
                tracing::warn!(scheme = url.scheme(), "the window refused to leave Ferry");
            }
            stays
        })
        // Ferry opens other pages in the browser, from Rust (the opener plugin).
        .on_new_window(|_, _| NewWindowResponse::Deny)
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
        );
        let value = handed(&script);
        assert_eq!(value["page"], "deploy");
        assert!(value["readAtMs"].as_u64().unwrap() > 1_700_000_000_000);
        assert_eq!(value["reads"]["profiles"], serde_json::json!([]));
        assert!(handed(&start_script("history", None))["reads"].is_null());
    }

    #[test]
    fn the_page_is_served_its_first_script_once_the_reads_are_in() {
        let first = Arc::new(FirstScript::new("history"));
        let pages = Pages::<tauri::Wry> {
            files: Box::new(NoFiles),
            first: first.clone(),
        };
        // The page asks before the reads are in: its request waits for them.
        let asked = std::thread::spawn(move || {
            let script = pages.get(&AssetKey::from("ferry-first.js")).unwrap();
            let other = pages.get(&AssetKey::from("index.html"));
            (
                String::from_utf8(script.into_owned()).unwrap(),
                other.is_none(),
            )
        });
        first.make(Some(StartReads {
            profiles: vec![],
            history: None,
        }));
        let (script, other_is_the_files) = asked.join().unwrap();
        assert_eq!(handed(&script)["page"], "history");
        assert_eq!(handed(&script)["reads"]["profiles"], serde_json::json!([]));
        assert!(other_is_the_files, "other paths are the app's files");
    }

    #[test]
    fn without_its_reads_in_time_the_page_gets_its_start_page_alone() {
        let first = FirstScript::new("settings");
        let script = first.wait(Duration::ZERO);
        assert_eq!(handed(&script)["page"], "settings");
        assert!(handed(&script)["reads"].is_null());
        first.make(None);
        assert!(handed(&first.wait(Duration::ZERO))["reads"].is_null());
    }

    #[test]
    fn the_page_loads_its_first_script_before_the_app_runs() {
        let html = include_str!("../../ui/index.html");
        // A classic script (no type, async or defer): the parser runs it before the
        // app's module script, which waits for the document to be parsed. Vite leaves
        // it as written (`vite-ignore`, which it removes from the built page).
        let tag = format!("<script vite-ignore src=\"{FIRST_SCRIPT_PATH}\"></script>");
        assert!(
            html.contains(&tag),
            "index.html loads {FIRST_SCRIPT_PATH} as {tag}"
        );
        assert!(html.contains("<script type=\"module\" src=\"/src/main.tsx\">"));
    }

    #[test]
    fn only_the_navigations_pages_are_start_pages() {
        assert_eq!(page_named(" history "), Some("history"));
        assert_eq!(page_named("settings"), Some("settings"));
        assert_eq!(page_named("run"), None);
        assert_eq!(page_named("<script>"), None);
    }

    #[test]
    fn a_shipped_window_is_granted_the_apps_commands_and_no_bench_mark() {
        let capability: serde_json::Value = serde_json::from_str(include_str!(concat!(
            env!("OUT_DIR"),
            "/capabilities/default.json"
        )))
        .unwrap();
        let grants = capability["permissions"].as_array().unwrap();
        let granted = |p: &str| grants.contains(&serde_json::json!(p));
        assert!(granted("allow-history") && granted("allow-status"));
        assert_eq!(granted("allow-bench-ready"), cfg!(feature = "bench"));
        assert!(!granted("allow-first-screen") && !granted("allow-save-first-screen"));
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn the_window_stays_on_the_apps_own_origin() {
        let home = url("tauri://localhost");
        for own in [
            "tauri://localhost",
            "tauri://localhost/",
            "tauri://localhost/index.html",
            "tauri://localhost/index.html?x=1#history",
            "tauri://user@localhost/assets/a.js",
        ] {
            assert!(stays_home(&url(own), &home), "{own} is the app's own");
        }
        for away in [
            // The Local sandbox, or any host on this computer.
            "http://127.0.0.1:49152/",
            "http://localhost:5173/",
            "http://tauri.localhost/",
            "https://tauri.localhost/",
            "tauri://localhost.example/",
            "tauri://localhost@127.0.0.1/",
            "tauri://127.0.0.1/",
            "tauri:localhost",
            "ipc://localhost/status",
            "file:///etc/passwd",
            "file://localhost/index.html",
            "about:blank",
            "about:srcdoc",
            "data:text/html,<h1>hi</h1>",
            "javascript:alert(1)",
            "blob:tauri://localhost/1234",
            "https://login.microsoftonline.com/",
        ] {
            assert!(!stays_home(&url(away), &home), "{away} is not the app");
        }
    }

    #[test]
    fn a_dev_servers_window_stays_on_the_dev_server() {
        let home = url("http://localhost:5173/");
        assert!(stays_home(
            &url("http://localhost:5173/src/main.tsx"),
            &home
        ));
        for away in [
            "http://localhost:5174/",
            "https://localhost:5173/",
            "http://127.0.0.1:5173/",
            "http://localhost/",
            "tauri://localhost/",
        ] {
            assert!(!stays_home(&url(away), &home), "{away} is not the app");
        }
    }

    #[test]
    fn the_own_origin_is_tauris_protocol_in_a_real_build() {
        let origin = own_origin(None, false);
        if cfg!(any(windows, target_os = "android")) {
            assert_eq!(origin.as_str(), "http://tauri.localhost/");
        } else {
            assert_eq!(origin.as_str(), "tauri://localhost");
        }
    }
}
