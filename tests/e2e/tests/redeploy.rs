//! Redeploying an earlier version from the window: a `ferry host serve` with a
//! scenario whose pipeline allows redeployment, two versions deployed to its stage
//! with the `ferry` CLI (1.0.0.4, then 1.0.0.5), then in the app the stage card's
//! Redeploy…, the earlier package picked from the list, the wizard with its version
//! fixed, validation and Deploy — and the target has 1.0.0.4 again.

use anyhow::{ensure, Context, Result};
use ferry_e2e::{
    add_host_profile, click, doc_screenshot, enabled, open_solution, press_deploy, settled_stage,
    to_summary, wait_for, wait_text_contains, wait_validation_passed, AppSession, HostProcess,
};
use serde_json::Value;

/// The same scenario as the CLI's redeployment test: "Contoso Hotfix" allows redeployment.
const SCENARIO: &str = include_str!("../../scenarios/redeploy.toml");

const STAGE: &str = "Hotfix to UAT";

/// Deploys ContosoCore to the stage with the CLI and returns the finished run.
fn deploy_with_cli(host: &HostProcess) -> Result<Value> {
    let out = host.ferry_cli(
        "mona",
        &[
            "deploy",
            "--solution",
            "ContosoCore",
            "--stage",
            STAGE,
            "--wait",
            "--json",
        ],
    )?;
    let outcome: Value =
        serde_json::from_str(&out).with_context(|| format!("ferry deploy printed {out}"))?;
    ensure!(
        outcome["run"]["statusLabel"] == "Succeeded",
        "the CLI's deployment: {outcome}"
    );
    Ok(outcome["run"].clone())
}

/// The version of ContosoCore the target environment has.
async fn installed_version(host: &HostProcess) -> Result<String> {
    let url = format!(
        "{}/environments/uat/api/data/v9.2/solutions?$select=uniquename,version",
        host.url
    );
    let body: Value = reqwest::Client::new()
        .get(&url)
        .bearer_auth("mona")
        .send()
        .await?
        .json()
        .await?;
    Ok(body["value"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["uniquename"] == "ContosoCore")
        .and_then(|s| s["version"].as_str())
        .unwrap_or_default()
        .to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_earlier_version_goes_back_from_the_stage_card() -> Result<()> {
    if !enabled("an_earlier_version_goes_back_from_the_stage_card") {
        return Ok(());
    }
    let host = HostProcess::start_scenario(SCENARIO).await?;
    host.ferry_cli(
        "mona",
        &[
            "profile",
            "add",
            "hotfix",
            "--host",
            &host.url,
            "--dev-env",
            "dev",
        ],
    )?;
    host.ferry_cli("mona", &["profile", "use", "hotfix"])?;
    let first = deploy_with_cli(&host)?;
    ensure!(first["version"] == "1.0.0.4", "first deployment: {first}");
    // The host's times have whole seconds (as Dataverse's): two brisk runs ending in the
    // same second could not be told apart as newer and older.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = deploy_with_cli(&host)?;
    ensure!(
        second["version"] == "1.0.0.5",
        "second deployment: {second}"
    );
    ensure!(installed_version(&host).await? == "1.0.0.5");
    let first_id = first["id"]
        .as_str()
        .context("the first run has no id")?
        .to_string();

    let mut app = AppSession::start_with(&[("FERRY_TOKEN", "mona")]).await?;
    let host = &host;
    let first_id = &first_id;
    let result = app
        .run("redeploy", |c| async move {
            add_host_profile(&c, "hotfix", &host.url).await?;
            wait_text_contains(&c, "[data-testid=connection-state]", "Connected", 30).await?;
            open_solution(&c, "ContosoCore").await?;

            // The stage card offers Redeploy…; the list has both packages, newest first.
            wait_for(&c, &settled_stage(STAGE, ""), 30).await?;
            click(&c, &settled_stage(STAGE, "[data-testid^=redeploy-open-]")).await?;
            wait_for(&c, "[data-testid=redeploy-candidates]", 30).await?;
            wait_text_contains(&c, "[data-testid=redeploy-candidates]", "1.0.0.4", 10).await?;
            let text = wait_text_contains(
                &c,
                "[data-testid=redeploy-candidates]",
                "In Hotfix to UAT now",
                10,
            )
            .await?;
            ensure!(
                text.find("1.0.0.5") < text.find("1.0.0.4"),
                "the newest package is not listed first: {text}"
            );
            doc_screenshot(&c, "redeploy").await?;

            // The earlier one: the wizard opens with its version, which cannot change.
            click(&c, &format!("[data-testid=redeploy-{first_id}]")).await?;
            let version = wait_for(&c, "[data-testid=version]", 30).await?;
            ensure!(
                version.prop("value").await?.as_deref() == Some("1.0.0.4"),
                "the wizard proposes {:?}, not the redeployed 1.0.0.4",
                version.prop("value").await?
            );
            ensure!(
                !version.is_enabled().await?,
                "the redeployed version can be edited"
            );
            wait_text_contains(
                &c,
                "[data-testid=step-details]",
                "puts back the package",
                10,
            )
            .await?;
            click(&c, "[data-testid=start-validation]").await?;
            wait_validation_passed(&c).await?;
            click(&c, "[data-testid=to-values]").await?;
            to_summary(&c).await?;
            wait_for(&c, "[data-testid=summary-redeploy]", 10).await?;
            press_deploy(&c).await?;
            wait_for(&c, "[data-testid=run-page][data-outcome=succeeded]", 120).await?;
            Ok(())
        })
        .await;
    app.close().await?;
    result?;
    let now = installed_version(host).await?;
    ensure!(
        now == "1.0.0.4",
        "after the redeployment the target has {now}, not 1.0.0.4"
    );
    Ok(())
}
