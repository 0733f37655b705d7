//! Synthetic stage runs for benchmarks and seeding: spread over 8 solutions × 3
//! stages, 10% failed (with validation results) and 10% canceled, every run with
//! notes, settings and a maker; run `i` is requested 7 minutes after run `i - 1`.
//! Shared by `benches/history.rs` and, through `#[path]`, `examples/seed_runs.rs`.

use ferry_cache::codes::stage_run_status as s;
use ferry_cache::StageRun;
use serde_json::json;
use time::macros::datetime;
use time::Duration;

const SOLUTIONS: [&str; 8] = [
    "contoso_Core",
    "contoso_Invoices",
    "fabrikam_Portal",
    "fabrikam_Field",
    "northwind_Sales",
    "northwind_Hr",
    "adatum_Audit",
    "adatum_Ops",
];
const STAGES: [(&str, &str); 3] = [
    ("st-test", "Test"),
    ("st-uat", "UAT"),
    ("st-prod", "Production"),
];

pub fn synthetic(i: usize) -> StageRun {
    let (stage_id, stage_name) = STAGES[i % 3];
    let status = match i % 10 {
        0 => s::FAILED,
        1 => s::CANCELED,
        _ => s::SUCCEEDED,
    };
    let created = datetime!(2024-01-01 0:00 UTC) + Duration::minutes(i as i64 * 7);
    StageRun {
        id: format!("00000000-0000-4000-8000-{i:012}"),
        name: Some(format!("{stage_name} - {} - 1.0.{i}.0", SOLUTIONS[i % 8])),
        stage_id: stage_id.into(),
        stage_name: Some(stage_name.into()),
        pipeline_name: Some("Company ALM".into()),
        target_environment_name: Some(format!("{stage_name} environment")),
        artifact_name: SOLUTIONS[i % 8].into(),
        artifact_version: Some(format!("1.0.{i}.0")),
        deployment_notes: Some(format!(
            "Release {i}: fixes ticket {} and tidies forms",
            i * 13
        )),
        deployment_settings_json: Some(
            json!({"EnvironmentVariables": [{"SchemaName": "x_Url", "Value": "https://a"}],
                   "ConnectionReferences": []})
            .to_string(),
        ),
        stage_run_status: status,
        error_message: (status == s::FAILED)
            .then(|| format!("Import failed: missing dependency component {i}")),
        validation_results: (status == s::FAILED).then(|| {
            json!({"ValidationStatus": "Failed", "SolutionValidationResults": [
                {"SolutionValidationResultType": "Error", "ErrorCode": -2147188707,
                 "Message": format!("Missing dependency {i}")}]})
        }),
        created_on: Some(created),
        modified_on: Some(created + Duration::minutes(3)),
        created_by: Some(format!("Maker {}", i % 17)),
        ..StageRun::default()
    }
}
