//! Typed calls of a deployment (spec §5), over [`Client`].
//!
//! Reads ask for the columns they use and tolerate what hosts differ in: the two
//! shapes of `RetrieveDeploymentPipelines` (§13.1), unknown option-set codes (kept
//! raw, shown with the host's label), `validationresults` as a string of JSON.

use ferry_pipelines::{DeploymentSettings, StageRunStatus, ValidationResults};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::client::Client;
use crate::error::Error;
use crate::odata::{encode_query_value, string_literal, url_string_literal};

const FORMATTED: &str = "@OData.Community.Display.V1.FormattedValue";

/// A registration row of an environment on the host (`deploymentenvironment`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeploymentEnvironment {
    pub deploymentenvironmentid: Uuid,
    pub name: String,
    /// The Power Platform (BAP) environment id, a string.
    pub environmentid: String,
    #[serde(default)]
    pub environmenttype: Option<i64>,
    #[serde(default)]
    pub validationstatus: Option<i64>,
}

/// A pipeline offered to a development environment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pipeline {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
}

/// The environment a stage deploys to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageTarget {
    pub deploymentenvironmentid: Uuid,
    pub name: String,
    pub environmentid: String,
}

/// A stage of a pipeline (`deploymentstage`), in pipeline order from [`stages`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub deploymentstageid: Uuid,
    pub name: String,
    #[serde(rename = "_previousdeploymentstageid_value", default)]
    pub previous: Option<Uuid>,
    #[serde(default)]
    pub predeploymentsteprequired: Option<bool>,
    #[serde(default)]
    pub isdelegateddeployment: Option<bool>,
    #[serde(rename = "targetdeploymentenvironmentid", default)]
    pub target: Option<StageTarget>,
}

/// Who decides a delegated stage's approval (§3.8, §4 gate rules): the stage
/// owner (type 1) or the service principal `spnclientid` (type 2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageApprover {
    #[serde(default)]
    pub delegateddeploymenttype: Option<i64>,
    #[serde(default)]
    pub spnclientid: Option<String>,
    #[serde(
        rename = "_ownerid_value@OData.Community.Display.V1.FormattedValue",
        default
    )]
    pub owner_name: Option<String>,
}

impl StageApprover {
    /// A sentence for the maker: who can approve or reject.
    pub fn sentence(&self) -> String {
        let owner = self
            .owner_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        let spn = self
            .spnclientid
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        match (self.delegateddeploymenttype, owner, spn) {
            (Some(2), _, Some(app)) => {
                format!("The service principal {app} approves or rejects (usually through a flow).")
            }
            (Some(2), _, None) => {
                "The stage's service principal approves or rejects (usually through a flow).".into()
            }
            (_, Some(name), _) => format!("{name}, the stage owner, can approve or reject."),
            _ => "The stage owner can approve or reject.".into(),
        }
    }
}

/// Reads who decides a stage's approval.
pub async fn stage_approver(client: &Client, stage_id: Uuid) -> Result<StageApprover, Error> {
    client
        .get(&format!(
            "deploymentstages({stage_id})?$select=delegateddeploymenttype,spnclientid,_ownerid_value"
        ))
        .await
}

/// The columns of a stage run the client reads (§5.6).
pub const STAGE_RUN_COLUMNS: &str = "deploymentstagerunid,name,stagerunstatus,operation,suboperation,operationstatus,operationdetails,errormessage,validationresults,deploymentsettingsjson,artifactname,artifactversion,artifactdevcurrentversion,deploymentnotes,scheduledtime,starttime,endtime,approvalstatus,predeploymentstepstatus,_artifactid_value,isredeployment,_deploymentstageid_value,_devdeploymentenvironment_value,createdon,modifiedon";

