//! Redeploying an older artifact (spec §5.13): a new run that binds the artifact of an
//! earlier successful run, with `isredeployment: true`. Only a pipeline with
//! `enableredeployment` takes it; without it, the host keeps versions growing per stage.

mod common;

use common::*;
use ferry_host::scenario::derived_id;
use ferry_host::Scenario;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn scenario(enable_redeployment: bool) -> Scenario {
    let mut s = Scenario::demo();
    s.pipelines[0].enable_redeployment = enable_redeployment;
    s
}

/// Creates a run of ContosoCanvas in Deploy to Test that binds `artifact`.
async fn create_redeploy(
    h: &TestHost,
    artifact: &str,
    is_redeployment: bool,
) -> (StatusCode, Value) {
    let (status, _, body) = h
        .send(
            reqwest::Method::POST,
            "deploymentstageruns?$select=deploymentstagerunid",
            json!({
                "deploymentstageid@odata.bind": format!("/deploymentstages({})", stage(RELEASE, "Deploy to Test")),
                "devdeploymentenvironment@odata.bind": format!("/deploymentenvironments({})", registration("dev")),
                "artifactname": "ContosoCanvas",
                "solutionid": derived_id("solution", "ContosoCanvas"),
                "artifactid@odata.bind": format!("/deploymentartifacts({artifact})"),
                "isredeployment": is_redeployment,
            }),
            &[("Prefer", "return=representation")],
        )
        .await;
    (status, body)
}

/// A first-stage deployment of ContosoCanvas at `version`, chosen before validation so the
/// export carries it (dev has 1.0.0.0, lower than what the target gets).
async fn deploy_at(h: &TestHost, version: &str) -> Value {
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCanvas")
        .await;
    let path = format!("deploymentstageruns({run})");
    let (s, b) = h.patch(&path, json!({ "artifactversion": version })).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    assert_eq!(
        h.action("ValidatePackageAsync", &run).await.0,
        StatusCode::NO_CONTENT
    );
    let validated = h.wait_for(&run, &[200000007, 200000003]).await;
    assert_eq!(validated["stagerunstatus"], 200000007, "{validated}");
    assert_eq!(
        h.action("DeployPackageAsync", &run).await.0,
        StatusCode::NO_CONTENT
    );
    let done = h.wait_for(&run, &[200000002, 200000003, 200000004]).await;
    assert_eq!(done["stagerunstatus"], 200000002, "{done}");
    assert_eq!(done["artifactversion"], version, "{done}");
    done
}

async fn two_versions(h: &TestHost) -> (Value, Value) {
    (deploy_at(h, "1.0.0.1").await, deploy_at(h, "1.0.0.2").await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_artifact_goes_back_where_the_pipeline_allows_it() {
    let h = start(scenario(true)).await;
    let (first, _) = two_versions(&h).await;
    let artifact = first["_artifactid_value"].as_str().unwrap();

    let (s, body) = create_redeploy(&h, artifact, true).await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let run = body["deploymentstagerunid"].as_str().unwrap().to_string();
    let created = h.run(&run).await;
    assert_eq!(created["artifactversion"], "1.0.0.1", "{created}");
    assert_eq!(created["isredeployment"], true, "{created}");

    assert_eq!(
        h.action("ValidatePackageAsync", &run).await.0,
        StatusCode::NO_CONTENT
    );
    let validated = h.wait_for(&run, &[200000007, 200000003]).await;
    assert_eq!(validated["stagerunstatus"], 200000007, "{validated}");
    let results = validated["validationresults"].as_str().unwrap();
    assert!(
        results.contains("redeployment puts version 1.0.0.1"),
        "{results}"
    );
    let (s, b) = h
        .patch(
            &format!("deploymentstageruns({run})"),
            json!({ "artifactdevcurrentversion": "1.0.0.0", "artifactversion": "1.0.0.1" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    assert_eq!(
        h.action("DeployPackageAsync", &run).await.0,
        StatusCode::NO_CONTENT
    );
    let done = h.wait_for(&run, &[200000002, 200000003, 200000004]).await;
    assert_eq!(done["stagerunstatus"], 200000002, "{done}");
    assert_eq!(done["artifactversion"], "1.0.0.1");
    assert_eq!(done["_artifactid_value"], first["_artifactid_value"]);

    let installed = h
        .env_rows(
            "test",
            "solutions?$filter=uniquename eq 'ContosoCanvas'&$select=version",
        )
        .await;
    assert_eq!(installed[0]["version"], "1.0.0.1", "{installed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_enableredeployment_an_older_artifact_is_refused() {
    let h = start(scenario(false)).await;
    let (first, second) = two_versions(&h).await;
    let artifact = first["_artifactid_value"].as_str().unwrap();

    let (s, body) = create_redeploy(&h, artifact, true).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("does not allow redeployment"), "{message}");

    // Binding the artifact without saying it is a redeployment does not get around the rule.
    let (s, body) = create_redeploy(&h, artifact, false).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("not greater than 1.0.0.2"), "{message}");

    // The stage keeps the newer version.
    let latest = h
        .run(second["deploymentstagerunid"].as_str().unwrap())
        .await;
    assert_eq!(latest["artifactversion"], "1.0.0.2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redeployment_needs_an_artifact() {
    let h = start(scenario(true)).await;
    let (s, _, body) = h
        .send(
            reqwest::Method::POST,
            "deploymentstageruns",
            json!({
                "deploymentstageid@odata.bind": format!("/deploymentstages({})", stage(RELEASE, "Deploy to Test")),
                "devdeploymentenvironment@odata.bind": format!("/deploymentenvironments({})", registration("dev")),
                "artifactname": "ContosoCanvas",
                "solutionid": derived_id("solution", "ContosoCanvas"),
                "isredeployment": true,
            }),
            &[],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("needs artifactid@odata.bind"),
        "{body}"
    );
}
