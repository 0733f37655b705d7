//! The demo deployments the benchmarks (and the ops tests) make, and what they read from the
//! host beside Ferry to know when each transition really happened.

#![allow(dead_code)] // each includer uses its part

use std::time::{Duration, Instant};

use ferry_ops::CancellationToken;

/// The deployment settings of ContosoCore for Test (the demo's connection and variables).
pub const SETTINGS: &str = r#"{
  "EnvironmentVariables": [
    { "SchemaName": "cont_ApiBaseUrl", "Value": "https://api.test.contoso.example" },
    { "SchemaName": "cont_RetryCount", "Value": "5" }
  ],
  "ConnectionReferences": [
    { "LogicalName": "cont_sharedoffice365_1a2b3", "ConnectionId": "test-office365",
      "ConnectorId": "/providers/Microsoft.PowerApps/apis/shared_office365" }
  ]
}"#;

/// The deployments each benchmark mode makes, in order; the last one is compared. A solution
/// goes to a stage once (its dev version does not change between runs), so the earlier ones
/// are others.
pub const SEQUENCE: [(&str, &str); 4] = [
    ("ContosoCanvas", "Deploy to Test"),
    ("ContosoCore", "Deploy to Test"),
    ("ContosoCanvas", "Deploy to UAT"),
    ("ContosoCore", "Deploy to UAT"),
];

/// The settings a deployment of [`SEQUENCE`] sends (ContosoCore needs them, per stage).
pub fn settings_for(solution: &str, stage: &str) -> Option<String> {
    match (solution, stage) {
        ("ContosoCore", "Deploy to UAT") => Some(SETTINGS.replace("test", "uat")),
        ("ContosoCore", _) => Some(SETTINGS.to_string()),
        _ => None,
    }
}

/// A state of the run: `stagerunstatus` and the step label.
pub type State = (i32, Option<String>);

/// Reads the run from the host every 20 ms once `run_id` names it, until `stop`, and records
/// each state change with when it was seen (a sampler beside Ferry, not counted).
pub async fn truth(
    host: String,
    run_id: impl Fn() -> Option<String>,
    stop: CancellationToken,
) -> Vec<(Instant, State)> {
    let http = reqwest::Client::new();
    let mut out: Vec<(Instant, State)> = Vec::new();
    while !stop.is_cancelled() {
        if let Some(id) = run_id() {
            let url = format!(
                "{host}/api/data/v9.2/deploymentstageruns({id})?$select=stagerunstatus,suboperation"
            );
            if let Ok(r) = http.get(&url).bearer_auth("ferry-bench").send().await {
                if let Ok(v) = r.json::<serde_json::Value>().await {
                    let status = v["stagerunstatus"].as_i64().unwrap_or_default() as i32;
                    let step = v["suboperation"]
                        .as_i64()
                        .and_then(ferry_pipelines::SubOperation::from_code)
                        .filter(|s| *s != ferry_pipelines::SubOperation::None)
                        .map(|s| s.label().to_string());
                    let state = (status, step);
                    if out.last().map(|(_, s)| s) != Some(&state) {
                        out.push((Instant::now(), state));
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    out
}
