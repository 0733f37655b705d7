//! The host database's embedded, numbered schema migrations (the scheme of `ferry-cache`),
//! each applied in its own transaction.
//!
//! The schema version lives in SQLite's `user_version` and is written in the migration's
//! transaction, so a crash leaves the file at the previous version, never half-way;
//! `schema_migrations` records when each step ran. A file of a newer version is refused before
//! anything is written to it: a newer Ferry wrote it. Data dirs made before this scheme are at
//! version 2 with no `application_id`; they upgrade like any other.

use std::path::Path;

use rusqlite::{params, Connection, TransactionBehavior};

/// `PRAGMA application_id` of a Ferry host database ("FRYH").
pub const APPLICATION_ID: i64 = 0x4652_5948;

/// One schema step.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Its number; the schema version once applied. Numbers start at 1 and have no gaps.
    pub version: i64,
    /// A short name for logs and errors.
    pub name: &'static str,
    /// The SQL, run as one batch inside the transaction.
    pub sql: &'static str,
}

/// Every migration, in order.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("migrations/0001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "events",
        sql: include_str!("migrations/0002_events.sql"),
    },
    Migration {
        version: 3,
        name: "identity",
        sql: include_str!("migrations/0003_identity.sql"),
    },
    Migration {
        version: 4,
        name: "lookup indexes",
        sql: include_str!("migrations/0004_lookup_indexes.sql"),
    },
];

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

/// Refuses a newer or foreign file without writing to it; call before anything else touches it.
pub fn check(conn: &Connection, path: &Path) -> Result<(), MigrationError> {
    check_with(conn, path, LATEST)
}

fn check_with(conn: &Connection, path: &Path, latest: i64) -> Result<(), MigrationError> {
    // Both header fields in one statement: one read, never half of another process's write.
    let (app, version): (i64, i64) = conn.query_row(
        "SELECT (SELECT application_id FROM pragma_application_id()),
                (SELECT user_version FROM pragma_user_version())",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let path = path.display().to_string();
    // Files from before the application id was stamped (schema 1 or 2) carry none.
    if app != APPLICATION_ID && !(app == 0 && version <= 2) {
        return Err(MigrationError::Foreign { path, found: app });
    }
    if version > latest {
        return Err(MigrationError::Newer {
            path,
            found: version,
            supported: latest,
        });
    }
    Ok(())
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
    let latest = migrations.last().map_or(0, |m| m.version);
    check_with(conn, path, latest)?;
    let mut applied = Vec::new();
    for m in migrations {
        // Re-read inside a write transaction: another process may have migrated meanwhile.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current >= m.version {
            continue;
        }
        if current != m.version - 1 {
            return Err(MigrationError::Gap {
                path: path.display().to_string(),
                found: current,
                version: m.version,
            });
        }
        let fail = |source| MigrationError::Failed {
            version: m.version,
            name: m.name,
            source,
        };
        tx.execute_batch(m.sql).map_err(fail)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)",
        )
        .map_err(fail)?;
        tx.execute(
            "INSERT OR REPLACE INTO schema_migrations (version, name, applied_ms) VALUES (?1, ?2, ?3)",
            params![m.version, m.name, crate::clock::now_ms()],
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

/// The schema version recorded in the file (0 for an empty database).
pub fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_numbers_start_at_one_without_gaps() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "migration {}", m.name);
        }
    }

    #[test]
    fn an_empty_database_is_brought_to_latest_and_stamped() {
        let mut c = Connection::open_in_memory().unwrap();
        let applied = migrate(&mut c, Path::new(":memory:")).unwrap();
        assert_eq!(applied, (1..=LATEST).collect::<Vec<_>>());
        assert_eq!(schema_version(&c).unwrap(), LATEST);
        let app: i64 = c
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .unwrap();
        assert_eq!(app, APPLICATION_ID);
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
            },
        ];
        let mut c = Connection::open_in_memory().unwrap();
        let err = migrate_with(&mut c, Path::new(":memory:"), &steps).unwrap_err();
        assert!(
            matches!(err, MigrationError::Failed { version: 2, .. }),
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
        assert_eq!(half, 0);
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
    }
}
