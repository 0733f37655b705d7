//! axe-core on every main screen: no serious or critical violations.

use anyhow::{ensure, Result};
use ferry_e2e::{axe_serious_violations, click, enabled, expect_text, AppSession};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn main_screens_have_no_serious_accessibility_violations() -> Result<()> {
    if !enabled("main_screens_have_no_serious_accessibility_violations") {
        return Ok(());
    }
    let mut app = AppSession::start().await?;
    let result = app
        .run("accessibility", |c| async move {
            for (nav, heading) in [
                ("deploy", "Deploy"),
                ("history", "History"),
                ("settings", "Settings"),
            ] {
                click(&c, &format!("[data-testid=nav-{nav}]")).await?;
                expect_text(&c, &format!("[data-testid=page-{nav}] h1"), heading).await?;
                let violations = axe_serious_violations(&c).await?;
                ensure!(violations.is_empty(), "{heading}: {violations:#?}");
            }
            Ok(())
        })
        .await;
    app.close().await?;
    result
}
