//! `runs`: every `deploymentstagerun` Ferry created or synced (spec §2.5), with what only the
//! client knows (the stage and pipeline names at the time, the artifact's hash).
//!
//! [`Cache::upsert_run`] is the one write path. It is idempotent: writing the same row twice
//! changes nothing, and a timeline entry is appended only when the run's state changes (status,
//! operation, sub-operation, operation status or a gate status). A `None` field means "not in
//! this read" (history and poll queries select different columns), so it never erases a stored
//! value. A row older than the stored one (by `modifiedon` or `versionnumber`) is ignored as
//! stale. The settings document is redacted before it is written (see [`crate::redact`]).

use std::sync::OnceLock;

use rusqlite::types::{Type, Value as SqlValue};
use rusqlite::{params, params_from_iter, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::codes::stage_run_status;
use crate::error::{CacheError, Result};
use crate::redact::{self, SecretNames};
use crate::timeline::{self, RunState, TimelineEntry};
use crate::{index, timefmt, Cache};

/// One stage run: the host's columns, as the client read them, plus client-side additions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageRun {
    /// `deploymentstagerunid` (stored lower case).
    pub id: String,
    /// `name` (host-generated).
    pub name: Option<String>,
    /// `_deploymentstageid_value` (stored lower case).
    pub stage_id: String,
    /// The stage's name when the run was read (client-side).
    pub stage_name: Option<String>,
    /// The stage's pipeline (client-side).
    pub pipeline_id: Option<String>,
    /// The pipeline's name (client-side).
    pub pipeline_name: Option<String>,
    /// `_devdeploymentenvironment_value`.
    pub dev_deployment_environment_id: Option<String>,
    /// `_targetdeploymentenvironment_value`.
    pub target_deployment_environment_id: Option<String>,
    /// The target environment's name (client-side).
    pub target_environment_name: Option<String>,
    /// `devenvironmentid` (BAP id).
    pub dev_environment_id: Option<String>,
    /// `targetenvironmentid` (BAP id).
    pub target_environment_id: Option<String>,
    /// `artifactname`: the solution's unique name.
    pub artifact_name: String,
    /// `solutionid` in dev.
    pub solution_id: Option<String>,
    /// `_artifactid_value`.
    pub artifact_id: Option<String>,
    /// `artifactdevcurrentversion`.
    pub artifact_dev_current_version: Option<String>,
    /// `artifactversion`.
    pub artifact_version: Option<String>,
    /// `isredeployment`.
    pub is_redeployment: Option<bool>,
    /// `makerainoteslanguagecode`.
    pub maker_ai_notes_language_code: Option<String>,
    /// `deploymentnotes`.
    pub deployment_notes: Option<String>,
    /// `aigenerateddeploymentnotes`.
    pub ai_generated_deployment_notes: Option<String>,
    /// `deploymentsettingsjson`: the settings used. Stored redacted; read back redacted.
    pub deployment_settings_json: Option<String>,
    /// `scheduledtime`.
    #[serde(with = "time::serde::rfc3339::option")]
    pub scheduled_time: Option<OffsetDateTime>,
    /// `stagerunstatus` (see [`crate::codes::stage_run_status`]).
    pub stage_run_status: i32,
    /// The host's formatted value of `stagerunstatus`.
    pub stage_run_status_label: Option<String>,
    /// `operation`.
    pub operation: Option<i32>,
    /// Formatted `operation`.
    pub operation_label: Option<String>,
    /// `suboperation`.
    pub sub_operation: Option<i32>,
    /// Formatted `suboperation`.
    pub sub_operation_label: Option<String>,
    /// `operationstatus`.
    pub operation_status: Option<i32>,
    /// Formatted `operationstatus`.
    pub operation_status_label: Option<String>,
    /// `operationdetails`.
    pub operation_details: Option<String>,
    /// `validationresults`, decoded (see [`decode_validation_results`]).
    pub validation_results: Option<serde_json::Value>,
    /// `errormessage`.
    pub error_message: Option<String>,
    /// `starttime`.
    #[serde(with = "time::serde::rfc3339::option")]
    pub start_time: Option<OffsetDateTime>,
    /// `endtime`.
    #[serde(with = "time::serde::rfc3339::option")]
    pub end_time: Option<OffsetDateTime>,
    /// `retrycount`.
    pub retry_count: Option<i64>,
    /// `approvalstatus` (10/20/30).
    pub approval_status: Option<i32>,
    /// `predeploymentstepstatus` (10/20/30).
    pub pre_deployment_step_status: Option<i32>,
    /// `postdeploymentstepstatus` (10).
    pub post_deployment_step_status: Option<i32>,
    /// `preexportstepstatus` (10/20/30), where the host has it.
    pub pre_export_step_status: Option<i32>,
    /// `iscanceled`.
    pub is_canceled: Option<bool>,
    /// `statecode`.
    pub state_code: Option<i32>,
    /// `statuscode`.
    pub status_code: Option<i32>,
    /// `createdon`.
    #[serde(with = "time::serde::rfc3339::option")]
    pub created_on: Option<OffsetDateTime>,
    /// `_createdby_value` formatted (the maker's name).
    pub created_by: Option<String>,
    /// `modifiedon`.
    #[serde(with = "time::serde::rfc3339::option")]
    pub modified_on: Option<OffsetDateTime>,
    /// `versionnumber` (the row version behind `@odata.etag`).
    pub version_number: Option<String>,
    /// SHA-256 (hex) of the managed artifact the run deployed (client-side).
    pub artifact_hash: Option<String>,
}

