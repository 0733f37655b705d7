//! The real app under WebDriver: `tauri-driver` on free ports, a session for the binary
//! named by `APP_BINARY`, private data and XDG folders, screenshots when a step fails.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use fantoccini::{Client, ClientBuilder, Locator};
use tokio::process::{Child, Command};

use crate::free_port;

pub(crate) fn app_binary() -> Result<PathBuf> {
    let path = match std::env::var_os("APP_BINARY") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/debug/ferry-app"),
    };
    let path = std::path::absolute(&path)?;
    if !path.is_file() {
        bail!(
            "the app binary {} does not exist: build it with \
             `cargo build -p ferry-app --features custom-protocol` or set APP_BINARY",
            path.display()
        );
    }
    Ok(path)
}

fn webdriver_tool(name: &str) -> Result<PathBuf> {
    let var = format!("{}_PATH", name.to_uppercase().replace('-', "_"));
    if let Some(p) = std::env::var_os(&var) {
        return Ok(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .with_context(|| {
            format!("`{name}` is not on PATH: run the README's test command, which installs it")
        })
}

/// One app at a time: two WebKit apps racing on one display and session bus can
/// crash each other, so sessions in one test binary take turns.
static ONE_APP_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// One running app under WebDriver, with its own temp folders.
pub struct AppSession {
    pub client: Client,
    _turn: tokio::sync::MutexGuard<'static, ()>,
    driver: Child,
    /// The folder the app was told to keep its data in (`FERRY_DATA_DIR`).
    pub data_dir: PathBuf,
    /// Where "Save …" puts files instead of asking (`FERRY_SAVE_DIR`): WebDriver
    /// cannot drive the native save dialog.
    pub saved_dir: PathBuf,
    _home: tempfile::TempDir,
}

impl AppSession {
    pub async fn start() -> Result<Self> {
        Self::start_with(&[]).await
    }

    /// Starts the app with extra environment variables (a token for a host profile, say).
    pub async fn start_with(env: &[(&str, &str)]) -> Result<Self> {
        Self::start_on(None, env).await
    }

    /// Starts the app on a data folder that outlives the session (to test a restart),
    /// or on a fresh one inside the session's temp home.
    pub async fn start_on(data_dir: Option<&Path>, env: &[(&str, &str)]) -> Result<Self> {
        let turn = ONE_APP_AT_A_TIME.lock().await;
        let app = app_binary()?;
        let tauri_driver = webdriver_tool("tauri-driver")?;
        let home = tempfile::tempdir()?;
        let data_dir = match data_dir {
            Some(d) => d.to_path_buf(),
            None => home.path().join("ferry-data"),
        };
        let (port, native_port) = (free_port()?, free_port()?);

        let mut cmd = Command::new(&tauri_driver);
        cmd.arg("--port")
            .arg(port.to_string())
            .arg("--native-port")
            .arg(native_port.to_string())
            .env("FERRY_DATA_DIR", &data_dir)
            .env("FERRY_SAVE_DIR", home.path().join("saved"))
            .env("FERRY_MULTI_INSTANCE", "1")
            // A brisk Local sandbox (a deployment in about a second) read often.
            .env("FERRY_SANDBOX_SPEED", "25")
            .env("FERRY_POLL_MS", "200")
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            // Sign-in shows its page in the window; no real browser opens under test.
            .env("FERRY_NO_BROWSER", "1")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(false);
        if cfg!(target_os = "linux") {
            cmd.arg("--native-driver")
                .arg(webdriver_tool("WebKitWebDriver")?);
        }
        let driver = cmd.spawn().context("starting tauri-driver")?;
        let client = match connect(port, &app).await {
            Ok(client) => client,
            Err(err) => {
                if let Some(pid) = driver.id() {
                    terminate(pid);
                }
                return Err(err);
            }
        };
        let session = Self {
            client,
            _turn: turn,
            driver,
            data_dir,
            saved_dir: home.path().join("saved"),
            _home: home,
        };
        session.client.set_window_size(1100, 720).await.ok();
        Ok(session)
    }

    /// Runs a test body; when it fails, saves a screenshot named after the test
    /// and returns the error with the screenshot's path.
    pub async fn run<F, Fut>(&mut self, name: &str, body: F) -> Result<()>
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = Result<()>>,
    {
        let result = body(self.client.clone()).await;
        if let Err(err) = result {
            let shot = self.screenshot(name).await;
            // What the maker saw, in words: CI keeps the log, not the screenshot.
            let text = match self.client.find(Locator::Css("body")).await {
                Ok(body) => body.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            let text: String = text.chars().take(2000).collect();
            let log = log_tail(&self.data_dir, 40);
            return Err(err.context(match shot {
                Ok(path) => format!(
                    "screenshot saved to {}; the window read:\n{text}\nthe app's log ended:\n{log}",
                    path.display()
                ),
                Err(e) => {
                    format!("no screenshot: {e:#}; the window read:\n{text}\nthe app's log ended:\n{log}")
                }
            }));
        }
        Ok(())
    }

    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        save_screenshot(&self.client, name).await
    }

    /// Closes the window, stops the driver and waits until the app and its web processes
    /// have exited, so the next session may open the same data folder at once.
    pub async fn close(mut self) -> Result<()> {
        let closed =
            tokio::time::timeout(Duration::from_secs(10), self.client.clone().close()).await;
        self.stop_driver().await;
        closed.context("closing the WebDriver session timed out")??;
        // WebKitWebDriver closes the window when the session ends, and the app quits with
        // its last window; a process it leaves behind is ended, so nothing outlives the test.
        if let Err(e) = wait_until_gone(&self.data_dir, Duration::from_secs(10)).await {
            eprintln!("{e}; ending them");
            for pid in processes_of(&self.data_dir)? {
                terminate(pid);
            }
            wait_until_gone(&self.data_dir, Duration::from_secs(10)).await?;
        }
        Ok(())
    }

    async fn stop_driver(&mut self) {
        if let Some(pid) = self.driver.id() {
            terminate(pid);
        }
        if tokio::time::timeout(Duration::from_secs(10), self.driver.wait())
            .await
            .is_err()
        {
            eprintln!("tauri-driver did not stop after SIGTERM");
        }
    }
}

/// The last `lines` lines of the app's log in its data folder (what it did before a
/// failure, for CI's output).
fn log_tail(data_dir: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(data_dir.join("logs").join("ferry.log")).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

impl Drop for AppSession {
    fn drop(&mut self) {
        // Only reached when `close` was not called (a failed test): still end the driver.
        if let Some(pid) = self.driver.id() {
            terminate(pid);
        }
    }
}

#[cfg(unix)]
pub(crate) fn terminate(pid: u32) {
    // SIGTERM lets tauri-driver end WebKitWebDriver and the app with it.
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status();
}

#[cfg(not(unix))]
pub(crate) fn terminate(pid: u32) {
    let _ = std::process::Command::new("taskkill")
        .args(["/PID", &pid.to_string()])
        .status();
}

async fn connect(port: u16, app: &Path) -> Result<Client> {
    let caps = serde_json::json!({
        "browserName": "wry",
        "tauri:options": { "application": app },
    });
    let caps = caps.as_object().cloned().expect("an object");
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        // tauri-driver needs a moment to listen; a hung connect must not hang the suite.
        let attempt = tokio::time::timeout(
            Duration::from_secs(30),
            ClientBuilder::rustls()?
                .capabilities(caps.clone())
                .connect(&url),
        )
        .await;
        match attempt {
            Ok(Ok(client)) => return Ok(client),
            Ok(Err(e)) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Ok(Err(e)) => return Err(e).context("opening a WebDriver session for the app"),
            Err(_) => bail!("opening a WebDriver session for the app timed out after 30 s"),
        }
    }
}

/// Saves the window as `tests/e2e/screenshots/<name>.png` and returns the path.
pub async fn save_screenshot(client: &Client, name: &str) -> Result<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, client.screenshot().await?)?;
    Ok(path)
}

