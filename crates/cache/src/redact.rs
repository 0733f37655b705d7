//! Secret environment-variable values never reach the cache file.
//!
//! A deployment settings document (`deploymentsettingsjson`, spec §5.8) carries only schema names
//! and values, not types, so the cache keeps, per profile, the schema names known to be of type
//! Secret (`secret_variables`, filled by [`Cache::mark_secret_variables`] and by saving a stage
//! profile with a Secret variable). Every write of settings — a run's settings, a stage profile —
//! replaces the value of such a variable with [`REDACTED`]. A value that looks like an Azure Key
//! Vault secret reference is redacted even when its variable is not known to be Secret, and text
//! that is not JSON is not stored at all. Marking a name as secret also re-redacts what is already
//! stored; the connection opens with `secure_delete`, so overwritten values are zeroed in the file.

use std::collections::HashSet;

use rusqlite::{params, Connection};
use serde_json::Value;

use crate::error::Result;
use crate::Cache;

/// What a redacted value is replaced with.
pub const REDACTED: &str = "<redacted>";

/// What a settings document that is not JSON is stored as.
pub const REDACTED_NOT_JSON: &str = "\"<redacted: the settings were not valid JSON>\"";

/// Names (lower case) of the variables known to be Secret.
pub(crate) type SecretNames = HashSet<String>;

/// Whether a value looks like a Key Vault secret reference
/// (`/subscriptions/…/providers/Microsoft.KeyVault/vaults/…/secrets/…`).
pub fn looks_like_secret_reference(value: &str) -> bool {
    let v = value.to_ascii_lowercase();
    v.contains("/providers/microsoft.keyvault/vaults/") || v.contains(".vault.azure.net/secrets/")
}

/// Redacts a deployment settings document: every `EnvironmentVariables[].Value` whose
/// `SchemaName` is in `secrets` (case-insensitive), whose entry says it is a Secret, or that looks
/// like a Key Vault reference. Returns compact JSON; text that is not JSON is not kept.
pub fn redact_settings_json(raw: &str, secrets: &HashSet<String>) -> String {
    let Ok(mut doc) = serde_json::from_str::<Value>(raw) else {
        return REDACTED_NOT_JSON.to_string();
    };
    // Some writers double-encode the document as a JSON string.
    if let Value::String(inner) = &doc {
        match serde_json::from_str::<Value>(inner) {
            Ok(v) => doc = v,
            Err(_) => return REDACTED_NOT_JSON.to_string(),
        }
    }
    redact_value(&mut doc, secrets);
    doc.to_string()
}

fn redact_value(doc: &mut Value, secrets: &HashSet<String>) {
    match doc {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key.eq_ignore_ascii_case("EnvironmentVariables") {
                    if let Value::Array(vars) = v {
                        vars.iter_mut()
                            .for_each(|var| redact_variable(var, secrets));
                    }
                } else {
                    redact_value(v, secrets);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| redact_value(v, secrets)),
        Value::String(s) if looks_like_secret_reference(s) => *s = REDACTED.to_string(),
        _ => {}
    }
}

fn redact_variable(var: &mut Value, secrets: &HashSet<String>) {
    let Value::Object(map) = var else {
        redact_value(var, secrets);
        return;
    };
    let field = |name: &str| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
    };
    let named_secret =
        field("SchemaName").is_some_and(|n| secrets.contains(&n.to_ascii_lowercase()));
    let typed_secret = field("Type").is_some_and(|t| t.eq_ignore_ascii_case("secret"));
    let secret = named_secret || typed_secret;
    for (key, v) in map.iter_mut() {
        if key.eq_ignore_ascii_case("Value") || key.eq_ignore_ascii_case("DefaultValue") {
            let is_ref = v.as_str().is_some_and(looks_like_secret_reference);
            if (secret || is_ref) && !v.is_null() {
                *v = Value::String(REDACTED.into());
            }
        } else {
            redact_value(v, secrets);
        }
    }
}

pub(crate) fn secret_names(conn: &Connection, profile_id: &str) -> Result<SecretNames> {
    let mut st =
        conn.prepare_cached("SELECT schema_name FROM secret_variables WHERE profile_id = ?1")?;
    let rows = st.query_map([profile_id], |r| r.get::<_, String>(0))?;
    let mut out = HashSet::new();
    for r in rows {
        out.insert(r?.to_ascii_lowercase());
    }
    Ok(out)
}

