//! End-to-end harness: drives the real, built Ferry desktop app through WebDriver.
//!
//! [`AppSession::start`] launches `tauri-driver` (which runs `WebKitWebDriver`
//! on Linux) on free ports, opens a WebDriver session for the app binary named
//! by `APP_BINARY`, and gives the app a private data folder and private XDG
//! folders, so nothing touches the real home directory. Dropping the session
//! ends the driver with SIGTERM (never SIGKILL: that would orphan
//! WebKitWebDriver on its port). [`AppSession::run`] saves a screenshot of the
//! window under `tests/e2e/screenshots/` when a test step fails.
//!
//! Tests run only with `E2E=1` (the test command sets it under `xvfb-run`), so a
//! plain `cargo test` passes on machines without a display.

use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use fantoccini::{elements::Element, Client, ClientBuilder, Locator};
use tokio::process::{Child, Command};

/// True when end-to-end tests should run; otherwise prints why they are skipped.
pub fn enabled(test: &str) -> bool {
    if std::env::var_os("E2E").is_some_and(|v| v == "1") {
        return true;
    }
    eprintln!("skipping {test}: set E2E=1 (and APP_BINARY) to drive the real app");
    false
}

/// A free TCP port on loopback (the listener is dropped before returning).
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn app_binary() -> Result<PathBuf> {
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
            return Err(err.context(match shot {
                Ok(path) => format!(
                    "screenshot saved to {}; the window read:\n{text}",
                    path.display()
                ),
                Err(e) => format!("no screenshot: {e:#}; the window read:\n{text}"),
            }));
        }
        Ok(())
    }

    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        save_screenshot(&self.client, name).await
    }

    /// Closes the window and stops the driver.
    pub async fn close(mut self) -> Result<()> {
        let closed =
            tokio::time::timeout(Duration::from_secs(10), self.client.clone().close()).await;
        self.stop_driver().await;
        closed.context("closing the WebDriver session timed out")??;
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

impl Drop for AppSession {
    fn drop(&mut self) {
        // Only reached when `close` was not called (a failed test): still end the driver.
        if let Some(pid) = self.driver.id() {
            terminate(pid);
        }
    }
}

#[cfg(unix)]
fn terminate(pid: u32) {
    // SIGTERM lets tauri-driver end WebKitWebDriver and the app with it.
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(pid.to_string())
        .status();
}

#[cfg(not(unix))]
fn terminate(pid: u32) {
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

/// One accessibility problem axe-core found.
#[derive(Debug, Clone)]
pub struct AxeViolation {
    pub id: String,
    pub impact: String,
    pub help: String,
    pub targets: Vec<String>,
}

/// Runs axe-core (from the UI's node_modules) on the current page and returns
/// the violations of impact `serious` or `critical`. Tabster's focus sentinels
/// (`data-tabster-dummy`, invisible elements Fluent UI uses to keep focus inside
/// a region) are left out: they are aria-hidden on purpose and never keep focus.
pub async fn axe_serious_violations(client: &Client) -> Result<Vec<AxeViolation>> {
    let axe_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&axe_path).with_context(|| {
        format!(
            "reading {}: run `npm ci --prefix ui` first",
            axe_path.display()
        )
    })?;
    client
        .execute(&axe, vec![])
        .await
        .context("injecting axe-core")?;
    let report = client
        .execute_async(
            "const done = arguments[arguments.length - 1];\n\
             axe.run({ exclude: [['[data-tabster-dummy]']] }, { resultTypes: ['violations'] })\n\
               .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact || '', help: v.help,\n\
                  targets: v.nodes.map(n => String(n.target)) }))))\n\
               .catch(e => done({ error: String(e) }));",
            vec![],
        )
        .await
        .context("running axe-core")?;
    if let Some(err) = report.get("error") {
        bail!("axe-core failed: {err}");
    }
    let list = report.as_array().cloned().unwrap_or_default();
    Ok(list
        .into_iter()
        .map(|v| AxeViolation {
            id: v["id"].as_str().unwrap_or_default().to_string(),
            impact: v["impact"].as_str().unwrap_or_default().to_string(),
            help: v["help"].as_str().unwrap_or_default().to_string(),
            targets: v["targets"]
                .as_array()
                .map(|t| {
                    t.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .filter(|v| v.impact == "serious" || v.impact == "critical")
        .collect())
}

/// Waits up to 15 s for an element matching a CSS selector.
pub async fn find(client: &Client, css: &str) -> Result<Element> {
    client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("no element `{css}` appeared within 15 s"))
}

/// Clicks the element matching `css`, retrying for up to 15 s while it is missing,
/// replaced by a re-render (stale) or not yet clickable.
pub async fn click(client: &Client, css: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let attempt = async { client.find(Locator::Css(css)).await?.click().await };
        match attempt.await {
            Ok(()) => return Ok(()),
            Err(e) if Instant::now() >= deadline => {
                return Err(e).with_context(|| format!("clicking `{css}` failed for 15 s"))
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// The computed CSS property of the element matching `css`, retrying like [`click`].
pub async fn css_value(client: &Client, css: &str, property: &str) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let attempt = async {
            client
                .find(Locator::Css(css))
                .await?
                .css_value(property)
                .await
        };
        match attempt.await {
            Ok(value) => return Ok(value),
            Err(e) if Instant::now() >= deadline => {
                return Err(e).with_context(|| format!("reading {property} of `{css}` failed"))
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Waits up to 15 s until the element's text equals `expected`.
pub async fn expect_text(client: &Client, css: &str, expected: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(el) = client.find(Locator::Css(css)).await {
            last = el.text().await.unwrap_or_default();
            if last.trim() == expected {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("`{css}` reads {last:?}, expected {expected:?}")
}

/// Waits up to `secs` seconds until the element's text contains `needle`; returns the text.
pub async fn wait_text_contains(
    client: &Client,
    css: &str,
    needle: &str,
    secs: u64,
) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(el) = client.find(Locator::Css(css)).await {
            last = el.text().await.unwrap_or_default();
            if last.contains(needle) {
                return Ok(last);
            }
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    bail!("`{css}` reads {last:?} after {secs} s, expected it to contain {needle:?}")
}

/// Waits up to `secs` seconds for an element matching `css`.
pub async fn wait_for(client: &Client, css: &str, secs: u64) -> Result<Element> {
    client
        .wait()
        .at_most(Duration::from_secs(secs))
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("no element `{css}` appeared within {secs} s"))
}

/// Clicks the first element matching `css` whose text contains `text` (retrying for 15 s).
pub async fn click_text(client: &Client, css: &str, text: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let attempt = async {
            for el in client.find_all(Locator::Css(css)).await? {
                if el.text().await.unwrap_or_default().contains(text) {
                    el.click().await?;
                    return Ok(true);
                }
            }
            Ok::<bool, fantoccini::error::CmdError>(false)
        };
        match attempt.await {
            Ok(true) => return Ok(()),
            _ if Instant::now() >= deadline => {
                bail!("no clickable `{css}` reading {text:?} within 15 s")
            }
            _ => tokio::time::sleep(Duration::from_millis(150)).await,
        }
    }
}

/// With `DOC_SCREENSHOTS=1`, saves the window as `docs/screenshots/<name>.png`
/// (the README shows them); otherwise does nothing, so test runs leave the tree clean.
pub async fn doc_screenshot(client: &Client, name: &str) -> Result<()> {
    if std::env::var_os("DOC_SCREENSHOTS").is_none_or(|v| v != "1") {
        return Ok(());
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&dir)?;
    // Let fonts, transitions and tooltips settle first.
    tokio::time::sleep(Duration::from_millis(400)).await;
    std::fs::write(dir.join(format!("{name}.png")), client.screenshot().await?)?;
    Ok(())
}

/// Calls an action of the pipelines host's Web API as a seeded user (`Bearer pat`),
/// retrying for `secs` seconds while the host refuses (a run not yet at its gate).
pub async fn host_action(
    host_url: &str,
    user: &str,
    action: &str,
    body: serde_json::Value,
    secs: u64,
) -> Result<()> {
    let url = format!("{}/api/data/v9.2/{action}", host_url.trim_end_matches('/'));
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let response = client
            .post(&url)
            .bearer_auth(user)
            .json(&body)
            .send()
            .await
            .with_context(|| format!("calling {action} on {url}"))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let text = response.text().await.unwrap_or_default();
        if Instant::now() >= deadline {
            bail!("{action} answered {status}: {text}");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// A `ferry host serve` process (the pipelines host as its own program), stopped on drop.
pub struct HostProcess {
    child: std::process::Child,
    pub url: String,
    ferry: PathBuf,
    /// The host's data folder (and the CLI's, for [`HostProcess::ferry_cli`]).
    data: tempfile::TempDir,
    /// Holds a test's own scenario file while the host runs.
    _scenario: Option<tempfile::TempDir>,
}

impl HostProcess {
    /// Starts the `ferry` binary next to the app binary (or `FERRY_BINARY`) on a free port
    /// with the demo tenant, and waits until it answers. Its auth is open: any bearer
    /// token (a plain user name in `FERRY_TOKEN`) is that user.
    pub async fn start() -> Result<Self> {
        Self::start_auth(&["--auth", "open"]).await
    }

    /// Starts the host in strict auth: every call needs a token it issued, which the
    /// app gets by signing in (device codes polled every second, approved with
    /// [`HostProcess::approve_code`]).
    pub async fn start_strict() -> Result<Self> {
        Self::start_auth(&["--auth", "strict", "--device-code-interval", "1"]).await
    }

    /// Approves a pending device-code sign-in as a seeded user (`ferry host approve-code`).
    pub fn approve_code(&self, code: &str, user: &str) -> Result<String> {
        let args = [
            "host",
            "approve-code",
            code,
            "--user",
            user,
            "--url",
            &self.url,
        ];
        ferry_stdout(std::process::Command::new(&self.ferry), &args)
    }

    /// Starts the host (open auth) with a scenario of the test's own instead of the demo.
    pub async fn start_scenario(toml: &str) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("scenario.toml");
        std::fs::write(&file, toml)?;
        let file = file.to_string_lossy().into_owned();
        let mut host = Self::start_auth(&["--auth", "open", "--scenario", &file]).await?;
        host._scenario = Some(dir);
        Ok(host)
    }

    /// Runs the `ferry` CLI as `user` against this host, with a data folder of its own
    /// (created on first use; `profile add` it once), and returns what it printed.
    pub fn ferry_cli(&self, user: &str, args: &[&str]) -> Result<String> {
        let home = self.data.path().join("cli");
        let mut cmd = std::process::Command::new(&self.ferry);
        cmd.env("FERRY_DATA_DIR", home.join("data"))
            .env("HOME", &home)
            .env("XDG_DATA_HOME", home.join("xdg"))
            .env("FERRY_TOKEN", user)
            .env("FERRY_POLL_MS", "100")
            .env("NO_COLOR", "1")
            .env_remove("FERRY_PROFILE");
        ferry_stdout(cmd, args)
    }

    async fn start_auth(auth: &[&str]) -> Result<Self> {
        let ferry = match std::env::var_os("FERRY_BINARY") {
            Some(p) => PathBuf::from(p),
            None => app_binary()?.with_file_name("ferry"),
        };
        if !ferry.is_file() {
            bail!(
                "the ferry binary {} does not exist: build it with `cargo build -p ferry-cli`",
                ferry.display()
            );
        }
        let data = tempfile::tempdir()?;
        let port = free_port()?;
        let child = std::process::Command::new(&ferry)
            .args([
                "host",
                "serve",
                "--port",
                &port.to_string(),
                "--speed",
                "25",
            ])
            .args(auth)
            .arg("--data-dir")
            .arg(data.path().join("host"))
            .env("HOME", data.path())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("starting {}", ferry.display()))?;
        let url = format!("http://127.0.0.1:{port}");
        let host = Self {
            child,
            url,
            ferry,
            data,
            _scenario: None,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            if Instant::now() >= deadline {
                bail!("ferry host serve did not listen on port {port} within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(host)
    }

    /// Stops the host (SIGTERM) and waits for it.
    pub fn stop(&mut self) {
        terminate(self.child.id());
        let _ = self.child.wait();
    }
}

impl Drop for HostProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop();
        }
    }
}

/// Runs the `ferry` binary with `args` and returns what it printed, or fails with its
/// exit status and everything it printed.
fn ferry_stdout(mut cmd: std::process::Command, args: &[&str]) -> Result<String> {
    let out = cmd
        .args(args)
        .output()
        .with_context(|| format!("running ferry {}", args.join(" ")))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        bail!(
            "ferry {} failed ({}): {}{}",
            args.join(" "),
            out.status,
            stdout,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(stdout)
}

/// Adds a profile for a separately running host (development environment `dev`)
/// in Settings and puts it in use.
pub async fn add_host_profile(c: &Client, id: &str, host_url: &str) -> Result<()> {
    click(c, "[data-testid=nav-settings]").await?;
    click(c, "[data-testid=add-profile]").await?;
    wait_for(c, "[data-testid=new-profile-id]", 10)
        .await?
        .send_keys(id)
        .await?;
    wait_for(c, "[data-testid=new-profile-host]", 5)
        .await?
        .send_keys(host_url)
        .await?;
    wait_for(c, "[data-testid=new-profile-dev]", 5)
        .await?
        .send_keys("dev")
        .await?;
    click(c, "[data-testid=save-profile]").await?;
    click(c, &format!("[data-testid=use-{id}]")).await?;
    wait_text_contains(c, "[data-testid=active-profile]", id, 20).await?;
    Ok(())
}

/// On the summary step: waits until Deploy is enabled (the values are checked) and presses it.
pub async fn press_deploy(c: &Client) -> Result<()> {
    let deploy = wait_for(c, "[data-testid=deploy-now]", 10).await?;
    for _ in 0..50 {
        if deploy.is_enabled().await? {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    click(c, "[data-testid=deploy-now]").await
}

/// Opens a solution's page from the solutions list and waits for its stage cards.
///
/// A click the table took while it was still laying out is repeated ([`click_until`]);
/// an error note on the page fails at once with its words.
pub async fn open_solution(c: &Client, name: &str) -> Result<()> {
    click(c, "[data-testid=nav-deploy]").await?;
    // The table settles once the stage columns have been read: a row clicked before
    // may have moved under the pointer.
    wait_for(c, "[data-testid=solutions-table][aria-busy=false]", 60).await?;
    let row = format!("[data-testid=solution-{name}] td");
    click_until(c, &row, "[data-testid=solution-page]", 30).await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if c.find(Locator::Css(
            "[data-testid=solution-page] [data-testid=stage-card]",
        ))
        .await
        .is_ok()
        {
            return Ok(());
        }
        if let Ok(note) = c.find(Locator::Css("[data-testid=error-note]")).await {
            let text = note.text().await.unwrap_or_default();
            bail!("opening {name} showed an error: {text}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    bail!("the page of {name} showed no stage card within 30 s")
}

/// Starts the deploy wizard for a stage of the open solution and validates.
pub async fn start_validation(c: &Client, stage: &str) -> Result<()> {
    let deploy_here = format!("[aria-label=\"Stage {stage}\"] button");
    click_until(c, &deploy_here, "[data-testid=start-validation]", 30).await?;
    click(c, "[data-testid=start-validation]").await
}

/// Clicks `css` until `expect` appears (up to `secs`): a click the page took while its
/// layout moved (a card growing a line as its data arrives) lands beside the target and
/// does nothing, so it is repeated after 3 s without a change.
pub async fn click_until(c: &Client, css: &str, expect: &str, secs: u64) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    click(c, css).await?;
    let mut clicked = Instant::now();
    while Instant::now() < deadline {
        if c.find(Locator::Css(expect)).await.is_ok() {
            return Ok(());
        }
        if clicked.elapsed() > Duration::from_secs(3) {
            eprintln!("click_until: clicking `{css}` showed no `{expect}`; clicking again");
            if c.find(Locator::Css(css)).await.is_ok() {
                click(c, css).await?;
            }
            clicked = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    bail!("clicking `{css}` never showed `{expect}` within {secs} s")
}

/// Waits until the wizard says the validation passed.
///
/// A verdict that blocks fails at once, with what the findings say.
pub async fn wait_validation_passed(c: &Client) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(verdict) = c.find(Locator::Css("[data-testid=findings-verdict]")).await {
            last = verdict.text().await.unwrap_or_default();
            if last.contains("Validation passed") {
                return Ok(());
            }
            if last.contains("cannot be deployed") {
                let findings = match c.find(Locator::Css("[data-testid=findings]")).await {
                    Ok(f) => f.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                bail!("the validation blocked: {findings}");
            }
        }
        if let Ok(error) = c.find(Locator::Css("[data-testid=validation-error]")).await {
            bail!(
                "the validation could not run: {}",
                error.text().await.unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    bail!("the validation verdict reads {last:?} after 60 s, expected \"Validation passed\"")
}

/// Picks the connection whose name contains `choice` for a connection reference.
pub async fn choose_connection(c: &Client, logical: &str, choice: &str) -> Result<()> {
    click(c, &format!("[data-testid=connection-{logical}]")).await?;
    click_text(c, "[role=option]", choice).await
}