/// With `DOC_SCREENSHOTS=1`, saves the window as `docs/screenshots/<name>.png`
/// (the README shows them); otherwise does nothing, so test runs leave the tree clean.
pub async fn doc_screenshot(client: &Client, name: &str) -> Result<()> {
    if std::env::var_os("DOC_SCREENSHOTS").is_none_or(|v| v != "1") {
        return Ok(());
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&dir)?;
    // Transitions and tooltips settle first.
    crate::page::animations_done(client).await?;
    std::fs::write(dir.join(format!("{name}.png")), client.screenshot().await?)?;
    Ok(())
}

/// The processes running with `FERRY_DATA_DIR` set to `data_dir` (the app, its WebKit
/// processes and the driver all inherit it), read from `/proc` (the e2e tests run on
/// Linux only).
fn processes_of(data_dir: &Path) -> Result<Vec<u32>> {
    let mut needle = b"FERRY_DATA_DIR=".to_vec();
    needle.extend_from_slice(data_dir.as_os_str().as_encoded_bytes());
    needle.push(0);
    Ok(std::fs::read_dir("/proc")?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != std::process::id())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.windows(needle.len()).any(|w| w == needle.as_slice()))
        })
        .collect())
}

/// Waits until no process of `data_dir` runs any more.
async fn wait_until_gone(data_dir: &Path, within: Duration) -> Result<()> {
    let deadline = Instant::now() + within;
    loop {
        let alive = processes_of(data_dir)?;
        if alive.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            let names: Vec<String> = alive
                .iter()
                .map(|pid| {
                    let comm =
                        std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
                    format!("{pid} {}", comm.trim())
                })
                .collect();
            bail!("the app's processes {names:?} still ran {within:?} after it was closed");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
