//! A run that was validated and never deployed waits for its maker: `ferry run status` and
//! `ferry run watch` say how to deploy or cancel it, never "follow it with `ferry run watch`"
//! (which would only say the same again).

mod common;

use common::{request_as, text, HostedCli};
use ferry_host::scenario::derived_id;
use serde_json::{json, Value};

#[test]
fn a_validated_run_says_how_to_deploy_it_not_to_watch_it() {
    let cli = HostedCli::start();
    let host = &cli.host;

    // Validated through the Web API, as the app's Validate leaves a run.
    let created = json!({
        "deploymentstageid@odata.bind": format!("/deploymentstages({})", derived_id("stage", "Contoso Release/Deploy to Test")),
        "devdeploymentenvironment@odata.bind": format!("/deploymentenvironments({})", derived_id("registration", "dev")),
        "artifactname": "ContosoCore",
        "solutionid": derived_id("solution", "ContosoCore"),
    });
    let (status, body) = request_as(
        &host.url,
        Some("mona"),
        "POST",
        "/api/data/v9.2/deploymentstageruns",
        &created.to_string(),
    );
    assert!(status.contains("201"), "{status} {body}");
    let run: Value = serde_json::from_str(&body).unwrap();
    let id = run["deploymentstagerunid"].as_str().unwrap().to_string();
    let (status, body) = request_as(
        &host.url,
        Some("mona"),
        "POST",
        "/api/data/v9.2/ValidatePackageAsync",
        &json!({ "StageRunId": id }).to_string(),
    );
    assert!(status.contains("20"), "{status} {body}");

    // `run watch` follows it to "validated" and returns; `run status` then says the same.
    for args in [
        ["run", "watch", id.as_str()],
        ["run", "status", id.as_str()],
    ] {
        let out = cli.ferry(&args);
        let said = text(&out);
        assert!(out.status.success(), "{args:?}: {said}");
        assert!(said.contains("Validation Succeeded"), "{args:?}: {said}");
        assert!(
            said.contains(&format!("--run {id}")) && said.contains("ferry run cancel"),
            "{args:?} does not say how to deploy or cancel it: {said}"
        );
        assert!(
            !said.contains("ferry run watch"),
            "{args:?} sends the maker to watch a run that waits for them: {said}"
        );
    }
}
