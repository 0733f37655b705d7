//! Pre-validation of an artifact against a target's real state (spec §5.7),
//! with `ferry-solution`'s offline import rules, and the check of deployment
//! settings against the target's connections and the variables' types.

use ferry_pipelines::codes::{self, ErrorCode};
use ferry_pipelines::settings::connector_name;
use ferry_pipelines::{
    DeploymentSettings, MissingDependency, Severity, SolutionDetails, SolutionValidationResult,
    SolutionVersion, ValidationResults,
};
use ferry_solution::rules::{self, InstalledSolution, TargetSnapshot};
use rusqlite::Connection;

use crate::package::SolutionSpec;
use crate::store::{environments, records};

fn entry(
    severity: Severity,
    code: ErrorCode,
    message: impl Into<String>,
) -> SolutionValidationResult {
    SolutionValidationResult {
        solution_validation_result_type: severity,
        message: message.into(),
        error_code: code.signed(),
        additional_info: None,
    }
}

fn platform_code(text: Option<&str>) -> ErrorCode {
    text.map(|t| t.trim_start_matches("0x").trim_start_matches("0X"))
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .map(ErrorCode)
        .unwrap_or(codes::INVALID_ARGUMENT)
}

/// What the target environment has installed now, of the solutions named (the rules look up
/// only the package's own name, its holding `_Upgrade` solution and what it requires; reading
/// every solution of a busy target for each check made validation grow with the target).
pub fn snapshot(
    conn: &Connection,
    target: &str,
    names: &[String],
) -> rusqlite::Result<TargetSnapshot> {
    let mut solutions = Vec::new();
    for name in names {
        for r in records::find(conn, target, "solutions", "uniquename", name)? {
            if solutions.iter().any(|s: &InstalledSolution| {
                s.unique_name == r.str("uniquename").unwrap_or_default()
            }) {
                continue;
            }
            solutions.push(InstalledSolution {
                unique_name: r.str("uniquename").unwrap_or_default().to_string(),
                version: r.str("version").unwrap_or_default().to_string(),
                managed: r.bool("ismanaged"),
                publisher: None,
            });
        }
    }
    Ok(TargetSnapshot {
        solutions,
        ..Default::default()
    })
}

/// The solutions the import rules and the dependency check look up for `pkg` of `spec`.
fn names_to_look_up(spec: &SolutionSpec, pkg: &ferry_solution::SolutionPackage) -> Vec<String> {
    let mut names = vec![
        pkg.unique_name.clone(),
        format!("{}_Upgrade", pkg.unique_name),
    ];
    names.extend(pkg.required_solutions.iter().map(|r| r.name.clone()));
    names.extend(spec.depends_on.iter().map(|d| d.solution.clone()));
    names
}

/// Validates `spec` at `version` (as a managed import) against `target`. A redeployment
/// (of an older artifact, on a pipeline that allows it) may go below or to the installed
/// version: those findings become notes.
pub fn prevalidate(
    conn: &Connection,
    spec: &SolutionSpec,
    version: &str,
    target: &str,
    redeployment: bool,
) -> rusqlite::Result<ValidationResults> {
    let rule = if redeployment {
        VersionRule::Redeployment
    } else {
        VersionRule::Enforce
    };
    prevalidate_with(conn, spec, version, target, rule)
}

/// How pre-validation treats a version not above the target's installed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionRule {
    /// An error (the version is the one that will be imported).
    Enforce,
    /// A note: a redeployment puts an older version back on purpose.
    Redeployment,
    /// A warning: the maker has not chosen the version yet (the portal validates first and
    /// PATCHes `artifactversion` afterwards, spec §5.5/§5.9); `DeployPackageAsync` enforces it.
    Open,
}

/// The findings of `ferry-solution` about the version against the installed one.
const VERSION_FINDINGS: &[&str] = &[
    "version-downgrade",
    "version-not-higher",
    "version-lower-than-installed",
];