/// A run as the cache holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedRun {
    /// The profile (host) the run belongs to.
    pub profile_id: String,
    /// The run.
    #[serde(flatten)]
    pub run: StageRun,
    /// Whether the run reached Succeeded, Failed or Canceled.
    pub is_terminal: bool,
    /// When the cache first stored the run.
    #[serde(with = "time::serde::rfc3339")]
    pub first_seen_at: OffsetDateTime,
    /// When the run was last written.
    #[serde(with = "time::serde::rfc3339")]
    pub last_synced_at: OffsetDateTime,
}

impl CachedRun {
    /// The status label: the host's, or a built-in one for a known code.
    pub fn status_label(&self) -> Option<&str> {
        self.run
            .stage_run_status_label
            .as_deref()
            .or_else(|| stage_run_status::label(self.run.stage_run_status))
    }
}

/// What [`Cache::upsert_run`] did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpsertOutcome {
    /// The run was new to the cache.
    pub inserted: bool,
    /// The row was older than the stored one (by `modifiedon` or `versionnumber`) and was
    /// ignored.
    pub stale: bool,
    /// The timeline entry appended, when the run's state changed.
    pub transition: Option<TimelineEntry>,
}

/// Decodes the host's `validationresults` text: parsed once, and again if the first parse gives
/// a string (some hosts double-encode it). `None` for empty or unparseable text.
pub fn decode_validation_results(raw: &str) -> Option<serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(raw).ok()?;
    match v {
        serde_json::Value::String(inner) => serde_json::from_str(&inner).ok(),
        serde_json::Value::Null => None,
        other => Some(other),
    }
}

/// Columns written from a [`StageRun`], in struct order. `true` = required (always overwritten).
const RUN_COLUMNS: &[(&str, bool)] = &[
    ("name", false),
    ("stage_id", true),
    ("stage_name", false),
    ("pipeline_id", false),
    ("pipeline_name", false),
    ("dev_deployment_environment_id", false),
    ("target_deployment_environment_id", false),
    ("target_environment_name", false),
    ("dev_environment_id", false),
    ("target_environment_id", false),
    ("artifact_name", true),
    ("solution_id", false),
    ("artifact_id", false),
    ("artifact_dev_current_version", false),
    ("artifact_version", false),
    ("is_redeployment", false),
    ("maker_ai_notes_language_code", false),
    ("deployment_notes", false),
    ("ai_generated_deployment_notes", false),
    ("deployment_settings_json", false),
    ("scheduled_time", false),
    ("stage_run_status", true),
    ("stage_run_status_label", false),
    ("operation", false),
    ("operation_label", false),
    ("sub_operation", false),
    ("sub_operation_label", false),
    ("operation_status", false),
    ("operation_status_label", false),
    ("operation_details", false),
    ("validation_results", false),
    ("error_message", false),
    ("start_time", false),
    ("end_time", false),
    ("retry_count", false),
    ("approval_status", false),
    ("pre_deployment_step_status", false),
    ("post_deployment_step_status", false),
    ("pre_export_step_status", false),
    ("is_canceled", false),
    ("state_code", false),
    ("status_code", false),
    ("created_on", false),
    ("created_by", false),
    ("modified_on", false),
    ("version_number", false),
    ("artifact_hash", false),
];

/// Label columns and the code they describe: a new code without a label clears the old label.
const LABELS: &[(&str, &str)] = &[
    ("stage_run_status_label", "stage_run_status"),
    ("operation_label", "operation"),
    ("sub_operation_label", "sub_operation"),
    ("operation_status_label", "operation_status"),
];

