//! Planning a deployment: the versions, the connection references and
//! environment variables that need values (pre-filled from what was given, an
//! imported settings file or the stage profile), and the local checks — types,
//! JSON, connection exists in the target and matches the connector.

use std::collections::HashSet;

use ferry_dataverse::environment as env;
use ferry_pipelines::settings::connector_name;
use ferry_pipelines::SolutionVersion;

use crate::catalog::newest;
use crate::engine::{Engine, Session};
use crate::error::{OpsError, Result};
use crate::preflight::{Delivery, PackageSource};
use crate::recent::Installed;
use crate::types::{
    Check, CheckSeverity, ConnectionChoice, PipelineOverview, Plan, PlanRequest, PlannedConnection,
    PlannedVariable, RedeployCandidate, SolutionSummary, StageOverview, ValueSource,
};
// The value rules, shared with the app's values form.
use crate::values::{check_connection, check_variable, read_settings, unknown_entries};

/// An environment variable definition of the solution, in dev.
#[derive(Debug, Clone)]
pub(crate) struct VariableDefinition {
    pub schema_name: String,
    pub display_name: String,
    pub type_code: i32,
    pub default_value: Option<String>,
}

/// A connection reference of the solution, in dev.
#[derive(Debug, Clone)]
pub(crate) struct ReferenceDefinition {
    pub logical_name: String,
    pub display_name: String,
    pub connector_id: String,
}

/// The label of an environment variable type code.
pub(crate) fn type_label(code: i32) -> &'static str {
    match code {
        100_000_001 => "Number",
        100_000_002 => "Boolean",
        100_000_003 => "JSON",
        100_000_004 => "Data source",
        100_000_005 => "Secret",
        _ => "String",
    }
}

const SECRET: i32 = 100_000_005;

/// What a plan reads from the host (and the cache's stage runs), kept apart from what it
/// makes of them: the same reads are planned again with other values (the wizard's steps)
/// and handed from a validation to its deployment ([`crate::recent::Recent::handover`]).
#[derive(Clone)]
pub(crate) struct PlanReads {
    solution: SolutionSummary,
    pipelines: Vec<PipelineOverview>,
    /// The stage's pipeline and the stage, as indexes into `pipelines`.
    at: (usize, usize),
    redeploy: Option<RedeployCandidate>,
    variables: Vec<VariableDefinition>,
    references: Vec<ReferenceDefinition>,
    connections: Vec<ConnectionChoice>,
    installed: Installed,
    /// What the stage would receive (read when it can take the solution).
    source: Option<PackageSource>,
}

impl PlanReads {
    fn pipeline(&self) -> &PipelineOverview {
        &self.pipelines[self.at.0]
    }

    fn stage(&self) -> &StageOverview {
        &self.pipelines[self.at.0].stages[self.at.1]
    }

    /// Whether these reads were made for `req`'s solution, stage and redeployment.
    pub(crate) fn serve(&self, req: &PlanRequest) -> bool {
        let stage = self.stage();
        let wanted = req.stage.trim();
        let redeploy_of = req
            .redeploy_of
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        self.solution
            .unique_name
            .eq_ignore_ascii_case(req.solution.trim())
            && (stage.id.eq_ignore_ascii_case(wanted) || stage.name.eq_ignore_ascii_case(wanted))
            && self
                .redeploy
                .as_ref()
                .map(|r| r.run_id.as_str())
                .map(str::to_ascii_lowercase)
                == redeploy_of.map(str::to_ascii_lowercase)
    }

    /// Whether every connection `req` names is among the target's connections as read.
    pub(crate) fn knows_connections_of(&self, req: &PlanRequest) -> bool {
        req.values
            .iter()
            .flat_map(|v| &v.connection_references)
            .all(|c| {
                self.connections
                    .iter()
                    .any(|known| known.id.eq_ignore_ascii_case(c.connection_id.trim()))
            })
    }

    #[cfg(test)]
    pub(crate) fn for_tests(solution: SolutionSummary) -> Self {
        let stage = StageOverview {
            id: "stage".into(),
            name: "Stage".into(),
            previous_stage_id: None,
            target_name: None,
            target_environment_id: None,
            delegated: false,
            pre_deployment_step: false,
            enable_redeployment: false,
            deployability: None,
            latest_run: None,
        };
        PlanReads {
            solution,
            pipelines: vec![PipelineOverview {
                id: "pipeline".into(),
                name: "Pipeline".into(),
                description: None,
                enable_redeployment: false,
                stages: vec![stage],
            }],
            at: (0, 0),
            redeploy: None,
            variables: Vec::new(),
            references: Vec::new(),
            connections: Vec::new(),
            installed: Vec::new(),
            source: None,
        }
    }
}

