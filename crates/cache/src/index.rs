//! Writing the full-text index (`runs_fts`, SQLite FTS5): one row per run, rowid = the run's
//! `order_key`, rewritten by [`index_run`] in the same transaction as the run, so it can never
//! lag behind.
//!
//! The index is contentless (`content=''`, `contentless_delete=1`, schema 5): it keeps the
//! tokens and their positions, not a second copy of the text, which the `runs` row already has;
//! so whether a re-sync changed anything searchable is decided by building the row from the run
//! before and after the write. It has a one-character prefix index (`prefix='1'`), so a search
//! whose last word is a single character walks one doclist instead of merging every term that
//! starts with it.
//!
//! The row holds the solution, stage, pipeline and target names, the version, the status label,
//! the notes, the error message, the maker's name, every text of the validation results
//! (messages, component names, error codes in decimal and `0x` hex), and the run's facet tokens
//! (profile, solution, stage, status) that let [`crate::search`] answer filters inside the index.

use rusqlite::types::Value as SqlValue;
use rusqlite::{params_from_iter, Connection, Transaction};

use crate::codes::stage_run_status;
use crate::error::Result;

/// Every index column, in table order.
const FTS_COLUMNS: &str = "artifact_name, stage_name, pipeline_name, target_environment_name, \
     artifact_version, status_label, deployment_notes, error_message, validation_messages, \
     created_by, facets";

/// Facet tokens: one token per filterable value, so that a filter is a doclist intersection
/// inside FTS5 instead of a row-by-row check, and one per combination of a run's solution, stage
/// and status, so that filters given together walk one sparse doclist instead of intersecting
/// dense ones (over a million runs, "failed in Production" is 33,000 runs; failed and Production
/// apart are 100,000 and 333,000). Values are hashed with 64-bit FNV-1a (stable: the tokens are
/// stored) after the same ASCII case folding as SQLite's NOCASE; the SQL conditions re-check
/// every row of a page, so a hash collision could at worst make a count one too high.
///
/// Every token starts with [`facet::MARK`], a private-use character: the tokenizer keeps it
/// inside a token (unicode61 counts private use as a letter), while search text never carries
/// it ([`crate::fts_query`] keeps only letters and digits), so no search word can match a facet
/// and a text query needs no column filter (which would cost a position-list check per row).
pub(crate) mod facet {
    /// The first character of every facet token.
    pub const MARK: char = '\u{E000}';