fn upsert_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let names: Vec<&str> = RUN_COLUMNS.iter().map(|(n, _)| *n).collect();
        let all = ["profile_id", "id"]
            .into_iter()
            .chain(names.iter().copied())
            .chain([
                "is_terminal",
                "sort_time",
                "order_key",
                "first_seen_at",
                "last_synced_at",
            ])
            .collect::<Vec<_>>();
        let placeholders = (1..=all.len()).map(|i| format!("?{i}")).collect::<Vec<_>>();
        let mut sets: Vec<String> = RUN_COLUMNS
            .iter()
            .map(|(n, required)| {
                if *required {
                    format!("{n} = excluded.{n}")
                } else if let Some((_, code)) = LABELS.iter().find(|(l, _)| l == n) {
                    format!(
                        "{n} = CASE WHEN excluded.{n} IS NOT NULL THEN excluded.{n} \
                         WHEN excluded.{code} IS NOT NULL AND excluded.{code} IS NOT runs.{code} \
                         THEN NULL ELSE runs.{n} END"
                    )
                } else {
                    format!("{n} = coalesce(excluded.{n}, runs.{n})")
                }
            })
            .collect();
        sets.extend(
            ["is_terminal", "sort_time", "order_key", "last_synced_at"]
                .map(|n| format!("{n} = excluded.{n}")),
        );
        format!(
            "INSERT INTO runs ({}) VALUES ({}) ON CONFLICT (profile_id, id) DO UPDATE SET {}",
            all.join(", "),
            placeholders.join(", "),
            sets.join(", ")
        )
    })
}

fn text(v: &Option<String>) -> SqlValue {
    v.clone().map_or(SqlValue::Null, SqlValue::Text)
}
fn int(v: Option<i32>) -> SqlValue {
    v.map_or(SqlValue::Null, |v| SqlValue::Integer(v.into()))
}
fn int64(v: Option<i64>) -> SqlValue {
    v.map_or(SqlValue::Null, SqlValue::Integer)
}
fn boolean(v: Option<bool>) -> SqlValue {
    v.map_or(SqlValue::Null, |b| SqlValue::Integer(b.into()))
}
fn when(v: Option<OffsetDateTime>) -> SqlValue {
    v.map_or(SqlValue::Null, |t| SqlValue::Text(timefmt::to_text(t)))
}

/// The values of [`RUN_COLUMNS`] for a run whose settings were already redacted.
fn column_values(r: &StageRun, settings: Option<String>) -> Vec<SqlValue> {
    vec![
        text(&r.name),
        SqlValue::Text(r.stage_id.clone()),
        text(&r.stage_name),
        text(&r.pipeline_id),
        text(&r.pipeline_name),
        text(&r.dev_deployment_environment_id),
        text(&r.target_deployment_environment_id),
        text(&r.target_environment_name),
        text(&r.dev_environment_id),
        text(&r.target_environment_id),
        SqlValue::Text(r.artifact_name.clone()),
        text(&r.solution_id),
        text(&r.artifact_id),
        text(&r.artifact_dev_current_version),
        text(&r.artifact_version),
        boolean(r.is_redeployment),
        text(&r.maker_ai_notes_language_code),
        text(&r.deployment_notes),
        text(&r.ai_generated_deployment_notes),
        text(&settings),
        when(r.scheduled_time),
        SqlValue::Integer(r.stage_run_status.into()),
        text(&r.stage_run_status_label),
        int(r.operation),
        text(&r.operation_label),
        int(r.sub_operation),
        text(&r.sub_operation_label),
        int(r.operation_status),
        text(&r.operation_status_label),
        text(&r.operation_details),
        text(&r.validation_results.as_ref().map(|v| v.to_string())),
        text(&r.error_message),
        when(r.start_time),
        when(r.end_time),
        int64(r.retry_count),
        int(r.approval_status),
        int(r.pre_deployment_step_status),
        int(r.post_deployment_step_status),
        int(r.pre_export_step_status),
        boolean(r.is_canceled),
        int(r.state_code),
        int(r.status_code),
        when(r.created_on),
        text(&r.created_by),
        when(r.modified_on),
        text(&r.version_number),
        text(&r.artifact_hash),
    ]
}

/// `SELECT` list that [`read_run`] decodes; prefix with a table alias-free `FROM runs`.
pub(crate) fn select_list() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        let mut cols = vec!["runs.profile_id", "runs.id"];
        let names: Vec<String> = RUN_COLUMNS
            .iter()
            .map(|(n, _)| format!("runs.{n}"))
            .collect();
        cols.extend(names.iter().map(String::as_str));
        cols.extend([
            "runs.is_terminal",
            "runs.first_seen_at",
            "runs.last_synced_at",
        ]);
        cols.join(", ")
    })
}

