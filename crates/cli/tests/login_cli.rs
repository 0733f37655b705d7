//! Sign-in with the real binaries: `ferry host serve` (strict by default), a
//! profile for it, `ferry login --device-code` in the background, `ferry host
//! approve-code`, then commands work with the stored token until `ferry logout`.
//! The keyring tests need a Secret Service and run with `KEYRING_REAL=1` (the
//! test command starts GNOME Keyring in a private D-Bus session); each uses a
//! keyring service name of its own.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::time::Duration;

use common::{host_serve, text, Served};

fn keyring_available() -> bool {
    let real = std::env::var_os("KEYRING_REAL").is_some_and(|v| v == "1");
    if !real {
        eprintln!(
            "skipping: set KEYRING_REAL=1 inside a Secret Service session (the test command does)"
        );
    }
    real
}

/// `ferry host serve` (strict unless `extra` says otherwise) with a fast device-code poll.
fn serve(data_dir: &Path, extra: &[&str]) -> Served {
    let mut args: Vec<std::ffi::OsString> = ["--speed", "100", "--device-code-interval", "1"]
        .iter()
        .map(Into::into)
        .collect();
    args.push("--data-dir".into());
    args.push(data_dir.into());
    args.extend(extra.iter().map(Into::into));
    host_serve(&args)
}

/// A plain HTTP/1.1 GET; returns the head and body.
fn get(base: &str, path: &str, token: Option<&str>) -> (String, String) {
    let authority = base.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nAccept: application/json\r\n{auth}\r\n"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    (head.to_string(), body.to_string())
}

struct Cli {
    dir: tempfile::TempDir,
    service: String,
}

impl Cli {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            service: format!("ferry-test-{}", uuid::Uuid::new_v4()),
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferry"));
        cmd.args(args)
            .env("FERRY_DATA_DIR", self.dir.path().join("data"))
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.dir.path().join("xdg"))
            .env("FERRY_KEYRING_SERVICE", &self.service)
            .env("NO_COLOR", "1")
            .env_remove("FERRY_PROFILE")
            .env_remove("FERRY_TOKEN");
        cmd
    }

    fn ferry(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }
}

/// Runs `ferry login --device-code` in the background until it shows the code;
/// returns the child, its code and the rest of its output.
fn start_login(cli: &Cli) -> (Child, String, BufReader<ChildStdout>) {
    let mut child = cli
        .command(&["login", "--device-code"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
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
    match code {
        Some(code) if seen.contains("/devicelogin") => (child, code, out),
        _ => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("login did not show a code and page:\n{seen}");
        }
    }
}

#[test]
fn serve_is_strict_by_default_and_challenges() {
    let dir = tempfile::tempdir().unwrap();
    let host = serve(dir.path(), &[]);
    let (head, body) = get(&host.url, "/api/data/v9.2/WhoAmI", None);
    assert!(head.starts_with("HTTP/1.1 401"), "{head}");
    let challenge = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("www-authenticate:"))
        .unwrap_or_else(|| panic!("no challenge: {head}"));
    assert!(
        challenge.contains(&format!("authorization_uri={}/", host.url))
            && challenge.contains(&format!("resource_id={}/", host.url)),
        "{challenge}"
    );
    assert!(body.contains("sign in"), "{body}");
    // An unknown code is refused with a sentence.
    let out = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args([
            "host",
            "approve-code",
            "NOPE1234",
            "--user",
            "mona",
            "--url",
            &host.url,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no pending sign-in"),
        "{}",
        text(&out)
    );
}

#[test]
fn login_with_a_device_code_then_commands_work_until_logout() {
    if !keyring_available() {
        return;
    }
    let host_dir = tempfile::tempdir().unwrap();
    let host = serve(host_dir.path(), &["--auth", "strict"]);
    let cli = Cli::new();
    let out = cli.ferry(&[
        "profile",
        "add",
        "local",
        "--host",
        &host.url,
        "--dev-env",
        "dev",
        "--use",
    ]);
    assert!(out.status.success(), "{}", text(&out));

    let out = cli.ferry(&["pipeline", "list"]);
    assert_eq!(out.status.code(), Some(8), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ferry login"),
        "{}",
        text(&out)
    );

    let (mut login, code, mut login_out) = start_login(&cli);
    let approve = cli.ferry(&[
        "host",
        "approve-code",
        &code,
        "--user",
        "mona",
        "--url",
        &host.url,
    ]);
    assert!(approve.status.success(), "{}", text(&approve));
    assert!(String::from_utf8_lossy(&approve.stdout).contains("mona@contoso.example"));
    let status = login.wait().unwrap();
    let mut rest = String::new();
    login_out.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "login failed: {rest}");
    assert!(
        rest.contains("Signed in to local as mona@contoso.example"),
        "{rest}"
    );

    let out = cli.ferry(&["whoami"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("mona@contoso.example on local"));
    let out = cli.ferry(&["pipeline", "list"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Contoso Release"),
        "{}",
        text(&out)
    );

    let out = cli.ferry(&["logout"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = cli.ferry(&["pipeline", "list"]);
    assert_eq!(out.status.code(), Some(8), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not signed in") && err.contains("ferry login"),
        "{}",
        text(&out)
    );
    let out = cli.ferry(&["whoami"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

#[test]
fn approve_code_works_through_the_data_dir_too() {
    if !keyring_available() {
        return;
    }
    let host_dir = tempfile::tempdir().unwrap();
    let host = serve(host_dir.path(), &[]);
    let cli = Cli::new();
    let out = cli.ferry(&[
        "profile",
        "add",
        "local",
        "--host",
        &host.url,
        "--dev-env",
        "dev",
        "--use",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let (mut login, code, _out) = start_login(&cli);
    let data_dir = host_dir.path().to_str().unwrap();
    let approve = cli.ferry(&[
        "host",
        "approve-code",
        &code,
        "--user",
        "ade",
        "--data-dir",
        data_dir,
    ]);
    assert!(approve.status.success(), "{}", text(&approve));
    assert!(login.wait().unwrap().success());
    let out = cli.ferry(&["whoami", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let who: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(who["account"], "ade@contoso.example");
    assert_eq!(who["profileId"], "local");
    assert!(cli.ferry(&["logout"]).status.success());
}
