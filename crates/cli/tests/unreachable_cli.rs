//! A local host that is down is said to be down at once: a refused connection to a
//! loopback address is final on the first attempt (once, `pipeline list` took 6.6 s of
//! retries to say so, and a profile whose dev environment is a name was told its input
//! was wrong, exit 6). Attempts are counted through `-v`, which logs every retry.

mod common;

use std::process::{Command, Output, Stdio};

use common::{ferry_as, text};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A loopback URL nothing listens on: a port bound, then closed.
fn closed_loopback_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

fn assert_offline_at_once(out: &Output) {
    assert_eq!(out.status.code(), Some(5), "{}", text(out));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr)
        .unwrap_or_else(|e| panic!("no JSON error ({e}): {}", text(out)));
    assert_eq!(err["error"]["code"], "offline", "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unreachable"),
        "{err}"
    );
}

#[test]
fn a_profile_whose_local_host_is_down_is_offline_not_wrong_input() {
    let dir = tempfile::tempdir().unwrap();
    common::use_local_profile(dir.path(), &closed_loopback_url());
    for args in [
        &["pipeline", "list", "--json"][..],
        &[
            "deploy",
            "--solution",
            "ContosoCore",
            "--stage",
            "Test",
            "--dry-run",
            "--json",
        ],
    ] {
        let out = ferry_as(dir.path(), "mona", args);
        assert_offline_at_once(&out);
    }
}

#[test]
fn a_connected_environment_whose_host_went_down_is_not_retried() {
    // A profile made by discovery knows its dev environment's URL, so the first request
    // of a command goes to the host through the Web API client, whose retries `-v` logs.
    let host_dir = tempfile::tempdir().unwrap();
    let host = common::serve(host_dir.path(), &[]);
    let dir = tempfile::tempdir().unwrap();
    let (bin, _log) = common::fake_az(dir.path());
    let ferry = |args: &[&str]| -> Output {
        Command::new(env!("CARGO_BIN_EXE_ferry"))
            .args(args)
            .env("FERRY_DATA_DIR", dir.path().join("data"))
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path().join("xdg"))
            .env("PATH", common::path_with(&bin))
            .env("NO_COLOR", "1")
            .env_remove("RUST_LOG")
            .env_remove("FERRY_PROFILE")
            .env_remove("FERRY_TOKEN")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let dev = format!("{}/environments/dev", host.url);
    let out = ferry(&["login", "--environment", &dev, "--azure-cli"]);
    assert!(out.status.success(), "{}", text(&out));
    drop(host);

    let out = ferry(&["-v", "pipeline", "list", "--json"]);
    assert!(
        !stderr(&out).contains("retrying"),
        "a refused loopback host was retried: {}",
        text(&out)
    );
    // `-v` logs go to stderr too: the JSON error is its last line.
    assert_eq!(out.status.code(), Some(5), "{}", text(&out));
    let last = stderr(&out).lines().last().unwrap_or_default().to_string();
    let err: serde_json::Value = serde_json::from_str(&last)
        .unwrap_or_else(|e| panic!("no JSON error ({e}): {}", text(&out)));
    assert_eq!(err["error"]["code"], "offline", "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("refused"),
        "{err}"
    );
}
