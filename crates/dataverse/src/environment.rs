//! Typed reads of an environment's own Web API — the development environment or a target,
//! beside the pipelines host's calls in [`crate::pipelines`]: its solutions, a solution's
//! components, environment variable definitions and connection references, what a solution
//! misses (`RetrieveMissingDependencies`), and who is signed in. The URLs (entity sets,
//! `$select`, `$filter`) are built here only; callers get rows.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::odata::{encode_query_value, url_string_literal};

/// A solution of an environment (`solution`): what the import rules compare with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SolutionRow {
    #[serde(default)]
    pub solutionid: Option<String>,
    pub uniquename: String,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub ismanaged: Option<bool>,
}

/// An environment variable definition (`environmentvariabledefinition`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariableDefinitionRow {
    pub environmentvariabledefinitionid: String,
    #[serde(default)]
    pub schemaname: Option<String>,
    #[serde(default)]
    pub displayname: Option<String>,
    /// The type's option-set code (100000000 String … 100000005 Secret).
    #[serde(rename = "type", default)]
    pub type_code: Option<i64>,
    #[serde(default)]
    pub defaultvalue: Option<String>,
}

/// A connection reference (`connectionreference`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionReferenceRow {
    pub connectionreferenceid: String,
    #[serde(default)]
    pub connectionreferencelogicalname: Option<String>,
    #[serde(default)]
    pub connectionreferencedisplayname: Option<String>,
    #[serde(default)]
    pub connectorid: Option<String>,
}

/// Every solution of the environment (all pages).
pub async fn solutions(client: &Client) -> Result<Vec<SolutionRow>, Error> {
    client
        .get_all(
            "solutions?$select=solutionid,uniquename,version,ismanaged",
            None,
        )
        .await
}

/// The ids of the objects a solution holds (`solutioncomponent.objectid`), lowercase.
pub async fn solution_component_ids(
    client: &Client,
    solution_id: Uuid,
) -> Result<Vec<String>, Error> {
    let path = format!(
        "solutioncomponents?$filter={}&$select=objectid,componenttype",
        encode_query_value(&format!("_solutionid_value eq {solution_id}"))
    );
    let rows: Vec<Value> = client.get_all(&path, None).await?;
    Ok(rows
        .iter()
        .filter_map(|c| c["objectid"].as_str().map(str::to_ascii_lowercase))
        .collect())
}

/// A solution a maker sees in the environment's list: unmanaged and visible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisibleSolution {
    pub solutionid: String,
    pub uniquename: String,
    pub friendlyname: Option<String>,
    pub version: Option<String>,
    pub ismanaged: Option<bool>,
}

/// The environment's unmanaged, visible solutions (all pages); a row without an id or a
/// unique name is left out.
pub async fn unmanaged_solutions(client: &Client) -> Result<Vec<VisibleSolution>, Error> {
    let rows: Vec<Value> = client
        .get_all(
            &format!(
                "solutions?$filter={}&$select=solutionid,uniquename,friendlyname,version,ismanaged,modifiedon",
                encode_query_value("ismanaged eq false and isvisible eq true")
            ),
            None,
        )
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(VisibleSolution {
                solutionid: r["solutionid"].as_str()?.to_string(),
                uniquename: r["uniquename"].as_str()?.to_string(),
                friendlyname: r["friendlyname"].as_str().map(str::to_string),
                version: r["version"].as_str().map(str::to_string),
                ismanaged: r["ismanaged"].as_bool(),
            })
        })
        .collect())
}

/// Every environment variable definition of the environment.
pub async fn variable_definitions(client: &Client) -> Result<Vec<VariableDefinitionRow>, Error> {
    client
        .get_all(
            "environmentvariabledefinitions?$select=environmentvariabledefinitionid,schemaname,displayname,type,defaultvalue",
            None,
        )
        .await
}

/// Every connection reference of the environment.
pub async fn connection_references(client: &Client) -> Result<Vec<ConnectionReferenceRow>, Error> {
    client
        .get_all(
            "connectionreferences?$select=connectionreferenceid,connectionreferencelogicalname,connectionreferencedisplayname,connectorid",
            None,
        )
        .await
}

/// The components a solution needs and does not hold, by the id of the solution that brings
/// each (`requiredcomponentbasesolutionid`; `None` for an unmanaged customization).
pub async fn missing_dependencies(
    client: &Client,
    solution_unique_name: &str,
) -> Result<Vec<Option<String>>, Error> {
    let path = format!(
        "RetrieveMissingDependencies(SolutionUniqueName={})",
        url_string_literal(solution_unique_name)
    );
    let rows: Vec<Value> = client.get_all(&path, None).await?;
    Ok(rows
        .iter()
        .map(|r| {
            r["requiredcomponentbasesolutionid"]
                .as_str()
                .map(str::to_string)
        })
        .collect())
}

/// An organization setting of the environment (`GetOrgDbOrgSetting`), trimmed; empty
/// when it is not set.
pub async fn org_db_setting(client: &Client, setting_name: &str) -> Result<String, Error> {
    let v: Value = client
        .call(
            "v9.0",
            "GetOrgDbOrgSetting",
            &serde_json::json!({ "SettingName": setting_name }),
        )
        .await?;
    Ok(["SettingValue", "Value"]
        .iter()
        .find_map(|k| v[*k].as_str())
        .unwrap_or_default()
        .trim()
        .to_string())
}

/// A setting as the environment resolves it (`RetrieveSetting`, e.g. a tenant-wide
/// default), trimmed; empty when it is not set.
pub async fn setting(client: &Client, setting_name: &str) -> Result<String, Error> {
    let v: Value = client
        .get(&format!(
            "RetrieveSetting(SettingName={})",
            url_string_literal(setting_name)
        ))
        .await?;
    Ok(v["SettingDetail"]["Value"]
        .as_str()
        .unwrap_or_default()
        .trim()
        .to_string())
}

/// The signed-in user's id (`WhoAmI`).
pub async fn who_am_i(client: &Client) -> Result<Uuid, Error> {
    let who: Value = client.get("WhoAmI").await?;
    who["UserId"]
        .as_str()
        .and_then(|id| Uuid::parse_str(id).ok())
        .ok_or_else(|| Error::protocol("WhoAmI without a UserId"))
}

/// A user's full name (`systemuser.fullname`), when set.
pub async fn user_name(client: &Client, user_id: Uuid) -> Result<Option<String>, Error> {
    let user: Value = client
        .get(&format!("systemusers({user_id})?$select=fullname"))
        .await?;
    Ok(user["fullname"].as_str().map(str::to_string))
}
