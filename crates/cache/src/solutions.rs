//! `solutions`: snapshot of a dev environment's unmanaged solutions.

use rusqlite::params;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::Result;
use crate::{timefmt, Cache};

/// One solution as last listed from a dev environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Solution {
    /// `solutionid` in the dev environment.
    pub solution_id: String,
    /// `uniquename` (the run's `artifactname`).
    pub unique_name: String,
    /// `friendlyname`.
    pub friendly_name: String,
    /// `version` in dev.
    pub version: String,
    /// `ismanaged`.
    pub is_managed: bool,
    /// The publisher's unique name.
    pub publisher_unique_name: Option<String>,
    /// `modifiedon` in dev.
    #[serde(with = "time::serde::rfc3339::option")]
    pub modified_on: Option<OffsetDateTime>,
}

impl Cache {
    /// Replaces the snapshot of the solutions of dev environment `environment_id` (BAP id).
    pub fn replace_solutions(
        &mut self,
        profile_id: &str,
        environment_id: &str,
        solutions: &[Solution],
    ) -> Result<()> {
        let tx = self.write_tx()?;
        Cache::require_profile(&tx, profile_id)?;
        tx.execute(
            "DELETE FROM solutions WHERE profile_id = ?1 AND environment_id = ?2",
            [profile_id, environment_id],
        )?;
        let now = timefmt::to_text(timefmt::now());
        {
            let mut st = tx.prepare(
                "INSERT INTO solutions (profile_id, environment_id, solution_id, unique_name,
                    friendly_name, version, is_managed, publisher_unique_name, modified_on,
                    synced_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for s in solutions {
                st.execute(params![
                    profile_id,
                    environment_id,
                    s.solution_id,
                    s.unique_name,
                    s.friendly_name,
                    s.version,
                    s.is_managed,
                    s.publisher_unique_name,
                    timefmt::opt_to_text(s.modified_on),
                    now
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The snapshot of a dev environment's solutions, by unique name.
    pub fn solutions(&self, profile_id: &str, environment_id: &str) -> Result<Vec<Solution>> {
        let mut st = self.conn.prepare(
            "SELECT solution_id, unique_name, friendly_name, version, is_managed,
                    publisher_unique_name, modified_on
             FROM solutions WHERE profile_id = ?1 AND environment_id = ?2
             ORDER BY unique_name COLLATE NOCASE",
        )?;
        let rows = st.query_map([profile_id, environment_id], |r| {
            Ok((
                Solution {
                    solution_id: r.get(0)?,
                    unique_name: r.get(1)?,
                    friendly_name: r.get(2)?,
                    version: r.get(3)?,
                    is_managed: r.get(4)?,
                    publisher_unique_name: r.get(5)?,
                    modified_on: None,
                },
                r.get::<_, Option<String>>(6)?,
            ))
        })?;
        rows.map(|row| {
            let (mut s, modified) = row?;
            s.modified_on = timefmt::opt_from_text(modified)?;
            Ok(s)
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::cache;
    use crate::*;
    use time::macros::datetime;

    #[test]
    fn snapshot_round_trips_per_environment() {
        let mut c = cache();
        let core = Solution {
            solution_id: "s1".into(),
            unique_name: "contoso_Core".into(),
            friendly_name: "Contoso Core".into(),
            version: "1.0.0.2".into(),
            is_managed: false,
            publisher_unique_name: Some("contoso".into()),
            modified_on: Some(datetime!(2026-03-01 08:00 UTC)),
        };
        let app = Solution {
            solution_id: "s2".into(),
            unique_name: "Apps".into(),
            modified_on: None,
            publisher_unique_name: None,
            ..core.clone()
        };
        c.replace_solutions("p", "dev-a", &[core.clone(), app.clone()])
            .unwrap();
        c.replace_solutions("p", "dev-b", std::slice::from_ref(&app))
            .unwrap();
        assert_eq!(c.solutions("p", "dev-a").unwrap(), vec![app.clone(), core]);
        c.replace_solutions("p", "dev-a", &[]).unwrap();
        assert!(c.solutions("p", "dev-a").unwrap().is_empty());
        assert_eq!(c.solutions("p", "dev-b").unwrap(), vec![app]);
    }
}
