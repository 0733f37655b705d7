//! Who may do what on the host (spec §2.8, §4), checked against the
//! request's [`Caller`]:
//!
//! - Administrators (Deployment Pipeline Administrator) do everything.
//! - Everyone else reads the pipelines shared with them (`GrantAccess`) and
//!   the pipelines and stages they are the delegate of; lists are filtered,
//!   a direct read of another row is a privilege error. Stage runs are read
//!   by everyone (business-unit read, through the "Users" team).
//! - Only administrators configure: environments, pipelines, stages, users,
//!   associations, sharing, `ManageEnvironmentStamp`.
//! - Makers create runs on stages of pipelines they can read; a run is
//!   updated (PATCH, validate, deploy, retry, pre-export and pre-deployment
//!   gates) by administrators, its creator and its stage's delegate.
//! - `UpdateApprovalStatus` is answered only by the stage's delegate (§4):
//!   the stage owner, or the service principal whose app id is `spnclientid`.

use std::collections::HashSet;

use axum::http::StatusCode;
use ferry_pipelines::codes;
use rusqlite::Connection;

use crate::caller::{Caller, Role};
use crate::error::{ApiError, ApiResult};
use crate::schema::HOST_SCOPE;
use crate::store::records::{self, Record};
use crate::store::shares;

/// Object type codes as the emulator numbers them (custom tables are 10000+).
fn otc(logical: &str) -> u32 {
    match logical {
        "systemuser" => 8,
        "solution" => 7100,
        "publisher" => 7101,
        "audit" => 4567,
        "deploymentenvironment" => 10301,
        "deploymentpipeline" => 10302,
        "deploymentstage" => 10303,
        "deploymentstagerun" => 10304,
        "deploymentartifact" => 10305,
        "deploymentstagerunstatus" => 10306,
        _ => 10399,
    }
}

fn localized(logical: &str) -> String {
    match logical {
        "deploymentenvironment" => "Deployment Environment".into(),
        "deploymentpipeline" => "Deployment Pipeline".into(),
        "deploymentstage" => "Deployment Stage".into(),
        "deploymentstagerun" => "Deployment Stage Run".into(),
        "deploymentartifact" => "Deployment Artifact".into(),
        "systemuser" => "User".into(),
        "audit" => "Auditing".into(),
        other => other.to_string(),
    }
}

/// 403 with Dataverse's privilege error, e.g. `prvReaddeploymentpipeline` on `deploymentpipeline`.
pub fn denied(caller: &Caller, privilege: &str, logical: &str) -> ApiError {
    let privilege_id = crate::ids::derived_id("privilege", privilege);
    ApiError::new(
        StatusCode::FORBIDDEN,
        codes::PRIVILEGE_DENIED,
        format!(
            "Principal user (Id={user}, type=8, roleCount={roles}, accessMode='0 Read-Write'), is missing {privilege} privilege (Id={privilege_id}) on OTC={otc} for entity '{logical}' (LocalizedName='{name}'). context.Caller={user}. Consider adding missed privilege to one of the principal (user/team) roles.",
            user = caller.user_id,
            roles = caller.roles.len(),
            otc = otc(logical),
            name = localized(logical),
        ),
    )
}

/// Refuses everyone but administrators: `verb` is `Create`, `Write`, `Delete`, `Append`, `Share`.
pub fn require_admin(caller: &Caller, verb: &str, logical: &str) -> ApiResult<()> {
    if caller.has(Role::Admin) {
        Ok(())
    } else {
        Err(denied(caller, &format!("prv{verb}{logical}"), logical))
    }
}

/// Tables only administrators change.
pub fn configured_by_admins(set: &str) -> bool {
    matches!(
        set,
        "deploymentenvironments"
            | "deploymentpipelines"
            | "deploymentstages"
            | "systemusers"
            | "solutions"
            | "publishers"
    )
}

/// Whether `caller` answers `stage`'s approval (owner-type: its owner; SPN-type: the app id).
pub fn is_delegate(caller: &Caller, stage: &Record) -> bool {
    if !stage.bool("isdelegateddeployment") {
        return false;
    }
    if stage.int("delegateddeploymenttype") == Some(2) {
        // Delegation to a service principal means the caller IS its application user: an
        // app-only token of that app. A user signed in through the same client id is not.
        let spn = stage.str("spnclientid").unwrap_or_default().trim();
        return !spn.is_empty()
            && caller.app_only
            && caller
                .app_id
                .as_deref()
                .is_some_and(|a| a.trim().eq_ignore_ascii_case(spn));
    }
    stage
        .str("_ownerid_value")
        .is_some_and(|o| o.eq_ignore_ascii_case(&caller.user_id))
}