fn time_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<OffsetDateTime>> {
    let s: Option<String> = r.get(i)?;
    s.map(|s| {
        timefmt::from_text(&s)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
    })
    .transpose()
}

/// Decodes a row selected with [`select_list`].
pub(crate) fn read_run(r: &Row<'_>) -> rusqlite::Result<CachedRun> {
    let mut i = 0usize;
    let mut next = || {
        i += 1;
        i - 1
    };
    let profile_id: String = r.get(next())?;
    let id: String = r.get(next())?;
    let run = StageRun {
        id,
        name: r.get(next())?,
        stage_id: r.get(next())?,
        stage_name: r.get(next())?,
        pipeline_id: r.get(next())?,
        pipeline_name: r.get(next())?,
        dev_deployment_environment_id: r.get(next())?,
        target_deployment_environment_id: r.get(next())?,
        target_environment_name: r.get(next())?,
        dev_environment_id: r.get(next())?,
        target_environment_id: r.get(next())?,
        artifact_name: r.get(next())?,
        solution_id: r.get(next())?,
        artifact_id: r.get(next())?,
        artifact_dev_current_version: r.get(next())?,
        artifact_version: r.get(next())?,
        is_redeployment: r.get(next())?,
        maker_ai_notes_language_code: r.get(next())?,
        deployment_notes: r.get(next())?,
        ai_generated_deployment_notes: r.get(next())?,
        deployment_settings_json: r.get(next())?,
        scheduled_time: time_at(r, next())?,
        stage_run_status: r.get(next())?,
        stage_run_status_label: r.get(next())?,
        operation: r.get(next())?,
        operation_label: r.get(next())?,
        sub_operation: r.get(next())?,
        sub_operation_label: r.get(next())?,
        operation_status: r.get(next())?,
        operation_status_label: r.get(next())?,
        operation_details: r.get(next())?,
        validation_results: {
            let i = next();
            let s: Option<String> = r.get(i)?;
            s.map(|s| {
                serde_json::from_str(&s).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e))
                })
            })
            .transpose()?
        },
        error_message: r.get(next())?,
        start_time: time_at(r, next())?,
        end_time: time_at(r, next())?,
        retry_count: r.get(next())?,
        approval_status: r.get(next())?,
        pre_deployment_step_status: r.get(next())?,
        post_deployment_step_status: r.get(next())?,
        pre_export_step_status: r.get(next())?,
        is_canceled: r.get(next())?,
        state_code: r.get(next())?,
        status_code: r.get(next())?,
        created_on: time_at(r, next())?,
        created_by: r.get(next())?,
        modified_on: time_at(r, next())?,
        version_number: r.get(next())?,
        artifact_hash: r.get(next())?,
    };
    let is_terminal: bool = r.get(next())?;
    let first = next();
    let last = next();
    let missing = |i| rusqlite::Error::InvalidColumnType(i, "time".into(), Type::Null);
    Ok(CachedRun {
        profile_id,
        run,
        is_terminal,
        first_seen_at: time_at(r, first)?.ok_or_else(|| missing(first))?,
        last_synced_at: time_at(r, last)?.ok_or_else(|| missing(last))?,
    })
}

fn validate(run: &StageRun) -> Result<()> {
    for (field, value) in [
        ("stage run id", &run.id),
        ("stage id", &run.stage_id),
        ("artifact name", &run.artifact_name),
    ] {
        if value.trim().is_empty() {
            return Err(CacheError::Invalid {
                field,
                reason: "must not be empty".into(),
            });
        }
    }
    Ok(())
}

/// Index of `stage_id` in the upsert's values (after `profile_id`, `id` and `name`).
const STAGE_ID_VALUE: usize = 3;

fn row_version(v: &Option<String>) -> Option<i64> {
    v.as_deref().and_then(|v| v.trim().parse().ok())
}

/// Normalises a Dataverse GUID for storage and lookup: lower case, no braces.
pub(crate) fn normalize_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_ascii_lowercase()
}

/// What the upsert needs to know about the stored row.
struct Existing {
    key: i64,
    modified_on: Option<String>,
    version_number: Option<String>,
    sort_time: String,
    order_key: i64,
    state: RunState,
}

/// A free `order_key` for `sort_time`: its Unix microseconds, bumped past any taken value.
fn free_order_key(tx: &Transaction<'_>, sort_time: &str) -> Result<i64> {
    let t = timefmt::from_text(sort_time)?;
    let mut candidate = i64::try_from(t.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX);
    let mut taken = tx.prepare_cached("SELECT EXISTS (SELECT 1 FROM runs WHERE order_key = ?1)")?;
    while taken.query_row([candidate], |r| r.get::<_, bool>(0))? {
        candidate += 1;
    }
    Ok(candidate)
}

