//! Gates and retries through the real `ferry` binary against a `ferry host serve` process:
//! a gated deployment that waits until the approver approves (through the host's Web API, as
//! Pat), and a failed import that `ferry run retry` finishes.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{ferry_as, json_of, request, request_as, text, HostedCli};

fn settings(dir: &std::path::Path, env: &str) -> std::path::PathBuf {
    let path = dir.join(format!("{env}.settings.json"));
    let text = format!(
        r#"{{
  "EnvironmentVariables": [
    {{ "SchemaName": "cont_ApiBaseUrl", "Value": "https://api.{env}.contoso.example" }},
    {{ "SchemaName": "cont_RetryCount", "Value": "5" }}
  ],
  "ConnectionReferences": [
    {{ "LogicalName": "cont_sharedoffice365_1a2b3", "ConnectionId": "{env}-office365" }}
  ]
}}"#
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_gated_deployment_waits_until_the_approver_approves() {
    let cli = HostedCli::start();
    let (dir, host) = (cli.dir(), &cli.host);
    let prod = settings(dir, "prod");

    // `deploy --wait` as Mona, in the background; its lines arrive on a channel.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args([
            "deploy",
            "--solution",
            "ContosoCore",
            "--stage",
            "Gated Prod",
        ])
        .arg("--settings")
        .arg(&prod)
        .args(["--notes", "needs Pat", "--wait"])
        .env("FERRY_DATA_DIR", dir.join("data"))
        .env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("xdg"))
        .env("FERRY_POLL_MS", "50")
        .env("FERRY_TOKEN", "mona")
        .env("NO_COLOR", "1")
        .env_remove("FERRY_PROFILE")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, lines) = mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut seen = Vec::new();
    let mut wait_for = |needle: &str| loop {
        let line = lines
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("never saw {needle:?}; saw {seen:#?}"));
        seen.push(line.clone());
        if line.contains(needle) {
            return line;
        }
    };
    wait_for("Waiting on approval since");
    // The next line names who can act on the gate.
    wait_for("Pat Approver, the stage owner, can approve or reject.");

    let history = json_of(&ferry_as(dir, "mona", &["history", "--json"]));
    let id = history["runs"][0]["id"].as_str().unwrap().to_string();
    let approve =
        format!(r#"{{"StageRunId":"{id}","ApprovalStatus":20,"ApprovalComments":"fine by me"}}"#);
    // Mona cannot approve her own deployment; Pat, the stage's approver, can.
    let (status, body) = request_as(
        &host.url,
        Some("mona"),
        "POST",
        "/api/data/v9.2/UpdateApprovalStatus",
        &approve,
    );
    assert!(status.contains("403"), "{status} {body}");
    let (status, body) = request_as(
        &host.url,
        Some("pat"),
        "POST",
        "/api/data/v9.2/UpdateApprovalStatus",
        &approve,
    );
    assert!(status.contains("204"), "{status} {body}");

    wait_for("Waiting on the pre-deployment step since");
    let (status, body) = request(
        &host.url,
        "POST",
        "/api/data/v9.2/UpdatePreDeploymentStepStatus",
        &format!(r#"{{"StageRunId":"{id}","PreDeploymentStepStatus":20}}"#),
    );
    assert!(status.contains("204"), "{status} {body}");
    wait_for("Succeeded: ContosoCore 1.0.0.4 is in Contoso Prod");
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}: {seen:#?}");

    let record = json_of(&ferry_as(
        dir,
        "mona",
        &["run", "export", &id, "--format", "json"],
    ));
    // The pre-deployment wait is in the run's record, with Pat's comment shown to the maker.
    let timeline = record["timeline"].as_array().unwrap();
    assert!(
        timeline.iter().any(
            |t| t["statusLabel"] == "Pre-Deployment In Progress" && t["detail"] == "fine by me"
        ),
        "{record}"
    );
    assert_eq!(record["run"]["statusLabel"], "Succeeded", "{record}");
}

#[test]
fn a_failed_import_is_retried_to_success() {
    let cli = HostedCli::start();
    let (dir, host) = (cli.dir(), &cli.host);
    let test = settings(dir, "test");
    let (status, body) = request(
        &host.url,
        "PATCH",
        "/_ferry/faults",
        r#"{"import_failures":{"test":1}}"#,
    );
    assert!(status.contains("200"), "{status} {body}");

    let deploy = [
        "deploy",
        "--solution",
        "ContosoCore",
        "--stage",
        "Deploy to Test",
        "--settings",
        test.to_str().unwrap(),
        "--wait",
    ];
    let out = ferry_as(dir, "mona", &deploy);
    assert_eq!(
        out.status.code(),
        Some(3),
        "the import fails: {}",
        text(&out)
    );
    let history = json_of(&ferry_as(dir, "mona", &["history", "--json"]));
    let id = history["runs"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(history["runs"][0]["statusLabel"], "Failed", "{history}");

    let out = ferry_as(dir, "mona", &["run", "retry", &id, "--wait"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("Succeeded: ContosoCore 1.0.0.4 is in Contoso Test"),
        "{}",
        text(&out)
    );
    // The failure it recovered from is history (the timeline), not the run's state now.
    for out in [out, ferry_as(dir, "mona", &["run", "status", &id])] {
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("Error:"),
            "a succeeded run still shows the earlier error: {}",
            text(&out)
        );
    }
    let status = json_of(&ferry_as(dir, "mona", &["run", "status", &id, "--json"]));
    assert_eq!(status["run"]["status"], 200_000_002, "{status}");
    let record = json_of(&ferry_as(
        dir,
        "mona",
        &["run", "export", &id, "--format", "json"],
    ));
    let labels: Vec<&str> = record["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["statusLabel"].as_str().unwrap())
        .collect();
    let failed = labels.iter().position(|l| *l == "Failed");
    let succeeded = labels.iter().rposition(|l| *l == "Succeeded");
    assert!(
        matches!((failed, succeeded), (Some(f), Some(s)) if f < s),
        "the timeline has the failure, then the success: {labels:?}"
    );
}
