//! Artifact file columns: immutable bytes with their SHA-256. The bytes live as files in the
//! data dir (`artifacts/<artifact>/<column>`), written once and streamed to clients, so a
//! 100 MB artifact never sits in memory; the `files` table keeps its name and SHA-256.
//! Rows of older data dirs may still hold their bytes inline (`bytes` not empty).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension as _};
use sha2::{Digest, Sha256};

/// One stored file.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub name: String,
    pub sha256: String,
    /// Inline bytes (older data dirs); empty when the file is on disk at `path`.
    pub bytes: Vec<u8>,
    /// Where the bytes are, when on disk.
    pub path: Option<PathBuf>,
    pub size: u64,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The data dir: the folder of the database this connection opened.
pub fn data_dir(conn: &Connection) -> PathBuf {
    conn.path()
        .filter(|p| !p.is_empty())
        .and_then(|p| Path::new(p).parent().map(Path::to_path_buf))
        .unwrap_or_else(std::env::temp_dir)
}

/// Where an artifact's column lives on disk.
pub fn artifact_path(conn: &Connection, artifact: &str, col: &str) -> PathBuf {
    artifact_path_in(&data_dir(conn), artifact, col)
}

/// [`artifact_path`] in the data dir `data_dir`.
pub fn artifact_path_in(data_dir: &Path, artifact: &str, col: &str) -> PathBuf {
    artifact_dir_in(data_dir, artifact).join(col)
}

/// The folder of an artifact's files in the data dir `data_dir`.
pub fn artifact_dir_in(data_dir: &Path, artifact: &str) -> PathBuf {
    data_dir
        .join("artifacts")
        .join(artifact.to_ascii_lowercase())
}

/// SHA-256 and size of a file, read in chunks.
pub fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((hex(&hasher.finalize()), size))
}

fn io_error(e: std::io::Error) -> rusqlite::Error {
    rusqlite::Error::ToSqlConversionFailure(Box::new(e))
}

/// Stores a file once; a second write to the same column is refused (artifacts are immutable).
pub fn put(
    conn: &Connection,
    artifact: &str,
    col: &str,
    name: &str,
    bytes: &[u8],
) -> rusqlite::Result<String> {
    let path = artifact_path(conn, artifact, col);
    write_new(&path, |f| f.write_all(bytes)).map_err(io_error)?;
    let sha = sha256_hex(bytes);
    record(conn, artifact, col, name, &sha)?;
    Ok(sha)
}

/// Creates `path` (and its folder) and lets `fill` write it; a file already there is replaced
/// (a transaction that wrote it was rolled back). Inside a store transaction the file is made
/// durable (fsync) right after the commit, once the database is free again ([`SyncAfterCommit`]):
/// an fsync takes milliseconds, and every request waited for it while the transaction held
/// the database. Elsewhere it is made durable before this returns.
pub fn write_new(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::File::create(path)?;
    fill(&mut file)?;
    let outside = PENDING.with(|p| match p.borrow_mut().as_mut() {
        Some(after) => {
            after.written.push(file);
            None
        }
        None => Some(file),
    });
    match outside {
        Some(file) => file.sync_all(),
        None => Ok(()),
    }
}

/// What a transaction leaves to be done on disk after its commit.
#[derive(Default)]
struct AfterCommit {
    /// Files it wrote, to be synced.
    written: Vec<std::fs::File>,
    /// Artifact folders whose rows it deleted, to be removed: a rolled-back delete keeps them.
    removed: Vec<PathBuf>,
}

thread_local! {
    /// What the transaction running on this thread leaves for after its commit.
    static PENDING: std::cell::RefCell<Option<AfterCommit>> = const { std::cell::RefCell::new(None) };
}

/// Collects the files a transaction writes and the artifact folders it deletes (on this thread)
/// while it lives; [`Self::sync`] makes the files durable and removes the folders after the
/// commit. Dropped without syncing, it forgets them (a rolled-back transaction's files are
/// replaced by its retry, or never named by a row; its deleted folders are still named).
pub struct SyncAfterCommit {
    outer: Option<AfterCommit>,
}

impl SyncAfterCommit {
    pub fn begin() -> Self {
        Self {
            outer: PENDING.with(|p| p.borrow_mut().replace(AfterCommit::default())),
        }
    }

