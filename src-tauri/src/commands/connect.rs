//! First contact with a tenant from the window: sign in to a cloud (the device
//! code or browser page streamed like `sign_in`'s), list the environments the
//! account reaches, connect one (Ferry finds its pipelines host and keeps a
//! profile named after it), switch the profile in use to another environment of
//! its tenant, and remove a profile. Connection files an admin hands out arrive
//! pasted, through the system's open dialog (asked from Rust; `FERRY_OPEN_FILE`
//! picks a file without asking, for automation and the end-to-end tests), or as
//! the argument Ferry was started with — a `ferry://` link or a `.json` path, of
//! this launch or of a later one the single-instance plugin forwards
//! ([`LaunchLinks`]). Nothing is created before the maker has seen what the file
//! holds: every path ends in the window's confirmation.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ferry_ipc::{CodedError, ErrorCode};
use ferry_ops::{
    AccountInfo, CloudSignIn, ConnectionOffer, EnvironmentInfo, ProfileInfo, ProfileKind,
    RemovedProfile, SignInEvent, SignInMethod,
};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager};
use tauri_plugin_dialog::DialogExt;

use super::signin::{open_in_browser, SignInPage, WindowPrompt};
use super::{blocking, state};

/// Picks this connection file instead of asking in the open dialog (automation and tests).
pub const OPEN_FILE_ENV: &str = "FERRY_OPEN_FILE";

/// The application (client) id this build carries (`FERRY_DEFAULT_CLIENT_ID` at build time).
pub async fn built_in_client_id(_app: &AppHandle) -> Result<Option<String>, CodedError> {
    Ok(ferry_ops::default_client_id().map(str::to_string))
}

/// Signs in to a cloud; `null` when the maker cancelled (`cancel_operation`).
pub async fn sign_in_to_cloud(
    app: &AppHandle,
    request: CloudSignIn,
    op_id: String,
    on_prompt: Channel<SignInEvent>,
) -> Result<Option<AccountInfo>, CodedError> {
    let state = state(app);
    let page = app.state::<SignInPage>();
    let op = state.begin(&op_id);
    let engine = state.engine()?;
    let prompt = WindowPrompt {
        // A closed window only means nobody is looking any more.
        send: Box::new(move |event| drop(on_prompt.send(event))),
        open: Box::new(|url| open_in_browser(app, url)),
        page: page.inner(),
    };
    let signed = op
        .token
        .run_until_cancelled(engine.sign_in_to_cloud(&request, &prompt))
        .await;
    page.set(None);
    drop(op);
    let Some(account) = signed.transpose()? else {
        return Ok(None);
    };
    if engine.profile().kind != ProfileKind::LocalSandbox {
        // The profile in use may share this sign-in: connect again with its new tokens.
        blocking(move || state.reopen().map(drop)).await?;
    }
    Ok(Some(account))
}

/// The environments a cloud sign-in reaches, by name.
pub async fn cloud_environments(
    app: &AppHandle,
    request: CloudSignIn,
) -> Result<Vec<EnvironmentInfo>, CodedError> {
    Ok(state(app).engine()?.cloud_environments(&request).await?)
}

/// Connects an environment (URL or name): a profile named after it, now in use.
pub async fn connect_environment(
    app: &AppHandle,
    request: CloudSignIn,
    environment: String,
) -> Result<ProfileInfo, CodedError> {
    let state = state(app);
    let engine = state.engine()?;
    let connected = engine.connect_environment(&request, &environment).await?;
    reopen_on(state, connected).await
}

/// The environments of the tenant of the profile in use.
pub async fn environments(app: &AppHandle) -> Result<Vec<EnvironmentInfo>, CodedError> {
    Ok(state(app).engine()?.environments().await?)
}

/// Switches the profile in use to another environment of its tenant.
pub async fn use_environment(
    app: &AppHandle,
    environment: String,
) -> Result<ProfileInfo, CodedError> {
    let state = state(app);
    let engine = state.engine()?;
    let chosen = engine.use_environment(&environment).await?;
    reopen_on(state, chosen).await
}

/// Opens the engine on the profile just put in use, and answers it as the engine sees it.
async fn reopen_on(
    state: std::sync::Arc<crate::state::AppState>,
    chosen: ProfileInfo,
) -> Result<ProfileInfo, CodedError> {
    blocking(move || {
        let engine = state.reopen()?;
        let profile = engine.profile();
        Ok(if profile.id == chosen.id {
            profile
        } else {
            chosen
        })
    })
    .await
}

/// Removes a profile with its cached history (and its sign-in, unless shared); the
/// engine opens on the Local sandbox when it was the profile in use.
pub async fn remove_profile(app: &AppHandle, id: String) -> Result<RemovedProfile, CodedError> {
    let state = state(app);
    blocking(move || {
        let engine = state.engine()?;
        let removed = engine.remove_profile(&id)?;
        if removed.id == engine.profile().id {
            drop(engine);
            state.reopen()?;
        }
        Ok(removed)
    })
    .await
}

/// What a connection file's text or a `ferry://` link holds.
pub async fn read_connection(
    _app: &AppHandle,
    text: String,
    method: SignInMethod,
) -> Result<ConnectionOffer, CodedError> {
    // A ferry://open link reads a file: off the async workers.
    blocking(move || Ok(ferry_ops::read_connection(&text, method)?)).await
}

/// Reads the connection file the maker picks; `null` when they close the dialog.
pub async fn open_connection_file(
    app: &AppHandle,
    method: SignInMethod,
) -> Result<Option<ConnectionOffer>, CodedError> {
    let Some(path) = ask_open_path(app).await? else {
        return Ok(None);
    };
    blocking(move || {
        let text = std::fs::read_to_string(&path).map_err(|e| {
            CodedError::new(
                ErrorCode::Io,
                format!(
                    "could not read {}: {e}; pick the connection file your admin sent again",
                    path.display()
                ),
            )
        })?;
        Ok(Some(ferry_ops::read_connection(&text, method)?))
    })
    .await
}

