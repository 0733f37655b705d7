//! History: served from the cache first (offline), synced incrementally from
//! the host, the deployed-where matrix, and run records for export.

use std::collections::{BTreeMap, HashMap};

use ferry_cache::{CachedRun, HistoryQuery, LatestRunsQuery, RUNS_MODIFIED_ON};
use ferry_pipelines::{SolutionVersion, StageRunStatus, ValidationResults};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use crate::engine::{format_time, summary, Engine};
use crate::error::{OpsError, Result};
use crate::explain::{explain_run, explain_validation, Explanation};
use crate::types::{
    Drift, ExportFormat, HistoryChoices, HistoryFilter, HistoryResult, Matrix, MatrixCell,
    MatrixRow, MatrixStage, RunRecord, StartHistory, StartReads, SyncReport, TimelineItem,
};

/// Status names accepted by history filters.
pub fn status_codes(name: &str) -> Option<Vec<i32>> {
    use StageRunStatus as S;
    let code = |s: S| s.code() as i32;
    let n = name
        .trim()
        .to_ascii_lowercase()
        .replace(['-', '_', ' '], "");
    Some(match n.as_str() {
        "succeeded" | "success" | "ok" => vec![code(S::Succeeded)],
        "failed" | "failure" => vec![code(S::Failed)],
        "canceled" | "cancelled" => vec![code(S::Canceled)],
        "scheduled" => vec![code(S::Scheduled)],
        "validating" => vec![code(S::Validating)],
        "validated" => vec![code(S::ValidationSucceeded)],
        "deploying" => vec![code(S::Deploying), code(S::Started)],
        "notstarted" | "requested" => vec![code(S::NotStarted)],
        "running" | "unfinished" | "active" => S::ALL
            .iter()
            .filter(|s| !s.is_terminal())
            .map(|s| code(*s))
            .collect(),
        other => vec![other.parse::<i32>().ok()?],
    })
}

/// The explanations the cache can give for a run (validation results, error).
pub(crate) fn cached_explanations(c: &CachedRun) -> Vec<Explanation> {
    let results: Option<ValidationResults> = c
        .run
        .validation_results
        .clone()
        .and_then(|v| serde_json::from_value(v).ok());
    if c.run.stage_run_status == StageRunStatus::Failed.code() as i32 {
        explain_run(results.as_ref(), c.run.error_message.as_deref())
    } else {
        results.as_ref().map(explain_validation).unwrap_or_default()
    }
}

