//! Redeploying an older artifact through the real `ferry` binary: a `ferry host
//! serve --auth open` process with a scenario of two pipelines, one that allows
//! redeployment and one that does not, and the maker Mona (`FERRY_TOKEN=mona`).
//! v1.0.0.4 then v1.0.0.5 go to a stage; `ferry deploy --redeploy` puts 1.0.0.4's
//! artifact back where the pipeline allows it and is refused, with the reason, where not.

mod common;

use std::path::Path;
use std::process::Output;

use common::{ferry_as, text, Served};
use serde_json::Value;

const SCENARIO: &str = include_str!("../../../tests/scenarios/redeploy.toml");

/// `ferry host serve --auth open` with this test's scenario (speed 50).
fn serve(dir: &Path) -> Served {
    let scenario = dir.join("redeploy.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    common::serve(
        &dir.join("host"),
        &["--scenario", scenario.to_str().unwrap()],
    )
}

/// The real binary as Mona.
fn ferry(dir: &Path, args: &[&str]) -> Output {
    ferry_as(dir, "mona", args)
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let out = ferry(dir, args);
    assert!(out.status.success(), "{args:?}: {}", text(&out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {}", text(&out)))
}

/// `ferry deploy --wait --json` of ContosoCore to `stage`; the finished run.
fn deploy(dir: &Path, stage: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "deploy",
        "--solution",
        "ContosoCore",
        "--stage",
        stage,
        "--wait",
        "--json",
    ];
    args.extend_from_slice(extra);
    let outcome = json(dir, &args);
    assert_eq!(outcome["run"]["statusLabel"], "Succeeded", "{outcome}");
    outcome["run"].clone()
}

fn setup(dir: &Path, host: &Served) {
    for args in [
        &[
            "profile",
            "add",
            "local",
            "--host",
            &host.url,
            "--dev-env",
            "dev",
        ][..],
        &["profile", "use", "local"][..],
    ] {
        let out = ferry(dir, args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }
}

fn installed_version(host: &Served, env: &str) -> String {
    let url = format!(
        "{}/environments/{env}/api/data/v9.2/solutions?$select=uniquename,version",
        host.url
    );
    let body: Value = http::get(&url);
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["uniquename"] == "ContosoCore")
        .map(|s| s["version"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

/// A tiny blocking GET (the CLI's tests have no HTTP client of their own).
mod http {
    use std::io::{Read, Write};
    use std::net::TcpStream;

    pub fn get(url: &str) -> serde_json::Value {
        let rest = url.strip_prefix("http://").unwrap();
        let (authority, path) = rest.split_at(rest.find('/').unwrap());
        let mut stream = TcpStream::connect(authority).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nAccept: application/json\r\n\r\n"
        )
        .unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text}"))
    }
}

#[test]
fn an_older_artifact_goes_back_where_the_pipeline_allows_it() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let host = serve(dir);
    setup(dir, &host);

    let first = deploy(dir, "Hotfix to UAT", &[]);
    assert_eq!(first["version"], "1.0.0.4", "{first}");
    // The host's times have whole seconds (as Dataverse's): two brisk runs ending in the
    // same second could not be told apart as newer and older.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = deploy(dir, "Hotfix to UAT", &[]);
    assert_eq!(second["version"], "1.0.0.5", "{second}");
    assert_ne!(first["artifactId"], second["artifactId"]);
    assert_eq!(installed_version(&host, "uat"), "1.0.0.5");

    let candidates = json(
        dir,
        &[
            "run",
            "candidates",
            "--solution",
            "ContosoCore",
            "--stage",
            "Hotfix to UAT",
            "--json",
        ],
    );
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
    let again = deploy(dir, "Hotfix to UAT", &["--redeploy", first_id]);
    assert_ne!(again["id"], first["id"], "a new run");
    assert_eq!(again["version"], "1.0.0.4", "{again}");
    assert_eq!(again["artifactId"], first["artifactId"], "{again}");
    assert_eq!(again["isRedeployment"], true, "{again}");
    assert_eq!(installed_version(&host, "uat"), "1.0.0.4");

    // The stage's latest run is the redeployment, and the pipeline says it allows them.
    let listing = json(
        dir,
        &["pipeline", "list", "--solution", "ContosoCore", "--json"],
    );
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
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let host = serve(dir);
    setup(dir, &host);

    let first = deploy(dir, "Deploy to Test", &[]);
    assert_eq!(first["version"], "1.0.0.4", "{first}");
    let second = deploy(dir, "Deploy to Test", &[]);
    assert_eq!(second["version"], "1.0.0.5", "{second}");

    let out = ferry(
        dir,
        &[
            "deploy",
            "--solution",
            "ContosoCore",
            "--stage",
            "Deploy to Test",
            "--redeploy",
            first["id"].as_str().unwrap(),
            "--wait",
        ],
    );
    assert!(!out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the pipeline Contoso Release does not allow redeployment"),
        "{}",
        text(&out)
    );
    assert!(stderr.contains("deploy a new version"), "{}", text(&out));

    // Nothing was sent: the stage still has 1.0.0.5 and no third run exists.
    assert_eq!(installed_version(&host, "test"), "1.0.0.5");
    let runs = http::get(&format!(
        "{}/api/data/v9.2/deploymentstageruns?$select=deploymentstagerunid",
        host.url
    ));
    assert_eq!(runs["value"].as_array().unwrap().len(), 2, "{runs}");

    // A run that is not of this stage is refused too, with what to do.
    let out = ferry(
        dir,
        &[
            "deploy",
            "--solution",
            "ContosoCore",
            "--stage",
            "Hotfix to UAT",
            "--redeploy",
            first["id"].as_str().unwrap(),
        ],
    );
    assert!(!out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("another stage"), "{}", text(&out));
    assert!(stderr.contains("ferry run candidates"), "{}", text(&out));
}
