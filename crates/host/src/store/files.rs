//! Artifact file columns: immutable bytes with their SHA-256.

use rusqlite::{params, Connection, OptionalExtension as _};
use sha2::{Digest, Sha256};

/// One stored file.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub name: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Stores a file once; a second write to the same column is refused (artifacts are immutable).
pub fn put(
    conn: &Connection,
    artifact: &str,
    col: &str,
    name: &str,
    bytes: &[u8],
) -> rusqlite::Result<String> {
    let sha = sha256_hex(bytes);
    conn.execute(
        "INSERT INTO files (artifact, col, name, sha256, bytes) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![artifact, col, name, sha, bytes],
    )?;
    Ok(sha)
}

pub fn get(conn: &Connection, artifact: &str, col: &str) -> rusqlite::Result<Option<StoredFile>> {
    conn.query_row(
        "SELECT name, sha256, bytes FROM files WHERE artifact = ?1 AND col = ?2",
        params![artifact.to_ascii_lowercase(), col],
        |r| {
            Ok(StoredFile {
                name: r.get(0)?,
                sha256: r.get(1)?,
                bytes: r.get(2)?,
            })
        },
    )
    .optional()
}

/// Drops the files of a deleted artifact.
pub fn delete_artifact(conn: &Connection, artifact: &str) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM files WHERE artifact = ?1",
        params![artifact.to_ascii_lowercase()],
    )?;
    Ok(())
}
