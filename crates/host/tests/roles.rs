//! Roles and sharing over real HTTP: what makers, approvers and admins may see
//! and do, and the audit trail that records it.

mod common;

use common::*;
use ferry_host::scenario::derived_id;
use ferry_host::Scenario;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const SPN: &str = "11111111-2222-3333-4444-555555555555";

fn scenario() -> Scenario {
    Scenario::from_toml(&format!(
        r#"
name = "roles"
[[users]]
name = "Ade Admin"
upn = "ade@contoso.example"
roles = ["admin"]
[[users]]
name = "Mona Maker"
upn = "mona@contoso.example"
roles = ["maker"]
[[users]]
name = "Pat Approver"
upn = "pat@contoso.example"
roles = ["approver"]
[[users]]
name = "Sam Approver"
upn = "sam@contoso.example"
roles = ["approver"]

[[applications]]
name = "Release Robot"
app_id = "{SPN}"
secret = "robot-secret"
roles = ["approver"]

[[environments]]
name = "dev"
kind = "development"
solutions = [{{ unique_name = "Tool", version = "1.0.0.0", publisher = "c", prefix = "c" }}]
[[environments]]
name = "prod"
kind = "target"

[[pipelines]]
name = "Shared"
dev_environments = ["dev"]
shared_with = ["mona@contoso.example"]
stages = [{{ name = "Gated", target = "prod", approver = "pat@contoso.example", pre_deployment_step = true }}]

[[pipelines]]
name = "Private"
dev_environments = ["dev"]
stages = [{{ name = "Owned", target = "prod", approver = "sam@contoso.example" }}]

[[pipelines]]
name = "Robot"
dev_environments = ["dev"]
shared_with = ["mona@contoso.example"]
stages = [{{ name = "Spn", target = "prod", spn_client_id = "{SPN}" }}]
"#
    ))
    .unwrap()
}

fn user(upn: &str) -> String {
    derived_id("user", &format!("{upn}@contoso.example"))
}

fn assert_privilege(status: StatusCode, body: &Value, privilege: &str) {
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["code"], "0x80040220", "{body}");
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(msg.starts_with("Principal user (Id="), "{msg}");
    assert!(
        msg.contains(&format!("is missing {privilege} privilege")),
        "{msg}"
    );
}