/// A stage run as the host reports it. Option sets stay raw integers (a newer
/// host may send codes this build does not know); use [`StageRun::status`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageRun {
    pub deploymentstagerunid: Uuid,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub stagerunstatus: Option<i64>,
    #[serde(
        rename = "stagerunstatus@OData.Community.Display.V1.FormattedValue",
        default
    )]
    pub stagerunstatus_label: Option<String>,
    #[serde(default)]
    pub operation: Option<i64>,
    #[serde(default)]
    pub suboperation: Option<i64>,
    #[serde(default)]
    pub operationstatus: Option<i64>,
    #[serde(default)]
    pub operationdetails: Option<String>,
    #[serde(default)]
    pub errormessage: Option<String>,
    #[serde(default)]
    pub validationresults: Option<String>,
    #[serde(default)]
    pub deploymentsettingsjson: Option<String>,
    #[serde(default)]
    pub artifactname: Option<String>,
    #[serde(default)]
    pub artifactversion: Option<String>,
    #[serde(default)]
    pub artifactdevcurrentversion: Option<String>,
    #[serde(default)]
    pub deploymentnotes: Option<String>,
    #[serde(default)]
    pub scheduledtime: Option<String>,
    #[serde(default)]
    pub starttime: Option<String>,
    #[serde(default)]
    pub endtime: Option<String>,
    #[serde(default)]
    pub approvalstatus: Option<i64>,
    #[serde(default)]
    pub predeploymentstepstatus: Option<i64>,
    #[serde(rename = "_artifactid_value", default)]
    pub artifact_id: Option<Uuid>,
    /// The run deploys an older artifact again (§5.13).
    #[serde(default)]
    pub isredeployment: Option<bool>,
    #[serde(rename = "_deploymentstageid_value", default)]
    pub stage_id: Option<Uuid>,
    #[serde(rename = "_devdeploymentenvironment_value", default)]
    pub dev_environment_id: Option<Uuid>,
    #[serde(default)]
    pub createdon: Option<String>,
    #[serde(default)]
    pub modifiedon: Option<String>,
}

impl StageRun {
    /// The overall status, when this build knows the code.
    pub fn status(&self) -> Option<StageRunStatus> {
        self.stagerunstatus.and_then(StageRunStatus::from_code)
    }

    /// Whether the run can no longer change; unknown codes are not terminal.
    pub fn is_terminal(&self) -> bool {
        self.stagerunstatus
            .is_some_and(StageRunStatus::code_is_terminal)
    }

    /// The parsed `validationresults` (a string of JSON, sometimes encoded twice).
    pub fn validation_results(&self) -> Option<Result<ValidationResults, Error>> {
        let text = self.validationresults.as_deref()?.trim();
        if text.is_empty() {
            return None;
        }
        Some(
            ValidationResults::parse(text)
                .map_err(|e| Error::protocol(format!("validationresults: {e}"))),
        )
    }

    /// The status as people read it: the host's label, else ours, else the code.
    pub fn status_label(&self) -> String {
        if let Some(label) = &self.stagerunstatus_label {
            return label.clone();
        }
        match (self.status(), self.stagerunstatus) {
            (Some(s), _) => s.label().to_string(),
            (None, Some(code)) => format!("Unknown status {code}"),
            (None, None) => "Unknown status".to_string(),
        }
    }
}

/// What a new stage run needs (§5.4).
#[derive(Debug, Clone)]
pub struct NewStageRun {
    pub stage_id: Uuid,
    /// The dev environment's registration row on the host.
    pub dev_environment_id: Uuid,
    /// The solution's unique name.
    pub artifact_name: String,
    /// The solution's id in the dev environment.
    pub solution_id: Uuid,
    /// UTC, ISO 8601, for a deployment that should wait.
    pub scheduled_time: Option<String>,
    /// An artifact to deploy again instead of a new export (§5.13): sent as
    /// `artifactid@odata.bind` with `isredeployment: true`.
    pub redeploy_artifact: Option<Uuid>,
}

/// What a pipeline allows (`deploymentpipeline`, §2.2; the flags of §5.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PipelineSettings {
    #[serde(default)]
    pub deploymenttype: Option<i64>,
    #[serde(default)]
    pub enableaideploymentnotes: Option<bool>,
    /// Older artifacts may be deployed again (§5.13).
    #[serde(default)]
    pub enableredeployment: Option<bool>,
}

/// A successful run whose artifact can be deployed again (§5.13's candidate list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedeployCandidate {
    pub deploymentstagerunid: Uuid,
    #[serde(default)]
    pub artifactname: Option<String>,
    #[serde(default)]
    pub artifactversion: Option<String>,
    #[serde(rename = "_artifactid_value", default)]
    pub artifact_id: Option<Uuid>,
    #[serde(rename = "_deploymentstageid_value", default)]
    pub stage_id: Option<Uuid>,
    #[serde(default)]
    pub starttime: Option<String>,
    #[serde(default)]
    pub endtime: Option<String>,
}

/// The registration row of the dev environment with this BAP id, if registered.
pub async fn find_environment(
    client: &Client,
    bap_environment_id: &str,
) -> Result<Option<DeploymentEnvironment>, Error> {
    let filter = format!("environmentid eq {}", string_literal(bap_environment_id));
    let path = format!(
        "deploymentenvironments?$filter={}&$select=deploymentenvironmentid,name,environmentid,environmenttype,validationstatus",
        encode_query_value(&filter)
    );
    let rows = client.get_all::<DeploymentEnvironment>(&path, None).await?;
    Ok(rows.into_iter().next())
}

