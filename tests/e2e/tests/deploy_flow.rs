//! The maker's whole path against the Local sandbox: connect in one click, a
//! validation that fails on a missing dependency and says why, a deployment of
//! ContosoCore to Test that succeeds in the run view and in history, and a gated
//! pipeline whose approval and pre-deployment step are answered through the
//! host's Web API while the app waits. Screenshots of each main screen go to
//! docs/screenshots with DOC_SCREENSHOTS=1.

use anyhow::{ensure, Context, Result};
use fantoccini::{Client, Locator};
use ferry_e2e::{
    animations_done, axe_serious_violations, choose_connection, click, click_text, doc_screenshot,
    enabled, expect_text, host_action, open_solution, press_deploy, start_validation, to_summary,
    values_settled, wait_for, wait_text_contains, wait_validation_passed, AppSession,
};

async fn axe_clean(c: &Client, screen: &str) -> Result<()> {
    // Colours are read once every transition has ended (a button fading from disabled,
    // or a popup fading out, reads as low contrast while it moves).
    animations_done(c).await?;
    let violations = axe_serious_violations(c).await?;
    ensure!(violations.is_empty(), "{screen}: {violations:#?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_validate_fail_then_deploy_and_see_it_in_history() -> Result<()> {
    if !enabled("sandbox_validate_fail_then_deploy_and_see_it_in_history") {
        return Ok(());
    }
    let mut app = AppSession::start().await?;
    let saved_dir = app.saved_dir.clone();
    let result = app
        .run("deploy_flow", |c| async move {
            // 1. One click to the Local sandbox; the frame shows profile and account.
            wait_for(&c, "[data-testid=connect-card]", 30).await?;
            doc_screenshot(&c, "welcome").await?;
            click(&c, "[data-testid=use-sandbox]").await?;
            wait_for(&c, "[data-testid=solution-ContosoCore]", 60).await?;
            expect_text(&c, "[data-testid=active-profile]", "Local sandbox").await?;
            wait_text_contains(&c, "[data-testid=connection-state]", "Connected", 20).await?;
            wait_text_contains(&c, "[data-testid=solutions-table]", "Deploy to Test", 30).await?;
            axe_clean(&c, "Solutions").await?;
            doc_screenshot(&c, "solutions").await?;

            // 2. ContosoReports needs ContosoAnalyticsBase: validation says so and blocks.
            open_solution(&c, "ContosoReports").await?;
            axe_clean(&c, "Solution page").await?;
            start_validation(&c, "Deploy to Test").await?;
            wait_text_contains(
                &c,
                "[data-testid=missing-solution]",
                "ContosoAnalyticsBase",
                60,
            )
            .await?;
            wait_text_contains(
                &c,
                "[data-testid=findings-verdict]",
                "cannot be deployed yet",
                5,
            )
            .await?;
            let next = c.find(Locator::Css("[data-testid=to-values]")).await?;
            ensure!(
                !next.is_enabled().await?,
                "Next must be disabled after a failed validation"
            );
            axe_clean(&c, "Validation failed").await?;
            doc_screenshot(&c, "validation-failed").await?;

            // 3. ContosoCore passes; fill the connection (variables come pre-filled) and deploy.
            open_solution(&c, "ContosoCore").await?;
            start_validation(&c, "Deploy to Test").await?;
            wait_validation_passed(&c).await?;
            click(&c, "[data-testid=to-values]").await?;
            choose_connection(&c, "cont_sharedoffice365_1a2b3", "svc-test@contoso.example").await?;
            let retries = wait_for(&c, "[data-testid=variable-cont_RetryCount]", 5).await?;
            ensure!(
                retries.prop("value").await?.as_deref() == Some("3"),
                "the default is pre-filled"
            );
            // Colours are read once the engine's verdict on the chosen connection is shown.
            values_settled(&c).await?;
            axe_clean(&c, "Values").await?;
            doc_screenshot(&c, "values").await?;
            // The values can leave as a pac deployment settings file.
            click(&c, "[data-testid=save-settings]").await?;
            wait_text_contains(&c, "[data-testid=values-note]", "Saved the deployment settings file", 10).await?;
            let file = saved_dir.join("ContosoCore.settings.json");
            let text = std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let settings: serde_json::Value = serde_json::from_str(&text)?;
            ensure!(
                settings["ConnectionReferences"][0]["LogicalName"] == "cont_sharedoffice365_1a2b3"
                    && settings["ConnectionReferences"][0]["ConnectionId"].as_str().is_some_and(|id| !id.is_empty()),
                "the saved settings file: {text}"
            );
            to_summary(&c).await?;
            wait_text_contains(&c, "[data-testid=summary-when]", "Now", 10).await?;
            doc_screenshot(&c, "summary").await?;
            press_deploy(&c).await?;

            // 4. The run view follows it live to Succeeded.
            wait_for(&c, "[data-testid=run-page][data-outcome=succeeded]", 120).await?;
            wait_text_contains(&c, "[data-testid=run-status]", "Succeeded", 5).await?;
            wait_text_contains(&c, "[data-testid=run-timeline]", "Deploying", 5).await?;
            axe_clean(&c, "Run").await?;
            doc_screenshot(&c, "run").await?;
            // The run record is saved as a file…
            click(&c, "[data-testid=export-run]").await?;
            click_text(&c, "[role=menuitem]", "Save as Markdown file").await?;
            let note = wait_text_contains(&c, "[data-testid=export-note]", "Saved the run record to ", 10).await?;
            let path = note.trim().trim_start_matches("Saved the run record to ").to_string();
            ensure!(std::path::Path::new(&path).starts_with(&saved_dir), "saved to {path}");
            let saved = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
            ensure!(saved.contains("ContosoCore"), "the saved record: {saved}");
            // …or copied: to the clipboard, or shown selected when the clipboard is closed.
            click(&c, "[data-testid=export-run]").await?;
            click_text(&c, "[role=menuitem]", "Copy as Markdown").await?;
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            loop {
                let copied = match c.find(Locator::Css("[data-testid=export-note]")).await {
                    Ok(el) => el.text().await?.contains("on the clipboard"),
                    Err(_) => false,
                };
                let shown = match c.find(Locator::Css("[data-testid=text-dialog-text]")).await {
                    Ok(el) => el.prop("value").await?.unwrap_or_default().contains("ContosoCore"),
                    Err(_) => false,
                };
                if shown {
                    c.active_element().await?.send_keys("\u{e00c}").await?; // Escape closes it
                }
                if copied || shown {
                    break;
                }
                ensure!(std::time::Instant::now() < deadline, "Copy as Markdown did nothing");
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }

            // 5. History has it, and its details open.
            click(&c, "[data-testid=nav-history]").await?;
            wait_for(&c, "[data-testid=history-row][aria-label*=\"ContosoCore 1.0.0.4 to Deploy to Test: Succeeded\"]", 30).await?;
            wait_for(&c, "[data-testid=history-row][aria-label*=\"ContosoReports\"]", 10).await?;
            axe_clean(&c, "History").await?;
            doc_screenshot(&c, "history").await?;
            click(&c, "[data-testid=history-row][aria-label*=\"ContosoCore\"]").await?;
            wait_for(&c, "[data-testid=run-page][data-outcome=succeeded]", 20).await?;

            // The solution page shows the run on the Test card, with its package's fingerprint.
            open_solution(&c, "ContosoCore").await?;
            wait_text_contains(&c, "[aria-label=\"Stage Deploy to Test\"]", "1.0.0.4", 20).await?;
            wait_text_contains(&c, "[aria-label=\"Stage Deploy to Test\"]", "package ", 20).await?;
            doc_screenshot(&c, "solution-deployed").await?;

            // 6. Settings: profiles, cache, about.
            click(&c, "[data-testid=nav-settings]").await?;
            wait_text_contains(&c, "[data-testid=profiles-card]", "Local sandbox", 10).await?;
            wait_for(&c, "[data-testid=cache-size]", 10).await?;
            axe_clean(&c, "Settings").await?;
            doc_screenshot(&c, "settings").await?;

            // Clearing the cache keeps the profile; history reads the host's runs again.
            click(&c, "[data-testid=clear-cache]").await?;
            click(&c, "[data-testid=confirm-clear-cache]").await?;
            wait_text_contains(&c, "[data-testid=cache-card]", "The cache is cleared.", 20).await?;
            wait_text_contains(&c, "[data-testid=active-profile]", "Local sandbox", 10).await?;
            click(&c, "[data-testid=nav-history]").await?;
            wait_for(&c, "[data-testid=history-row][aria-label*=\"ContosoCore\"]", 30).await?;
            Ok(())
        })
        .await;
    app.close().await?;
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gated_pipeline_waits_for_approval_then_deploys() -> Result<()> {
    if !enabled("gated_pipeline_waits_for_approval_then_deploys") {
        return Ok(());
    }
    let mut app = AppSession::start().await?;
    let result = app
        .run("gated_flow", |c| async move {
            click(&c, "[data-testid=use-sandbox]").await?;
            wait_for(&c, "[data-testid=solution-ContosoCore]", 60).await?;
            let state = wait_for(&c, "[data-testid=connection-state][data-host-url^=http]", 30).await?;
            let host = state.attr("data-host-url").await?.context("the host URL")?;

            open_solution(&c, "ContosoCore").await?;
            start_validation(&c, "Gated Prod").await?;
            wait_validation_passed(&c).await?;
            click(&c, "[data-testid=to-values]").await?;
            choose_connection(&c, "cont_sharedoffice365_1a2b3", "svc-prod@contoso.example").await?;
            to_summary(&c).await?;
            press_deploy(&c).await?;

            // The run waits on approval; the app shows it waiting.
            let page = wait_for(&c, "[data-testid=run-page][data-outcome=waiting]", 60).await?;
            let run_id = page.attr("data-run-id").await?.context("the run id")?;
            // Who can act on the gate is named.
            wait_text_contains(&c, "[data-testid=gate-actor]", "Pat Approver, the stage owner", 20).await?;
            doc_screenshot(&c, "run-waiting").await?;
            host_action(
                &host,
                "pat",
                "UpdateApprovalStatus",
                serde_json::json!({ "StageRunId": run_id, "ApprovalStatus": 20, "ApprovalComments": "Looks good" }),
                30,
            )
            .await?;
            host_action(
                &host,
                "pat",
                "UpdatePreDeploymentStepStatus",
                serde_json::json!({ "StageRunId": run_id, "PreDeploymentStepStatus": 20 }),
                30,
            )
            .await?;
            wait_for(&c, "[data-testid=run-page][data-outcome=succeeded]", 120).await?;
            Ok(())
        })
        .await;
    app.close().await?;
    result
}
