//! A request of a run for which no connection could be made never reached the host: the
//! real `ferry` binary says so (not "the host may have received it"), exits 5, and does not
//! leave the run unconfirmed. Between the CLI and `ferry host serve --auth open` sits a
//! forwarding proxy that stops listening right after the request that precedes the action,
//! so the action's own connection is refused.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

use common::{ferry_as, request, text, SETTINGS};

/// Whether a request (its request line, its body) is the last one before the refusal.
type Last = dyn Fn(&str, &str) -> bool + Send;
type Trigger = Box<Last>;

/// A proxy on a free loopback port forwarding to `upstream`, one request per connection.
/// After forwarding the first request whose (request line, body) `last` accepts, it stops
/// listening before it relays the answer: the client's next connection is refused.
/// `reopen` listens again on the same port.
struct Proxy {
    port: u16,
    upstream: String,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Proxy {
    fn start(upstream: &str, last: Trigger) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let proxy = Proxy {
            port,
            upstream: upstream.trim_start_matches("http://").to_string(),
            requests: Arc::default(),
        };
        proxy.serve(listener, Some(last));
        proxy
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn reopen(&self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port)).unwrap();
        self.serve(listener, None);
    }

    fn serve(&self, listener: TcpListener, last: Option<Trigger>) {
        let upstream = self.upstream.clone();
        let requests = self.requests.clone();
        std::thread::spawn(move || {
            let mut pending = None;
            for conn in listener.incoming() {
                let Ok(conn) = conn else { break };
                let (line, held) = forward(conn, &upstream, last.as_deref());
                requests.lock().unwrap().push(line);
                if held.is_some() {
                    pending = held;
                    break;
                }
            }
            // The next connection is refused from here on; only then the held answer goes.
            drop(listener);
            if let Some(relay) = pending {
                relay();
            }
        });
    }
}

type Relay = Box<dyn FnOnce() + Send>;

/// Reads one request, sends it upstream with `Connection: close` and relays the answer.
/// Returns the request line and, when `last` accepted it, the relay of its answer, held
/// back for the caller to send once it has stopped listening.
fn forward(client: TcpStream, upstream: &str, last: Option<&Last>) -> (String, Option<Relay>) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut head = Vec::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if !line.to_ascii_lowercase().starts_with("connection:") {
            head.push(line);
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).unwrap();
    let first = head.first().cloned().unwrap_or_default().trim().to_string();
    let hold = last.is_some_and(|f| f(&first, &String::from_utf8_lossy(&body)));
    let mut up = TcpStream::connect(upstream).unwrap();
    for line in &head {
        up.write_all(line.as_bytes()).unwrap();
    }
    up.write_all(b"Connection: close\r\n\r\n").unwrap();
    up.write_all(&body).unwrap();
    let mut answer = Vec::new();
    up.read_to_end(&mut answer).unwrap();
    let relay = move || {
        let mut client = client;
        let _ = client.write_all(&answer);
        let _ = client.shutdown(Shutdown::Both);
    };
    if hold {
        (first, Some(Box::new(relay)))
    } else {
        relay();
        (first, None)
    }
}

fn deploy_args<'a>(settings: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "deploy",
        "--solution",
        "ContosoCore",
        "--stage",
        "Deploy to Test",
        "--settings",
        settings,
    ];
    args.extend_from_slice(extra);
    args
}

fn stage_runs(url: &str) -> Vec<serde_json::Value> {
    let (_, body) = request(
        url,
        "GET",
        "/api/data/v9.2/deploymentstageruns?$select=deploymentstagerunid,stagerunstatus",
        "",
    );
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["value"].as_array().unwrap().clone()
}

fn setup(dir: &Path, proxy: &Proxy) -> String {
    let settings = dir.join("test.settings.json");
    std::fs::write(&settings, SETTINGS).unwrap();
    common::use_local_profile(dir, &proxy.url());
    settings.to_str().unwrap().to_string()
}

#[test]
fn a_refused_deploy_was_not_received_and_the_validated_run_stays_for_the_maker() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let host = common::serve(&dir.join("host"), &[]);
    // The versions' PATCH is the last request before DeployPackageAsync.
    let proxy = Proxy::start(
        &host.url,
        Box::new(|line, body| line.starts_with("PATCH") && body.contains("artifactversion")),
    );
    let settings = setup(dir, &proxy);

    let out = ferry_as(dir, "mona", &deploy_args(&settings, &["--wait"]));
    assert_eq!(out.status.code(), Some(5), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("never reached the host"), "{}", text(&out));
    assert!(!err.contains("may have received"), "{}", text(&out));
    assert!(err.contains("--run"), "{}", text(&out));
    let runs = stage_runs(&host.url);
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["stagerunstatus"], 200_000_007, "still validated");
    let id = runs[0]["deploymentstagerunid"]
        .as_str()
        .unwrap()
        .to_string();

    // Not unconfirmed: the run waits for the maker, who deploys it with --run.
    proxy.reopen();
    let resumed = ferry_as(dir, "mona", &["run", "resume"]);
    assert!(resumed.status.success(), "{}", text(&resumed));
    assert!(
        String::from_utf8_lossy(&resumed.stdout).contains("Validation Succeeded"),
        "{}",
        text(&resumed)
    );

    let out = ferry_as(
        dir,
        "mona",
        &deploy_args(&settings, &["--run", &id, "--wait"]),
    );
    assert!(out.status.success(), "{}", text(&out));
    let runs = stage_runs(&host.url);
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["stagerunstatus"], 200_000_002, "{runs:?}");
}

#[test]
fn a_refused_validate_was_not_received() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let host = common::serve(&dir.join("host"), &[]);
    // start_run reads the new run back, then sends ValidatePackageAsync.
    let proxy = Proxy::start(
        &host.url,
        Box::new(|line, _| line.starts_with("GET") && line.contains("deploymentstageruns(")),
    );
    let settings = setup(dir, &proxy);

    let out = ferry_as(dir, "mona", &deploy_args(&settings, &["--wait"]));
    assert_eq!(out.status.code(), Some(5), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the validate of the stage run") && err.contains("never reached the host"),
        "{}",
        text(&out)
    );
    assert!(!err.contains("may have received"), "{}", text(&out));
    assert!(
        !proxy
            .requests
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.contains("ValidatePackageAsync")),
        "the proxy forwarded no validation"
    );
    let runs = stage_runs(&host.url);
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["stagerunstatus"], 200_000_000, "never validated");
}
