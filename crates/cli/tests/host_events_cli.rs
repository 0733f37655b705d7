//! Reliability of business events with the real `ferry host serve` binary:
//! `kill -9` while webhook deliveries are being retried and a run waits on its
//! approval gate; after a restart on the same data dir the gate still waits,
//! deliveries resume in order, and a duplicate only ever repeats a delivery id.
//! The procedure and result are recorded in RELIABILITY.md.

mod common;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{host_serve, request, Served};
use serde_json::Value;

/// One request the receiver saw: delivery id, message name, operation id, answered status.
#[derive(Debug, Clone)]
struct Hit {
    delivery: String,
    message: String,
    operation: String,
    status: u16,
}

/// A tiny HTTP receiver answering every POST with the status in `mode`.
fn receiver(mode: Arc<AtomicU16>, hits: Arc<Mutex<Vec<Hit>>>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (mode, hits) = (mode.clone(), hits.clone());
            std::thread::spawn(move || answer(stream, &mode, &hits));
        }
    });
    port
}

fn answer(stream: TcpStream, mode: &AtomicU16, hits: &Mutex<Vec<Hit>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let status = mode.load(Ordering::SeqCst);
    hits.lock().unwrap().push(Hit {
        delivery: headers
            .get("x-ferry-delivery-id")
            .cloned()
            .unwrap_or_default(),
        message: v["MessageName"].as_str().unwrap_or_default().to_string(),
        operation: v["OperationId"].as_str().unwrap_or_default().to_string(),
        status,
    });
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
}

/// `ferry host serve --auth open` with a scenario; token-less requests act as the admin:
/// this test is about restarts, not sign-in.
fn serve(data_dir: &std::path::Path, scenario: &std::path::Path) -> Served {
    host_serve(&[
        "--speed".as_ref(),
        "100".as_ref(),
        "--auth".as_ref(),
        "open".as_ref(),
        "--scenario".as_ref(),
        scenario.as_os_str(),
        "--data-dir".as_ref(),
        data_dir.as_os_str(),
    ])
}

fn get_json(base: &str, path: &str) -> Value {
    let (status, body) = request(base, "GET", path, "");
    assert!(status.contains("200"), "{status} {body}");
    serde_json::from_str(&body).unwrap()
}

