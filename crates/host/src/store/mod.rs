//! SQLite persistence (WAL): one database file in the host's data directory.
//!
//! Rows of every served table live in `records` as JSON keyed by scope (the host,
//! or an environment name), entity set and id; the stage-run state machine's
//! pending steps live in `jobs`, artifact bytes in `files`. Each state change is
//! one transaction, so a killed host never leaves a half-applied step.

pub mod environments;
pub mod files;
pub mod jobs;
pub mod records;
pub mod shares;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use anyhow::Context as _;
use rusqlite::{Connection, Transaction};

use crate::clock::{self, Clock};

/// The schema version this binary writes. A database with a newer one is refused.
const SCHEMA_VERSION: i64 = 2;

const MIGRATION_1: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE records (
    scope TEXT NOT NULL, entity TEXT NOT NULL, id TEXT NOT NULL,
    version INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (scope, entity, id)
);
CREATE TABLE links (
    scope TEXT NOT NULL, rel TEXT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL,
    PRIMARY KEY (scope, rel, a, b)
);
CREATE INDEX links_b ON links (scope, rel, b);
CREATE TABLE files (
    artifact TEXT NOT NULL, col TEXT NOT NULL, name TEXT NOT NULL,
    sha256 TEXT NOT NULL, bytes BLOB NOT NULL,
    PRIMARY KEY (artifact, col)
);
CREATE TABLE jobs (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, step TEXT NOT NULL, due_ms INTEGER
);
CREATE INDEX jobs_due ON jobs (due_ms);
CREATE TABLE environments (
    name TEXT PRIMARY KEY, seq INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE TABLE connections (
    env TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (env, id)
);
INSERT INTO meta (key, value) VALUES ('rowversion', '1000');
";

/// Business events (an outbox written in the transaction of the run transition that
/// causes them), webhook subscriptions, deliveries and every delivery attempt.
const MIGRATION_2: &str = "
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE, run TEXT NOT NULL, run_seq INTEGER NOT NULL,
    name TEXT NOT NULL, at_ms INTEGER NOT NULL,
    input TEXT NOT NULL, output TEXT NOT NULL, user_id TEXT NOT NULL,
    UNIQUE (run, run_seq)
);
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY, seq INTEGER NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL,
    secret TEXT NOT NULL, headers TEXT NOT NULL, created_ms INTEGER NOT NULL
);
CREATE TABLE deliveries (
    id TEXT PRIMARY KEY, webhook TEXT NOT NULL, event_seq INTEGER NOT NULL,
    run TEXT NOT NULL, run_seq INTEGER NOT NULL, state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, due_ms INTEGER NOT NULL, body TEXT NOT NULL,
    UNIQUE (webhook, event_seq)
);
CREATE INDEX deliveries_pending ON deliveries (state, due_ms);
CREATE TABLE delivery_attempts (
    delivery TEXT NOT NULL, n INTEGER NOT NULL, at_ms INTEGER NOT NULL,
    status INTEGER, error TEXT, duration_ms INTEGER NOT NULL,
    PRIMARY KEY (delivery, n)
);
";

/// The host database, and the clock its transactions read.
pub struct Store {
    conn: Mutex<Connection>,
    clock: Clock,
    /// Counts committed transactions, so a waiter wakes on a change instead of polling.
    commits: tokio::sync::watch::Sender<u64>,
}

impl Store {
    /// Opens (creating if needed) `host.db` in `dir`, in WAL mode, migrated, on the system clock.
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        Self::open_with_clock(dir, Clock::system())
    }

    /// [`Store::open`] with the clock its transactions read.
    pub fn open_with_clock(dir: &Path, clock: Clock) -> anyhow::Result<Self> {
        // The host's data (tokens' hashes, webhook secrets) is this user's alone: the
        // folder it creates is 0700, `host.db` 0600 before SQLite opens it, so the `-wal`
        // and `-shm` files SQLite makes with the database's mode are too (Unix).
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
        let path = dir.join("host.db");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&path)
            .with_context(|| format!("cannot open the host database {}", path.display()))?;
        #[cfg(unix)]
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        let conn = Connection::open(&path)
            .with_context(|| format!("cannot open the host database {}", path.display()))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            clock,
            commits: tokio::sync::watch::channel(0).0,
        })
    }

    /// The host's clock.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` in one transaction; commits when it returns `Ok`. The transaction reads one
    /// "now" from the host's clock ([`crate::clock::now_ms`]).
    pub fn tx<T, E: From<rusqlite::Error>>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let conn = self.lock();
        // Read after the lock: transactions' times follow their commit order.
        let at_ms = self.clock.now_ms();
        self.tx_locked(conn, at_ms, f)
    }

    /// [`Store::tx`] as of `at_ms`: a late step executed at the time it was due.
    pub fn tx_at<T, E: From<rusqlite::Error>>(
        &self,
        at_ms: i64,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        self.tx_locked(self.lock(), at_ms, f)
    }

    /// A receiver that sees a new value after every committed transaction that changed a row.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.commits.subscribe()
    }

    fn tx_locked<T, E: From<rusqlite::Error>>(
        &self,
        mut conn: MutexGuard<'_, Connection>,
        at_ms: i64,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let before = conn.total_changes();
        let value = {
            let _now = clock::pin(at_ms);
            let tx = conn.transaction()?;
            let value = f(&tx)?;
            tx.commit()?;
            value
        };
        let changed = conn.total_changes() != before;
        drop(conn);
        if changed {
            self.commits.send_modify(|n| *n = n.wrapping_add(1));
        }
        Ok(value)
    }

    /// A value from the `meta` table.
    pub fn meta(&self, key: &str) -> rusqlite::Result<Option<String>> {
        meta_get(&self.lock(), key)
    }
}

pub fn meta_get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    use rusqlite::OptionalExtension as _;
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
}

pub fn meta_set(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = ?2",
        [key, value],
    )?;
    Ok(())
}

fn migrate(conn: &Connection) -> anyhow::Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        anyhow::bail!(
            "the host database was written by a newer Ferry (schema {version}, this build knows \
             {SCHEMA_VERSION}); upgrade Ferry or use another --data-dir"
        );
    }
    if version < 1 {
        conn.execute_batch(&format!(
            "BEGIN; {MIGRATION_1} PRAGMA user_version = 1; COMMIT;"
        ))?;
    }
    if version < 2 {
        conn.execute_batch(&format!(
            "BEGIN; {MIGRATION_2} PRAGMA user_version = 2; COMMIT;"
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_twice_and_refuses_a_newer_schema() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.meta("rowversion").unwrap().as_deref(), Some("1000"));
        drop(store);
        let conn = Connection::open(dir.path().join("host.db")).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        drop(conn);
        let err = Store::open(dir.path()).err().unwrap().to_string();
        assert!(err.contains("newer Ferry"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn the_host_data_is_this_user_s_alone() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("host-data");
        let store = Store::open(&data).unwrap();
        assert_eq!(mode(&data), 0o700);
        for file in ["host.db", "host.db-wal", "host.db-shm"] {
            let file = data.join(file);
            if file.exists() {
                assert_eq!(mode(&file), 0o600, "{}", file.display());
            }
        }
        drop(store);
    }
}
