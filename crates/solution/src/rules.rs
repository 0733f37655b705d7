//! Offline import rules (spec §10): what Dataverse would refuse or warn about, checked before
//! anything is sent, from the package and a snapshot of the target's installed solutions.
//!
//! [`check_import`] is a pure function. Every finding has a stable `code` (scripts and the UI
//! branch on it), a severity and a sentence a maker understands: what is wrong, what to do.

use serde::Serialize;

use crate::model::{ManagedState, PackageKind, SolutionPackage};
use crate::version::Version;

/// What the target environment already has.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TargetSnapshot {
    pub solutions: Vec<InstalledSolution>,
    /// Highest `SolutionPackageVersion` the target accepts (e.g. `9.2`), when known.
    pub max_solution_package_version: Option<String>,
    /// The target's Dataverse version (e.g. `9.2.24122.192`), when known.
    pub dataverse_version: Option<String>,
    /// `Core`, `Standard` or `Full`, when known.
    pub schema_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstalledSolution {
    pub unique_name: String,
    pub version: String,
    pub managed: bool,
    /// Publisher unique name, when known.
    #[serde(default)]
    pub publisher: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Stable identifier, e.g. `version-downgrade`.
    pub code: &'static str,
    pub severity: Severity,
    /// One or two sentences for a maker.
    pub message: String,
    /// The Dataverse error code the import would fail with, when there is one.
    pub platform_error: Option<&'static str>,
}

fn finding(
    code: &'static str,
    severity: Severity,
    platform_error: Option<&'static str>,
    message: String,
) -> Finding {
    Finding {
        code,
        severity,
        message,
        platform_error,
    }
}

/// Checks a package against a target snapshot; errors first, then warnings, then notes.
pub fn check_import(pkg: &SolutionPackage, target: &TargetSnapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    package_rules(pkg, &mut out);
    let installed = find(target, &pkg.unique_name);
    if let Some(installed) = installed {
        installed_rules(pkg, installed, &mut out);
    }
    if find(target, &format!("{}_Upgrade", pkg.unique_name)).is_some() {
        out.push(finding(
            "holding-solution-exists",
            Severity::Error,
            Some("0x80048539"),
            format!(
                "The target still has the holding solution {0}_Upgrade from an earlier staged \
                 upgrade, so {0} cannot be updated. Apply or delete that upgrade in the target first.",
                pkg.unique_name
            ),
        ));
    }
    dependency_rules(pkg, target, &mut out);
    environment_rules(pkg, target, &mut out);
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

fn find<'a>(target: &'a TargetSnapshot, name: &str) -> Option<&'a InstalledSolution> {
    target
        .solutions
        .iter()
        .find(|s| s.unique_name.eq_ignore_ascii_case(name))
}

fn package_rules(pkg: &SolutionPackage, out: &mut Vec<Finding>) {
    if Version::parse(&pkg.version).is_err() {
        out.push(finding(
            "version-malformed",
            Severity::Error,
            None,
            format!(
                "The package version `{}` is not 2 to 4 whole numbers separated by dots. Set a \
                 version such as 1.0.0.1 in the solution and export it again.",
                pkg.version
            ),
        ));
    }
    if pkg.format.kind == PackageKind::Zip && !pkg.format.has_content_types {
        out.push(finding(
            "missing-root-file",
            Severity::Error,
            Some("80048060"),
            "The zip has no [Content_Types].xml at its root, so Dataverse will call the solution \
             file invalid. Export the solution again instead of re-zipping it by hand."
                .into(),
        ));
    }
    match (pkg.format.kind, pkg.managed) {
        (PackageKind::Zip, ManagedState::Both) => out.push(finding(
            "managed-both-in-zip",
            Severity::Error,
            None,
            "The manifest says Managed=2 (both), which only source folders use. Pack the folder \
             with `pac solution pack --packagetype Managed` (or Unmanaged) and deploy that zip."
                .into(),
        )),
        (PackageKind::Folder, _) => out.push(finding(
            "source-folder",
            Severity::Info,
            None,
            "This is a source folder; it cannot be imported as is. Pack it with `pac solution \
             pack` before deploying."
                .into(),
        )),
        _ => {}
    }
}

