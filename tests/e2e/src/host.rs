//! The pipelines host as its own program (`ferry host serve`), the `ferry` CLI beside it,
//! and host actions called as a seeded user.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::free_port;
use crate::session::{app_binary, terminate};

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
