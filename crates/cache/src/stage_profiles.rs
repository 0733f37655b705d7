//! `stage_profiles`: the values last used per solution × stage, to pre-fill the next deployment.
//!
//! Secret variables keep their name and type but never their value: saving one stores `None`
//! and records the name as Secret for the profile (see [`crate::redact`]), and a value that looks
//! like a Key Vault reference is dropped as well.

use std::collections::HashSet;

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{CacheError, Result};
use crate::redact::{self, looks_like_secret_reference};
use crate::runs::normalize_id;
use crate::{timefmt, Cache};

/// An environment variable definition's type (`environmentvariabledefinition.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VariableKind {
    /// 100000000.
    String,
    /// 100000001.
    Number,
    /// 100000002.
    Boolean,
    /// 100000003.
    Json,
    /// 100000004.
    DataSource,
    /// 100000005: the value is never stored.
    Secret,
}

impl VariableKind {
    /// From the Dataverse option value, if known.
    pub fn from_code(code: i32) -> Option<Self> {
        Some(match code {
            100_000_000 => VariableKind::String,
            100_000_001 => VariableKind::Number,
            100_000_002 => VariableKind::Boolean,
            100_000_003 => VariableKind::Json,
            100_000_004 => VariableKind::DataSource,
            100_000_005 => VariableKind::Secret,
            _ => return None,
        })
    }
}

/// One environment variable value as last used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageVariable {
    /// The definition's schema name.
    pub schema_name: String,
    /// Its type.
    pub kind: VariableKind,
    /// The value (always `None` for a Secret).
    pub value: Option<String>,
}

/// One connection reference as last used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageConnection {
    /// The connection reference's logical name.
    pub logical_name: String,
    /// The connection in the target.
    pub connection_id: String,
    /// The connector, when known.
    pub connector_id: Option<String>,
}

/// Values last used for one solution in one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageProfile {
    /// The solution's unique name (case-insensitive key).
    pub solution_name: String,
    /// The stage (`deploymentstageid`).
    pub stage_id: String,
    /// Environment variables.
    pub environment_variables: Vec<StageVariable>,
    /// Connection references.
    pub connection_references: Vec<StageConnection>,
    /// The deployment notes last used.
    pub deployment_notes: Option<String>,
    /// The run these values were used in.
    pub source_run_id: Option<String>,
    /// When saved (set by the cache).
    #[serde(with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
}

#[derive(Serialize, Deserialize)]
struct StoredValues {
    environment_variables: Vec<StageVariable>,
    connection_references: Vec<StageConnection>,
    deployment_notes: Option<String>,
}

fn redact_values(values: &mut StoredValues, secrets: &HashSet<String>) {
    for v in &mut values.environment_variables {
        let secret = v.kind == VariableKind::Secret
            || secrets.contains(&v.schema_name.to_ascii_lowercase())
            || v.value.as_deref().is_some_and(looks_like_secret_reference);
        if secret {
            v.value = None;
        }
    }
}