fn installed_rules(pkg: &SolutionPackage, installed: &InstalledSolution, out: &mut Vec<Finding>) {
    let name = &pkg.unique_name;
    match (pkg.managed, installed.managed) {
        (ManagedState::Managed, false) => out.push(finding(
            "managed-over-unmanaged",
            Severity::Error,
            Some("80048040"),
            format!(
                "{name} is installed in the target as an unmanaged solution, and this package is \
                 managed. Import only updates a solution of the same kind: remove the unmanaged \
                 copy from the target (or deploy the unmanaged package) and try again."
            ),
        )),
        (ManagedState::Unmanaged, true) => out.push(finding(
            "unmanaged-over-managed",
            Severity::Error,
            Some("80048041"),
            format!(
                "{name} is installed in the target as a managed solution, and this package is \
                 unmanaged. Deploy the managed export of the solution instead."
            ),
        )),
        _ => {}
    }
    let (Ok(new), Ok(old)) = (
        Version::parse(&pkg.version),
        Version::parse(&installed.version),
    ) else {
        return;
    };
    let both_managed = pkg.managed == ManagedState::Managed && installed.managed;
    if both_managed && new < old {
        out.push(finding(
            "version-downgrade",
            Severity::Error,
            Some("80048541"),
            format!(
                "The package version {new} is lower than the version {old} installed in the \
                 target. Raise the version in the source environment above {old} (for example to \
                 {}) and export again.",
                old.next()
            ),
        ));
    } else if both_managed && new == old {
        let spelled = if new.equal_but_spelled_differently(&old) {
            format!(" ({new} and {old} are written differently but compare equal)")
        } else {
            String::new()
        };
        out.push(finding(
            "version-not-higher",
            Severity::Error,
            None,
            format!(
                "Version {new} is already installed in the target{spelled}; a managed version \
                 cannot be imported twice. Raise the version (for example to {}) and export again.",
                new.next()
            ),
        ));
    } else if !both_managed && new < old {
        out.push(finding(
            "version-lower-than-installed",
            Severity::Warning,
            None,
            format!(
                "The package version {new} is lower than the version {old} in the target. The \
                 import adds and overwrites components but the target will show the older version."
            ),
        ));
    }
    if both_managed {
        if let Some(installed_publisher) = &installed.publisher {
            if !installed_publisher.eq_ignore_ascii_case(&pkg.publisher.unique_name) {
                out.push(finding(
                    "publisher-changed",
                    Severity::Error,
                    Some("0x8004801C"),
                    format!(
                        "{name} is installed from publisher {installed_publisher}, but this package \
                         comes from {}. The publisher of a managed solution cannot change: export \
                         it from a solution owned by {installed_publisher}.",
                        pkg.publisher.unique_name
                    ),
                ));
            }
        }
    }
}

fn dependency_rules(pkg: &SolutionPackage, target: &TargetSnapshot, out: &mut Vec<Finding>) {
    for req in &pkg.required_solutions {
        match find(target, &req.name) {
            None => out.push(finding(
                "missing-required-solution",
                Severity::Error,
                Some("0x8004801D"),
                format!(
                    "The target does not have the solution {} (version {} or later), which {} of \
                     this package's components need. Install it in the target first.",
                    req.name, req.min_version, req.entries
                ),
            )),
            Some(have) => {
                if let (Ok(need), Ok(got)) = (
                    Version::parse(&req.min_version),
                    Version::parse(&have.version),
                ) {
                    if got < need {
                        out.push(finding(
                            "required-solution-too-old",
                            Severity::Error,
                            Some("0x8004801D"),
                            format!(
                                "The target has {} {got}, but this package needs {need} or later. \
                                 Update {} in the target first.",
                                req.name, req.name
                            ),
                        ));
                    }
                }
            }
        }
    }
    let active = pkg
        .missing_dependencies
        .iter()
        .filter(|d| d.required_solution.as_deref() == Some("Active"))
        .count();
    if active > 0 {
        out.push(finding(
            "active-components-required",
            Severity::Warning,
            None,
            format!(
                "{active} component(s) this package needs are unmanaged customizations in the \
                 source environment (not part of any solution). Make sure they exist in the target, \
                 or add them to a solution and deploy that first."
            ),
        ));
    }
}

fn environment_rules(pkg: &SolutionPackage, target: &TargetSnapshot, out: &mut Vec<Finding>) {
    if let (Some(pkg_fmt), Some(max)) = (
        &pkg.format.solution_package_version,
        &target.max_solution_package_version,
    ) {
        if let (Ok(p), Ok(m)) = (Version::parse(pkg_fmt), Version::parse(max)) {
            if p > m {
                out.push(finding(
                    "package-format-too-new",
                    Severity::Error,
                    Some("0x80048068"),
                    format!(
                        "The package uses format {p}, but the target accepts {m} or earlier. \
                         Export from an environment on the same or an older version."
                    ),
                ));
            }
        }
    }
    if let (Some(source), Some(target_v)) =
        (&pkg.format.organization_version, &target.dataverse_version)
    {
        if let (Ok(s), Ok(t)) = (Version::parse(source), Version::parse(target_v)) {
            if s > t {
                out.push(finding(
                    "source-environment-newer",
                    Severity::Warning,
                    None,
                    format!(
                        "The package was exported from Dataverse {s}, newer than the target's {t}. \
                         Newer components may not import; deploy after the target is updated if it fails."
                    ),
                ));
            }
        }
    }
    if let (Some(source), Some(target_s)) =
        (&pkg.format.organization_schema_type, &target.schema_type)
    {
        let rank = |s: &str| match s.to_ascii_lowercase().as_str() {
            "core" => Some(0),
            "standard" => Some(1),
            "full" => Some(2),
            _ => None,
        };
        if let (Some(a), Some(b)) = (rank(source), rank(target_s)) {
            if a > b {
                out.push(finding(
                    "schema-type-richer",
                    Severity::Warning,
                    None,
                    format!(
                        "The package comes from a {source} environment and the target is {target_s}; \
                         components the target does not support may be missing after import."
                    ),
                ));
            }
        }
    }
}
