//! What the window shows: finding, clicking and waiting on elements (each wait bounded,
//! each failure saying what was missing), and the accessibility check.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use fantoccini::{elements::Element, Client, Locator};

/// Waits up to 15 s for an element matching a CSS selector.
pub async fn find(client: &Client, css: &str) -> Result<Element> {
    client
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("no element `{css}` appeared within 15 s"))
}

/// Clicks the element matching `css`, retrying for up to 15 s while it is missing,
/// replaced by a re-render (stale) or not yet clickable.
pub async fn click(client: &Client, css: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let attempt = async { client.find(Locator::Css(css)).await?.click().await };
        match attempt.await {
            Ok(()) => return Ok(()),
            Err(e) if Instant::now() >= deadline => {
                return Err(e).with_context(|| format!("clicking `{css}` failed for 15 s"))
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// The computed CSS property of the element matching `css`, retrying like [`click`].
pub async fn css_value(client: &Client, css: &str, property: &str) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let attempt = async {
            client
                .find(Locator::Css(css))
                .await?
                .css_value(property)
                .await
        };
        match attempt.await {
            Ok(value) => return Ok(value),
            Err(e) if Instant::now() >= deadline => {
                return Err(e).with_context(|| format!("reading {property} of `{css}` failed"))
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Waits up to 15 s until the element's text equals `expected`.
pub async fn expect_text(client: &Client, css: &str, expected: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(el) = client.find(Locator::Css(css)).await {
            last = el.text().await.unwrap_or_default();
            if last.trim() == expected {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("`{css}` reads {last:?}, expected {expected:?}")
}

/// Waits up to `secs` seconds until the element's text contains `needle`; returns the text.
pub async fn wait_text_contains(
    client: &Client,
    css: &str,
    needle: &str,
    secs: u64,
) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(el) = client.find(Locator::Css(css)).await {
            last = el.text().await.unwrap_or_default();
            if last.contains(needle) {
                return Ok(last);
            }
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    bail!("`{css}` reads {last:?} after {secs} s, expected it to contain {needle:?}")
}

/// Waits up to `secs` seconds for an element matching `css`.
pub async fn wait_for(client: &Client, css: &str, secs: u64) -> Result<Element> {
    client
        .wait()
        .at_most(Duration::from_secs(secs))
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("no element `{css}` appeared within {secs} s"))
}

/// Clicks the first element matching `css` whose text contains `text` (retrying for 15 s).
pub async fn click_text(client: &Client, css: &str, text: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let attempt = async {
            for el in client.find_all(Locator::Css(css)).await? {
                if el.text().await.unwrap_or_default().contains(text) {
                    el.click().await?;
                    return Ok(true);
                }
            }
            Ok::<bool, fantoccini::error::CmdError>(false)
        };
        match attempt.await {
            Ok(true) => return Ok(()),
            _ if Instant::now() >= deadline => {
                bail!("no clickable `{css}` reading {text:?} within 15 s")
            }
            _ => tokio::time::sleep(Duration::from_millis(150)).await,
        }
    }
}

/// One accessibility problem axe-core found.
#[derive(Debug, Clone)]
pub struct AxeViolation {
    pub id: String,
    pub impact: String,
    pub help: String,
    pub targets: Vec<String>,
}

/// Runs axe-core (from the UI's node_modules) on the current page and returns
/// the violations of impact `serious` or `critical`. Tabster's focus sentinels
/// (`data-tabster-dummy`, invisible elements Fluent UI uses to keep focus inside
/// a region) are left out: they are aria-hidden on purpose and never keep focus.
pub async fn axe_serious_violations(client: &Client) -> Result<Vec<AxeViolation>> {
    let axe_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&axe_path).with_context(|| {
        format!(
            "reading {}: run `npm ci --prefix ui` first",
            axe_path.display()
        )
    })?;
    client
        .execute(&axe, vec![])
        .await
        .context("injecting axe-core")?;
    let report = client
        .execute_async(
            "const done = arguments[arguments.length - 1];\n\
             axe.run({ exclude: [['[data-tabster-dummy]']] }, { resultTypes: ['violations'] })\n\
               .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact || '', help: v.help,\n\
                  targets: v.nodes.map(n => String(n.target)) }))))\n\
               .catch(e => done({ error: String(e) }));",
            vec![],
        )
        .await
        .context("running axe-core")?;
    if let Some(err) = report.get("error") {
        bail!("axe-core failed: {err}");
    }
    let list = report.as_array().cloned().unwrap_or_default();
    Ok(list
        .into_iter()
        .map(|v| AxeViolation {
            id: v["id"].as_str().unwrap_or_default().to_string(),
            impact: v["impact"].as_str().unwrap_or_default().to_string(),
            help: v["help"].as_str().unwrap_or_default().to_string(),
            targets: v["targets"]
                .as_array()
                .map(|t| {
                    t.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .filter(|v| v.impact == "serious" || v.impact == "critical")
        .collect())
}

/// Waits (up to 10 s) until no CSS transition or animation runs in the page.
pub async fn animations_done(client: &Client) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let running = client
            .execute(
                "return document.getAnimations().filter(a => a.playState === 'running').length",
                vec![],
            )
            .await?
            .as_u64()
            .unwrap_or(0);
        if running == 0 {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!("{running} animations still ran after 10 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
