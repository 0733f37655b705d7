//! Embedded, numbered schema migrations, each applied in its own transaction.
//!
//! The schema version lives in SQLite's `user_version` header field and is written in the same
//! transaction as the migration, so a crash leaves the file at the previous version, never
//! half-way. `schema_migrations` keeps a human-readable record of when each step ran. A file whose
//! version is newer than [`LATEST`] is refused untouched: it was written by a newer Ferry.

use std::path::Path;

use rusqlite::{params, Connection, Transaction, TransactionBehavior};

use crate::error::{CacheError, Result};
use crate::timefmt;

/// `PRAGMA application_id` of a Ferry cache ("FERY").
pub const APPLICATION_ID: i64 = 0x4645_5259;

/// One schema step.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Its number; the schema version once it is applied. Numbers start at 1 and have no gaps.
    pub version: i64,
    /// A short name for logs and errors.
    pub name: &'static str,
    /// The SQL, run as one batch inside the transaction.
    pub sql: &'static str,
    /// Work SQL cannot do (rebuilding the full-text index), run after the SQL in the same
    /// transaction.
    pub then: Option<fn(&Transaction<'_>) -> Result<()>>,
}

/// Every migration, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("migrations/0001_initial.sql"),
        then: None,
    },
    Migration {
        version: 2,
        name: "phase durations",
        sql: include_str!("migrations/0002_phase_durations.sql"),
        then: None,
    },
    Migration {
        version: 3,
        name: "profile details",
        sql: include_str!("migrations/0003_profile_details.sql"),
        then: None,
    },
    Migration {
        version: 4,
        name: "unconfirmed runs",
        sql: include_str!("migrations/0004_unconfirmed_runs.sql"),
        then: None,
    },
    Migration {
        version: 5,
        name: "contentless index",
        sql: include_str!("migrations/0005_contentless_index.sql"),
        then: Some(crate::index::rebuild),
    },
];

/// The newest schema version this build knows.
pub const LATEST: i64 = MIGRATIONS[MIGRATIONS.len() - 1].version;

/// The schema version recorded in the file (0 for an empty database).
pub fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the database up to [`LATEST`], or refuses a newer or foreign file.
/// Returns the versions that were applied.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<Vec<i64>> {
    migrate_with(conn, path, MIGRATIONS)
}

pub(crate) fn migrate_with(
    conn: &mut Connection,
    path: &Path,
    migrations: &[Migration],
) -> Result<Vec<i64>> {
    let latest = migrations.last().map_or(0, |m| m.version);
    check_header(conn, path, latest)?;
    let mut applied = Vec::new();
    // Up to date: take no write lock, so opening never waits for another process's writes.
    if schema_version(conn)? == latest {
        return Ok(applied);
    }
    for m in migrations {
        // Re-read the version inside a write transaction: another process may have migrated
        // between our check and now.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current > latest {
            return Err(newer(path, current, latest));
        }
        if current >= m.version {
            continue;
        }
        if current != m.version - 1 {
            return Err(CacheError::Corrupt {
                what: "schema version",
                reason: format!("at {current}, cannot apply migration {}", m.version),
            });
        }
        let fail = |source| CacheError::Migration {
            version: m.version,
            name: m.name,
            source,
        };
        tx.execute_batch(m.sql).map_err(fail)?;
        if let Some(then) = m.then {
            then(&tx).map_err(|e| match e {
                CacheError::Sqlite(source) => fail(source),
                other => other,
            })?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            params![m.version, m.name, timefmt::to_text(timefmt::now())],
        )
        .map_err(fail)?;
        tx.pragma_update(None, "user_version", m.version)
            .map_err(fail)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
        applied.push(m.version);
    }
    Ok(applied)
}

pub(crate) fn check_header(conn: &Connection, path: &Path, latest: i64) -> Result<()> {
    // Both header fields in one statement, so one read transaction: another process that is
    // migrating the file writes them together, and must not be seen half-way.
    let (app, version): (i64, i64) = conn.query_row(
        "SELECT (SELECT application_id FROM pragma_application_id()),
                (SELECT user_version FROM pragma_user_version())",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if app != 0 && app != APPLICATION_ID {
        return Err(CacheError::ForeignDatabase {
            path: path.to_path_buf(),
            found: app,
        });
    }
    if app == 0 && version != 0 {
        // Someone else's database that uses user_version.
        return Err(CacheError::ForeignDatabase {
            path: path.to_path_buf(),
            found: app,
        });
    }
    if version > latest {
        return Err(newer(path, version, latest));
    }
    Ok(())
}

fn newer(path: &Path, found: i64, supported: i64) -> CacheError {
    CacheError::NewerSchema {
        path: path.to_path_buf(),
        found,
        supported,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mem() -> Connection {
        Connection::open_in_memory().unwrap()
    }

    #[test]
    fn migration_numbers_start_at_one_without_gaps() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "migration {}", m.name);
        }
    }

    #[test]
    fn empty_database_is_brought_to_latest_and_stamped() {
        let mut c = mem();
        let applied = migrate(&mut c, Path::new(":memory:")).unwrap();
        assert_eq!(applied, (1..=LATEST).collect::<Vec<_>>());
        assert_eq!(schema_version(&c).unwrap(), LATEST);
        let app: i64 = c
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap();
        assert_eq!(app, APPLICATION_ID);
        let n: i64 = c
            .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, LATEST);
        // A second run applies nothing.
        assert!(migrate(&mut c, Path::new(":memory:")).unwrap().is_empty());
    }

    #[test]
    fn a_failing_migration_rolls_back_and_keeps_the_previous_version() {
        let steps = [
            MIGRATIONS[0],
            Migration {
                version: 2,
                name: "broken",
                sql: "CREATE TABLE half_done (x); THIS IS NOT SQL;",
                then: None,
            },
        ];
        let mut c = mem();
        let err = migrate_with(&mut c, Path::new(":memory:"), &steps).unwrap_err();
        assert!(
            matches!(err, CacheError::Migration { version: 2, .. }),
            "{err}"
        );
        assert_eq!(schema_version(&c).unwrap(), 1);
        let half: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            half, 0,
            "the failed step's table must have been rolled back"
        );
    }

    #[test]
    fn newer_schema_is_refused_with_advice() {
        let mut c = mem();
        migrate(&mut c, Path::new("cache.sqlite")).unwrap();
        c.pragma_update(None, "user_version", LATEST + 1).unwrap();
        let err = migrate(&mut c, Path::new("cache.sqlite")).unwrap_err();
        assert!(matches!(err, CacheError::NewerSchema { found, .. } if found == LATEST + 1));
        assert!(err.to_string().contains("update Ferry"), "{err}");
    }

    #[test]
    fn foreign_database_is_refused() {
        let mut c = mem();
        c.pragma_update(None, "application_id", 42).unwrap();
        let err = migrate(&mut c, Path::new("other.db")).unwrap_err();
        assert!(
            matches!(err, CacheError::ForeignDatabase { found: 42, .. }),
            "{err}"
        );
    }
}
