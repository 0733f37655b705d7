//! The engine's resilience through the real `ferry` binary: a `ferry host
//! serve` process with faults switched on (a 429 storm, a dropped connection
//! that loses the answer of the stage-run create), and `ferry deploy --wait`
//! as the maker Mona. The deployment succeeds and the host holds exactly one
//! stage run.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{text, SETTINGS};

struct Served {
    child: Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(data_dir: &std::path::Path) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args([
            "host",
            "serve",
            "--port",
            "0",
            "--speed",
            "50",
            // The maker is named by a plain token (FERRY_TOKEN=mona): this test is about faults.
            "--auth",
            "open",
            "--data-dir",
        ])
        .arg(data_dir)
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
    // Keep draining stdout so the host never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = String::new();
        let _ = out.read_to_string(&mut sink);
    });
    Served { child, url }
}

/// A plain HTTP/1.1 request as the admin (no token); returns (status line, body).
fn request(base: &str, method: &str, path: &str, body: &str) -> (String, String) {
    let authority = base.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\
         Accept: application/json\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
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

fn ferry(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(args)
        .env("FERRY_DATA_DIR", dir.join("data"))
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("xdg"))
        .env("FERRY_POLL_MS", "50")
        .env("FERRY_TOKEN", "mona")
        .env("NO_COLOR", "1")
        .env_remove("FERRY_PROFILE")
        .output()
        .unwrap()
}

#[test]
fn a_deployment_survives_a_429_storm_and_a_lost_create_answer() {
    let dir = tempfile::tempdir().unwrap();
    let host = serve(&dir.path().join("host"));
    let settings = dir.path().join("test.settings.json");
    std::fs::write(&settings, SETTINGS).unwrap();
    for args in [
        &[
            "profile",
            "add",
            "local",
            "--host",
            &host.url,
            "--dev-env",
            "dev",
        ][..],
        &["profile", "use", "local"][..],
    ] {
        let out = ferry(dir.path(), args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }

    // The storm throttles the first requests of the deploy; the create of the
    // run is handled but its answer never arrives.
    let (status, body) = request(
        &host.url,
        "PUT",
        "/_ferry/faults",
        r#"{"throttle":{"requests":3,"retry_after":1},
            "drops":{"requests":1,"after_handling":true,"method":"POST","path":"deploymentstageruns"}}"#,
    );
    assert!(status.contains("200"), "{status} {body}");

    let out = ferry(
        dir.path(),
        &[
            "deploy",
            "--solution",
            "ContosoCore",
            "--stage",
            "Deploy to Test",
            "--settings",
            settings.to_str().unwrap(),
            "--wait",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("ContosoCore 1.0.0.4 → Contoso Test: Succeeded"),
        "{}",
        text(&out)
    );

    // Every fault fired, and exactly one stage run exists, made by Mona.
    let (_, state) = request(&host.url, "GET", "/_ferry/faults", "");
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(state["drops"]["requests"], 0, "{state}");
    assert_eq!(state["throttle"]["requests"], 0, "{state}");
    let (_, count) = request(
        &host.url,
        "GET",
        "/api/data/v9.2/deploymentstageruns/$count",
        "",
    );
    assert_eq!(count.trim(), "1", "exactly one stage run");
    let mona = ferry_host::scenario::derived_id("user", "mona@contoso.example");
    let (_, runs) = request(
        &host.url,
        "GET",
        "/api/data/v9.2/deploymentstageruns?$select=_createdby_value,stagerunstatus",
        "",
    );
    assert!(
        runs.contains(&format!(r#""_createdby_value":"{mona}""#)),
        "{runs}"
    );
    assert!(runs.contains(r#""stagerunstatus":200000002"#), "{runs}");
}
