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
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1.0.0.4"),
        "{body}"
    );
    let path = format!("deploymentstageruns({run})");
    let (s, b) = h
        .patch(&path, json!({ "artifactversion": "1.0.0.4" }))
        .await;
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
    let (s, _) = h
        .patch(&path, json!({ "artifactversion": "1.0.0.5" }))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(validated(&h, &run).await["stagerunstatus"], 200000007);
    let (s, b) = h
        .patch(&path, json!({ "artifactversion": "1.0.0.6" }))
        .await;
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

async fn new_row(h: &TestHost, set: &str, body: Value) -> (StatusCode, Value) {
    let (s, _, b) = h
        .send(
            reqwest::Method::POST,
            set,
            body,
            &[("Prefer", "return=representation")],
        )
        .await;
    (s, b)
}

async fn new_stage(
    h: &TestHost,
    pipeline: &str,
    previous: Option<&str>,
    n: usize,
) -> (StatusCode, Value) {
    let mut body = json!({
        "name": format!("S{n}"),
        "deploymentpipelineid@odata.bind": format!("/deploymentpipelines({pipeline})"),
        "targetdeploymentenvironmentid@odata.bind": format!("/deploymentenvironments({})", registration("qa")),
    });
    if let Some(p) = previous {
        body["previousdeploymentstageid@odata.bind"] = json!(format!("/deploymentstages({p})"));
    }
    new_row(h, "deploymentstages", body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipeline_has_at_most_seven_stages() {
    let h = start(Scenario::demo()).await;
    let (s, p) = new_row(&h, "deploymentpipelines", json!({ "name": "Long" })).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    let long = p["deploymentpipelineid"].as_str().unwrap().to_string();
    let mut previous: Option<String> = None;
    for n in 1..=7 {
        let (s, b) = new_stage(&h, &long, previous.as_deref(), n).await;
        assert_eq!(s, StatusCode::CREATED, "stage {n}: {b}");
        previous = Some(b["deploymentstageid"].as_str().unwrap().to_string());
    }
    let last = previous.unwrap();
    let (s, b) = new_stage(&h, &long, Some(&last), 8).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"]["code"], "0x80040265", "{b}");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 7"),
        "{b}"
    );

    // A stage of another pipeline may not be chained after the seventh, nor moved into it.
    let (_, p) = new_row(&h, "deploymentpipelines", json!({ "name": "Short" })).await;
    let short = p["deploymentpipelineid"].as_str().unwrap().to_string();
    let (s, b) = new_stage(&h, &short, None, 1).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let other = b["deploymentstageid"].as_str().unwrap().to_string();
    let path = format!("deploymentstages({other})");
    let (s, b) = h
        .patch(
            &path,
            json!({ "previousdeploymentstageid@odata.bind": format!("/deploymentstages({last})") }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    let (s, b) = h
        .patch(
            &path,
            json!({ "deploymentpipelineid@odata.bind": format!("/deploymentpipelines({long})") }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    // Renaming a stage of a full pipeline is fine.
    let (s, b) = h
        .patch(
            &format!("deploymentstages({last})"),
            json!({ "name": "Last" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_carry_cds_annotations_when_asked() {
    let h = start(Scenario::demo()).await;
    let missing = "deploymentstageruns(00000000-0000-0000-0000-00000000abcd)";
    let (s, _, plain) = h
        .send(reqwest::Method::GET, missing, Value::Null, &[])
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(plain["error"].as_object().unwrap().len(), 2, "{plain}");
    let prefer = [("Prefer", r#"odata.include-annotations="*""#)];
    let (s, _, body) = h
        .send(reqwest::Method::GET, missing, Value::Null, &prefer)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let e = &body["error"];
    assert_eq!(e["code"], "0x80040217", "{body}");
    assert_eq!(
        e["@Microsoft.PowerApps.CDS.ErrorDetails.OperationStatus"],
        "0"
    );
    assert_eq!(
        e["@Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode"],
        (0x8004_0217u32 as i32).to_string()
    );
    assert!(e["@Microsoft.PowerApps.CDS.HelpLink"]
        .as_str()
        .unwrap()
        .contains("80040217"));
    assert_eq!(
        e["@Microsoft.PowerApps.CDS.InnerError.Message"],
        e["message"]
    );
    // A business rule (plug-in error) has a trace too.
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCore")
        .await;
    let (s, _, body) = h
        .send(
            reqwest::Method::POST,
            "DeployPackageAsync",
            json!({ "StageRunId": run }),
            &prefer,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "0x80040265");
    assert!(
        body["error"]["@Microsoft.PowerApps.CDS.TraceText"].is_string(),
        "{body}"
    );
}

async fn run_events(h: &TestHost, run: &str) -> Vec<Value> {
    let (s, v) = h.get(&format!("{}/_ferry/events?run={run}", h.base)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["value"].as_array().unwrap().clone()
}

/// A run of `Contoso Reviewed`'s first stage, waiting on its pre-deployment step.
async fn waiting_on_pre_deployment(h: &TestHost) -> String {
    let run = h
        .create_run(
            &stage("Contoso Reviewed", "Checked UAT"),
            "dev",
            "ContosoCore",
        )
        .await;
    assert_eq!(validated(h, &run).await["stagerunstatus"], 200000007);
    let (s, b) = h
        .patch(
            &format!("deploymentstageruns({run})"),
            json!({ "artifactversion": "1.0.0.4", "deploymentsettingsjson": core_settings("uat").to_string() }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    assert_eq!(
        h.action("DeployPackageAsync", &run).await.0,
        StatusCode::NO_CONTENT
    );
    h.wait_for(&run, &[200000008]).await;
    run
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_deployment_gate_names_the_run_takes_notes_and_refuses_unknown_parameters() {
    let h = start(Scenario::demo()).await;
    let run = waiting_on_pre_deployment(&h).await;
    let name = h.run(&run).await["name"].as_str().unwrap().to_string();
    let list = run_events(&h, &run).await;
    let started = list
        .iter()
        .find(|e| e["name"] == "OnPreDeploymentStarted")
        .unwrap();
    assert_eq!(
        started["output"]["StageRunName"],
        name.as_str(),
        "{started}"
    );

    let (s, b) = h
        .post(
            "UpdatePreDeploymentStepStatus",
            json!({ "StageRunId": run, "PreDeploymentStepStatus": 20, "Note": "typo" }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["error"]["code"], "0x80048d19", "{b}");
    assert!(
        b["error"]["message"].as_str().unwrap().contains("'Note'"),
        "{b}"
    );
    let (s, b) = h
        .post(
            "DeployPackageAsync",
            json!({ "StageRunId": run, "Force": true }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    // Still waiting: nothing was applied.
    assert_eq!(h.run(&run).await["stagerunstatus"], 200000008);

    let (s, b) = h
        .post(
            "UpdatePreDeploymentStepStatus",
            json!({ "@odata.type": "#Microsoft.Dynamics.CRM.UpdatePreDeploymentStepStatusRequest", "StageRunId": run, "PreDeploymentStepStatus": 20, "PreDeploymentNotes": "smoke tests green" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let done = h.wait_for(&run, &[200000002, 200000003]).await;
    assert_eq!(
        done["predeploymentstepcomments"], "smoke tests green",
        "{done}"
    );
    let list = run_events(&h, &run).await;
    let completed = list
        .iter()
        .find(|e| e["name"] == "OnPreDeploymentCompleted")
        .unwrap();
    assert_eq!(completed["output"]["Comments"], "smoke tests green");
}
