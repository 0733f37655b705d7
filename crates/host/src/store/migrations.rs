//! The host database's embedded, numbered schema migrations (`migrations/NNNN_*.sql`),
//! applied by Ferry's one migration runner (`ferry-sqlite-migrate`, the cache's too), each in
//! its own transaction.
//!
//! The schema version lives in SQLite's `user_version` and is written in the migration's
//! transaction, so a crash leaves the file at the previous version, never half-way;
//! `schema_migrations` records when each step ran. A file of a newer version is refused before
//! anything is written to it: a newer Ferry wrote it. Data dirs made before this scheme are at
//! version 2 with no `application_id`; they upgrade like any other.

use std::convert::Infallible;
use std::path::Path;

use ferry_sqlite_migrate::{self as runner, Schema};
use rusqlite::{params, Connection, Transaction};

/// `PRAGMA application_id` of a Ferry host database ("FRYH").
pub const APPLICATION_ID: i64 = 0x4652_5948;

/// One schema step (the host's are SQL only: no `then`).
pub type Migration = runner::Migration<Infallible>;

/// Every migration, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration::new(1, "initial", include_str!("migrations/0001_initial.sql")),
    Migration::new(2, "events", include_str!("migrations/0002_events.sql")),
    Migration::new(3, "identity", include_str!("migrations/0003_identity.sql")),
    Migration::new(
        4,
        "lookup indexes",
        include_str!("migrations/0004_lookup_indexes.sql"),
    ),
];
const _: () = runner::numbered(MIGRATIONS);

/// The newest schema version this build knows.
pub const LATEST: i64 = MIGRATIONS[MIGRATIONS.len() - 1].version;

/// Why a database cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error(
        "the host database {path} was written by a newer Ferry (schema {found}, this build knows \
         {supported}); upgrade Ferry or use another --data-dir. The file was left as it is."
    )]
    Newer {
        path: String,
        found: i64,
        supported: i64,
    },
    #[error(
        "{path} is not a Ferry host database (application id {found:#x}); pass the --data-dir \
         of a Ferry host, or an empty folder"
    )]
    Foreign { path: String, found: i64 },
    #[error("the host database {path} is at schema {found} and cannot take migration {version}")]
    Gap {
        path: String,
        found: i64,
        version: i64,
    },
    #[error("migration {version} ({name}) of the host database failed: {source}")]
    Failed {
        version: i64,
        name: &'static str,
        source: rusqlite::Error,
    },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// The host's schema: files of schema 1 or 2 from before the application id are the host's.
fn schema(migrations: &[Migration]) -> Schema<'_, Infallible> {
    Schema {
        application_id: APPLICATION_ID,
        unstamped_up_to: 2,
        migrations,
        log,
    }
}

/// A step's row in `schema_migrations` (a table older data dirs lack, hence made here).
fn log(tx: &Transaction<'_>, m: &Migration) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)",
    )?;
    tx.execute(
        "INSERT OR REPLACE INTO schema_migrations (version, name, applied_ms) VALUES (?1, ?2, ?3)",
        params![m.version, m.name, crate::clock::now_ms()],
    )?;
    Ok(())
}

/// The runner's refusal as the host says it: naming the file and what to do.
fn error(path: &Path, e: runner::Error<Infallible>) -> MigrationError {
    let path = path.display().to_string();
    match e {
        runner::Error::Foreign { found } => MigrationError::Foreign { path, found },
        runner::Error::Newer { found, supported } => MigrationError::Newer {
            path,
            found,
            supported,
        },
        runner::Error::Gap { found, version } => MigrationError::Gap {
            path,
            found,
            version,
        },
        runner::Error::Failed {
            version,
            name,
            source,
        } => MigrationError::Failed {
            version,
            name,
            source,
        },
        runner::Error::Then { error, .. } => match error {},
        runner::Error::Sqlite(e) => MigrationError::Sqlite(e),
    }
}

/// Refuses a newer or foreign file without writing to it; call before anything else touches it.
pub fn check(conn: &Connection, path: &Path) -> Result<(), MigrationError> {
    schema(MIGRATIONS).check(conn).map_err(|e| error(path, e))
}

/// Brings the database up to [`LATEST`]; returns the versions applied.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<Vec<i64>, MigrationError> {
    migrate_with(conn, path, MIGRATIONS)
}

fn migrate_with(
    conn: &mut Connection,
    path: &Path,
    migrations: &[Migration],
) -> Result<Vec<i64>, MigrationError> {
    schema(migrations).migrate(conn).map_err(|e| error(path, e))
}

/// The schema version recorded in the file (0 for an empty database).
pub fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    runner::schema_version(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rollback is the runner's (its tests); the host names the failed step and file.
    #[test]
    fn a_failing_migration_is_the_hosts_error() {
        let broken = Migration {
            version: 2,
            name: "broken",
            sql: "THIS IS NOT SQL;",
            then: None,
        };
        let mut c = Connection::open_in_memory().unwrap();
        let err = migrate_with(&mut c, Path::new(":memory:"), &[MIGRATIONS[0], broken]);
        let err = err.unwrap_err().to_string();
        assert!(
            err.starts_with("migration 2 (broken) of the host database failed: "),
            "{err}"
        );
        assert_eq!(schema_version(&c).unwrap(), 1);
    }

    #[test]
    fn a_foreign_database_is_refused() {
        let c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "application_id", 42).unwrap();
        let err = check(&c, Path::new("other.db")).unwrap_err();
        assert!(
            matches!(err, MigrationError::Foreign { found: 42, .. }),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            "other.db is not a Ferry host database (application id 0x2a); pass the --data-dir \
             of a Ferry host, or an empty folder"
        );
    }

    #[test]
    fn a_data_dir_of_schema_2_from_before_the_application_id_upgrades() {
        let mut c = Connection::open_in_memory().unwrap();
        c.execute_batch(MIGRATIONS[0].sql).unwrap();
        c.execute_batch(MIGRATIONS[1].sql).unwrap();
        c.pragma_update(None, "user_version", 2).unwrap();
        check(&c, Path::new("host.db")).unwrap();
        let applied = migrate(&mut c, Path::new("host.db")).unwrap();
        assert_eq!(applied, (3..=LATEST).collect::<Vec<_>>());
        assert_eq!(schema_version(&c).unwrap(), LATEST);
        let (app, logged): (i64, i64) = c
            .query_row(
                "SELECT (SELECT application_id FROM pragma_application_id()),
                        (SELECT count(*) FROM schema_migrations)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((app, logged), (APPLICATION_ID, LATEST - 2));
    }

    #[test]
    fn a_newer_database_is_refused_untouched() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c, Path::new("host.db")).unwrap();
        c.pragma_update(None, "user_version", LATEST + 1).unwrap();
        let err = migrate(&mut c, Path::new("host.db")).unwrap_err();
        assert!(matches!(err, MigrationError::Newer { .. }), "{err}");
        assert_eq!(
            err.to_string(),
            format!(
                "the host database host.db was written by a newer Ferry (schema {}, this build \
                 knows {LATEST}); upgrade Ferry or use another --data-dir. The file was left as \
                 it is.",
                LATEST + 1
            )
        );
        assert_eq!(schema_version(&c).unwrap(), LATEST + 1);
    }
}
