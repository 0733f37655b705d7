//! Reading stage runs in bulk for a dev environment's history and overview (spec
//! `host-api.md` §5.16): every run of one solution, or every run changed since a time,
//! oldest change first, each with who created it ("by whom"); and the managed package a
//! run carried (`deploymentartifact.artifactfile`). The `$filter`s are built here from
//! typed arguments.

use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::odata::{encode_query_value, string_literal};
use crate::pipelines::{formatted, StageRun, STAGE_RUN_COLUMNS};

/// A stage run and the name of who created it, when the host sent it.
#[derive(Debug, Clone)]
pub struct AuthoredRun {
    pub run: StageRun,
    pub created_by: Option<String>,
}

/// Every run of a solution (by unique name) from a dev environment (its registration on
/// the host), oldest change first.
pub async fn runs_of_solution(
    host: &Client,
    dev_registration: Uuid,
    solution: &str,
) -> Result<Vec<AuthoredRun>, Error> {
    let filter = format!(
        "artifactname eq {} and _devdeploymentenvironment_value eq {dev_registration}",
        string_literal(solution)
    );
    fetch(host, &filter).await
}

/// Every run from a dev environment changed at or after `since` (all of them without),
/// oldest change first.
pub async fn runs_changed_since(
    host: &Client,
    dev_registration: Uuid,
    since: Option<OffsetDateTime>,
) -> Result<Vec<AuthoredRun>, Error> {
    let mut filter = format!("_devdeploymentenvironment_value eq {dev_registration}");
    if let Some(t) = since {
        let t = t
            .to_offset(time::UtcOffset::UTC)
            .format(&Rfc3339)
            .unwrap_or_default();
        filter.push_str(&format!(" and modifiedon ge {t}"));
    }
    fetch(host, &filter).await
}

async fn fetch(host: &Client, filter: &str) -> Result<Vec<AuthoredRun>, Error> {
    let path = format!(
        "deploymentstageruns?$filter={}&$orderby=modifiedon%20asc&$select={STAGE_RUN_COLUMNS},_createdby_value",
        encode_query_value(filter)
    );
    let rows: Vec<Value> = host.get_all(&path, Some(200)).await?;
    rows.into_iter()
        .map(|v| {
            let created_by = formatted(&v, "_createdby_value");
            let run: StageRun = serde_json::from_value(v).map_err(|e| {
                Error::new(
                    ErrorKind::Protocol,
                    format!("the host sent a stage run Ferry cannot read ({e})"),
                )
            })?;
            Ok(AuthoredRun { run, created_by })
        })
        .collect()
}

/// The base64 text of an artifact's managed package (`None`: the answer has none). A 404
/// stays an error: what it means is the caller's to say.
pub async fn artifact_file(host: &Client, artifact: &str) -> Result<Option<String>, Error> {
    let doc: Value = host
        .get(&format!("deploymentartifacts({artifact})/artifactfile"))
        .await?;
    Ok(doc["value"].as_str().map(str::to_string))
}
