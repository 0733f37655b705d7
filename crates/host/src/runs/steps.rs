//! The timed steps the runner executes: export, pre-validation, import,
//! publish, scheduled starts and environment registration checks.

use ferry_pipelines::{
    DeploymentSettings, Operation, OperationStatus, SolutionVersion, StageRunStatus, SubOperation,
    ValidationResults,
};
use rusqlite::Connection;
use serde_json::{json, Map, Value};

use super::install::{install, spec_of};
use super::validate::{check_settings, prevalidate, prevalidate_with, VersionRule};
use super::{
    answer_gate, begin_deploy, env_name_of, fail, host_get, phase, save, set_state, status_of,
    Gate, Timing, KIND_RUN,
};
use crate::audit;
use crate::caller::Caller;
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::faults::Faults;
use crate::package::{export_file_name, export_zip, SolutionSpec};
use crate::schema::HOST_SCOPE;
use crate::store::jobs::{self, Job};
use crate::store::records::{self, Record};
use crate::store::{environments, files};

const RUNS: &str = "deploymentstageruns";

/// Hidden run column: the import phase was already stretched by `import_slowdown`.
pub(crate) const IMPORT_STRETCHED: &str = "__importstretched";

/// Executes one due job. Called inside a transaction; errors roll it back.
pub fn run_step(conn: &Connection, job: &Job, timing: Timing, faults: &Faults) -> ApiResult<()> {
    if job.kind == super::KIND_ENV {
        return validate_registration(conn, &job.id);
    }
    let Some(mut run) = records::get(conn, HOST_SCOPE, RUNS, &job.id)? else {
        jobs::remove(conn, &job.id)?;
        return Ok(());
    };
    if status_of(&run).is_some_and(StageRunStatus::is_terminal) {
        jobs::remove(conn, &job.id)?;
        return Ok(());
    }
    let outcome = match job.step.as_str() {
        "validate.export" => export(conn, &mut run, timing),
        "validate.check" => check(conn, &mut run, faults),
        "deploy.start" => begin_deploy(conn, &mut run, timing),
        "deploy.import" if stretch_import(conn, &mut run, timing, faults)? => Ok(()),
        "deploy.import" => import(conn, &mut run, timing),
        "wait.preexport" => automate_gate(conn, &run, Gate::PreExport, timing, faults),
        "wait.approval" => automate_gate(conn, &run, Gate::Approval, timing, faults),
        "wait.predeploy" => automate_gate(conn, &run, Gate::PreDeployment, timing, faults),
        "deploy.publish" => publish(conn, &mut run),
        other => Err(ApiError::internal(format!("unknown step '{other}'"))),
    };
    match outcome {
        Ok(()) => Ok(()),
        Err(e) if e.status.is_server_error() => {
            let message = format!(
                "The host could not continue this run ({}); create a new run.",
                e.message
            );
            fail(conn, &mut run, "host", &message)
        }
        Err(e) => fail(conn, &mut run, phase_of(&job.step), &e.message),
    }
}

/// Slow imports on purpose: the first time the import is due, push it back by
/// `(import_slowdown - 1) ×` the import phase. True when it was pushed back.
fn stretch_import(
    conn: &Connection,
    run: &mut Record,
    timing: Timing,
    faults: &Faults,
) -> ApiResult<bool> {
    let factor = faults.import_slowdown();
    if factor <= 1.0 || run.bool(IMPORT_STRETCHED) {
        return Ok(false);
    }
    run.set(IMPORT_STRETCHED, true);
    let extra = (super::phase::IMPORT as f64 * (factor - 1.0)) as i64;
    jobs::put(
        conn,
        &run.id,
        KIND_RUN,
        "deploy.import",
        Some(timing.after(extra)),
    )?;
    records::update(conn, HOST_SCOPE, RUNS, run)?;
    Ok(true)
}

/// The identity gate automation answers as, in the audit trail.
fn automation() -> Caller {
    Caller {
        user_id: crate::ids::derived_id("user", "gate-automation"),
        upn: "gate-automation".into(),
        name: "Gate automation".into(),
        roles: Vec::new(),
        app_id: None,
        app_only: false,
    }
}

