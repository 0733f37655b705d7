//! Rows of the served tables: JSON objects keyed by their wire names.
//!
//! Every write takes a fresh value of the global row version (Dataverse's
//! `versionnumber`, which drives `@odata.etag`) and stamps `modifiedon`.

use rusqlite::{params, Connection, OptionalExtension as _};
use serde_json::{Map, Value};

use crate::clock;

/// One stored row.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: String,
    pub version: i64,
    pub data: Map<String, Value>,
}

impl Record {
    pub fn str(&self, key: &str) -> Option<&str> {
        self.data.get(key).and_then(Value::as_str)
    }
    pub fn int(&self, key: &str) -> Option<i64> {
        self.data.get(key).and_then(Value::as_i64)
    }
    pub fn bool(&self, key: &str) -> bool {
        self.data.get(key).and_then(Value::as_bool).unwrap_or(false)
    }
    pub fn set(&mut self, key: &str, value: impl Into<Value>) {
        self.data.insert(key.to_string(), value.into());
    }
    /// The etag for this version.
    pub fn etag(&self) -> String {
        format!("W/\"{}\"", self.version)
    }
}

/// Why an insert failed.
#[derive(Debug, thiserror::Error)]
pub enum InsertError {
    #[error("a record with id {0} already exists")]
    Duplicate(String),
    #[error(transparent)]
    Db(#[from] rusqlite::Error),
}

fn next_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'rowversion' RETURNING CAST(value AS INTEGER)")?
        .query_row([],
        |r| r.get(0),
    )
}

fn decode(id: String, version: i64, data: String) -> Record {
    let data = match serde_json::from_str(&data) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    Record { id, version, data }
}

const GET_SQL: &str =
    "SELECT id, version, data FROM records WHERE scope = ?1 AND entity = ?2 AND id = ?3";

