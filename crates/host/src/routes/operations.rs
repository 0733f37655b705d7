//! Unbound functions and actions (spec §4): the Pipelines messages, `WhoAmI`,
//! and the few standard messages a client of this flow sends.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::access;
use super::path::function_params;
use super::{json, AppState, Lookup, Req};
use crate::audit::{self, Action};
use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::odata::format::render;
use crate::odata::query::QueryOptions;
use crate::runs::{self, Gate};
use crate::schema::{self, HOST_SCOPE};
use crate::store::environments;
use crate::store::records::{self, Record};

const HOST_FUNCTIONS: &[&str] = &[
    "WhoAmI",
    "RetrieveDeploymentPipelines",
    "RetrieveDeploymentPipelineInfo",
    "RetrieveSetting",
];
const ENV_FUNCTIONS: &[&str] = &["WhoAmI", "RetrieveSetting", "RetrieveMissingDependencies"];

pub fn is_function(scope: &str, name: &str) -> bool {
    let list = if schema::is_host_scope(scope) {
        HOST_FUNCTIONS
    } else {
        ENV_FUNCTIONS
    };
    list.contains(&name)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> ApiResult<&'a str> {
    params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| ApiError::bad_request(format!("the parameter {name} is required")))
}

pub fn function(state: &AppState, req: &Req, name: &str, raw_params: &str) -> ApiResult<Response> {
    if !is_function(&req.scope, name) {
        return Err(ApiError::no_segment(name));
    }
    let params = function_params(raw_params, &req.query)?;
    match name {
        "WhoAmI" => who_am_i(state, req),
        "RetrieveSetting" => {
            let setting = param(&params, "SettingName").unwrap_or_default();
            // §1 step 3: the tenant's default custom host (a BAP id or empty), the same
            // from every environment; other settings are not emulated and read empty.
            let value = if setting == "DefaultCustomPipelinesHostEnvForTenant" {
                state
                    .store
                    .meta(crate::scenario::DEFAULT_CUSTOM_HOST)?
                    .unwrap_or_default()
            } else {
                String::new()
            };
            Ok(json(
                StatusCode::OK,
                json!({ "@odata.context": format!("{}/$metadata#Microsoft.Dynamics.CRM.RetrieveSettingResponse", req.api_base), "SettingDetail": { "SettingName": setting, "Value": value } }),
            ))
        }
        "RetrieveDeploymentPipelines" => {
            retrieve_pipelines(state, req, param(&params, "SourceEnvironmentId")?)
        }
        "RetrieveDeploymentPipelineInfo" => retrieve_pipeline_info(
            state,
            req,
            param(&params, "DeploymentPipelineId")?,
            param(&params, "SourceEnvironmentId")?,
            param(&params, "ArtifactName")?,
        ),
        "RetrieveMissingDependencies" => {
            super::dependencies::retrieve_missing(state, req, param(&params, "SolutionUniqueName")?)
        }
        _ => Err(ApiError::no_segment(name)),
    }
}

fn who_am_i(state: &AppState, req: &Req) -> ApiResult<Response> {
    Ok(json(
        StatusCode::OK,
        json!({
            "@odata.context": format!("{}/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse", req.api_base),
            "BusinessUnitId": state.business_unit_id,
            "UserId": req.caller.user_id,
            "OrganizationId": super::tenant::organization_id(state, &req.scope),
        }),
    ))
}

/// The dev registration row for a BAP id on the host in `scope`, if any.
fn registration(conn: &rusqlite::Connection, scope: &str, bap: &str) -> ApiResult<Option<Record>> {
    Ok(records::find(
        conn,
        scope,
        "deploymentenvironments",
        "environmentid",
        bap.trim_matches(['{', '}']),
    )?
    .into_iter()
    .next())
}

