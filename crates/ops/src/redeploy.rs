//! Redeploying an older artifact (spec §5.13): which successful runs of a stage
//! can go back to it, and the checks before one does — the pipeline allows
//! redeployment, the run succeeded in that stage for that solution and has an
//! artifact, and a validated run deployed as one carries that artifact. The
//! deployment itself is an ordinary one whose new run binds the artifact (see
//! `run.rs`); its version is the artifact's.

use ferry_dataverse::pipelines::{self as p, StageRun as HostRun};
use ferry_pipelines::StageRunStatus;

use crate::engine::{Engine, Session};
use crate::error::{OpsError, Result};
use crate::plan::find_stage;
use crate::run::parse_id;
use crate::types::{PipelineOverview, RedeployCandidate, SolutionSummary, StageOverview};

impl Engine {
    /// The successful runs of a solution in a stage whose artifact can be deployed
    /// there again, newest first. The stage's pipeline says whether it allows that
    /// ([`StageOverview::enable_redeployment`]).
    pub async fn redeploy_candidates(
        &self,
        solution: &str,
        stage: &str,
    ) -> Result<Vec<RedeployCandidate>> {
        let s = self.session().await?;
        let solution = self.solution(solution).await?;
        let pipelines = self.pipelines(Some(&solution.unique_name)).await?;
        let (_, stage) = find_stage(&pipelines, stage)?;
        let rows =
            p::redeploy_candidates(&s.host, &solution.unique_name, parse_id(&stage.id)?).await?;
        let mut out: Vec<RedeployCandidate> = rows
            .into_iter()
            .filter_map(|r| {
                Some(RedeployCandidate {
                    run_id: r.deploymentstagerunid.to_string(),
                    solution: r
                        .artifactname
                        .unwrap_or_else(|| solution.unique_name.clone()),
                    stage_id: stage.id.clone(),
                    version: r.artifactversion,
                    artifact_id: r.artifact_id?.to_string(),
                    deployed_on: r.endtime.or(r.starttime),
                    current: false,
                })
            })
            .collect();
        // Newest first whatever order the host kept; the newest is what the stage has now.
        out.sort_by(|a, b| b.deployed_on.cmp(&a.deployed_on));
        if let Some(first) = out.first_mut() {
            first.current = true;
        }
        Ok(out)
    }

    /// The run named by `run_id` as the source of a redeployment to `stage`, or why not.
    pub(crate) async fn redeploy_source(
        &self,
        s: &Session,
        solution: &SolutionSummary,
        pipeline: &PipelineOverview,
        stage: &StageOverview,
        run_id: &str,
    ) -> Result<RedeployCandidate> {
        if !self.allows_redeployment(s, pipeline, solution).await? {
            return Err(OpsError::NotDeployable(format!(
                "the pipeline {} does not allow redeployment, so {} cannot take an older artifact again; deploy a new version, or ask an admin to turn on redeployment for the pipeline",
                pipeline.name, stage.name
            )));
        }
        let id = parse_id(run_id)?;
        let run = p::stage_run(&s.host, id).await.map_err(|e| match e.kind {
            ferry_dataverse::ErrorKind::NotFound => OpsError::UnknownRun(id.to_string()),
            _ => OpsError::Host(e),
        })?;
        let hint = format!(
            "list the runs that can go back with `ferry run candidates --solution {} --stage \"{}\"`",
            solution.unique_name, stage.name
        );
        check_source(&run, solution, stage, &hint)?;
        let artifact = run.artifact_id.ok_or_else(|| {
            OpsError::NotDeployable(format!(
                "the run {id} has no artifact to deploy again; {hint}"
            ))
        })?;
        Ok(RedeployCandidate {
            run_id: id.to_string(),
            solution: solution.unique_name.clone(),
            stage_id: stage.id.clone(),
            version: run.artifactversion.clone(),
            artifact_id: artifact.to_string(),
            deployed_on: run.endtime.clone().or(run.starttime.clone()),
            current: false,
        })
    }

    /// Whether the pipeline allows redeployment: its flag as listed, confirmed with
    /// `RetrieveDeploymentPipelineInfo` (the maker's view, §5.3) before saying no.
    async fn allows_redeployment(
        &self,
        s: &Session,
        pipeline: &PipelineOverview,
        solution: &SolutionSummary,
    ) -> Result<bool> {
        if pipeline.enable_redeployment {
            return Ok(true);
        }
        let info = p::pipeline_info(
            &s.host,
            parse_id(&pipeline.id)?,
            &s.dev.bap_id,
            &solution.unique_name,
        )
        .await?;
        Ok(info.enableredeployment.unwrap_or(false))
    }
}

