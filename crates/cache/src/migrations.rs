//! Embedded, numbered schema migrations (`migrations/NNNN_*.sql`), applied by Ferry's one
//! migration runner (`ferry-sqlite-migrate`, the host's store's too), each in its own
//! transaction.
//!
//! The schema version lives in SQLite's `user_version` header field and is written in the same
//! transaction as the migration, so a crash leaves the file at the previous version, never
//! half-way. `schema_migrations` keeps a human-readable record of when each step ran. A file whose
//! version is newer than [`LATEST`] is refused untouched: it was written by a newer Ferry.

use std::path::Path;

use ferry_sqlite_migrate::{self as runner, Schema};
use rusqlite::{params, Connection, Transaction};

use crate::error::{CacheError, Result};
use crate::timefmt;

/// `PRAGMA application_id` of a Ferry cache ("FERY").
pub const APPLICATION_ID: i64 = 0x4645_5259;

/// One schema step; its `then` does work SQL cannot do (rebuilding the full-text index), after
/// the SQL in the same transaction.
pub type Migration = runner::Migration<CacheError>;

/// Every migration, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration::new(1, "initial", include_str!("migrations/0001_initial.sql")),
    Migration::new(
        2,
        "phase durations",
        include_str!("migrations/0002_phase_durations.sql"),
    ),
    Migration::new(
        3,
        "profile details",
        include_str!("migrations/0003_profile_details.sql"),
    ),
    Migration::new(
        4,
        "unconfirmed runs",
        include_str!("migrations/0004_unconfirmed_runs.sql"),
    ),
    Migration::new(
        5,
        "contentless index",
        include_str!("migrations/0005_contentless_index.sql"),
    )
    .then(crate::index::rebuild),
];
const _: () = runner::numbered(MIGRATIONS);

/// The newest schema version this build knows.
pub const LATEST: i64 = MIGRATIONS[MIGRATIONS.len() - 1].version;

/// The cache's schema: a file without the application id is the cache's only when empty
/// (another program's database may use `user_version` too).
fn schema(migrations: &[Migration]) -> Schema<'_, CacheError> {
    Schema {
        application_id: APPLICATION_ID,
        unstamped_up_to: 0,
        migrations,
        log,
    }
}

/// A step's row in `schema_migrations` (made by the first migration).
fn log(tx: &Transaction<'_>, m: &Migration) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
        params![m.version, m.name, timefmt::to_text(timefmt::now())],
    )?;
    Ok(())
}

/// The runner's refusal as the cache says it: naming the file and what to do.
fn error(path: &Path, e: runner::Error<CacheError>) -> CacheError {
    match e {
        runner::Error::Foreign { found } => CacheError::ForeignDatabase {
            path: path.to_path_buf(),
            found,
        },
        runner::Error::Newer { found, supported } => CacheError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported,
        },
        runner::Error::Gap { found, version } => CacheError::Corrupt {
            what: "schema version",
            reason: format!("at {found}, cannot apply migration {version}"),
        },
        runner::Error::Failed {
            version,
            name,
            source,
        } => CacheError::Migration {
            version,
            name,
            source,
        },
        // The index rebuild's SQLite failure is the migration's; its other errors say theirs.
        runner::Error::Then {
            version,
            name,
            error: CacheError::Sqlite(source),
        } => CacheError::Migration {
            version,
            name,
            source,
        },
        runner::Error::Then { error, .. } => error,
        runner::Error::Sqlite(e) => CacheError::Sqlite(e),
    }
}

/// The schema version recorded in the file (0 for an empty database).
pub fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(runner::schema_version(conn)?)
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
    schema(migrations).migrate(conn).map_err(|e| error(path, e))
}

/// Refuses a foreign file, or one newer than `latest`, without writing to it.
pub(crate) fn check_header(conn: &Connection, path: &Path, latest: i64) -> Result<()> {
    let known = MIGRATIONS
        .iter()
        .take_while(|m| m.version <= latest)
        .count();
    schema(&MIGRATIONS[..known])
        .check(conn)
        .map_err(|e| error(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mem() -> Connection {
        Connection::open_in_memory().unwrap()
    }

    /// The rollback is the runner's (its tests); the cache says which step failed, for a
    /// step's `then` too, unless that failed with an error of its own.
    #[test]
    fn a_failing_migration_is_the_caches_error() {
        fn sqlite_fails(tx: &Transaction<'_>) -> Result<()> {
            Ok(tx.execute_batch("NOT SQL EITHER")?)
        }
        fn decoding_fails(_: &Transaction<'_>) -> Result<()> {
            Err(CacheError::Corrupt {
                what: "run",
                reason: "bad".into(),
            })
        }
        let step = |sql, then| Migration {
            version: 2,
            name: "broken",
            sql,
            then,
        };
        for (broken, sqlite) in [
            (step("THIS IS NOT SQL;", None), true),
            (
                step("", Some(sqlite_fails as fn(&Transaction<'_>) -> Result<()>)),
                true,
            ),
            (step("", Some(decoding_fails)), false),
        ] {
            let mut c = mem();
            let err = migrate_with(&mut c, Path::new(":memory:"), &[MIGRATIONS[0], broken]);
            let err = err.unwrap_err();
            if sqlite {
                assert!(
                    matches!(err, CacheError::Migration { version: 2, .. }),
                    "{err}"
                );
            } else {
                assert!(
                    matches!(err, CacheError::Corrupt { what: "run", .. }),
                    "{err}"
                );
            }
            assert_eq!(schema_version(&c).unwrap(), 1);
        }
    }

    #[test]
    fn newer_schema_is_refused_with_advice() {
        let mut c = mem();
        migrate(&mut c, Path::new("cache.sqlite")).unwrap();
        c.pragma_update(None, "user_version", LATEST + 1).unwrap();
        let err = migrate(&mut c, Path::new("cache.sqlite")).unwrap_err();
        assert!(matches!(err, CacheError::NewerSchema { found, .. } if found == LATEST + 1));
        assert_eq!(
            err.to_string(),
            format!(
                "the local cache at cache.sqlite was written by a newer version of Ferry (schema \
                 {}, this build knows up to {LATEST}); update Ferry to open it (the file was left \
                 untouched)",
                LATEST + 1
            )
        );
        assert_eq!(schema_version(&c).unwrap(), LATEST + 1);
    }

    #[test]
    fn a_cache_of_schema_1_upgrades_to_latest() {
        let mut c = mem();
        migrate_with(&mut c, Path::new(":memory:"), &MIGRATIONS[..1]).unwrap();
        let applied = migrate(&mut c, Path::new(":memory:")).unwrap();
        assert_eq!(applied, (2..=LATEST).collect::<Vec<_>>());
        let logged: i64 = c
            .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(logged, LATEST);
    }

    #[test]
    fn a_database_of_another_program_using_user_version_is_refused() {
        let mut c = mem();
        c.pragma_update(None, "user_version", 3).unwrap();
        let err = migrate(&mut c, Path::new("other.db")).unwrap_err();
        assert!(
            matches!(err, CacheError::ForeignDatabase { found: 0, .. }),
            "{err}"
        );
        assert_eq!(schema_version(&c).unwrap(), 3);
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
        assert_eq!(
            err.to_string(),
            "other.db is an SQLite database that Ferry did not create (application id 0x2a); \
             point Ferry at another data directory or move that file away"
        );
    }
}