fn retrieve_pipelines(state: &AppState, req: &Req, bap: &str) -> ApiResult<Response> {
    state.store.read(|conn| {
        let scope = req.scope.as_str();
        let reg = registration(conn, scope, bap)?;
        let readable = access::readable_pipelines(conn, &req.caller, scope)?;
        let mut rows = Vec::new();
        let mut available = Vec::new();
        if let Some(reg) = reg.as_ref().filter(|r| r.int("environmenttype") == Some(200000000)) {
            for pid in records::linked(conn, scope, "deploymentpipeline_deploymentenvironment", &reg.id, false)? {
                let Some(p) = records::get(conn, scope, "deploymentpipelines", &pid)? else { continue };
                if p.int("statecode") != Some(0) || readable.as_ref().is_some_and(|r| !r.contains(&p.id)) {
                    continue;
                }
                available.push(json!({
                    "PipelineId": p.id, "Name": p.str("name"), "Description": p.str("description"),
                    "IsAssociatedToSourceEnvironment": true, "CanDelete": false,
                }));
                rows.push(json!({
                    "deploymentpipelineid": p.id, "name": p.str("name"), "description": p.str("description"),
                    "deploymenttype": p.int("deploymenttype").unwrap_or(0), "statecode": 0, "statuscode": 1,
                }));
            }
        }
        let env = reg.as_ref().map(|r| {
            json!({ "DeploymentEnvironmentId": r.id, "EnvironmentId": r.str("environmentid"), "EnvironmentType": r.int("environmenttype") })
        });
        Ok(json(
            StatusCode::OK,
            json!({
                "@odata.context": format!("{}/$metadata#Microsoft.Dynamics.CRM.RetrieveDeploymentPipelinesResponse", req.api_base),
                "CanCreate": req.caller.has(crate::caller::Role::Admin),
                "AvailablePipelines": available,
                "DeploymentEnvironment": env,
                "value": rows,
            }),
        ))
    })
}

fn retrieve_pipeline_info(
    state: &AppState,
    req: &Req,
    pipeline_id: &str,
    bap: &str,
    artifact: &str,
) -> ApiResult<Response> {
    let pipeline_id = uuid::Uuid::parse_str(pipeline_id.trim_matches(['{', '}']))
        .map_err(|_| ApiError::bad_request("DeploymentPipelineId must be an unquoted GUID"))?
        .to_string();
    state.store.read(|conn| {
        let lookup = Lookup { conn, scope: &req.scope };
        let pipeline = records::get(conn, &req.scope, "deploymentpipelines", &pipeline_id)?
            .ok_or_else(|| ApiError::no_record("deploymentpipeline", &pipeline_id))?;
        access::require_read(conn, &req.caller, &req.scope, "deploymentpipelines", "deploymentpipeline", &pipeline)?;
        let reg = registration(conn, &req.scope, bap)?.ok_or_else(|| {
            ApiError::rule(format!("The environment {bap} is not registered on this host; an admin must register it as a development environment."))
        })?;
        let mut stages = records::find(conn, &req.scope, "deploymentstages", "_deploymentpipelineid_value", &pipeline.id)?;
        order_stages(&mut stages);
        let runs = records::find(conn, &req.scope, "deploymentstageruns", "artifactname", artifact)?;
        let none = QueryOptions::default();
        let prefer = Default::default();
        let details: Vec<Value> = stages
            .iter()
            .map(|s| {
                let latest = runs
                    .iter()
                    .filter(|r| r.str("_deploymentstageid_value") == Some(s.id.as_str()))
                    .filter(|r| r.str("_devdeploymentenvironment_value") == Some(reg.id.as_str()))
                    .max_by_key(|r| r.version)
                    .map(|r| Value::Object(render(&schema::RUNS, r, &none, &prefer, &lookup)));
                json!({
                    "DeploymentStage": Value::Object(render(&schema::STAGES, s, &none, &prefer, &lookup)),
                    "LatestStageRun": latest,
                })
            })
            .collect();
        let mut details = Value::Array(details);
        runs::gates::redact(&req.caller, &mut details);
        Ok(json(
            StatusCode::OK,
            json!({
                "@odata.context": format!("{}/$metadata#Microsoft.Dynamics.CRM.RetrieveDeploymentPipelineInfoResponse", req.api_base),
                "SourceDeploymentEnvironmentId": reg.id,
                "StageRunsDetails": details,
                "EnableAIDeploymentNotes": pipeline.bool("enableaideploymentnotes"),
                "EnableRedeployment": pipeline.bool("enableredeployment"),
                "DeploymentType": pipeline.int("deploymenttype").unwrap_or(0),
            }),
        ))
    })
}

/// Orders stages by following `previousdeploymentstageid` from the first.
pub fn order_stages(stages: &mut Vec<Record>) {
    let mut ordered = Vec::with_capacity(stages.len());
    let mut previous: Option<String> = None;
    while let Some(pos) = stages.iter().position(|s| {
        s.str("_previousdeploymentstageid_value")
            .map(str::to_string)
            == previous
    }) {
        let s = stages.remove(pos);
        previous = Some(s.id.clone());
        ordered.push(s);
    }
    ordered.append(stages);
    *stages = ordered;
}