/// Upserts one run inside `tx` (see [`Cache::upsert_run`]).
pub(crate) fn upsert_in(
    tx: &Transaction<'_>,
    profile_id: &str,
    secrets: &SecretNames,
    run: &StageRun,
) -> Result<UpsertOutcome> {
    validate(run)?;
    let id = normalize_id(&run.id);
    let existing: Option<Existing> = tx
        .prepare_cached(&format!(
            "SELECT key, modified_on, version_number, sort_time, order_key, {} FROM runs
             WHERE profile_id = ?1 AND id = ?2",
            RunState::COLUMNS
        ))?
        .query_row(params![profile_id, id], |r| {
            Ok(Existing {
                key: r.get(0)?,
                modified_on: r.get(1)?,
                version_number: r.get(2)?,
                sort_time: r.get(3)?,
                order_key: r.get(4)?,
                state: RunState::read(r, 5)?,
            })
        })
        .optional()?;
    if let Some(stored) = &existing {
        let older_time = match (run.modified_on, &stored.modified_on) {
            (Some(incoming), Some(stored)) => incoming < timefmt::from_text(stored)?,
            _ => false,
        };
        // `versionnumber` is the row version: finer than `modifiedon`'s seconds.
        let older_version = match (
            row_version(&run.version_number),
            row_version(&stored.version_number),
        ) {
            (Some(incoming), Some(stored)) => incoming < stored,
            _ => false,
        };
        if older_time || older_version {
            return Ok(UpsertOutcome {
                inserted: false,
                stale: true,
                transition: None,
            });
        }
    }
    let now = timefmt::now();
    let now_text = timefmt::to_text(now);
    let sort_time = match (run.created_on, &existing) {
        (Some(t), _) => timefmt::to_text(t),
        (None, Some(stored)) => stored.sort_time.clone(),
        (None, None) => now_text.clone(),
    };
    let order_key = match &existing {
        Some(stored) if stored.sort_time == sort_time => stored.order_key,
        _ => free_order_key(tx, &sort_time)?,
    };
    // The index keeps no copy of the text: what it holds now is built from the stored run.
    let indexed = match &existing {
        Some(stored) => Some(index::index_row(tx, stored.key)?),
        None => None,
    };
    let settings = run
        .deployment_settings_json
        .as_deref()
        .map(|raw| redact::redact_settings_json(raw, secrets));
    let mut values = vec![
        SqlValue::Text(profile_id.into()),
        SqlValue::Text(id.clone()),
    ];
    values.extend(column_values(run, settings));
    values[STAGE_ID_VALUE] = SqlValue::Text(normalize_id(&run.stage_id));
    values.extend([
        SqlValue::Integer(stage_run_status::is_terminal(run.stage_run_status).into()),
        SqlValue::Text(sort_time),
        SqlValue::Integer(order_key),
        SqlValue::Text(now_text.clone()),
        SqlValue::Text(now_text),
    ]);
    tx.prepare_cached(upsert_sql())?
        .execute(params_from_iter(values))?;

    let (key, state): (i64, RunState) = tx
        .prepare_cached(&format!(
            "SELECT key, {} FROM runs WHERE profile_id = ?1 AND id = ?2",
            RunState::COLUMNS
        ))?
        .query_row(params![profile_id, id], |r| {
            Ok((r.get(0)?, RunState::read(r, 1)?))
        })?;
    let changed = existing.as_ref().is_none_or(|stored| stored.state != state);
    let transition = if changed {
        let at = run.modified_on.unwrap_or(now);
        Some(timeline::append(tx, key, at, now, &state)?)
    } else {
        None
    };
    index::index_run(tx, key, indexed)?;
    Ok(UpsertOutcome {
        inserted: existing.is_none(),
        stale: false,
        transition,
    })
}

impl Cache {
    /// Inserts or updates a run by id and appends a timeline entry when its state changed.
    /// Safe to repeat: re-syncing the same row is a no-op.
    pub fn upsert_run(&mut self, profile_id: &str, run: &StageRun) -> Result<UpsertOutcome> {
        Ok(self
            .upsert_runs(profile_id, std::slice::from_ref(run))?
            .remove(0))
    }

