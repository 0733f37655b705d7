//! Shared by the CLI tests: the real `ferry` binary against a Local sandbox in a temp data
//! folder, and output filters for snapshots (times, dates and ids replaced).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

pub const SETTINGS: &str = r#"{
  "EnvironmentVariables": [
    { "SchemaName": "cont_ApiBaseUrl", "Value": "https://api.test.contoso.example" },
    { "SchemaName": "cont_RetryCount", "Value": "5" }
  ],
  "ConnectionReferences": [
    { "LogicalName": "cont_sharedoffice365_1a2b3", "ConnectionId": "test-office365" }
  ]
}"#;

pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn ferry(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferry"));
        cmd.args(args)
            .env("FERRY_DATA_DIR", self.data())
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("xdg"))
            .env("FERRY_SANDBOX_SPEED", "25")
            .env("FERRY_POLL_MS", "50")
            .env("NO_COLOR", "1")
            // Shown times are local: one zone wherever the tests run.
            .env("TZ", "UTC")
            // A keyring namespace of this test's own: the user's entries are never read.
            .env(
                "FERRY_KEYRING_SERVICE",
                format!(
                    "ferry-test-{}",
                    self.dir.path().file_name().unwrap().to_string_lossy()
                ),
            )
            .env_remove("FERRY_PROFILE")
            .env_remove("FERRY_TOKEN");
        cmd
    }

    pub fn settings_file(&self) -> PathBuf {
        let path = self.dir.path().join("test.settings.json");
        std::fs::write(&path, SETTINGS).unwrap();
        path
    }

    /// Runs a command that succeeds and prints JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ferry(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        Self::parse(args, &out)
    }

    pub fn parse(args: &[&str], out: &Output) -> Value {
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {}", text(out)))
    }
}

