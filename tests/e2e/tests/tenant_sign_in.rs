//! A real tenant from the first start: `ferry host serve` in strict auth stands for
//! Microsoft's cloud (the "local" cloud: its endpoint table, Global Discovery, BAP and
//! the environments' orgs); an admin's connection file naming it is the test's seam
//! (`FERRY_OPEN_FILE` answers the open dialog). The maker opens the file, sees what it
//! holds, signs in with the browser (the test is the browser: it posts the host's
//! sign-in form as mona), picks environments by name — "Contoso Sandbox", bound to no
//! pipelines host, says in place who can fix it; "Contoso Dev" connects — and the
//! solutions and pipelines show without an id typed. Settings shows where the host
//! came from; removing the profile deletes its keyring entry.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, ensure, Context, Result};
use fantoccini::{Client, Locator};
use ferry_e2e::{
    axe_serious_violations, click, doc_screenshot, enabled, open_solution, wait_for,
    wait_text_contains, AppSession, HostProcess,
};

/// A keyring service name no other run uses.
fn unique_service() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("ferry-e2e-tenant-{}-{nanos}", std::process::id())
}

/// Whether the keyring holds an entry under `service` for `key`.
fn keyring_has(service: &str, key: &str) -> Result<bool> {
    match keyring::Entry::new(service, key)?.get_password() {
        Ok(_) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(e).context("reading the keyring"),
    }
}

/// Fails when axe-core finds a serious problem on the current screen.
async fn accessible(c: &Client, screen: &str) -> Result<()> {
    let found = axe_serious_violations(c).await?;
    ensure!(found.is_empty(), "{screen}: axe-core found {found:#?}");
    Ok(())
}

/// Plays the browser on the host's sign-in page the window shows: mona accepts, and
/// the redirect goes back to the app's loopback listener.
async fn sign_in_in_the_browser_as_mona(c: &Client) -> Result<()> {
    let page = wait_for(c, "[data-testid=sign-in-url]", 30)
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
    Ok(())
}

/// Clicks the environment named `name` in the picker once the list has it.
async fn pick_environment(c: &Client, name: &str) -> Result<()> {
    click(
        c,
        &format!("[data-testid=environment-option][data-env=\"{name}\"]"),
    )
    .await
}