fn names(body: &Value) -> Vec<String> {
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

async fn new_run_as(h: &TestHost, who: &str, stage_id: &str) -> (StatusCode, Value) {
    let auth = format!("Bearer {who}");
    let (s, _, b) = h
        .send(
            Method::POST,
            "deploymentstageruns",
            json!({
                "deploymentstageid@odata.bind": format!("/deploymentstages({stage_id})"),
                "devdeploymentenvironment@odata.bind": format!("/deploymentenvironments({})", registration("dev")),
                "artifactname": "Tool",
                "solutionid": derived_id("solution", "Tool"),
            }),
            &[("Authorization", &auth), ("Prefer", "return=representation")],
        )
        .await;
    (s, b)
}

fn grant_body(pipeline_id: &str, user_id: &str, grant: bool) -> Value {
    let target = json!({ "deploymentpipelineid": pipeline_id, "@odata.type": "Microsoft.Dynamics.CRM.deploymentpipeline" });
    let principal =
        json!({ "systemuserid": user_id, "@odata.type": "Microsoft.Dynamics.CRM.systemuser" });
    if grant {
        json!({ "Target": target, "PrincipalAccess": { "Principal": principal, "AccessMask": "ReadAccess" } })
    } else {
        json!({ "Target": target, "Revokee": principal })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_maker_sees_and_runs_only_shared_pipelines_until_granted() {
    let h = start(scenario()).await;
    let private = pipeline("Private");
    let (s, list) = h.get_as("mona", "deploymentpipelines?$select=name").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(names(&list), ["Shared", "Robot"]);
    let (s, b) = h
        .get_as("mona", &format!("deploymentpipelines({private})"))
        .await;
    assert_privilege(s, &b, "prvReaddeploymentpipeline");
    let (_, stages) = h.get_as("mona", "deploymentstages?$select=name").await;
    assert_eq!(names(&stages), ["Gated", "Spn"]);
    let (s, b) = h
        .get_as(
            "mona",
            &format!("deploymentstages({})", stage("Private", "Owned")),
        )
        .await;
    assert_privilege(s, &b, "prvReaddeploymentstage");
    let (s, b) = h
        .get_as(
            "mona",
            &format!("deploymentpipelines({private})/deploymentpipeline_deploymentstage"),
        )
        .await;
    assert_privilege(s, &b, "prvReaddeploymentpipeline");

    let bap = derived_id("environment", "dev");
    let (_, offered) = h
        .get_as(
            "mona",
            &format!("RetrieveDeploymentPipelines(SourceEnvironmentId='{bap}')"),
        )
        .await;
    assert_eq!(names(&offered), ["Shared", "Robot"], "{offered}");
    assert_eq!(offered["CanCreate"], false);
    let info = format!(
        "RetrieveDeploymentPipelineInfo(DeploymentPipelineId={private},SourceEnvironmentId='{bap}',ArtifactName='Tool')"
    );
    let (s, b) = h.get_as("mona", &info).await;
    assert_privilege(s, &b, "prvReaddeploymentpipeline");
    let (s, b) = new_run_as(&h, "mona", &stage("Private", "Owned")).await;
    assert_privilege(s, &b, "prvReaddeploymentpipeline");
    // The admin sees everything.
    let (_, all) = h.get("deploymentpipelines?$select=name").await;
    assert_eq!(names(&all).len(), 3);

    // Sharing is the admin's: Mona cannot share with herself.
    let mona = user("mona");
    let (s, b) = h
        .post_as("mona", "GrantAccess", grant_body(&private, &mona, true))
        .await;
    assert_privilege(s, &b, "prvSharedeploymentpipeline");
    let (s, b) = h
        .post("GrantAccess", grant_body(&private, &mona, true))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (_, list) = h.get_as("mona", "deploymentpipelines?$select=name").await;
    assert_eq!(names(&list), ["Shared", "Private", "Robot"]);
    let (s, b) = h.get_as("mona", &info).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = new_run_as(&h, "mona", &stage("Private", "Owned")).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["_createdby_value"], mona.as_str(), "runs say who asked");
    assert_eq!(b["_ownerid_value"], mona.as_str());

    // Stage runs are read by every pipeline user (business-unit read).
    let (s, runs) = h.get_as("pat", "deploymentstageruns?$select=name").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(runs["value"].as_array().unwrap().len(), 1);

    let (s, b) = h
        .post("RevokeAccess", grant_body(&private, &mona, false))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (s, b) = h
        .get_as("mona", &format!("deploymentpipelines({private})"))
        .await;
    assert_privilege(s, &b, "prvReaddeploymentpipeline");

    let (_, me) = h.get_as("mona", "WhoAmI").await;
    assert_eq!(me["UserId"], mona.as_str());
    let (_, me) = h.get("WhoAmI").await;
    assert_eq!(
        me["UserId"],
        user("ade").as_str(),
        "no token acts as the first admin"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admins_configure() {
    let h = start(scenario()).await;
    let auth = [("Authorization", "Bearer mona")];
    let tries = [
        (
            "deploymentenvironments",
            json!({ "name": "x", "environmentid": "00000000-0000-0000-0000-0000000000aa", "environmenttype": 200000001 }),
            "prvCreatedeploymentenvironment",
        ),
        (
            "deploymentpipelines",
            json!({ "name": "Mine" }),
            "prvCreatedeploymentpipeline",
        ),
        (
            "deploymentstages",
            json!({ "name": "S", "deploymentpipelineid@odata.bind": format!("/deploymentpipelines({})", pipeline("Shared")) }),
            "prvCreatedeploymentstage",
        ),
    ];
    for (set, body, privilege) in tries {
        let (s, _, b) = h.send(Method::POST, set, body, &auth).await;
        assert_privilege(s, &b, privilege);
    }
    let shared = pipeline("Shared");
    let (s, _, b) = h
        .send(
            Method::PATCH,
            &format!("deploymentpipelines({shared})"),
            json!({ "name": "Renamed" }),
            &auth,
        )
        .await;
    assert_privilege(s, &b, "prvWritedeploymentpipeline");
    let (s, _, b) = h
        .send(
            Method::DELETE,
            &format!("deploymentpipelines({shared})"),
            json!({}),
            &auth,
        )
        .await;
    assert_privilege(s, &b, "prvDeletedeploymentpipeline");
    let (s, _, b) = h
        .send(
            Method::POST,
            &format!("deploymentpipelines({shared})/deploymentpipeline_deploymentenvironment/$ref"),
            json!({ "@odata.id": format!("deploymentenvironments({})", registration("prod")) }),
            &auth,
        )
        .await;
    assert_privilege(s, &b, "prvAppenddeploymentpipeline");
    let (s, b) = h
        .post_as(
            "mona",
            "ManageEnvironmentStamp",
            json!({ "DeploymentEnvironmentId": registration("dev") }),
        )
        .await;
    assert_privilege(s, &b, "prvWritedeploymentenvironment");

    // The admin can, and the row says who made it.
    let (s, _, b) = h
        .send(
            Method::POST,
            "deploymentpipelines",
            json!({ "name": "Mine" }),
            &[("Prefer", "return=representation")],
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["_createdby_value"], user("ade").as_str());
    assert_eq!(b["_modifiedby_value"], user("ade").as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_stage_delegate_approves_and_the_audit_trail_says_who() {
    let h = start(scenario()).await;
    let (s, b) = new_run_as(&h, "mona", &stage("Shared", "Gated")).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let run = b["deploymentstagerunid"].as_str().unwrap().to_string();
    let (s, b) = h
        .post_as("mona", "ValidatePackageAsync", json!({ "StageRunId": run }))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    h.wait_for(&run, &[200000007]).await;
    let (s, b) = h
        .post_as("mona", "DeployPackageAsync", json!({ "StageRunId": run }))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    // Sam cannot touch a run of a stage he does not own.
    let (s, b) = h
        .post_as("sam", "DeployPackageAsync", json!({ "StageRunId": run }))
        .await;
    assert_privilege(s, &b, "prvWritedeploymentstagerun");

    let approve = json!({ "StageRunId": run, "ApprovalStatus": 20, "ApprovalComments": "ok" });
    for who in ["mona", "sam", "ade"] {
        let (s, b) = h
            .post_as(who, "UpdateApprovalStatus", approve.clone())
            .await;
        assert_privilege(s, &b, "prvApprovedeploymentstagerun");
    }
    let (s, b) = h.post_as("pat", "UpdateApprovalStatus", approve).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    // The pre-deployment step: whoever can update the run (not Sam).
    let step = json!({ "StageRunId": run, "PreDeploymentStepStatus": 20 });
    let (s, b) = h
        .post_as("sam", "UpdatePreDeploymentStepStatus", step.clone())
        .await;
    assert_privilege(s, &b, "prvWritedeploymentstagerun");
    let (s, b) = h
        .post_as("mona", "UpdatePreDeploymentStepStatus", step)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let done = h.wait_for(&run, &[200000002, 200000003]).await;
    assert_eq!(done["stagerunstatus"], 200000002, "{done}");
    assert_eq!(done["_createdby_value"], user("mona").as_str());

    // The audit trail: who did what, old → new.
    let (s, audits) = h
        .get("audits?$filter=ferry_message eq 'UpdateApprovalStatus'&$select=action,_userid_value,objecttypecode,_objectid_value,changedata")
        .await;
    assert_eq!(s, StatusCode::OK, "{audits}");
    let rows = audits["value"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{audits}");
    assert_eq!(rows[0]["_userid_value"], user("pat").as_str());
    assert_eq!(rows[0]["action"], 28);
    assert_eq!(rows[0]["objecttypecode"], "deploymentstagerun");
    assert_eq!(rows[0]["_objectid_value"], run.as_str());
    let change: Value = serde_json::from_str(rows[0]["changedata"].as_str().unwrap()).unwrap();
    let approval = change["changedAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["logicalName"] == "approvalstatus")
        .unwrap_or_else(|| panic!("{change}"));
    assert_eq!(
        (approval["oldValue"].clone(), approval["newValue"].clone()),
        (json!(10), json!(20))
    );
    let (_, latest) = h
        .get("audits?$orderby=createdon desc&$top=2&$select=ferry_message,_userid_value")
        .await;
    assert_eq!(latest["value"].as_array().unwrap().len(), 2, "{latest}");
    let (_, creates) = h
        .get(&format!(
            "audits?$filter=action eq 1 and _userid_value eq {}",
            user("mona")
        ))
        .await;
    assert_eq!(creates["value"].as_array().unwrap().len(), 1, "{creates}");
    // Refused to a maker, as a set and row by row.
    let (s, b) = h.get_as("mona", "audits").await;
    assert_privilege(s, &b, "prvReadaudit");
    let id = rows[0]["auditid"].as_str().map(str::to_string);
    let (_, all) = h.get("audits?$select=auditid&$top=1").await;
    let id = id.unwrap_or_else(|| all["value"][0]["auditid"].as_str().unwrap().to_string());
    let (s, b) = h.get_as("mona", &format!("audits({id})")).await;
    assert_privilege(s, &b, "prvReadaudit");
}

/// An unsigned JWT naming `upn` and issued to `appid`.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_principal_stage_is_approved_only_by_its_app() {
    let h = start(scenario()).await;
    let (s, b) = new_run_as(&h, "mona", &stage("Robot", "Spn")).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let run = b["deploymentstagerunid"].as_str().unwrap().to_string();
    h.action("ValidatePackageAsync", &run).await;
    h.wait_for(&run, &[200000007]).await;
    h.action("DeployPackageAsync", &run).await;
    let approve = json!({ "StageRunId": run, "ApprovalStatus": 20 });
    let (s, b) = h
        .post_as("pat", "UpdateApprovalStatus", approve.clone())
        .await;
    assert_privilege(s, &b, "prvApprovedeploymentstagerun");
    let wrong = format!(
        "Bearer {}",
        h.token_for("pat", "99999999-2222-3333-4444-555555555555")
            .await
    );
    let (s, _, b) = h
        .send(
            Method::POST,
            "UpdateApprovalStatus",
            approve.clone(),
            &[("Authorization", &wrong)],
        )
        .await;
    assert_privilege(s, &b, "prvApprovedeploymentstagerun");
    // A user signed in through the application's client id is still that user (issue 16).
    let posing = format!("Bearer {}", h.token_for("pat", SPN).await);
    let (s, _, b) = h
        .send(
            Method::POST,
            "UpdateApprovalStatus",
            approve.clone(),
            &[("Authorization", &posing)],
        )
        .await;
    assert_privilege(s, &b, "prvApprovedeploymentstagerun");
    // The application itself (client credentials) answers.
    let r = h
        .client
        .post(format!("{}/organizations/oauth2/v2.0/token", h.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", SPN),
            ("client_secret", "robot-secret"),
            ("scope", &format!("{}/.default", h.base)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let token: Value = r.json().await.unwrap();
    let right = format!("Bearer {}", token["access_token"].as_str().unwrap());
    let (s, _, b) = h
        .send(
            Method::POST,
            "UpdateApprovalStatus",
            approve,
            &[("Authorization", &right)],
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    assert_eq!(
        h.wait_for(&run, &[200000002, 200000003]).await["stagerunstatus"],
        200000002
    );
}
