//! The app shell: navigation works and a typed command round-trips to Rust.

use anyhow::{ensure, Result};
use ferry_e2e::{click, css_value, enabled, expect_text, find, AppSession};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn navigates_and_shows_details_from_rust() -> Result<()> {
    if !enabled("navigates_and_shows_details_from_rust") {
        return Ok(());
    }
    let mut app = AppSession::start().await?;
    let data_dir = app.data_dir.display().to_string();
    let result = app
        .run("navigates_and_shows_details_from_rust", |c| async move {
            // The shell opens on Deploy.
            find(&c, "[data-testid=page-deploy]").await?;
            expect_text(&c, "[data-testid=page-deploy] h1", "Deploy").await?;
            // Fluent's run-time styles applied (a strict CSP can silently block them).
            let overflow = css_value(&c, "main", "overflow-y").await?;
            ensure!(
                overflow == "auto",
                "the page is unstyled: main has overflow-y {overflow}"
            );

            click(&c, "[data-testid=nav-history]").await?;
            expect_text(&c, "[data-testid=page-history] h1", "History").await?;

            click(&c, "[data-testid=nav-settings]").await?;
            expect_text(&c, "[data-testid=page-settings] h1", "Settings").await?;
            // These two values are computed in Rust and crossed the IPC boundary.
            let version = format!("Ferry {}", env!("CARGO_PKG_VERSION"));
            expect_text(&c, "[data-testid=about-version]", &version).await?;
            expect_text(&c, "[data-testid=about-data-dir]", &data_dir).await?;
            if std::env::var_os("E2E_SCREENSHOT").is_some() {
                ferry_e2e::save_screenshot(&c, "settings").await?;
            }
            // The theme switch re-themes the whole frame.
            click(&c, "[data-testid=theme-choice] input[value=dark]").await?;
            expect_text(&c, "[data-testid=about-theme]", "dark").await?;
            let theme = find(&c, "[data-theme]").await?.attr("data-theme").await?;
            ensure!(theme.as_deref() == Some("dark"), "data-theme is {theme:?}");
            if std::env::var_os("E2E_SCREENSHOT").is_some() {
                ferry_e2e::save_screenshot(&c, "settings-dark").await?;
            }

            click(&c, "[data-testid=nav-deploy]").await?;
            expect_text(&c, "[data-testid=page-deploy] h1", "Deploy").await?;
            Ok(())
        })
        .await;
    if std::env::var_os("E2E_SCREENSHOT").is_some() {
        app.screenshot("deploy").await?;
    }
    app.close().await?;
    result
}
