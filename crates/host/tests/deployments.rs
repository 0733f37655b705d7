//! Stage runs over real HTTP: the §6 state machine end to end.

mod common;

use common::*;
use ferry_host::Scenario;
use reqwest::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_three_stage_deployment_promotes_one_artifact() {
    let h = start(Scenario::demo()).await;
    let test = h
        .deploy(
            &stage(RELEASE, "Deploy to Test"),
            "ContosoCore",
            Some("1.0.0.4"),
            Some(core_settings("test")),
        )
        .await;
    assert_eq!(test["stagerunstatus"], 200000002, "{test}");
    assert_eq!(test["operationstatus"], 200000002);
    assert_eq!(test["suboperation"], 200000106);
    assert_eq!(test["artifactversion"], "1.0.0.4");
    assert!(test["starttime"].is_string() && test["endtime"].is_string());
    let artifact = test["_artifactid_value"].as_str().unwrap().to_string();

    // The target really changed: solution, variable values, connection binding.
    let sols = h
        .env_rows("test", "solutions?$filter=uniquename eq 'ContosoCore'")
        .await;
    assert_eq!(sols[0]["version"], "1.0.0.4");
    assert_eq!(sols[0]["ismanaged"], true);
    let vals = h
        .env_rows("test", "environmentvariablevalues?$select=schemaname,value")
        .await;
    assert!(
        vals.iter().any(|v| v["schemaname"] == "cont_ApiBaseUrl"
            && v["value"] == "https://api.test.contoso.example"),
        "{vals:?}"
    );
    let refs = h.env_rows("test", "connectionreferences").await;
    assert_eq!(refs[0]["connectionid"], "test-office365");

    // Later stages reuse the exact artifact.
    for (name, env) in [("Deploy to UAT", "uat"), ("Deploy to Prod", "prod")] {
        let run = h
            .deploy(
                &stage(RELEASE, name),
                "ContosoCore",
                None,
                Some(core_settings(env)),
            )
            .await;
        assert_eq!(run["stagerunstatus"], 200000002, "{run}");
        assert_eq!(run["_artifactid_value"], artifact.as_str());
        assert_eq!(run["artifactversion"], "1.0.0.4");
    }
    let (_, arts) = h
        .get("deploymentartifacts?$select=name,artifactversion")
        .await;
    assert_eq!(arts["value"].as_array().unwrap().len(), 1, "{arts}");

    // The artifact downloads with Dataverse's headers and its SHA-256.
    let r = h
        .get_with(
            &format!("deploymentartifacts({artifact})/artifactfile/$value"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["x-ms-file-name"],
        "ContosoCore_1_0_0_4_managed.zip"
    );
    let sha = r.headers()["x-ferry-sha256"].to_str().unwrap().to_string();
    let size: usize = r.headers()["x-ms-file-size"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let bytes = r.bytes().await.unwrap();
    assert_eq!(bytes.len(), size);
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(digest, sha);
    assert_eq!(&bytes[..2], b"PK");
    let r = h
        .get_with(
            &format!("deploymentartifacts({artifact})/artifactfileunmanaged/$value"),
            &[("Range", "bytes=0-9")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.headers()["x-ms-chunk-size"], "10");
    assert_eq!(r.bytes().await.unwrap().len(), 10);
    let (s, b64) = h
        .get(&format!("deploymentartifacts({artifact})/artifactfile"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(b64["value"].as_str().unwrap().starts_with("UEsD"), "{b64}");
    let r = h
        .get_with(
            &format!("deploymentartifacts({artifact})/artifactfile/$value"),
            &[("Range", "bytes=999999-")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE);

    // One status row per phase.
    let (_, log) = h
        .get(&format!(
            "deploymentstagerunstatuses?$filter=_deploymentstagerunid_value eq {}",
            test["deploymentstagerunid"].as_str().unwrap()
        ))
        .await;
    assert!(log["value"].as_array().unwrap().len() >= 5, "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_stage_cannot_be_skipped_to() {
    let h = start(Scenario::demo()).await;
    let (status, body) = {
        let (s, _, b) = h
            .send(
                reqwest::Method::POST,
                "deploymentstageruns",
                json!({
                    "deploymentstageid@odata.bind": format!("/deploymentstages({})", stage(RELEASE, "Deploy to UAT")),
                    "devdeploymentenvironment@odata.bind": format!("/deploymentenvironments({})", registration("dev")),
                    "artifactname": "ContosoCore", "solutionid": "00000000-0000-0000-0000-000000000001",
                }),
                &[],
            )
            .await;
        (s, b)
    };
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Deploy to Test"),
        "{body}"
    );
    assert_eq!(body["error"]["code"], "0x80040265");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_fails_for_a_missing_dependency() {
    let h = start(Scenario::demo()).await;
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoReports")
        .await;
    h.action("ValidatePackageAsync", &run).await;
    let done = h.wait_for(&run, &[200000007, 200000003]).await;
    assert_eq!(done["stagerunstatus"], 200000003, "{done}");
    assert_eq!(done["operationstatus"], 200000003);
    assert!(
        done["errormessage"]
            .as_str()
            .unwrap()
            .contains("ContosoAnalyticsBase"),
        "{done}"
    );
    let results =
        ferry_pipelines::ValidationResults::parse(done["validationresults"].as_str().unwrap())
            .unwrap();
    assert!(!results.passed());
    assert_eq!(
        results.missing_dependencies[0].required_component_parent_schema_name,
        "ContosoAnalyticsBase"
    );
    assert!(results
        .solution_validation_results
        .iter()
        .any(|e| e.error_code == -2147188707));
    // A validation failure cannot be retried or deployed.
    assert_eq!(
        h.action("RetryFailedDeploymentAsync", &run).await.0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        h.action("DeployPackageAsync", &run).await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validation_fails_for_a_downgrade_and_managed_over_unmanaged() {
    let mut scenario = Scenario::demo();
    let test = scenario
        .environments
        .iter_mut()
        .find(|e| e.name == "test")
        .unwrap();
    let mut newer = scenario_solution("ContosoCore", "2.0.0.0");
    newer.spec.managed = true;
    test.solutions.push(newer);
    let h = start(scenario).await;
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCore")
        .await;
    // The version was chosen before validation (as ferry-ops does): validation judges it.
    // (Unchosen, it is a warning until DeployPackageAsync: see tests/fidelity.rs.)
    let (s, _) = h
        .patch(
            &format!("deploymentstageruns({run})"),
            json!({ "artifactversion": "1.0.0.3" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    h.action("ValidatePackageAsync", &run).await;
    let done = h.wait_for(&run, &[200000007, 200000003]).await;
    assert_eq!(done["stagerunstatus"], 200000003, "{done}");
    let results =
        ferry_pipelines::ValidationResults::parse(done["validationresults"].as_str().unwrap())
            .unwrap();
    let details = results.solution_details.unwrap();
    assert_eq!(
        details.previous_solution_version.as_deref(),
        Some("2.0.0.0")
    );
    assert!(
        done["errormessage"].as_str().unwrap().contains("2.0.0.0"),
        "{done}"
    );

    // ContosoCanvas is unmanaged in prod: a managed import over it fails with 0x80048040.
    let run = h
        .create_run(
            &stage("Contoso Gated", "Gated Prod"),
            "dev",
            "ContosoCanvas",
        )
        .await;
    h.action("ValidatePackageAsync", &run).await;
    let done = h.wait_for(&run, &[200000007, 200000003]).await;
    assert_eq!(done["stagerunstatus"], 200000003, "{done}");
    let results =
        ferry_pipelines::ValidationResults::parse(done["validationresults"].as_str().unwrap())
            .unwrap();
    assert!(
        results
            .solution_validation_results
            .iter()
            .any(|e| e.error_code == -2147188672),
        "{results:?}"
    );
}

fn scenario_solution(name: &str, version: &str) -> ferry_host::scenario::SolutionEntry {
    ferry_host::scenario::SolutionEntry {
        path: None,
        spec: ferry_host::SolutionSpec {
            unique_name: name.into(),
            version: version.into(),
            publisher: "contoso".into(),
            prefix: "cont".into(),
            ..Default::default()
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_run_waits_for_its_time() {
    let h = start_manual(Scenario::demo()).await;
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCanvas")
        .await;
    h.action("ValidatePackageAsync", &run).await;
    h.wait_for(&run, &[200000007]).await;
    let planned = h.clock().now_ms() + 60_000;
    let when = ms_text(planned);
    let (s, b) = h
        .patch(
            &format!("deploymentstageruns({run})"),
            json!({ "scheduledtime": when }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    h.action("DeployPackageAsync", &run).await;
    let scheduled = h.run(&run).await;
    assert_eq!(scheduled["stagerunstatus"], 200000005, "{scheduled}");
    assert_eq!(scheduled["operationstatus"], 200000005);
    // A second before its time, it still waits.
    h.advance(std::time::Duration::from_secs(59)).await;
    assert_eq!(h.run(&run).await["stagerunstatus"], 200000005);
    h.advance(std::time::Duration::from_secs(1)).await;
    let started = h.run(&run).await;
    assert_eq!(started["stagerunstatus"], 200000010, "{started}");
    assert_eq!(started["starttime"], when.as_str(), "it starts at its time");
    let done = h.wait_for(&run, &[200000002, 200000003]).await;
    assert_eq!(done["stagerunstatus"], 200000002, "{done}");
    assert_eq!(done["starttime"], when.as_str());
}

/// Epoch milliseconds as Dataverse time text.
fn ms_text(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_is_visible_at_once_and_only_once() {
    let h = start_manual(Scenario::demo()).await;
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCore")
        .await;
    h.action("ValidatePackageAsync", &run).await;
    assert_eq!(h.run(&run).await["stagerunstatus"], 200000006);
    let (s, _) = h
        .patch(
            &format!("deploymentstageruns({run})"),
            json!({ "iscanceled": true }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let r = h.run(&run).await;
    assert_eq!(r["stagerunstatus"], 200000004);
    assert_eq!(r["operationstatus"], 200000006);
    assert_eq!(r["iscanceled"], true);
    let (s, body) = h
        .patch(
            &format!("deploymentstageruns({run})"),
            json!({ "iscanceled": true }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already finished"),
        "{body}"
    );
    // Past every phase the canceled run would have gone through.
    h.advance(std::time::Duration::from_secs(60)).await;
    assert_eq!(
        h.run(&run).await["stagerunstatus"],
        200000004,
        "the runner must not revive a canceled run"
    );
    // A never-validated run cancels too.
    let fresh = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCanvas")
        .await;
    h.patch(
        &format!("deploymentstageruns({fresh})"),
        json!({ "iscanceled": true }),
    )
    .await;
    assert_eq!(h.run(&fresh).await["stagerunstatus"], 200000004);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_import_can_be_retried() {
    let mut scenario = Scenario::demo();
    scenario
        .environments
        .iter_mut()
        .find(|e| e.name == "test")
        .unwrap()
        .import_failures = 1;
    let h = start(scenario).await;
    let failed = h
        .deploy(
            &stage(RELEASE, "Deploy to Test"),
            "ContosoCanvas",
            Some("1.0.0.1"),
            None,
        )
        .await;
    assert_eq!(failed["stagerunstatus"], 200000003, "{failed}");
    assert!(failed["errormessage"]
        .as_str()
        .unwrap()
        .contains("emulated import failure"));
    let run = failed["deploymentstagerunid"].as_str().unwrap();
    assert_eq!(
        h.action("RetryFailedDeploymentAsync", run).await.0,
        StatusCode::NO_CONTENT
    );
    let done = h.wait_for(run, &[200000002, 200000003]).await;
    assert_eq!(done["stagerunstatus"], 200000002, "{done}");
    assert_eq!(done["retrycount"], 1);
    assert_eq!(
        h.action("RetryFailedDeploymentAsync", run).await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_are_checked_against_the_target() {
    let h = start(Scenario::demo()).await;
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCore")
        .await;
    let (s, body) = h
        .patch(
            &format!("deploymentstageruns({run})"),
            json!({ "deploymentsettingsjson": "not json" }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let (s, _) = h
        .patch(
            &format!("deploymentstageruns({run})"),
            json!({ "deploymentsettingsjson": { "EnvironmentVariables": [] } }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // A prod connection and a non-number for a Number variable: the deployment fails, retryable after a fix.
    let mut bad = core_settings("prod");
    bad["EnvironmentVariables"][1]["Value"] = json!("five");
    let failed = h
        .deploy(
            &stage(RELEASE, "Deploy to Test"),
            "ContosoCore",
            None,
            Some(bad),
        )
        .await;
    assert_eq!(failed["stagerunstatus"], 200000003, "{failed}");
    let text = failed["validationresults"].as_str().unwrap();
    assert!(
        text.contains("prod-office365") && text.contains("cont_RetryCount"),
        "{text}"
    );
    let id = failed["deploymentstagerunid"].as_str().unwrap();
    let (s, b) = h
        .patch(
            &format!("deploymentstageruns({id})"),
            json!({ "deploymentsettingsjson": core_settings("test").to_string() }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    h.action("RetryFailedDeploymentAsync", id).await;
    assert_eq!(
        h.wait_for(id, &[200000002, 200000003]).await["stagerunstatus"],
        200000002
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_must_grow_per_stage() {
    let h = start(Scenario::demo()).await;
    let first = h
        .deploy(
            &stage(RELEASE, "Deploy to Test"),
            "ContosoCanvas",
            Some("1.0.0.1"),
            None,
        )
        .await;
    assert_eq!(first["stagerunstatus"], 200000002);
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCanvas")
        .await;
    let (s, body) = h
        .patch(
            &format!("deploymentstageruns({run})"),
            json!({ "artifactversion": "1.0.0.1" }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("greater than 1.0.0.1"),
        "{body}"
    );
    let (s, _) = h
        .patch(
            &format!("deploymentstageruns({run})"),
            json!({ "artifactversion": "one" }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = h
        .patch(
            &format!("deploymentstageruns({run})"),
            json!({ "artifactversion": "1.0.0.2" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // Finished runs are read-only.
    let id = first["deploymentstagerunid"].as_str().unwrap();
    let (s, _) = h
        .patch(
            &format!("deploymentstageruns({id})"),
            json!({ "deploymentnotes": "late" }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gates_wait_for_approval_and_the_pre_deployment_step() {
    let h = start(Scenario::demo()).await;
    let run = h
        .create_run(&stage("Contoso Gated", "Gated Prod"), "dev", "ContosoCore")
        .await;
    h.action("ValidatePackageAsync", &run).await;
    h.wait_for(&run, &[200000007]).await;
    h.action("DeployPackageAsync", &run).await;
    let waiting = h.run(&run).await;
    assert_eq!(waiting["approvalstatus"], 10, "{waiting}");
    let (s, _) = h
        .post(
            "UpdatePreDeploymentStepStatus",
            json!({ "StageRunId": run, "PreDeploymentStepStatus": 20 }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "not waiting for that gate yet");
    // Pat owns the delegated stage: the approval is hers to give.
    let (s, b) = h
        .post_as(
            "pat",
            "UpdateApprovalStatus",
            json!({ "StageRunId": run, "ApprovalStatus": 20, "ApprovalComments": "ok" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let pre = h.run(&run).await;
    assert_eq!(pre["stagerunstatus"], 200000008, "{pre}");
    assert_eq!(pre["predeploymentstepstatus"], 10);
    let (s, _) = h
        .post(
            "UpdatePreDeploymentStepStatus",
            json!({ "StageRunId": run, "PreDeploymentStepStatus": "20" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(
        h.wait_for(&run, &[200000002, 200000003]).await["stagerunstatus"],
        200000002
    );

    // Rejection ends the run as Failed with the comments.
    let run = h
        .create_run(
            &stage("Contoso Gated", "Gated Prod"),
            "dev",
            "ContosoPortal",
        )
        .await;
    h.action("ValidatePackageAsync", &run).await;
    h.wait_for(&run, &[200000007]).await;
    h.action("DeployPackageAsync", &run).await;
    h.post_as(
        "pat",
        "UpdateApprovalStatus",
        json!({ "StageRunId": run, "ApprovalStatus": 30, "ApprovalComments": "not this week" }),
    )
    .await;
    let r = h.run(&run).await;
    assert_eq!(r["stagerunstatus"], 200000003);
    assert!(r["errormessage"]
        .as_str()
        .unwrap()
        .contains("not this week"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_deployments_of_different_solutions() {
    let h = start(Scenario::demo()).await;
    let test = stage(RELEASE, "Deploy to Test");
    let (a, b) = tokio::join!(
        h.deploy(
            &test,
            "ContosoCore",
            Some("1.0.0.9"),
            Some(core_settings("test"))
        ),
        h.deploy(&test, "ContosoCanvas", Some("1.0.0.1"), None),
    );
    assert_eq!(a["stagerunstatus"], 200000002, "{a}");
    assert_eq!(b["stagerunstatus"], 200000002, "{b}");
    assert_ne!(a["_artifactid_value"], b["_artifactid_value"]);
    let sols = h
        .env_rows(
            "test",
            "solutions?$select=uniquename,version&$orderby=uniquename",
        )
        .await;
    let names: Vec<_> = sols
        .iter()
        .map(|s| s["uniquename"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ContosoCanvas", "ContosoCore"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_validate_on_create_is_a_scenario_switch() {
    let mut scenario = Scenario::demo();
    scenario.options.auto_validate_on_create = true;
    let h = start(scenario).await;
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCanvas")
        .await;
    assert_eq!(
        h.wait_for(&run, &[200000007, 200000003]).await["stagerunstatus"],
        200000007
    );
    assert_eq!(
        h.action("ValidatePackageAsync", &run).await.0,
        StatusCode::NO_CONTENT,
        "a second trigger is a no-op"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_is_refused_in_the_final_step() {
    let h = start_manual(Scenario::demo()).await;
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCanvas")
        .await;
    h.action("ValidatePackageAsync", &run).await;
    h.wait_for(&run, &[200000007]).await;
    h.action("DeployPackageAsync", &run).await;
    h.until(
        "the run to reach publishing",
        || h.run(&run),
        |r| r["suboperation"] == 200000105,
    )
    .await;
    let (s, body) = h
        .patch(
            &format!("deploymentstageruns({run})"),
            json!({ "iscanceled": true }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("final step"));
    assert_eq!(
        h.wait_for(&run, &[200000002, 200000004]).await["stagerunstatus"],
        200000002
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_reviewed_pipeline_checks_uat_and_waits_for_pat_on_prod() {
    const REVIEWED: &str = "Contoso Reviewed";
    let h = start(Scenario::demo()).await;
    // Mona runs it: the demo shares the pipeline with her.
    let go_to_gate = |stage_name: &'static str, env: &'static str| {
        let h = &h;
        async move {
            let run = h
                .create_run_as("mona", &stage(REVIEWED, stage_name), "dev", "ContosoCore")
                .await;
            let body = json!({ "StageRunId": run });
            let (s, b) = h
                .post_as("mona", "ValidatePackageAsync", body.clone())
                .await;
            assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
            assert_eq!(
                h.wait_for(&run, &[200000007, 200000003]).await["stagerunstatus"],
                200000007
            );
            let (s, _, b) = h
                .send(
                    reqwest::Method::PATCH,
                    &format!("deploymentstageruns({run})"),
                    json!({ "deploymentsettingsjson": core_settings(env).to_string() }),
                    &[("If-Match", "*"), ("Authorization", "Bearer mona")],
                )
                .await;
            assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
            let (s, b) = h.post_as("mona", "DeployPackageAsync", body).await;
            assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
            run
        }
    };

    // UAT: the pre-deployment step holds the run until it is completed.
    let uat = go_to_gate("Checked UAT", "uat").await;
    let waiting = h.run(&uat).await;
    assert_eq!(waiting["stagerunstatus"], 200000008, "{waiting}");
    assert_eq!(waiting["predeploymentstepstatus"], 10);
    assert!(
        waiting["approvalstatus"].is_null(),
        "no approval on this stage: {waiting}"
    );
    let (s, b) = h
        .post(
            "UpdatePreDeploymentStepStatus",
            json!({ "StageRunId": uat, "PreDeploymentStepStatus": 20, "Comments": "checks green" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let done = h.wait_for(&uat, &[200000002, 200000003]).await;
    assert_eq!(done["stagerunstatus"], 200000002, "{done}");

    // Prod: only Pat, the stage's approver, may approve; then it deploys without another gate.
    let prod = go_to_gate("Approved Prod", "prod").await;
    assert_eq!(h.run(&prod).await["approvalstatus"], 10);
    let approve = json!({ "StageRunId": prod, "ApprovalStatus": 20, "ApprovalComments": "go" });
    let (s, _) = h
        .post_as("mona", "UpdateApprovalStatus", approve.clone())
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a maker cannot approve");
    let (s, b) = h.post_as("pat", "UpdateApprovalStatus", approve).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let done = h.wait_for(&prod, &[200000002, 200000003]).await;
    assert_eq!(done["stagerunstatus"], 200000002, "{done}");
    assert_eq!(
        done["_artifactid_value"],
        h.run(&uat).await["_artifactid_value"]
    );
}