/// The pipelines offered to the dev environment with this BAP id (§5.2, §13.1).
pub async fn retrieve_pipelines(
    client: &Client,
    bap_environment_id: &str,
) -> Result<Vec<Pipeline>, Error> {
    let path = format!(
        "RetrieveDeploymentPipelines(SourceEnvironmentId={})",
        url_string_literal(bap_environment_id)
    );
    let doc: Value = client.get(&path).await?;
    parse_pipelines(&doc)
}

fn parse_pipelines(doc: &Value) -> Result<Vec<Pipeline>, Error> {
    let text = |v: &Value| v.as_str().map(str::to_owned);
    let id = |v: &Value| v.as_str().and_then(|s| Uuid::parse_str(s).ok());
    if let Some(items) = doc["AvailablePipelines"].as_array() {
        return items
            .iter()
            .map(|p| {
                Ok(Pipeline {
                    id: id(&p["PipelineId"])
                        .ok_or_else(|| Error::protocol("a pipeline without PipelineId"))?,
                    name: text(&p["Name"]).unwrap_or_default(),
                    description: text(&p["Description"]),
                })
            })
            .collect();
    }
    if let Some(items) = doc["value"].as_array() {
        return items
            .iter()
            .map(|p| {
                Ok(Pipeline {
                    id: id(&p["deploymentpipelineid"]).ok_or_else(|| {
                        Error::protocol("a pipeline without deploymentpipelineid")
                    })?,
                    name: text(&p["name"]).unwrap_or_default(),
                    description: text(&p["description"]),
                })
            })
            .collect();
    }
    Err(Error::protocol(
        "RetrieveDeploymentPipelines without AvailablePipelines or value",
    ))
}

/// The pipeline's stages in order (following `previousdeploymentstageid`, §5.2).
pub async fn stages(client: &Client, pipeline_id: Uuid) -> Result<Vec<Stage>, Error> {
    let filter = format!("_deploymentpipelineid_value eq {pipeline_id}");
    let path = format!(
        "deploymentstages?$filter={}&$select=deploymentstageid,name,_previousdeploymentstageid_value,predeploymentsteprequired,isdelegateddeployment&$expand=targetdeploymentenvironmentid($select=name,environmentid,deploymentenvironmentid)",
        encode_query_value(&filter)
    );
    let rows = client.get_all::<Stage>(&path, None).await?;
    Ok(order_stages(rows))
}

/// Orders stages from the one without a predecessor; stages off the chain (a
/// misconfigured pipeline) keep their host order at the end rather than vanish.
pub fn order_stages(mut rows: Vec<Stage>) -> Vec<Stage> {
    let mut ordered = Vec::with_capacity(rows.len());
    let mut previous: Option<Uuid> = None;
    while let Some(pos) = rows.iter().position(|s| s.previous == previous) {
        let stage = rows.remove(pos);
        previous = Some(stage.deploymentstageid);
        ordered.push(stage);
    }
    ordered.extend(rows);
    ordered
}

/// What the pipeline allows, from its row (§2.2).
pub async fn pipeline_settings(
    client: &Client,
    pipeline_id: Uuid,
) -> Result<PipelineSettings, Error> {
    client
        .get(&format!(
            "deploymentpipelines({pipeline_id})?$select=deploymenttype,enableaideploymentnotes,enableredeployment"
        ))
        .await
}

/// What the pipeline allows, as `RetrieveDeploymentPipelineInfo` tells a maker (§5.3).
pub async fn pipeline_info(
    client: &Client,
    pipeline_id: Uuid,
    bap_environment_id: &str,
    artifact_name: &str,
) -> Result<PipelineSettings, Error> {
    let path = format!(
        "RetrieveDeploymentPipelineInfo(DeploymentPipelineId={pipeline_id},SourceEnvironmentId={},ArtifactName={})",
        url_string_literal(bap_environment_id),
        url_string_literal(artifact_name)
    );
    let doc: Value = client.get(&path).await?;
    Ok(PipelineSettings {
        deploymenttype: doc["DeploymentType"].as_i64(),
        enableaideploymentnotes: doc["EnableAIDeploymentNotes"].as_bool(),
        enableredeployment: doc["EnableRedeployment"].as_bool(),
    })
}

