//! `--dry-run`, `pipeline list` and `matrix` tell what the target will say, through the
//! real `ferry` binary against `ferry host serve --auth open` with the `target_truth`
//! scenario (tests/scenarios/target_truth.toml): an unmanaged copy in the target, a required
//! solution the target lacks (read from the promoted artifact), and the version already
//! installed by another pipeline on a promoted stage — where "raise the version" is impossible.

mod common;

use common::{json_of, stdout, text, HostedCli};
use serde_json::Value;

const SCENARIO: &str = include_str!("../../../tests/scenarios/target_truth.toml");

fn dry_run(cli: &HostedCli, stage: &str) -> (Option<i32>, Value) {
    let out = cli.ferry(&[
        "deploy",
        "--solution",
        "ContosoCore",
        "--stage",
        stage,
        "--dry-run",
        "--json",
    ]);
    (out.status.code(), json_of(&out))
}

fn errors(plan: &Value) -> Vec<String> {
    plan["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["severity"] == "error")
        .map(|c| c["message"].as_str().unwrap().to_string())
        .collect()
}

/// The stage's deployability in `pipeline list --solution ContosoCore --json`.
fn deployability(cli: &HostedCli, stage: &str) -> Value {
    let out = cli.ferry(&["pipeline", "list", "--solution", "ContosoCore", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let listing = json_of(&out);
    listing["pipelines"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["stages"].as_array().unwrap().iter())
        .find(|s| s["name"] == stage)
        .unwrap_or_else(|| panic!("no stage {stage}: {listing}"))["deployability"]
        .clone()
}

#[test]
fn an_unmanaged_copy_in_the_target_is_not_ready() {
    let cli = HostedCli::with(Some(SCENARIO), &[]);

    // A managed import cannot update an unmanaged copy.
    let (code, plan) = dry_run(&cli, "Deploy to Sandbox");
    assert_eq!(code, Some(1), "{plan}");
    assert_eq!(plan["ready"], false, "{plan}");
    assert!(
        errors(&plan).iter().any(|e| e.contains("unmanaged")),
        "{plan}"
    );
    let sandbox = deployability(&cli, "Deploy to Sandbox");
    assert_eq!(sandbox["deployable"], false, "{sandbox}");
    assert!(
        sandbox["reason"].as_str().unwrap().contains("unmanaged"),
        "{sandbox}"
    );
    let human = cli.ferry(&["pipeline", "list", "--solution", "ContosoCore"]);
    assert!(
        stdout(&human).contains("not now: ContosoCore is installed in the target as an unmanaged"),
        "{}",
        text(&human)
    );
    // A target without a copy is ready.
    let (code, plan) = dry_run(&cli, "Deploy to Test");
    assert_eq!(code, Some(0), "{plan}");
}

#[test]
fn a_required_solution_the_target_lacks_is_read_from_the_promoted_artifact() {
    let cli = HostedCli::with(Some(SCENARIO), &[]);

    // Test and UAT have ContosoBase; Prod does not, and the artifact Prod would get
    // declares it needs it.
    assert_eq!(cli.deploy("Deploy to Test", &[])["version"], "1.0.0.4");
    assert_eq!(cli.deploy("Deploy to UAT", &[])["version"], "1.0.0.4");
    let (code, plan) = dry_run(&cli, "Deploy to Prod");
    assert_eq!(code, Some(1), "{plan}");
    assert!(
        errors(&plan)
            .iter()
            .any(|e| e.contains("does not have the solution ContosoBase")),
        "{plan}"
    );
    let prod = deployability(&cli, "Deploy to Prod");
    assert_eq!(prod["deployable"], false, "{prod}");
    assert!(
        prod["reason"].as_str().unwrap().contains("ContosoBase"),
        "{prod}"
    );
}

#[test]
fn a_required_solution_the_target_lacks_is_predicted_from_dev_for_a_new_export() {
    let cli = HostedCli::with(Some(SCENARIO), &[]);

    // Nothing was exported yet: dev says ContosoCore needs ContosoBase, which Prod lacks.
    let (code, plan) = dry_run(&cli, "Direct to Prod");
    assert_eq!(code, Some(1), "{plan}");
    assert!(
        errors(&plan).iter().any(
            |e| e.contains("does not have the solution ContosoBase (version 1.0.0.0 or later)")
        ),
        "{plan}"
    );
    let direct = deployability(&cli, "Direct to Prod");
    assert_eq!(direct["deployable"], false, "{direct}");
    // Test has ContosoBase: ready.
    let (code, plan) = dry_run(&cli, "Deploy to Test");
    assert_eq!(code, Some(0), "{plan}");
}

#[test]
fn a_version_another_pipeline_installed_cannot_be_promoted_and_the_advice_is_possible() {
    let cli = HostedCli::with(Some(SCENARIO), &[]);

    // Another pipeline puts 1.0.0.4 into UAT; Test gets 1.0.0.4 too: UAT would promote a
    // version it already has, which nobody can raise on a promoted stage.
    assert_eq!(cli.deploy("Hotfix to UAT", &[])["version"], "1.0.0.4");
    assert_eq!(cli.deploy("Deploy to Test", &[])["version"], "1.0.0.4");
    let (code, plan) = dry_run(&cli, "Deploy to UAT");
    assert_eq!(code, Some(1), "{plan}");
    let errs = errors(&plan);
    let taken = errs
        .iter()
        .find(|e| e.contains("already has ContosoCore 1.0.0.4"))
        .unwrap_or_else(|| panic!("{plan}"));
    assert!(
        taken.contains("deployed by Contoso Hotfix / Hotfix to UAT"),
        "{taken}"
    );
    assert!(
        taken.contains("Deploy a version above 1.0.0.4 to Deploy to Test"),
        "{taken}"
    );
    assert!(!taken.contains("Raise the version"), "{taken}");
    let uat = deployability(&cli, "Deploy to UAT");
    assert_eq!(uat["deployable"], false, "{uat}");
    assert!(
        uat["reason"].as_str().unwrap().contains("Contoso Hotfix"),
        "{uat}"
    );
}

/// The matrix cell of `pipeline` / `stage` for ContosoCore in `ferry matrix --json`.
fn cell(cli: &HostedCli, pipeline: &str, stage: &str) -> Value {
    let out = cli.ferry(&["matrix", "--json"]);
    assert!(out.status.success(), "{}", text(&out));
    let m = json_of(&out);
    let column = m["stages"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["pipelineName"] == pipeline && s["stageName"] == stage)
        .unwrap_or_else(|| panic!("no column {pipeline} / {stage}: {m}"));
    let row = m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["solution"] == "ContosoCore")
        .unwrap_or_else(|| panic!("no ContosoCore row: {m}"));
    row["cells"][column].clone()
}

#[test]
fn the_matrix_names_the_pipeline_that_deployed_to_the_same_environment() {
    let cli = HostedCli::with(Some(SCENARIO), &[]);

    cli.deploy("Deploy to Test", &[]);
    cli.deploy("Deploy to UAT", &[]);
    // Hotfix never deployed, but UAT has what Release put there: not "installed outside".
    let hotfix = cell(&cli, "Contoso Hotfix", "Hotfix to UAT");
    assert_eq!(hotfix["drift"], "otherPipeline", "{hotfix}");
    assert_eq!(
        hotfix["installedBy"], "Contoso Release / Deploy to UAT",
        "{hotfix}"
    );

    std::thread::sleep(std::time::Duration::from_millis(1100)); // a later second (host times)
    assert_eq!(cli.deploy("Hotfix to UAT", &[])["version"], "1.0.0.5");
    let release = cell(&cli, "Contoso Release", "Deploy to UAT");
    assert_eq!(release["version"], "1.0.0.4", "{release}");
    assert_eq!(release["installedVersion"], "1.0.0.5", "{release}");
    assert_eq!(release["drift"], "otherPipeline", "{release}");
    assert_eq!(
        release["installedBy"], "Contoso Hotfix / Hotfix to UAT",
        "{release}"
    );
    let human = cli.ferry(&["matrix"]);
    let shown = stdout(&human);
    assert!(
        shown.contains("target has 1.0.0.5, installed by Contoso Hotfix / Hotfix to UAT"),
        "{}",
        text(&human)
    );
    assert!(
        !shown.contains("installed outside the pipeline"),
        "{}",
        text(&human)
    );
}