impl Engine {
    /// Plans a deployment of a solution to a stage. Nothing is sent to the host; what was
    /// read lately is read again only once it is [`crate::recent::FRESH`] no more.
    pub async fn plan(&self, req: &PlanRequest) -> Result<Plan> {
        let reads = self.plan_reads(req).await?;
        self.plan_with(&reads, req)
    }

    /// Reads what a plan for `req` needs.
    pub(crate) async fn plan_reads(&self, req: &PlanRequest) -> Result<PlanReads> {
        let s = self.session().await?;
        let solution = self.solution(&req.solution).await?;
        let pipelines = self.solution_pipelines(&solution.unique_name).await?;
        let (pipeline, stage) = find_stage(&pipelines, &req.stage)?;
        let at = (
            pipelines
                .iter()
                .position(|p| std::ptr::eq(p, pipeline))
                .unwrap_or_default(),
            pipeline
                .stages
                .iter()
                .position(|st| std::ptr::eq(st, stage))
                .unwrap_or_default(),
        );
        let deployability = stage
            .deployability
            .clone()
            .ok_or_else(|| OpsError::Internal("the stage overview lacks deployability".into()))?;
        let redeploy = match req
            .redeploy_of
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            Some(run) => Some(
                self.redeploy_source(s, &solution, pipeline, stage, run)
                    .await?,
            ),
            None => None,
        };
        let (variables, references) = self.solution_components(s, &solution.id).await?;
        let secrets: Vec<&str> = variables
            .iter()
            .filter(|v| v.type_code == SECRET)
            .map(|v| v.schema_name.as_str())
            .collect();
        if !secrets.is_empty() {
            self.cache()
                .mark_secret_variables(self.profile_id(), &secrets)?;
        }
        let target_bap = stage.target_environment_id.clone().unwrap_or_default();
        let connections = self.target_connections(s, &target_bap).await?;
        let installed = if target_bap.is_empty() {
            Vec::new()
        } else {
            self.installed_solutions(s, &target_bap).await?
        };
        let source = if deployability.deployable || redeploy.is_some() {
            let delivery = Delivery {
                solution: &solution,
                pipeline,
                stage,
                // What the stage receives does not depend on the version asked for.
                version: "",
                promotes: stage.previous_stage_id.is_some() && redeploy.is_none(),
                redeploy: redeploy.is_some(),
            };
            Some(self.package_source(s, &delivery).await?)
        } else {
            None
        };
        Ok(PlanReads {
            solution: solution.clone(),
            pipelines: pipelines.clone(),
            at,
            redeploy,
            variables,
            references,
            connections,
            installed,
            source,
        })
    }

    /// The plan for `req` from what was read for it (no request leaves).
    pub(crate) fn plan_with(&self, reads: &PlanReads, req: &PlanRequest) -> Result<Plan> {
        let solution = &reads.solution;
        let pipeline = reads.pipeline();
        let stage = reads.stage();
        let deployability = stage
            .deployability
            .clone()
            .ok_or_else(|| OpsError::Internal("the stage overview lacks deployability".into()))?;
        let redeploy = reads.redeploy.clone();
        let variables = &reads.variables;
        let references = &reads.references;
        let connections = &reads.connections;
        let installed = &reads.installed;
        let target_version = installed
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(&solution.unique_name))
            .map(|(_, v, _)| v.clone());
        let file = match req.settings_json.as_deref() {
            Some(text) => Some(read_settings(text)?),
            None => None,
        };
        let profile =
            self.cache()
                .stage_profile(self.profile_id(), &solution.unique_name, &stage.id)?;
        let given = req.values.clone().unwrap_or_default();

        let mut checks = Vec::new();
        let environment_variables: Vec<PlannedVariable> = variables
            .iter()
            .map(|d| {
                let from_given = given
                    .environment_variables
                    .iter()
                    .find(|v| v.schema_name.eq_ignore_ascii_case(&d.schema_name))
                    .map(|v| v.value.clone());
                let from_file = file.as_ref().and_then(|f| {
                    f.environment_variables
                        .iter()
                        .find(|v| v.schema_name.eq_ignore_ascii_case(&d.schema_name))
                        .map(|v| v.value.clone())
                });
                let from_profile = profile.as_ref().and_then(|p| {
                    p.environment_variables
                        .iter()
                        .find(|v| v.schema_name.eq_ignore_ascii_case(&d.schema_name))
                        .and_then(|v| v.value.clone())
                });
                let (value, source) = pick(from_given, from_file, from_profile);
                check_variable(d, value.as_deref(), &mut checks);
                PlannedVariable {
                    schema_name: d.schema_name.clone(),
                    display_name: d.display_name.clone(),
                    kind: type_label(d.type_code).into(),
                    default_value: d.default_value.clone(),
                    value,
                    source,
                }
            })
            .collect();
        let connection_references: Vec<PlannedConnection> = references
            .iter()
            .map(|r| {
                let from_given = given
                    .connection_references
                    .iter()
                    .find(|c| c.logical_name.eq_ignore_ascii_case(&r.logical_name))
                    .map(|c| c.connection_id.clone());
                let from_file = file.as_ref().and_then(|f| {
                    f.connection_references
                        .iter()
                        .find(|c| c.logical_name.eq_ignore_ascii_case(&r.logical_name))
                        .map(|c| c.connection_id.clone())
                });
                let from_profile = profile.as_ref().and_then(|p| {
                    p.connection_references
                        .iter()
                        .find(|c| c.logical_name.eq_ignore_ascii_case(&r.logical_name))
                        .map(|c| c.connection_id.clone())
                });
                let (connection_id, source) = pick(from_given, from_file, from_profile);
                let connector = connector_name(&r.connector_id).to_string();
                let choices: Vec<ConnectionChoice> = connections
                    .iter()
                    .filter(|c| c.connector.eq_ignore_ascii_case(&connector))
                    .cloned()
                    .collect();
                check_connection(
                    r,
                    connection_id.as_deref(),
                    connections,
                    stage.target_name.as_deref().unwrap_or("the target"),
                    &mut checks,
                );
                PlannedConnection {
                    logical_name: r.logical_name.clone(),
                    display_name: r.display_name.clone(),
                    connector_id: r.connector_id.clone(),
                    connection_id,
                    source,
                    choices,
                }
            })
            .collect();
        if let Some(f) = &file {
            unknown_entries(f, variables, references, &mut checks);
        }

        let dev_version = solution.version.clone();
        let stage_version = self
            .stage_version(&solution.unique_name, &stage.id)
            .or_else(|| {
                stage
                    .latest_run
                    .as_ref()
                    .filter(|r| r.status == 200_000_002)
                    .and_then(|r| r.version.clone())
            });
        let promotes = stage.previous_stage_id.is_some();
        let proposed = if let Some(r) = &redeploy {
            r.version.clone().unwrap_or_default()
        } else if promotes {
            deployability.version.clone().unwrap_or_default()
        } else {
            propose(
                &dev_version,
                stage_version.as_deref(),
                target_version.as_deref(),
            )?
        };
        let version = match req
            .version
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            Some(v) => {
                let parsed: SolutionVersion =
                    v.parse().map_err(|e: ferry_pipelines::VersionError| {
                        OpsError::InvalidInput(e.to_string())
                    })?;
                let fixed = proposed.parse::<SolutionVersion>().ok();
                if redeploy.is_some() && Some(&parsed) != fixed.as_ref() {
                    checks.push(error(None, format!(
                        "this redeployment puts back version {proposed}; its version cannot be {v} (leave the version out)"
                    )));
                } else if promotes && redeploy.is_none() && Some(&parsed) != fixed.as_ref() {
                    checks.push(error(None, format!(
                        "{} promotes version {proposed} from the previous stage; its version cannot be {v}",
                        stage.name
                    )));
                }
                if let Some(have) = stage_version
                    .as_deref()
                    .and_then(|h| h.parse::<SolutionVersion>().ok())
                {
                    if !promotes && redeploy.is_none() && parsed <= have {
                        checks.push(error(
                            None,
                            format!(
                                "version {v} must be greater than {have}, which {} already has",
                                stage.name
                            ),
                        ));
                    }
                }
                parsed.to_string()
            }
            None => proposed,
        };
        if !deployability.deployable && redeploy.is_none() {
            checks.push(error(
                None,
                format!(
                    "{} cannot take {} now: {}",
                    stage.name, solution.unique_name, deployability.reason
                ),
            ));
        }
        if deployability.deployable || redeploy.is_some() {
            let delivery = Delivery {
                solution,
                pipeline,
                stage,
                version: &version,
                promotes: promotes && redeploy.is_none(),
                redeploy: redeploy.is_some(),
            };
            let findings = match &reads.source {
                Some(source) => self.findings_of(&delivery, source, installed),
                None => Vec::new(),
            };
            for f in findings {
                checks.push(Check {
                    severity: f.severity,
                    subject: None,
                    message: f.message,
                });
            }
        }
        let ready = !checks.iter().any(|c| c.severity == CheckSeverity::Error);
        Ok(Plan {
            solution: solution.clone(),
            pipeline_id: pipeline.id.clone(),
            pipeline_name: pipeline.name.clone(),
            stage: stage.clone(),
            dev_version,
            stage_version,
            target_version,
            version,
            promotes,
            redeploy,
            environment_variables,
            connection_references,
            checks,
            ready,
        })
    }

    /// The version the stage last deployed successfully, from the cache.
    pub(crate) fn stage_version(&self, solution: &str, stage_id: &str) -> Option<String> {
        let runs = self
            .cache()
            .latest_runs(&ferry_cache::LatestRunsQuery {
                profile_id: self.profile_id().into(),
                solution: Some(solution.into()),
                succeeded_only: true,
            })
            .ok()?;
        let summaries: Vec<_> = runs.iter().map(crate::engine::summary).collect();
        newest(&summaries, stage_id, true).and_then(|r| r.version.clone())
    }

    /// The pipelines with the solution's runs: as the solution page read them lately, else
    /// read now.
    pub(crate) async fn solution_pipelines(&self, solution: &str) -> Result<Vec<PipelineOverview>> {
        match self.recent.pipelines(solution) {
            Some(list) => Ok(list),
            None => self.pipelines(Some(solution)).await,
        }
    }

    /// The solution's environment variable definitions and connection references, from dev
    /// (read lately, else now).
    pub(crate) async fn solution_components(
        &self,
        s: &Session,
        solution_id: &str,
    ) -> Result<crate::recent::Components> {
        if let Some(known) = self.recent.components(solution_id) {
            return Ok(known);
        }
        let read = self.read_solution_components(s, solution_id).await?;
        self.recent.keep_components(solution_id, &read);
        Ok(read)
    }

    async fn read_solution_components(
        &self,
        s: &Session,
        solution_id: &str,
    ) -> Result<crate::recent::Components> {
        let dev = &s.dev.client;
        let id = uuid::Uuid::parse_str(solution_id.trim()).map_err(|_| {
            OpsError::Internal(format!(
                "dev gave the solution id {solution_id:?}, which is not a GUID"
            ))
        })?;
        let ids: HashSet<String> = env::solution_component_ids(dev, id)
            .await?
            .into_iter()
            .collect();
        let ours = |id: &str| ids.contains(&id.to_ascii_lowercase());
        let mut variables: Vec<VariableDefinition> = env::variable_definitions(dev)
            .await?
            .into_iter()
            .filter(|d| ours(&d.environmentvariabledefinitionid))
            .map(|d| VariableDefinition {
                schema_name: d.schemaname.unwrap_or_default(),
                display_name: d.displayname.unwrap_or_default(),
                type_code: d
                    .type_code
                    .and_then(|t| i32::try_from(t).ok())
                    .unwrap_or(100_000_000),
                default_value: d.defaultvalue.filter(|v| !v.is_empty()),
            })
            .collect();
        variables.sort_by(|a, b| a.schema_name.cmp(&b.schema_name));
        let mut references: Vec<ReferenceDefinition> = env::connection_references(dev)
            .await?
            .into_iter()
            .filter(|r| ours(&r.connectionreferenceid))
            .map(|r| ReferenceDefinition {
                logical_name: r.connectionreferencelogicalname.unwrap_or_default(),
                display_name: r.connectionreferencedisplayname.unwrap_or_default(),
                connector_id: r.connectorid.unwrap_or_default(),
            })
            .collect();
        references.sort_by(|a, b| a.logical_name.cmp(&b.logical_name));
        Ok((variables, references))
    }

    /// The connections of a target environment (Power Apps connections API).
    pub(crate) async fn target_connections(
        &self,
        s: &Session,
        target_bap: &str,
    ) -> Result<Vec<ConnectionChoice>> {
        if target_bap.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(known) = self.recent.connections(target_bap) {
            return Ok(known);
        }
        let rows = s.tenant.connections(target_bap).await?;
        let list: Vec<ConnectionChoice> = rows
            .iter()
            .filter_map(|c| {
                let props = &c["properties"];
                Some(ConnectionChoice {
                    id: c["name"].as_str()?.to_string(),
                    display_name: props["displayName"].as_str().unwrap_or_default().into(),
                    connector: connector_name(props["apiId"].as_str().unwrap_or_default())
                        .to_string(),
                    status: props["statuses"][0]["status"].as_str().map(str::to_string),
                })
            })
            .collect();
        self.recent.keep_connections(target_bap, &list);
        Ok(list)
    }

    /// Every solution installed in an environment: `(unique name, version, managed)`.
    pub(crate) async fn installed_solutions(
        &self,
        s: &Session,
        bap_id: &str,
    ) -> Result<Vec<(String, String, bool)>> {
        if let Some(list) = self.recent.installed(bap_id) {
            return Ok(list);
        }
        let Some(env) = s
            .environments()
            .await?
            .into_iter()
            .find(|e| e.bap_id.eq_ignore_ascii_case(bap_id))
        else {
            return Ok(Vec::new());
        };
        let list: Installed = env::solutions(&s.env_client(&env.url)?)
            .await?
            .into_iter()
            .map(|r| {
                (
                    r.uniquename,
                    r.version.unwrap_or_default(),
                    r.ismanaged.unwrap_or(false),
                )
            })
            .collect();
        self.recent.keep_installed(bap_id, &list);
        Ok(list)
    }
}

