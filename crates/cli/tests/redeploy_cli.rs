//! Redeploying an older artifact through the real `ferry` binary: a `ferry host
//! serve --auth open` process with a scenario of two pipelines, one that allows
//! redeployment and one that does not, and the maker Mona (`FERRY_TOKEN=mona`).
//! v1.0.0.4 then v1.0.0.5 go to a stage; `ferry deploy --redeploy` puts 1.0.0.4's
//! artifact back where the pipeline allows it and is refused, with the reason, where not.

mod common;

use common::{text, HostedCli};

const SCENARIO: &str = include_str!("../../../tests/scenarios/redeploy.toml");

fn installed_version(cli: &HostedCli, env: &str) -> String {
    let body = cli.get(&format!(
        "/environments/{env}/api/data/v9.2/solutions?$select=uniquename,version"
    ));
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["uniquename"] == "ContosoCore")
        .map(|s| s["version"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

#[test]
fn an_older_artifact_goes_back_where_the_pipeline_allows_it() {
    let cli = HostedCli::with(Some(SCENARIO), &[]);

    let first = cli.deploy("Hotfix to UAT", &[]);
    assert_eq!(first["version"], "1.0.0.4", "{first}");
    // The host's times have whole seconds (as Dataverse's): two brisk runs ending in the
    // same second could not be told apart as newer and older.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = cli.deploy("Hotfix to UAT", &[]);
    assert_eq!(second["version"], "1.0.0.5", "{second}");
    assert_ne!(first["artifactId"], second["artifactId"]);
    assert_eq!(installed_version(&cli, "uat"), "1.0.0.5");

    let candidates = cli.json(&[
        "run",
        "candidates",
        "--solution",
        "ContosoCore",
        "--stage",
        "Hotfix to UAT",
        "--json",
    ]);
    let versions: Vec<(&str, bool)> = candidates
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["version"].as_str().unwrap(),
                c["current"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        versions,
        [("1.0.0.5", true), ("1.0.0.4", false)],
        "{candidates}"
    );
    assert_eq!(candidates[1]["runId"], first["id"]);
    assert_eq!(candidates[1]["artifactId"], first["artifactId"]);

    let first_id = first["id"].as_str().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100)); // a later second again
    let again = cli.deploy("Hotfix to UAT", &["--redeploy", first_id]);
    assert_ne!(again["id"], first["id"], "a new run");
    assert_eq!(again["version"], "1.0.0.4", "{again}");
    assert_eq!(again["artifactId"], first["artifactId"], "{again}");
    assert_eq!(again["isRedeployment"], true, "{again}");
    assert_eq!(installed_version(&cli, "uat"), "1.0.0.4");

    // The stage's latest run is the redeployment, and the pipeline says it allows them.
    let listing = cli.json(&["pipeline", "list", "--solution", "ContosoCore", "--json"]);
    let pipelines = listing["pipelines"].as_array().unwrap();
    let hotfix = pipelines
        .iter()
        .find(|p| p["name"] == "Contoso Hotfix")
        .unwrap();
    assert_eq!(hotfix["enableRedeployment"], true, "{hotfix}");
    let stage = &hotfix["stages"][0];
    assert_eq!(stage["enableRedeployment"], true, "{stage}");
    assert_eq!(stage["latestRun"]["id"], again["id"], "{stage}");
    assert_eq!(stage["latestRun"]["version"], "1.0.0.4", "{stage}");
    assert_eq!(
        stage["latestRun"]["artifactId"], first["artifactId"],
        "{stage}"
    );
    let release = pipelines
        .iter()
        .find(|p| p["name"] == "Contoso Release")
        .unwrap();
    assert_eq!(release["enableRedeployment"], false, "{release}");
    assert_eq!(release["stages"][0]["enableRedeployment"], false);
}

#[test]
fn a_pipeline_without_redeployment_refuses_with_the_reason() {
    let cli = HostedCli::with(Some(SCENARIO), &[]);

    let first = cli.deploy("Deploy to Test", &[]);
    assert_eq!(first["version"], "1.0.0.4", "{first}");
    let second = cli.deploy("Deploy to Test", &[]);
    assert_eq!(second["version"], "1.0.0.5", "{second}");

    let out = cli.ferry(&[
        "deploy",
        "--solution",
        "ContosoCore",
        "--stage",
        "Deploy to Test",
        "--redeploy",
        first["id"].as_str().unwrap(),
        "--wait",
    ]);
    assert!(!out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the pipeline Contoso Release does not allow redeployment"),
        "{}",
        text(&out)
    );
    assert!(stderr.contains("deploy a new version"), "{}", text(&out));

    // Nothing was sent: the stage still has 1.0.0.5 and no third run exists.
    assert_eq!(installed_version(&cli, "test"), "1.0.0.5");
    let runs = cli.get("/api/data/v9.2/deploymentstageruns?$select=deploymentstagerunid");
    assert_eq!(runs["value"].as_array().unwrap().len(), 2, "{runs}");

    // A run that is not of this stage is refused too, with what to do.
    let out = cli.ferry(&[
        "deploy",
        "--solution",
        "ContosoCore",
        "--stage",
        "Hotfix to UAT",
        "--redeploy",
        first["id"].as_str().unwrap(),
    ]);
    assert!(!out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("another stage"), "{}", text(&out));
    assert!(stderr.contains("ferry run candidates"), "{}", text(&out));
}
