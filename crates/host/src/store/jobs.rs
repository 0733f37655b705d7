//! Pending steps of the background state machines (stage runs, environment
//! registrations). A job with no due time waits for an outside event (a gate).

use rusqlite::{params, Connection, OptionalExtension as _};

/// One pending step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub step: String,
    pub due_ms: Option<i64>,
}

pub fn put(
    conn: &Connection,
    id: &str,
    kind: &str,
    step: &str,
    due_ms: Option<i64>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO jobs (id, kind, step, due_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(id) DO UPDATE SET kind = ?2, step = ?3, due_ms = ?4",
    )?
    .execute(params![id, kind, step, due_ms])?;
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<Job>> {
    conn.prepare_cached("SELECT id, kind, step, due_ms FROM jobs WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(Job {
                id: r.get(0)?,
                kind: r.get(1)?,
                step: r.get(2)?,
                due_ms: r.get(3)?,
            })
        })
        .optional()
}

pub fn remove(conn: &Connection, id: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM jobs WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// The earliest job due at or before `now_ms` (ties: by id, so the order is stable).
pub fn first_due(conn: &Connection, now_ms: i64) -> rusqlite::Result<Option<Job>> {
    conn.prepare_cached(
        "SELECT id, kind, step, due_ms FROM jobs WHERE due_ms IS NOT NULL AND due_ms <= ?1
         ORDER BY due_ms, id LIMIT 1",
    )?
    .query_row([now_ms], |r| {
        Ok(Job {
            id: r.get(0)?,
            kind: r.get(1)?,
            step: r.get(2)?,
            due_ms: r.get(3)?,
        })
    })
    .optional()
}

/// The earliest due time of any timed job.
pub fn next_due(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT MIN(due_ms) FROM jobs WHERE due_ms IS NOT NULL")?
        .query_row([], |r| r.get(0))
}