/// The open dialog for a connection file (`FERRY_OPEN_FILE` answers without asking).
async fn ask_open_path(app: &AppHandle) -> Result<Option<PathBuf>, CodedError> {
    if let Some(file) = std::env::var_os(OPEN_FILE_ENV).filter(|v| !v.is_empty()) {
        return Ok(Some(PathBuf::from(file)));
    }
    let dialog = app
        .dialog()
        .file()
        .set_title("Open a connection file")
        .add_filter("Connection file", &["json"]);
    // The dialog blocks its caller until closed: off the async workers.
    let chosen = tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_file())
        .await
        .map_err(|e| {
            CodedError::new(ErrorCode::Internal, format!("the open dialog failed: {e}"))
        })?;
    chosen
        .map(|p| {
            p.into_path().map_err(|e| {
                CodedError::new(
                    ErrorCode::InvalidInput,
                    format!("the chosen file is not on this computer ({e}); save it to a local disk first"),
                )
            })
        })
        .transpose()
}

/// Sends the links Ferry was started with, and those of later launches, to the window.
pub async fn connection_links(app: &AppHandle, on_link: Channel<String>) -> Result<(), CodedError> {
    app.state::<LaunchLinks>().listen(on_link);
    Ok(())
}

/// The `ferry://` links and connection files Ferry was asked to open: kept until
/// the window listens (`connection_links`), then sent as they arrive.
#[derive(Default)]
pub struct LaunchLinks(Mutex<Links>);

#[derive(Default)]
struct Links {
    pending: Vec<String>,
    listener: Option<Channel<String>>,
}

impl LaunchLinks {
    /// The links among a launch's arguments (without the program), paths read from `cwd`.
    pub fn from_args(args: impl IntoIterator<Item = String>, cwd: &Path) -> Self {
        let links = LaunchLinks::default();
        links.arrive(args, cwd);
        links
    }

    /// A launch's arguments (a later launch's, forwarded): each link goes to the window.
    pub fn arrive(&self, args: impl IntoIterator<Item = String>, cwd: &Path) {
        let mut links = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for link in args.into_iter().filter_map(|a| link_of(&a, cwd)) {
            links.pending.push(link);
        }
        links.flush();
    }

    /// The window listens (again, after a reload): what waits goes to it now.
    fn listen(&self, channel: Channel<String>) {
        let mut links = self.0.lock().unwrap_or_else(|e| e.into_inner());
        links.listener = Some(channel);
        links.flush();
    }
}

impl Links {
    fn flush(&mut self) {
        let Some(listener) = &self.listener else {
            return;
        };
        while let Some(link) = self.pending.first() {
            if listener.send(link.clone()).is_err() {
                // The page is gone; the next one that listens gets it.
                self.listener = None;
                return;
            }
            self.pending.remove(0);
        }
    }
}

/// A launch argument as the window reads it: a `ferry:` link as it is, a `.json`
/// path as a `ferry://open?file=` link to its full path; anything else is no link.
fn link_of(arg: &str, cwd: &Path) -> Option<String> {
    let arg = arg.trim();
    if arg.len() > 6 && arg[..6].eq_ignore_ascii_case("ferry:") {
        return Some(arg.to_string());
    }
    if !arg.to_ascii_lowercase().ends_with(".json") || arg.starts_with('-') {
        return None;
    }
    let path = cwd.join(arg);
    Some(format!(
        "ferry://open?file={}",
        percent_encode(&path.to_string_lossy())
    ))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launch_arguments_become_links_the_window_reads() {
        let cwd = Path::new("/home/mona/Downloads");
        assert_eq!(
            link_of("ferry://connect?name=Contoso", cwd).as_deref(),
            Some("ferry://connect?name=Contoso")
        );
        assert_eq!(
            link_of("FERRY://open?file=%2Fa.json", cwd).as_deref(),
            Some("FERRY://open?file=%2Fa.json")
        );
        assert_eq!(
            link_of("contoso connection.json", cwd).as_deref(),
            Some("ferry://open?file=%2Fhome%2Fmona%2FDownloads%2Fcontoso%20connection.json")
        );
        assert_eq!(
            link_of("/tmp/Contoso.JSON", cwd).as_deref(),
            Some("ferry://open?file=%2Ftmp%2FContoso.JSON")
        );
        for other in ["", "--verbose", "-psn_0_1234", "notes.txt", "ferry:"] {
            assert_eq!(link_of(other, cwd), None, "{other:?}");
        }
    }

    #[test]
    fn a_forwarded_link_parses_back_to_its_file() {
        let link = link_of("c.json", Path::new("/tmp/a b")).unwrap();
        let offer = ferry_ops::read_connection(&link, SignInMethod::Browser).unwrap_err();
        // The file does not exist: the sentence names the decoded path.
        assert!(offer.to_string().contains("/tmp/a b/c.json"), "{offer}");
    }

    #[test]
    fn links_wait_until_the_window_listens() {
        let links = LaunchLinks::from_args(
            ["--flag".to_string(), "ferry://connect?x=1".to_string()],
            Path::new("/"),
        );
        assert_eq!(
            links.0.lock().unwrap().pending,
            ["ferry://connect?x=1".to_string()]
        );
        links.arrive(["/x.json".to_string()], Path::new("/"));
        assert_eq!(links.0.lock().unwrap().pending.len(), 2);
    }
}
