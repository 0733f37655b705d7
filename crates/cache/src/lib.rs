//! Ferry's local cache: one SQLite file per user that holds everything Ferry needs offline.
//!
//! It keeps the profiles, snapshots of the host's environments, the dev environment's solutions
//! and the pipelines with their stages, every stage run Ferry created or synced (all the columns of
//! the host's `deploymentstagerun`, the validation results, the deployment settings that were used
//! with Secret values redacted, and the artifact's hash), a timeline of each run's transitions, the
//! **stage profiles** (values last used per solution × stage), incremental-sync bookmarks and a
//! full-text index over the runs. Host option-set values (statuses, operations, gates) are kept as
//! the host's integer codes next to the host's formatted label; [`codes`] names the known ones.
//!
//! [`Cache::open`] applies the embedded, numbered migrations (each in a transaction), refuses a
//! file written by a newer schema (the error says to update Ferry), and turns on WAL, a busy
//! timeout and a 16 MiB page cache, so the app and the CLI can share one file (readers never
//! wait for a writer) and a search's doclists stay read between keystrokes. A
//! [`Cache`] is one connection (`Send`, not `Sync`); give each thread its own, or wrap it in a
//! mutex. Secret environment-variable values never reach the file: every write path that carries
//! settings goes through [`redact`]. The crate knows nothing of Tauri or HTTP.
//!
//! ```
//! use ferry_cache::codes::stage_run_status;
//! use ferry_cache::{Cache, HistoryQuery, Profile, ProfileKind, StageRun};
//!
//! let mut cache = Cache::open_in_memory()?;
//! cache.save_profile(&Profile {
//!     id: "sandbox".into(),
//!     display_name: "Local sandbox".into(),
//!     kind: ProfileKind::LocalSandbox,
//!     authority: "http://127.0.0.1:8080/identity".into(),
//!     tenant: None,
//!     client_id: "ferry".into(),
//!     host_url: "http://127.0.0.1:8080".into(),
//!     dev_environment_id: None,
//!     dev_environment_url: None,
//!     details: "{}".into(),
//! })?;
//! // The run is in the cache before the first request for it leaves…
//! let mut run = StageRun {
//!     id: "0f8fad5b-d9cb-469f-a165-70867728950e".into(),
//!     stage_id: "stage-test".into(),
//!     artifact_name: "contoso_Core".into(),
//!     stage_run_status: stage_run_status::NOT_STARTED,
//!     ..StageRun::default()
//! };
//! cache.upsert_run("sandbox", &run)?;
//! // …and every poll is upserted: only a change of state adds to the timeline.
//! run.stage_run_status = stage_run_status::VALIDATING;
//! assert!(cache.upsert_run("sandbox", &run)?.transition.is_some());
//! assert!(cache.upsert_run("sandbox", &run)?.transition.is_none());
//! assert_eq!(cache.timeline("sandbox", &run.id)?.len(), 2);
//! assert_eq!(cache.unfinished_runs("sandbox")?.len(), 1);
//!
//! let page = cache.history(&HistoryQuery { text: Some("contoso".into()), ..Default::default() })?;
//! assert_eq!(page.runs[0].run.artifact_name, "contoso_Core");
//! # Ok::<(), ferry_cache::CacheError>(())
//! ```

mod backfill;
mod bookmarks;
pub mod codes;
mod environments;
mod error;
mod index;
pub mod migrations;
mod phases;
mod pipelines;
pub mod private;
mod profiles;
pub mod redact;
mod runs;
mod search;
mod search_text;
mod solutions;
mod stage_profiles;
mod timefmt;
mod timeline;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

pub use bookmarks::RUNS_MODIFIED_ON;
pub use environments::Environment;
pub use error::{CacheError, Result};
pub use phases::PhaseBounds;
pub use pipelines::{Pipeline, Stage};
pub use profiles::{Profile, ProfileKind};
pub use runs::{decode_validation_results, CachedRun, StageRun, UpsertOutcome};
pub use search::{HistoryPage, HistoryQuery, HistoryTotal, LatestRunsQuery};
pub use search_text::fts_query;
pub use solutions::Solution;
pub use stage_profiles::{StageConnection, StageProfile, StageVariable, VariableKind};
pub use timeline::TimelineEntry;

/// The page cache of a connection, in KiB (an upper bound: pages are kept as they are read).
pub const CACHE_KIB: i64 = 16 * 1024;

/// How long a statement waits for another connection's write lock before it gives up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open cache: one SQLite connection, migrated to the current schema.
#[derive(Debug)]
pub struct Cache {
    conn: Connection,
    path: PathBuf,
}

