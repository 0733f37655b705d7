//! Deployment settings files against real packages and real settings files.

mod common;

use common::corpus;
use ferry_solution::settings::{DeploymentSettings, SettingsFile};

fn sample(name: &str) -> DeploymentSettings {
    DeploymentSettings::read(&corpus(&format!("_deployment-settings/{name}"))).unwrap()
}

#[test]
fn template_matches_pac_shape() {
    let pkg = ferry_solution::open(corpus("z04-copilot-studio-dataverse-indexer-managed/CopilotStudioDataverseIndexer_1_0_0_15_managed.zip")).unwrap();
    let t = DeploymentSettings::template(&pkg);
    let json: serde_json::Value = serde_json::from_str(&t.to_json()).unwrap();
    let evs = json["EnvironmentVariables"].as_array().unwrap();
    assert_eq!(evs.len(), 9);
    assert_eq!(
        evs[0].as_object().unwrap().keys().collect::<Vec<_>>(),
        ["SchemaName", "Value"]
    );
    assert!(evs.iter().all(|e| e["Value"] == ""));
    let crs = json["ConnectionReferences"].as_array().unwrap();
    assert_eq!(crs.len(), 2);
    assert_eq!(
        crs[0]["LogicalName"],
        "cat_DataverseIndexerMicrosoftDataverse"
    );
    assert_eq!(crs[0]["ConnectionId"], "");
    assert_eq!(
        crs[0]["ConnectorId"],
        "/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps"
    );
}

#[test]
fn real_settings_files_read_and_keep_extra_keys() {
    for name in [
        "e1-AutomationCoEMain_1.0.20221102.1_managed.json",
        "e2-AgentReviewTool-Prod-deploymentSettings.json",
        "e3-Workshop-settings.json",
        "e4-AutomationKitControlCenter-Prod-deploymentSettings.json",
    ] {
        let s = sample(name);
        let again = DeploymentSettings::parse(&s.to_json()).unwrap();
        assert_eq!(again, s, "{name} survives a round trip");
    }
    let e2 = sample("e2-AgentReviewTool-Prod-deploymentSettings.json");
    assert!(e2.connection_references[0]
        .other
        .contains_key("ConnectionOwner"));
}

#[test]
fn stale_and_placeholder_files_are_reported() {
    let u04 = ferry_solution::open(corpus("u04-agent-review-tool-src/src")).unwrap();
    let codes: Vec<_> = sample("e2-AgentReviewTool-Prod-deploymentSettings.json")
        .validate(&u04)
        .iter()
        .map(|f| f.code)
        .collect();
    assert!(codes.contains(&"settings-env-var-unknown"), "{codes:?}");
    assert!(codes.contains(&"settings-connection-unknown"), "{codes:?}");
    assert!(codes.contains(&"settings-connection-missing"), "{codes:?}");

    let u09 = ferry_solution::open(corpus("u09-automation-kit-control-center-src/src")).unwrap();
    let codes: Vec<_> = sample("e4-AutomationKitControlCenter-Prod-deploymentSettings.json")
        .validate(&u09)
        .iter()
        .map(|f| f.code)
        .collect();
    assert_eq!(
        codes,
        ["settings-connection-missing"],
        "env var has a default, so only the connection"
    );

    // e1's placeholders, checked against a package that has one of its references.
    let mut e1 = sample("e1-AutomationCoEMain_1.0.20221102.1_managed.json");
    let mut pkg = u09.clone();
    pkg.connection_references[0].logical_name = e1.connection_references[6].logical_name.clone();
    pkg.connection_references[0].connector_id = e1.connection_references[6].connector_id.clone();
    let f = e1.validate(&pkg);
    assert!(
        f.iter().any(|f| f.code == "settings-value-unresolved"),
        "{f:?}"
    );
    e1.connection_references[6].connector_id =
        Some("/providers/Microsoft.PowerApps/apis/shared_other".into());
    assert!(e1
        .validate(&pkg)
        .iter()
        .any(|f| f.code == "settings-connector-mismatch"));
}

#[test]
fn merge_keeps_values_and_adds_what_is_missing() {
    let pkg = ferry_solution::open(corpus(
        "z03-power-platform-blog-updates/power-platform-blog-update.zip",
    ))
    .unwrap();
    let mut s = DeploymentSettings::template(&pkg);
    s.environment_variables
        .retain(|e| e.schema_name == "natiturt_EmailSubject");
    s.environment_variables[0].value = "Weekly".into();
    s.connection_references.clear();
    s.other.insert("Comment".into(), "kept".into());
    let report = s.merge_template(&pkg);
    assert_eq!(report.kept, 1);
    assert_eq!(report.added.len(), 12 + 2);
    assert_eq!(s.environment_variables.len(), 13);
    assert_eq!(s.environment_variables[0].value, "Weekly");
    assert_eq!(s.other["Comment"], "kept");
    // Merging again changes nothing.
    let before = s.clone();
    assert!(s.merge_template(&pkg).added.is_empty());
    assert_eq!(s, before);
}

#[test]
fn write_refuses_to_overwrite_and_replaces_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    std::fs::write(&path, "precious").unwrap();
    let s = DeploymentSettings::default();
    let err = s.write(&path, false).expect_err("refused");
    assert_eq!(err.code().as_str(), "already_exists");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "precious");
    s.write(&path, true).unwrap();
    assert_eq!(DeploymentSettings::read(&path).unwrap(), s);
    // No temporary files are left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[cfg(unix)]
#[test]
fn a_settings_file_gets_the_usual_mode_and_a_replaced_one_keeps_its_own() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let settings = ferry_solution::settings::DeploymentSettings::default();
    // What a file the user makes here gets (the process umask), found by making one.
    let probe = dir.path().join("probe");
    std::fs::write(&probe, "").unwrap();
    let usual = mode(&probe);
    let new = dir.path().join("new.settings.json");
    settings.write(&new, false).unwrap();
    assert_eq!(mode(&new), usual, "not 0600 in a shared folder");
    // Replacing keeps the file's own mode.
    let shared = dir.path().join("shared.settings.json");
    std::fs::write(&shared, "{}").unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o664)).unwrap();
    settings.write(&shared, true).unwrap();
    assert_eq!(mode(&shared), 0o664);
}