/// The pipelines `caller` may read; `None` means all of them.
pub fn readable_pipelines(
    conn: &Connection,
    caller: &Caller,
    scope: &str,
) -> ApiResult<Option<HashSet<String>>> {
    if caller.has(Role::Admin) {
        return Ok(None);
    }
    let mut ids: HashSet<String> = shares::shared_with(conn, &caller.user_id)?
        .into_iter()
        .collect();
    // Shares of every host live in the first host's links (pipeline ids are unique).
    for stage in records::list(conn, scope, "deploymentstages")? {
        if is_delegate(caller, &stage) {
            if let Some(p) = stage.str("_deploymentpipelineid_value") {
                ids.insert(p.to_ascii_lowercase());
            }
        }
    }
    Ok(Some(ids))
}

fn pipeline_of(set: &str, row: &Record) -> Option<String> {
    match set {
        "deploymentpipelines" => Some(row.id.clone()),
        "deploymentstages" => row
            .str("_deploymentpipelineid_value")
            .map(str::to_ascii_lowercase),
        _ => None,
    }
}

/// Keeps the rows of `set` that `caller` may read.
pub fn filter(
    conn: &Connection,
    caller: &Caller,
    scope: &str,
    set: &str,
    rows: Vec<Record>,
) -> ApiResult<Vec<Record>> {
    if !crate::schema::is_host_scope(scope) {
        return Ok(rows);
    }
    if set == "audits" {
        return Ok(if caller.has(Role::Admin) {
            rows
        } else {
            Vec::new()
        });
    }
    if !matches!(set, "deploymentpipelines" | "deploymentstages") {
        // Only pipelines and stages are filtered by sharing (`pipeline_of`); a run is read
        // on every poll, so the readable pipelines are not worked out for it.
        return Ok(rows);
    }
    let Some(readable) = readable_pipelines(conn, caller, scope)? else {
        return Ok(rows);
    };
    Ok(rows
        .into_iter()
        .filter(|r| match pipeline_of(set, r) {
            Some(p) => {
                readable.contains(&p) || (set == "deploymentstages" && is_delegate(caller, r))
            }
            None => true,
        })
        .collect())
}

/// A direct read of one row: a privilege error when `caller` may not see it.
pub fn require_read(
    conn: &Connection,
    caller: &Caller,
    scope: &str,
    set: &str,
    logical: &str,
    row: &Record,
) -> ApiResult<()> {
    if !crate::schema::is_host_scope(scope) {
        return Ok(());
    }
    if set == "audits" && !caller.has(Role::Admin) {
        return Err(denied(caller, "prvReadaudit", "audit"));
    }
    if filter(conn, caller, scope, set, vec![row.clone()])?.is_empty() {
        return Err(denied(caller, &format!("prvRead{logical}"), logical));
    }
    Ok(())
}

/// Reading a collection that only administrators may read at all (`audits`).
pub fn require_set_read(caller: &Caller, scope: &str, set: &str) -> ApiResult<()> {
    if scope == HOST_SCOPE && set == "audits" && !caller.has(Role::Admin) {
        return Err(denied(caller, "prvReadaudit", "audit"));
    }
    Ok(())
}

/// A new run: the caller is a maker (or admin) who can read the stage's pipeline.
pub fn require_run_create(conn: &Connection, caller: &Caller, stage_id: &str) -> ApiResult<()> {
    if !(caller.has(Role::Admin) || caller.has(Role::Maker)) {
        return Err(denied(
            caller,
            "prvCreatedeploymentstagerun",
            "deploymentstagerun",
        ));
    }
    let Some(stage) = records::get(conn, HOST_SCOPE, "deploymentstages", stage_id)? else {
        return Ok(()); // the create itself answers "does not exist"
    };
    let readable = readable_pipelines(conn, caller, HOST_SCOPE)?;
    let pipeline = stage
        .str("_deploymentpipelineid_value")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if readable.is_some_and(|r| !r.contains(&pipeline)) {
        return Err(denied(
            caller,
            "prvReaddeploymentpipeline",
            "deploymentpipeline",
        ));
    }
    Ok(())
}

/// Whether `caller` may update `run`: administrators, its creator, its stage's delegate.
pub fn can_update_run(conn: &Connection, caller: &Caller, run: &Record) -> ApiResult<bool> {
    if caller.has(Role::Admin)
        || run
            .str("_createdby_value")
            .is_some_and(|c| c.eq_ignore_ascii_case(&caller.user_id))
    {
        return Ok(true);
    }
    let stage = records::get(
        conn,
        HOST_SCOPE,
        "deploymentstages",
        run.str("_deploymentstageid_value").unwrap_or_default(),
    )?;
    Ok(stage.is_some_and(|s| is_delegate(caller, &s)))
}

/// A privilege error unless `caller` may update `run`.
pub fn require_run_update(conn: &Connection, caller: &Caller, run: &Record) -> ApiResult<()> {
    if can_update_run(conn, caller, run)? {
        Ok(())
    } else {
        Err(denied(
            caller,
            "prvWritedeploymentstagerun",
            "deploymentstagerun",
        ))
    }
}
