//! The three gates of a stage run (spec §5.14, §6): pre-export, approval and
//! pre-deployment. An answer of 20 continues the run, 30 fails it with the
//! comments kept, 10 ("leave pending") changes nothing. Comments are kept in
//! maker-visible columns; the admin-only properties are hidden from makers by
//! [`redact`].

use ferry_pipelines::{Operation, OperationStatus, StageRunStatus, SubOperation};
use rusqlite::Connection;
use serde_json::Value;

use super::{
    after_approval, fail, host_get, phase, save, schedule_or_deploy, set_state, Timing, KIND_RUN,
    RUNS,
};
use crate::caller::{Caller, Role};
use crate::error::{ApiError, ApiResult};
use crate::events::{self, EventName};
use crate::store::jobs;

/// Which gate an action answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    PreExport,
    Approval,
    PreDeployment,
}

/// The body of an `Update…Status` action.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GateAnswer {
    /// 10 leave pending, 20 proceed, 30 reject.
    pub status: i64,
    /// Shown to the maker (and in `errormessage` on rejection).
    pub comments: Option<String>,
    /// `ApprovalProperties` / `PreExportProperties`: stored, readable by admins only.
    pub properties: Option<String>,
}

/// Run columns that only admins may read.
pub const ADMIN_ONLY: [&str; 2] = ["approvalproperties", "preexportproperties"];

struct Columns {
    status: &'static str,
    comments: &'static str,
    properties: Option<&'static str>,
    step: &'static str,
}

impl Gate {
    /// The message that answers it.
    pub fn message(self) -> &'static str {
        match self {
            Gate::PreExport => "UpdatePreExportStepStatus",
            Gate::Approval => "UpdateApprovalStatus",
            Gate::PreDeployment => "UpdatePreDeploymentStepStatus",
        }
    }

    fn columns(self) -> Columns {
        match self {
            Gate::PreExport => Columns {
                status: "preexportstepstatus",
                comments: "preexportstepcomments",
                properties: Some("preexportproperties"),
                step: "wait.preexport",
            },
            Gate::Approval => Columns {
                status: "approvalstatus",
                comments: "approvalcomments",
                properties: Some("approvalproperties"),
                step: "wait.approval",
            },
            Gate::PreDeployment => Columns {
                status: "predeploymentstepstatus",
                comments: "predeploymentstepcomments",
                properties: None,
                step: "wait.predeploy",
            },
        }
    }

    fn rejection(self) -> &'static str {
        match self {
            Gate::PreExport => "The pre-export step failed",
            Gate::Approval => "The deployment was rejected",
            Gate::PreDeployment => "The pre-deployment step failed",
        }
    }
}

/// `UpdatePreExportStepStatus` / `UpdateApprovalStatus` / `UpdatePreDeploymentStepStatus` (§5.14).
pub fn answer_gate(
    conn: &Connection,
    run_id: &str,
    gate: Gate,
    answer: &GateAnswer,
    timing: Timing,
) -> ApiResult<()> {
    let mut run = host_get(conn, RUNS, run_id)?;
    let cols = gate.columns();
    let waiting = jobs::get(conn, &run.id)?.is_some_and(|j| j.step == cols.step);
    if !waiting {
        return Err(ApiError::rule(format!("The stage run is not waiting for this step; the {} attribute cannot be found in a pending state.", cols.status)));
    }
    match answer.status {
        10 => return Ok(()),
        20 | 30 => {}
        other => {
            return Err(ApiError::bad_request(format!(
                "{} must be 20 (proceed), 30 (reject) or 10 (leave pending), not {other}",
                cols.status
            )))
        }
    }
    run.set(cols.status, answer.status);
    if let Some(c) = &answer.comments {
        run.set(cols.comments, c.as_str());
        run.set("operationdetails", c.as_str());
    }
    if let (Some(col), Some(p)) = (cols.properties, &answer.properties) {
        run.set(col, p.as_str());
    }
    match gate {
        Gate::Approval => events::emit(
            conn,
            &run,
            EventName::ApprovalCompleted,
            &[("ApprovalStatus", answer.status.into())],
        )?,
        Gate::PreDeployment => events::emit(conn, &run, EventName::PreDeploymentCompleted, &[])?,
        Gate::PreExport => {}
    }
    if answer.status == 30 {
        let message = match answer.comments.as_deref() {
            Some(c) if !c.is_empty() => format!("{}: {c}", gate.rejection()),
            _ => format!("{}.", gate.rejection()),
        };
        return fail(conn, &mut run, "gate", &message);
    }
    let stage = host_get(
        conn,
        "deploymentstages",
        run.str("_deploymentstageid_value").unwrap_or_default(),
    )?;
    match gate {
        Gate::PreExport => {
            set_state(
                &mut run,
                StageRunStatus::Validating,
                Operation::Validate,
                SubOperation::ExecutingPreExport,
                OperationStatus::Started,
            );
            jobs::put(
                conn,
                &run.id,
                KIND_RUN,
                "validate.export",
                Some(timing.after(phase::EXPORT)),
            )?;
            save(conn, &mut run, "Pre-export step completed")
        }
        Gate::Approval => after_approval(conn, &mut run, &stage, timing),
        Gate::PreDeployment => {
            set_state(
                &mut run,
                StageRunStatus::PreDeploymentSucceeded,
                Operation::PreDeploy,
                SubOperation::PreDeploymentStep,
                OperationStatus::Succeeded,
            );
            save(conn, &mut run, "Pre-deployment step completed")?;
            schedule_or_deploy(conn, &mut run, timing)
        }
    }
}

/// Hides the admin-only run columns from a caller who is not an admin, at any
/// depth of a rendered response (`$expand` of runs included).
pub fn redact(caller: &Caller, value: &mut Value) {
    if caller.has(Role::Admin) {
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if ADMIN_ONLY.contains(&k.as_str()) {
                    *v = Value::Null;
                } else {
                    redact(caller, v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| redact(caller, v)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn caller(roles: Vec<Role>) -> Caller {
        Caller {
            user_id: "u".into(),
            upn: "u@x".into(),
            name: "U".into(),
            roles,
            app_id: None,
            app_only: false,
        }
    }

    #[test]
    fn makers_do_not_see_admin_only_columns_at_any_depth() {
        let body = json!({ "approvalproperties": "secret", "approvalcomments": "ok",
            "value": [{ "preexportproperties": "p", "deploymentstage_deploymentstagerun": [{ "approvalproperties": "q" }] }] });
        let mut maker = body.clone();
        redact(&caller(vec![Role::Maker]), &mut maker);
        assert_eq!(maker["approvalproperties"], Value::Null);
        assert_eq!(maker["approvalcomments"], "ok");
        assert_eq!(maker["value"][0]["preexportproperties"], Value::Null);
        assert_eq!(
            maker["value"][0]["deploymentstage_deploymentstagerun"][0]["approvalproperties"],
            Value::Null
        );
        let mut admin = body.clone();
        redact(&caller(vec![Role::Admin]), &mut admin);
        assert_eq!(admin, body);
    }
}
