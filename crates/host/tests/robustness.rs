//! Issue 16 §3: no input takes the host down. Arbitrary query options and paths over real
//! HTTP never panic the host nor get a 5xx; every refusal is a 400 (or 404/405 for paths)
//! with the Dataverse error body. Fault switches refuse absurd numbers; a too-large body gets
//! 413 in the Dataverse shape.

mod common;

use common::*;
use ferry_host::Scenario;
use proptest::prelude::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Asserts `status` is no server error and a refusal carries `{error:{code,message}}`.
fn assert_refusal_shape(what: &str, status: StatusCode, body: &str) {
    assert!(!status.is_server_error(), "{what}: {status} {body}");
    if status.is_client_error() {
        let v: Value = serde_json::from_str(body)
            .unwrap_or_else(|_| panic!("{what}: {status} not JSON: {body}"));
        assert!(v["error"]["code"].is_string(), "{what}: {body}");
        assert!(v["error"]["message"].is_string(), "{what}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deeply_nested_filters_are_refused_not_fatal() {
    let h = start(Scenario::demo()).await;
    for depth in [40usize, 400, 5_000] {
        let filter = format!("{}statecode eq 0{}", "(".repeat(depth), ")".repeat(depth));
        let r = h
            .client
            .get(h.url("deploymentpipelines"))
            .query(&[("$filter", filter.as_str())])
            .send()
            .await
            .unwrap();
        let status = r.status();
        let body = r.text().await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "depth {depth}: {body}");
        assert_refusal_shape("nested", status, &body);
        let nots = format!("{}statecode eq 0", "not ".repeat(depth));
        let r = h
            .client
            .get(h.url("deploymentpipelines"))
            .query(&[("$filter", nots.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "not × {depth}");
    }
    // A long flat chain of conditions is bounded too.
    let chain = vec!["statecode eq 0"; 2_000].join(" or ");
    let r = h
        .client
        .get(h.url("deploymentpipelines"))
        .query(&[("$filter", chain.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // Nesting within the limit still works, and the host is alive.
    let ok = format!("{}statecode eq 0{}", "(".repeat(20), ")".repeat(20));
    let r = h
        .client
        .get(h.url("deploymentpipelines"))
        .query(&[("$filter", ok.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

/// Characters OData queries are made of, plus a few that are not.
fn odata_text() -> impl Strategy<Value = String> {
    let atoms = prop_oneof![
        Just("(".to_string()),
        Just(")".to_string()),
        Just(" ".to_string()),
        Just("'".to_string()),
        Just(",".to_string()),
        Just(";".to_string()),
        Just("/".to_string()),
        Just(":".to_string()),
        Just("=".to_string()),
        Just("$".to_string()),
        Just(" eq ".to_string()),
        Just(" and ".to_string()),
        Just(" or ".to_string()),
        Just("not ".to_string()),
        Just("any".to_string()),
        Just("all".to_string()),
        Just("contains".to_string()),
        Just("statecode".to_string()),
        Just("name".to_string()),
        Just("deploymentpipeline_deploymentstage".to_string()),
        Just("_deploymentpipelineid_value".to_string()),
        Just("$select=name".to_string()),
        Just("$filter=".to_string()),
        Just(" desc".to_string()),
        Just("00000000-0000-0000-0000-000000000001".to_string()),
        Just("2026-01-01T00:00:00Z".to_string()),
        "[0-9.eE+-]{1,8}",
        "\\PC{0,4}",
    ];
    prop::collection::vec(atoms, 0..40).prop_map(|v| v.concat())
}

fn path_text() -> impl Strategy<Value = String> {
    let atoms = prop_oneof![
        Just("deploymentstageruns".to_string()),
        Just("deploymentartifacts".to_string()),
        Just("deploymentpipelines".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("/".to_string()),
        Just("'".to_string()),
        Just("=".to_string()),
        Just(",".to_string()),
        Just("$ref".to_string()),
        Just("$value".to_string()),
        Just("$count".to_string()),
        Just("artifactfile".to_string()),
        Just("RetrieveDeploymentPipelineInfo".to_string()),
        Just("DeploymentPipelineId=".to_string()),
        Just("@p1".to_string()),
        Just("00000000-0000-0000-0000-000000000001".to_string()),
        "[a-zA-Z0-9_.%-]{1,6}",
        "\\PC{0,3}",
    ];
    prop::collection::vec(atoms, 0..16).prop_map(|v| v.concat())
}

/// Percent-encodes what a URL path cannot carry as is.
fn encode_path(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"()/',=$@_.-".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

struct Fixture {
    rt: tokio::runtime::Runtime,
    h: TestHost,
}

fn fixture() -> Fixture {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let h = rt.block_on(start(Scenario::demo()));
    Fixture { rt, h }
}

impl Fixture {
    fn get(&self, url: reqwest::Url) -> (StatusCode, String) {
        self.rt.block_on(async {
            let r = self.h.client.get(url).send().await.unwrap();
            let s = r.status();
            (s, r.text().await.unwrap())
        })
    }

    fn alive(&self) {
        let (s, body) = self.get(reqwest::Url::parse(&self.h.url("WhoAmI")).unwrap());
        assert_eq!(s, StatusCode::OK, "the host died: {body}");
    }
}

#[test]
fn arbitrary_query_options_never_take_the_host_down() {
    let f = fixture();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let options = prop_oneof![
        Just("$filter"),
        Just("$select"),
        Just("$orderby"),
        Just("$expand"),
        Just("$top"),
    ];
    let sets = prop_oneof![
        Just("deploymentstageruns"),
        Just("deploymentpipelines"),
        Just("deploymentstages"),
    ];
    runner
        .run(&(options, sets, odata_text()), |(option, set, value)| {
            let mut url = reqwest::Url::parse(&f.h.url(set)).unwrap();
            url.query_pairs_mut().append_pair(option, &value);
            let (status, body) = f.get(url);
            assert_refusal_shape(&format!("{option}={value}"), status, &body);
            if status.is_client_error() {
                prop_assert_eq!(
                    status,
                    StatusCode::BAD_REQUEST,
                    "{}={}: {}",
                    option,
                    value,
                    body
                );
            }
            Ok(())
        })
        .unwrap();
    f.alive();
}

#[test]
fn arbitrary_paths_never_take_the_host_down() {
    let f = fixture();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    runner
        .run(&path_text(), |path| {
            let raw = format!("{}/{}", f.h.api, encode_path(&path));
            let Ok(url) = reqwest::Url::parse(&raw) else {
                return Ok(());
            };
            let (status, body) = f.get(url);
            assert_refusal_shape(&path, status, &body);
            Ok(())
        })
        .unwrap();
    f.alive();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absurd_fault_switches_are_refused() {
    let h = start(Scenario::demo()).await;
    let faults = format!("{}/_ferry/faults", h.base);
    let bad = [
        json!({ "throttle": { "requests": 1, "seconds": 1e300 } }),
        json!({ "jitter_ms": u64::MAX }),
        json!({ "latency_ms": u64::MAX }),
        json!({ "throttle": { "requests": 1, "retry_after": u64::MAX } }),
        json!({ "import_slowdown": 1e300 }),
        json!({ "server_errors": { "requests": 1, "status": 200 } }),
    ];
    for body in bad {
        for method in [reqwest::Method::PUT, reqwest::Method::PATCH] {
            let (s, _, b) = h.send(method.clone(), &faults, body.clone(), &[]).await;
            assert_eq!(s, StatusCode::BAD_REQUEST, "{method} {body}: {b}");
            assert!(b["error"]["message"].is_string(), "{b}");
        }
    }
    // Nothing was applied: the host answers at once.
    let (s, v) = h.get("WhoAmI").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, state) = h.get(&faults).await;
    assert_eq!(state["jitter_ms"], 0, "{state}");
    // A scenario with such a switch does not load.
    let text = "name = \"x\"\n[faults]\njitter_ms = 18446744073709551615\n";
    let err = Scenario::from_toml(text).unwrap_err();
    assert!(format!("{err:#}").contains("jitter_ms"), "{err:#}");
    let text = "name = \"x\"\n[faults]\nthrottle = { requests = 1, seconds = 1e300 }\n";
    assert!(Scenario::from_toml(text).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_body_gets_413_in_the_dataverse_shape() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let h = start(Scenario::demo()).await;
    // Sent by hand: the host answers 413 and closes before a 100 MB body is through,
    // and an HTTP client then reports its broken write instead of the answer.
    let addr = h.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let size = 100 * 1024 * 1024;
    let head = format!(
        "POST /api/data/v9.2/deploymentstageruns HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b'x'; 1024 * 1024];
    for _ in 0..100 {
        if stream.write_all(&chunk).await.is_err() {
            break;
        }
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let body = &answer[answer.find("\r\n\r\n").expect("a body") + 4..];
    let body: Value = serde_json::from_str(body.trim()).unwrap_or_else(|e| panic!("{e}: {body}"));
    assert!(body["error"]["code"].is_string(), "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("MiB"),
        "{body}"
    );
}