/// Finds a stage by id or name (case-insensitive) across pipelines.
pub(crate) fn find_stage<'a>(
    pipelines: &'a [PipelineOverview],
    wanted: &str,
) -> Result<(&'a PipelineOverview, &'a StageOverview)> {
    let wanted = wanted.trim();
    let all: Vec<(&PipelineOverview, &StageOverview)> = pipelines
        .iter()
        .flat_map(|p| p.stages.iter().map(move |s| (p, s)))
        .collect();
    if let Some(hit) = all.iter().find(|(_, s)| s.id.eq_ignore_ascii_case(wanted)) {
        return Ok(*hit);
    }
    let named: Vec<_> = all
        .iter()
        .filter(|(_, s)| s.name.eq_ignore_ascii_case(wanted))
        .collect();
    match named.as_slice() {
        [one] => Ok(**one),
        [] => Err(OpsError::UnknownStage(wanted.into())),
        many => Err(OpsError::AmbiguousStage(
            wanted.into(),
            many.iter()
                .map(|(p, s)| format!("{} in {} ({})", s.name, p.name, s.id))
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

fn pick(
    given: Option<String>,
    file: Option<String>,
    profile: Option<String>,
) -> (Option<String>, ValueSource) {
    let nonempty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    if let Some(v) = nonempty(given) {
        (Some(v), ValueSource::Given)
    } else if let Some(v) = nonempty(file) {
        (Some(v), ValueSource::SettingsFile)
    } else if let Some(v) = nonempty(profile) {
        (Some(v), ValueSource::StageProfile)
    } else {
        (None, ValueSource::Missing)
    }
}

/// The next version: one more than the highest of dev, the stage and the target.
pub(crate) fn propose(dev: &str, stage: Option<&str>, target: Option<&str>) -> Result<String> {
    let dev_v: SolutionVersion = dev.parse().map_err(|e: ferry_pipelines::VersionError| {
        OpsError::InvalidInput(format!("the solution's version in dev: {e}"))
    })?;
    let highest = [stage, target]
        .into_iter()
        .flatten()
        .filter_map(|v| v.parse::<SolutionVersion>().ok())
        .fold(dev_v, |a, b| if b > a { b } else { a });
    Ok(highest.bumped().to_string())
}

fn error(subject: Option<String>, message: String) -> Check {
    Check {
        severity: CheckSeverity::Error,
        subject,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proposed_version_is_above_everything_known() {
        assert_eq!(propose("1.0.0.3", None, None).unwrap(), "1.0.0.4");
        assert_eq!(
            propose("1.0.0.3", Some("1.0.0.4"), None).unwrap(),
            "1.0.0.5"
        );
        assert_eq!(
            propose("1.0.0.3", Some("1.0.0.4"), Some("2.0.0.0")).unwrap(),
            "2.0.0.1"
        );
        assert_eq!(propose("3.0", Some("garbage"), None).unwrap(), "3.1");
        assert!(propose("x", None, None).is_err());
    }

    #[test]
    fn values_come_from_the_nearest_source() {
        let s = |v: &str| Some(v.to_string());
        assert_eq!(pick(s("a"), s("b"), s("c")), (s("a"), ValueSource::Given));
        assert_eq!(
            pick(s(" "), s("b"), s("c")),
            (s("b"), ValueSource::SettingsFile)
        );
        assert_eq!(
            pick(None, None, s("c")),
            (s("c"), ValueSource::StageProfile)
        );
        assert_eq!(pick(None, None, None), (None, ValueSource::Missing));
    }
}