/// A gate's auto-approve time came: approve it, unless gate automation is switched off
/// (then the run keeps waiting, and the automation looks again after the same delay).
fn automate_gate(
    conn: &Connection,
    run: &Record,
    gate: Gate,
    timing: Timing,
    faults: &Faults,
) -> ApiResult<()> {
    let stage = host_get(
        conn,
        "deploymentstages",
        run.str("_deploymentstageid_value").unwrap_or_default(),
    )?;
    let delay = stage.int(super::AUTO_APPROVE).unwrap_or(1_000).max(0);
    if !faults.gate_automation() {
        let step = jobs::get(conn, &run.id)?
            .map(|j| j.step)
            .unwrap_or_default();
        jobs::put(conn, &run.id, KIND_RUN, &step, Some(timing.after(delay)))?;
        return Ok(());
    }
    answer_gate(
        conn,
        &run.id,
        gate,
        &super::GateAnswer {
            status: 20,
            comments: Some("Approved by gate automation".into()),
            properties: None,
        },
        timing,
    )?;
    let after = host_get(conn, RUNS, &run.id)?;
    let action = if gate == Gate::Approval {
        audit::Action::Approve
    } else {
        audit::Action::Update
    };
    audit::append(
        conn,
        &automation(),
        action,
        gate.message(),
        "deploymentstagerun",
        &run.id,
        Some(&run.data),
        Some(&after.data),
    )
}

fn phase_of(step: &str) -> &'static str {
    if step.starts_with("deploy") {
        "deploy"
    } else {
        "validate"
    }
}

/// Hidden column of a dev `solutions` row and of an artifact: the stored package (relative to
/// the data dir) its exports are made from, when it was loaded from a real package.
pub const PACKAGE_COLUMN: &str = "__package";

/// The stored package a row names (relative to the data dir), if it is still there.
fn package_of(conn: &Connection, row: &Record) -> Option<String> {
    let rel = row.str(PACKAGE_COLUMN)?;
    files::data_dir(conn)
        .join(rel)
        .is_file()
        .then(|| rel.to_string())
}

/// The dev environment's spec of the run's solution, and its stored package if any.
fn dev_source(conn: &Connection, run: &Record) -> ApiResult<(SolutionSpec, Option<String>)> {
    let dev = host_get(
        conn,
        "deploymentenvironments",
        run.str("_devdeploymentenvironment_value")
            .unwrap_or_default(),
    )?;
    let env = env_name_of(conn, &dev)?;
    let name = run.str("artifactname").unwrap_or_default();
    let by_name = records::find(conn, &env, "solutions", "uniquename", name)?
        .into_iter()
        .next();
    let row = match by_name {
        Some(r) => Some(r),
        None => records::get(
            conn,
            &env,
            "solutions",
            run.str("solutionid").unwrap_or_default(),
        )?,
    };
    let row = row.ok_or_else(|| {
        ApiError::rule(format!(
            "The solution {name} was not found in the development environment {env}."
        ))
    })?;
    if row.bool("ismanaged") {
        return Err(ApiError::rule(format!(
            "The solution {name} is managed in {env}; only unmanaged solutions can be deployed."
        )));
    }
    let mut spec = spec_of(&row).ok_or_else(|| {
        ApiError::rule(format!(
            "The solution {name} in {env} cannot be exported by this host."
        ))
    })?;
    // The row's `version` is the truth (a client may PATCH it, as in Dataverse); the stored
    // spec keeps the version it was installed with.
    if let Some(v) = row
        .str("version")
        .filter(|v| v.parse::<SolutionVersion>().is_ok())
    {
        spec.version = v.to_string();
    }
    Ok((spec, package_of(conn, &row)))
}

/// The spec snapshot an artifact was exported from.
fn artifact_spec(artifact: &Record) -> ApiResult<SolutionSpec> {
    artifact
        .data
        .get("__spec")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .ok_or_else(|| ApiError::internal("the artifact has no exported description"))
}

/// Exports `spec` at `version`: a new immutable artifact with both files. With a stored
/// `package` (relative to the data dir) the files are that package's bytes, restamped with the
/// version and managed flag; without, a zip made from the spec.
fn create_artifact(
    conn: &Connection,
    spec: &SolutionSpec,
    version: &str,
    package: Option<&str>,
) -> ApiResult<Record> {
    let id = uuid::Uuid::new_v4().to_string();
    let managed_name = export_file_name(&spec.unique_name, version, true);
    let unmanaged_name = export_file_name(&spec.unique_name, version, false);
    let source = package.map(|p| files::data_dir(conn).join(p));
    let write = |col: &str, name: &str, managed: bool| -> ApiResult<String> {
        let Some(src) = &source else {
            return Ok(files::put(
                conn,
                &id,
                col,
                name,
                &export_zip(spec, version, managed),
            )?);
        };
        let path = files::artifact_path(conn, &id, col);
        files::write_new(&path, |f| {
            crate::package::restamp_zip(src, f, version, managed)
        })
        .map_err(|e| {
            ApiError::rule(format!(
                "The solution package of {} cannot be exported: {e}",
                spec.unique_name
            ))
        })?;
        Ok(files::put_written(conn, &id, col, name)?)
    };
    let managed_sha = write("artifactfile", &managed_name, true)?;
    let unmanaged_sha = write("artifactfileunmanaged", &unmanaged_name, false)?;
    let mut data = Map::new();
    data.insert("name".into(), spec.unique_name.clone().into());
    data.insert("artifactversion".into(), version.into());
    data.insert("generatedon".into(), clock::now_text().into());
    data.insert(
        "artifactfile".into(),
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, managed_sha.as_bytes())
            .to_string()
            .into(),
    );
    data.insert("artifactfile_name".into(), managed_name.into());
    data.insert(
        "artifactfileunmanaged".into(),
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, unmanaged_sha.as_bytes())
            .to_string()
            .into(),
    );
    data.insert("artifactfileunmanaged_name".into(), unmanaged_name.into());
    data.insert(
        "__spec".into(),
        serde_json::to_value(spec).expect("spec serializes"),
    );
    if let Some(p) = package {
        data.insert(PACKAGE_COLUMN.into(), p.into());
    }
    data.insert(
        "__sha256".into(),
        json!({ "artifactfile": managed_sha, "artifactfileunmanaged": unmanaged_sha }),
    );
    records::insert(
        conn,
        HOST_SCOPE,
        "deploymentartifacts",
        "deploymentartifactid",
        &id,
        data,
    )
    .map_err(|e| ApiError::internal(e.to_string()))
}

