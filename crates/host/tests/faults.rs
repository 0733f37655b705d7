//! Faults on purpose, each observed from a client over real HTTP, switched by
//! the scenario's `[faults]` table and at run time through `/_ferry/faults`.

mod common;

use std::time::{Duration, Instant};

use common::*;
use ferry_host::scenario::derived_id;
use ferry_host::Scenario;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const CANVAS: &str = "ContosoCanvas";
const PORTAL_APP: &str = "a8f7a65c-f5ba-4859-b2d6-df772c264e9d";

async fn faults(h: &TestHost, method: Method, body: Value) -> (StatusCode, Value) {
    let (s, _, v) = h
        .send(method, &format!("{}/_ferry/faults", h.base), body, &[])
        .await;
    (s, v)
}

async fn switch(h: &TestHost, body: Value) -> Value {
    let (s, v) = faults(h, Method::PATCH, body).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_is_added_to_the_web_api_only() {
    let h = start(Scenario::demo()).await;
    switch(&h, json!({ "latency_ms": 300, "jitter_ms": 50 })).await;
    let t = Instant::now();
    assert_eq!(h.get("WhoAmI").await.0, StatusCode::OK);
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
    let t = Instant::now();
    let (s, v) = faults(&h, Method::GET, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        t.elapsed() < Duration::from_millis(300),
        "the admin endpoint is never slowed"
    );
    assert_eq!(v["latency_ms"], 300);
    assert_eq!(
        faults(&h, Method::DELETE, Value::Null).await.0,
        StatusCode::NO_CONTENT
    );
    let t = Instant::now();
    h.get("WhoAmI").await;
    assert!(t.elapsed() < Duration::from_millis(300));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_answers_retry_after_with_the_throttling_error() {
    let h = start_manual(Scenario::demo()).await;
    switch(
        &h,
        json!({ "throttle": { "requests": 2, "retry_after": 3 } }),
    )
    .await;
    for _ in 0..2 {
        let r = h.get_with("deploymentpipelines", &[]).await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()["retry-after"], "3");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "0x80072322", "{body}");
    }
    assert_eq!(h.get("deploymentpipelines").await.0, StatusCode::OK);

    // A storm for a time: everything is throttled until it passes.
    switch(
        &h,
        json!({ "throttle": { "seconds": 0.5, "retry_after": 1 } }),
    )
    .await;
    for _ in 0..3 {
        assert_eq!(h.get("WhoAmI").await.0, StatusCode::TOO_MANY_REQUESTS);
    }
    // The window is on the host's clock.
    h.advance(Duration::from_millis(400)).await;
    assert_eq!(h.get("WhoAmI").await.0, StatusCode::TOO_MANY_REQUESTS);
    h.advance(Duration::from_millis(100)).await;
    assert_eq!(h.get("WhoAmI").await.0, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_answer_the_chosen_status() {
    let h = start(Scenario::demo()).await;
    switch(
        &h,
        json!({ "server_errors": { "requests": 2, "status": 502, "path": "deploymentstages" } }),
    )
    .await;
    assert_eq!(
        h.get("WhoAmI").await.0,
        StatusCode::OK,
        "only matching requests"
    );
    let (s, b) = h.get("deploymentstages").await;
    assert_eq!(s, StatusCode::BAD_GATEWAY);
    assert!(
        b["error"]["code"].as_str().unwrap().starts_with("0x8004"),
        "{b}"
    );
    let (s, _) = h.get("deploymentstages").await;
    assert_eq!(s, StatusCode::BAD_GATEWAY);
    assert_eq!(h.get("deploymentstages").await.0, StatusCode::OK);
    // PATCH merges: the path filter stays unless it is cleared too.
    switch(
        &h,
        json!({ "server_errors": { "requests": 1, "status": 503, "path": "" } }),
    )
    .await;
    assert_eq!(h.get("WhoAmI").await.0, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_connections_are_connection_errors_not_statuses() {
    let h = start(Scenario::demo()).await;
    switch(&h, json!({ "drops": { "requests": 1 } })).await;
    let err = h
        .client
        .get(h.url("WhoAmI"))
        .send()
        .await
        .expect_err("a dropped connection has no answer");
    assert!(err.status().is_none(), "{err:?}");
    assert!(err.is_request() || err.is_connect(), "{err:?}");
    assert_eq!(h.get("WhoAmI").await.0, StatusCode::OK);

    // After handling: the run is created, the client never hears of it.
    switch(&h, json!({ "drops": { "requests": 1, "after_handling": true, "method": "POST", "path": "deploymentstageruns" } })).await;
    let id = uuid::Uuid::new_v4().to_string();
    let sent = h
        .client
        .post(h.url("deploymentstageruns"))
        .json(&json!({
            "deploymentstagerunid": id,
            "deploymentstageid@odata.bind": format!("/deploymentstages({})", stage(RELEASE, "Deploy to Test")),
            "devdeploymentenvironment@odata.bind": format!("/deploymentenvironments({})", registration("dev")),
            "artifactname": CANVAS,
            "solutionid": derived_id("solution", CANVAS),
        }))
        .send()
        .await;
    assert!(sent.is_err(), "{sent:?}");
    let (s, _) = h.get(&format!("deploymentstageruns({id})")).await;
    assert_eq!(s, StatusCode::OK, "the create happened");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_failing_imports() {
    let h = start(Scenario::demo()).await;
    let t = Instant::now();
    let normal = h
        .deploy(
            &stage(RELEASE, "Deploy to Test"),
            CANVAS,
            Some("1.0.0.1"),
            None,
        )
        .await;
    assert_eq!(normal["stagerunstatus"], 200000002, "{normal}");
    let quick = t.elapsed();

    // At test speed the import takes 70 ms; × 30 it takes about 2 s.
    switch(&h, json!({ "import_slowdown": 30.0 })).await;
    let t = Instant::now();
    let slow = h
        .deploy(&stage(RELEASE, "Deploy to UAT"), CANVAS, None, None)
        .await;
    assert_eq!(slow["stagerunstatus"], 200000002, "{slow}");
    assert!(
        t.elapsed() > quick + Duration::from_millis(1500),
        "{:?} vs {quick:?}",
        t.elapsed()
    );

    let state = switch(
        &h,
        json!({ "import_slowdown": 1.0, "import_failures": { "test": 1 } }),
    )
    .await;
    assert_eq!(state["import_failures"]["test"], 1, "{state}");
    let failed = h
        .deploy(
            &stage(RELEASE, "Deploy to Test"),
            "ContosoCore",
            Some("1.0.0.4"),
            Some(core_settings("test")),
        )
        .await;
    assert_eq!(failed["stagerunstatus"], 200000003, "{failed}");
    assert!(
        failed["errormessage"]
            .as_str()
            .unwrap()
            .contains("emulated import failure"),
        "{failed}"
    );
    let (_, state) = faults(&h, Method::GET, Value::Null).await;
    assert_eq!(state["import_failures"]["test"], 0, "{state}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chosen_validation_result_appears_once() {
    let h = start(Scenario::demo()).await;
    switch(&h, json!({ "validation": { CANVAS: {
        "results": [{ "SolutionValidationResultType": "Error", "Message": "Chosen: the flow is off", "ErrorCode": -2147188707 }],
        "missing_dependencies": [{ "RequiredComponentSchemaName": "cont_thing", "RequiredComponentType": "1" }]
    } } }))
    .await;
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", CANVAS)
        .await;
    h.action("ValidatePackageAsync", &run).await;
    let failed = h.wait_for(&run, &[200000003, 200000007]).await;
    assert_eq!(failed["stagerunstatus"], 200000003, "{failed}");
    let results: Value =
        serde_json::from_str(failed["validationresults"].as_str().unwrap()).unwrap();
    assert_eq!(results["ValidationStatus"], "Failed", "{results}");
    assert_eq!(
        results["SolutionValidationResults"][0]["Message"],
        "Chosen: the flow is off"
    );
    assert_eq!(
        results["MissingDependencies"][0]["RequiredComponentSchemaName"],
        "cont_thing"
    );
    assert_eq!(failed["errormessage"], "Chosen: the flow is off");
    // Used up: the next validation is the real one.
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", CANVAS)
        .await;
    h.action("ValidatePackageAsync", &run).await;
    assert_eq!(
        h.wait_for(&run, &[200000003, 200000007]).await["stagerunstatus"],
        200000007
    );
}

fn automated() -> Scenario {
    let text = r#"
[[users]]
name = "Ade Admin"
upn = "ade@contoso.example"
roles = ["admin"]
[[users]]
name = "Pat Approver"
upn = "pat@contoso.example"
roles = ["approver"]
[[environments]]
name = "dev"
kind = "development"
solutions = [
  { unique_name = "Tool", version = "1.0.0.0", publisher = "c", prefix = "c" },
  { unique_name = "Tool2", version = "1.0.0.0", publisher = "c", prefix = "c" },
]
[[environments]]
name = "prod"
kind = "target"
[[pipelines]]
name = "Auto"
dev_environments = ["dev"]
stages = [{ name = "Gated", target = "prod", approver = "pat@contoso.example", pre_deployment_step = true, auto_approve_after_ms = 2000 }]
"#;
    Scenario::from_toml(text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gate_automation_approves_until_switched_off() {
    let h = start_manual(automated()).await;
    let gated = stage("Auto", "Gated");
    let on = h.deploy(&gated, "Tool", None, None).await;
    assert_eq!(
        on["stagerunstatus"], 200000002,
        "approved by automation: {on}"
    );
    assert_eq!(on["approvalstatus"], 20);
    let (_, audits) = h
        .get("audits?$filter=ferry_message eq 'UpdateApprovalStatus'")
        .await;
    assert_eq!(audits["value"][0]["action"], 28, "{audits}");

    switch(&h, json!({ "gate_automation": false })).await;
    let run = h.create_run(&gated, "dev", "Tool2").await;
    h.action("ValidatePackageAsync", &run).await;
    h.wait_for(&run, &[200000007]).await;
    h.action("DeployPackageAsync", &run).await;
    // Well past the stage's auto-approve delay (2 s).
    h.advance(Duration::from_secs(30)).await;
    let waiting = h.run(&run).await;
    assert_eq!(waiting["approvalstatus"], 10, "still waiting: {waiting}");
    assert_eq!(waiting["stagerunstatus"], 200000007);
    switch(&h, json!({ "gate_automation": true })).await;
    assert_eq!(
        h.wait_for(&run, &[200000002, 200000003]).await["stagerunstatus"],
        200000002
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_of_an_app_id_off_the_allow_list_never_start() {
    let h = start_manual(Scenario::demo()).await;
    switch(
        &h,
        json!({ "app_id_allow_list": [PORTAL_APP], "auto_validate_on_create": true }),
    )
    .await;
    let gated = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", CANVAS)
        .await;
    let (s, _) = h.action("ValidatePackageAsync", &gated).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "accepted, like the real host");
    // Longer than a whole validation takes.
    h.advance(Duration::from_secs(60)).await;
    let run = h.run(&gated).await;
    assert_eq!(run["stagerunstatus"], 200000000, "still NotStarted: {run}");

    // A maker-portal token: validation starts on create (auto_validate_on_create).
    let auth = format!("Bearer {}", h.token_for("ade", PORTAL_APP).await);
    let (s, _, b) = h
        .send(
            Method::POST,
            "deploymentstageruns",
            json!({
                "deploymentstageid@odata.bind": format!("/deploymentstages({})", stage(RELEASE, "Deploy to Test")),
                "devdeploymentenvironment@odata.bind": format!("/deploymentenvironments({})", registration("dev")),
                "artifactname": CANVAS,
                "solutionid": derived_id("solution", CANVAS),
            }),
            &[("Authorization", &auth), ("Prefer", "return=representation")],
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let id = b["deploymentstagerunid"].as_str().unwrap();
    assert_eq!(
        h.wait_for(id, &[200000007, 200000003]).await["stagerunstatus"],
        200000007
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scenario_seeds_faults_and_only_admins_switch_them() {
    let mut scenario = Scenario::demo();
    scenario.faults = toml::from_str("throttle = { requests = 1, retry_after = 2 }").unwrap();
    let h = start(scenario).await;
    assert_eq!(h.get("WhoAmI").await.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(h.get("WhoAmI").await.0, StatusCode::OK);

    let maker = [("Authorization", "Bearer mona")];
    let url = format!("{}/_ferry/faults", h.base);
    let (s, _, b) = h.send(Method::GET, &url, Value::Null, &maker).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert_eq!(b["error"]["code"], "0x80040220");
    let (s, _, _) = h
        .send(Method::PUT, &url, json!({ "latency_ms": 5 }), &maker)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (s, v) = faults(&h, Method::PUT, json!({ "latency_ms": 5 })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["latency_ms"], 5);
    assert!(v["throttle"].is_null(), "PUT replaces: {v}");
    let (s, v) = faults(&h, Method::PUT, json!({ "no_such_switch": 1 })).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(
        faults(&h, Method::DELETE, Value::Null).await.0,
        StatusCode::NO_CONTENT
    );
    let (_, v) = faults(&h, Method::GET, Value::Null).await;
    assert_eq!(v["latency_ms"], 0);
    assert_eq!(v["gate_automation"], true);
}