impl Engine {
    /// History from the cache (works offline), newest first.
    pub fn history(&self, filter: &HistoryFilter) -> Result<HistoryResult> {
        let mut statuses = Vec::new();
        for s in &filter.statuses {
            statuses.extend(status_codes(s).ok_or_else(|| {
                OpsError::InvalidInput(format!(
                    "{s:?} is not a status: use succeeded, failed, canceled, running, scheduled, validating, validated, deploying or a code"
                ))
            })?);
        }
        let instant = |name: &str, text: &Option<String>| -> Result<Option<OffsetDateTime>> {
            match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                None => Ok(None),
                Some(t) => OffsetDateTime::parse(t, &Rfc3339).map(Some).map_err(|_| {
                    OpsError::InvalidInput(format!(
                        "{name} {t:?} is not a date and time: use RFC 3339, like 2026-12-01T00:00:00Z"
                    ))
                }),
            }
        };
        let created_from = instant("createdFrom", &filter.created_from)?;
        let created_before = instant("createdBefore", &filter.created_before)?;
        let page = self.cache().history(&HistoryQuery {
            profile_id: Some(self.profile_id().into()),
            text: filter.text.clone().filter(|t| !t.trim().is_empty()),
            solution: filter.solution.clone(),
            stage: filter.stage.clone(),
            statuses,
            created_from,
            created_before,
            limit: filter.limit,
            offset: filter.offset,
            with_total: false,
        })?;
        Ok(HistoryResult {
            runs: page.runs.iter().map(summary).collect(),
            next_offset: page.next_offset,
        })
    }

    /// The solutions and stage names the profile's history holds (the filters' choices).
    pub fn history_choices(&self) -> Result<HistoryChoices> {
        let (solutions, stages) = self.cache().history_choices(self.profile_id())?;
        Ok(HistoryChoices { solutions, stages })
    }

    /// What a window shows first: the profiles, and for one opening on History the
    /// newest `page_size` runs with the filters' choices. Cache reads only: offline too.
    pub fn start_reads(&self, history_page: Option<u32>) -> Result<StartReads> {
        let history = match history_page {
            Some(limit) => {
                let filter = HistoryFilter {
                    limit,
                    ..HistoryFilter::default()
                };
                Some(StartHistory {
                    page: self.history(&filter)?,
                    choices: self.history_choices()?,
                    filter,
                })
            }
            None => None,
        };
        Ok(StartReads {
            profiles: self.profiles()?,
            history,
        })
    }

    /// Reads the runs of the dev environment changed since the last sync and stores them.
    pub async fn sync_history(&self, cancel: &CancellationToken) -> Result<SyncReport> {
        let s = self.session().await?;
        self.ensure_pipelines(s).await?;
        let since = self
            .cache()
            .time_bookmark(self.profile_id(), RUNS_MODIFIED_ON)?;
        let runs = tokio::select! {
            _ = cancel.cancelled() => return Err(OpsError::Interrupted),
            r = ferry_dataverse::stage_runs::runs_changed_since(&s.host, s.dev.registration, since) => r?,
        };
        let mut report = SyncReport {
            fetched: runs.len() as u32,
            inserted: 0,
            transitions: 0,
        };
        let mut newest = None;
        for ferry_dataverse::stage_runs::AuthoredRun { run, created_by } in &runs {
            let existed = self
                .cached_run(&run.deploymentstagerunid.to_string())?
                .is_some();
            let (_, transition) = self.record(run, created_by.clone())?;
            report.inserted += u32::from(!existed);
            report.transitions += u32::from(transition.is_some());
            let modified = crate::engine::parse_time(run.modifiedon.as_deref());
            if modified > newest {
                newest = modified;
            }
        }
        if let Some(t) = newest {
            self.cache()
                .advance_time_bookmark(self.profile_id(), RUNS_MODIFIED_ON, t)?;
        }
        Ok(report)
    }

    /// A run's timeline from the cache.
    pub fn timeline(&self, run_id: &str) -> Result<Vec<TimelineItem>> {
        Ok(self
            .cache()
            .timeline(self.profile_id(), run_id)?
            .into_iter()
            .map(|e| TimelineItem {
                at: format_time(e.at),
                observed_at: format_time(e.observed_at),
                status: e.stage_run_status,
                status_label: e
                    .stage_run_status_label
                    .or_else(|| {
                        StageRunStatus::from_code(i64::from(e.stage_run_status))
                            .map(|s| s.label().to_string())
                    })
                    .unwrap_or_else(|| format!("Status {}", e.stage_run_status)),
                step: e.sub_operation_label,
                detail: e.detail,
            })
            .collect())
    }

    /// Everything about one run, from the cache, secrets redacted.
    pub fn run_record(&self, run_id: &str) -> Result<RunRecord> {
        let cached = self
            .cached_run(run_id)?
            .ok_or_else(|| OpsError::UnknownRun(run_id.into()))?;
        let settings = cached
            .run
            .deployment_settings_json
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok());
        Ok(RunRecord {
            run: summary(&cached),
            settings,
            explanations: cached_explanations(&cached),
            timeline: self.timeline(&cached.run.id)?,
        })
    }

    /// A run record as Markdown or JSON (for a change log or a ticket).
    pub fn export_run(&self, run_id: &str, format: ExportFormat) -> Result<String> {
        let record = self.run_record(run_id)?;
        Ok(match format {
            ExportFormat::Json => serde_json::to_string_pretty(&record)
                .map_err(|e| OpsError::Internal(e.to_string()))?,
            ExportFormat::Markdown => markdown(&record),
        })
    }

    /// Solutions × stages: what each stage last deployed, when and by whom, and
    /// whether the target still has that version. Offline, from the cache alone.
    pub async fn matrix(&self, cancel: &CancellationToken) -> Result<Matrix> {
        let mut installed: HashMap<String, Vec<(String, String, bool)>> = HashMap::new();
        let mut dev: Vec<(String, Option<String>)> = Vec::new();
        let online = match self.session().await {
            Ok(s) => {
                self.refresh_pipelines(s).await?;
                self.sync_history(cancel).await?;
                dev = self
                    .solutions()
                    .await?
                    .into_iter()
                    .map(|s| (s.unique_name, Some(s.version)))
                    .collect();
                let mut targets: Vec<String> = self
                    .cache()
                    .pipelines(self.profile_id())?
                    .iter()
                    .flat_map(|p| {
                        p.stages
                            .iter()
                            .filter_map(|s| s.target_environment_id.clone())
                    })
                    .collect();
                targets.sort();
                targets.dedup();
                for t in targets {
                    let list = self.installed_solutions(s, &t).await?;
                    installed.insert(t, list);
                }
                true
            }
            Err(e) if e.is_offline() => false,
            Err(e) => return Err(e),
        };
        let pipelines = self.cache().pipelines(self.profile_id())?;
        let stages: Vec<(MatrixStage, Option<String>)> = pipelines
            .iter()
            .flat_map(|p| {
                p.stages.iter().map(|s| {
                    (
                        MatrixStage {
                            pipeline_name: p.name.clone(),
                            stage_id: s.stage_id.clone(),
                            stage_name: s.name.clone(),
                            target_name: s.target_environment_name.clone(),
                        },
                        s.target_environment_id.clone(),
                    )
                })
            })
            .collect();
        let latest = self.cache().latest_runs(&LatestRunsQuery {
            profile_id: self.profile_id().into(),
            solution: None,
            succeeded_only: true,
        })?;
        let mut names: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
        for (n, v) in dev {
            names.insert(n.to_ascii_lowercase(), (n, v));
        }
        for r in &latest {
            names
                .entry(r.run.artifact_name.to_ascii_lowercase())
                .or_insert_with(|| (r.run.artifact_name.clone(), None));
        }
        let rows = names
            .into_values()
            .map(|(solution, dev_version)| {
                let cells = stages
                    .iter()
                    .map(|(st, target)| {
                        let run = latest.iter().find(|r| {
                            r.run.stage_id == st.stage_id
                                && r.run.artifact_name.eq_ignore_ascii_case(&solution)
                        });
                        let here = target.as_ref().and_then(|t| installed.get(t)).map(|list| {
                            list.iter()
                                .find(|(n, _, _)| n.eq_ignore_ascii_case(&solution))
                                .map(|(_, v, m)| (v.clone(), *m))
                        });
                        let version = run.and_then(|r| r.run.artifact_version.clone());
                        let mut drift = drift(version.as_deref(), here.clone());
                        let mut installed_by = None;
                        // What another pipeline deployed to the same environment is not
                        // drift: name the pipeline whose run installed it.
                        if matches!(
                            drift,
                            Drift::InstalledOutsidePipeline | Drift::VersionDiffers
                        ) {
                            if let (Some(t), Some(Some((v, true)))) = (target, &here) {
                                installed_by = self.deployed_into(&solution, t, v, &st.stage_id);
                                if installed_by.is_some() {
                                    drift = Drift::OtherPipeline;
                                }
                            }
                        }
                        MatrixCell {
                            stage_id: st.stage_id.clone(),
                            drift,
                            installed_by,
                            version,
                            deployed_on: run
                                .and_then(|r| r.run.end_time.or(r.run.created_on))
                                .map(format_time),
                            deployed_by: run.and_then(|r| r.run.created_by.clone()),
                            run_id: run.map(|r| r.run.id.clone()),
                            installed_version: here.flatten().map(|(v, _)| v),
                        }
                    })
                    .collect();
                MatrixRow {
                    solution,
                    dev_version,
                    cells,
                }
            })
            .collect();
        Ok(Matrix {
            stages: stages.into_iter().map(|(s, _)| s).collect(),
            rows,
            online,
        })
    }
}

