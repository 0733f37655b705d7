//! `ferry solution inspect|settings`: read a solution package (.zip or source
//! folder) and write its deployment settings file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::Subcommand;
use ferry_solution::settings::{DeploymentSettings, SettingsFile};
use ferry_solution::{EnvVarType, SolutionPackage};

#[derive(Debug, Subcommand)]
pub enum SolutionCommand {
    /// Describe a solution package: name, version, publisher, dependencies,
    /// connection references, environment variables and components.
    Inspect {
        /// A solution .zip or an unpacked source folder.
        path: PathBuf,
        /// Print the full description as JSON, for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Write the deployment settings file (`pac solution create-settings` format) for a package.
    Settings {
        /// A solution .zip or an unpacked source folder.
        path: PathBuf,
        /// Write to this file instead of printing. Refuses to replace an existing file
        /// unless --force or --merge.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace an existing --out file.
        #[arg(long, conflicts_with = "merge", requires = "out")]
        force: bool,
        /// Keep the values of an existing --out file and add what the package has that it lacks.
        #[arg(long, requires = "out")]
        merge: bool,
    },
}

pub fn run(cmd: SolutionCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        SolutionCommand::Inspect { path, json } => {
            let pkg = ferry_solution::open(&path)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&pkg)?);
            } else {
                print!("{}", describe(&pkg));
            }
            Ok(ExitCode::SUCCESS)
        }
        SolutionCommand::Settings {
            path,
            out,
            force,
            merge,
        } => {
            let pkg = ferry_solution::open(&path)?;
            match out {
                None => {
                    print!("{}", DeploymentSettings::template(&pkg).to_json());
                }
                Some(out) if merge && out.exists() => merge_into(&pkg, &out)?,
                Some(out) => {
                    DeploymentSettings::template(&pkg).write(&out, force)?;
                    eprintln!(
                        "Wrote {} ({} environment variables, {} connection references). Fill in the values for your target environment.",
                        out.display(),
                        pkg.environment_variables.len(),
                        pkg.connection_references.len()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn merge_into(pkg: &SolutionPackage, out: &Path) -> anyhow::Result<()> {
    let mut existing = DeploymentSettings::read(out)?;
    let report = existing.merge_template(pkg);
    existing
        .write(out, true)
        .with_context(|| format!("updating {}", out.display()))?;
    if report.added.is_empty() {
        eprintln!("{} already has every entry; nothing added.", out.display());
    } else {
        eprintln!(
            "Added {} to {} (kept {} existing entries and their values).",
            report.added.join(", "),
            out.display(),
            report.kept
        );
    }
    for finding in existing.validate(pkg) {
        eprintln!("note: {}", finding.message);
    }
    Ok(())
}

/// The human summary of `inspect`.
fn describe(pkg: &SolutionPackage) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {} ({}) — {}",
        pkg.unique_name,
        pkg.version,
        pkg.managed.as_str(),
        pkg.display_name
    );
    let p = &pkg.publisher;
    let _ = write!(s, "Publisher: {}", p.unique_name);
    if let Some(prefix) = &p.prefix {
        let _ = write!(s, " (prefix {prefix}");
        if let Some(ovp) = p.option_value_prefix {
            let _ = write!(s, ", option values {ovp}");
        }
        s.push(')');
    }
    s.push('\n');
    let kind = match pkg.format.kind {
        ferry_solution::PackageKind::Zip => "solution .zip",
        ferry_solution::PackageKind::Folder => "source folder",
    };
    let _ = writeln!(s, "Package: {kind}, manifest {}", pkg.format.manifest_path);
    let _ = writeln!(
        s,
        "Root components: {}   Components: {}",
        pkg.root_components.len(),
        pkg.components.len()
    );
    if !pkg.required_solutions.is_empty() {
        let _ = writeln!(s, "\nThe target must already have:");
        for r in &pkg.required_solutions {
            let _ = writeln!(
                s,
                "  {} {} or later ({} component{})",
                r.name,
                r.min_version,
                r.entries,
                if r.entries == 1 { "" } else { "s" }
            );
        }
    }
    let active: Vec<_> = pkg
        .missing_dependencies
        .iter()
        .filter(|d| d.required_solution.as_deref() == Some("Active"))
        .collect();
    if !active.is_empty() {
        // `Active`: unmanaged customizations of the source, in no solution: the import
        // fails unless the target already has them.
        let _ = writeln!(
            s,
            "\nThe target must already have these unmanaged components (in no solution of the source):"
        );
        for d in active {
            let r = &d.required;
            let name = r
                .display_name
                .as_deref()
                .or(r.schema_name.as_deref())
                .or(r.id.as_deref())
                .unwrap_or("(unnamed)");
            let kind = r
                .component_type
                .as_ref()
                .map(|t| t.label())
                .unwrap_or_else(|| "component".into());
            let _ = writeln!(s, "  {kind} {name}");
        }
    }
    if !pkg.connection_references.is_empty() {
        let _ = writeln!(
            s,
            "\nConnection references ({}):",
            pkg.connection_references.len()
        );
        for c in &pkg.connection_references {
            let connector = c.connector_id.as_deref().unwrap_or("(no connector id)");
            let custom = if c.custom_connector {
                " [custom connector]"
            } else {
                ""
            };
            let _ = writeln!(s, "  {}  {connector}{custom}", c.logical_name);
        }
    }
    if !pkg.environment_variables.is_empty() {
        let _ = writeln!(
            s,
            "\nEnvironment variables ({}):",
            pkg.environment_variables.len()
        );
        for v in &pkg.environment_variables {
            let _ = write!(s, "  {} ({})", v.schema_name, v.var_type.as_str());
            if v.required {
                s.push_str(" required");
            }
            if let Some(d) = &v.default_value {
                let _ = write!(s, ", default {d:?}");
            }
            if v.has_value {
                if v.var_type == EnvVarType::Secret {
                    s.push_str(", ships a current value (secret, not shown)");
                } else if let Some(value) = &v.value {
                    let _ = write!(s, ", ships current value {value:?}");
                }
            }
            s.push('\n');
        }
    }
    s
}
