//! What can be deployed where: the dev environment's unmanaged solutions, the
//! pipelines offered to it with their stages in order, which stage can take a
//! solution now, and the solution's latest run per stage.

use std::collections::HashMap;

use ferry_dataverse::pipelines as p;
use ferry_dataverse::stage_runs;
use ferry_pipelines::{SolutionVersion, StageRunStatus};

use crate::engine::{Engine, Session};
use crate::error::{OpsError, Result};
use crate::types::{Deployability, PipelineOverview, RunSummary, SolutionSummary, StageOverview};

impl Engine {
    /// The development environment's unmanaged solutions, by unique name.
    pub async fn solutions(&self) -> Result<Vec<SolutionSummary>> {
        let s = self.session().await?;
        let rows = ferry_dataverse::environment::unmanaged_solutions(&s.dev.client).await?;
        let mut out: Vec<SolutionSummary> = rows
            .into_iter()
            .map(|r| SolutionSummary {
                id: r.solutionid.to_ascii_lowercase(),
                unique_name: r.uniquename,
                friendly_name: r.friendlyname.unwrap_or_default(),
                version: r.version.unwrap_or_default(),
                is_managed: r.ismanaged.unwrap_or(false),
            })
            .filter(|s| !["Default", "Active", "Basic"].contains(&s.unique_name.as_str()))
            .collect();
        out.sort_by_key(|s| s.unique_name.to_ascii_lowercase());
        let snapshot: Vec<ferry_cache::Solution> = out
            .iter()
            .map(|s| ferry_cache::Solution {
                solution_id: s.id.clone(),
                unique_name: s.unique_name.clone(),
                friendly_name: s.friendly_name.clone(),
                version: s.version.clone(),
                is_managed: s.is_managed,
                publisher_unique_name: None,
                modified_on: None,
            })
            .collect();
        self.cache()
            .replace_solutions(self.profile_id(), &s.dev.bap_id, &snapshot)?;
        self.recent.keep_solutions(&out);
        Ok(out)
    }

    /// One solution of the dev environment by unique name (case-insensitive), from the list
    /// read lately (see [`crate::recent`]) or read now.
    pub async fn solution(&self, unique_name: &str) -> Result<SolutionSummary> {
        let list = match self.recent.solutions() {
            Some(list) => list,
            None => self.solutions().await?,
        };
        list.into_iter()
            .find(|s| s.unique_name.eq_ignore_ascii_case(unique_name.trim()))
            .ok_or_else(|| OpsError::UnknownSolution(unique_name.into()))
    }

    /// The pipelines offered to the dev environment, stages in order (also stored
    /// in the cache). With a solution: which stage can take it, and its latest
    /// run per stage (read from the host and stored in the cache).
    pub async fn pipelines(&self, solution: Option<&str>) -> Result<Vec<PipelineOverview>> {
        let s = self.session().await?;
        let pipelines = self.refresh_pipelines(s).await?;
        let runs = match solution {
            Some(name) => {
                let name = self.solution(name).await?.unique_name;
                let mut runs = Vec::new();
                for r in stage_runs::runs_of_solution(&s.host, s.dev.registration, &name).await? {
                    runs.push(self.record(&r.run, r.created_by)?.0);
                }
                Some(runs)
            }
            None => None,
        };
        let overviews: Vec<PipelineOverview> = pipelines
            .into_iter()
            .map(|(pipeline, settings, stages)| {
                let redeploy = settings.enableredeployment.unwrap_or(false);
                let stages = overview_stages(&stages, runs.as_deref(), redeploy);
                PipelineOverview {
                    id: pipeline.id.to_string(),
                    name: pipeline.name,
                    description: pipeline.description,
                    enable_redeployment: redeploy,
                    stages,
                }
            })
            .collect();
        if let Some(name) = solution {
            // The wizard's plan, next, reads them again (see `crate::recent`).
            self.recent.keep_pipelines(name, &overviews);
        }
        Ok(overviews)
    }

    /// What to tell a maker to whom no pipeline is offered (an empty list says nothing):
    /// who can change that and what to ask. `None` when there are pipelines.
    pub async fn no_pipeline_hint(&self, pipelines: &[PipelineOverview]) -> Result<Option<String>> {
        if !pipelines.is_empty() {
            return Ok(None);
        }
        Ok(Some(self.no_pipeline_advice().await?))
    }

    /// What to tell a maker to whom no pipeline is offered, whatever the list (the app
    /// asks when its list is empty): who can change that and what to ask.
    pub async fn no_pipeline_advice(&self) -> Result<String> {
        let s = self.session().await?;
        Ok(format!(
            "no pipeline is shared with you for {}: either none deploys from it or none is shared with you. Ask an admin of the pipelines host ({}) to link a pipeline to {} and share it with you",
            s.dev.name,
            s.host.base_url(),
            s.dev.name
        ))
    }

