//! Business events and gates over real HTTP: every gate approved or rejected,
//! admin-only gate properties, the `/_ferry/events` log, and webhook delivery
//! to a receiver in the test (signatures, headers, order, retries).

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as AxStatus};
use common::*;
use ferry_host::scenario::{PipelineSpec, StageSpec};
use ferry_host::Scenario;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};

const GATED: &str = "All Gates";
const MAKER: (&str, &str) = ("Authorization", "Bearer mona");

/// The demo plus a one-stage pipeline with all three gates.
fn gated_scenario() -> Scenario {
    let mut s = Scenario::demo();
    s.pipelines.push(PipelineSpec {
        name: GATED.into(),
        dev_environments: vec!["dev".into()],
        stages: vec![StageSpec {
            name: "Gated Test".into(),
            target: "test".into(),
            pre_export_step: true,
            pre_deployment_step: true,
            delegated: true,
            ..Default::default()
        }],
        shared_with: vec!["mona@contoso.example".into()],
        ..Default::default()
    });
    s
}

fn gated_stage() -> String {
    stage(GATED, "Gated Test")
}

async fn act_as(
    h: &TestHost,
    name: &str,
    body: Value,
    who: &[(&str, &str)],
) -> (StatusCode, Value) {
    let (s, _, v) = h.send(reqwest::Method::POST, name, body, who).await;
    (s, v)
}

async fn events(h: &TestHost, run: &str) -> Vec<Value> {
    let (s, v) = h.get(&format!("{}/_ferry/events?run={run}", h.base)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["value"].as_array().unwrap().clone()
}

fn names(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["name"].as_str().unwrap()).collect()
}

/// Waits until the run has at least `count` events.
async fn wait_events(h: &TestHost, run: &str, count: usize) -> Vec<Value> {
    h.until(
        &format!("{count} events of {run}"),
        || events(h, run),
        |list| list.len() >= count,
    )
    .await
}