fn export(conn: &Connection, run: &mut Record, timing: Timing) -> ApiResult<()> {
    if run.str("_artifactid_value").is_none() {
        let (spec, package) = dev_source(conn, run)?;
        let version = run
            .str("artifactversion")
            .map(str::to_string)
            .unwrap_or_else(|| spec.version.clone());
        let artifact = create_artifact(conn, &spec, &version, package.as_deref())?;
        run.set("_artifactid_value", artifact.id.clone());
        run.set("__exported", true);
        if run.str("artifactdevcurrentversion").is_none() {
            run.set("artifactdevcurrentversion", spec.version.clone());
        }
    }
    set_state(
        run,
        StageRunStatus::Validating,
        Operation::Validate,
        SubOperation::PreValidation,
        OperationStatus::Started,
    );
    jobs::put(
        conn,
        &run.id,
        KIND_RUN,
        "validate.check",
        Some(timing.after(phase::PREVALIDATE)),
    )?;
    save(conn, run, "Solution exported")
}

fn run_artifact(conn: &Connection, run: &Record) -> ApiResult<Record> {
    host_get(
        conn,
        "deploymentartifacts",
        run.str("_artifactid_value").unwrap_or_default(),
    )
}

fn target_env(conn: &Connection, run: &Record) -> ApiResult<String> {
    let target = host_get(
        conn,
        "deploymentenvironments",
        run.str("_targetdeploymentenvironment_value")
            .unwrap_or_default(),
    )?;
    env_name_of(conn, &target)
}

fn check(conn: &Connection, run: &mut Record, faults: &Faults) -> ApiResult<()> {
    let artifact = run_artifact(conn, run)?;
    let spec = artifact_spec(&artifact)?;
    let version = run
        .str("artifactversion")
        .or(artifact.str("artifactversion"))
        .unwrap_or_default()
        .to_string();
    // The portal validates before the maker picks the version (§5.5, §5.9): an unchosen
    // version below the target's is a warning here and an error at DeployPackageAsync.
    let rule = if run.bool("isredeployment") {
        VersionRule::Redeployment
    } else if run.str("artifactversion").is_some_and(|v| !v.is_empty()) {
        VersionRule::Enforce
    } else {
        VersionRule::Open
    };
    let mut results = prevalidate_with(conn, &spec, &version, &target_env(conn, run)?, rule)?;
    if let Some(chosen) = faults.take_validation(&spec.unique_name) {
        results = chosen_results(chosen, results.solution_details);
    }
    run.set("validationresults", results.to_column());
    jobs::remove(conn, &run.id)?;
    if results.passed() {
        set_state(
            run,
            StageRunStatus::ValidationSucceeded,
            Operation::Validate,
            SubOperation::PreValidation,
            OperationStatus::Succeeded,
        );
        save(conn, run, "Validation succeeded")
    } else {
        let message = results
            .first_error()
            .unwrap_or("Validation failed.")
            .to_string();
        fail(conn, run, "validate", &message)
    }
}

/// The validation a fault chose; any error entry or missing dependency fails it.
fn chosen_results(
    chosen: crate::faults::ChosenValidation,
    details: Option<ferry_pipelines::SolutionDetails>,
) -> ValidationResults {
    let missing = !chosen.missing_dependencies.is_empty();
    let mut results =
        ValidationResults::from_entries(chosen.results, chosen.missing_dependencies, details);
    if missing {
        results.validation_status = ferry_pipelines::ValidationOutcome::Failed;
    }
    results
}