    /// Reads pipelines, what each allows, and their stages from the host and
    /// replaces the cache's snapshot.
    pub(crate) async fn refresh_pipelines(
        &self,
        s: &Session,
    ) -> Result<Vec<(p::Pipeline, p::PipelineSettings, Vec<p::Stage>)>> {
        let mut out = Vec::new();
        for pipeline in p::retrieve_pipelines(&s.host, &s.dev.bap_id).await? {
            let settings = pipeline_settings(s, pipeline.id).await?;
            let stages = p::stages(&s.host, pipeline.id).await?;
            out.push((pipeline, settings, stages));
        }
        let snapshot: Vec<ferry_cache::Pipeline> = out
            .iter()
            .map(|(pl, settings, stages)| ferry_cache::Pipeline {
                pipeline_id: pl.id.to_string(),
                name: pl.name.clone(),
                description: pl.description.clone(),
                deployment_type: settings
                    .deploymenttype
                    .and_then(|t| i32::try_from(t).ok())
                    .unwrap_or(0),
                enable_ai_deployment_notes: settings.enableaideploymentnotes.unwrap_or(false),
                enable_redeployment: settings.enableredeployment.unwrap_or(false),
                state_code: 0,
                stages: stages
                    .iter()
                    .map(|st| ferry_cache::Stage {
                        stage_id: st.deploymentstageid.to_string(),
                        name: st.name.clone(),
                        description: None,
                        previous_stage_id: st.previous.map(|x| x.to_string()),
                        target_deployment_environment_id: st
                            .target
                            .as_ref()
                            .map(|t| t.deploymentenvironmentid.to_string()),
                        target_environment_name: st.target.as_ref().map(|t| t.name.clone()),
                        target_environment_id: st.target.as_ref().map(|t| t.environmentid.clone()),
                        pre_deployment_step_required: st.predeploymentsteprequired.unwrap_or(false),
                        pre_export_step_required: false,
                        is_delegated_deployment: st.isdelegateddeployment.unwrap_or(false),
                        state_code: 0,
                    })
                    .collect(),
            })
            .collect();
        self.cache()
            .replace_pipelines(self.profile_id(), &snapshot)?;
        Ok(out)
    }
}