/// How the target compares with what the stage deployed. `installed` is `None`
/// when the target could not be read, `Some(None)` when it lacks the solution.
pub(crate) fn drift(deployed: Option<&str>, installed: Option<Option<(String, bool)>>) -> Drift {
    let Some(installed) = installed else {
        return Drift::Unknown;
    };
    match (deployed, installed) {
        (_, Some((_, false))) => Drift::Unmanaged,
        (Some(d), Some((v, true))) => {
            let same = match (d.parse::<SolutionVersion>(), v.parse::<SolutionVersion>()) {
                (Ok(a), Ok(b)) => a.cmp(&b).is_eq(),
                _ => d == v,
            };
            if same {
                Drift::InSync
            } else {
                Drift::VersionDiffers
            }
        }
        (Some(_), None) => Drift::MissingInTarget,
        (None, Some(_)) => Drift::InstalledOutsidePipeline,
        (None, None) => Drift::NotDeployed,
    }
}

fn markdown(r: &RunRecord) -> String {
    let run = &r.run;
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let mut out = format!(
        "# {} {} → {}\n\n",
        run.solution,
        opt(&run.version),
        run.target_name
            .clone()
            .or_else(|| run.stage_name.clone())
            .unwrap_or_else(|| "?".into())
    );
    let rows = [
        ("Run", run.id.clone()),
        ("Status", run.status_label.clone()),
        ("Pipeline", opt(&run.pipeline_name)),
        ("Stage", opt(&run.stage_name)),
        ("Version", opt(&run.version)),
        ("Dev version", opt(&run.dev_version)),
        ("Requested", opt(&run.created_on)),
        ("By", opt(&run.created_by)),
        ("Started", opt(&run.start_time)),
        ("Ended", opt(&run.end_time)),
        ("Scheduled", opt(&run.scheduled_time)),
    ];
    out.push_str("| | |\n|---|---|\n");
    for (k, v) in rows {
        out.push_str(&format!("| {k} | {} |\n", v.replace('|', "\\|")));
    }
    if let Some(notes) = &run.notes {
        out.push_str(&format!("\n## Notes\n\n{notes}\n"));
    }
    if let Some(err) = &run.error_message {
        out.push_str(&format!("\n## Error\n\n{err}\n"));
    }
    if !r.explanations.is_empty() {
        out.push_str("\n## What it means\n\n");
        for e in &r.explanations {
            out.push_str(&format!(
                "- **{}**{}: {} Next: {}\n",
                e.title,
                e.code
                    .as_ref()
                    .map(|c| format!(" ({c})"))
                    .unwrap_or_default(),
                e.cause,
                e.next_step
            ));
            for d in &e.details {
                out.push_str(&format!("  - {d}\n"));
            }
        }
    }
    if let Some(settings) = &r.settings {
        out.push_str("\n## Deployment settings (secrets redacted)\n\n```json\n");
        out.push_str(&serde_json::to_string_pretty(settings).unwrap_or_default());
        out.push_str("\n```\n");
    }
    out.push_str("\n## Timeline\n\n");
    for t in &r.timeline {
        out.push_str(&format!(
            "- {} — {}{}{}\n",
            t.at,
            t.status_label,
            t.step
                .as_ref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default(),
            t.detail
                .as_ref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_map_to_codes() {
        assert_eq!(status_codes("Succeeded"), Some(vec![200_000_002]));
        assert_eq!(status_codes("cancelled"), Some(vec![200_000_004]));
        assert_eq!(status_codes("200000003"), Some(vec![200_000_003]));
        let running = status_codes("running").unwrap();
        assert!(running.contains(&200_000_006) && !running.contains(&200_000_002));
        assert_eq!(status_codes("bogus"), None);
    }

    #[test]
    fn drift_compares_versions_not_spelling() {
        let managed = |v: &str| Some(Some((v.to_string(), true)));
        assert_eq!(drift(Some("1.0.0.4"), managed("1.0.0.4")), Drift::InSync);
        assert_eq!(drift(Some("1.0"), managed("1.0.0.0")), Drift::InSync);
        assert_eq!(
            drift(Some("1.0.0.4"), managed("1.0.0.5")),
            Drift::VersionDiffers
        );
        assert_eq!(drift(Some("1.0.0.4"), Some(None)), Drift::MissingInTarget);
        assert_eq!(drift(None, managed("1.0")), Drift::InstalledOutsidePipeline);
        assert_eq!(
            drift(None, Some(Some(("0.9".into(), false)))),
            Drift::Unmanaged
        );
        assert_eq!(drift(None, Some(None)), Drift::NotDeployed);
        assert_eq!(drift(Some("1.0"), None), Drift::Unknown);
    }
}
