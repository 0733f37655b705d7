//! The three gates of a stage run (spec §5.14, §6): pre-export, approval and
//! pre-deployment. An answer of 20 continues the run, 30 fails it with the
//! comments kept, 10 ("leave pending") changes nothing. Comments are kept in
//! maker-visible columns; the admin-only properties are hidden from makers by
//! [`redact`].

use ferry_pipelines::{Operation, OperationStatus, StageRunStatus, SubOperation};
use rusqlite::Connection;
use serde_json::Value;

pub use super::record::Gate;
use super::record::{Ending, Phase, Run, Stage};
use super::{after_approval, end_run, phase, schedule_or_deploy, Timing, KIND_RUN};
use crate::caller::{Caller, Role};
use crate::error::{ApiError, ApiResult};
use crate::events::{self, EventName};
use crate::store::jobs;

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

/// What a rejection of each gate says.
fn rejection(gate: Gate) -> &'static str {
    match gate {
        Gate::PreExport => "The pre-export step failed",
        Gate::Approval => "The deployment was rejected",
        Gate::PreDeployment => "The pre-deployment step failed",
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
    let mut run = Run::get(conn, run_id)?;
    let cols = gate.columns();
    let waiting = jobs::get(conn, run.id())?.is_some_and(|j| j.step == cols.step);
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
    run.answer_gate(
        gate,
        answer.status,
        answer.comments.as_deref(),
        answer.properties.as_deref(),
    );
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
            Some(c) if !c.is_empty() => format!("{}: {c}", rejection(gate)),
            _ => format!("{}.", rejection(gate)),
        };
        let ending = Ending::Failed {
            phase: Phase::Gate,
            message: &message,
        };
        return end_run(conn, &mut run, ending);
    }
    let stage = Stage::get(conn, run.stage_id())?;
    match gate {
        Gate::PreExport => {
            run.set_state(
                StageRunStatus::Validating,
                Operation::Validate,
                SubOperation::ExecutingPreExport,
                OperationStatus::Started,
            );
            jobs::put(
                conn,
                run.id(),
                KIND_RUN,
                "validate.export",
                Some(timing.after(phase::EXPORT)),
            )?;
            run.save(conn, "Pre-export step completed")
        }
        Gate::Approval => after_approval(conn, &mut run, &stage, timing),
        Gate::PreDeployment => {
            run.set_state(
                StageRunStatus::PreDeploymentSucceeded,
                Operation::PreDeploy,
                SubOperation::PreDeploymentStep,
                OperationStatus::Succeeded,
            );
            run.save(conn, "Pre-deployment step completed")?;
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
