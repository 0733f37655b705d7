//! A profile for a separately running pipelines host: deploy through it, stop
//! the host, and history and run details still open while the offline banner shows.

use anyhow::Result;
use ferry_e2e::{
    add_host_profile, axe_serious_violations, click, doc_screenshot, enabled, open_solution,
    press_deploy, start_validation, to_summary, wait_for, wait_text_contains,
    wait_validation_passed, AppSession, HostProcess,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_stays_browsable_when_the_host_stops() -> Result<()> {
    if !enabled("history_stays_browsable_when_the_host_stops") {
        return Ok(());
    }
    let mut host = HostProcess::start().await?;
    // A host in open auth: the profile's bearer token comes from FERRY_TOKEN
    // (sign_in.rs signs in to a strict host for real).
    let mut app = AppSession::start_with(&[("FERRY_TOKEN", "mona")]).await?;
    let url = host.url.clone();
    let result = app
        .run("offline", |c| async move {
            // Add a profile for the host and use it.
            add_host_profile(&c, "contoso-local", &url).await?;
            wait_text_contains(&c, "[data-testid=connection-state]", "Connected", 30).await?;

            // Deploy ContosoCanvas (no values to fill) to Test.
            open_solution(&c, "ContosoCanvas").await?;
            start_validation(&c, "Deploy to Test").await?;
            wait_validation_passed(&c).await?;
            click(&c, "[data-testid=to-values]").await?;
            to_summary(&c).await?;
            press_deploy(&c).await?;
            wait_for(&c, "[data-testid=run-page][data-outcome=succeeded]", 120).await?;

            // The host goes away: the banner shows, history and details still open.
            host.stop();
            wait_for(&c, "[data-testid=offline-banner]", 60).await?;
            wait_text_contains(&c, "[data-testid=connection-state]", "Offline", 10).await?;
            click(&c, "[data-testid=nav-history]").await?;
            wait_for(
                &c,
                "[data-testid=history-row][aria-label*=\"ContosoCanvas\"]",
                20,
            )
            .await?;
            doc_screenshot(&c, "offline-history").await?;
            let violations = axe_serious_violations(&c).await?;
            anyhow::ensure!(violations.is_empty(), "History offline: {violations:#?}");
            // A day filter, answered by the cache: from tomorrow on there is nothing yet.
            let tomorrow = c
                .execute(
                    r#"const d = new Date(Date.now() + 86400000);
                    const p = (n) => String(n).padStart(2, "0");
                    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;"#,
                    vec![],
                )
                .await?;
            // A custom range: the calendar loads when asked for.
            click(&c, "[data-testid=filter-when] option[value=custom]").await?;
            let from = wait_for(&c, "[data-testid=filter-from]", 10).await?;
            from.send_keys(&format!(
                "{}\u{e007}",
                tomorrow.as_str().unwrap_or_default()
            ))
            .await?;
            wait_text_contains(&c, "[role=status]", "0 deployments", 10).await?;
            c.active_element().await?.send_keys("\u{e00c}").await?; // Escape closes the calendar
            click(&c, "[data-testid=clear-dates]").await?;
            click(
                &c,
                "[data-testid=history-row][aria-label*=\"ContosoCanvas\"]",
            )
            .await?;
            wait_for(&c, "[data-testid=run-page][data-outcome=succeeded]", 20).await?;
            wait_text_contains(&c, "[data-testid=run-timeline]", "Succeeded", 5).await?;
            Ok(())
        })
        .await;
    app.close().await?;
    result
}