/// [`prevalidate`] with an explicit [`VersionRule`].
pub fn prevalidate_with(
    conn: &Connection,
    spec: &SolutionSpec,
    version: &str,
    target: &str,
    rule: VersionRule,
) -> rusqlite::Result<ValidationResults> {
    let redeployment = rule == VersionRule::Redeployment;
    let pkg = spec.to_package(version, true);
    let snap = snapshot(conn, target, &names_to_look_up(spec, &pkg))?;
    let mut entries = Vec::new();
    let mut missing = Vec::new();
    for f in rules::check_import(&pkg, &snap) {
        if rule == VersionRule::Open && VERSION_FINDINGS.contains(&f.code) {
            entries.push(entry(
                Severity::Warning,
                codes::SOLUTION_DOWNGRADE,
                format!(
                    "{} Set artifactversion above the installed version before deploying.",
                    f.message
                ),
            ));
            continue;
        }
        if redeployment && matches!(f.code, "version-downgrade" | "version-not-higher") {
            entries.push(entry(
                Severity::Info,
                codes::SOLUTION_DOWNGRADE,
                format!(
                    "This redeployment puts version {version} of {} back into the target, over the version installed there.",
                    spec.unique_name
                ),
            ));
            continue;
        }
        let severity = match f.severity {
            rules::Severity::Error => Severity::Error,
            rules::Severity::Warning => Severity::Warning,
            rules::Severity::Info => Severity::Info,
        };
        let code = match f.code {
            "managed-over-unmanaged" => codes::MANAGED_OVER_UNMANAGED,
            "missing-required-solution" | "required-solution-too-old" => {
                codes::MISSING_DEPENDENCIES
            }
            "version-downgrade" | "version-lower-than-installed" => match f.platform_error {
                Some(p) => platform_code(Some(p)),
                None => codes::SOLUTION_DOWNGRADE,
            },
            _ => platform_code(f.platform_error),
        };
        entries.push(entry(severity, code, f.message));
    }
    for dep in &spec.depends_on {
        let installed = snap
            .solutions
            .iter()
            .find(|s| s.unique_name.eq_ignore_ascii_case(&dep.solution));
        let satisfied = installed.is_some_and(|s| {
            match (
                s.version.parse::<SolutionVersion>(),
                dep.min_version.parse::<SolutionVersion>(),
            ) {
                (Ok(have), Ok(need)) => have >= need,
                _ => true,
            }
        });
        if !satisfied {
            let component = if dep.component.is_empty() {
                &dep.solution
            } else {
                &dep.component
            };
            missing.push(MissingDependency {
                required_component_schema_name: component.clone(),
                required_component_display_name: component.clone(),
                required_component_type: "1".into(),
                required_component_parent_schema_name: dep.solution.clone(),
                required_component_parent_display_name: format!(
                    "{} ({})",
                    dep.solution, dep.min_version
                ),
                dependent_component_schema_name: spec.unique_name.clone(),
                dependent_component_display_name: spec.display_name.clone(),
                dependent_component_type: "80".into(),
                can_resolve_missing_dependency: false,
                ..Default::default()
            });
        }
    }
    if !missing.is_empty()
        && !entries
            .iter()
            .any(|e| e.error_code == codes::MISSING_DEPENDENCIES.signed())
    {
        entries.push(entry(
            Severity::Error,
            codes::MISSING_DEPENDENCIES,
            format!("The import of solution {} failed because required solutions are missing in the target.", spec.unique_name),
        ));
    }
    let previous = snap
        .solutions
        .iter()
        .find(|s| s.unique_name.eq_ignore_ascii_case(&spec.unique_name));
    let details = SolutionDetails {
        solution_unique_name: spec.unique_name.clone(),
        solution_friendly_name: spec.display_name.clone(),
        solution_version: version.to_string(),
        is_managed: true,
        publisher_unique_name: spec.publisher.clone(),
        publisher_friendly_name: spec.publisher_display_name.clone(),
        previous_solution_version: previous.map(|p| p.version.clone()),
        previous_is_managed: previous.map(|p| p.managed),
    };
    Ok(ValidationResults::from_entries(
        entries,
        missing,
        Some(details),
    ))
}

/// Checks deployment settings against the solution and the target: each
/// connection exists there and matches the reference's connector; each value
/// is valid for its variable's type. Returns the problems as Error entries.
pub fn check_settings(
    conn: &Connection,
    spec: &SolutionSpec,
    settings: &DeploymentSettings,
    target: &str,
) -> rusqlite::Result<Vec<SolutionValidationResult>> {
    let connections = environments::connections(conn, target)?;
    let mut out = Vec::new();
    let bad = |msg: String| entry(Severity::Error, codes::INVALID_DEPLOYMENT_SETTING, msg);
    for c in &settings.connection_references {
        let Some(reference) = spec
            .connection_references
            .iter()
            .find(|r| r.logical_name.eq_ignore_ascii_case(&c.logical_name))
        else {
            out.push(bad(format!("The connection reference {} is not part of solution {}; remove it from the deployment settings.", c.logical_name, spec.unique_name)));
            continue;
        };
        if c.connection_id.is_empty() {
            continue;
        }
        let Some(found) = connections
            .iter()
            .find(|x| x.id.eq_ignore_ascii_case(&c.connection_id))
        else {
            out.push(bad(format!("The connection {} for {} does not exist in the target environment; pick one of its connections.", c.connection_id, c.logical_name)));
            continue;
        };
        let wanted = connector_name(&reference.connector_id);
        if !found.connector.eq_ignore_ascii_case(wanted) {
            out.push(bad(format!(
                "The connection {} is a {} connection, but {} needs {}; pick a {} connection.",
                c.connection_id, found.connector, c.logical_name, wanted, wanted
            )));
        }
    }
    for v in &settings.environment_variables {
        let Some(def) = spec
            .environment_variables
            .iter()
            .find(|d| d.schema_name.eq_ignore_ascii_case(&v.schema_name))
        else {
            out.push(bad(format!("The environment variable {} is not part of solution {}; remove it from the deployment settings.", v.schema_name, spec.unique_name)));
            continue;
        };
        if let Some(problem) = def.check_value(&v.value) {
            out.push(bad(format!(
                "The value of {} is not valid: {problem}",
                v.schema_name
            )));
        }
    }
    Ok(out)
}

/// The version of `unique_name` installed in `target`, if any.
pub fn installed_version(
    conn: &Connection,
    target: &str,
    unique_name: &str,
) -> rusqlite::Result<Option<SolutionVersion>> {
    Ok(snapshot(conn, target, &[unique_name.to_string()])?
        .solutions
        .into_iter()
        .find(|s| s.unique_name.eq_ignore_ascii_case(unique_name))
        .and_then(|s| s.version.parse().ok()))
}
