//! What a maker does, step by step: add a profile, open a solution, start the wizard,
//! validate, pick a connection, deploy. Each step waits until the window has settled
//! (`aria-busy` false) before it clicks, and clicks once: a click that lands beside its
//! target is a layout shift in the app, to be fixed there, not retried here.

use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use fantoccini::{Client, Locator};

use crate::page::{click, click_text, wait_for, wait_text_contains};

/// Adds a profile for a separately running host (development environment `dev`)
/// in Settings and puts it in use.
pub async fn add_host_profile(c: &Client, id: &str, host_url: &str) -> Result<()> {
    click(c, "[data-testid=nav-settings]").await?;
    click(c, "[data-testid=add-profile]").await?;
    wait_for(c, "[data-testid=new-profile-id]", 10)
        .await?
        .send_keys(id)
        .await?;
    wait_for(c, "[data-testid=new-profile-host]", 5)
        .await?
        .send_keys(host_url)
        .await?;
    wait_for(c, "[data-testid=new-profile-dev]", 5)
        .await?
        .send_keys("dev")
        .await?;
    click(c, "[data-testid=save-profile]").await?;
    click(c, &format!("[data-testid=use-{id}]")).await?;
    wait_text_contains(c, "[data-testid=active-profile]", id, 20).await?;
    Ok(())
}

/// On the summary step: waits until Deploy is enabled (the values are checked) and presses it.
pub async fn press_deploy(c: &Client) -> Result<()> {
    let deploy = wait_for(c, "[data-testid=deploy-now]", 10).await?;
    for _ in 0..50 {
        if deploy.is_enabled().await? {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    click(c, "[data-testid=deploy-now]").await
}

/// Opens a solution's page from the solutions list and waits for its stage cards.
///
/// The table says when it has settled (its stage columns read); the row is clicked once
/// after that. An error note on the page fails at once with its words.
pub async fn open_solution(c: &Client, name: &str) -> Result<()> {
    click(c, "[data-testid=nav-deploy]").await?;
    wait_for(c, "[data-testid=solutions-table][aria-busy=false]", 60).await?;
    click(c, &format!("[data-testid=solution-{name}] td")).await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if c.find(Locator::Css(
            "[data-testid=solution-page] [data-testid=stage-card]",
        ))
        .await
        .is_ok()
        {
            return Ok(());
        }
        if let Ok(note) = c.find(Locator::Css("[data-testid=error-note]")).await {
            let text = note.text().await.unwrap_or_default();
            bail!("opening {name} showed an error: {text}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    bail!("the page of {name} showed no stage card within 30 s")
}

/// The selector of a stage's card once it has settled (what it shows has arrived, so
/// nothing in it moves any more), optionally followed by a selector inside it.
pub fn settled_stage(stage: &str, inside: &str) -> String {
    format!("[aria-label=\"Stage {stage}\"][aria-busy=false] {inside}")
        .trim_end()
        .to_string()
}

/// Presses a stage card's "Deploy here" once the card has settled; the wizard opens.
pub async fn deploy_here(c: &Client, stage: &str) -> Result<()> {
    wait_for(c, &settled_stage(stage, ""), 30).await?;
    click(c, &settled_stage(stage, "[data-testid^=deploy-]")).await?;
    wait_for(c, "[data-testid=step-details]", 30).await?;
    Ok(())
}

/// Starts the deploy wizard for a stage of the open solution and validates.
pub async fn start_validation(c: &Client, stage: &str) -> Result<()> {
    deploy_here(c, stage).await?;
    click(c, "[data-testid=start-validation]").await
}

/// On the values step: waits until the engine's verdict on the values is in (the form
/// says `aria-busy` until then, and Next follows the verdict), then goes on to the summary.
/// Waits until the values step shows the engine's verdict on the values as they are now
/// (the form says `aria-busy` while it asks; the Next button changes with the answer).
pub async fn values_settled(c: &Client) -> Result<()> {
    wait_for(c, "[data-testid=step-values]", 30).await?;
    // A solution with nothing to fill in has no form, and nothing to wait for.
    if c.find(Locator::Css("[data-testid=values-form]"))
        .await
        .is_ok()
    {
        wait_for(c, "[data-testid=values-form][aria-busy=false]", 30).await?;
    }
    Ok(())
}

pub async fn to_summary(c: &Client) -> Result<()> {
    values_settled(c).await?;
    let next = wait_for(c, "[data-testid=to-summary]", 10).await?;
    if !next.is_enabled().await? {
        let form = wait_for(c, "[data-testid=values-form]", 5).await?;
        bail!(
            "the values block the summary: {}",
            form.text().await.unwrap_or_default()
        );
    }
    click(c, "[data-testid=to-summary]").await?;
    wait_for(c, "[data-testid=step-summary]", 30).await?;
    Ok(())
}

/// Waits until the wizard says the validation passed.
///
/// A verdict that blocks fails at once, with what the findings say.
pub async fn wait_validation_passed(c: &Client) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(verdict) = c.find(Locator::Css("[data-testid=findings-verdict]")).await {
            last = verdict.text().await.unwrap_or_default();
            if last.contains("Validation passed") {
                return Ok(());
            }
            if last.contains("cannot be deployed") {
                let findings = match c.find(Locator::Css("[data-testid=findings]")).await {
                    Ok(f) => f.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                bail!("the validation blocked: {findings}");
            }
        }
        if let Ok(error) = c.find(Locator::Css("[data-testid=validation-error]")).await {
            bail!(
                "the validation could not run: {}",
                error.text().await.unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    bail!("the validation verdict reads {last:?} after 60 s, expected \"Validation passed\"")
}

/// Picks the connection whose name contains `choice` for a connection reference.
pub async fn choose_connection(c: &Client, logical: &str, choice: &str) -> Result<()> {
    click(c, &format!("[data-testid=connection-{logical}]")).await?;
    click_text(c, "[role=option]", choice).await
}
