//! Writing the full-text index (`runs_fts`, SQLite FTS5): one row per run, rowid = the run's
//! `order_key`, rewritten by [`index_run`] in the same transaction as the run, so it can never
//! lag behind.
//!
//! The row holds the solution, stage, pipeline and target names, the version, the status label,
//! the notes, the error message, the maker's name, every text of the validation results
//! (messages, component names, error codes in decimal and `0x` hex), and the run's facet tokens
//! (profile, solution, stage, status) that let [`crate::search`] answer filters inside the index.

use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, OptionalExtension, Transaction};

use crate::codes::stage_run_status;
use crate::error::Result;

/// Every index column, in table order.
const FTS_COLUMNS: &str = "artifact_name, stage_name, pipeline_name, target_environment_name, \
     artifact_version, status_label, deployment_notes, error_message, validation_messages, \
     created_by, facets";

/// Facet tokens: one alphanumeric token per filterable value, so that a filter is a doclist
/// intersection inside FTS5 instead of a row-by-row check. Values are hashed with 64-bit FNV-1a
/// (stable: the tokens are stored) after the same ASCII case folding as SQLite's NOCASE; the SQL
/// conditions re-check every row of a page, so a hash collision could at worst make a count one
/// too high.
pub(crate) mod facet {
    fn fnv(s: &str) -> u64 {
        s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
    }
    pub fn profile(id: &str) -> String {
        format!("fp{:016x}", fnv(id))
    }
    pub fn solution(name: &str) -> String {
        format!("fs{:016x}", fnv(&name.to_ascii_lowercase()))
    }
    pub fn stage_id(id: &str) -> String {
        format!("fg{:016x}", fnv(id))
    }
    pub fn stage_name(name: &str) -> String {
        format!("fn{:016x}", fnv(&name.to_ascii_lowercase()))
    }
    pub fn status(code: i32) -> String {
        format!("fx{code}")
    }
}

/// Every text in a validation result, with numeric error codes also as `0x` hex.
fn validation_text(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|i| validation_text(i, out)),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if let (true, Some(n)) = (k.eq_ignore_ascii_case("ErrorCode"), v.as_i64()) {
                    out.push(n.to_string());
                    out.push(format!("0x{:08X}", n as i32 as u32));
                } else {
                    validation_text(v, out);
                }
            }
        }
        _ => {}
    }
}

/// Rewrites the index row of run `key` from the stored run; `previous_order_key` is the rowid
/// its row had before this write, if any.
pub(crate) fn index_run(
    tx: &Transaction<'_>,
    key: i64,
    previous_order_key: Option<i64>,
) -> Result<()> {
    type Indexed = (
        Vec<Option<String>>,
        i32,
        Option<String>,
        i64,
        String,
        String,
    );
    let row: Indexed = tx
        .prepare_cached(
            "SELECT artifact_name, stage_name, pipeline_name, target_environment_name,
                    artifact_version, stage_run_status_label, deployment_notes,
                    ai_generated_deployment_notes, error_message, created_by,
                    stage_run_status, validation_results, order_key, profile_id, stage_id
             FROM runs WHERE key = ?1",
        )?
        .query_row([key], |r| {
            let texts = (0..10).map(|i| r.get(i)).collect::<rusqlite::Result<_>>()?;
            Ok((
                texts,
                r.get(10)?,
                r.get(11)?,
                r.get(12)?,
                r.get(13)?,
                r.get(14)?,
            ))
        })?;
    let (t, status, validation, order_key, profile_id, stage_id) = row;
    let mut status_label = t[5].clone().unwrap_or_default();
    if let Some(builtin) = stage_run_status::label(status) {
        status_label = format!("{status_label} {builtin}");
    }
    let notes = [t[6].as_deref(), t[7].as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>();
    let mut validation_texts = Vec::new();
    if let Some(v) = validation.and_then(|s| serde_json::from_str(&s).ok()) {
        validation_text(&v, &mut validation_texts);
    }
    let mut facets = vec![
        facet::profile(&profile_id),
        facet::solution(t[0].as_deref().unwrap_or_default()),
        facet::stage_id(&stage_id),
        facet::status(status),
    ];
    if let Some(name) = &t[1] {
        facets.push(facet::stage_name(name));
    }
    let row: [Option<String>; 11] = [
        t[0].clone(),
        t[1].clone(),
        t[2].clone(),
        t[3].clone(),
        t[4].clone(),
        Some(status_label),
        Some(notes.join("\n")),
        t[8].clone(),
        Some(validation_texts.join("\n")),
        t[9].clone(),
        Some(facets.join(" ")),
    ];
    if previous_order_key == Some(order_key) {
        // A re-sync that changed nothing searchable leaves the index alone.
        let stored: Option<Vec<Option<String>>> = tx
            .prepare_cached(&format!(
                "SELECT {FTS_COLUMNS} FROM runs_fts WHERE rowid = ?1"
            ))?
            .query_row([order_key], |r| (0..11).map(|i| r.get(i)).collect())
            .optional()?;
        if stored.as_deref() == Some(&row[..]) {
            return Ok(());
        }
    }
    let mut delete = tx.prepare_cached("DELETE FROM runs_fts WHERE rowid = ?1")?;
    if let Some(previous) = previous_order_key.filter(|p| *p != order_key) {
        delete.execute([previous])?;
    }
    delete.execute([order_key])?;
    let mut values: Vec<SqlValue> = vec![SqlValue::Integer(order_key)];
    values.extend(
        row.into_iter()
            .map(|v| v.map_or(SqlValue::Null, SqlValue::Text)),
    );
    tx.prepare_cached(&format!(
        "INSERT INTO runs_fts (rowid, {FTS_COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    ))?
    .execute(params_from_iter(values))?;
    Ok(())
}
