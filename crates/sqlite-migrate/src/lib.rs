//! Ferry's one runner of numbered SQLite schema migrations, shared by the local cache
//! (`ferry-cache`) and the pipelines host's store (`ferry-host`).
//!
//! A database says which program wrote it (`PRAGMA application_id`) and how far its schema
//! got (`PRAGMA user_version`). [`Schema::check`] refuses a foreign file, or one of a newer
//! schema, by reading those two header fields and writing nothing; [`Schema::migrate`] then
//! applies each missing migration in a transaction of its own — its SQL, an optional step SQL
//! cannot do, the store's own log row, the new `user_version` and the application id — so a
//! crash leaves the file at the previous version, never half-way. An up-to-date file takes no
//! write lock. Each store keeps its migrations (`migrations/NNNN_*.sql`), its log table and
//! its error messages; this crate says only how they are applied. (`rusqlite_migration`
//! applies all pending steps in one transaction and knows no application id, hence this.)

use rusqlite::{Connection, Transaction, TransactionBehavior};

/// A step's work SQL cannot do, in its transaction; `E` is the store's error.
pub type Then<E> = fn(&Transaction<'_>) -> Result<(), E>;

/// One schema step. `E` is the error of the store's extra step ([`Migration::then`]).
pub struct Migration<E> {
    /// Its number; the schema version once applied. Numbers start at 1 and have no gaps.
    pub version: i64,
    /// A short name for logs and errors.
    pub name: &'static str,
    /// The SQL, run as one batch inside the step's transaction.
    pub sql: &'static str,
    /// Work SQL cannot do (rebuilding an index from stored rows), run after the SQL in the
    /// same transaction.
    pub then: Option<Then<E>>,
}

impl<E> Migration<E> {
    /// A step of SQL only.
    pub const fn new(version: i64, name: &'static str, sql: &'static str) -> Self {
        Self {
            version,
            name,
            sql,
            then: None,
        }
    }

    /// The step with work SQL cannot do, after its SQL.
    pub const fn then(self, then: Then<E>) -> Self {
        Self {
            then: Some(then),
            ..self
        }
    }
}

/// Stops the build (in a `const`) unless the versions are 1, 2, 3… in order: a store writes
/// `const _: () = numbered(MIGRATIONS);` beside its list.
pub const fn numbered<E>(migrations: &[Migration<E>]) {
    let mut i = 0;
    while i < migrations.len() {
        assert!(
            migrations[i].version == i as i64 + 1,
            "migration versions must be 1, 2, 3… in order, without gaps"
        );
        i += 1;
    }
}

// By hand: derived, they would ask `E: Clone` of a type only named in a fn pointer.
impl<E> Clone for Migration<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E> Copy for Migration<E> {}

impl<E> std::fmt::Debug for Migration<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Migration")
            .field("version", &self.version)
            .field("name", &self.name)
            .field("then", &self.then.is_some())
            .finish()
    }
}

/// A store's schema: who writes it, which files from before the application id it still
/// takes, its migrations and how it logs each one.
pub struct Schema<'a, E> {
    /// The store's `PRAGMA application_id`, stamped by every migration.
    pub application_id: i64,
    /// Files without an application id that are still the store's: those whose
    /// `user_version` is at most this (0: only an empty file).
    pub unstamped_up_to: i64,
    /// Every migration, in order.
    pub migrations: &'a [Migration<E>],
    /// Writes the store's log row of a step (its `schema_migrations` table), in the step's
    /// transaction.
    pub log: fn(&Transaction<'_>, &Migration<E>) -> rusqlite::Result<()>,
}

/// Why a database was not (fully) migrated. The stores turn these into their own errors,
/// which name the file and say what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error<E> {
    /// Another program's file: an application id not the store's, or none on a file with a
    /// schema version the store did not write.
    #[error("another program's database (application id {found:#x})")]
    Foreign { found: i64 },
    /// A newer build wrote the file; it was left as it is.
    #[error("a newer schema ({found}; this build knows {supported})")]
    Newer { found: i64, supported: i64 },
    /// The file is at a version from which the next migration cannot be applied.
    #[error("at schema {found}, migration {version} cannot be applied")]
    Gap { found: i64, version: i64 },
    /// A step's SQL (or its log row, or its header update) failed; it was rolled back.
    #[error("migration {version} ({name}) failed: {source}")]
    Failed {
        version: i64,
        name: &'static str,
        source: rusqlite::Error,
    },
    /// A step's [`Migration::then`] failed; it was rolled back.
    #[error("migration {version} ({name}) failed")]
    Then {
        version: i64,
        name: &'static str,
        error: E,
    },
    /// SQLite failed outside a step (reading the header, taking the write lock).
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// The schema version recorded in the file (0 for an empty database).
pub fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

impl<E> Schema<'_, E> {
    /// The newest version these migrations reach.
    pub fn latest(&self) -> i64 {
        self.migrations.last().map_or(0, |m| m.version)
    }

    /// Refuses a foreign or newer file without writing to it; call it before anything else
    /// touches the file (even the journal mode).
    pub fn check(&self, conn: &Connection) -> Result<(), Error<E>> {
        // Both header fields in one statement, so one read transaction: another process
        // that is migrating the file writes them together and is never seen half-way.
        let (app, version): (i64, i64) = conn.query_row(
            "SELECT (SELECT application_id FROM pragma_application_id()),
                    (SELECT user_version FROM pragma_user_version())",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let unstamped = app == 0 && (0..=self.unstamped_up_to).contains(&version);
        if app != self.application_id && !unstamped {
            return Err(Error::Foreign { found: app });
        }
        if version > self.latest() {
            return Err(Error::Newer {
                found: version,
                supported: self.latest(),
            });
        }
        Ok(())
    }

    /// Checks the file, then applies the migrations it lacks; returns their versions.
    pub fn migrate(&self, conn: &mut Connection) -> Result<Vec<i64>, Error<E>> {
        self.check(conn)?;
        let latest = self.latest();
        let mut applied = Vec::new();
        // Up to date: no write lock, so opening never waits for another process's writes.
        if schema_version(conn)? == latest {
            return Ok(applied);
        }
        for m in self.migrations {
            // The version again inside a write transaction: another process may have
            // migrated the file since the check.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let current = schema_version(&tx)?;
            if current > latest {
                return Err(Error::Newer {
                    found: current,
                    supported: latest,
                });
            }
            if current >= m.version {
                continue;
            }
            if current != m.version - 1 {
                return Err(Error::Gap {
                    found: current,
                    version: m.version,
                });
            }
            let fail = |source| Error::Failed {
                version: m.version,
                name: m.name,
                source,
            };
            tx.execute_batch(m.sql).map_err(fail)?;
            if let Some(then) = m.then {
                then(&tx).map_err(|error| Error::Then {
                    version: m.version,
                    name: m.name,
                    error,
                })?;
            }
            (self.log)(&tx, m).map_err(fail)?;
            tx.pragma_update(None, "user_version", m.version)
                .map_err(fail)?;
            tx.pragma_update(None, "application_id", self.application_id)
                .map_err(fail)?;
            tx.commit().map_err(fail)?;
            applied.push(m.version);
        }
        Ok(applied)
    }
}

#[cfg(test)]
mod tests;