/// What a pipeline allows: its row, else (a maker who may not read it) what
/// `RetrieveDeploymentPipelineInfo` says; nothing allowed when neither answers.
async fn pipeline_settings(s: &Session, pipeline: uuid::Uuid) -> Result<p::PipelineSettings> {
    use ferry_dataverse::ErrorKind::{Forbidden, NotFound};
    match p::pipeline_settings(&s.host, pipeline).await {
        Ok(settings) => Ok(settings),
        Err(e) if matches!(e.kind, Forbidden | NotFound) => {
            match p::pipeline_info(&s.host, pipeline, &s.dev.bap_id, "").await {
                Ok(settings) => Ok(settings),
                Err(e) if matches!(e.kind, Forbidden | NotFound) => Ok(Default::default()),
                Err(e) => Err(e.into()),
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// The stages in order, with deployability and latest run when runs are given.
pub(crate) fn overview_stages(
    stages: &[p::Stage],
    runs: Option<&[RunSummary]>,
    enable_redeployment: bool,
) -> Vec<StageOverview> {
    let by_id: HashMap<String, &p::Stage> = stages
        .iter()
        .map(|s| (s.deploymentstageid.to_string(), s))
        .collect();
    stages
        .iter()
        .map(|st| {
            let id = st.deploymentstageid.to_string();
            let (latest, deployability) = match runs {
                Some(runs) => {
                    let latest = newest(runs, &id, false).cloned();
                    let previous = st.previous.map(|p| p.to_string());
                    let prev_name = previous
                        .as_ref()
                        .and_then(|p| by_id.get(p))
                        .map(|p| p.name.clone());
                    (
                        latest,
                        Some(deployability(runs, &id, previous.as_deref(), prev_name)),
                    )
                }
                None => (None, None),
            };
            StageOverview {
                id,
                name: st.name.clone(),
                previous_stage_id: st.previous.map(|p| p.to_string()),
                target_name: st.target.as_ref().map(|t| t.name.clone()),
                target_environment_id: st.target.as_ref().map(|t| t.environmentid.clone()),
                delegated: st.isdelegateddeployment.unwrap_or(false),
                pre_deployment_step: st.predeploymentsteprequired.unwrap_or(false),
                enable_redeployment,
                deployability,
                latest_run: latest,
            }
        })
        .collect()
}

/// The newest run of a stage (by creation time), optionally only successful ones.
pub(crate) fn newest<'a>(
    runs: &'a [RunSummary],
    stage_id: &str,
    succeeded_only: bool,
) -> Option<&'a RunSummary> {
    runs.iter()
        .filter(|r| r.stage_id.eq_ignore_ascii_case(stage_id))
        .filter(|r| !succeeded_only || r.status == StageRunStatus::Succeeded.code() as i32)
        .max_by(|a, b| a.created_on.cmp(&b.created_on))
}

fn version(text: Option<&str>) -> Option<SolutionVersion> {
    text.and_then(|t| t.parse().ok())
}

/// Stages go in order: the first takes a new export; a later one promotes the
/// version that last succeeded in the previous stage, if it does not have it yet.
pub(crate) fn deployability(
    runs: &[RunSummary],
    stage_id: &str,
    previous: Option<&str>,
    previous_name: Option<String>,
) -> Deployability {
    let Some(previous) = previous else {
        return Deployability {
            deployable: true,
            reason: "takes a new export of the solution from dev".into(),
            version: None,
        };
    };
    let prev_name = previous_name.unwrap_or_else(|| "the previous stage".into());
    let Some(promoted) = newest(runs, previous, true) else {
        return Deployability {
            deployable: false,
            reason: format!("deploy to {prev_name} first: stages go in order"),
            version: None,
        };
    };
    let offered = promoted.version.clone();
    let here = newest(runs, stage_id, true).and_then(|r| version(r.version.as_deref()));
    match (version(offered.as_deref()), here) {
        (Some(v), Some(h)) if v <= h => Deployability {
            deployable: false,
            reason: format!("already has {h}; deploy a newer version to {prev_name} first"),
            version: None,
        },
        _ => Deployability {
            deployable: true,
            reason: format!(
                "promotes version {} from {prev_name}",
                offered.as_deref().unwrap_or("?")
            ),
            version: offered,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(stage: &str, status: StageRunStatus, version: &str, created: &str) -> RunSummary {
        RunSummary {
            id: format!("{stage}-{version}-{created}"),
            solution: "S".into(),
            stage_id: stage.into(),
            stage_name: None,
            pipeline_name: None,
            target_name: None,
            status: status.code() as i32,
            status_label: status.label().into(),
            step: None,
            terminal: status.is_terminal(),
            version: Some(version.into()),
            dev_version: None,
            notes: None,
            error_message: None,
            created_on: Some(created.into()),
            created_by: None,
            start_time: None,
            end_time: None,
            scheduled_time: None,
            approval_status: None,
            pre_deployment_step_status: None,
            artifact_id: None,
            is_redeployment: false,
        }
    }

    #[test]
    fn stages_go_in_order() {
        use StageRunStatus::*;
        let first = deployability(&[], "a", None, None);
        assert!(first.deployable && first.version.is_none());

        let none = deployability(&[], "b", Some("a"), Some("Test".into()));
        assert!(
            !none.deployable && none.reason.contains("deploy to Test first"),
            "{none:?}"
        );

        let runs = vec![
            run("a", Succeeded, "1.0.0.4", "2026-01-01T00:00:00Z"),
            run("a", Failed, "1.0.0.5", "2026-01-02T00:00:00Z"),
        ];
        let promote = deployability(&runs, "b", Some("a"), Some("Test".into()));
        assert!(promote.deployable, "{promote:?}");
        assert_eq!(promote.version.as_deref(), Some("1.0.0.4"));

        let mut done = runs.clone();
        done.push(run("b", Succeeded, "1.0.0.4", "2026-01-03T00:00:00Z"));
        let again = deployability(&done, "b", Some("a"), Some("Test".into()));
        assert!(
            !again.deployable && again.reason.contains("already has 1.0.0.4"),
            "{again:?}"
        );
    }

    #[test]
    fn newest_picks_by_creation_time() {
        use StageRunStatus::*;
        let runs = vec![
            run("a", Succeeded, "1.0.0.4", "2026-01-01T00:00:00Z"),
            run("a", Failed, "1.0.0.5", "2026-01-02T00:00:00Z"),
        ];
        assert_eq!(
            newest(&runs, "a", false).unwrap().version.as_deref(),
            Some("1.0.0.5")
        );
        assert_eq!(
            newest(&runs, "a", true).unwrap().version.as_deref(),
            Some("1.0.0.4")
        );
        assert!(newest(&runs, "b", false).is_none());
    }
}
