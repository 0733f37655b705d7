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
    conn.query_row(
        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'rowversion' RETURNING CAST(value AS INTEGER)",
        [],
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

pub fn get(
    conn: &Connection,
    scope: &str,
    set: &str,
    id: &str,
) -> rusqlite::Result<Option<Record>> {
    conn.query_row(
        "SELECT id, version, data FROM records WHERE scope = ?1 AND entity = ?2 AND id = ?3",
        params![scope, set, id.to_ascii_lowercase()],
        |r| Ok(decode(r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
}

/// All rows of a table in creation order.
pub fn list(conn: &Connection, scope: &str, set: &str) -> rusqlite::Result<Vec<Record>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, version, data FROM records WHERE scope = ?1 AND entity = ?2 ORDER BY rowid",
    )?;
    let rows = stmt.query_map(params![scope, set], |r| {
        Ok(decode(r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    rows.collect()
}

/// Rows whose `key` equals `value` (strings compared case-insensitively).
pub fn find(
    conn: &Connection,
    scope: &str,
    set: &str,
    key: &str,
    value: &str,
) -> rusqlite::Result<Vec<Record>> {
    Ok(list(conn, scope, set)?
        .into_iter()
        .filter(|r| r.str(key).is_some_and(|v| v.eq_ignore_ascii_case(value)))
        .collect())
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
    conn.execute(
        "INSERT INTO records (scope, entity, id, version, data) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            scope,
            set,
            id,
            version,
            Value::Object(data.clone()).to_string()
        ],
    )?;
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
    conn.execute(
        "UPDATE records SET version = ?4, data = ?5 WHERE scope = ?1 AND entity = ?2 AND id = ?3",
        params![
            scope,
            set,
            record.id,
            version,
            Value::Object(record.data.clone()).to_string()
        ],
    )?;
    Ok(())
}

pub fn delete(conn: &Connection, scope: &str, set: &str, id: &str) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "DELETE FROM records WHERE scope = ?1 AND entity = ?2 AND id = ?3",
        params![scope, set, id.to_ascii_lowercase()],
    )?;
    Ok(n > 0)
}

/// Associates `a` (first side) with `b` under an N:N relationship.
pub fn link(conn: &Connection, scope: &str, rel: &str, a: &str, b: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO links (scope, rel, a, b) VALUES (?1, ?2, ?3, ?4)",
        params![scope, rel, a.to_ascii_lowercase(), b.to_ascii_lowercase()],
    )?;
    Ok(())
}

pub fn unlink(
    conn: &Connection,
    scope: &str,
    rel: &str,
    a: &str,
    b: &str,
) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "DELETE FROM links WHERE scope = ?1 AND rel = ?2 AND a = ?3 AND b = ?4",
        params![scope, rel, a.to_ascii_lowercase(), b.to_ascii_lowercase()],
    )?;
    Ok(n > 0)
}

/// Ids linked to `id`; `left` = `id` is the first side.
pub fn linked(
    conn: &Connection,
    scope: &str,
    rel: &str,
    id: &str,
    left: bool,
) -> rusqlite::Result<Vec<String>> {
    let sql = if left {
        "SELECT b FROM links WHERE scope = ?1 AND rel = ?2 AND a = ?3 ORDER BY rowid"
    } else {
        "SELECT a FROM links WHERE scope = ?1 AND rel = ?2 AND b = ?3 ORDER BY rowid"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params![scope, rel, id.to_ascii_lowercase()], |r| r.get(0))?;
    rows.collect()
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
                link(c, "host", "rel", "p", "e")?;
                assert_eq!(linked(c, "host", "rel", "e", false)?, vec!["p".to_string()]);
                assert!(unlink(c, "host", "rel", "p", "e")?);
                assert!(delete(c, "host", "things", "abc")?);
                Ok(())
            })
            .unwrap();
    }
}
