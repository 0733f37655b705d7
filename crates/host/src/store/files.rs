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
    data_dir(conn)
        .join("artifacts")
        .join(artifact.to_ascii_lowercase())
        .join(col)
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
    put_written(conn, artifact, col, name)
}

/// Creates `path` (and its folder) and lets `fill` write it; a file already there is replaced
/// (a transaction that wrote it was rolled back).
pub fn write_new(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut file = std::fs::File::create(path)?;
    fill(&mut file)?;
    file.sync_all()
}

/// Records a file already written at [`artifact_path`]: its SHA-256 is computed by streaming it.
pub fn put_written(
    conn: &Connection,
    artifact: &str,
    col: &str,
    name: &str,
) -> rusqlite::Result<String> {
    let path = artifact_path(conn, artifact, col);
    let (sha, _) = hash_file(&path).map_err(io_error)?;
    conn.execute(
        "INSERT INTO files (artifact, col, name, sha256, bytes) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            artifact.to_ascii_lowercase(),
            col,
            name,
            sha,
            Vec::<u8>::new()
        ],
    )?;
    Ok(sha)
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
    conn.execute(
        "DELETE FROM files WHERE artifact = ?1",
        params![artifact.to_ascii_lowercase()],
    )?;
    let dir = data_dir(conn)
        .join("artifacts")
        .join(artifact.to_ascii_lowercase());
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}
