//! Timeline entries a run passed while no Ferry process watched it, learnt afterwards (from
//! the host's log of the run, `deploymentstagerunstatuses`) and added once, in time order,
//! before the state Ferry reads next is appended.

use rusqlite::{params, OptionalExtension};

use crate::error::Result;
use crate::runs::normalize_id;
use crate::timeline::TimelineEntry;
use crate::{timefmt, Cache};

impl Cache {
    /// Appends those of `entries` (oldest first; `seq` is ignored) that happened after the
    /// run's newest timeline entry, and returns how many. A run the cache does not hold, or
    /// entries it already has, add nothing: backfilling twice is harmless.
    pub fn backfill_timeline(
        &mut self,
        profile_id: &str,
        run_id: &str,
        entries: &[TimelineEntry],
    ) -> Result<usize> {
        let tx = self.write_tx()?;
        let Some(key): Option<i64> = tx
            .query_row(
                "SELECT key FROM runs WHERE profile_id = ?1 AND id = ?2",
                params![profile_id, normalize_id(run_id)],
                |r| r.get(0),
            )
            .optional()?
        else {
            return Ok(0);
        };
        let newest: Option<String> = tx.query_row(
            "SELECT max(at) FROM run_timeline WHERE run_key = ?1",
            [key],
            |r| r.get(0),
        )?;
        let mut last = match newest {
            Some(t) => Some(timefmt::from_text(&t)?),
            None => None,
        };
        let mut added = 0;
        for e in entries {
            if last.is_some_and(|l| e.at <= l) {
                continue;
            }
            tx.prepare_cached(
                "INSERT INTO run_timeline (run_key, at, observed_at, stage_run_status,
                    stage_run_status_label, operation, sub_operation, sub_operation_label,
                    operation_status, approval_status, pre_deployment_step_status,
                    pre_export_step_status, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?
            .execute(params![
                key,
                timefmt::to_text(e.at),
                timefmt::to_text(e.observed_at),
                e.stage_run_status,
                e.stage_run_status_label,
                e.operation,
                e.sub_operation,
                e.sub_operation_label,
                e.operation_status,
                e.approval_status,
                e.pre_deployment_step_status,
                e.pre_export_step_status,
                e.detail
            ])?;
            last = Some(e.at);
            added += 1;
        }
        tx.commit()?;
        Ok(added)
    }
}

#[cfg(test)]
mod tests {
    use crate::codes::stage_run_status as s;
    use crate::runs::tests::run;
    use crate::testutil::cache;
    use crate::TimelineEntry;
    use time::macros::datetime;
    use time::OffsetDateTime;

    fn entry(at: OffsetDateTime, status: i32, step: &str) -> TimelineEntry {
        TimelineEntry {
            seq: 0,
            at,
            observed_at: at,
            stage_run_status: status,
            stage_run_status_label: None,
            operation: None,
            sub_operation: None,
            sub_operation_label: Some(step.into()),
            operation_status: None,
            approval_status: None,
            pre_deployment_step_status: None,
            pre_export_step_status: None,
            detail: None,
        }
    }

    #[test]
    fn missed_steps_are_added_once_after_the_newest_entry() {
        let mut c = cache();
        let mut r = run("r1", s::VALIDATING);
        r.modified_on = Some(datetime!(2026-03-01 10:00 UTC));
        c.upsert_run("p", &r).unwrap();
        let missed = [
            entry(datetime!(2026-03-01 09:59 UTC), s::VALIDATING, "older"),
            entry(datetime!(2026-03-01 10:01 UTC), s::DEPLOYING, "Importing"),
            entry(datetime!(2026-03-01 10:02 UTC), s::DEPLOYING, "Publishing"),
        ];
        assert_eq!(c.backfill_timeline("p", "r1", &missed).unwrap(), 2);
        assert_eq!(c.backfill_timeline("p", "r1", &missed).unwrap(), 0);
        assert_eq!(c.backfill_timeline("p", "nope", &missed).unwrap(), 0);
        let steps: Vec<_> = c
            .timeline("p", "r1")
            .unwrap()
            .into_iter()
            .map(|e| e.sub_operation_label)
            .collect();
        assert_eq!(
            steps,
            [None, Some("Importing".into()), Some("Publishing".into())]
        );
    }
}
