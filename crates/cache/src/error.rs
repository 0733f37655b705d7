//! The cache's error type. Every message says what happened and what to do about it.

use std::path::PathBuf;

/// Everything that can go wrong while opening or using the cache.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The file was written by a newer Ferry whose schema this build does not know.
    #[error(
        "the local cache at {path} was written by a newer version of Ferry (schema {found}, this \
         build knows up to {supported}); update Ferry to open it (the file was left untouched)"
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// The schema version found in the file.
        found: i64,
        /// The newest schema version this build can read and write.
        supported: i64,
    },

    /// The file is an SQLite database, but not one Ferry created.
    #[error(
        "{path} is an SQLite database that Ferry did not create (application id {found:#x}); \
         point Ferry at another data directory or move that file away"
    )]
    ForeignDatabase {
        /// The database file.
        path: PathBuf,
        /// The application id found in the file header.
        found: i64,
    },

    /// The file could not be opened as a database at all (corrupt, not SQLite, no access).
    #[error(
        "cannot open the local cache at {path}: {source}; check the file's permissions, or move \
         it away to start with an empty cache (history will be synced again from the host)"
    )]
    Open {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },

    /// The directory that should hold the cache could not be created.
    #[error(
        "cannot create the data directory {path}: {source}; check its permissions or choose \
         another data directory"
    )]
    Directory {
        /// The directory.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },

    /// A migration failed; the transaction was rolled back and the file is at the previous version.
    #[error(
        "upgrading the local cache to schema {version} ({name}) failed: {source}; the file was \
         left at the previous schema; report this as a Ferry bug"
    )]
    Migration {
        /// The migration that failed.
        version: i64,
        /// Its name.
        name: &'static str,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },

    /// A write referred to a profile the cache does not hold.
    #[error(
        "no profile named {0:?} in the local cache; add the profile first (`ferry profile add`)"
    )]
    UnknownProfile(String),

    /// A lookup by id found nothing.
    #[error("no {kind} with id {id:?} in the local cache; sync from the host first")]
    NotFound {
        /// What was looked for ("stage run", "profile", …).
        kind: &'static str,
        /// The id that was looked up.
        id: String,
    },

    /// The caller passed a value the cache refuses to store.
    #[error("invalid value for {field}: {reason}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// Why it was refused.
        reason: String,
    },

    /// A stored value could not be decoded (the file was edited by hand or is damaged).
    #[error(
        "the local cache holds an unreadable {what}: {reason}; move the cache file away to start \
         over (history will be synced again from the host)"
    )]
    Corrupt {
        /// What was being decoded.
        what: &'static str,
        /// The decoder's message.
        reason: String,
    },

    /// Any other SQLite failure (disk full, database locked for longer than the busy timeout, …).
    #[error(
        "local cache error: {0}; if another Ferry is busy with the same data directory, wait and \
         retry"
    )]
    Sqlite(#[from] rusqlite::Error),
}

/// The cache's result type.
pub type Result<T, E = CacheError> = std::result::Result<T, E>;