    /// Syncs every file written since [`Self::begin`] and removes the deleted folders.
    pub fn sync(self) -> std::io::Result<()> {
        let after = PENDING.with(|p| p.borrow_mut().take()).unwrap_or_default();
        for dir in &after.removed {
            let _ = std::fs::remove_dir_all(dir);
        }
        after.written.iter().try_for_each(std::fs::File::sync_all)
    }
}

impl Drop for SyncAfterCommit {
    fn drop(&mut self) {
        let outer = self.outer.take();
        PENDING.with(|p| *p.borrow_mut() = outer);
    }
}

/// Records a file already written at [`artifact_path`] whose SHA-256 is `sha`.
pub fn record(
    conn: &Connection,
    artifact: &str,
    col: &str,
    name: &str,
    sha: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO files (artifact, col, name, sha256, bytes) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        artifact.to_ascii_lowercase(),
        col,
        name,
        sha,
        Vec::<u8>::new()
    ])?;
    Ok(())
}

pub fn get(conn: &Connection, artifact: &str, col: &str) -> rusqlite::Result<Option<StoredFile>> {
    let row = conn
        .query_row(
            "SELECT name, sha256, bytes FROM files WHERE artifact = ?1 AND col = ?2",
            params![artifact.to_ascii_lowercase(), col],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                ))
            },
        )
        .optional()?;
    let Some((name, sha256, bytes)) = row else {
        return Ok(None);
    };
    if !bytes.is_empty() {
        let size = bytes.len() as u64;
        return Ok(Some(StoredFile {
            name,
            sha256,
            bytes,
            path: None,
            size,
        }));
    }
    let path = artifact_path(conn, artifact, col);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    Ok(Some(StoredFile {
        name,
        sha256,
        bytes,
        path: Some(path),
        size,
    }))
}

/// Drops the files of a deleted artifact.
pub fn delete_artifact(conn: &Connection, artifact: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM files WHERE artifact = ?1")?
        .execute(params![artifact.to_ascii_lowercase()])?;
    let dir = artifact_dir_in(&data_dir(conn), artifact);
    // Inside a transaction the folder goes once it commits: a rolled-back delete keeps its rows,
    // which name these files.
    let now = PENDING.with(|p| match p.borrow_mut().as_mut() {
        Some(after) => {
            after.removed.push(dir);
            None
        }
        None => Some(dir),
    });
    if let Some(dir) = now {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn pending() -> Option<usize> {
        PENDING.with(|p| p.borrow().as_ref().map(|a| a.written.len()))
    }

    #[test]
    fn files_written_in_a_transaction_wait_for_its_commit_to_be_synced() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .tx(|c| -> rusqlite::Result<()> {
                put(c, "a1", "artifactfile", "a.zip", b"bytes")?;
                // Not synced under the database's lock: kept for after the commit.
                assert_eq!(pending(), Some(1));
                Ok(())
            })
            .unwrap();
        assert_eq!(pending(), None, "the list ends with its transaction");
        let file = store.tx(|c| get(c, "a1", "artifactfile")).unwrap().unwrap();
        assert_eq!(std::fs::read(file.path.unwrap()).unwrap(), b"bytes");
        // A rolled-back transaction forgets its files; outside one a file is synced at once.
        let failed: rusqlite::Result<()> = store.tx(|c| {
            put(c, "a2", "artifactfile", "b.zip", b"more")?;
            Err(rusqlite::Error::InvalidQuery)
        });
        assert!(failed.is_err());
        assert_eq!(pending(), None);
        write_new(&dir.path().join("loose"), |f| f.write_all(b"x")).unwrap();
        assert_eq!(pending(), None);
    }

    #[test]
    fn a_rolled_back_delete_keeps_the_files_its_rows_still_name() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .tx(|c| put(c, "a1", "artifactfile", "a.zip", b"bytes"))
            .unwrap();
        let failed: rusqlite::Result<()> = store.tx(|c| {
            delete_artifact(c, "a1")?;
            Err(rusqlite::Error::InvalidQuery)
        });
        assert!(failed.is_err());
        let file = store.tx(|c| get(c, "a1", "artifactfile")).unwrap().unwrap();
        assert_eq!(
            std::fs::read(file.path.unwrap()).unwrap(),
            b"bytes",
            "the row is back, and so are its bytes"
        );
        store.tx(|c| delete_artifact(c, "a1")).unwrap();
        assert!(!artifact_dir_in(dir.path(), "a1").exists());
    }
}