/// The successful runs of a solution in a stage, newest first: what can be
/// redeployed there (§5.13).
pub async fn redeploy_candidates(
    client: &Client,
    artifact_name: &str,
    stage_id: Uuid,
) -> Result<Vec<RedeployCandidate>, Error> {
    let filter = format!(
        "stagerunstatus eq {} and artifactname eq {} and _deploymentstageid_value eq {stage_id}",
        StageRunStatus::Succeeded.code(),
        string_literal(artifact_name)
    );
    let path = format!(
        "deploymentstageruns?$filter={}&$orderby=starttime%20desc&$select=artifactname,artifactversion,deploymentstagerunid,_artifactid_value,_deploymentstageid_value,starttime,endtime",
        encode_query_value(&filter)
    );
    client.get_all(&path, Some(50)).await
}

/// Creates a stage run (§5.4) under a fresh client-chosen id and returns it.
pub async fn create_stage_run(client: &Client, run: &NewStageRun) -> Result<Uuid, Error> {
    create_stage_run_with_id(client, Uuid::new_v4(), run).await
}

/// Creates a stage run under `id`. Calling it again with the same id (after a lost
/// answer, or from a resumed process) never makes a second run.
pub async fn create_stage_run_with_id(
    client: &Client,
    id: Uuid,
    run: &NewStageRun,
) -> Result<Uuid, Error> {
    let mut body = json!({
        "deploymentstageid@odata.bind": format!("/deploymentstages({})", run.stage_id),
        "devdeploymentenvironment@odata.bind": format!("/deploymentenvironments({})", run.dev_environment_id),
        "artifactname": run.artifact_name,
        "solutionid": run.solution_id.to_string(),
    });
    if let Some(at) = &run.scheduled_time {
        body["scheduledtime"] = json!(at);
    }
    if let Some(artifact) = run.redeploy_artifact {
        body["artifactid@odata.bind"] = json!(format!("/deploymentartifacts({artifact})"));
        body["isredeployment"] = json!(true);
    }
    client
        .create_with_id("deploymentstageruns", "deploymentstagerunid", id, &body)
        .await
}

/// Starts validation (§5.5).
pub async fn validate(client: &Client, run: Uuid) -> Result<(), Error> {
    client
        .action(
            "v9.1",
            "ValidatePackageAsync",
            &json!({ "StageRunId": run }),
        )
        .await
}

/// Stores the deployment settings as the JSON string the host expects (§5.8).
pub async fn set_deployment_settings(
    client: &Client,
    run: Uuid,
    settings: &DeploymentSettings,
) -> Result<(), Error> {
    let body = json!({ "deploymentsettingsjson": settings.to_column() });
    client.update("deploymentstageruns", run, &body).await
}

/// The pre-deploy PATCH (§5.9): versions, notes and, for later deployments, the time.
pub async fn prepare_deployment(
    client: &Client,
    run: Uuid,
    dev_current_version: &str,
    new_version: &str,
    notes: Option<&str>,
    scheduled_time: Option<&str>,
) -> Result<(), Error> {
    let mut body = json!({
        "artifactdevcurrentversion": dev_current_version,
        "artifactversion": new_version,
    });
    if let Some(notes) = notes {
        body["deploymentnotes"] = json!(notes);
    }
    if let Some(at) = scheduled_time {
        body["scheduledtime"] = json!(at);
    }
    client.update("deploymentstageruns", run, &body).await
}

/// Starts the deployment (§5.10).
pub async fn deploy(client: &Client, run: Uuid) -> Result<(), Error> {
    client
        .action("v9.1", "DeployPackageAsync", &json!({ "StageRunId": run }))
        .await
}

/// Retries a failed deployment (§5.13).
pub async fn retry(client: &Client, run: Uuid) -> Result<(), Error> {
    client
        .action(
            "v9.1",
            "RetryFailedDeploymentAsync",
            &json!({ "StageRunId": run }),
        )
        .await
}

/// Cancels a run that has not finished (§5.12).
pub async fn cancel(client: &Client, run: Uuid) -> Result<(), Error> {
    client
        .update("deploymentstageruns", run, &json!({ "iscanceled": true }))
        .await
}

/// Reads one stage run (§5.6).
pub async fn stage_run(client: &Client, run: Uuid) -> Result<StageRun, Error> {
    client
        .get(&format!(
            "deploymentstageruns({run})?$select={STAGE_RUN_COLUMNS}"
        ))
        .await
}

/// One row of a run's log of background operations (`deploymentstagerunstatus`, §2.6).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RunStatusRow {
    pub name: Option<String>,
    pub operation: Option<i64>,
    pub operationstatus: Option<i64>,
    pub suboperation: Option<i64>,
    pub starttime: Option<String>,
    pub endtime: Option<String>,
    pub details: Option<String>,
    pub errormessage: Option<String>,
}

