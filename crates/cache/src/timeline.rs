//! `run_timeline`: one row per observed transition of a run.
//!
//! A transition is any change of the run's state: `stagerunstatus`, `operation`, `suboperation`,
//! `operationstatus`, or a gate status (approval, pre-deployment, pre-export). Entries are only
//! ever appended, by [`Cache::upsert_run`](crate::Cache::upsert_run), so the timeline of a run
//! that was watched, interrupted and watched again still has every transition once.

use rusqlite::{params, Row, Transaction};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::codes::stage_run_status;
use crate::error::Result;
use crate::runs::normalize_id;
use crate::{timefmt, Cache};

/// One transition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// Order of appending (increasing across the whole cache).
    pub seq: i64,
    /// When it happened: the host's `modifiedon` of the row that showed it, else when observed.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// When Ferry saw it.
    #[serde(with = "time::serde::rfc3339")]
    pub observed_at: OffsetDateTime,
    /// `stagerunstatus` after the transition.
    pub stage_run_status: i32,
    /// Its label (the host's, else a built-in one).
    pub stage_run_status_label: Option<String>,
    /// `operation`.
    pub operation: Option<i32>,
    /// `suboperation`.
    pub sub_operation: Option<i32>,
    /// Its label.
    pub sub_operation_label: Option<String>,
    /// `operationstatus`.
    pub operation_status: Option<i32>,
    /// `approvalstatus`.
    pub approval_status: Option<i32>,
    /// `predeploymentstepstatus`.
    pub pre_deployment_step_status: Option<i32>,
    /// `preexportstepstatus`.
    pub pre_export_step_status: Option<i32>,
    /// The error message for a failure, else the operation details.
    pub detail: Option<String>,
}

/// The part of a run whose change is a transition, plus what an entry shows about it.
#[derive(Debug, Clone)]
pub(crate) struct RunState {
    status: i32,
    status_label: Option<String>,
    operation: Option<i32>,
    sub_operation: Option<i32>,
    sub_operation_label: Option<String>,
    operation_status: Option<i32>,
    approval_status: Option<i32>,
    pre_deployment_step_status: Option<i32>,
    pre_export_step_status: Option<i32>,
    error_message: Option<String>,
    operation_details: Option<String>,
}

impl PartialEq for RunState {
    /// Equal when no transition happened (labels and texts do not count).
    fn eq(&self, o: &Self) -> bool {
        (
            self.status,
            self.operation,
            self.sub_operation,
            self.operation_status,
            self.approval_status,
            self.pre_deployment_step_status,
            self.pre_export_step_status,
        ) == (
            o.status,
            o.operation,
            o.sub_operation,
            o.operation_status,
            o.approval_status,
            o.pre_deployment_step_status,
            o.pre_export_step_status,
        )
    }
}

impl RunState {
    pub(crate) const COLUMNS: &'static str =
        "stage_run_status, stage_run_status_label, operation, \
        sub_operation, sub_operation_label, operation_status, approval_status, \
        pre_deployment_step_status, pre_export_step_status, error_message, operation_details";

    pub(crate) fn read(r: &Row<'_>, at: usize) -> rusqlite::Result<RunState> {
        Ok(RunState {
            status: r.get(at)?,
            status_label: r.get(at + 1)?,
            operation: r.get(at + 2)?,
            sub_operation: r.get(at + 3)?,
            sub_operation_label: r.get(at + 4)?,
            operation_status: r.get(at + 5)?,
            approval_status: r.get(at + 6)?,
            pre_deployment_step_status: r.get(at + 7)?,
            pre_export_step_status: r.get(at + 8)?,
            error_message: r.get(at + 9)?,
            operation_details: r.get(at + 10)?,
        })
    }
}

/// Appends an entry for `state` to run `key`.
pub(crate) fn append(
    tx: &Transaction<'_>,
    key: i64,
    at: OffsetDateTime,
    observed_at: OffsetDateTime,
    state: &RunState,
) -> Result<TimelineEntry> {
    let label = state
        .status_label
        .clone()
        .or_else(|| stage_run_status::label(state.status).map(str::to_string));
    let detail = if stage_run_status::is_terminal(state.status) && state.error_message.is_some() {
        state.error_message.clone()
    } else {
        state
            .operation_details
            .clone()
            .or_else(|| state.error_message.clone())
    };
    tx.prepare_cached(
        "INSERT INTO run_timeline (run_key, at, observed_at, stage_run_status,
            stage_run_status_label, operation, sub_operation, sub_operation_label,
            operation_status, approval_status, pre_deployment_step_status, pre_export_step_status,
            detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        key,
        timefmt::to_text(at),
        timefmt::to_text(observed_at),
        state.status,
        label,
        state.operation,
        state.sub_operation,
        state.sub_operation_label,
        state.operation_status,
        state.approval_status,
        state.pre_deployment_step_status,
        state.pre_export_step_status,
        detail
    ])?;
    Ok(TimelineEntry {
        seq: tx.last_insert_rowid(),
        // Round-trip through the stored form so the entry equals what a later read returns.
        at: timefmt::from_text(&timefmt::to_text(at))?,
        observed_at: timefmt::from_text(&timefmt::to_text(observed_at))?,
        stage_run_status: state.status,
        stage_run_status_label: label,
        operation: state.operation,
        sub_operation: state.sub_operation,
        sub_operation_label: state.sub_operation_label.clone(),
        operation_status: state.operation_status,
        approval_status: state.approval_status,
        pre_deployment_step_status: state.pre_deployment_step_status,
        pre_export_step_status: state.pre_export_step_status,
        detail,
    })
}

