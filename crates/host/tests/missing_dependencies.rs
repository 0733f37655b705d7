//! `RetrieveMissingDependencies(SolutionUniqueName=…)` in an environment, over real HTTP:
//! the components a solution needs and does not hold, as `dependency` rows whose base
//! solution says which solution brings each (Ferry predicts a first stage's missing
//! dependencies from it); an unknown solution is a 400 in Dataverse's shape.

mod common;

use common::*;
use ferry_host::Scenario;
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_solutions_missing_dependencies_name_the_solution_that_brings_each() {
    let h = start(Scenario::demo()).await;
    let at = |path: &str| format!("{}/environments/dev/api/data/v9.2/{path}", h.base);
    let (status, body) = h
        .get(&at(
            "RetrieveMissingDependencies(SolutionUniqueName='ContosoPortal')",
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rows = body["value"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{body}");
    let base = rows[0]["requiredcomponentbasesolutionid"].as_str().unwrap();
    let (_, solutions) = h.get(&at("solutions?$select=solutionid,uniquename")).await;
    let brings: Vec<&Value> = solutions["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["solutionid"] == base)
        .collect();
    assert_eq!(brings.len(), 1, "{solutions}");
    assert_eq!(brings[0]["uniquename"], "ContosoCore");
    assert_eq!(rows[0]["requiredcomponentintroducedversion"], 1.0);

    // A solution that needs nothing, and one that does not exist.
    let (status, none) = h
        .get(&at(
            "RetrieveMissingDependencies(SolutionUniqueName='ContosoCanvas')",
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{none}");
    assert_eq!(none["value"], serde_json::json!([]));
    let (status, err) = h
        .get(&at(
            "RetrieveMissingDependencies(SolutionUniqueName='Nowhere')",
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert!(err["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Nowhere"));
}