/// Re-applies redaction to a profile's stored stage profiles.
pub(crate) fn reredact(
    conn: &Connection,
    profile_id: &str,
    secrets: &HashSet<String>,
) -> Result<()> {
    let stored: Vec<(String, String, String)> = {
        let mut st = conn.prepare(
            "SELECT solution_name, stage_id, values_json FROM stage_profiles WHERE profile_id = ?1",
        )?;
        let rows = st.query_map([profile_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (solution, stage, json) in stored {
        let mut values: StoredValues = decode(&json)?;
        redact_values(&mut values, secrets);
        let redacted = encode(&values)?;
        if redacted != json {
            conn.execute(
                "UPDATE stage_profiles SET values_json = ?1
                 WHERE profile_id = ?2 AND solution_name = ?3 AND stage_id = ?4",
                params![redacted, profile_id, solution, stage],
            )?;
        }
    }
    Ok(())
}

fn decode(json: &str) -> Result<StoredValues> {
    serde_json::from_str(json).map_err(|e| CacheError::Corrupt {
        what: "stage profile",
        reason: e.to_string(),
    })
}

fn encode(values: &StoredValues) -> Result<String> {
    serde_json::to_string(values).map_err(|e| CacheError::Invalid {
        field: "stage profile",
        reason: e.to_string(),
    })
}

impl Cache {
    /// Saves the values used for a solution in a stage, replacing the previous ones. Secret
    /// values are dropped and their names remembered as Secret. Returns what was stored.
    pub fn save_stage_profile(
        &mut self,
        profile_id: &str,
        stage_profile: &StageProfile,
    ) -> Result<StageProfile> {
        let tx = self.write_tx()?;
        Cache::require_profile(&tx, profile_id)?;
        let new_secrets: Vec<&str> = stage_profile
            .environment_variables
            .iter()
            .filter(|v| v.kind == VariableKind::Secret)
            .map(|v| v.schema_name.as_str())
            .collect();
        if redact::insert_secret_names(&tx, profile_id, &new_secrets)? > 0 {
            redact::reredact_profile(&tx, profile_id)?;
        }
        let secrets = redact::secret_names(&tx, profile_id)?;
        let mut values = StoredValues {
            environment_variables: stage_profile.environment_variables.clone(),
            connection_references: stage_profile.connection_references.clone(),
            deployment_notes: stage_profile.deployment_notes.clone(),
        };
        redact_values(&mut values, &secrets);
        let now = timefmt::now();
        let stage_id = normalize_id(&stage_profile.stage_id);
        let source_run_id = stage_profile.source_run_id.as_deref().map(normalize_id);
        tx.execute(
            "INSERT INTO stage_profiles (profile_id, solution_name, stage_id, values_json,
                source_run_id, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (profile_id, solution_name, stage_id) DO UPDATE SET
                values_json = excluded.values_json, source_run_id = excluded.source_run_id,
                updated_at = excluded.updated_at",
            params![
                profile_id,
                stage_profile.solution_name,
                stage_id,
                encode(&values)?,
                source_run_id,
                timefmt::to_text(now)
            ],
        )?;
        tx.commit()?;
        self.stage_profile(profile_id, &stage_profile.solution_name, &stage_id)?
            .ok_or(CacheError::NotFound {
                kind: "stage profile",
                id: stage_id,
            })
    }

    /// The values last used for a solution (case-insensitive) in a stage.
    pub fn stage_profile(
        &self,
        profile_id: &str,
        solution_name: &str,
        stage_id: &str,
    ) -> Result<Option<StageProfile>> {
        self.stage_profiles_where(
            "profile_id = ?1 AND solution_name = ?2 AND stage_id = ?3",
            params![profile_id, solution_name, normalize_id(stage_id)],
        )
        .map(|mut v| v.pop())
    }

    /// Every stage profile of a solution (case-insensitive), by stage id.
    pub fn stage_profiles(
        &self,
        profile_id: &str,
        solution_name: &str,
    ) -> Result<Vec<StageProfile>> {
        self.stage_profiles_where(
            "profile_id = ?1 AND solution_name = ?2",
            params![profile_id, solution_name],
        )
    }

    fn stage_profiles_where(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<StageProfile>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT solution_name, stage_id, values_json, source_run_id, updated_at
             FROM stage_profiles WHERE {filter} ORDER BY stage_id"
        ))?;
        let rows = st
            .query_map(args, |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(solution_name, stage_id, json, source_run_id, updated)| {
                let v = decode(&json)?;
                Ok(StageProfile {
                    solution_name,
                    stage_id,
                    environment_variables: v.environment_variables,
                    connection_references: v.connection_references,
                    deployment_notes: v.deployment_notes,
                    source_run_id,
                    updated_at: Some(timefmt::from_text(&updated)?),
                })
            })
            .collect()
    }

    /// Forgets a stage profile. Returns whether there was one.
    pub fn delete_stage_profile(
        &mut self,
        profile_id: &str,
        solution_name: &str,
        stage_id: &str,
    ) -> Result<bool> {
        Ok(self.conn.execute(
            "DELETE FROM stage_profiles
             WHERE profile_id = ?1 AND solution_name = ?2 AND stage_id = ?3",
            params![profile_id, solution_name, normalize_id(stage_id)],
        )? > 0)
    }

    /// Reads a stage profile, if any, without the cache's clock (for tests comparing values).
    #[cfg(test)]
    fn stage_profile_values(&self, profile: &str, sol: &str, stage: &str) -> Option<StageProfile> {
        self.stage_profile(profile, sol, stage)
            .unwrap()
            .map(|p| StageProfile {
                updated_at: None,
                ..p
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::cache;

    fn sample() -> StageProfile {
        StageProfile {
            solution_name: "contoso_Core".into(),
            stage_id: "Stage-Test".into(),
            environment_variables: vec![
                StageVariable {
                    schema_name: "contoso_BaseUrl".into(),
                    kind: VariableKind::String,
                    value: Some("https://api.test.example.invalid".into()),
                },
                StageVariable {
                    schema_name: "contoso_ApiKey".into(),
                    kind: VariableKind::Secret,
                    value: Some("hunter2-never-stored".into()),
                },
            ],
            connection_references: vec![StageConnection {
                logical_name: "contoso_sharedoffice365".into(),
                connection_id: "conn-1".into(),
                connector_id: Some("/providers/Microsoft.PowerApps/apis/shared_office365".into()),
            }],
            deployment_notes: Some("monthly release".into()),
            source_run_id: Some("R1".into()),
            updated_at: None,
        }
    }

    #[test]
    fn round_trip_with_secret_dropped_and_name_remembered() {
        let mut c = cache();
        let stored = c.save_stage_profile("p", &sample()).unwrap();
        assert!(stored.updated_at.is_some());
        let got = c
            .stage_profile_values("p", "CONTOSO_CORE", "stage-test")
            .unwrap();
        let mut expected = sample();
        expected.stage_id = "stage-test".into();
        expected.source_run_id = Some("r1".into());
        expected.environment_variables[1].value = None;
        assert_eq!(got, expected);
        assert_eq!(c.secret_variables("p").unwrap(), ["contoso_apikey"]);
        assert_eq!(c.stage_profiles("p", "contoso_core").unwrap().len(), 1);
    }

    #[test]
    fn later_save_replaces_and_known_secrets_are_dropped_whatever_the_kind() {
        let mut c = cache();
        c.save_stage_profile("p", &sample()).unwrap();
        let mut next = sample();
        next.environment_variables[1].kind = VariableKind::String; // caller lost the type
        next.deployment_notes = None;
        c.save_stage_profile("p", &next).unwrap();
        let got = c
            .stage_profile_values("p", "contoso_Core", "stage-test")
            .unwrap();
        assert_eq!(got.environment_variables[1].value, None);
        assert_eq!(got.deployment_notes, None);
        assert!(c
            .delete_stage_profile("p", "contoso_core", "STAGE-TEST")
            .unwrap());
        assert!(c
            .stage_profile("p", "contoso_Core", "stage-test")
            .unwrap()
            .is_none());
    }

    #[test]
    fn marking_a_secret_later_redacts_what_is_stored() {
        let mut c = cache();
        c.save_stage_profile("p", &sample()).unwrap();
        c.mark_secret_variables("p", &["CONTOSO_BASEURL"]).unwrap();
        let got = c
            .stage_profile_values("p", "contoso_Core", "stage-test")
            .unwrap();
        assert_eq!(got.environment_variables[0].value, None);
    }

    #[test]
    fn variable_kinds_map_from_dataverse_codes() {
        assert_eq!(
            VariableKind::from_code(100_000_005),
            Some(VariableKind::Secret)
        );
        assert_eq!(VariableKind::from_code(1), None);
    }
}
