//! What the target already says about a deployment, before anything is sent.
//!
//! `--dry-run` and `pipeline list` used to say "Ready" where the import was sure to fail. This
//! module applies the offline import rules of `ferry_solution::rules` (the ones the local host
//! validates with) to the package a stage would receive and the solutions installed in its
//! target: an unmanaged copy of the solution, the version already installed (by this or another
//! pipeline), a solution it requires that the target lacks. A promoted stage receives the very
//! artifact its previous stage got, so its `solution.xml` (its declared dependencies) is read;
//! a first stage's package does not exist yet, so dev tells what it will require
//! (`RetrieveMissingDependencies`, best effort). On a promoted stage "raise the version" is
//! impossible: the advice says what is possible instead.

use std::collections::HashMap;

use ferry_dataverse::environment as env;
use ferry_solution::rules::{self, InstalledSolution, TargetSnapshot};
use ferry_solution::{
    ManagedState, PackageFormat, PackageKind, Publisher, RequiredSolution, SolutionPackage,
};

use crate::catalog::newest;
use crate::engine::{summary, Engine, Session};
use crate::error::Result;
use crate::types::{
    CheckSeverity, Deployability, PipelineOverview, SolutionSummary, StageOverview,
};

/// The solutions installed in an environment: `(unique name, version, managed)`.
use crate::recent::Installed;

/// What a stage would receive, as read: the promoted artifact's package, or what dev says a
/// new export will require.
#[derive(Clone)]
pub(crate) enum PackageSource {
    Artifact(Box<SolutionPackage>),
    Export(Vec<RequiredSolution>),
}

/// One thing the target will say about the deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TargetFinding {
    pub severity: CheckSeverity,
    pub message: String,
}

/// What a stage would receive.
pub(crate) struct Delivery<'a> {
    pub solution: &'a SolutionSummary,
    pub pipeline: &'a PipelineOverview,
    pub stage: &'a StageOverview,
    /// The version it would carry.
    pub version: &'a str,
    /// The previous stage's artifact, promoted (the version cannot change).
    pub promotes: bool,
    /// An older artifact put back on purpose: the version findings do not apply.
    pub redeploy: bool,
}

/// The findings about the version against the installed one.
const VERSION_FINDINGS: &[&str] = &[
    "version-downgrade",
    "version-not-higher",
    "version-lower-than-installed",
];

impl Engine {
    /// The findings of the import rules for `d` against what its target has installed
    /// (`installed`: `(unique name, version, managed)` of every solution there).
    pub(crate) async fn target_findings(
        &self,
        s: &Session,
        d: &Delivery<'_>,
        installed: &[(String, String, bool)],
    ) -> Result<Vec<TargetFinding>> {
        let source = self.package_source(s, d).await?;
        Ok(self.findings_of(d, &source, installed))
    }

    /// What the stage of `d` would receive, as far as can be read (its version aside).
    pub(crate) async fn package_source(
        &self,
        s: &Session,
        d: &Delivery<'_>,
    ) -> Result<PackageSource> {
        Ok(
            match d.promotes.then(|| self.promoted_artifact(d)).flatten() {
                Some(artifact) => match self.artifact_package(s, &artifact).await? {
                    Some(pkg) => PackageSource::Artifact(Box::new(pkg)),
                    None => PackageSource::Export(Vec::new()),
                },
                // A new export: the solutions its components need, as dev tells.
                None if !d.promotes => PackageSource::Export(self.dev_requirements(s, d).await),
                None => PackageSource::Export(Vec::new()),
            },
        )
    }