impl Cache {
    /// A run's transitions, oldest first. Empty for an unknown run.
    pub fn timeline(&self, profile_id: &str, run_id: &str) -> Result<Vec<TimelineEntry>> {
        let mut st = self.conn.prepare_cached(
            "SELECT t.seq, t.at, t.observed_at, t.stage_run_status, t.stage_run_status_label,
                    t.operation, t.sub_operation, t.sub_operation_label, t.operation_status,
                    t.approval_status, t.pre_deployment_step_status, t.pre_export_step_status,
                    t.detail
             FROM run_timeline t JOIN runs r ON r.key = t.run_key
             WHERE r.profile_id = ?1 AND r.id = ?2
             ORDER BY t.seq",
        )?;
        let rows = st.query_map(params![profile_id, normalize_id(run_id)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                TimelineEntry {
                    seq: 0,
                    at: OffsetDateTime::UNIX_EPOCH,
                    observed_at: OffsetDateTime::UNIX_EPOCH,
                    stage_run_status: r.get(3)?,
                    stage_run_status_label: r.get(4)?,
                    operation: r.get(5)?,
                    sub_operation: r.get(6)?,
                    sub_operation_label: r.get(7)?,
                    operation_status: r.get(8)?,
                    approval_status: r.get(9)?,
                    pre_deployment_step_status: r.get(10)?,
                    pre_export_step_status: r.get(11)?,
                    detail: r.get(12)?,
                },
            ))
        })?;
        rows.map(|row| {
            let (seq, at, observed, mut e) = row?;
            e.seq = seq;
            e.at = timefmt::from_text(&at)?;
            e.observed_at = timefmt::from_text(&observed)?;
            Ok(e)
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::codes::{gate_status, stage_run_status as s};
    use crate::runs::tests::run;
    use crate::testutil::cache;
    use time::macros::datetime;
    use time::Duration;

    #[test]
    fn only_state_changes_append_entries() {
        let mut c = cache();
        let mut r = run("r1", s::VALIDATING);
        let mut t = datetime!(2026-03-01 10:00 UTC);
        let mut step = |r: &mut crate::StageRun| {
            t += Duration::seconds(5);
            r.modified_on = Some(t);
        };
        assert!(c.upsert_run("p", &r).unwrap().transition.is_some());
        // The same state re-synced (even with a newer modifiedon) is not a transition.
        step(&mut r);
        assert!(c.upsert_run("p", &r).unwrap().transition.is_none());
        assert!(c.upsert_run("p", &r).unwrap().transition.is_none());
        r.stage_run_status = s::VALIDATION_SUCCEEDED;
        step(&mut r);
        let e = c.upsert_run("p", &r).unwrap().transition.unwrap();
        assert_eq!(
            e.stage_run_status_label.as_deref(),
            Some("Validation Succeeded")
        );
        // A gate opening is a transition even though the status stays.
        r.stage_run_status = s::DEPLOYING;
        step(&mut r);
        c.upsert_run("p", &r).unwrap();
        r.approval_status = Some(gate_status::PENDING);
        step(&mut r);
        assert!(c.upsert_run("p", &r).unwrap().transition.is_some());
        r.stage_run_status = s::FAILED;
        r.error_message = Some("rejected".into());
        r.operation_details = Some("approval".into());
        step(&mut r);
        let last = c.upsert_run("p", &r).unwrap().transition.unwrap();
        assert_eq!(last.detail.as_deref(), Some("rejected"));

        let tl = c.timeline("p", "r1").unwrap();
        let statuses: Vec<i32> = tl.iter().map(|e| e.stage_run_status).collect();
        assert_eq!(
            statuses,
            [
                s::VALIDATING,
                s::VALIDATION_SUCCEEDED,
                s::DEPLOYING,
                s::DEPLOYING,
                s::FAILED
            ]
        );
        assert_eq!(tl.last(), Some(&last));
        assert!(tl
            .windows(2)
            .all(|w| w[0].seq < w[1].seq && w[0].at < w[1].at));
        assert_eq!(
            tl[0].at,
            datetime!(2026-03-01 10:00 UTC),
            "at = the host's modifiedon"
        );
        assert!(c.timeline("p", "unknown").unwrap().is_empty());
    }
}
