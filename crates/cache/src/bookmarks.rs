//! `sync_bookmarks`: where the last incremental sync stopped, per profile and scope.
//!
//! A bookmark is an opaque text per (profile, scope). [`RUNS_MODIFIED_ON`] is the scope of the
//! run history sync: the newest `modifiedon` seen, so the next sync asks the host only for
//! `modifiedon ge` that time. [`Cache::advance_time_bookmark`] only ever moves a time forward.

use rusqlite::{params, OptionalExtension};
use time::OffsetDateTime;

use crate::error::Result;
use crate::{timefmt, Cache};

/// Scope of the run-history sync bookmark: the newest `modifiedon` of a synced run.
pub const RUNS_MODIFIED_ON: &str = "runs.modifiedon";

impl Cache {
    /// The bookmark of a scope, if set.
    pub fn bookmark(&self, profile_id: &str, scope: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM sync_bookmarks WHERE profile_id = ?1 AND scope = ?2",
                [profile_id, scope],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Sets the bookmark of a scope.
    pub fn set_bookmark(&mut self, profile_id: &str, scope: &str, value: &str) -> Result<()> {
        let tx = self.write_tx()?;
        Cache::require_profile(&tx, profile_id)?;
        tx.execute(
            "INSERT INTO sync_bookmarks (profile_id, scope, value, updated_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (profile_id, scope) DO UPDATE SET
                value = excluded.value, updated_at = excluded.updated_at",
            params![profile_id, scope, value, timefmt::to_text(timefmt::now())],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The time bookmark of a scope, if set.
    pub fn time_bookmark(&self, profile_id: &str, scope: &str) -> Result<Option<OffsetDateTime>> {
        timefmt::opt_from_text(self.bookmark(profile_id, scope)?)
    }

    /// Moves a time bookmark to `seen` if that is later than the stored one; returns the
    /// bookmark after the call. Read and write happen in one write transaction, so two
    /// processes syncing at once can never move it back.
    pub fn advance_time_bookmark(
        &mut self,
        profile_id: &str,
        scope: &str,
        seen: OffsetDateTime,
    ) -> Result<OffsetDateTime> {
        let tx = self.write_tx()?;
        Cache::require_profile(&tx, profile_id)?;
        let stored: Option<String> = tx
            .query_row(
                "SELECT value FROM sync_bookmarks WHERE profile_id = ?1 AND scope = ?2",
                [profile_id, scope],
                |r| r.get(0),
            )
            .optional()?;
        let current = timefmt::opt_from_text(stored)?;
        let result = match current {
            Some(t) if t >= seen => t,
            _ => {
                tx.execute(
                    "INSERT INTO sync_bookmarks (profile_id, scope, value, updated_at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (profile_id, scope) DO UPDATE SET
                        value = excluded.value, updated_at = excluded.updated_at",
                    params![
                        profile_id,
                        scope,
                        timefmt::to_text(seen),
                        timefmt::to_text(timefmt::now())
                    ],
                )?;
                seen
            }
        };
        tx.commit()?;
        Ok(result)
    }

    /// The newest `modifiedon` among a profile's cached runs.
    pub fn newest_run_modified_on(&self, profile_id: &str) -> Result<Option<OffsetDateTime>> {
        let s: Option<String> = self.conn.query_row(
            "SELECT max(modified_on) FROM runs WHERE profile_id = ?1",
            [profile_id],
            |r| r.get(0),
        )?;
        timefmt::opt_from_text(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::stage_run_status as s;
    use crate::runs::tests::run;
    use crate::testutil::cache;
    use crate::CacheError;
    use time::macros::datetime;

    #[test]
    fn bookmarks_round_trip_per_scope() {
        let mut c = cache();
        assert_eq!(c.bookmark("p", "x").unwrap(), None);
        c.set_bookmark("p", "x", "one").unwrap();
        c.set_bookmark("p", "x", "two").unwrap();
        c.set_bookmark("p", "y", "other").unwrap();
        assert_eq!(c.bookmark("p", "x").unwrap().as_deref(), Some("two"));
        assert!(matches!(
            c.set_bookmark("ghost", "x", "v"),
            Err(CacheError::UnknownProfile(_))
        ));
    }

    #[test]
    fn time_bookmark_only_moves_forward() {
        let mut c = cache();
        let t1 = datetime!(2026-03-01 10:00 +01:00);
        let t0 = datetime!(2026-03-01 08:00 UTC);
        assert_eq!(
            c.advance_time_bookmark("p", RUNS_MODIFIED_ON, t1).unwrap(),
            t1
        );
        assert_eq!(
            c.advance_time_bookmark("p", RUNS_MODIFIED_ON, t0).unwrap(),
            t1
        );
        assert_eq!(c.time_bookmark("p", RUNS_MODIFIED_ON).unwrap(), Some(t1));
    }

    #[test]
    fn newest_run_modified_on_reads_the_runs() {
        let mut c = cache();
        assert_eq!(c.newest_run_modified_on("p").unwrap(), None);
        let mut a = run("a", s::SUCCEEDED);
        a.modified_on = Some(datetime!(2026-03-05 10:00 UTC));
        c.upsert_runs("p", &[run("b", s::FAILED), a]).unwrap();
        assert_eq!(
            c.newest_run_modified_on("p").unwrap(),
            Some(datetime!(2026-03-05 10:00 UTC))
        );
    }
}