/// A run's log of background operations, oldest first (§2.6). Which rows a real host
/// writes per phase is not documented: callers treat it as best effort.
pub async fn run_statuses(client: &Client, run: Uuid) -> Result<Vec<RunStatusRow>, Error> {
    let filter = format!("_deploymentstagerunid_value eq {run}");
    let path = format!(
        "deploymentstagerunstatuses?$filter={}&$orderby=starttime%20asc&$select=name,operation,operationstatus,suboperation,starttime,endtime,details,errormessage",
        encode_query_value(&filter)
    );
    client.get_all(&path, Some(200)).await
}

/// The runs of one solution from one dev environment, newest first (§5.16).
pub async fn history(
    client: &Client,
    artifact_name: &str,
    dev_environment_id: Uuid,
) -> Result<Vec<StageRun>, Error> {
    let filter = format!(
        "artifactname eq {} and _devdeploymentenvironment_value eq {dev_environment_id}",
        string_literal(artifact_name)
    );
    let path = format!(
        "deploymentstageruns?$filter={}&$orderby=createdon%20desc&$select={STAGE_RUN_COLUMNS}",
        encode_query_value(&filter)
    );
    client.get_all(&path, Some(50)).await
}

/// Reads nothing from the Pipelines app's `deploymentpipelines` (§1 step 4, §13.17): `Ok`
/// when it answers 200; a 400 (`Rejected`) also says the table exists, a 404 that the app
/// is not installed — the caller says which is which.
pub async fn probe_pipelines_app(client: &Client) -> Result<(), Error> {
    client
        .get::<Value>(&client.api_url_at("v9.1", "deploymentpipelines?$top=0"))
        .await
        .map(|_| ())
}

/// The formatted label of a column in a raw row, if the host sent one.
pub fn formatted(row: &Value, column: &str) -> Option<String> {
    row[format!("{column}{FORMATTED}")]
        .as_str()
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(id: u128, previous: Option<u128>) -> Stage {
        Stage {
            deploymentstageid: Uuid::from_u128(id),
            name: format!("s{id}"),
            previous: previous.map(Uuid::from_u128),
            predeploymentsteprequired: None,
            isdelegateddeployment: None,
            target: None,
        }
    }

    #[test]
    fn approvers_are_named_for_makers() {
        let owner: StageApprover = serde_json::from_value(json!({
            "delegateddeploymenttype": 1,
            "_ownerid_value@OData.Community.Display.V1.FormattedValue": "Pat Approver"
        }))
        .unwrap();
        assert_eq!(
            owner.sentence(),
            "Pat Approver, the stage owner, can approve or reject."
        );
        let spn: StageApprover = serde_json::from_value(json!({
            "delegateddeploymenttype": 2, "spnclientid": "1111-2222",
            "_ownerid_value@OData.Community.Display.V1.FormattedValue": "Ade Admin"
        }))
        .unwrap();
        assert!(spn
            .sentence()
            .starts_with("The service principal 1111-2222 approves"));
        let bare: StageApprover = serde_json::from_value(json!({})).unwrap();
        assert_eq!(bare.sentence(), "The stage owner can approve or reject.");
    }

    #[test]
    fn stages_follow_the_previous_chain() {
        let rows = vec![
            stage(3, Some(2)),
            stage(1, None),
            stage(2, Some(1)),
            stage(9, Some(42)),
        ];
        let names: Vec<_> = order_stages(rows).into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["s1", "s2", "s3", "s9"]);
    }

    #[test]
    fn both_pipeline_shapes_are_read() {
        let id = Uuid::new_v4();
        let a = json!({"AvailablePipelines": [{"PipelineId": id, "Name": "ALM", "Description": null}], "value": []});
        let b = json!({"value": [{"deploymentpipelineid": id, "name": "ALM"}]});
        for doc in [a, b] {
            let p = parse_pipelines(&doc).unwrap();
            assert_eq!((p[0].id, p[0].name.as_str()), (id, "ALM"));
        }
        assert!(parse_pipelines(&json!({})).is_err());
    }

    #[test]
    fn unknown_status_codes_are_shown_not_hidden() {
        let mut run: StageRun = serde_json::from_value(json!({
            "deploymentstagerunid": Uuid::new_v4(),
            "stagerunstatus": 200000099
        }))
        .unwrap();
        assert_eq!(run.status(), None);
        assert!(!run.is_terminal());
        assert_eq!(run.status_label(), "Unknown status 200000099");
        run.stagerunstatus = Some(StageRunStatus::Failed.code());
        assert!(run.is_terminal());
        assert_eq!(run.status_label(), "Failed");
    }
}