/// Creates a run on the gated stage and validates it through the pre-export gate.
async fn through_pre_export(h: &TestHost, solution: &str) -> String {
    let run = h
        .create_run_as("mona", &gated_stage(), "dev", solution)
        .await;
    let (s, b) = act_as(
        h,
        "ValidatePackageAsync",
        json!({ "StageRunId": run }),
        &[MAKER],
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let waiting = h.run(&run).await;
    assert_eq!(waiting["suboperation"], 200000108, "{waiting}");
    assert_eq!(waiting["preexportstepstatus"], 10);
    let (s, b) = h
        .post(
            "UpdatePreExportStepStatus",
            json!({ "StageRunId": run, "PreExportStepStatus": "20", "Comments": "exported ok",
                    "PreExportProperties": "{\"ticket\":\"CHG-1\"}" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    h.wait_for(&run, &[200000007]).await;
    run
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_through_every_gate_emits_all_seven_events_in_order() {
    let h = start(gated_scenario()).await;
    let run = through_pre_export(&h, "ContosoCanvas").await;
    let (s, b) = act_as(
        &h,
        "DeployPackageAsync",
        json!({ "StageRunId": run }),
        &[MAKER],
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    assert_eq!(h.run(&run).await["approvalstatus"], 10);

    // 10 leaves the gate pending; anything but 10/20/30 is refused.
    let (s, _) = h
        .post(
            "UpdateApprovalStatus",
            json!({ "StageRunId": run, "ApprovalStatus": 10 }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(h.run(&run).await["approvalstatus"], 10);
    let (s, b) = h
        .post(
            "UpdateApprovalStatus",
            json!({ "StageRunId": run, "ApprovalStatus": 40 }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");

    let (s, b) = h
        .post(
            "UpdateApprovalStatus",
            json!({ "StageRunId": run, "ApprovalStatus": 20, "ApprovalComments": "go ahead",
                    "ApprovalProperties": "{\"approver\":\"ade\"}" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    assert_eq!(h.run(&run).await["predeploymentstepstatus"], 10);
    let (s, b) = h
        .post(
            "UpdatePreDeploymentStepStatus",
            json!({ "StageRunId": run, "PreDeploymentStepStatus": 20, "Comments": "checks green" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let done = h.wait_for(&run, &[200000002, 200000003]).await;
    assert_eq!(done["stagerunstatus"], 200000002, "{done}");

    // Comments are maker-visible; properties only for admins.
    let admin = h.run(&run).await;
    assert_eq!(admin["approvalcomments"], "go ahead");
    assert_eq!(admin["predeploymentstepcomments"], "checks green");
    assert_eq!(admin["preexportstepcomments"], "exported ok");
    assert_eq!(admin["approvalproperties"], "{\"approver\":\"ade\"}");
    assert_eq!(admin["preexportproperties"], "{\"ticket\":\"CHG-1\"}");
    let r = h
        .get_with(&format!("deploymentstageruns({run})"), &[MAKER])
        .await;
    let maker: Value = r.json().await.unwrap();
    assert_eq!(maker["approvalcomments"], "go ahead", "{maker}");
    assert_eq!(maker["approvalproperties"], Value::Null, "{maker}");
    assert_eq!(maker["preexportproperties"], Value::Null, "{maker}");
    let r = h
        .get_with(
            &format!(
                "deploymentstages({})?$expand=deploymentstage_deploymentstagerun",
                gated_stage()
            ),
            &[MAKER],
        )
        .await;
    let text = r.text().await.unwrap();
    assert!(
        text.contains("go ahead") && !text.contains("CHG-1"),
        "{text}"
    );
    let r = h
        .get_with(
            &format!("deploymentstageruns({run})/approvalproperties"),
            &[MAKER],
        )
        .await;
    assert_eq!(r.json::<Value>().await.unwrap()["value"], Value::Null);

    let list = events(&h, &run).await;
    assert_eq!(
        names(&list),
        [
            "OnDeploymentRequested",
            "OnApprovalStarted",
            "OnApprovalCompleted",
            "OnPreDeploymentStarted",
            "OnPreDeploymentCompleted",
            "OnDeploymentStarted",
            "OnDeploymentCompleted",
        ]
    );
    let seqs: Vec<i64> = list
        .iter()
        .map(|e| e["sequence"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5, 6, 7]);
    for e in &list {
        assert_eq!(e["input"]["StageRunId"], run.as_str());
        assert_eq!(e["output"]["ArtifactName"], "ContosoCanvas");
        assert_eq!(e["output"]["DeploymentStageName"], "Gated Test");
        assert_eq!(e["output"]["DeploymentPipelineName"], GATED);
    }
    let requested = &list[0]["output"];
    assert_eq!(requested["DeployAsUser"], "mona@contoso.example");
    assert_eq!(
        requested["StageRunDetailsLink"],
        format!("{}/api/data/v9.0/deploymentstageruns({run})", h.base)
    );
    assert_eq!(list[2]["input"]["ApprovalStatus"], 20);
    assert_eq!(list[2]["output"]["ApprovalComments"], "go ahead");
    assert_eq!(list[3]["input"]["PreDeploymentStepStatus"], 10);
    assert_eq!(list[4]["output"]["PreDeploymentStepStatus"], 20);
    assert_eq!(list[4]["output"]["Comments"], "checks green");
    assert_eq!(list[5]["input"]["DeploymentStatus"], 200000001);
    assert_eq!(list[6]["input"]["DeploymentStatus"], 200000002);
    assert_eq!(list[6]["input"]["ErrorMessage"], Value::Null);
    let artifact = admin["_artifactid_value"].as_str().unwrap();
    let link = list[5]["output"]["ArtifactFileDownloadLink"]
        .as_str()
        .unwrap();
    assert_eq!(
        link,
        format!(
            "{}/api/data/v9.0/deploymentartifacts({artifact})/artifactfile/$value",
            h.base
        )
    );
    let r = h.get_with(link, &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(&r.bytes().await.unwrap()[..2], b"PK");
    assert_eq!(
        list[1]["output"]["UnmanagedArtifactFileDownloadLink"],
        link.replace("/artifactfile/", "/artifactfileunmanaged/")
    );

    // The log is for admins only.
    let r = h
        .get_with(&format!("{}/_ferry/events", h.base), &[MAKER])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body["error"]["code"],
        ferry_pipelines::codes::PRIVILEGE_DENIED.hex()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_gate_rejected_fails_the_run_with_its_comment() {
    let h = start(gated_scenario()).await;

    // Pre-export rejected: the requested deployment completes as failed.
    let run = h
        .create_run_as("mona", &gated_stage(), "dev", "ContosoPortal")
        .await;
    h.action("ValidatePackageAsync", &run).await;
    let (s, b) = h
        .post(
            "UpdatePreExportStepStatus",
            json!({ "StageRunId": run, "PreExportStepStatus": 30, "Comments": "source not tagged" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let r = h.run(&run).await;
    assert_eq!(r["stagerunstatus"], 200000003);
    assert_eq!(r["preexportstepstatus"], 30);
    assert_eq!(r["preexportstepcomments"], "source not tagged");
    assert!(
        r["errormessage"]
            .as_str()
            .unwrap()
            .contains("source not tagged"),
        "{r}"
    );
    let list = events(&h, &run).await;
    assert_eq!(
        names(&list),
        ["OnDeploymentRequested", "OnDeploymentCompleted"]
    );
    assert_eq!(list[1]["input"]["DeploymentStatus"], 200000003);
    assert_eq!(list[1]["input"]["ErrorMessage"], r["errormessage"]);

    // Approval rejected.
    let run = through_pre_export(&h, "ContosoCanvas").await;
    h.action("DeployPackageAsync", &run).await;
    h.post(
        "UpdateApprovalStatus",
        json!({ "StageRunId": run, "ApprovalStatus": "30", "ApprovalComments": "not this week" }),
    )
    .await;
    let r = h.run(&run).await;
    assert_eq!(r["stagerunstatus"], 200000003);
    assert_eq!(r["approvalstatus"], 30);
    assert_eq!(r["approvalcomments"], "not this week");
    assert!(r["errormessage"]
        .as_str()
        .unwrap()
        .contains("not this week"));
    let list = events(&h, &run).await;
    assert_eq!(
        names(&list),
        [
            "OnDeploymentRequested",
            "OnApprovalStarted",
            "OnApprovalCompleted",
            "OnDeploymentCompleted"
        ]
    );
    assert_eq!(list[2]["input"]["ApprovalStatus"], 30);

    // Pre-deployment step failed.
    let run = through_pre_export(&h, "ContosoCore").await;
    h.action("DeployPackageAsync", &run).await;
    h.post(
        "UpdateApprovalStatus",
        json!({ "StageRunId": run, "ApprovalStatus": 20 }),
    )
    .await;
    let (s, _) = h
        .post(
            "UpdatePreDeploymentStepStatus",
            json!({ "StageRunId": run, "PreDeploymentStepStatus": 30, "Comments": "smoke test red" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let r = h.run(&run).await;
    assert_eq!(r["stagerunstatus"], 200000003);
    assert_eq!(r["predeploymentstepcomments"], "smoke test red");
    assert!(r["errormessage"]
        .as_str()
        .unwrap()
        .contains("smoke test red"));
    let list = events(&h, &run).await;
    assert_eq!(
        names(&list)[3..],
        [
            "OnPreDeploymentStarted",
            "OnPreDeploymentCompleted",
            "OnDeploymentCompleted"
        ]
    );
    assert_eq!(list[4]["output"]["PreDeploymentStepStatus"], 30);
    assert_eq!(list[4]["output"]["Comments"], "smoke test red");

    // A refused answer records nothing (the transition rolled back).
    let (s, _) = h
        .post(
            "UpdateApprovalStatus",
            json!({ "StageRunId": run, "ApprovalStatus": 20 }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(events(&h, &run).await.len(), list.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_and_canceled_runs_say_so_in_deployment_status() {
    let h = start(Scenario::demo()).await;
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCanvas")
        .await;
    h.action("ValidatePackageAsync", &run).await;
    h.wait_for(&run, &[200000007]).await;
    h.patch(
        &format!("deploymentstageruns({run})"),
        json!({ "scheduledtime": "2999-01-01T00:00:00Z" }),
    )
    .await;
    h.action("DeployPackageAsync", &run).await;
    h.patch(
        &format!("deploymentstageruns({run})"),
        json!({ "iscanceled": true }),
    )
    .await;
    let list = events(&h, &run).await;
    assert_eq!(
        names(&list),
        [
            "OnDeploymentRequested",
            "OnDeploymentStarted",
            "OnDeploymentCompleted"
        ]
    );
    assert_eq!(list[1]["input"]["DeploymentStatus"], 200000005);
    assert_eq!(list[2]["input"]["DeploymentStatus"], 200000006);
}

/// What the test receiver saw: (headers, raw body, status it answered).
type Seen = Arc<Mutex<Vec<(HeaderMap, Bytes, u16)>>>;

/// An axum receiver on `addr` answering with the status in `mode`.
async fn receiver(
    addr: SocketAddr,
    mode: Arc<AtomicU16>,
    seen: Seen,
) -> tokio::task::JoinHandle<()> {
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let (mode, seen) = (mode.clone(), seen.clone());
            async move {
                let status = mode.load(Ordering::SeqCst);
                seen.lock().unwrap().push((headers, body, status));
                AxStatus::from_u16(status).unwrap()
            }
        }),
    );
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    })
}

fn verify(secret: &str, body: &[u8], header: &str) -> bool {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    header == format!("sha256={hex}")
}

async fn deliveries(h: &TestHost) -> Vec<Value> {
    let (s, v) = h.get(&format!("{}/_ferry/deliveries", h.base)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["value"].as_array().unwrap().clone()
}

/// Waits until `check` holds; it looks again after each change of the host's data (every
/// delivery attempt is recorded once the receiver answered).
async fn until(h: &TestHost, what: &str, check: impl Fn() -> bool) {
    h.until(what, || async {}, |()| check()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_gets_signed_events_in_order_and_redeliveries_keep_their_ids() {
    let h = start(Scenario::demo()).await;
    // A port nobody listens on yet: the first attempts fail to connect.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let url = format!("http://{addr}/hook");

    let hook = json!({ "url": url, "secret": "s3cret", "headers": { "x-api-key": "k1" } });
    let (s, _, b) = h
        .send(
            reqwest::Method::POST,
            &format!("{}/_ferry/webhooks", h.base),
            hook.clone(),
            &[MAKER],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, created) = h.post(&format!("{}/_ferry/webhooks", h.base), hook).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert!(
        created.get("secret").is_none() && created["signed"] == true,
        "{created}"
    );
    let (_, list) = h.get(&format!("{}/_ferry/webhooks", h.base)).await;
    assert_eq!(list["value"].as_array().unwrap().len(), 1);

    let done = h
        .deploy(
            &stage(RELEASE, "Deploy to Test"),
            "ContosoCanvas",
            None,
            None,
        )
        .await;
    assert_eq!(done["stagerunstatus"], 200000002, "{done}");
    let run = done["deploymentstagerunid"].as_str().unwrap().to_string();
    let emitted = wait_events(&h, &run, 3).await;
    assert_eq!(
        names(&emitted),
        [
            "OnDeploymentRequested",
            "OnDeploymentStarted",
            "OnDeploymentCompleted"
        ]
    );

    // Down: connection errors are logged and retried; nothing gets ahead of event 1.
    let log = h
        .until(
            "two failed attempts",
            || deliveries(&h),
            |log| log[0]["attempts"].as_i64().unwrap() >= 2,
        )
        .await;
    assert!(
        log[0]["log"][0]["error"]
            .as_str()
            .unwrap()
            .contains("connect"),
        "{log:?}"
    );
    assert!(log[1..].iter().all(|d| d["attempts"] == 0), "{log:?}");

    // Up but failing (503), then healthy.
    let mode = Arc::new(AtomicU16::new(503));
    let seen: Seen = Arc::default();
    let server = receiver(addr, mode.clone(), seen.clone()).await;
    until(&h, "two 503 answers", || seen.lock().unwrap().len() >= 2).await;
    mode.store(200, Ordering::SeqCst);
    until(&h, "all three events acknowledged", || {
        seen.lock().unwrap().iter().filter(|s| s.2 == 200).count() >= 3
    })
    .await;
    // Every delivery recorded as delivered: nothing more will be sent.
    h.until(
        "every delivery recorded as delivered",
        || deliveries(&h),
        |log| log.iter().all(|d| d["state"] == "delivered"),
    )
    .await;

    let seen = seen.lock().unwrap().clone();
    let mut acknowledged: Vec<String> = Vec::new();
    let mut ids: std::collections::HashMap<String, (String, Bytes)> = Default::default();
    for (headers, body, status) in &seen {
        let text = std::str::from_utf8(body).unwrap();
        let v: Value = serde_json::from_str(text).unwrap();
        let header = |k: &str| headers[k].to_str().unwrap().to_string();
        assert!(
            verify("s3cret", body, &header("x-ferry-signature")),
            "bad signature"
        );
        assert_eq!(header("x-ms-dynamics-entity-name"), "none");
        assert_eq!(
            header("x-ms-dynamics-request-name"),
            v["MessageName"].as_str().unwrap()
        );
        assert_eq!(
            header("x-ms-correlation-request-id"),
            v["CorrelationId"].as_str().unwrap()
        );
        assert_eq!(header("x-request-id"), v["RequestId"].as_str().unwrap());
        assert_eq!(
            header("x-ms-dynamics-organization"),
            h.base.trim_start_matches("http://")
        );
        assert_eq!(header("x-api-key"), "k1");
        assert_eq!(v["Mode"], 1);
        assert_eq!(v["Stage"], 40);
        assert_eq!(v["PrimaryEntityName"], "none");
        assert!(v["OrganizationId"].as_str().unwrap().len() == 36);
        assert_eq!(v["InputParameters"][0]["key"], "StageRunId");
        assert_eq!(v["InputParameters"][0]["value"], run.as_str());
        assert!(text.contains("\"OperationCreatedOn\":\"\\/Date("), "{text}");
        // A retry carries the same delivery id and the same bytes.
        let id = header("x-ferry-delivery-id");
        let name = v["MessageName"].as_str().unwrap().to_string();
        let entry = ids.entry(id).or_insert((name.clone(), body.clone()));
        assert_eq!(entry.0, name);
        assert_eq!(entry.1, body);
        // In order: an event is only sent once every earlier one was acknowledged.
        let position = names(&emitted).iter().position(|n| *n == name).unwrap();
        assert_eq!(
            acknowledged.len(),
            position,
            "{name} sent before its predecessors"
        );
        if *status == 200 {
            acknowledged.push(name);
        }
    }
    assert_eq!(acknowledged, names(&emitted));
    assert_eq!(ids.len(), 3);
    let completed: Value = serde_json::from_slice(&seen.last().unwrap().1).unwrap();
    assert_eq!(
        completed["InputParameters"][1],
        json!({ "key": "DeploymentStatus", "value": 200000002 })
    );

    let log = deliveries(&h).await;
    assert!(log.iter().all(|d| d["state"] == "delivered"), "{log:?}");
    let first = log[0]["log"].as_array().unwrap();
    assert!(first.iter().any(|a| a["status"] == 503), "{first:?}");
    assert_eq!(first.last().unwrap()["status"], 200);
    assert!(first
        .iter()
        .all(|a| a["duration_ms"].is_i64() && a["time"].is_string()));

    // A deleted webhook gets nothing more.
    let id = created["id"].as_str().unwrap();
    let (s, _, _) = h
        .send(
            reqwest::Method::DELETE,
            &format!("{}/_ferry/webhooks/{id}", h.base),
            json!({}),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _, _) = h
        .send(
            reqwest::Method::DELETE,
            &format!("{}/_ferry/webhooks/{id}", h.base),
            json!({}),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    server.abort();
}
