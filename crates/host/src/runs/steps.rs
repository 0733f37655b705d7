//! The timed steps the runner executes: export, pre-validation, import,
//! publish, scheduled starts and environment registration checks.

use ferry_pipelines::{
    DeploymentSettings, Operation, OperationStatus, SolutionVersion, StageRunStatus, SubOperation,
    ValidationResults,
};
use rusqlite::Connection;
use serde_json::{json, Map, Value};

use super::install::{install, spec_of, PACKAGE_COLUMN};
use super::prebuilt::{self, ArtifactKey, Prebuilt};
use super::record::{col, RUNS};
use super::record::{Ending, Gate, Phase, Run, Stage};
use super::validate::{check_settings, prevalidate, prevalidate_with, VersionRule};
use super::{answer_gate, begin_deploy, end_run, env_name_of, host_get, phase, Timing, KIND_RUN};
use crate::audit;
use crate::caller::Caller;
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::faults::Faults;
use crate::package::{export_file_name, SolutionSpec};
use crate::schema::HOST_SCOPE;
use crate::store::jobs::{self, Job};
use crate::store::records::{self, Record};
use crate::store::{environments, files};

/// Executes one due job. Called inside a transaction; errors roll it back.
pub fn run_step(conn: &Connection, job: &Job, timing: Timing, faults: &Faults) -> ApiResult<()> {
    if job.kind == super::KIND_ENV {
        return validate_registration(conn, &job.id);
    }
    let Some(mut run) = Run::find(conn, &job.id)? else {
        jobs::remove(conn, &job.id)?;
        return Ok(());
    };
    if run.is_terminal() {
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
            let ending = Ending::Failed {
                phase: Phase::Host,
                message: &message,
            };
            end_run(conn, &mut run, ending)
        }
        Err(e) => {
            let ending = Ending::Failed {
                phase: Phase::of_step(&job.step),
                message: &e.message,
            };
            end_run(conn, &mut run, ending)
        }
    }
}

/// Slow imports on purpose: the first time the import is due, push it back by
/// `(import_slowdown - 1) ×` the import phase. True when it was pushed back.
fn stretch_import(
    conn: &Connection,
    run: &mut Run,
    timing: Timing,
    faults: &Faults,
) -> ApiResult<bool> {
    let factor = faults.import_slowdown();
    if factor <= 1.0 || run.import_stretched() {
        return Ok(false);
    }
    run.mark_import_stretched();
    let extra = (super::phase::IMPORT as f64 * (factor - 1.0)) as i64;
    jobs::put(
        conn,
        run.id(),
        KIND_RUN,
        "deploy.import",
        Some(timing.after(extra)),
    )?;
    run.update(conn)?;
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
    run: &Run,
    gate: Gate,
    timing: Timing,
    faults: &Faults,
) -> ApiResult<()> {
    let stage = Stage::get(conn, run.stage_id())?;
    let delay = stage.auto_approve_ms().unwrap_or(1_000);
    if !faults.gate_automation() {
        let step = gate.columns().step;
        jobs::put(conn, run.id(), KIND_RUN, step, Some(timing.after(delay)))?;
        return Ok(());
    }
    answer_gate(
        conn,
        run.id(),
        gate,
        &super::GateAnswer {
            status: 20,
            comments: Some("Approved by gate automation".into()),
            properties: None,
        },
        timing,
    )?;
    let after = Run::get(conn, run.id())?;
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
        run.id(),
        Some(&run.record().data),
        Some(&after.record().data),
    )
}

/// The stored package a row names (relative to the data dir), if it is still there.
fn package_of(conn: &Connection, row: &Record) -> Option<String> {
    let rel = row.str(PACKAGE_COLUMN)?;
    files::data_dir(conn)
        .join(rel)
        .is_file()
        .then(|| rel.to_string())
}

