//! A run created with an artifact bound by the client (`artifactid@odata.bind`), which is
//! how a maker redeploys an older artifact (spec §5.13, `isredeployment: true`). Only a
//! pipeline with `enableredeployment` takes a version that is not higher than the stage's.

use ferry_pipelines::SolutionVersion;
use rusqlite::Connection;

use super::latest_succeeded;
use super::record::Stage;
use crate::error::{ApiError, ApiResult};
use crate::store::records::Record;

/// Checks a client-bound `artifact` for a new run of `solution` in `stage`.
pub(crate) fn check_bound_artifact(
    conn: &Connection,
    pipeline: &Record,
    stage: &Stage,
    solution: &str,
    artifact: &Record,
    is_redeployment: bool,
) -> ApiResult<()> {
    let pipeline_name = pipeline.str("name").unwrap_or("this pipeline");
    let allowed = pipeline.bool("enableredeployment");
    if is_redeployment && !allowed {
        return Err(ApiError::rule(format!(
            "The pipeline {pipeline_name} does not allow redeployment; an admin can turn on enableredeployment, or deploy a new version instead."
        )));
    }
    let name = artifact.str("name").unwrap_or_default();
    if !name.is_empty() && !name.eq_ignore_ascii_case(solution) {
        return Err(ApiError::rule(format!(
            "The artifact {} is of the solution {name}, not {solution}; bind an artifact of {solution}.",
            artifact.id
        )));
    }
    if allowed {
        return Ok(());
    }
    let version = artifact
        .str("artifactversion")
        .and_then(|v| v.parse::<SolutionVersion>().ok());
    let deployed = latest_succeeded(conn, stage.id(), solution)?
        .and_then(|r| r.version().and_then(|v| v.parse::<SolutionVersion>().ok()));
    if let (Some(version), Some(deployed)) = (version, deployed) {
        if version <= deployed {
            return Err(ApiError::rule(format!(
                "The artifact's version {version} is not greater than {deployed}, the version already deployed to this stage, and the pipeline {pipeline_name} does not allow redeployment; deploy a new version instead."
            )));
        }
    }
    Ok(())
}
