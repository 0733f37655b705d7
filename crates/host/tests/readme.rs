//! The manual's examples work: every TOML scenario example loads, and the webhook receiver
//! example verifies signatures and de-duplicates replayed deliveries.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use ferry_host::Scenario;
use hmac::Mac as _;

const README: &str = include_str!("../README.md");

/// The fenced blocks of `lang` in the README.
fn blocks(lang: &str) -> Vec<String> {
    let fence = format!("```{lang}");
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in README.lines() {
        match &mut current {
            None if line.trim_start() == fence => current = Some(String::new()),
            Some(text) if line.trim_start() == "```" => {
                out.push(std::mem::take(text));
                current = None;
            }
            Some(text) => {
                text.push_str(line);
                text.push('\n');
            }
            None => {}
        }
    }
    out
}

#[test]
fn every_scenario_example_in_the_readme_loads() {
    let examples = blocks("toml");
    assert!(!examples.is_empty(), "the README has no TOML example");
    for (i, text) in examples.iter().enumerate() {
        let scenario = Scenario::from_toml(text)
            .unwrap_or_else(|e| panic!("README TOML example {i} does not load: {e:#}\n{text}"));
        // And through a file, as `ferry host serve --scenario FILE` reads it.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scenario.toml");
        std::fs::write(&path, text).unwrap();
        let loaded = Scenario::load(&path).unwrap();
        assert_eq!(loaded.name, scenario.name);
    }
}

fn post(port: u16, body: &[u8], delivery: &str, signature: &str) -> u16 {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let head = format!(
        "POST /hook HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-ferry-delivery-id: {delivery}\r\nx-ferry-signature: {signature}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn sign(body: &[u8]) -> String {
    let mut mac = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(b"s3cret").unwrap();
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

#[test]
fn the_webhook_receiver_example_ignores_a_replayed_delivery() {
    if Command::new("python3").arg("--version").output().is_err() {
        eprintln!("python3 is not installed; skipping the receiver example");
        return;
    }
    let code = blocks("python")
        .into_iter()
        .find(|c| c.contains("x-ferry-signature"))
        .expect("the README has the receiver example");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // Listening once constructed: the test waits for that line instead of polling the port.
    let code = code.replace("8080", &port.to_string()).replace(
        "http.server.HTTPServer(",
        "server = http.server.HTTPServer(",
    );
    let code = code.replace(
        ".serve_forever()",
        "\nprint(\"listening\", flush=True)\nserver.serve_forever()",
    );
    let mut child = Command::new("python3")
        .arg("-u")
        .arg("-c")
        .arg(&code)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(
        out.next().and_then(Result::ok).as_deref(),
        Some("listening"),
        "the receiver did not start"
    );
    let body = br#"{"MessageName":"OnDeploymentCompleted","InputParameters":[{"key":"StageRunId","value":"r1"}],"OutputParameters":[]}"#;
    let good = sign(body);
    assert_eq!(post(port, body, "d-1", "sha256=00"), 401);
    assert_eq!(post(port, body, "d-1", &good), 204);
    assert_eq!(
        post(port, body, "d-1", &good),
        204,
        "a replay is acknowledged"
    );
    assert_eq!(post(port, body, "d-2", &good), 204);
    child.kill().unwrap();
    let mut lines = Vec::new();
    for line in out {
        lines.push(line.unwrap());
    }
    let _ = child.wait();
    assert_eq!(
        lines,
        [
            "d-1 OnDeploymentCompleted r1",
            "d-2 OnDeploymentCompleted r1"
        ],
        "each delivery handled once"
    );
}

#[test]
fn every_scenario_file_of_the_repository_loads() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            Scenario::load(&path).unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
        }
    }
}
