//! Sign-in from the window: `sign_in` runs the engine's device-code or browser
//! flow, sending what the maker must do (the code and its page, or the browser
//! page) into a Tauri channel and opening that page in the maker's browser
//! (unless `FERRY_NO_BROWSER=1`, which tests set); `cancel_operation` stops a
//! sign-in that is waiting. `sign_out` deletes the profile's keyring entry and
//! `account` says who is signed in. `open_sign_in_page` opens the page of the
//! sign-in in progress again, and no other: the window never names a URL to open.

use std::sync::Mutex;

use ferry_ipc::{CodedError, ErrorCode};
use ferry_ops::{
    AccountInfo, DeviceCodePrompt, ProfileKind, SignInEvent, SignInMethod, SignInPrompt,
};
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager};
use tauri_plugin_opener::OpenerExt;

use super::{blocking, state};

/// Set to `1` to never open a browser (the e2e tests do; the page is still shown).
pub const NO_BROWSER_ENV: &str = "FERRY_NO_BROWSER";

/// The page the sign-in in progress asked for (none when no sign-in waits).
#[derive(Default)]
pub struct SignInPage(Mutex<Option<String>>);

impl SignInPage {
    pub(super) fn set(&self, url: Option<&str>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = url.map(str::to_string);
    }

    fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// Whether pages may open in the browser (`FERRY_NO_BROWSER` unset or not `1`).
fn browser_allowed(no_browser: Option<&str>) -> bool {
    no_browser.is_none_or(|v| v.trim() != "1")
}

/// Opens a page in the maker's browser; a browser that will not start is not an
/// error (the window shows the page's address and a button to try again).
pub(super) fn open_in_browser(app: &tauri::AppHandle, url: &str) {
    if !browser_allowed(std::env::var(NO_BROWSER_ENV).ok().as_deref()) {
        return;
    }
    if let Err(e) = app.opener().open_url(url, None::<&str>) {
        eprintln!("Ferry could not open the browser at {url}: {e}");
    }
}

/// The window's sign-in prompt: tells the window, remembers the page, opens it.
pub(super) struct WindowPrompt<'a> {
    pub send: Box<dyn Fn(SignInEvent) + Send + Sync + 'a>,
    pub open: Box<dyn Fn(&str) + Send + Sync + 'a>,
    pub page: &'a SignInPage,
}

impl SignInPrompt for WindowPrompt<'_> {
    fn device_code(&self, prompt: &DeviceCodePrompt) {
        self.page.set(Some(&prompt.verification_uri));
        (self.send)(SignInEvent::from(prompt));
        (self.open)(&prompt.verification_uri);
    }

    fn open_browser(&self, url: &str) {
        self.page.set(Some(url));
        (self.send)(SignInEvent::Browser {
            url: url.to_string(),
        });
        (self.open)(url);
    }
}

/// Signs the profile in use in; `null` when the maker cancelled (`cancel_operation`).
pub async fn sign_in(
    app: &AppHandle,
    method: SignInMethod,
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
        .run_until_cancelled(engine.sign_in(method, &prompt))
        .await;
    page.set(None);
    let Some(account) = signed.transpose()? else {
        return Ok(None);
    };
    if engine.profile().kind != ProfileKind::LocalSandbox {
        // A fresh engine connects with the new tokens on its next call.
        state.reopen()?;
    }
    Ok(Some(account))
}

/// Opens the page of the sign-in in progress in the browser again.
pub async fn open_sign_in_page(app: &AppHandle) -> Result<(), CodedError> {
    let url = app.state::<SignInPage>().get().ok_or_else(|| {
        CodedError::new(
            ErrorCode::InvalidInput,
            "No sign-in is waiting for its page; start signing in again.",
        )
    })?;
    open_in_browser(app, &url);
    Ok(())
}

/// Signs the profile in use out: its tokens leave the keyring.
pub async fn sign_out(app: &AppHandle) -> Result<(), CodedError> {
    let state = state(app);
    blocking(move || {
        let engine = state.engine()?;
        engine.sign_out()?;
        if engine.profile().kind != ProfileKind::LocalSandbox {
            // Forget the connection made with the old tokens.
            state.reopen()?;
        }
        Ok(())
    })
    .await
}

/// Who is signed in to the profile in use (`null`: nobody).
pub async fn account(app: &AppHandle) -> Result<Option<AccountInfo>, CodedError> {
    Ok(state(app).engine()?.account().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_code_is_told_remembered_and_its_page_opened() {
        let sent = Mutex::new(Vec::new());
        let opened = Mutex::new(Vec::new());
        let page = SignInPage::default();
        let prompt = WindowPrompt {
            send: Box::new(|e| sent.lock().unwrap().push(e)),
            open: Box::new(|u| opened.lock().unwrap().push(u.to_string())),
            page: &page,
        };
        prompt.device_code(&DeviceCodePrompt {
            user_code: "ABCD1234".into(),
            verification_uri: "http://127.0.0.1:1/devicelogin".into(),
            message: "Enter the code".into(),
            expires_in_seconds: 900,
        });
        assert_eq!(
            page.get().as_deref(),
            Some("http://127.0.0.1:1/devicelogin")
        );
        prompt.open_browser("http://127.0.0.1:1/authorize?x=1");
        drop(prompt);
        let sent = sent.into_inner().unwrap();
        assert!(
            matches!(&sent[0], SignInEvent::DeviceCode { user_code, .. } if user_code == "ABCD1234"),
            "{sent:?}"
        );
        assert_eq!(
            sent[1],
            SignInEvent::Browser {
                url: "http://127.0.0.1:1/authorize?x=1".into()
            }
        );
        assert_eq!(
            opened.into_inner().unwrap(),
            [
                "http://127.0.0.1:1/devicelogin",
                "http://127.0.0.1:1/authorize?x=1"
            ]
        );
        assert_eq!(
            page.get().as_deref(),
            Some("http://127.0.0.1:1/authorize?x=1")
        );
    }

    #[test]
    fn no_browser_opens_when_the_environment_says_so() {
        assert!(browser_allowed(None));
        assert!(browser_allowed(Some("")));
        assert!(browser_allowed(Some("0")));
        assert!(!browser_allowed(Some("1")));
        assert!(!browser_allowed(Some(" 1 ")));
    }

    #[test]
    fn the_window_reads_events_by_kind() {
        let json = serde_json::to_value(SignInEvent::Browser { url: "u".into() }).unwrap();
        assert_eq!(json, serde_json::json!({"kind": "browser", "url": "u"}));
    }
}