/// Waits until the list under `css` is no longer busy and holds options.
async fn wait_listed(c: &Client, css: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(list) = c.find(Locator::Css(css)).await {
            let busy = list.attr("aria-busy").await?.unwrap_or_default();
            let options = list
                .find_all(Locator::Css("[data-testid=environment-option]"))
                .await?;
            if busy != "true" && !options.is_empty() {
                return Ok(());
            }
        }
        if let Ok(e) = c
            .find(Locator::Css("[data-testid=environments-error]"))
            .await
        {
            bail!(
                "listing the environments failed: {}",
                e.text().await.unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    bail!("`{css}` listed no environment within 30 s")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_start_signs_in_to_a_tenant_and_picks_the_environment_by_name() -> Result<()> {
    if !enabled("first_start_signs_in_to_a_tenant_and_picks_the_environment_by_name") {
        return Ok(());
    }
    let host = HostProcess::start_strict().await?;
    let cloud: serde_json::Value = reqwest::get(format!("{}/.well-known/ferry/cloud", host.url))
        .await?
        .json()
        .await?;
    let tenant = cloud["tenantId"]
        .as_str()
        .context("the cloud table names no tenantId")?
        .to_string();
    let files = tempfile::tempdir()?;
    let file = files.path().join("contoso.ferry.json");
    let environment = format!("{}/environments/dev", host.url);
    std::fs::write(
        &file,
        serde_json::json!({
            "version": 1,
            "name": "Contoso",
            "tenant": tenant,
            "cloud": "local",
            "clientId": "ferry",
            "environment": environment,
        })
        .to_string(),
    )?;
    let service = unique_service();
    // The sign-in's keyring entry: one per cloud, tenant, app registration (and local origin).
    let key = format!("signin:local:{}:ferry:{}", tenant.to_lowercase(), host.url);
    let file_env = file.to_string_lossy().into_owned();
    let mut app = AppSession::start_with(&[
        ("FERRY_TOKEN", ""),
        ("FERRY_KEYRING_SERVICE", &service),
        ("FERRY_OPEN_FILE", &file_env),
    ])
    .await?;
    let (service, key, environment) = (&service, &key, &environment);
    let result = app
        .run("tenant-sign-in", |c| async move {
            // First start: the welcome card; "Sign in to Power Platform" explains the ways in.
            click(&c, "[data-testid=sign-in-to-power-platform]").await?;
            wait_text_contains(&c, "[data-testid=cloud-sign-in]", "Ask your admin", 10).await?;
            accessible(&c, "the sign-in card").await?;
            doc_screenshot(&c, "power-platform-sign-in").await?;
            click(&c, "[data-testid=registration-file]").await?;

            // The admin's file, through the open dialog: what it holds, before anything is kept.
            click(&c, "[data-testid=connection-open-file]").await?;
            let offer =
                wait_text_contains(&c, "[data-testid=connection-offer]", "Contoso", 15).await?;
            ensure!(
                offer.contains(environment.as_str()),
                "the confirmation reads {offer}"
            );
            ensure!(
                offer.contains("Local"),
                "the confirmation names the cloud: {offer}"
            );
            doc_screenshot(&c, "connection-file").await?;
            ensure!(
                !keyring_has(service, key)?,
                "a keyring entry exists before signing in"
            );

            // Sign in with the browser (the default).
            click(&c, "[data-testid=connection-confirm]").await?;
            sign_in_in_the_browser_as_mona(&c).await?;

            // The environments the account reaches, by name; the file's first.
            wait_listed(&c, "[data-testid=environment-list]").await?;
            wait_text_contains(&c, "[data-testid=signed-in-as]", "mona@", 10).await?;
            ensure!(
                keyring_has(service, key)?,
                "no keyring entry {key} after signing in"
            );
            accessible(&c, "the environment picker").await?;
            doc_screenshot(&c, "environment-picker").await?;

            // An environment bound to no host: the admin's sentence, in place.
            pick_environment(&c, "Contoso Sandbox").await?;
            let said =
                wait_text_contains(&c, "[data-testid=environment-error]", "admin", 60).await?;
            ensure!(
                said.contains("not bound to a pipelines host"),
                "the picker said {said}"
            );
            doc_screenshot(&c, "environment-not-set-up").await?;

            // Another pick: Contoso Dev connects, and its solutions show.
            pick_environment(&c, "Contoso Dev").await?;
            wait_for(&c, "[data-testid=solution-ContosoCore]", 90).await?;
            wait_text_contains(&c, "[data-testid=active-profile]", "Contoso Dev", 20).await?;
            wait_text_contains(&c, "[data-testid=account]", "mona@", 20).await?;
            open_solution(&c, "ContosoCore").await?;
            wait_text_contains(&c, "[data-testid=pipeline]", "Contoso Release", 20).await?;

            // Settings: the environment, the host and how Ferry found it.
            click(&c, "[data-testid=nav-settings]").await?;
            let row = wait_text_contains(
                &c,
                "[data-testid=profile-contoso-dev]",
                "ProjectHostEnvironmentId",
                20,
            )
            .await?;
            ensure!(
                row.contains(environment.as_str()),
                "the profile reads {row}"
            );
            ensure!(
                row.contains("browser"),
                "the profile names its sign-in: {row}"
            );
            doc_screenshot(&c, "profiles").await?;
            click(&c, "[data-testid=switch-environment]").await?;
            wait_listed(
                &c,
                "[data-testid=switch-environment-dialog] [data-testid=environment-list]",
            )
            .await?;
            let list = wait_text_contains(
                &c,
                "[data-testid=switch-environment-dialog]",
                "Contoso HR Dev",
                10,
            )
            .await?;
            ensure!(list.contains("In use"), "the switch picker reads {list}");
            accessible(&c, "the switch-environment dialog").await?;
            c.find(Locator::Css("[data-testid=switch-environment-dialog]"))
                .await?
                .find(Locator::XPath(".//button[normalize-space()='Close']"))
                .await?
                .click()
                .await?;

            // Remove it: its sign-in leaves the keyring, and the Local sandbox is in use.
            click(&c, "[data-testid=remove-contoso-dev]").await?;
            wait_text_contains(&c, "[data-testid=remove-profile-dialog]", "keyring", 10).await?;
            click(&c, "[data-testid=confirm-remove]").await?;
            wait_text_contains(
                &c,
                "[data-testid=profile-removed]",
                "left this computer's keyring",
                30,
            )
            .await?;
            ensure!(!keyring_has(service, key)?, "the keyring still holds {key}");
            let deadline = Instant::now() + Duration::from_secs(15);
            while c
                .find(Locator::Css("[data-testid=profile-contoso-dev]"))
                .await
                .is_ok()
            {
                ensure!(
                    Instant::now() < deadline,
                    "the removed profile is still listed"
                );
                tokio::time::sleep(Duration::from_millis(150)).await;
            }
            wait_text_contains(&c, "[data-testid=active-profile]", "Local sandbox", 30).await?;
            Ok(())
        })
        .await;
    app.close().await?;
    result
}