/// A redeployment's source run must be a success of this solution in this stage.
fn check_source(
    run: &HostRun,
    solution: &SolutionSummary,
    stage: &StageOverview,
    hint: &str,
) -> Result<()> {
    let id = run.deploymentstagerunid;
    let name = run.artifactname.as_deref().unwrap_or_default();
    if !name.eq_ignore_ascii_case(&solution.unique_name) {
        return Err(OpsError::InvalidInput(format!(
            "the run {id} deployed {name}, not {}; {hint}",
            solution.unique_name
        )));
    }
    if run.stage_id.map(|s| s.to_string()).as_deref() != Some(stage.id.as_str()) {
        return Err(OpsError::NotDeployable(format!(
            "the run {id} deployed to another stage, not {}; a redeployment puts back what this stage had: {hint}",
            stage.name
        )));
    }
    if run.status() != Some(StageRunStatus::Succeeded) {
        return Err(OpsError::NotDeployable(format!(
            "the run {id} is {}, and only a run that succeeded can be deployed again; {hint}",
            run.status_label()
        )));
    }
    Ok(())
}

/// A validated run deployed as a redeployment must carry the package being put back
/// (validating the redeployment binds it); another run's validation does not count.
pub(crate) fn check_validated_redeploy(run: &HostRun, redeploy: &RedeployCandidate) -> Result<()> {
    if run.artifact_id.map(|a| a.to_string()).as_deref() == Some(redeploy.artifact_id.as_str()) {
        return Ok(());
    }
    Err(OpsError::InvalidInput(format!(
        "the validated run {} carries another package than the run {} being redeployed; validate the redeployment again, or deploy it without a run id",
        run.deploymentstagerunid, redeploy.run_id
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use uuid::Uuid;

    fn solution() -> SolutionSummary {
        SolutionSummary {
            id: Uuid::nil().to_string(),
            unique_name: "ContosoCore".into(),
            friendly_name: "Contoso Core".into(),
            version: "1.0.0.3".into(),
            is_managed: false,
        }
    }

    fn stage(id: Uuid) -> StageOverview {
        StageOverview {
            id: id.to_string(),
            name: "Deploy to Test".into(),
            previous_stage_id: None,
            target_name: None,
            target_environment_id: None,
            delegated: false,
            pre_deployment_step: false,
            enable_redeployment: true,
            deployability: None,
            latest_run: None,
        }
    }

    fn run(stage: Uuid, status: StageRunStatus, name: &str) -> HostRun {
        serde_json::from_value(json!({
            "deploymentstagerunid": Uuid::from_u128(7),
            "_deploymentstageid_value": stage,
            "stagerunstatus": status.code(),
            "artifactname": name,
        }))
        .unwrap()
    }

    #[test]
    fn only_a_success_of_the_solution_in_the_stage_goes_back() {
        let here = Uuid::from_u128(1);
        let (sol, st) = (solution(), stage(here));
        let ok = run(here, StageRunStatus::Succeeded, "contosocore");
        assert!(check_source(&ok, &sol, &st, "hint").is_ok());

        let failed = run(here, StageRunStatus::Failed, "ContosoCore");
        let err = check_source(&failed, &sol, &st, "hint").unwrap_err();
        assert!(
            err.to_string().contains("only a run that succeeded"),
            "{err}"
        );

        let elsewhere = run(Uuid::from_u128(2), StageRunStatus::Succeeded, "ContosoCore");
        let err = check_source(&elsewhere, &sol, &st, "hint").unwrap_err();
        assert!(err.to_string().contains("another stage"), "{err}");

        let other = run(here, StageRunStatus::Succeeded, "ContosoPortal");
        let err = check_source(&other, &sol, &st, "hint").unwrap_err();
        assert!(err.to_string().contains("deployed ContosoPortal"), "{err}");
    }

    #[test]
    fn a_validated_redeployment_deploys_only_with_the_package_it_puts_back() {
        let artifact = Uuid::from_u128(4);
        let redeploy = RedeployCandidate {
            run_id: Uuid::from_u128(1).to_string(),
            solution: "ContosoCore".into(),
            stage_id: Uuid::from_u128(2).to_string(),
            version: Some("1.0.0.4".into()),
            artifact_id: artifact.to_string(),
            deployed_on: None,
            current: false,
        };
        let validated = |artifact: Option<Uuid>| {
            let mut r = run(
                Uuid::from_u128(2),
                StageRunStatus::ValidationSucceeded,
                "ContosoCore",
            );
            r.artifact_id = artifact;
            r
        };
        assert!(check_validated_redeploy(&validated(Some(artifact)), &redeploy).is_ok());
        for other in [validated(Some(Uuid::from_u128(5))), validated(None)] {
            let err = check_validated_redeploy(&other, &redeploy).unwrap_err();
            assert!(matches!(err, OpsError::InvalidInput(_)), "{err}");
            assert!(
                err.to_string().contains("validate the redeployment again"),
                "{err}"
            );
        }
    }
}
