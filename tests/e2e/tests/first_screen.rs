//! The first screen kept between starts: the first start keeps the frame it drew in the
//! data folder, the next start on that folder paints it before the app's script has
//! loaded, and React's first commit replaces it with the live page.

use anyhow::{ensure, Context, Result};
use ferry_e2e::{click, enabled, expect_text, wait_for, AppSession};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_start_paints_the_kept_first_screen_then_goes_live() -> Result<()> {
    if !enabled("the_next_start_paints_the_kept_first_screen_then_goes_live") {
        return Ok(());
    }
    let data = tempfile::tempdir()?;
    let data_dir = data.path().join("ferry-data");
    let kept = data_dir.join("first-screen.json");

    // First start: nothing to paint; React draws the first screen, which is kept.
    let mut app = AppSession::start_on(Some(&data_dir), &[]).await?;
    let result = app
        .run("first_screen_first", |c| {
            let kept = kept.clone();
            async move {
                wait_for(
                    &c,
                    "html[data-first-screen=drawn] [data-testid=page-deploy]",
                    30,
                )
                .await?;
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
                while !kept.exists() {
                    ensure!(
                        std::time::Instant::now() < deadline,
                        "no first screen kept within 20 s"
                    );
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
                Ok(())
            }
        })
        .await;
    app.close().await?;
    result?;
    let screen: serde_json::Value = serde_json::from_slice(&std::fs::read(&kept)?)?;
    ensure!(screen["page"] == "deploy", "kept for {}", screen["page"]);
    let html = screen["html"].as_str().context("the kept markup")?;
    ensure!(
        html.contains("data-testid=\"page-deploy\""),
        "the kept markup: {html}"
    );
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;

    // Next start on the same folder: the kept frame is painted first, then the page is live.
    let mut app = AppSession::start_on(Some(&data_dir), &[]).await?;
    let result = app
        .run("first_screen_next", |c| async move {
            wait_for(
                &c,
                "html[data-first-screen=painted] [data-testid=page-deploy]",
                30,
            )
            .await?;
            // The painted screen's marks are gone: the page takes clicks and focus again.
            let left = c
                .execute(
                    "const root = document.getElementById('root');
                     return [root.hasAttribute('inert'), root.hasAttribute('aria-busy'),
                             !!document.getElementById('ferry-first-screen')];",
                    vec![],
                )
                .await?;
            ensure!(
                left == serde_json::json!([false, false, false]),
                "inert, busy, painted styles: {left}"
            );
            click(&c, "[data-testid=nav-history]").await?;
            expect_text(&c, "[data-testid=page-history] h1", "History").await?;
            Ok(())
        })
        .await;
    app.close().await?;
    result
}
