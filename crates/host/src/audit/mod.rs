//! The audit trail (Dataverse's `audit` table, set `audits`): one row per
//! write a caller makes on the host and per gate decision — who, when, which
//! message, which table and row, and old → new values of the changed columns
//! in Dataverse's `changedata` form. Read by administrators only. Its option sets
//! are in `action` (a leaf: the schema labels them).

pub mod action;

use rusqlite::Connection;
use serde_json::{json, Map, Value};

use crate::caller::Caller;
use crate::error::{ApiError, ApiResult};
use crate::schema::HOST_SCOPE;
use crate::store::records;

pub use action::{operation_label, Action};

/// Columns that change on every write and say nothing.
fn noise(key: &str) -> bool {
    key.starts_with("__") || matches!(key, "versionnumber" | "modifiedon" | "createdon")
}

/// `{"changedAttributes":[{logicalName, oldValue, newValue}]}` for the columns that differ.
pub fn changes(before: Option<&Map<String, Value>>, after: Option<&Map<String, Value>>) -> Value {
    let empty = Map::new();
    let (b, a) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).filter(|k| !noise(k)).collect();
    keys.sort();
    keys.dedup();
    let changed: Vec<Value> = keys
        .into_iter()
        .filter_map(|k| {
            let (old, new) = (
                b.get(k).unwrap_or(&Value::Null),
                a.get(k).unwrap_or(&Value::Null),
            );
            (old != new).then(|| json!({ "logicalName": k, "oldValue": old, "newValue": new }))
        })
        .collect();
    json!({ "changedAttributes": changed })
}

/// Appends one audit row (in the caller's transaction).
#[allow(clippy::too_many_arguments)]
pub fn append(
    conn: &Connection,
    caller: &Caller,
    action: Action,
    message: &str,
    logical: &str,
    object_id: &str,
    before: Option<&Map<String, Value>>,
    after: Option<&Map<String, Value>>,
) -> ApiResult<()> {
    let data = json!({
        "action": action as i64,
        "operation": action.operation(),
        "objecttypecode": logical,
        "_objectid_value": object_id,
        "_userid_value": caller.user_id,
        "ferry_message": message,
        "changedata": changes(before, after).to_string(),
    });
    let Value::Object(map) = data else {
        unreachable!()
    };
    records::insert(
        conn,
        HOST_SCOPE,
        "audits",
        "auditid",
        &uuid::Uuid::new_v4().to_string(),
        map,
    )
    .map_err(|e| ApiError::internal(format!("cannot write the audit trail: {e}")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_columns_are_listed() {
        let before = json!({"name": "a", "versionnumber": 1, "same": true});
        let after = json!({"name": "b", "versionnumber": 2, "same": true, "new": 3});
        let c = changes(before.as_object(), after.as_object());
        let list = c["changedAttributes"].as_array().unwrap();
        assert_eq!(list.len(), 2, "{c}");
        assert_eq!(list[0]["logicalName"], "name");
        assert_eq!(list[0]["oldValue"], "a");
        assert_eq!(list[1]["logicalName"], "new");
        assert!(list[1]["oldValue"].is_null());
    }
}