pub(crate) fn insert_secret_names(
    conn: &Connection,
    profile_id: &str,
    names: &[&str],
) -> Result<usize> {
    let mut st = conn.prepare_cached(
        "INSERT OR IGNORE INTO secret_variables (profile_id, schema_name) VALUES (?1, ?2)",
    )?;
    let mut added = 0;
    for n in names {
        added += st.execute(params![profile_id, n])?;
    }
    Ok(added)
}

/// Re-applies redaction to every settings document stored for a profile.
pub(crate) fn reredact_profile(conn: &Connection, profile_id: &str) -> Result<()> {
    let secrets = secret_names(conn, profile_id)?;
    let stored: Vec<(i64, String)> = {
        let mut st = conn.prepare(
            "SELECT key, deployment_settings_json FROM runs
             WHERE profile_id = ?1 AND deployment_settings_json IS NOT NULL",
        )?;
        let rows = st.query_map([profile_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (key, json) in stored {
        let redacted = redact_settings_json(&json, &secrets);
        if redacted != json {
            conn.execute(
                "UPDATE runs SET deployment_settings_json = ?1 WHERE key = ?2",
                params![redacted, key],
            )?;
        }
    }
    crate::stage_profiles::reredact(conn, profile_id, &secrets)
}

impl Cache {
    /// Records that these environment variables (schema names) are of type Secret for a profile,
    /// and redacts their values wherever the cache already holds them.
    pub fn mark_secret_variables(&mut self, profile_id: &str, schema_names: &[&str]) -> Result<()> {
        let tx = self.write_tx()?;
        Cache::require_profile(&tx, profile_id)?;
        if insert_secret_names(&tx, profile_id, schema_names)? > 0 {
            reredact_profile(&tx, profile_id)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The schema names known to be Secret for a profile, sorted (lower case).
    pub fn secret_variables(&self, profile_id: &str) -> Result<Vec<String>> {
        let mut names: Vec<_> = secret_names(&self.conn, profile_id)?.into_iter().collect();
        names.sort();
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn secrets(names: &[&str]) -> HashSet<String> {
        names.iter().map(|n| n.to_ascii_lowercase()).collect()
    }

    #[test]
    fn known_secret_names_are_redacted_case_insensitively() {
        let raw = json!({
            "EnvironmentVariables": [
                {"SchemaName": "contoso_ApiKey", "Value": "hunter2"},
                {"SchemaName": "contoso_BaseUrl", "Value": "https://api.example.invalid"}
            ],
            "ConnectionReferences": [
                {"LogicalName": "contoso_sql", "ConnectionId": "abc", "ConnectorId": "/x/sql"}
            ]
        })
        .to_string();
        let out: Value =
            serde_json::from_str(&redact_settings_json(&raw, &secrets(&["CONTOSO_APIKEY"])))
                .unwrap();
        assert_eq!(out["EnvironmentVariables"][0]["Value"], REDACTED);
        assert_eq!(
            out["EnvironmentVariables"][1]["Value"],
            "https://api.example.invalid"
        );
        assert_eq!(out["ConnectionReferences"][0]["ConnectionId"], "abc");
    }

    #[test]
    fn key_vault_references_and_typed_secrets_are_redacted_without_a_name() {
        let raw = json!({"EnvironmentVariables": [
            {"SchemaName": "a", "Value": "/subscriptions/1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/secrets/s"},
            {"SchemaName": "b", "Value": "plain", "Type": "Secret"},
            {"SchemaName": "c", "Value": null}
        ]})
        .to_string();
        let out: Value =
            serde_json::from_str(&redact_settings_json(&raw, &HashSet::new())).unwrap();
        assert_eq!(out["EnvironmentVariables"][0]["Value"], REDACTED);
        assert_eq!(out["EnvironmentVariables"][1]["Value"], REDACTED);
        assert_eq!(out["EnvironmentVariables"][2]["Value"], Value::Null);
    }

    #[test]
    fn double_encoded_documents_are_unwrapped_and_garbage_is_not_kept() {
        let inner = json!({"EnvironmentVariables": [{"SchemaName": "k", "Value": "s3cret"}]});
        let raw = Value::String(inner.to_string()).to_string();
        let out = redact_settings_json(&raw, &secrets(&["k"]));
        assert!(!out.contains("s3cret"), "{out}");
        assert_eq!(
            redact_settings_json("{not json s3cret", &HashSet::new()),
            REDACTED_NOT_JSON
        );
    }
}