fn guid_param(body: &Map<String, Value>, name: &str) -> ApiResult<String> {
    let text = body
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.as_str())
        .ok_or_else(|| ApiError::bad_request(format!("the body must carry {name} (a GUID)")))?;
    uuid::Uuid::parse_str(text.trim_matches(['{', '}']))
        .map(|u| u.to_string())
        .map_err(|_| ApiError::bad_request(format!("{name} '{text}' is not a GUID")))
}

/// An Int32 parameter that may arrive as a numeric string (§5.14).
fn int_param(body: &Map<String, Value>, name: &str) -> ApiResult<i64> {
    let v = body
        .get(name)
        .ok_or_else(|| ApiError::bad_request(format!("the body must carry {name}")))?;
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "{name} must be a whole number: 20 (proceed), 30 (reject) or 10 (leave pending)"
            ))
        })
}

/// The first of `names` present in `body` (JSON keys are matched exactly, then case-insensitively).
fn any_param<'a>(body: &'a Map<String, Value>, names: &[&str]) -> Option<(&'a str, &'a Value)> {
    names.iter().find_map(|n| {
        body.get_key_value(*n)
            .or_else(|| body.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)))
            .map(|(k, v)| (k.as_str(), v))
    })
}

/// A gate answer: the status (a number or numeric string), comments and admin-only properties.
fn gate_answer(
    body: &Map<String, Value>,
    status: &[&str],
    comments: &[&str],
    properties: &[&str],
) -> ApiResult<runs::GateAnswer> {
    let (key, _) = any_param(body, status).ok_or_else(|| {
        ApiError::bad_request(format!("the body must carry {} (10, 20 or 30)", status[0]))
    })?;
    let text = |names: &[&str]| -> ApiResult<Option<String>> {
        match any_param(body, names) {
            None | Some((_, Value::Null)) => Ok(None),
            Some((_, Value::String(s))) => Ok(Some(s.clone())),
            // Properties are often sent as a JSON object; keep its text.
            Some((_, v @ (Value::Object(_) | Value::Array(_)))) => Ok(Some(v.to_string())),
            Some((k, _)) => Err(ApiError::bad_request(format!("{k} must be a string"))),
        }
    };
    Ok(runs::GateAnswer {
        status: int_param(body, key)?,
        comments: text(comments)?,
        properties: if properties.is_empty() {
            None
        } else {
            text(properties)?
        },
    })
}

fn text_param<'a>(body: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    body.get(name).and_then(Value::as_str)
}