/// The dev environment's spec of the run's solution, and its stored package if any.
fn dev_source(conn: &Connection, run: &Run) -> ApiResult<(SolutionSpec, Option<String>)> {
    let dev = host_get(conn, "deploymentenvironments", run.dev_registration_id())?;
    let env = env_name_of(conn, &dev)?;
    let name = run.artifact_name();
    let by_name = records::find(conn, &env, "solutions", "uniquename", name)?
        .into_iter()
        .next();
    let row = match by_name {
        Some(r) => Some(r),
        None => records::get(conn, &env, "solutions", run.solution_id())?,
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
/// version and managed flag; without, a zip made from the spec. Files the runner built ahead
/// for this step ([`prebuilt`]) are taken instead of being built under the writer's lock.
fn create_artifact(
    conn: &Connection,
    spec: &SolutionSpec,
    version: &str,
    package: Option<&str>,
) -> ApiResult<Record> {
    let managed_name = export_file_name(&spec.unique_name, version, true);
    let unmanaged_name = export_file_name(&spec.unique_name, version, false);
    let built = match prebuilt::take(&ArtifactKey::new(spec, version, package)) {
        Some(files) => files,
        None => {
            let id = uuid::Uuid::new_v4().to_string();
            prebuilt::write(&files::data_dir(conn), &id, spec, version, package)?
        }
    };
    let (id, managed_sha, unmanaged_sha) = (built.id, built.managed_sha, built.unmanaged_sha);
    files::record(conn, &id, "artifactfile", &managed_name, &managed_sha)?;
    files::record(
        conn,
        &id,
        "artifactfileunmanaged",
        &unmanaged_name,
        &unmanaged_sha,
    )?;
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

/// The artifact a due `job` will export, if it exports one (see [`prebuilt`]): read on a
/// connection of its own, built before the step's transaction. The step checks again inside it.
pub fn prebuild(conn: &Connection, job: &Job) -> Option<Prebuilt> {
    if job.kind != KIND_RUN {
        return None;
    }
    let run = Run::find(conn, &job.id).ok().flatten()?;
    if run.is_terminal() {
        return None;
    }
    let (spec, version, package) = match job.step.as_str() {
        "validate.export" if run.artifact_id().is_none() => {
            let (spec, package) = dev_source(conn, &run).ok()?;
            (spec.clone(), export_version(&run, &spec), package)
        }
        "deploy.import" => {
            let artifact = run_artifact(conn, &run).ok()?;
            let wanted = restamp_version(&run, &artifact)?;
            let spec = artifact_spec(&artifact).ok()?;
            (spec, wanted, package_of(conn, &artifact))
        }
        _ => return None,
    };
    let key = ArtifactKey::new(&spec, &version, package.as_deref());
    Prebuilt::build(
        &files::data_dir(conn),
        key,
        &spec,
        &version,
        package.as_deref(),
    )
    .ok()
}

fn export(conn: &Connection, run: &mut Run, timing: Timing) -> ApiResult<()> {
    if run.artifact_id().is_none() {
        let (spec, package) = dev_source(conn, run)?;
        let version = export_version(run, &spec);
        let artifact = create_artifact(conn, &spec, &version, package.as_deref())?;
        run.set_exported_artifact(&artifact.id);
        if run.dev_current_version().is_none() {
            run.set_dev_current_version(&spec.version);
        }
    }
    run.set_state(
        StageRunStatus::Validating,
        Operation::Validate,
        SubOperation::PreValidation,
        OperationStatus::Started,
    );
    jobs::put(
        conn,
        run.id(),
        KIND_RUN,
        "validate.check",
        Some(timing.after(phase::PREVALIDATE)),
    )?;
    run.save(conn, "Solution exported")
}

fn run_artifact(conn: &Connection, run: &Run) -> ApiResult<Record> {
    host_get(
        conn,
        "deploymentartifacts",
        run.artifact_id().unwrap_or_default(),
    )
}

fn target_env(conn: &Connection, run: &Run) -> ApiResult<String> {
    let target = host_get(conn, "deploymentenvironments", run.target_registration_id())?;
    env_name_of(conn, &target)
}

fn check(conn: &Connection, run: &mut Run, faults: &Faults) -> ApiResult<()> {
    let artifact = run_artifact(conn, run)?;
    let spec = artifact_spec(&artifact)?;
    // An empty chosen version counts as none (the artifact's own is validated).
    let version = run
        .version()
        .or(artifact.str("artifactversion"))
        .unwrap_or_default()
        .to_string();
    // The portal validates before the maker picks the version (§5.5, §5.9): an unchosen
    // version below the target's is a warning here and an error at DeployPackageAsync.
    let rule = if run.is_redeployment() {
        VersionRule::Redeployment
    } else if run.version().is_some() {
        VersionRule::Enforce
    } else {
        VersionRule::Open
    };
    let mut results = prevalidate_with(conn, &spec, &version, &target_env(conn, run)?, rule)?;
    if let Some(chosen) = faults.take_validation(&spec.unique_name) {
        results = chosen_results(chosen, results.solution_details);
    }
    run.set_validation_results(&results);
    jobs::remove(conn, run.id())?;
    if results.passed() {
        run.set_state(
            StageRunStatus::ValidationSucceeded,
            Operation::Validate,
            SubOperation::PreValidation,
            OperationStatus::Succeeded,
        );
        run.save(conn, "Validation succeeded")
    } else {
        let message = results.first_error().unwrap_or("Validation failed.");
        let ending = Ending::Failed {
            phase: Phase::Validate,
            message,
        };
        end_run(conn, run, ending)
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
/// The version a run exports its artifact at: the one the maker chose, else the dev solution's.
fn export_version(run: &Run, spec: &SolutionSpec) -> String {
    run.version().unwrap_or(&spec.version).to_string()
}

/// The version the run's own `artifact` must be exported at again before its import, when the
/// maker chose another after the export.
fn restamp_version(run: &Run, artifact: &Record) -> Option<String> {
    let wanted = run.version().unwrap_or_default();
    let again =
        run.exported() && !wanted.is_empty() && artifact.str("artifactversion") != Some(wanted);
    again.then(|| wanted.to_string())
}

fn stamped_artifact(conn: &Connection, run: &mut Run) -> ApiResult<Record> {
    let artifact = run_artifact(conn, run)?;
    let Some(wanted) = restamp_version(run, &artifact) else {
        return Ok(artifact);
    };
    let spec = artifact_spec(&artifact)?;
    let package = package_of(conn, &artifact);
    let fresh = create_artifact(conn, &spec, &wanted, package.as_deref())?;
    run.set_artifact(&fresh.id);
    let users = records::find(conn, HOST_SCOPE, RUNS, col::ARTIFACT, &artifact.id)?;
    if users.iter().all(|r| r.id == run.id()) {
        records::delete(conn, HOST_SCOPE, "deploymentartifacts", &artifact.id)?;
        files::delete_artifact(conn, &artifact.id)?;
    }
    Ok(fresh)
}

fn import(conn: &Connection, run: &mut Run, timing: Timing) -> ApiResult<()> {
    let artifact = stamped_artifact(conn, run)?;
    let spec = artifact_spec(&artifact)?;
    let version = artifact
        .str("artifactversion")
        .unwrap_or_default()
        .to_string();
    let target = target_env(conn, run)?;
    let settings = match run.settings_json() {
        Some(text) => DeploymentSettings::parse(text)
            .map_err(|e| ApiError::rule(format!("deploymentsettingsjson is not valid: {e}")))?,
        None => DeploymentSettings::default(),
    };
    let problems = check_settings(conn, &spec, &settings, &target)?;
    let again = prevalidate(conn, &spec, &version, &target, run.is_redeployment())?;
    if !problems.is_empty() || !again.passed() {
        let mut entries = again.solution_validation_results.clone();
        entries.extend(problems);
        let results = ValidationResults::from_entries(
            entries,
            again.missing_dependencies.clone(),
            again.solution_details.clone(),
        );
        run.set_validation_results(&results);
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
    run.set_state(
        StageRunStatus::Deploying,
        Operation::Deploy,
        SubOperation::CustomizationPublishing,
        OperationStatus::Started,
    );
    jobs::put(
        conn,
        run.id(),
        KIND_RUN,
        "deploy.publish",
        Some(timing.after(phase::PUBLISH)),
    )?;
    run.save(conn, "Solution imported")
}

/// The last step: the run records the version it deployed and succeeds.
fn publish(conn: &Connection, run: &mut Run) -> ApiResult<()> {
    let version = run_artifact(conn, run)?
        .data
        .get("artifactversion")
        .cloned()
        .unwrap_or(Value::Null);
    run.set_version(version);
    end_run(conn, run, Ending::Succeeded)
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