    /// One filterable value: its kind (a letter) and the value as compared.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Value {
        kind: char,
        value: String,
    }

    pub fn profile(id: &str) -> Value {
        Value {
            kind: 'p',
            value: id.into(),
        }
    }
    pub fn solution(name: &str) -> Value {
        Value {
            kind: 's',
            value: name.to_ascii_lowercase(),
        }
    }
    pub fn stage_id(id: &str) -> Value {
        Value {
            kind: 'g',
            value: id.into(),
        }
    }
    pub fn stage_name(name: &str) -> Value {
        Value {
            kind: 'n',
            value: name.to_ascii_lowercase(),
        }
    }
    pub fn status(code: i32) -> Value {
        Value {
            kind: 'x',
            value: code.to_string(),
        }
    }

    /// The token of runs that have all these values (given in the order solution, stage,
    /// status).
    pub fn token(values: &[&Value]) -> String {
        let kinds: String = values.iter().map(|v| v.kind).collect();
        let hash = values
            .iter()
            .flat_map(|v| v.value.bytes().chain([0]))
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            });
        format!("{MARK}{kinds}{hash:016x}")
    }

    /// The tokens of one run: its profile, and every combination of its solution, stage (by
    /// id, and by name when it has one) and status.
    pub fn of_run(
        profile_id: &str,
        solution_name: &str,
        stage: &str,
        stage_name: Option<&str>,
        status_code: i32,
    ) -> Vec<String> {
        let solution = solution(solution_name);
        let status = status(status_code);
        let mut stages = vec![stage_id(stage)];
        stages.extend(stage_name.map(self::stage_name));
        let mut tokens = vec![
            token(&[&profile(profile_id)]),
            token(&[&solution]),
            token(&[&status]),
            token(&[&solution, &status]),
        ];
        for stage in &stages {
            tokens.extend([
                token(&[stage]),
                token(&[&solution, stage]),
                token(&[stage, &status]),
                token(&[&solution, stage, &status]),
            ]);
        }
        tokens
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

/// What the index holds for one run: the ten text columns and the facet tokens, in table order.
pub(crate) type IndexRow = [Option<String>; 11];

/// The index row of stored run `key`, and its rowid (the run's `order_key`).
pub(crate) fn index_row(conn: &Connection, key: i64) -> Result<(i64, IndexRow)> {
    type Stored = (
        Vec<Option<String>>,
        i32,
        Option<String>,
        i64,
        String,
        String,
    );
    let stored: Stored = conn
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
    let (t, status, validation, order_key, profile_id, stage_id) = stored;
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
    let facets = facet::of_run(
        &profile_id,
        t[0].as_deref().unwrap_or_default(),
        &stage_id,
        t[1].as_deref(),
        status,
    );
    let row = [
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
    Ok((order_key, row))
}

/// Rewrites the index row of run `key` from the stored run; `before` is the rowid and row the
/// run had in the index before this write, if it was there.
pub(crate) fn index_run(
    tx: &Transaction<'_>,
    key: i64,
    before: Option<(i64, IndexRow)>,
) -> Result<()> {
    let (order_key, row) = index_row(tx, key)?;
    let previous = match before {
        // A re-sync that changed nothing searchable leaves the index alone.
        Some((previous, old)) if previous == order_key && old == row => return Ok(()),
        Some((previous, _)) => Some(previous),
        None => None,
    };
    let mut delete = tx.prepare_cached("DELETE FROM runs_fts WHERE rowid = ?1")?;
    if let Some(previous) = previous.filter(|p| *p != order_key) {
        delete.execute([previous])?;
    }
    delete.execute([order_key])?;
    insert(tx, order_key, row)
}

fn insert(conn: &Connection, order_key: i64, row: IndexRow) -> Result<()> {
    let mut values: Vec<SqlValue> = vec![SqlValue::Integer(order_key)];
    values.extend(
        row.into_iter()
            .map(|v| v.map_or(SqlValue::Null, SqlValue::Text)),
    );
    conn.prepare_cached(&format!(
        "INSERT INTO runs_fts (rowid, {FTS_COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    ))?
    .execute(params_from_iter(values))?;
    Ok(())
}

/// Indexes every stored run into an empty index (after a migration that recreated it).
pub(crate) fn rebuild(tx: &Transaction<'_>) -> Result<()> {
    let keys: Vec<i64> = tx
        .prepare("SELECT key FROM runs ORDER BY order_key")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for key in keys {
        let (order_key, row) = index_row(tx, key)?;
        insert(tx, order_key, row)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::codes::stage_run_status as s;
    use crate::migrations::{self, MIGRATIONS};
    use crate::runs::tests::run;
    use crate::testutil::{cache, profile};
    use crate::{Cache, HistoryQuery};

    fn ids(c: &Cache, q: HistoryQuery) -> Vec<String> {
        let page = c.history(&q).unwrap();
        page.runs.into_iter().map(|r| r.run.id).collect()
    }

    fn text(t: &str) -> HistoryQuery {
        HistoryQuery {
            text: Some(t.into()),
            ..HistoryQuery::default()
        }
    }

    #[test]
    fn a_cache_of_schema_4_keeps_its_runs_searchable_after_the_upgrade() {
        // A schema-4 file holding runs and their index rows as that schema wrote them: the
        // index with its own copy of the text and facet tokens without the mark.
        let mut conn = Connection::open_in_memory().unwrap();
        migrations::migrate_with(&mut conn, Path::new(":memory:"), &MIGRATIONS[..4]).unwrap();
        conn.execute_batch(
            "INSERT INTO profiles (id, display_name, kind, authority, client_id, host_url,
                                   created_at, updated_at)
             VALUES ('p', 'p', 'cloud', 'a', 'c', 'h', '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z');
             INSERT INTO runs (key, profile_id, id, stage_id, stage_name, artifact_name,
                               stage_run_status, validation_results, is_terminal, sort_time,
                               order_key, first_seen_at, last_synced_at)
             VALUES (1, 'p', 'old-failed', 'st', 'Test', 'contoso_Core', 200000003,
                     '{\"Message\": \"Missing dependency: Invoice flow\"}', 1,
                     '2026-01-01T00:00:00.000000Z', 10, '2026-01-01T00:00:00.000000Z',
                     '2026-01-01T00:00:00.000000Z'),
                    (2, 'p', 'old-ok', 'st', 'Test', 'fabrikam_Portal', 200000002, NULL, 1,
                     '2026-01-02T00:00:00.000000Z', 20, '2026-01-02T00:00:00.000000Z',
                     '2026-01-02T00:00:00.000000Z');
             INSERT INTO runs_fts (rowid, artifact_name, stage_name, status_label,
                                   validation_messages, facets)
             VALUES (10, 'contoso_Core', 'Test', ' Failed', 'Missing dependency: Invoice flow',
                     'fx200000003'),
                    (20, 'fabrikam_Portal', 'Test', ' Succeeded', '', 'fx200000002');",
        )
        .unwrap();
        migrations::migrate(&mut conn, Path::new(":memory:")).unwrap();
        let c = Cache {
            conn,
            path: ":memory:".into(),
        };
        assert_eq!(c.schema_version().unwrap(), migrations::LATEST);
        assert_eq!(ids(&c, text("invoice")), ["old-failed"]);
        assert_eq!(ids(&c, text("fabrikam")), ["old-ok"]);
        let failed = HistoryQuery {
            statuses: vec![s::FAILED],
            ..HistoryQuery::default()
        };
        assert_eq!(ids(&c, failed), ["old-failed"]);
        let test_stage = HistoryQuery {
            stage: Some("test".into()),
            ..text("co")
        };
        assert_eq!(ids(&c, test_stage), ["old-failed"]);
    }

    #[test]
    fn the_index_keeps_no_second_copy_of_the_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.sqlite");
        {
            let mut c = Cache::open(&path).unwrap();
            c.save_profile(&profile("p")).unwrap();
            let mut r = run("r1", s::SUCCEEDED);
            r.deployment_notes = Some("Quarterly ReleaseOfWidgets".into());
            c.upsert_run("p", &r).unwrap();
            assert_eq!(ids(&c, text("releaseofwidgets")), ["r1"]);
        }
        // Closed: the WAL is in the file. The run's row holds the notes once; the index holds
        // tokens (lower case), not the text.
        let bytes = std::fs::read(&path).unwrap();
        let copies = bytes
            .windows("ReleaseOfWidgets".len())
            .filter(|w| *w == b"ReleaseOfWidgets")
            .count();
        assert_eq!(copies, 1);
    }

    #[test]
    fn a_resync_that_changes_nothing_searchable_leaves_the_index_alone() {
        let mut c = cache();
        let mut r = run("r1", s::SUCCEEDED);
        c.upsert_run("p", &r).unwrap();
        let changes = |c: &Cache| c.conn.total_changes();
        let before = changes(&c);
        c.upsert_run("p", &r).unwrap();
        assert_eq!(
            changes(&c) - before,
            1,
            "only the run's row (its sync time)"
        );
        r.deployment_notes = Some("now with notes".into());
        let before = changes(&c);
        c.upsert_run("p", &r).unwrap();
        assert!(
            changes(&c) - before > 1,
            "the index row is rewritten (and the counter sees it)"
        );
        assert_eq!(ids(&c, text("notes")), ["r1"]);
    }

    #[test]
    fn a_run_marked_never_started_is_found_by_that_label() {
        let mut c = cache();
        c.upsert_run("p", &run("lost", s::NOT_STARTED)).unwrap();
        c.mark_never_started("p", "lost").unwrap();
        assert_eq!(ids(&c, text("never started")), ["lost"]);
    }

    #[test]
    fn no_search_word_reaches_a_facet_token() {
        let mut c = cache();
        c.upsert_run("p", &run("r1", s::FAILED)).unwrap();
        let status = facet::token(&[&facet::status(s::FAILED)]);
        let solution = facet::token(&[&facet::solution("contoso_Core")]);
        for t in [
            status.as_str(),
            &status[MARK_LEN..],
            &solution[MARK_LEN..],
            &solution[MARK_LEN..4],
        ] {
            assert!(ids(&c, text(t)).is_empty(), "{t:?} found a run");
        }
    }

    const MARK_LEN: usize = facet::MARK.len_utf8();
}
