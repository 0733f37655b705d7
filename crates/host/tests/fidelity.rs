//! Issue 16 §1: the portal's order (validate, then choose the version, then deploy), the
//! versions a run may take, dev rows a client changed, stage limits, error annotations,
//! gate parameters.

mod common;

use common::*;
use ferry_host::Scenario;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn with_managed_in_test(version: &str) -> Scenario {
    let mut scenario = Scenario::demo();
    let test = scenario
        .environments
        .iter_mut()
        .find(|e| e.name == "test")
        .unwrap();
    test.solutions.push(ferry_host::scenario::SolutionEntry {
        path: None,
        spec: ferry_host::SolutionSpec {
            unique_name: "ContosoCore".into(),
            version: version.into(),
            managed: true,
            publisher: "contoso".into(),
            prefix: "cont".into(),
            ..Default::default()
        },
    });
    scenario
}

async fn validated(h: &TestHost, run: &str) -> Value {
    assert_eq!(
        h.action("ValidatePackageAsync", run).await.0,
        StatusCode::NO_CONTENT
    );
    h.wait_for(run, &[200000007, 200000003]).await
}

async fn installed(h: &TestHost, env: &str, name: &str) -> Option<String> {
    h.env_rows(env, &format!("solutions?$filter=uniquename eq '{name}'"))
        .await
        .first()
        .and_then(|r| r["version"].as_str().map(str::to_string))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_comes_before_the_version_and_deploy_enforces_it() {
    // dev has ContosoCore 1.0.0.3, the target already a managed 1.0.0.4.
    let h = start(with_managed_in_test("1.0.0.4")).await;
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCore")
        .await;
    let done = validated(&h, &run).await;
    assert_eq!(done["stagerunstatus"], 200000007, "{done}");
    let results =
        ferry_pipelines::ValidationResults::parse(done["validationresults"].as_str().unwrap())
            .unwrap();
    assert!(results.passed(), "{results:?}");
    assert!(
        results
            .solution_validation_results
            .iter()
            .any(|e| e.message.contains("1.0.0.4")),
        "{results:?}"
    );
    // Deploying the unchosen (lower) version is refused with the PATCH's code.
    let (s, body) = h.action("DeployPackageAsync", &run).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "0x80040265", "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("1.0.0.4"),
        "{body}"
    );
    let path = format!("deploymentstageruns({run})");
    let (s, b) = h.patch(&path, json!({ "artifactversion": "1.0.0.4" })).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (s, _) = h.action("DeployPackageAsync", &run).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "equal to the installed version");
    let (s, b) = h
        .patch(
            &path,
            json!({ "artifactversion": "1.0.0.5", "artifactdevcurrentversion": "1.0.0.3" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    assert_eq!(
        h.action("DeployPackageAsync", &run).await.0,
        StatusCode::NO_CONTENT
    );
    let done = h.wait_for(&run, &[200000002, 200000003]).await;
    assert_eq!(done["stagerunstatus"], 200000002, "{done}");
    assert_eq!(done["artifactversion"], "1.0.0.5");
    assert_eq!(
        installed(&h, "test", "ContosoCore").await.as_deref(),
        Some("1.0.0.5")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_set_before_validation_still_fails_validation_when_too_low() {
    // The ops client PATCHes first: then validation checks the version it chose.
    let h = start(with_managed_in_test("1.0.0.4")).await;
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCore")
        .await;
    let (s, _) = h
        .patch(
            &format!("deploymentstageruns({run})"),
            json!({ "artifactversion": "1.0.0.3" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let done = validated(&h, &run).await;
    assert_eq!(done["stagerunstatus"], 200000003, "{done}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_stage_run_may_change_the_version_it_set_before_validation() {
    let h = start(Scenario::demo()).await;
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCore")
        .await;
    let path = format!("deploymentstageruns({run})");
    let (s, _) = h.patch(&path, json!({ "artifactversion": "1.0.0.5" })).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(validated(&h, &run).await["stagerunstatus"], 200000007);
    let (s, b) = h.patch(&path, json!({ "artifactversion": "1.0.0.6" })).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    assert_eq!(
        h.action("DeployPackageAsync", &run).await.0,
        StatusCode::NO_CONTENT
    );
    let done = h.wait_for(&run, &[200000002, 200000003]).await;
    assert_eq!(done["stagerunstatus"], 200000002, "{done}");
    assert_eq!(done["artifactversion"], "1.0.0.6");
    assert_eq!(
        installed(&h, "test", "ContosoCore").await.as_deref(),
        Some("1.0.0.6")
    );
    // A later stage promotes that artifact: its version is fixed.
    let next = h
        .create_run(&stage(RELEASE, "Deploy to UAT"), "dev", "ContosoCore")
        .await;
    let (s, _) = h
        .patch(
            &format!("deploymentstageruns({next})"),
            json!({ "artifactversion": "1.0.0.7" }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_uses_the_version_patched_on_the_dev_solution() {
    let h = start(Scenario::demo()).await;
    let row = h
        .env_rows("dev", "solutions?$filter=uniquename eq 'ContosoCore'")
        .await
        .remove(0);
    let id = row["solutionid"].as_str().unwrap();
    let url = format!("{}/environments/dev/api/data/v9.2/solutions({id})", h.base);
    let (s, b) = h.patch(&url, json!({ "version": "1.0.0.9" })).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    assert_eq!(
        installed(&h, "dev", "ContosoCore").await.as_deref(),
        Some("1.0.0.9")
    );
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCore")
        .await;
    let done = validated(&h, &run).await;
    assert_eq!(done["stagerunstatus"], 200000007, "{done}");
    assert_eq!(done["artifactdevcurrentversion"], "1.0.0.9", "{done}");
    let artifact = done["_artifactid_value"].as_str().unwrap();
    let (_, a) = h.get(&format!("deploymentartifacts({artifact})")).await;
    assert_eq!(a["artifactversion"], "1.0.0.9", "{a}");
}
