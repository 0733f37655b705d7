//! What can be deployed where: solutions, pipelines, the matrix, a plan.

use ferry_ipc::IpcError;
use ferry_ops::{
    CancellationToken, Matrix, PipelineOverview, Plan, PlanRequest, RedeployCandidate,
    SolutionSummary,
};

use super::AppStateRef;

/// The development environment's unmanaged solutions.
#[tauri::command]
pub async fn solutions(state: AppStateRef<'_>) -> Result<Vec<SolutionSummary>, IpcError> {
    Ok(state.engine()?.solutions().await?)
}

/// The pipelines offered to the dev environment; with a solution, deployability and last runs.
#[tauri::command]
pub async fn pipelines(
    state: AppStateRef<'_>,
    solution: Option<String>,
) -> Result<Vec<PipelineOverview>, IpcError> {
    Ok(state.engine()?.pipelines(solution.as_deref()).await?)
}

/// Solutions × stages: what is deployed where, and drift.
#[tauri::command]
pub async fn matrix(state: AppStateRef<'_>) -> Result<Matrix, IpcError> {
    Ok(state.engine()?.matrix(&CancellationToken::new()).await?)
}

/// A deployment, planned: versions, values and checks; nothing is sent.
#[tauri::command]
pub async fn plan(state: AppStateRef<'_>, request: PlanRequest) -> Result<Plan, IpcError> {
    Ok(state.engine()?.plan(&request).await?)
}

/// SHA-256 of the package a run carried (from the cache, else read from the host once).
#[tauri::command]
pub async fn artifact_hash(
    state: AppStateRef<'_>,
    run_id: String,
) -> Result<Option<String>, IpcError> {
    Ok(state.engine()?.artifact_hash(&run_id).await?)
}

/// The successful runs of a solution in a stage whose package can go there again,
/// newest first (the first is what the stage has now).
#[tauri::command]
pub async fn redeploy_candidates(
    state: AppStateRef<'_>,
    solution: String,
    stage: String,
) -> Result<Vec<RedeployCandidate>, IpcError> {
    Ok(state
        .engine()?
        .redeploy_candidates(&solution, &stage)
        .await?)
}
