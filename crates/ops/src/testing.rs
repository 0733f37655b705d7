//! Fixtures shared by the engine's unit tests: a brisk Local sandbox and a
//! validated run of the demo's ContosoCanvas (no values to fill).

use std::path::Path;

use tokio_util::sync::CancellationToken;

use crate::{Engine, EngineOptions, PlanRequest, RunOutcome};

/// Options for an engine on `data_dir` whose Local sandbox runs 50× faster.
pub(crate) fn brisk_options(data_dir: &Path) -> EngineOptions {
    let mut options = EngineOptions::new(data_dir);
    options.sandbox_speed = 50.0;
    options
}

/// Validates ContosoCanvas for the sandbox's "Deploy to Test".
pub(crate) async fn validate_canvas(engine: &Engine) -> RunOutcome {
    let req = PlanRequest {
        solution: "ContosoCanvas".into(),
        stage: "Deploy to Test".into(),
        ..Default::default()
    };
    engine
        .validate(&req, &(), &CancellationToken::new())
        .await
        .unwrap()
}
