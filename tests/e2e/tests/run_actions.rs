//! What a maker does to a run from its page, against a separately running host:
//! a deployment scheduled for later (proposed in local time, shown as scheduled)
//! and then canceled; a deployment whose import fails (a fault switched on at
//! the host), explained in the run view, then retried to success.

use anyhow::{ensure, Result};
use fantoccini::Client;
use ferry_e2e::{
    add_host_profile, click, deploy_here, doc_screenshot, enabled, open_solution, press_deploy,
    start_validation, to_summary, wait_for, wait_text_contains, wait_validation_passed, AppSession,
    HostProcess,
};

/// Validates ContosoCanvas (no values to fill) for Test and goes on to the summary.
async fn validated_to_summary(c: &Client) -> Result<()> {
    wait_validation_passed(c).await?;
    click(c, "[data-testid=to-values]").await?;
    to_summary(c).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_then_cancel_and_a_failed_import_retried() -> Result<()> {
    if !enabled("schedule_then_cancel_and_a_failed_import_retried") {
        return Ok(());
    }
    let host = HostProcess::start().await?;
    // Open auth: the profile's bearer token comes from FERRY_TOKEN.
    let mut app = AppSession::start_with(&[("FERRY_TOKEN", "mona")]).await?;
    let host = &host;
    let result = app
        .run("run_actions", |c| async move {
            add_host_profile(&c, "contoso-actions", &host.url).await?;
            wait_text_contains(&c, "[data-testid=connection-state]", "Connected", 30).await?;

            // 1. Deploy later: times are local, with the zone said (never a UTC copy beside them).
            open_solution(&c, "ContosoCanvas").await?;
            deploy_here(&c, "Deploy to Test").await?;
            click(&c, "[data-testid=when] input[value=later]").await?;
            // Later proposes the next full hour but one, as a day and a time.
            let day = wait_for(&c, "[data-testid=deploy-day]", 10).await?;
            let time = wait_for(&c, "[data-testid=deploy-time]", 5).await?;
            ensure!(
                !day.prop("value").await?.unwrap_or_default().is_empty()
                    && time
                        .prop("value")
                        .await?
                        .unwrap_or_default()
                        .ends_with(":00"),
                "no day and time were proposed"
            );
            wait_text_contains(&c, "[data-testid=step-details]", "in your time zone", 10).await?;
            doc_screenshot(&c, "wizard-later").await?;
            click(&c, "[data-testid=start-validation]").await?;
            validated_to_summary(&c).await?;
            wait_text_contains(&c, "[data-testid=summary-when]", "GMT", 10).await?;
            press_deploy(&c).await?;
            wait_for(&c, "[data-testid=run-page][data-outcome=scheduled]", 60).await?;
            wait_text_contains(&c, "[data-testid=run-page]", "Scheduled for", 10).await?;
            doc_screenshot(&c, "run-scheduled").await?;

            // …and canceled before it starts.
            click(&c, "[data-testid=cancel-run]").await?;
            wait_for(&c, "[data-testid=run-page][data-outcome=canceled]", 60).await?;

            // 2. The next import into Test fails at the host: the run view says why, Retry succeeds.
            reqwest::Client::new()
                .patch(format!("{}/_ferry/faults", host.url))
                .json(&serde_json::json!({ "import_failures": { "test": 1 } }))
                .send()
                .await?
                .error_for_status()?;
            open_solution(&c, "ContosoCanvas").await?;
            start_validation(&c, "Deploy to Test").await?;
            validated_to_summary(&c).await?;
            press_deploy(&c).await?;
            wait_for(&c, "[data-testid=run-page][data-outcome=failed]", 120).await?;
            let why = wait_for(&c, "[data-testid=run-error], [data-testid=findings]", 10)
                .await?
                .text()
                .await?;
            ensure!(!why.trim().is_empty(), "the failure is not explained");
            doc_screenshot(&c, "run-failed").await?;
            click(&c, "[data-testid=retry-run]").await?;
            wait_for(&c, "[data-testid=run-page][data-outcome=succeeded]", 120).await?;
            Ok(())
        })
        .await;
    app.close().await?;
    result
}