pub fn action(state: &AppState, req: &Req, name: &str) -> ApiResult<Response> {
    if name == "GetOrgDbOrgSetting" && req.scope != HOST_SCOPE {
        return org_db_setting(state, req);
    }
    if schema::is_host_scope(&req.scope) && req.scope != HOST_SCOPE && RUN_ACTIONS.contains(&name) {
        return Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            ferry_pipelines::codes::NOT_SUPPORTED,
            format!("{name}: the local host runs deployments on the tenant's first host only; this host serves its pipelines configuration"),
        ));
    }
    if req.scope != HOST_SCOPE {
        return Err(ApiError::no_segment(name));
    }
    let body = req.json_body()?;
    check_parameters(name, &body)?;
    let t = state.timing;
    let caller = &req.caller;
    let result = match name {
        "ValidatePackageAsync" => {
            let id = guid_param(&body, "StageRunId")?;
            on_run(state, caller, &id, name, Check::Update, |c| {
                runs::note_requester(c, &id, caller, false)?;
                runs::start_validation(c, &id, t)
            })
        }
        "DeployPackageAsync" => {
            let id = guid_param(&body, "StageRunId")?;
            on_run(state, caller, &id, name, Check::Update, |c| {
                runs::note_requester(c, &id, caller, true)?;
                runs::start_deployment(c, &id, t)
            })
        }
        "RetryFailedDeploymentAsync" => {
            let id = guid_param(&body, "StageRunId")?;
            on_run(state, caller, &id, name, Check::Update, |c| {
                runs::retry(c, &id, t)
            })
        }
        "UpdatePreDeploymentStepStatus" => {
            let id = guid_param(&body, "StageRunId")?;
            // `PreDeploymentNotes` is taken for `Comments` (issue 16; `Comments` wins if both).
            let answer = gate_answer(
                &body,
                &["PreDeploymentStepStatus"],
                &["Comments", "PreDeploymentNotes"],
                &[],
            )?;
            on_run(state, caller, &id, name, Check::Update, |c| {
                runs::answer_gate(c, &id, Gate::PreDeployment, &answer, t)
            })
        }
        "UpdateApprovalStatus" => {
            let id = guid_param(&body, "StageRunId")?;
            let answer = gate_answer(
                &body,
                &["ApprovalStatus"],
                &["ApprovalComments", "Comments"],
                &["ApprovalProperties"],
            )?;
            on_run(
                state,
                caller,
                &id,
                name,
                Check::Delegate(answer.status),
                |c| runs::answer_gate(c, &id, Gate::Approval, &answer, t),
            )
        }
        "UpdatePreExportStepStatus" => {
            let id = guid_param(&body, "StageRunId")?;
            let answer = gate_answer(
                &body,
                &["PreExportStepStatus", "PreExportStatus"],
                &["Comments", "PreExportComments"],
                &["PreExportProperties"],
            )?;
            on_run(state, caller, &id, name, Check::Update, |c| {
                runs::answer_gate(c, &id, Gate::PreExport, &answer, t)
            })
        }
        "ManageEnvironmentStamp" => {
            access::require_admin(caller, "Write", "deploymentenvironment")?;
            let id = guid_param(&body, "DeploymentEnvironmentId")?;
            state.store.tx(|c| {
                let mut reg = records::get(c, HOST_SCOPE, "deploymentenvironments", &id)?
                    .ok_or_else(|| ApiError::no_record("deploymentenvironment", &id))?;
                let before = reg.data.clone();
                reg.set("validationstatus", 200000000);
                reg.set("_modifiedby_value", caller.user_id.clone());
                records::update(c, HOST_SCOPE, "deploymentenvironments", &mut reg)?;
                audit::append(
                    c,
                    caller,
                    Action::Update,
                    name,
                    "deploymentenvironment",
                    &id,
                    Some(&before),
                    Some(&reg.data),
                )?;
                runs::register_environment(c, &id, t)
            })
        }
        "GrantAccess" | "RevokeAccess" => share(state, caller, name, &body),
        _ => return Err(ApiError::no_segment(name)),
    };
    result?;
    state.wake.notify_one();
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The parameters each host action takes (spec §4; the aliases this host accepts too).
fn parameters_of(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "ValidatePackageAsync" | "DeployPackageAsync" | "RetryFailedDeploymentAsync" => {
            &["StageRunId"]
        }
        "UpdatePreDeploymentStepStatus" => &[
            "StageRunId",
            "PreDeploymentStepStatus",
            "Comments",
            "PreDeploymentNotes",
        ],
        "UpdateApprovalStatus" => &[
            "StageRunId",
            "ApprovalStatus",
            "ApprovalComments",
            "Comments",
            "ApprovalProperties",
        ],
        "UpdatePreExportStepStatus" => &[
            "StageRunId",
            "PreExportStepStatus",
            "PreExportStatus",
            "Comments",
            "PreExportComments",
            "PreExportProperties",
        ],
        "ManageEnvironmentStamp" => &["DeploymentEnvironmentId"],
        "GrantAccess" => &["Target", "PrincipalAccess"],
        "RevokeAccess" => &["Target", "Revokee"],
        _ => return None,
    })
}