    /// [`Cache::upsert_run`] for many runs in one transaction (a history sync page).
    pub fn upsert_runs(
        &mut self,
        profile_id: &str,
        runs: &[StageRun],
    ) -> Result<Vec<UpsertOutcome>> {
        let tx = self.write_tx()?;
        Cache::require_profile(&tx, profile_id)?;
        let secrets = redact::secret_names(&tx, profile_id)?;
        let out = runs
            .iter()
            .map(|run| upsert_in(&tx, profile_id, &secrets, run))
            .collect::<Result<Vec<_>>>()?;
        tx.commit()?;
        Ok(out)
    }

    /// Notes what this Ferry sent for a run and has not seen answered (`create`,
    /// `validate`, `deploy`), or (`None`) that the host answered.
    pub fn set_unconfirmed(
        &mut self,
        profile_id: &str,
        run_id: &str,
        action: Option<&str>,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE runs SET unconfirmed = ?3 WHERE profile_id = ?1 AND id = ?2",
            params![profile_id, normalize_id(run_id), action],
        )?;
        Ok(())
    }

    /// The runs of a solution in a stage whose last request's answer was lost, oldest
    /// first: `(run id, what was sent)`, ended ones too (a sync may have seen the end of
    /// a deployment whose start went unanswered). Only runs this Ferry created are here.
    pub fn unconfirmed_runs(
        &self,
        profile_id: &str,
        solution: &str,
        stage_id: &str,
    ) -> Result<Vec<(String, String)>> {
        let mut st = self.conn.prepare_cached(
            "SELECT id, unconfirmed FROM runs
             WHERE profile_id = ?1 AND unconfirmed IS NOT NULL
               AND artifact_name = ?2 COLLATE NOCASE AND stage_id = ?3 COLLATE NOCASE
             ORDER BY order_key",
        )?;
        let rows = st.query_map(params![profile_id, solution, stage_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A run the host says it never received: kept in history as "Never started",
    /// finished, so nothing resumes or carries it on.
    pub fn mark_never_started(&mut self, profile_id: &str, run_id: &str) -> Result<()> {
        let tx = self.write_tx()?;
        let key: Option<i64> = tx
            .query_row(
                "UPDATE runs SET unconfirmed = NULL, is_terminal = 1,
                                 stage_run_status_label = 'Never started'
                 WHERE profile_id = ?1 AND id = ?2 RETURNING key",
                params![profile_id, normalize_id(run_id)],
                |r| r.get(0),
            )
            .optional()?;
        // The label is searchable: the index row follows it.
        if let Some(key) = key {
            index::index_run(&tx, key, None)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// How many runs the cache holds for a profile.
    pub fn run_count(&self, profile_id: &str) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM runs WHERE profile_id = ?1",
            [profile_id],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    /// One run by id.
    pub fn run(&self, profile_id: &str, run_id: &str) -> Result<Option<CachedRun>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {} FROM runs WHERE profile_id = ?1 AND id = ?2",
                select_list()
            ))?
            .query_row(params![profile_id, normalize_id(run_id)], read_run)
            .optional()?)
    }

    /// Records the SHA-256 (hex) of the artifact a run deployed.
    pub fn set_artifact_hash(
        &mut self,
        profile_id: &str,
        run_id: &str,
        sha256: &str,
    ) -> Result<()> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(CacheError::Invalid {
                field: "artifact hash",
                reason: format!("{sha256:?} is not a hex SHA-256"),
            });
        }
        let n = self.conn.execute(
            "UPDATE runs SET artifact_hash = ?1 WHERE profile_id = ?2 AND id = ?3",
            params![
                sha256.to_ascii_lowercase(),
                profile_id,
                normalize_id(run_id)
            ],
        )?;
        if n == 0 {
            return Err(CacheError::NotFound {
                kind: "stage run",
                id: run_id.into(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::codes::{gate_status, stage_run_status as s};
    use crate::testutil::cache;
    use serde_json::json;
    use time::macros::datetime;

    pub(crate) fn run(id: &str, status: i32) -> StageRun {
        StageRun {
            id: id.into(),
            stage_id: "stage-test".into(),
            stage_name: Some("Test".into()),
            artifact_name: "contoso_Core".into(),
            stage_run_status: status,
            created_on: Some(datetime!(2026-03-01 10:00 UTC)),
            modified_on: Some(datetime!(2026-03-01 10:00 UTC)),
            ..StageRun::default()
        }
    }

    #[test]
    fn lost_answers_are_kept_until_the_run_is_found_or_never_started() {
        let mut c = cache();
        let a = "7e0c9a52-1111-4aaa-8bbb-00000000000a";
        let b = "7e0c9a52-1111-4aaa-8bbb-00000000000b";
        c.upsert_run("p", &run(a, s::NOT_STARTED)).unwrap();
        c.upsert_run("p", &run(b, s::NOT_STARTED)).unwrap();
        c.set_unconfirmed("p", a, Some("create")).unwrap();
        c.set_unconfirmed("p", &b.to_uppercase(), Some("deploy"))
            .unwrap();
        let lost = c
            .unconfirmed_runs("p", "CONTOSO_CORE", "stage-test")
            .unwrap();
        assert_eq!(lost.len(), 2);
        assert!(lost.contains(&(a.to_string(), "create".to_string())));
        assert!(c
            .unconfirmed_runs("p", "contoso_Core", "other")
            .unwrap()
            .is_empty());
        c.set_unconfirmed("p", b, None).unwrap();
        c.mark_never_started("p", a).unwrap();
        assert!(c
            .unconfirmed_runs("p", "contoso_Core", "stage-test")
            .unwrap()
            .is_empty());
        let never = c.run("p", a).unwrap().unwrap();
        assert!(never.is_terminal);
        assert_eq!(never.status_label(), Some("Never started"));
        // Nothing resumes it.
        assert!(c
            .unfinished_runs("p")
            .unwrap()
            .iter()
            .all(|r| r.run.id != a));
    }

    fn full_run() -> StageRun {
        StageRun {
            id: "7E0C9A52-1111-4AAA-8BBB-000000000001".into(),
            name: Some("Test - contoso_Core - 1.0.0.3".into()),
            stage_id: "stage-test".into(),
            stage_name: Some("Test".into()),
            pipeline_id: Some("pl1".into()),
            pipeline_name: Some("Contoso ALM".into()),
            dev_deployment_environment_id: Some("reg-dev".into()),
            target_deployment_environment_id: Some("reg-test".into()),
            target_environment_name: Some("Contoso Test".into()),
            dev_environment_id: Some("bap-dev".into()),
            target_environment_id: Some("bap-test".into()),
            artifact_name: "contoso_Core".into(),
            solution_id: Some("sol-1".into()),
            artifact_id: Some("art-1".into()),
            artifact_dev_current_version: Some("1.0.0.2".into()),
            artifact_version: Some("1.0.0.3".into()),
            is_redeployment: Some(false),
            maker_ai_notes_language_code: Some("en-US".into()),
            deployment_notes: Some("adds the invoice form".into()),
            ai_generated_deployment_notes: Some("AI: adds a form".into()),
            deployment_settings_json: Some(
                json!({"EnvironmentVariables": [], "ConnectionReferences": []}).to_string(),
            ),
            scheduled_time: Some(datetime!(2026-04-01 10:00 UTC)),
            stage_run_status: s::DEPLOYING,
            stage_run_status_label: Some("Deploying".into()),
            operation: Some(200_000_202),
            operation_label: Some("Deploy".into()),
            sub_operation: Some(200_000_104),
            sub_operation_label: Some("Importing Solution".into()),
            operation_status: Some(200_000_001),
            operation_status_label: Some("Started".into()),
            operation_details: Some("importing".into()),
            validation_results: Some(json!({"ValidationStatus": "Passed"})),
            error_message: None,
            start_time: Some(datetime!(2026-04-01 10:00:05 UTC)),
            end_time: None,
            retry_count: Some(0),
            approval_status: Some(gate_status::COMPLETED),
            pre_deployment_step_status: Some(gate_status::COMPLETED),
            post_deployment_step_status: None,
            pre_export_step_status: None,
            is_canceled: Some(false),
            state_code: Some(0),
            status_code: Some(1),
            created_on: Some(datetime!(2026-04-01 09:58 UTC)),
            created_by: Some("Maker One".into()),
            modified_on: Some(datetime!(2026-04-01 10:00:06 UTC)),
            version_number: Some("1234567".into()),
            artifact_hash: Some("ab".repeat(32)),
        }
    }

    #[test]
    fn every_field_round_trips() {
        let mut c = cache();
        let r = full_run();
        let out = c.upsert_run("p", &r).unwrap();
        assert!(out.inserted && !out.stale && out.transition.is_some());
        let got = c
            .run("p", "{7e0c9a52-1111-4aaa-8bbb-000000000001}")
            .unwrap()
            .unwrap();
        let mut expected = r.clone();
        expected.id = normalize_id(&r.id);
        assert_eq!(got.run, expected);
        assert_eq!(got.profile_id, "p");
        assert!(!got.is_terminal);
        assert_eq!(got.status_label(), Some("Deploying"));
    }

    #[test]
    fn none_never_erases_and_a_new_code_drops_the_old_label() {
        let mut c = cache();
        c.upsert_run("p", &full_run()).unwrap();
        let thin = StageRun {
            id: full_run().id,
            stage_id: "stage-test".into(),
            artifact_name: "contoso_Core".into(),
            stage_run_status: s::SUCCEEDED,
            sub_operation: Some(200_000_106),
            modified_on: Some(datetime!(2026-04-01 10:05 UTC)),
            ..StageRun::default()
        };
        c.upsert_run("p", &thin).unwrap();
        let got = c.run("p", &full_run().id).unwrap().unwrap();
        assert_eq!(
            got.run.deployment_notes.as_deref(),
            Some("adds the invoice form")
        );
        assert_eq!(
            got.run.validation_results,
            Some(json!({"ValidationStatus": "Passed"}))
        );
        assert_eq!(
            got.run.stage_run_status_label, None,
            "label of the old status must go"
        );
        assert_eq!(got.status_label(), Some("Succeeded"));
        assert_eq!(got.run.sub_operation_label, None);
        assert_eq!(
            got.run.operation_label.as_deref(),
            Some("Deploy"),
            "same code keeps label"
        );
        assert!(got.is_terminal);
    }

    #[test]
    fn stale_rows_are_ignored() {
        let mut c = cache();
        let mut newer = run("r1", s::SUCCEEDED);
        newer.modified_on = Some(datetime!(2026-03-01 11:00 UTC));
        c.upsert_run("p", &newer).unwrap();
        let older = run("r1", s::VALIDATING);
        let out = c.upsert_run("p", &older).unwrap();
        assert!(out.stale && out.transition.is_none());
        assert_eq!(
            c.run("p", "r1").unwrap().unwrap().run.stage_run_status,
            s::SUCCEEDED
        );
    }

    #[test]
    fn an_older_row_version_is_stale_even_within_the_same_second() {
        let mut c = cache();
        let mut newer = run("r1", s::DEPLOYING);
        newer.version_number = Some("1001".into());
        c.upsert_run("p", &newer).unwrap();
        let mut older = run("r1", s::VALIDATION_SUCCEEDED);
        older.version_number = Some("999".into());
        assert!(c.upsert_run("p", &older).unwrap().stale);
        assert_eq!(c.timeline("p", "r1").unwrap().len(), 1);
        let mut next = run("r1", s::SUCCEEDED);
        next.version_number = Some("1002".into());
        assert!(c.upsert_run("p", &next).unwrap().transition.is_some());
    }

    #[test]
    fn ids_are_matched_whatever_their_case_or_braces() {
        let mut c = cache();
        let mut r = run("{AB12-CD}", s::FAILED);
        r.stage_id = "{STAGE-9F}".into();
        c.upsert_run("p", &r).unwrap();
        let got = c.run("p", "ab12-cd").unwrap().unwrap();
        assert_eq!(
            (got.run.id.as_str(), got.run.stage_id.as_str()),
            ("ab12-cd", "stage-9f")
        );
        let q = crate::HistoryQuery {
            stage: Some("{Stage-9F}".into()),
            ..Default::default()
        };
        assert_eq!(c.history(&q).unwrap().runs.len(), 1);
    }

    #[test]
    fn required_fields_and_profile_are_checked() {
        let mut c = cache();
        let err = c.upsert_run("p", &run("", s::NOT_STARTED)).unwrap_err();
        assert!(matches!(err, CacheError::Invalid { .. }), "{err}");
        let err = c
            .upsert_run("ghost", &run("r", s::NOT_STARTED))
            .unwrap_err();
        assert!(matches!(err, CacheError::UnknownProfile(_)), "{err}");
    }

    #[test]
    fn artifact_hash_is_checked_and_stored() {
        let mut c = cache();
        c.upsert_run("p", &run("r1", s::SUCCEEDED)).unwrap();
        assert!(c.set_artifact_hash("p", "r1", "xyz").is_err());
        let h = "AB".repeat(32);
        c.set_artifact_hash("p", "r1", &h).unwrap();
        assert_eq!(
            c.run("p", "r1").unwrap().unwrap().run.artifact_hash,
            Some("ab".repeat(32))
        );
        assert!(matches!(
            c.set_artifact_hash("p", "nope", &h),
            Err(CacheError::NotFound { .. })
        ));
    }

    #[test]
    fn validation_results_are_decoded_once_or_twice() {
        let v = json!({"ValidationStatus": "Failed"});
        assert_eq!(decode_validation_results(&v.to_string()), Some(v.clone()));
        let twice = serde_json::Value::String(v.to_string()).to_string();
        assert_eq!(decode_validation_results(&twice), Some(v));
        assert_eq!(decode_validation_results("not json"), None);
        assert_eq!(decode_validation_results("null"), None);
    }
}