pub fn get(
    conn: &Connection,
    scope: &str,
    set: &str,
    id: &str,
) -> rusqlite::Result<Option<Record>> {
    conn.prepare_cached(&entity_sql(set, GET_SQL))?
        .query_row(params![scope, set, id.to_ascii_lowercase()], |r| {
            Ok(decode(r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()
}

/// [`list`]'s query; creation order is restored from the rowid (see [`in_creation_order`]).
const LIST_SQL: &str =
    "SELECT id, version, data, rowid FROM records WHERE entity = ?1 AND scope = ?2";

/// All rows of a table in creation order.
pub fn list(conn: &Connection, scope: &str, set: &str) -> rusqlite::Result<Vec<Record>> {
    let mut stmt = conn.prepare_cached(&entity_sql(set, LIST_SQL))?;
    let rows = stmt.query_map(params![set, scope], |r| {
        Ok((r.get(3)?, decode(r.get(0)?, r.get(1)?, r.get(2)?)))
    })?;
    in_creation_order(rows)
}

/// Rows read with their rowid, sorted by it: creation order. The queries leave out
/// `ORDER BY rowid`, with which SQLite prepared the statement again for every new bound value
/// (beside the partial lookup indexes), a parse and a plan on every call.
fn in_creation_order(
    rows: impl Iterator<Item = rusqlite::Result<(i64, Record)>>,
) -> rusqlite::Result<Vec<Record>> {
    let mut rows = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    rows.sort_unstable_by_key(|(rowid, _)| *rowid);
    Ok(rows.into_iter().map(|(_, row)| row).collect())
}

/// A stamp of a table's rows that changes with any insert, update or delete in it (row count,
/// highest row version: every write takes a new, higher version), read without decoding a row.
pub fn change_stamp(conn: &Connection, scope: &str, set: &str) -> rusqlite::Result<(i64, i64)> {
    conn.prepare_cached(&entity_sql(
        set,
        "SELECT count(*), coalesce(max(version), 0) FROM records WHERE entity = ?1 AND scope = ?2",
    ))?
    .query_row(params![set, scope], |r| Ok((r.get(0)?, r.get(1)?)))
}

/// All rows of a table in creation order, each holding only the string columns `cols` (read by
/// SQLite from the JSON, so the rest of each row is never decoded): for lookups made on every
/// request, such as finding the caller among the users.
pub fn list_text_columns(
    conn: &Connection,
    scope: &str,
    set: &str,
    cols: &[&str],
) -> rusqlite::Result<Vec<Record>> {
    assert!(
        is_name(set) && cols.iter().all(|c| is_name(c)),
        "list_text_columns takes identifiers"
    );
    let extracts: String = cols
        .iter()
        .map(|c| format!(", json_extract(data, '$.{c}')"))
        .collect();
    let sql = format!(
        "SELECT id, version, rowid{extracts} FROM records WHERE scope = ?1 AND entity = '{set}'"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![scope], |r| {
        let mut data = Map::new();
        for (i, c) in cols.iter().enumerate() {
            if let Ok(text) = r.get_ref(i + 3)?.as_str() {
                data.insert((*c).to_string(), Value::String(text.to_string()));
            }
        }
        Ok((
            r.get(2)?,
            Record {
                id: r.get(0)?,
                version: r.get(1)?,
                data,
            },
        ))
    })?;
    in_creation_order(rows)
}

/// Rows whose `key` equals `value` (strings compared case-insensitively), in creation order.
///
/// SQLite compares the column inside the JSON (`lower(json_extract(…))`), so rows that do not
/// match are never decoded; the lookups the state machine makes often have an index on that
/// very expression (migration 4, [`INDEXED`]), so they do not read the table at all.
pub fn find(
    conn: &Connection,
    scope: &str,
    set: &str,
    key: &str,
    value: &str,
) -> rusqlite::Result<Vec<Record>> {
    let matches = |r: &Record| r.str(key).is_some_and(|v| v.eq_ignore_ascii_case(value));
    if !(is_name(set) && is_name(key)) {
        // Not an identifier: no SQL is made from it (never the case in this crate's calls).
        return Ok(list(conn, scope, set)?
            .into_iter()
            .filter(matches)
            .collect());
    }
    let mut stmt = conn.prepare_cached(&find_sql(set, key))?;
    let rows = stmt.query_map(params![scope, value], |r| {
        Ok((r.get(3)?, decode(r.get(0)?, r.get(1)?, r.get(2)?)))
    })?;
    // A number that reads like `value` matched in SQL; only strings match here.
    Ok(in_creation_order(rows)?
        .into_iter()
        .filter(matches)
        .collect())
}

/// The (entity set, column) lookups migration 4 indexes.
pub const INDEXED: &[(&str, &str)] = &[
    ("deploymentstageruns", "_deploymentstageid_value"),
    ("deploymentstageruns", "_artifactid_value"),
    ("deploymentstageruns", "artifactname"),
    ("deploymentstagerunstatuses", "_deploymentstagerunid_value"),
    ("solutions", "uniquename"),
    ("solutioncomponents", "_solutionid_value"),
    ("publishers", "uniquename"),
    ("environmentvariabledefinitions", "schemaname"),
    ("environmentvariablevalues", "schemaname"),
    ("connectionreferences", "connectionreferencelogicalname"),
];

/// The query of [`find`]: the entity and the path are literals, so the planner can match a
/// partial index on them; creation order is restored from the rowid ([`in_creation_order`]).
fn find_sql(set: &str, key: &str) -> String {
    format!(
        "SELECT id, version, data, rowid FROM records WHERE scope = ?1 AND entity = '{set}' \
         AND lower(json_extract(data, '$.{key}')) = lower(?2)"
    )
}

/// `sql` with its `entity = ?N` made the literal entity set when `set` is an identifier. A
/// bound entity would defeat the statement cache: SQLite re-prepares (parses again) a statement
/// on every new value of a variable that a partial index's `WHERE` depends on, and the lookup
/// indexes of migration 4 are partial on `entity`. The variable stays bindable, unused; it is
/// never the highest-numbered one, so the statement takes the same parameters either way.
fn entity_sql(set: &str, sql: &'static str) -> std::borrow::Cow<'static, str> {
    if !is_name(set) {
        return sql.into();
    }
    let literal = format!("entity = '{set}'");
    sql.replace("entity = ?1", &literal)
        .replace("entity = ?2", &literal)
        .into()
}

/// A plain identifier (letters, digits, `_`): safe to put in SQL text.
fn is_name(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Inserts a new row under `key_column`; fills the common columns.
pub fn insert(
    conn: &Connection,
    scope: &str,
    set: &str,
    key_column: &str,
    id: &str,
    mut data: Map<String, Value>,
) -> Result<Record, InsertError> {
    let id = id.to_ascii_lowercase();
    if get(conn, scope, set, &id)?.is_some() {
        return Err(InsertError::Duplicate(id));
    }
    let version = next_version(conn)?;
    let now = clock::now_text();
    data.insert(key_column.to_string(), Value::String(id.clone()));
    data.entry("createdon")
        .or_insert_with(|| Value::String(now.clone()));
    data.insert("modifiedon".into(), Value::String(now));
    data.entry("statecode").or_insert(Value::from(0));
    data.entry("statuscode").or_insert(Value::from(1));
    data.insert("versionnumber".into(), Value::from(version));
    conn.prepare_cached(
        "INSERT INTO records (scope, entity, id, version, data) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        scope,
        set,
        id,
        version,
        Value::Object(data.clone()).to_string()
    ])?;
    Ok(Record { id, version, data })
}

/// Writes `record.data` back with a new version; updates `record` in place.
pub fn update(
    conn: &Connection,
    scope: &str,
    set: &str,
    record: &mut Record,
) -> rusqlite::Result<()> {
    let version = next_version(conn)?;
    record.version = version;
    record.set("versionnumber", version);
    record.set("modifiedon", clock::now_text());
    conn.prepare_cached(&entity_sql(
        set,
        "UPDATE records SET version = ?4, data = ?5 WHERE scope = ?1 AND entity = ?2 AND id = ?3",
    ))?
    .execute(params![
        scope,
        set,
        record.id,
        version,
        Value::Object(record.data.clone()).to_string()
    ])?;
    Ok(())
}

pub fn delete(conn: &Connection, scope: &str, set: &str, id: &str) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(&entity_sql(
            set,
            "DELETE FROM records WHERE scope = ?1 AND entity = ?2 AND id = ?3",
        ))?
        .execute(params![scope, set, id.to_ascii_lowercase()])?;
    Ok(n > 0)
}

/// Associates `a` (first side) with `b` under an N:N relationship.
pub fn link(conn: &Connection, scope: &str, rel: &str, a: &str, b: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO links (scope, rel, a, b) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![
            scope,
            rel,
            a.to_ascii_lowercase(),
            b.to_ascii_lowercase()
        ])?;
    Ok(())
}

pub fn unlink(
    conn: &Connection,
    scope: &str,
    rel: &str,
    a: &str,
    b: &str,
) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached("DELETE FROM links WHERE scope = ?1 AND rel = ?2 AND a = ?3 AND b = ?4")?
        .execute(params![
            scope,
            rel,
            a.to_ascii_lowercase(),
            b.to_ascii_lowercase()
        ])?;
    Ok(n > 0)
}

/// [`linked`]'s queries: from the first side, from the second (in creation order by the rowid,
/// sorted after reading, as [`in_creation_order`] says why).
const LINKED_SQL: [&str; 2] = [
    "SELECT b, rowid FROM links WHERE scope = ?1 AND rel = ?2 AND a = ?3",
    "SELECT a, rowid FROM links WHERE scope = ?1 AND rel = ?2 AND b = ?3",
];

/// Ids linked to `id`; `left` = `id` is the first side.
pub fn linked(
    conn: &Connection,
    scope: &str,
    rel: &str,
    id: &str,
    left: bool,
) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(LINKED_SQL[usize::from(!left)])?;
    let rows = stmt.query_map(params![scope, rel, id.to_ascii_lowercase()], |r| {
        Ok((r.get::<_, i64>(1)?, r.get::<_, String>(0)?))
    })?;
    let mut ids = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    ids.sort_unstable_by_key(|(rowid, _)| *rowid);
    Ok(ids.into_iter().map(|(_, id)| id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn insert_update_versions_and_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .tx(|c| -> Result<(), InsertError> {
                let mut map = Map::new();
                map.insert("name".into(), "a".into());
                let mut r = insert(c, "host", "things", "thingid", "ABC", map.clone())?;
                assert_eq!(r.id, "abc");
                assert_eq!(r.int("statecode"), Some(0));
                let v1 = r.version;
                r.set("name", "b");
                update(c, "host", "things", &mut r)?;
                assert!(r.version > v1);
                assert_eq!(
                    get(c, "host", "things", "ABC")?.unwrap().str("name"),
                    Some("b")
                );
                assert!(matches!(
                    insert(c, "host", "things", "thingid", "abc", map),
                    Err(InsertError::Duplicate(_))
                ));
                assert_eq!(find(c, "host", "things", "name", "B")?.len(), 1);
                // Only strings match, as before the lookup moved into SQL.
                let mut n = Map::new();
                n.insert("name".into(), 7.into());
                insert(c, "host", "things", "thingid", "n", n)?;
                assert!(find(c, "host", "things", "name", "7")?.is_empty());
                link(c, "host", "rel", "p", "e")?;
                assert_eq!(linked(c, "host", "rel", "e", false)?, vec!["p".to_string()]);
                assert!(unlink(c, "host", "rel", "p", "e")?);
                assert!(delete(c, "host", "things", "abc")?);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn the_state_machines_lookups_use_their_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .tx(|c| -> rusqlite::Result<()> {
                for (set, key) in INDEXED {
                    let sql = format!("EXPLAIN QUERY PLAN {}", find_sql(set, key));
                    let plan: Vec<String> = c
                        .prepare(&sql)?
                        .query_map(params!["host", "x"], |r| r.get::<_, String>(3))?
                        .collect::<rusqlite::Result<_>>()?;
                    let plan = plan.join("; ");
                    assert!(
                        plan.contains("USING INDEX records_by_"),
                        "{set}.{key} is read without its index: {plan}"
                    );
                }
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn a_statement_is_not_prepared_again_for_another_entity_or_row() {
        use rusqlite::StatementStatus;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .tx(|c| -> rusqlite::Result<()> {
                for set in ["deploymentstageruns", "solutions", "things"] {
                    for id in ["a", "b"] {
                        insert(c, "host", set, "key", id, Map::new()).unwrap();
                        let mut r = get(c, "host", set, id)?.unwrap();
                        update(c, "host", set, &mut r)?;
                        list(c, "host", set)?;
                        change_stamp(c, "host", set)?;
                        find(c, "host", set, "key", id)?;
                    }
                }
                let sqls = [
                    entity_sql("solutions", "SELECT id, version, data FROM records WHERE scope = ?1 AND entity = ?2 AND id = ?3").into_owned(),
                    entity_sql("solutions", "SELECT count(*), coalesce(max(version), 0) FROM records WHERE entity = ?1 AND scope = ?2").into_owned(),
                    find_sql("solutions", "uniquename"),
                ];
                for sql in sqls {
                    let stmt = c.prepare_cached(&sql)?;
                    assert_eq!(
                        stmt.get_status(StatementStatus::RePrepare),
                        0,
                        "prepared again: {sql}"
                    );
                }
                Ok(())
            })
            .unwrap();
    }
}

/// The hot lookups keep their prepared statements: a statement SQLite re-prepares whenever a
/// bound value changes (as `ORDER BY rowid` beside the partial lookup indexes made it do)
/// costs a parse and a plan on every call; under load that was a tenth of the host's CPU.
#[cfg(test)]
mod statements_stay_prepared {
    use super::*;
    use crate::store::Store;
    use rusqlite::StatementStatus::RePrepare;

    fn reprepares(c: &Connection, sql: &str) -> i32 {
        c.prepare_cached(sql).unwrap().get_status(RePrepare)
    }

    #[test]
    fn lookups_with_new_values_are_not_prepared_again() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .tx(|c| -> Result<(), InsertError> {
                let set = "deploymentstageruns";
                let key = "_deploymentstageid_value";
                for scope in ["host", "dev", "test"] {
                    for i in 0..3 {
                        let mut map = Map::new();
                        map.insert(key.into(), format!("s{i}").into());
                        insert(c, scope, set, "deploymentstagerunid", &format!("r{i}"), map)?;
                    }
                }
                for scope in ["host", "dev", "test"] {
                    for i in 0..3 {
                        assert_eq!(find(c, scope, set, key, &format!("S{i}"))?.len(), 1);
                        assert!(get(c, scope, set, &format!("r{i}"))?.is_some());
                        linked(c, scope, "rel", &format!("r{i}"), true)?;
                    }
                    assert_eq!(list(c, scope, set)?.len(), 3);
                }
                for sql in [
                    find_sql(set, key),
                    entity_sql(set, LIST_SQL).into_owned(),
                    entity_sql(set, GET_SQL).into_owned(),
                    LINKED_SQL[0].to_string(),
                ] {
                    assert_eq!(reprepares(c, &sql), 0, "prepared again: {sql}");
                }
                Ok(())
            })
            .unwrap();
    }
}
