//! Runs left in flight are picked up again: a gated deployment waits on approval
//! when the app closes; after a restart on the same data folder the gates are
//! answered through the host's Web API and the app follows the run to its end by
//! itself (its timeline has the steps only a follower sees, not just the ending).

use anyhow::{Context, Result};
use ferry_e2e::{
    choose_connection, click, enabled, host_action, open_solution, press_deploy, start_validation,
    to_summary, wait_for, wait_text_contains, wait_validation_passed, AppSession,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_waiting_at_close_is_followed_after_a_restart() -> Result<()> {
    if !enabled("a_run_waiting_at_close_is_followed_after_a_restart") {
        return Ok(());
    }
    let data = tempfile::tempdir()?;
    let data_dir = data.path().join("ferry-data");

    // First start: deploy ContosoCore to Gated Prod and close while it waits on approval.
    let mut app = AppSession::start_on(Some(&data_dir), &[]).await?;
    let mut run_id = String::new();
    let result = app
        .run("resume_first", |c| {
            let run_id = &mut run_id;
            async move {
                click(&c, "[data-testid=use-sandbox]").await?;
                open_solution(&c, "ContosoCore").await?;
                start_validation(&c, "Gated Prod").await?;
                wait_validation_passed(&c).await?;
                click(&c, "[data-testid=to-values]").await?;
                choose_connection(&c, "cont_sharedoffice365_1a2b3", "svc-prod@contoso.example")
                    .await?;
                to_summary(&c).await?;
                press_deploy(&c).await?;
                let page = wait_for(&c, "[data-testid=run-page][data-outcome=waiting]", 60).await?;
                *run_id = page.attr("data-run-id").await?.context("the run id")?;
                Ok(())
            }
        })
        .await;
    app.close().await?;
    result?;

    // Second start on the same data folder: answer the gates, touch nothing, and
    // the run still ends up followed to Succeeded.
    let mut app = AppSession::start_on(Some(&data_dir), &[]).await?;
    let result = app
        .run("resume_second", |c| async move {
            click(&c, "[data-testid=use-sandbox]").await?;
            let state = wait_for(
                &c,
                "[data-testid=connection-state][data-host-url^=http]",
                60,
            )
            .await?;
            let host = state.attr("data-host-url").await?.context("the host URL")?;
            let approve = serde_json::json!({ "StageRunId": run_id, "ApprovalStatus": 20 });
            host_action(&host, "pat", "UpdateApprovalStatus", approve, 30).await?;
            let step = serde_json::json!({ "StageRunId": run_id, "PreDeploymentStepStatus": 20 });
            host_action(&host, "pat", "UpdatePreDeploymentStepStatus", step, 30).await?;
            // The app's background follower sees it through; History shows it as it ends.
            click(&c, "[data-testid=nav-history]").await?;
            wait_for(
                &c,
                "[data-testid=history-row][aria-label*=\"Succeeded\"]",
                60,
            )
            .await?;
            click(&c, "[data-testid=history-row][aria-label*=\"Succeeded\"]").await?;
            wait_for(&c, "[data-testid=run-page][data-outcome=succeeded]", 20).await?;
            // A step of the deployment itself (importing or publishing: which ones a follower
            // reads depends on its pace), which only a follower records; a sync sees the end.
            wait_text_contains(&c, "[data-testid=run-timeline]", "Deploying: ", 5).await?;
            Ok(())
        })
        .await;
    app.close().await?;
    result
}