impl Cache {
    /// Opens (creating if needed) the cache file at `path` and its parent directories, migrates it
    /// to the current schema, and sets WAL mode, a busy timeout and foreign keys.
    ///
    /// Refuses, without changing the file, a database written by a newer Ferry
    /// ([`CacheError::NewerSchema`]) or one Ferry did not create ([`CacheError::ForeignDatabase`]).
    pub fn open(path: impl AsRef<Path>) -> Result<Cache> {
        let path = path.as_ref().to_path_buf();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            private::create_dir(parent).map_err(|source| CacheError::Directory {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        private::own_file(&path).map_err(|source| CacheError::Directory {
            path: path.clone(),
            source,
        })?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(&path, flags).map_err(|source| CacheError::Open {
                path: path.clone(),
                source,
            })?;
        Self::setup(conn, path)
    }

    /// An empty cache in memory (tests, and a fallback when the data directory is unusable).
    pub fn open_in_memory() -> Result<Cache> {
        let conn = Connection::open_in_memory()?;
        Self::setup(conn, PathBuf::from(":memory:"))
    }

    fn setup(mut conn: Connection, path: PathBuf) -> Result<Cache> {
        let open_err = |source| CacheError::Open {
            path: path.clone(),
            source,
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        // Reading the header is the first access: a non-database file fails here.
        migrations::check_header(&conn, &path, migrations::LATEST).map_err(|e| match e {
            CacheError::Sqlite(source) => open_err(source),
            other => other,
        })?;
        // journal_mode answers with a row; in memory it stays "memory". Switching a new file to
        // WAL needs a lock SQLite does not wait for (no busy handler), and another process may be
        // opening the same new file at this moment: retry within the busy timeout.
        let started = std::time::Instant::now();
        let _mode: String = loop {
            match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)) {
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::DatabaseBusy
                        && started.elapsed() < BUSY_TIMEOUT =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                other => break other.map_err(open_err)?,
            }
        };
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open_err)?;
        // Room for the doclists a search walks (a word in each of a million runs is ~5 MiB):
        // SQLite's default 2 MiB would read them from the OS again on the next keystroke.
        conn.pragma_update(None, "cache_size", -CACHE_KIB)
            .map_err(open_err)?;
        // Deleted content (an overwritten settings value, say) is zeroed, not left in free pages.
        conn.pragma_update(None, "secure_delete", true)
            .map_err(open_err)?;
        migrations::migrate(&mut conn, &path)?;
        Ok(Cache { conn, path })
    }

    /// The file this cache lives in (`:memory:` for [`Cache::open_in_memory`]).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file (always [`migrations::LATEST`] after a successful open).
    pub fn schema_version(&self) -> Result<i64> {
        migrations::schema_version(&self.conn)
    }

    /// Starts a write transaction that takes the write lock up front, so it waits (up to the busy
    /// timeout) for another writer instead of failing half-way.
    pub(crate) fn write_tx(&mut self) -> Result<rusqlite::Transaction<'_>> {
        Ok(self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?)
    }

    /// SQLite's journal mode for this connection (`wal` for a file).
    pub fn journal_mode(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))?)
    }
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;

    /// An in-memory cache with one profile named `p`.
    pub fn cache() -> Cache {
        let mut c = Cache::open_in_memory().unwrap();
        c.save_profile(&profile("p")).unwrap();
        c
    }

    pub fn profile(id: &str) -> Profile {
        Profile {
            id: id.into(),
            display_name: format!("Profile {id}"),
            kind: ProfileKind::Cloud,
            authority: "https://login.example.invalid/organizations".into(),
            tenant: Some("contoso.example".into()),
            client_id: "51f81489-12ee-4a9e-aaae-a2591f45987d".into(),
            host_url: "https://contoso-host.example.invalid".into(),
            dev_environment_id: Some("0b6e1a5c-0000-4000-8000-000000000001".into()),
            dev_environment_url: Some("https://contoso-dev.example.invalid".into()),
            details: "{}".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_memory_cache_is_migrated_to_latest() {
        let c = Cache::open_in_memory().unwrap();
        assert_eq!(c.schema_version().unwrap(), migrations::LATEST);
        assert_eq!(c.path(), Path::new(":memory:"));
    }

    #[test]
    fn bundled_sqlite_has_fts5() {
        let c = Cache::open_in_memory().unwrap();
        let on: i64 = c
            .conn
            .query_row("SELECT sqlite_compileoption_used('ENABLE_FTS5')", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(on, 1, "rusqlite's bundled SQLite must be built with FTS5");
        c.conn
            .execute_batch("CREATE VIRTUAL TABLE temp.t USING fts5(x)")
            .unwrap();
    }

    #[test]
    fn the_page_cache_holds_a_search_s_doclists() {
        let c = Cache::open_in_memory().unwrap();
        let kib: i64 = c
            .conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kib, -CACHE_KIB);
    }

    #[test]
    fn foreign_keys_are_enforced() {
        let c = Cache::open_in_memory().unwrap();
        let fk: i64 = c
            .conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }
}
