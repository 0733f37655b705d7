//! The real `ferry` binary against the Local sandbox (an in-process host per
//! invocation, sharing `<FERRY_DATA_DIR>/sandbox`), in a temp data dir.

mod common;

use std::path::Path;
use std::process::Output;

use common::{filtered, stdout, text, Sandbox};

/// Lines of `deploy --wait` output without consecutive duplicates of the same step.
fn deploy_and_wait(sb: &Sandbox, settings: &Path) -> (Output, String) {
    let out = sb.ferry(&[
        "deploy",
        "--solution",
        "ContosoCore",
        "--stage",
        "Deploy to Test",
        "--settings",
        settings.to_str().unwrap(),
        "--notes",
        "first release",
        "--wait",
    ]);
    let shown = filtered(&stdout(&out));
    (out, shown)
}

#[test]
fn a_full_deployment_from_a_settings_file() {
    let sb = Sandbox::new();
    let settings = sb.settings_file();

    // The plan proposes the version; nobody types the current one.
    let plan = sb.json(&[
        "deploy",
        "--solution",
        "ContosoCore",
        "--stage",
        "deploy to test",
        "--settings",
        settings.to_str().unwrap(),
        "--dry-run",
        "--json",
    ]);
    assert_eq!(plan["devVersion"], "1.0.0.3");
    assert_eq!(plan["version"], "1.0.0.4");
    assert_eq!(plan["ready"], true);

    let (out, shown) = deploy_and_wait(&sb, &settings);
    assert!(out.status.success(), "{}", text(&out));
    let expected_start =
        "<TIME> Requested ContosoCore → Contoso Test\n<TIME> Validating (Exporting Solution)";
    assert!(shown.starts_with(expected_start), "{shown}");
    for line in [
        "<TIME> Validated",
        "<TIME> Importing ContosoCore 1.0.0.4 into Contoso Test",
        "<TIME> Succeeded: ContosoCore 1.0.0.4 is in Contoso Test",
        "ContosoCore 1.0.0.4 → Contoso Test: Succeeded",
        "Run: <ID>",
        "Stage: Deploy to Test (Contoso Release)",
        "Notes: first release",
    ] {
        assert!(
            shown.lines().any(|l| l == line),
            "missing {line:?} in\n{shown}"
        );
    }

    // The next plan uses the remembered values and the next version.
    let next = sb.json(&[
        "deploy",
        "--solution",
        "ContosoCore",
        "--stage",
        "Deploy to Test",
        "--dry-run",
        "--json",
    ]);
    assert_eq!(next["version"], "1.0.0.5");
    assert_eq!(next["connectionReferences"][0]["source"], "stageProfile");

    let history = sb.json(&["history", "--json"]);
    let runs = history["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1, "{history}");
    assert_eq!(runs[0]["statusLabel"], "Succeeded");
    let id = runs[0]["id"].as_str().unwrap().to_string();

    let status = sb.json(&["run", "status", &id, "--json"]);
    assert_eq!(status["run"]["version"], "1.0.0.4");

    let record = sb.json(&["run", "export", &id, "--format", "json"]);
    assert!(
        record["timeline"].as_array().unwrap().len() >= 4,
        "{record}"
    );
    assert_eq!(
        record["settings"]["ConnectionReferences"][0]["ConnectionId"],
        "test-office365"
    );
    let md = stdout(&sb.ferry(&["run", "export", &id]));
    assert!(
        md.starts_with("# ContosoCore 1.0.0.4 → Contoso Test"),
        "{md}"
    );

    let matrix = sb.json(&["matrix", "--json"]);
    let col = matrix["stages"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["stageName"] == "Deploy to Test")
        .unwrap();
    let row = matrix["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["solution"] == "ContosoCore")
        .unwrap();
    assert_eq!(row["cells"][col]["version"], "1.0.0.4");
    assert_eq!(row["cells"][col]["drift"], "inSync");

    let listing = sb.json(&["pipeline", "list", "--solution", "ContosoCore", "--json"]);
    let release = listing["pipelines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Contoso Release")
        .unwrap();
    assert_eq!(release["stages"][1]["deployability"]["deployable"], true);
    assert_eq!(release["stages"][1]["deployability"]["version"], "1.0.0.4");
}

#[test]
fn a_validation_failure_is_explained() {
    let sb = Sandbox::new();
    let out = sb.ferry(&[
        "deploy",
        "--solution",
        "ContosoReports",
        "--stage",
        "Deploy to Test",
        "--wait",
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let shown = filtered(&stdout(&out));
    assert!(
        // Validation comes before the version is chosen (the portal's order): a run that
        // failed validation never got one.
        shown.contains("ContosoReports → Contoso Test: Failed"),
        "{shown}"
    );
    assert!(
        shown.contains("Required solutions are missing in the target [0x8004801D]"),
        "{shown}"
    );
    assert!(shown.contains("install ContosoAnalyticsBase"), "{shown}");
    assert!(shown.contains("Next: "), "{shown}");

    let failed = sb.json(&["history", "--status", "failed", "--json"]);
    assert_eq!(failed["runs"].as_array().unwrap().len(), 1);
    let ok = sb.json(&["history", "--status", "succeeded", "--json"]);
    assert!(ok["runs"].as_array().unwrap().is_empty());
    // Days (UTC) or instants bound the history.
    let since = sb.json(&["history", "--from", "2000-01-01", "--json"]);
    assert_eq!(since["runs"].as_array().unwrap().len(), 1);
    let later = sb.json(&["history", "--from", "2999-01-01", "--json"]);
    assert!(later["runs"].as_array().unwrap().is_empty());
    let before = sb.json(&["history", "--before", "2000-01-01T00:00:00Z", "--json"]);
    assert!(before["runs"].as_array().unwrap().is_empty());
    let out = sb.ferry(&["history", "--from", "last week"]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(text(&out).contains("RFC 3339"), "{}", text(&out));
}

#[test]
fn a_scheduled_deployment_is_canceled() {
    let sb = Sandbox::new();
    let at = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let started = sb.json(&[
        "deploy",
        "--solution",
        "ContosoCanvas",
        "--stage",
        "Deploy to Test",
        "--at",
        &at,
        "--json",
    ]);
    let id = started["run"]["id"].as_str().unwrap().to_string();
    assert_eq!(started["run"]["terminal"], false, "{started}");

    let out = sb.ferry(&["run", "cancel", &id]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(stdout(&out).contains(": Canceled"), "{}", text(&out));

    // The status of a canceled run exits 4, like watch.
    let args = ["run", "status", id.as_str(), "--json"];
    let out = sb.ferry(&args);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out));
    let status = Sandbox::parse(&args, &out);
    assert_eq!(status["run"]["status"], 200_000_004);
    let watch = sb.ferry(&["run", "watch", &id]);
    assert_eq!(watch.status.code(), Some(4), "{}", text(&watch));

    let again = sb.ferry(&["run", "cancel", &id]);
    assert_eq!(again.status.code(), Some(6), "{}", text(&again));
    assert!(
        String::from_utf8_lossy(&again.stderr).starts_with("error: "),
        "{}",
        text(&again)
    );
}

#[test]
fn history_answers_from_the_cache_without_the_host() {
    let sb = Sandbox::new();
    let (out, _) = deploy_and_wait(&sb, &sb.settings_file());
    assert!(out.status.success(), "{}", text(&out));
    // Make the sandbox host impossible to start: history must not need it.
    let host_dir = sb.data().join("sandbox");
    std::fs::remove_dir_all(&host_dir).unwrap();
    std::fs::write(&host_dir, "not a directory").unwrap();

    let out = sb.ferry(&["history", "--search", "first rel"]);
    assert!(out.status.success(), "{}", text(&out));
    let shown = filtered(&stdout(&out));
    let lines: Vec<&str> = shown.lines().collect();
    assert_eq!(lines.len(), 2, "{shown}");
    assert!(lines[0].starts_with("WHEN"), "{shown}");
    assert!(
        lines[1]
            .starts_with("<DATE> <TIME> +00:00 ContosoCore 1.0.0.4 Deploy to Test Succeeded <ID>"),
        "{shown}"
    );
    let none = sb.ferry(&["history", "--search", "nothing-like-this"]);
    assert_eq!(stdout(&none).trim(), "No runs match.");

    let online = sb.ferry(&["pipeline", "list"]);
    assert_eq!(online.status.code(), Some(1), "{}", text(&online));
    assert!(
        String::from_utf8_lossy(&online.stderr).contains("Local sandbox could not start"),
        "{}",
        text(&online)
    );
}

#[test]
fn profiles_are_listed_added_and_used() {
    let sb = Sandbox::new();
    let list = sb.json(&["profile", "list", "--json"]);
    assert_eq!(list[0]["id"], "sandbox");
    assert_eq!(list[0]["active"], true);

    let out = sb.ferry(&[
        "profile",
        "add",
        "contoso",
        "--host",
        "http://127.0.0.1:9",
        "--dev-env",
        "dev",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let out = sb.ferry(&["profile", "use", "contoso"]);
    assert!(out.status.success(), "{}", text(&out));
    let list = sb.json(&["profile", "list", "--json"]);
    let active: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["active"] == true)
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(active, ["contoso"]);

    // A cloud profile without a token says what to do.
    let out = sb.ferry(&["pipeline", "list"]);
    assert_eq!(out.status.code(), Some(8), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("FERRY_TOKEN"),
        "{}",
        text(&out)
    );
    // --profile picks another one for one command.
    let out = sb.ferry(&["--profile", "Local sandbox", "history", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = sb.ferry(&["--profile", "nobody", "history"]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("ferry profile list"),
        "{}",
        text(&out)
    );
}

#[test]
fn wrong_arguments_exit_2() {
    let sb = Sandbox::new();
    let out = sb.ferry(&["deploy", "--stage", "x"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let out = sb.ferry(&["history", "--status", "bogus"]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    let out = sb.ferry(&["run", "status", "not-a-guid"]);
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
}

#[test]
fn a_killed_watch_is_picked_up_and_the_history_has_every_transition() {
    use std::io::{BufRead, BufReader};
    let sb = Sandbox::new();
    let settings = sb.settings_file();
    // A slower sandbox, so the CLI can be killed in the middle of the import.
    let mut child = sb
        .command(&[
            "deploy",
            "--solution",
            "ContosoCore",
            "--stage",
            "Deploy to Test",
            "--settings",
            settings.to_str().unwrap(),
            "--wait",
        ])
        .env("FERRY_SANDBOX_SPEED", "4")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push(line.clone());
        if line.contains("Importing ContosoCore") {
            break;
        }
    }
    assert!(
        seen.iter().any(|l| l.contains("Importing")),
        "never saw the import start: {seen:?}"
    );
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();

    // The run was in the cache before its first request left.
    let history = sb.json(&["history", "--json"]);
    let id = history["runs"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(history["runs"][0]["terminal"], false, "{history}");

    // The same pace as the killed process: a watch that joins a run midway reads it on a
    // back-off (it does not know when the phase began), which can step over a phase shorter
    // than its gap; at this pace every phase outlasts the gap.
    let out = sb
        .command(&["run", "watch", &id])
        .env("FERRY_SANDBOX_SPEED", "4")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let shown = filtered(&stdout(&out));
    assert!(
        shown.contains("Succeeded: ContosoCore 1.0.0.4 is in Contoso Test"),
        "{shown}"
    );

    let record = sb.json(&["run", "export", &id, "--format", "json"]);
    let labels: Vec<&str> = record["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["statusLabel"].as_str().unwrap())
        .collect();
    for want in [
        "Validating",
        "Validation Succeeded",
        "Deploying",
        "Succeeded",
    ] {
        assert!(labels.contains(&want), "{want} missing from {labels:?}");
    }
    assert_eq!(labels.last(), Some(&"Succeeded"));
    let steps: Vec<&str> = record["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["step"].as_str())
        .collect();
    assert!(steps.contains(&"Importing Solution"), "{steps:?}");
    assert!(steps.contains(&"Customization Publishing"), "{steps:?}");
}

#[test]
fn errors_with_json_are_coded_and_exit_by_their_class() {
    let sb = Sandbox::new();
    let out = sb.ferry(&["--profile", "nobody", "history", "--json"]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    assert!(out.stdout.is_empty(), "{}", text(&out));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).expect("stderr is JSON");
    assert_eq!(err["error"]["code"], "not_found", "{err}");
    assert!(
        err["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("ferry profile list")),
        "{err}"
    );

    // Without --json, the same error is one sentence.
    let out = sb.ferry(&["--profile", "nobody", "history"]);
    assert_eq!(out.status.code(), Some(7), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: there is no profile"));
}
