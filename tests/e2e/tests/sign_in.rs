//! Signing in to a real host from the window: `ferry host serve` in strict auth,
//! the app without `FERRY_TOKEN` and with a keyring service of its own, a
//! profile for the host, the sign-in panel, a device code approved as mona, the
//! solutions and the account in the frame, then sign out and the panel again, then
//! signing in with the browser (the test plays the browser on the host's page).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{ensure, Result};
use fantoccini::Locator;
use ferry_e2e::{
    add_host_profile, animations_done, click, enabled, wait_for, wait_text_contains, AppSession,
    HostProcess,
};

/// A keyring service name no other run uses, so the test never sees (or leaves
/// behind) another sign-in.
fn unique_service() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("ferry-e2e-sign-in-{}-{nanos}", std::process::id())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_with_a_device_code_then_sign_out() -> Result<()> {
    if !enabled("sign_in_with_a_device_code_then_sign_out") {
        return Ok(());
    }
    let host = HostProcess::start_strict().await?;
    let service = unique_service();
    let mut app = AppSession::start_with(&[
        // No fixed token: only the keyring's sign-in lets the app in.
        ("FERRY_TOKEN", ""),
        ("FERRY_KEYRING_SERVICE", &service),
    ])
    .await?;
    let host = &host;
    let result = app
        .run("sign-in", |c| async move {
            // A profile for the strict host, in use.
            add_host_profile(&c, "contoso-strict", &host.url).await?;

            // Not signed in: Deploy shows the sign-in panel instead of the solutions.
            click(&c, "[data-testid=nav-deploy]").await?;
            wait_for(&c, "[data-testid=sign-in-panel]", 30).await?;
            click(&c, "[data-testid=sign-in-code]").await?;
            let code = wait_for(&c, "[data-testid=device-code]", 30)
                .await?
                .text()
                .await?;
            let code = code.trim().to_string();
            ensure!(!code.is_empty(), "the panel showed an empty code");
            wait_text_contains(&c, "[data-testid=sign-in-panel]", "/devicelogin", 5).await?;
            ferry_e2e::doc_screenshot(&c, "sign-in").await?;

            // Approve it as mona, as the host's device-login page would.
            let approved = host.approve_code(&code, "mona")?;
            ensure!(approved.contains("mona@"), "approve-code said: {approved}");

            // Signed in: the solutions list and the account in the frame.
            wait_for(&c, "[data-testid=solution-ContosoCanvas]", 60).await?;
            wait_text_contains(&c, "[data-testid=account]", "mona@", 20).await?;
            wait_text_contains(&c, "[data-testid=connection-state]", "Connected", 30).await?;

            // Sign out from the account menu: the keyring entry goes, the panel is back.
            click(&c, "[data-testid=account]").await?;
            // The menu opens with a transition: its item is clicked once it has settled.
            wait_for(&c, "[data-testid=sign-out]", 10).await?;
            animations_done(&c).await?;
            click(&c, "[data-testid=sign-out]").await?;
            wait_for(&c, "[data-testid=sign-in-panel]", 30).await?;
            ensure!(
                c.find(Locator::Css("[data-testid=solution-ContosoCanvas]"))
                    .await
                    .is_err(),
                "the solutions still show after signing out"
            );
            let deadline = std::time::Instant::now() + Duration::from_secs(15);
            while c.find(Locator::Css("[data-testid=account]")).await.is_ok() {
                ensure!(
                    std::time::Instant::now() < deadline,
                    "the frame still shows an account after signing out"
                );
                tokio::time::sleep(Duration::from_millis(150)).await;
            }

            // Now with the browser (authorization code + PKCE): the window shows the page it
            // opens; the test is the browser — it picks mona on the host's sign-in page and
            // follows the redirect to the app's loopback listener.
            click(&c, "[data-testid=sign-in-browser]").await?;
            let page = wait_for(&c, "[data-testid=sign-in-url]", 30)
                .await?
                .text()
                .await?;
            let page = reqwest::Url::parse(page.trim())?;
            ensure!(page.path().ends_with("/oauth2/v2.0/authorize"), "{page}");
            let mut form: Vec<(String, String)> = page.query_pairs().into_owned().collect();
            form.push(("user".into(), "mona@contoso.example".into()));
            form.push(("action".into(), "accept".into()));
            let browser = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()?;
            let mut action = page.clone();
            action.set_query(None);
            let answer = browser.post(action).form(&form).send().await?;
            ensure!(
                answer.status().is_redirection(),
                "the sign-in page answered {}",
                answer.status()
            );
            let back = answer
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or_default()
                .to_string();
            ensure!(
                back.starts_with("http://127.0.0.1") || back.starts_with("http://localhost"),
                "redirected to {back}"
            );
            browser.get(&back).send().await?;
            wait_for(&c, "[data-testid=solution-ContosoCanvas]", 60).await?;
            wait_text_contains(&c, "[data-testid=account]", "mona@", 20).await?;
            Ok(())
        })
        .await;
    // The app logged this session to its data folder, and no token or secret with it.
    let logged = read_logs(&app.data_dir.join("logs"));
    app.close().await?;
    result?;
    let logged = logged?;
    ensure!(
        logged.contains("Ferry starts"),
        "the log file misses the start:\n{logged}"
    );
    for secret in ["eyJ", "Bearer ", "refresh_token", "access_token"] {
        ensure!(
            !logged.contains(secret),
            "the log holds {secret:?}:\n{logged}"
        );
    }
    Ok(())
}

/// Every log file of the app, one after another.
fn read_logs(dir: &std::path::Path) -> Result<String> {
    let mut all = String::new();
    for entry in std::fs::read_dir(dir)? {
        all.push_str(&std::fs::read_to_string(entry?.path())?);
    }
    Ok(all)
}