pub fn text(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Collapses spaces, and replaces run ids with `<ID>`, timestamps, clock times, dates and
/// loopback ports with placeholders.
pub fn filtered(s: &str) -> String {
    s.lines()
        .map(|line| {
            line.split_whitespace()
                .map(|word| {
                    if let Some((before, port)) = word.split_once("127.0.0.1:") {
                        let rest = port.trim_start_matches(|c: char| c.is_ascii_digit());
                        format!("{before}127.0.0.1:<PORT>{rest}")
                    } else if time::OffsetDateTime::parse(
                        word,
                        &time::format_description::well_known::Rfc3339,
                    )
                    .is_ok()
                    {
                        "<TIMESTAMP>".to_string()
                    } else if uuid::Uuid::parse_str(word).is_ok() {
                        "<ID>".to_string()
                    } else if is_clock(word) {
                        "<TIME>".to_string()
                    } else if word.len() == 10
                        && word.as_bytes()[4] == b'-'
                        && word.as_bytes()[7] == b'-'
                    {
                        "<DATE>".to_string()
                    } else {
                        word.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn is_clock(w: &str) -> bool {
    let b = w.as_bytes();
    (b.len() == 8 && b[2] == b':' && b[5] == b':') || (b.len() == 5 && b[2] == b':')
}

/// A `ferry host serve --auth open` process; killed when dropped.
pub struct Served {
    child: Child,
    pub url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `ferry host serve --port 0 ARGS…` and reads its base URL from the first line;
/// the rest of its output is drained so it never blocks on a full pipe.
pub fn host_serve<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(["host", "serve", "--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let url = first
        .trim()
        .strip_prefix("Listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_string();
    std::thread::spawn(move || {
        let mut sink = String::new();
        let _ = out.read_to_string(&mut sink);
    });
    Served { child, url }
}

/// Starts `ferry host serve --auth open` (speed 50) on `data_dir`; `extra` adds arguments.
pub fn serve(data_dir: &std::path::Path, extra: &[&str]) -> Served {
    let mut args: Vec<std::ffi::OsString> = ["--speed", "50", "--auth", "open", "--data-dir"]
        .iter()
        .map(Into::into)
        .collect();
    args.push(data_dir.into());
    args.extend(extra.iter().map(Into::into));
    host_serve(&args)
}

impl Served {
    /// Kills the host with SIGKILL: no chance to clean up.
    pub fn kill_9(mut self) {
        let status = Command::new("kill")
            .args(["-KILL", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        self.child.wait().unwrap();
    }
}

/// A plain HTTP/1.1 request as the admin (no token); returns (status line, body).
pub fn request(base: &str, method: &str, path: &str, body: &str) -> (String, String) {
    request_as(base, None, method, path, body)
}

/// A plain HTTP/1.1 request, with `Authorization: Bearer <who>` when given.
pub fn request_as(
    base: &str,
    who: Option<&str>,
    method: &str,
    path: &str,
    body: &str,
) -> (String, String) {
    let auth = who
        .map(|w| format!("Authorization: Bearer {w}\r\n"))
        .unwrap_or_default();
    let authority = base.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n{auth}\
         Accept: application/json\r\nContent-Type: application/json\r\n\
         Prefer: return=representation\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (
        head.lines().next().unwrap_or("").to_string(),
        body.to_string(),
    )
}

/// The real binary with its data under `dir`, acting as `who` (`FERRY_TOKEN`, an open host).
pub fn ferry_as(dir: &std::path::Path, who: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(args)
        .env("FERRY_DATA_DIR", dir.join("data"))
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("xdg"))
        .env("FERRY_POLL_MS", "50")
        .env("FERRY_TOKEN", who)
        .env("NO_COLOR", "1")
        // Shown times are local: one zone wherever the tests run.
        .env("TZ", "UTC")
        .env_remove("FERRY_PROFILE")
        .output()
        .unwrap()
}

/// Adds a profile `local` for the host at `url` (dev environment `dev`) and uses it.
pub fn use_local_profile(dir: &std::path::Path, url: &str) {
    let out = ferry_as(
        dir,
        "mona",
        &[
            "profile",
            "add",
            "local",
            "--host",
            url,
            "--dev-env",
            "dev",
            "--use",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
}

/// Runs a command that shows a device code (`code: XXXX` on stdout), hands the code to
/// `approve` as a person would, and returns everything the command printed.
pub fn approving(mut cmd: Command, approve: impl FnOnce(&str)) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    let code = loop {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap_or(0) == 0 {
            break None;
        }
        seen.push_str(&line);
        if let Some(code) = line.trim().strip_prefix("code: ") {
            break Some(code.to_string());
        }
    };
    if let Some(code) = code {
        approve(&code);
    }
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    seen.push_str(&rest);
    let status = child.wait().unwrap();
    Output {
        status,
        stdout: seen.into_bytes(),
        stderr: err.join().unwrap(),
    }
}

/// A fake `az` in `dir/bin` that logs its arguments to `dir/az.log` and prints a
/// JWT-shaped token for mona (unsigned: an open host takes its `upn` claim). Returns
/// (the folder to put first on PATH, the log).
pub fn fake_az(dir: &std::path::Path) -> (PathBuf, PathBuf) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = dir.join("az.log");
    let payload = base64url(br#"{"upn":"mona@contoso.example","exp":4102444800}"#);
    let token = format!("{}.{payload}.", base64url(br#"{"alg":"none"}"#));
    let script = format!(
        "#!/bin/sh\necho \"$@\" >> '{}'\necho '{{\"accessToken\": \"{token}\", \"expires_on\": 4102444800, \"tokenType\": \"Bearer\"}}'\n",
        log.display()
    );
    let az = bin.join("az");
    std::fs::write(&az, script).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    (bin, log)
}

/// PATH with `bin` first.
pub fn path_with(bin: &std::path::Path) -> std::ffi::OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    std::env::join_paths(dirs).unwrap()
}

/// Unpadded base64url, for JWT-shaped test tokens.
pub fn base64url(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut s = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            s.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    s
}

/// The JSON a command printed on stdout.
pub fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("printed no JSON ({e}): {}", text(out)))
}

/// One CLI test's world: a temp folder with the binary's data, a `ferry host serve --auth open`
/// process in it (speed 50; the test's scenario when it has one) and the profile `local` for it,
/// in use. The binary runs as Mona unless the test names someone else.
pub struct HostedCli {
    /// Dropped first: the host stops before its folder goes.
    pub host: Served,
    dir: tempfile::TempDir,
}

impl HostedCli {
    /// The demo scenario.
    pub fn start() -> Self {
        Self::with(None, &[])
    }

    /// A scenario of the test's own (TOML text); `extra` adds `host serve` arguments.
    pub fn with(scenario: Option<&str>, extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = extra.iter().map(|a| a.to_string()).collect();
        if let Some(toml) = scenario {
            let path = dir.path().join("scenario.toml");
            std::fs::write(&path, toml).unwrap();
            args.extend([
                "--scenario".to_string(),
                path.to_string_lossy().into_owned(),
            ]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let host = serve(&dir.path().join("host"), &args);
        use_local_profile(dir.path(), &host.url);
        Self { host, dir }
    }

    /// The folder the binary's data (and the host's) live in.
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// The real binary as Mona.
    pub fn ferry(&self, args: &[&str]) -> Output {
        ferry_as(self.dir(), "mona", args)
    }

    /// The real binary as `who` (an open host takes the name as the token).
    pub fn ferry_as(&self, who: &str, args: &[&str]) -> Output {
        ferry_as(self.dir(), who, args)
    }

    /// A command that must succeed, and the JSON it printed.
    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ferry(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        json_of(&out)
    }

    /// A GET of the host's Web API (`path` from the origin) as the admin; the JSON answer.
    pub fn get(&self, path: &str) -> Value {
        let (status, body) = request(&self.host.url, "GET", path, "");
        assert!(status.contains(" 200"), "GET {path}: {status} {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path} ({e}): {body}"))
    }

    /// `ferry deploy --wait --json` of ContosoCore to `stage` (with `extra` arguments), which
    /// must succeed; the finished run.
    pub fn deploy(&self, stage: &str, extra: &[&str]) -> Value {
        let mut args = vec![
            "deploy",
            "--solution",
            "ContosoCore",
            "--stage",
            stage,
            "--wait",
            "--json",
        ];
        args.extend_from_slice(extra);
        let outcome = self.json(&args);
        assert_eq!(outcome["run"]["statusLabel"], "Succeeded", "{outcome}");
        outcome["run"].clone()
    }
}