/// Re-stamps a first-stage artifact when the maker chose a new version after validation.
fn stamped_artifact(conn: &Connection, run: &mut Record) -> ApiResult<Record> {
    let artifact = run_artifact(conn, run)?;
    let wanted = run.str("artifactversion").unwrap_or_default().to_string();
    if !run.bool("__exported")
        || wanted.is_empty()
        || artifact.str("artifactversion") == Some(wanted.as_str())
    {
        return Ok(artifact);
    }
    let spec = artifact_spec(&artifact)?;
    let package = package_of(conn, &artifact);
    let fresh = create_artifact(conn, &spec, &wanted, package.as_deref())?;
    run.set("_artifactid_value", fresh.id.clone());
    let users = records::find(conn, HOST_SCOPE, RUNS, "_artifactid_value", &artifact.id)?;
    if users.iter().all(|r| r.id == run.id) {
        records::delete(conn, HOST_SCOPE, "deploymentartifacts", &artifact.id)?;
        files::delete_artifact(conn, &artifact.id)?;
    }
    Ok(fresh)
}

fn import(conn: &Connection, run: &mut Record, timing: Timing) -> ApiResult<()> {
    let artifact = stamped_artifact(conn, run)?;
    let spec = artifact_spec(&artifact)?;
    let version = artifact
        .str("artifactversion")
        .unwrap_or_default()
        .to_string();
    let target = target_env(conn, run)?;
    let settings = match run
        .str("deploymentsettingsjson")
        .filter(|s| !s.trim().is_empty())
    {
        Some(text) => DeploymentSettings::parse(text)
            .map_err(|e| ApiError::rule(format!("deploymentsettingsjson is not valid: {e}")))?,
        None => DeploymentSettings::default(),
    };
    let problems = check_settings(conn, &spec, &settings, &target)?;
    let again = prevalidate(conn, &spec, &version, &target, run.bool("isredeployment"))?;
    if !problems.is_empty() || !again.passed() {
        let mut entries = again.solution_validation_results.clone();
        entries.extend(problems);
        let results = ValidationResults::from_entries(
            entries,
            again.missing_dependencies.clone(),
            again.solution_details.clone(),
        );
        run.set("validationresults", results.to_column());
        let message = results
            .first_error()
            .unwrap_or("The deployment settings are not valid.")
            .to_string();
        return Err(ApiError::rule(message));
    }
    if let Some(mut env) = environments::get(conn, &target)? {
        if env.import_failures > 0 {
            env.import_failures -= 1;
            environments::put(conn, &env)?;
            return Err(ApiError::rule(format!(
                "The import of {} into {} failed (emulated import failure).",
                spec.unique_name, env.display_name
            )));
        }
    }
    install(conn, &target, &spec, &version, true, &settings)
        .map_err(|e| ApiError::internal(e.to_string()))?;
    set_state(
        run,
        StageRunStatus::Deploying,
        Operation::Deploy,
        SubOperation::CustomizationPublishing,
        OperationStatus::Started,
    );
    jobs::put(
        conn,
        &run.id,
        KIND_RUN,
        "deploy.publish",
        Some(timing.after(phase::PUBLISH)),
    )?;
    save(conn, run, "Solution imported")
}

fn publish(conn: &Connection, run: &mut Record) -> ApiResult<()> {
    set_state(
        run,
        StageRunStatus::Succeeded,
        Operation::Deploy,
        SubOperation::DeploymentComplete,
        OperationStatus::Succeeded,
    );
    run.set("endtime", clock::now_text());
    let version = run_artifact(conn, run)?
        .data
        .get("artifactversion")
        .cloned()
        .unwrap_or(Value::Null);
    run.set("artifactversion", version);
    jobs::remove(conn, &run.id)?;
    save(conn, run, "Deployment complete")?;
    crate::events::deployment_completed(conn, run, OperationStatus::Succeeded)
}

fn validate_registration(conn: &Connection, id: &str) -> ApiResult<()> {
    jobs::remove(conn, id)?;
    let Some(mut reg) = records::get(conn, HOST_SCOPE, "deploymentenvironments", id)? else {
        return Ok(());
    };
    let bap = reg.str("environmentid").unwrap_or_default().to_string();
    match environments::by_bap_id(conn, &bap)? {
        Some(env) => {
            reg.set("validationstatus", 200000001);
            reg.set("errormessage", Value::Null);
            // A validated registration stamps the environment with this host (§1); it
            // replaces an earlier binding as a force link does [I: the emulator does not
            // refuse an environment bound elsewhere].
            environments::bind(conn, &env.name, Some(HOST_SCOPE))?;
        }
        None => {
            reg.set("validationstatus", 200000002);
            reg.set(
                "errormessage",
                format!(
                    "The environment {bap} was not found in this tenant; check the environment id."
                ),
            );
        }
    }
    records::update(conn, HOST_SCOPE, "deploymentenvironments", &mut reg)?;
    Ok(())
}
