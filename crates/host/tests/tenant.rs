//! Environments that behave: per-environment Web APIs, the environments list,
//! connections, registration validation and persistence across restarts.

mod common;

use common::*;
use ferry_host::scenario::derived_id;
use ferry_host::Scenario;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environments_list_maps_ids_to_instance_urls() {
    let h = start(Scenario::demo()).await;
    let (s, v) = h
        .get(&format!(
            "{}/_tenant/bap/providers/Microsoft.BusinessAppPlatform/environments?api-version=2020-10-01",
            h.base
        ))
        .await;
    assert_eq!(s, StatusCode::OK);
    let envs = v["value"].as_array().unwrap();
    assert_eq!(envs.len(), 12, "two hosts + 10 environments");
    let dev = envs
        .iter()
        .find(|e| e["name"] == derived_id("environment", "dev").as_str())
        .unwrap();
    let url = dev["properties"]["linkedEnvironmentMetadata"]["instanceUrl"]
        .as_str()
        .unwrap();
    assert_eq!(url, format!("{}/environments/dev/", h.base));
    assert_eq!(dev["properties"]["displayName"], "Contoso Dev");
    // The instance URL serves that environment's Web API.
    let (s, v) = h.get(&format!("{url}api/data/v9.2/solutions?$select=uniquename,version,ismanaged&$filter=ismanaged eq false&$orderby=uniquename")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let names: Vec<_> = v["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["uniquename"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "ContosoCanvas",
            "ContosoCore",
            "ContosoPortal",
            "ContosoReports"
        ]
    );
    let defs = h
        .env_rows(
            "dev",
            "environmentvariabledefinitions?$select=schemaname,type",
        )
        .await;
    assert_eq!(defs.len(), 2);
    let comps = h
        .env_rows("dev", "solutioncomponents?$filter=componenttype eq 380")
        .await;
    assert_eq!(comps.len(), 2);
    let (s, _) = h
        .get(&format!(
            "{}/environments/nowhere/api/data/v9.2/solutions",
            h.base
        ))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = h
        .get(&format!(
            "{}/environments/dev/api/data/v9.2/deploymentstageruns",
            h.base
        ))
        .await;
    assert_eq!(
        s,
        StatusCode::NOT_FOUND,
        "pipeline tables live on the host only"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_by_environment_and_connector() {
    let h = start(Scenario::demo()).await;
    let test = derived_id("environment", "test");
    let (s, v) = h.get(&format!("{}/_tenant/powerapps/providers/Microsoft.PowerApps/apis/shared_sql/connections?api-version=2016-11-01&$filter=environment eq '{test}'", h.base)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let list = v["value"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "test-sql");
    assert_eq!(
        list[0]["properties"]["apiId"],
        "/providers/Microsoft.PowerApps/apis/shared_sql"
    );
    let (_, v) = h
        .get(&format!(
            "{}/_tenant/powerapps/providers/Microsoft.PowerApps/connections?api-version=2016-11-01&$filter=environment%20eq%20'{test}'",
            h.base
        ))
        .await;
    assert_eq!(v["value"].as_array().unwrap().len(), 2);
    let (s, v) = h
        .get(&format!(
            "{}/_tenant/powerapps/providers/Microsoft.PowerApps/connections?api-version=2016-11-01",
            h.base
        ))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("$filter=environment eq"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registrations_validate_asynchronously() {
    let mut scenario = Scenario::demo();
    scenario
        .environments
        .iter_mut()
        .find(|e| e.name == "uat")
        .unwrap()
        .register = false;
    scenario.pipelines[0].stages.retain(|s| s.target != "uat");
    let h = start(scenario).await;
    let (s, v) = h
        .post(
            "deploymentenvironments",
            json!({ "name": "no type", "environmentid": "x" }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let uat = derived_id("environment", "uat");
    let (s, _) = h
        .post(
            "deploymentenvironments",
            json!({ "name": "UAT", "environmentid": uat, "environmenttype": 200000001 }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = h
        .post(
            "deploymentenvironments",
            json!({ "name": "UAT again", "environmentid": uat, "environmenttype": 200000001 }),
        )
        .await;
    assert_eq!(s, StatusCode::PRECONDITION_FAILED);
    let (s, _) = h.post("deploymentenvironments", json!({ "name": "Ghost", "environmentid": "5b1c0d2e-0000-4000-8000-000000000000", "environmenttype": 200000001 })).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let check = |name: &'static str| {
        let h = &h;
        async move {
            let path = format!("deploymentenvironments?$filter=name eq '{name}'");
            let (_, v) = h
                .until(
                    &format!("{name} to be validated"),
                    || h.get(&path),
                    |(_, v)| v["value"][0]["validationstatus"] != 200000000,
                )
                .await;
            v["value"][0].clone()
        }
    };
    assert_eq!(check("UAT").await["validationstatus"], 200000001);
    let ghost = check("Ghost").await;
    assert_eq!(ghost["validationstatus"], 200000002);
    assert!(ghost["errormessage"]
        .as_str()
        .unwrap()
        .contains("not found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_continue_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    // Slow enough that the host stops mid-deployment.
    let host = boot(dir.path(), Scenario::demo(), 4.0).await;
    let h = TestHost {
        api: host.api_url(),
        base: host.base_url().to_string(),
        host: Some(host),
        client: reqwest::Client::new(),
        dir: tempfile::tempdir().unwrap(),
    };
    let run = h
        .create_run(&stage(RELEASE, "Deploy to Test"), "dev", "ContosoCanvas")
        .await;
    h.action("ValidatePackageAsync", &run).await;
    let before: Value = h.run(&run).await;
    assert_eq!(before["stagerunstatus"], 200000006);
    // Abort without a graceful shutdown, as a crash would.
    drop(h.host);

    let host = boot(dir.path(), Scenario::demo(), 100.0).await;
    let h2 = TestHost {
        api: host.api_url(),
        base: host.base_url().to_string(),
        host: Some(host),
        client: reqwest::Client::new(),
        dir: tempfile::tempdir().unwrap(),
    };
    let validated = h2.wait_for(&run, &[200000007, 200000003]).await;
    assert_eq!(validated["stagerunstatus"], 200000007, "{validated}");
    h2.action("DeployPackageAsync", &run).await;
    let done = h2.wait_for(&run, &[200000002, 200000003]).await;
    assert_eq!(done["stagerunstatus"], 200000002, "{done}");
    let r = h2.get_with("deploymentstageruns/$count", &[]).await;
    assert_eq!(r.text().await.unwrap(), "1", "no run lost or duplicated");
    let r = h2.get_with("deploymentartifacts/$count", &[]).await;
    assert_eq!(r.text().await.unwrap(), "1", "no artifact duplicated");
    // The scenario seeds once: a restart keeps what the API changed.
    let (_, v) = h2.get("deploymentpipelines?$select=name").await;
    assert_eq!(v["value"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_files_load_packages_relative_to_themselves() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("pkgs")).unwrap();
    let spec = ferry_host::SolutionSpec {
        unique_name: "FabrikamTools".into(),
        version: "3.1.0.0".into(),
        publisher: "fabrikam".into(),
        prefix: "fab".into(),
        environment_variables: vec![ferry_host::package::VariableSpec {
            schema_name: "fab_Endpoint".into(),
            display_name: "Endpoint".into(),
            var_type: "String".into(),
            default_value: None,
        }],
        ..Default::default()
    };
    std::fs::write(
        dir.path().join("pkgs/fabrikam.zip"),
        ferry_host::package::export_zip(&spec, "3.1.0.0", false),
    )
    .unwrap();
    let toml = r#"
name = "fabrikam"
[[users]]
name = "Fay Maker"
upn = "fay@fabrikam.example"
roles = ["maker"]
[[environments]]
name = "build"
kind = "development"
solutions = [{ path = "pkgs/fabrikam.zip" }]
[[environments]]
name = "live"
kind = "target"
connections = [{ id = "live-sql", connector = "shared_sql" }]
[[pipelines]]
name = "Fabrikam"
dev_environments = ["build"]
stages = [{ name = "Live", target = "live" }]
"#;
    let path = dir.path().join("fabrikam.toml");
    std::fs::write(&path, toml).unwrap();
    let scenario = Scenario::load(&path).unwrap();
    let h = start(scenario).await;
    let sols = h
        .env_rows("build", "solutions?$select=uniquename,version,ismanaged")
        .await;
    assert_eq!(sols.len(), 1);
    assert_eq!(sols[0]["uniquename"], "FabrikamTools");
    assert_eq!(sols[0]["ismanaged"], false);
    let run = {
        let (s, _, body) = h
            .send(
                reqwest::Method::POST,
                "deploymentstageruns",
                json!({
                    "deploymentstageid@odata.bind": format!("/deploymentstages({})", stage("Fabrikam", "Live")),
                    "devdeploymentenvironment@odata.bind": format!("/deploymentenvironments({})", registration("build")),
                    "artifactname": "FabrikamTools", "solutionid": sols[0]["solutionid"],
                }),
                &[("Prefer", "return=representation")],
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        body["deploymentstagerunid"].as_str().unwrap().to_string()
    };
    h.action("ValidatePackageAsync", &run).await;
    h.wait_for(&run, &[200000007]).await;
    let settings = json!({ "EnvironmentVariables": [{ "SchemaName": "fab_Endpoint", "Value": "https://live" }] });
    h.patch(
        &format!("deploymentstageruns({run})"),
        json!({ "deploymentsettingsjson": settings.to_string() }),
    )
    .await;
    h.action("DeployPackageAsync", &run).await;
    assert_eq!(
        h.wait_for(&run, &[200000002, 200000003]).await["stagerunstatus"],
        200000002
    );
    let vals = h.env_rows("live", "environmentvariablevalues").await;
    assert_eq!(vals[0]["value"], "https://live");
    let (_, who) = h.get("systemusers?$select=fullname").await;
    assert_eq!(who["value"][0]["fullname"], "Fay Maker");
    let bad = Scenario::load(&dir.path().join("missing.toml")).unwrap_err();
    assert!(format!("{bad:#}").contains("cannot read the scenario file"));
}