fn until(what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn scenario(port: u16) -> String {
    format!(
        r#"
name = "reliability"
[options]
webhook_retry_base_ms = 2000    # 20 ms at --speed 100
webhook_retry_cap_ms = 10000    # 100 ms at --speed 100

[[users]]
name = "Ade Admin"
upn = "ade@contoso.example"
roles = ["admin"]

[[environments]]
name = "dev"
kind = "development"
solutions = [{{ unique_name = "Tools", version = "1.0.0.0", publisher = "contoso", prefix = "cont" }}]

[[environments]]
name = "prod"
kind = "target"

[[pipelines]]
name = "Gated"
dev_environments = ["dev"]
stages = [{{ name = "Prod", target = "prod", delegated = true }}]

[[webhooks]]
url = "http://127.0.0.1:{port}/hook"
secret = "s3cret"
"#
    )
}

#[test]
fn kill_9_during_webhook_retries_and_a_pending_gate_loses_and_duplicates_nothing() {
    use ferry_host::scenario::derived_id;
    let mode = Arc::new(AtomicU16::new(503));
    let hits = Arc::new(Mutex::new(Vec::<Hit>::new()));
    let port = receiver(mode.clone(), hits.clone());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scenario.toml");
    std::fs::write(&file, scenario(port)).unwrap();
    let data = dir.path().join("data");

    let host = serve(&data, &file);
    let url = host.url.clone();
    let body = format!(
        r#"{{"deploymentstageid@odata.bind":"/deploymentstages({})","devdeploymentenvironment@odata.bind":"/deploymentenvironments({})","artifactname":"Tools","solutionid":"{}"}}"#,
        derived_id("stage", "Gated/Prod"),
        derived_id("registration", "dev"),
        derived_id("solution", "Tools"),
    );
    let (status, created) = request(&url, "POST", "/api/data/v9.2/deploymentstageruns", &body);
    assert!(status.contains("201"), "{status} {created}");
    let run = created.split("\"deploymentstagerunid\":\"").nth(1).unwrap()[..36].to_string();
    let action = |url: &str, name: &str, extra: &str| {
        let (status, body) = request(
            url,
            "POST",
            &format!("/api/data/v9.2/{name}"),
            &format!(r#"{{"StageRunId":"{run}"{extra}}}"#),
        );
        assert!(status.contains("204"), "{name}: {status} {body}");
    };
    let run_row = |url: &str| get_json(url, &format!("/api/data/v9.2/deploymentstageruns({run})"));
    action(&url, "ValidatePackageAsync", "");
    until("validation", || {
        run_row(&url)["stagerunstatus"] == 200000007
    });
    action(&url, "DeployPackageAsync", "");
    assert_eq!(run_row(&url)["approvalstatus"], 10);

    // The receiver answers 503: the first event is retried; kill -9 meanwhile.
    until("three failed attempts", || hits.lock().unwrap().len() >= 3);
    host.kill_9();
    let before_restart = hits.lock().unwrap().len();

    // Restart on the same data dir: the gate still waits, deliveries resume.
    let host = serve(&data, &file);
    let url = host.url.clone();
    let waiting = run_row(&url);
    assert_eq!(waiting["stagerunstatus"], 200000007, "{waiting}");
    assert_eq!(waiting["approvalstatus"], 10, "{waiting}");
    until("retries after the restart", || {
        hits.lock().unwrap().len() > before_restart
    });
    mode.store(200, Ordering::SeqCst);
    until("the first two events acknowledged", || {
        hits.lock()
            .unwrap()
            .iter()
            .filter(|h| h.status == 200)
            .count()
            >= 2
    });
    // Delivery is at least once: a kill between the receiver's 200 and the host noting it
    // sends that delivery again (same id). Kill once the host has noted both.
    until("the host noted both deliveries", || {
        let log = get_json(&url, "/_ferry/deliveries");
        log["value"].as_array().map_or(0, |v| {
            v.iter().filter(|d| d["state"] == "delivered").count()
        }) >= 2
    });
    host.kill_9();

    // Once more from the same data: approve, the run finishes, all five events arrive.
    let host = serve(&data, &file);
    let url = host.url.clone();
    assert_eq!(run_row(&url)["approvalstatus"], 10);
    action(&url, "UpdateApprovalStatus", r#","ApprovalStatus":20"#);
    until("the deployment", || {
        run_row(&url)["stagerunstatus"] == 200000002
    });
    until("all five events acknowledged", || {
        hits.lock()
            .unwrap()
            .iter()
            .filter(|h| h.status == 200)
            .count()
            >= 5
    });
    std::thread::sleep(Duration::from_millis(200));

    let hits = hits.lock().unwrap().clone();
    let acknowledged: Vec<&str> = hits
        .iter()
        .filter(|h| h.status == 200)
        .map(|h| h.message.as_str())
        .collect();
    assert_eq!(
        acknowledged,
        [
            "OnDeploymentRequested",
            "OnApprovalStarted",
            "OnApprovalCompleted",
            "OnDeploymentStarted",
            "OnDeploymentCompleted"
        ],
        "{hits:?}"
    );
    // One delivery id per event, however often it was sent.
    let mut ids: HashMap<&str, HashSet<&str>> = HashMap::new();
    for h in &hits {
        assert!(!h.delivery.is_empty());
        ids.entry(h.operation.as_str())
            .or_default()
            .insert(h.delivery.as_str());
    }
    assert_eq!(ids.len(), 5);
    assert!(ids.values().all(|d| d.len() == 1), "{ids:?}");
    let events = get_json(&url, &format!("/_ferry/events?run={run}"));
    assert_eq!(events["value"].as_array().unwrap().len(), 5, "{events}");
    let log = get_json(&url, "/_ferry/deliveries");
    let log = log["value"].as_array().unwrap();
    assert!(log.iter().all(|d| d["state"] == "delivered"), "{log:?}");
    assert!(log[0]["attempts"].as_i64().unwrap() >= 4, "{:?}", log[0]);
    host.kill_9();
}