/// Dataverse refuses a body parameter the action does not declare (the OData reader checks
/// the payload against the action's metadata) with 400 [I: code `0x80048d19` and wording as
/// remembered from real answers]. Annotations (`@odata.type`, …) are not parameters.
fn check_parameters(name: &str, body: &Map<String, Value>) -> ApiResult<()> {
    let Some(known) = parameters_of(name) else {
        return Ok(());
    };
    match body
        .keys()
        .find(|k| !k.contains('@') && !known.iter().any(|n| n.eq_ignore_ascii_case(k)))
    {
        Some(unknown) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            PAYLOAD_ERROR,
            format!(
                "The parameter '{unknown}' in the request payload is not a valid parameter for the operation '{name}'. It takes: {}.",
                known.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

/// Dataverse's code for a request payload the OData reader refuses [I].
const PAYLOAD_ERROR: ferry_pipelines::codes::ErrorCode =
    ferry_pipelines::codes::ErrorCode(0x8004_8d19);

/// What an action on a run requires of its caller.
#[derive(Clone, Copy)]
enum Check {
    /// Anyone who can update the run (admins, its creator, its stage's delegate).
    Update,
    /// Only the stage's delegate (§4); carries the answer, for the audit action.
    Delegate(i64),
}

/// Runs an action on a stage run after checking the caller, and audits what changed.
fn on_run(
    state: &AppState,
    caller: &Caller,
    id: &str,
    message: &str,
    check: Check,
    act: impl FnOnce(&rusqlite::Connection) -> ApiResult<()>,
) -> ApiResult<()> {
    state.store.tx(|c| {
        let before = runs::host_get(c, "deploymentstageruns", id)?;
        let action = match check {
            Check::Update => {
                access::require_run_update(c, caller, &before)?;
                Action::Update
            }
            Check::Delegate(status) => {
                let stage = runs::host_get(
                    c,
                    "deploymentstages",
                    before.str("_deploymentstageid_value").unwrap_or_default(),
                )?;
                if !access::is_delegate(caller, &stage) {
                    return Err(access::denied(
                        caller,
                        "prvApprovedeploymentstagerun",
                        "deploymentstagerun",
                    ));
                }
                if status == 30 {
                    Action::Reject
                } else {
                    Action::Approve
                }
            }
        };
        act(c)?;
        let mut after = runs::host_get(c, "deploymentstageruns", id)?;
        after.set("_modifiedby_value", caller.user_id.clone());
        records::update(c, HOST_SCOPE, "deploymentstageruns", &mut after)?;
        audit::append(
            c,
            caller,
            action,
            message,
            "deploymentstagerun",
            id,
            Some(&before.data),
            Some(&after.data),
        )
    })
}

/// The systemuser a `GrantAccess` / `RevokeAccess` names.
fn principal(body: &Map<String, Value>, grant: bool) -> ApiResult<String> {
    let principal = if grant {
        body.get("PrincipalAccess")
            .and_then(Value::as_object)
            .and_then(|p| p.get("Principal"))
    } else {
        body.get("Revokee")
    }
    .and_then(Value::as_object)
    .ok_or_else(|| {
        ApiError::bad_request(if grant {
            "the body must carry PrincipalAccess.Principal (a systemuser with systemuserid)"
        } else {
            "the body must carry Revokee (a systemuser with systemuserid)"
        })
    })?;
    if principal.contains_key("teamid") {
        return Err(ApiError::bad_request(
            "teams are not emulated by the local host; share with a systemuser (systemuserid) instead",
        ));
    }
    guid_param(principal, "systemuserid")
}

/// `GrantAccess` / `RevokeAccess` of a pipeline to a user (admins only).
fn share(
    state: &AppState,
    caller: &Caller,
    name: &str,
    body: &Map<String, Value>,
) -> ApiResult<()> {
    access::require_admin(caller, "Share", "deploymentpipeline")?;
    let target = body
        .get("Target")
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::bad_request("the body must carry Target"))?;
    let id = guid_param(target, "deploymentpipelineid")?;
    let grant = name == "GrantAccess";
    let user = principal(body, grant)?;
    state.store.tx(|c| {
        records::get(c, HOST_SCOPE, "deploymentpipelines", &id)?
            .ok_or_else(|| ApiError::no_record("deploymentpipeline", &id))?;
        records::get(c, HOST_SCOPE, "systemusers", &user)?
            .ok_or_else(|| ApiError::no_record("systemuser", &user))?;
        let mut change = Map::new();
        change.insert("principalid".into(), user.clone().into());
        if grant {
            crate::store::shares::grant(c, &id, &user)?;
            audit::append(
                c,
                caller,
                Action::Share,
                name,
                "deploymentpipeline",
                &id,
                None,
                Some(&change),
            )
        } else {
            crate::store::shares::revoke(c, &id, &user)?;
            audit::append(
                c,
                caller,
                Action::Unshare,
                name,
                "deploymentpipeline",
                &id,
                Some(&change),
                None,
            )
        }
    })
}

/// The host actions that act on stage runs or registrations (only the first host runs them).
const RUN_ACTIONS: &[&str] = &[
    "ValidatePackageAsync",
    "DeployPackageAsync",
    "RetryFailedDeploymentAsync",
    "UpdatePreDeploymentStepStatus",
    "UpdateApprovalStatus",
    "UpdatePreExportStepStatus",
    "ManageEnvironmentStamp",
    "GrantAccess",
    "RevokeAccess",
];

/// `GetOrgDbOrgSetting` on an environment: the BAP id of the host it is bound to, empty when
/// it is bound to none (§1 step 1).
fn org_db_setting(state: &AppState, req: &Req) -> ApiResult<Response> {
    let body = req.json_body()?;
    let setting = text_param(&body, "SettingName")
        .unwrap_or_default()
        .to_string();
    let value = if setting == "ProjectHostEnvironmentId" {
        state.store.tx(|c| -> ApiResult<String> {
            let bound = environments::by_scope(c, &req.scope)?.and_then(|e| e.bound_host);
            Ok(match bound {
                Some(host) => environments::get(c, &host)?
                    .map(|h| h.bap_id)
                    .unwrap_or_default(),
                None => String::new(),
            })
        })?
    } else {
        String::new()
    };
    Ok(json(StatusCode::OK, json!({ "SettingValue": value })))
}