    /// The findings of the import rules for `d`, receiving what `source` says, against what
    /// its target has installed.
    pub(crate) fn findings_of(
        &self,
        d: &Delivery<'_>,
        source: &PackageSource,
        installed: &[(String, String, bool)],
    ) -> Vec<TargetFinding> {
        let package = match source {
            PackageSource::Artifact(pkg) => (**pkg).clone(),
            PackageSource::Export(required) => described(d, required.clone()),
        };
        let snapshot = TargetSnapshot {
            solutions: installed
                .iter()
                .map(|(name, version, managed)| InstalledSolution {
                    unique_name: name.clone(),
                    version: version.clone(),
                    managed: *managed,
                    publisher: None,
                })
                .collect(),
            ..Default::default()
        };
        let have = installed
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(&d.solution.unique_name));
        let mut out = Vec::new();
        for f in rules::check_import(&package, &snapshot) {
            // The rules about the file itself (a source folder, a missing content-types file)
            // are the host's own export's business, not the maker's.
            if matches!(f.code, "source-folder" | "missing-root-file") {
                continue;
            }
            let is_version = VERSION_FINDINGS.contains(&f.code);
            if is_version && d.redeploy {
                continue;
            }
            let message = match (is_version, have) {
                (true, Some((_, installed_version, _))) if f.severity == rules::Severity::Error => {
                    self.version_taken(d, installed_version)
                }
                _ => f.message,
            };
            out.push(TargetFinding {
                severity: match f.severity {
                    rules::Severity::Error => CheckSeverity::Error,
                    rules::Severity::Warning => CheckSeverity::Warning,
                    rules::Severity::Info => CheckSeverity::Info,
                },
                message,
            });
        }
        out
    }

    /// Marks the stages of `pipelines` that would surely fail for `solution` as not
    /// deployable now, with the target's reason (`pipeline list --solution`). Each target is
    /// read once; a target that cannot be read leaves its stages as they were.
    pub async fn check_targets(
        &self,
        solution: &str,
        pipelines: &mut [PipelineOverview],
    ) -> Result<()> {
        let s = self.session().await?;
        let solution = self.solution(solution).await?;
        // Per target: what it has, or `None` when it could not be read.
        let mut installed: HashMap<String, Option<Installed>> = HashMap::new();
        let snapshot = pipelines.to_vec();
        for (pi, pipeline) in snapshot.iter().enumerate() {
            for (si, stage) in pipeline.stages.iter().enumerate() {
                let Some(deployability) = stage.deployability.as_ref().filter(|d| d.deployable)
                else {
                    continue;
                };
                let Some(target) = stage.target_environment_id.clone() else {
                    continue;
                };
                if !installed.contains_key(&target) {
                    let list = match self.installed_solutions(s, &target).await {
                        Ok(list) => Some(list),
                        Err(e) => {
                            tracing::warn!(target = %target, error = %e, "cannot read the target's solutions");
                            None
                        }
                    };
                    installed.insert(target.clone(), list);
                }
                let Some(Some(list)) = installed.get(&target) else {
                    continue;
                };
                let promotes = stage.previous_stage_id.is_some();
                let version = match &deployability.version {
                    Some(v) => v.clone(),
                    None if promotes => continue,
                    None => {
                        let have = list
                            .iter()
                            .find(|(n, _, _)| n.eq_ignore_ascii_case(&solution.unique_name))
                            .map(|(_, v, _)| v.as_str());
                        let stage_version = self.stage_version(&solution.unique_name, &stage.id);
                        match crate::plan::propose(
                            &solution.version,
                            stage_version.as_deref(),
                            have,
                        ) {
                            Ok(v) => v,
                            Err(_) => continue,
                        }
                    }
                };
                let d = Delivery {
                    solution: &solution,
                    pipeline,
                    stage,
                    version: &version,
                    promotes,
                    redeploy: false,
                };
                let errors: Vec<String> = self
                    .target_findings(s, &d, list)
                    .await?
                    .into_iter()
                    .filter(|f| f.severity == CheckSeverity::Error)
                    .map(|f| f.message)
                    .collect();
                if !errors.is_empty() {
                    pipelines[pi].stages[si].deployability = Some(Deployability {
                        deployable: false,
                        reason: errors.join(" "),
                        version: deployability.version.clone(),
                    });
                }
            }
        }
        Ok(())
    }

    /// The artifact a promoting stage would receive: the one of the previous stage's newest
    /// successful run (from the cache, which `pipelines` has just filled).
    fn promoted_artifact(&self, d: &Delivery<'_>) -> Option<String> {
        let previous = d.stage.previous_stage_id.as_deref()?;
        let runs = self.succeeded_runs(&d.solution.unique_name);
        newest(&runs, previous, true).and_then(|r| r.artifact_id.clone())
    }

    fn succeeded_runs(&self, solution: &str) -> Vec<crate::types::RunSummary> {
        self.cache()
            .latest_runs(&ferry_cache::LatestRunsQuery {
                profile_id: self.profile_id().into(),
                solution: Some(solution.into()),
                succeeded_only: true,
            })
            .map(|runs| runs.iter().map(summary).collect())
            .unwrap_or_default()
    }

    /// An artifact read as a package, or `None` when the host does not give it.
    async fn artifact_package(
        &self,
        s: &Session,
        artifact: &str,
    ) -> Result<Option<SolutionPackage>> {
        if let Some(known) = self.recent.artifact(artifact) {
            return Ok(known);
        }
        let package = self.read_artifact_package(s, artifact).await?;
        self.recent.keep_artifact(artifact, &package);
        Ok(package)
    }

    async fn read_artifact_package(
        &self,
        s: &Session,
        artifact: &str,
    ) -> Result<Option<SolutionPackage>> {
        let Some(bytes) = self.artifact_bytes(s, artifact).await? else {
            return Ok(None);
        };
        let read = || -> std::io::Result<Option<SolutionPackage>> {
            let mut file = tempfile::Builder::new().suffix(".zip").tempfile()?;
            std::io::Write::write_all(&mut file, &bytes)?;
            Ok(ferry_solution::open(file.path()).ok())
        };
        Ok(read().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "cannot read the promoted artifact");
            None
        }))
    }

    /// The solutions a new export of the solution will require, from dev: its missing
    /// dependencies (`RetrieveMissingDependencies`, the components it needs and does not hold)
    /// by the solution that brings each, at the version dev has — what the export's
    /// `solution.xml` will say. Best effort: a host that cannot tell yields none.
    async fn dev_requirements(&self, s: &Session, d: &Delivery<'_>) -> Vec<RequiredSolution> {
        let name = &d.solution.unique_name;
        if let Some(known) = self.recent.requirements(name) {
            return known;
        }
        let Some(list) = self.read_dev_requirements(s, d).await else {
            return Vec::new();
        };
        self.recent.keep_requirements(name, &list);
        list
    }

    /// What dev says the solution requires; `None` when it cannot tell (not kept then).
    async fn read_dev_requirements(
        &self,
        s: &Session,
        d: &Delivery<'_>,
    ) -> Option<Vec<RequiredSolution>> {
        let dev = &s.dev.client;
        let bases = match env::missing_dependencies(dev, &d.solution.unique_name).await {
            Ok(rows) => rows,
            Err(e) => {
                tracing::info!(error = %e, "dev does not say what the solution depends on");
                return None;
            }
        };
        let solutions = match env::solutions(dev).await {
            Ok(list) => list,
            Err(e) => {
                tracing::info!(error = %e, "cannot read dev's solutions");
                return None;
            }
        };
        let mut out: Vec<RequiredSolution> = Vec::new();
        for base in &bases {
            let Some(base) = base else {
                continue; // an unmanaged customization (Active): no solution brings it
            };
            let Some(found) = solutions.iter().find(|x| {
                x.solutionid
                    .as_deref()
                    .is_some_and(|i| i.eq_ignore_ascii_case(base))
            }) else {
                continue;
            };
            let name = found.uniquename.as_str();
            if name.is_empty()
                || name.eq_ignore_ascii_case(&d.solution.unique_name)
                || name.eq_ignore_ascii_case("Active")
            {
                continue;
            }
            match out.iter_mut().find(|r| r.name.eq_ignore_ascii_case(name)) {
                Some(r) => r.entries += 1,
                None => out.push(RequiredSolution {
                    name: name.to_string(),
                    min_version: found.version.clone().unwrap_or_default(),
                    entries: 1,
                }),
            }
        }
        Some(out)
    }

    /// Why the version cannot go to the target, and what can be done instead.
    fn version_taken(&self, d: &Delivery<'_>, installed: &str) -> String {
        let target = d.stage.target_name.as_deref().unwrap_or("the target");
        let name = &d.solution.unique_name;
        let by = self
            .installed_by(d, installed)
            .map(|who| format!(" (deployed by {who})"))
            .unwrap_or_else(|| " (not by a run of this stage)".into());
        let first = d
            .pipeline
            .stages
            .iter()
            .find(|s| s.previous_stage_id.is_none())
            .map(|s| s.name.as_str())
            .unwrap_or("the first stage");
        if d.promotes {
            format!(
                "{target} already has {name} {installed}{by}, and {} promotes version {} — the \
                 very package its previous stage got, whose version cannot be raised here. \
                 Deploy a version above {installed} to {first} and promote it through {}; or, if \
                 {installed} is what {target} should have, there is nothing to deploy.",
                d.stage.name, d.version, d.pipeline.name
            )
        } else {
            format!(
                "{target} already has {name} {installed}{by}; version {} is not above it, and a \
                 managed version cannot be imported over the same or a higher one. Deploy a \
                 version above {installed} (leave --version out to get one).",
                d.version
            )
        }
    }

    /// The pipeline and stage of the newest successful run Ferry knows that installed
    /// `version` of the solution into the stage's target, other than this stage.
    pub(crate) fn installed_by(&self, d: &Delivery<'_>, version: &str) -> Option<String> {
        let target = d.stage.target_environment_id.as_deref()?;
        self.deployed_into(&d.solution.unique_name, target, version, &d.stage.id)
    }

    /// Who (pipeline / stage) last installed `version` of `solution` into the environment
    /// `target` (BAP id) through a stage other than `except_stage`, from the cache.
    pub(crate) fn deployed_into(
        &self,
        solution: &str,
        target: &str,
        version: &str,
        except_stage: &str,
    ) -> Option<String> {
        let pipelines = self.cache().pipelines(self.profile_id()).ok()?;
        let targets: HashMap<&str, (&str, &str)> = pipelines
            .iter()
            .flat_map(|p| {
                p.stages.iter().filter_map(move |s| {
                    Some((
                        s.stage_id.as_str(),
                        (s.target_environment_id.as_deref()?, p.name.as_str()),
                    ))
                })
            })
            .collect();
        let same = |a: &str, b: &str| match (
            a.parse::<ferry_pipelines::SolutionVersion>(),
            b.parse::<ferry_pipelines::SolutionVersion>(),
        ) {
            (Ok(x), Ok(y)) => x == y,
            _ => a == b,
        };
        self.succeeded_runs(solution)
            .into_iter()
            .filter(|r| !r.stage_id.eq_ignore_ascii_case(except_stage))
            .filter(|r| r.version.as_deref().is_some_and(|v| same(v, version)))
            .filter_map(|r| {
                let (env, pipeline) = targets.get(r.stage_id.as_str())?;
                env.eq_ignore_ascii_case(target).then(|| {
                    (
                        r.created_on.clone(),
                        format!(
                            "{} / {}",
                            r.pipeline_name.as_deref().unwrap_or(pipeline),
                            r.stage_name.as_deref().unwrap_or("?")
                        ),
                    )
                })
            })
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, who)| who)
    }
}

/// The package a stage would get, as far as dev tells: its name, version and publisher-less
/// identity, managed (pipelines deploy managed), and the solutions it requires.
fn described(d: &Delivery<'_>, required_solutions: Vec<RequiredSolution>) -> SolutionPackage {
    SolutionPackage {
        unique_name: d.solution.unique_name.clone(),
        display_name: d.solution.friendly_name.clone(),
        localized_names: Vec::new(),
        version: d.version.to_string(),
        version_parts: None,
        managed: ManagedState::Managed,
        publisher: Publisher {
            unique_name: String::new(),
            display_name: None,
            prefix: None,
            option_value_prefix: None,
        },
        root_components: Vec::new(),
        missing_dependencies: Vec::new(),
        required_solutions,
        connection_references: Vec::new(),
        environment_variables: Vec::new(),
        components: Vec::new(),
        format: PackageFormat {
            kind: PackageKind::Zip,
            manifest_path: "solution.xml".into(),
            import_export_version: None,
            solution_package_version: None,
            generated_by: None,
            organization_version: None,
            organization_schema_type: None,
            language_code: None,
            has_content_types: true,
        },
    }
}
