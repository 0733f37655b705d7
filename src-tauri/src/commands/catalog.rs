//! What can be deployed where: solutions, pipelines, the matrix, a plan.

use ferry_ipc::CodedError;
use ferry_ops::{
    CancellationToken, Matrix, PipelineOverview, Plan, PlanRequest, RedeployCandidate,
    SolutionSummary, ValuesCheck, ValuesRequest,
};

use tauri::AppHandle;

use super::state;

/// The development environment's unmanaged solutions.
pub async fn solutions(app: &AppHandle) -> Result<Vec<SolutionSummary>, CodedError> {
    Ok(state(app).engine()?.solutions().await?)
}

/// The pipelines offered to the dev environment; with a solution, deployability and last runs,
/// "deployable" only where the target will take it (what each target has is read once and
/// shared with the matrix and the plan), as `ferry pipeline list --solution` says.
pub async fn pipelines(
    app: &AppHandle,
    solution: Option<String>,
) -> Result<Vec<PipelineOverview>, CodedError> {
    let engine = state(app).engine()?;
    let mut pipelines = engine.pipelines(solution.as_deref()).await?;
    if let Some(solution) = &solution {
        engine.check_targets(solution, &mut pipelines).await?;
    }
    Ok(pipelines)
}

/// What to tell a maker to whom no pipeline is offered: who can change that, and what to ask.
pub async fn no_pipeline_hint(app: &AppHandle) -> Result<String, CodedError> {
    Ok(state(app).engine()?.no_pipeline_advice().await?)
}

/// Solutions × stages: what is deployed where, and drift.
pub async fn matrix(app: &AppHandle) -> Result<Matrix, CodedError> {
    Ok(state(app)
        .engine()?
        .matrix(&CancellationToken::new())
        .await?)
}

/// A deployment, planned: versions, values and checks; nothing is sent.
pub async fn plan(app: &AppHandle, request: PlanRequest) -> Result<Plan, CodedError> {
    Ok(state(app).engine()?.plan(&request).await?)
}

/// The engine's verdict on a deployment's values (no host call: a pure check, so it
/// runs on the caller's worker).
pub async fn check_values(
    _app: &AppHandle,
    request: ValuesRequest,
) -> Result<ValuesCheck, CodedError> {
    Ok(ferry_ops::check_values(&request)?)
}

/// SHA-256 of the package a run carried (from the cache, else read from the host once).
pub async fn artifact_hash(app: &AppHandle, run_id: String) -> Result<Option<String>, CodedError> {
    Ok(state(app).engine()?.artifact_hash(&run_id).await?)
}

/// The successful runs of a solution in a stage whose package can go there again,
/// newest first (the first is what the stage has now).
pub async fn redeploy_candidates(
    app: &AppHandle,
    solution: String,
    stage: String,
) -> Result<Vec<RedeployCandidate>, CodedError> {
    Ok(state(app)
        .engine()?
        .redeploy_candidates(&solution, &stage)
        .await?)
}
