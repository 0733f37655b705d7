//! Finding and reading the few files a description needs, from a zip or a folder.
//!
//! Only the manifest, `customizations.xml`, the environment variable files and (in folders)
//! the small workflow / canvas app metadata files are read; a 100 MB zip with a 1 KB manifest
//! costs one central-directory read. Nothing is ever written to disk, so entry names are
//! only compared, never used as paths — and names that would be unsafe as paths are refused
//! anyway, because no real export has them.

use std::fs::{self, File};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use zip::ZipArchive;

use crate::error::SolutionError;
use crate::model::PackageKind;

/// Caps on what reading a package may cost. The defaults are far above any real solution
/// (Microsoft caps solutions at 120 MB) and far below what would hurt the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Largest uncompressed size of one file that is read.
    pub max_entry_bytes: u64,
    /// Largest uncompressed size of all files read for one package.
    pub max_total_bytes: u64,
    /// Largest compression ratio accepted for a zip entry bigger than 1 MiB.
    pub max_ratio: u64,
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self {
            max_entry_bytes: 256 << 20,
            max_total_bytes: 512 << 20,
            max_ratio: 200,
        }
    }
}

/// One file's bytes and its name inside the package (for messages).
#[derive(Debug, Clone)]
pub(crate) struct RawFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone)]
pub(crate) struct RawEnvVar {
    pub folder: String,
    pub definition: RawFile,
    pub values: Option<RawFile>,
}

/// The undecoded files of a package, before any XML is parsed.
#[derive(Debug, Clone)]
pub(crate) struct RawPackage {
    pub path: PathBuf,
    pub kind: PackageKind,
    pub manifest: RawFile,
    pub customizations: RawFile,
    pub has_content_types: bool,
    pub env_vars: Vec<RawEnvVar>,
    /// Folders only: `Workflows/*.data.xml` and `CanvasApps/*.meta.xml`.
    pub component_files: Vec<RawFile>,
}

/// Reads what is needed from a zip or a folder (detected).
pub(crate) fn load(path: &Path, limits: ReadLimits) -> Result<RawPackage, SolutionError> {
    let meta = fs::metadata(path).map_err(|source| io_err(path, None, source))?;
    if meta.is_dir() {
        load_folder(path, limits)
    } else {
        load_zip(path, meta.len(), limits)
    }
}

pub(crate) fn io_err(path: &Path, entry: Option<&str>, source: std::io::Error) -> SolutionError {
    SolutionError::Io {
        path: path.to_path_buf(),
        entry: entry.map(str::to_string),
        source,
    }
}

/// Counts what has been read so far against the limits.
struct Budget {
    limits: ReadLimits,
    used: u64,
}

impl Budget {
    fn read(
        &mut self,
        path: &Path,
        entry: &str,
        declared: u64,
        reader: impl Read,
    ) -> Result<Vec<u8>, SolutionError> {
        let left = self.limits.max_total_bytes.saturating_sub(self.used);
        let cap = self.limits.max_entry_bytes.min(left);
        let too_large = || SolutionError::TooLarge {
            path: path.to_path_buf(),
            entry: entry.to_string(),
            limit: cap,
        };
        if declared > cap {
            return Err(too_large());
        }
        // The declared size may lie: never read more than the cap, whatever it says.
        let mut bytes = Vec::with_capacity(declared.min(cap).min(64 << 20) as usize);
        reader
            .take(cap + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| SolutionError::CorruptZip {
                path: path.to_path_buf(),
                detail: format!("`{entry}` cannot be read: {e}"),
            })?;
        if bytes.len() as u64 > cap {
            return Err(too_large());
        }
        self.used += bytes.len() as u64;
        Ok(bytes)
    }
}

// ---------------------------------------------------------------------------------------
// Zip (shape A)

fn load_zip(path: &Path, len: u64, limits: ReadLimits) -> Result<RawPackage, SolutionError> {
    if len == 0 {
        return Err(SolutionError::Empty {
            path: path.to_path_buf(),
        });
    }
    let file = File::open(path).map_err(|e| io_err(path, None, e))?;
    let corrupt = |detail: String| SolutionError::CorruptZip {
        path: path.to_path_buf(),
        detail,
    };
    let mut archive = ZipArchive::new(BufReader::with_capacity(64 << 10, file))
        .map_err(|e| corrupt(e.to_string()))?;

    // Normalised (`\` → `/`), lower-cased names with their index.
    let mut names: Vec<(String, usize)> = Vec::with_capacity(archive.len());
    for (index, name) in archive.file_names().enumerate() {
        let name = name.map_err(|e| corrupt(format!("an entry name cannot be read: {e}")))?;
        let normal = name.replace('\\', "/");
        if is_unsafe_name(&normal) {
            return Err(SolutionError::UnsafeEntryName {
                path: path.to_path_buf(),
                entry: normal,
            });
        }
        names.push((normal.to_ascii_lowercase(), index));
    }
    let find = |want: &str| names.iter().find(|(n, _)| n == want).map(|(_, i)| *i);
    let Some(manifest_index) = find("solution.xml") else {
        return Err(SolutionError::NotASolution {
            path: path.to_path_buf(),
            detail: explain_missing_manifest(&names),
        });
    };
    let Some(custom_index) = find("customizations.xml") else {
        return Err(SolutionError::NotASolution {
            path: path.to_path_buf(),
            detail: "solution.xml is at the root but customizations.xml is missing (import would \
                     fail with 80048060)"
                .into(),
        });
    };
    let has_content_types = find("[content_types].xml").is_some();

    let mut budget = Budget { limits, used: 0 };
    let mut read = |index: usize| -> Result<RawFile, SolutionError> {
        let entry = archive
            .by_index(index)
            .map_err(|e| corrupt(e.to_string()))?;
        let name = entry.name().unwrap_or_default().replace('\\', "/");
        let (size, packed) = (entry.size(), entry.compressed_size());
        if size > (1 << 20) && size / packed.max(1) > limits.max_ratio {
            return Err(SolutionError::SuspiciousCompression {
                path: path.to_path_buf(),
                entry: name,
                ratio: size / packed.max(1),
                limit: limits.max_ratio,
            });
        }
        let bytes = budget.read(path, &name, size, entry)?;
        Ok(RawFile { name, bytes })
    };

    let manifest = read(manifest_index)?;
    let customizations = read(custom_index)?;
    let mut env_vars = Vec::new();
    for (folder, def_index) in env_var_definitions(&names) {
        let values_name =
            format!("environmentvariabledefinitions/{folder}/environmentvariablevalues.json");
        let definition = read(def_index)?;
        let values = match find(&values_name) {
            Some(i) => Some(read(i)?),
            None => None,
        };
        let folder = definition
            .name
            .split('/')
            .nth(1)
            .unwrap_or(&folder)
            .to_string();
        env_vars.push(RawEnvVar {
            folder,
            definition,
            values,
        });
    }
    Ok(RawPackage {
        path: path.to_path_buf(),
        kind: crate::model::PackageKind::Zip,
        manifest,
        customizations,
        has_content_types,
        env_vars,
        component_files: Vec::new(),
    })
}

/// Absolute paths, drive letters and `..` segments: harmless here (nothing is extracted) but
/// a sure sign of a crafted file.
fn is_unsafe_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    name.starts_with('/')
        || (bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic())
        || name.split('/').any(|seg| seg == "..")
        || name.contains('\0')
}

/// `environmentvariabledefinitions/<x>/environmentvariabledefinition.xml`, sorted by folder.
fn env_var_definitions(names: &[(String, usize)]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = names
        .iter()
        .filter_map(|(n, i)| {
            let rest = n.strip_prefix("environmentvariabledefinitions/")?;
            let folder = rest.strip_suffix("/environmentvariabledefinition.xml")?;
            (!folder.is_empty() && !folder.contains('/')).then(|| (folder.to_string(), *i))
        })
        .collect();
    out.sort();
    out
}

fn explain_missing_manifest(names: &[(String, usize)]) -> String {
    let has = |n: &str| names.iter().any(|(x, _)| x == n);
    let starts = |p: &str| names.iter().any(|(x, _)| x.starts_with(p));
    if names.iter().any(|(x, _)| x.ends_with("other/solution.xml")) {
        "it looks like a zipped source folder (Other/Solution.xml inside); unzip it and pass the \
         folder, or pack it with `pac solution pack`"
            .into()
    } else if has("manifest.json") && (starts("microsoft.flow/") || starts("microsoft.powerapps/"))
    {
        "it is a legacy Power Automate / Power Apps export package (manifest.json), not a \
         Dataverse solution; add the flow or app to a solution and export that"
            .into()
    } else if has("data.xml") && has("data_schema.xml") {
        "it is a Configuration Migration data file, not a solution".into()
    } else if names.is_empty() {
        "the zip has no entries".into()
    } else {
        "there is no solution.xml at the root of the zip".into()
    }
}

// ---------------------------------------------------------------------------------------
// Folders (shapes B, C, D)

fn load_folder(path: &Path, limits: ReadLimits) -> Result<RawPackage, SolutionError> {
    let root = solution_root(path)?;
    let other = child_ci(&root, "Other").map_err(|e| io_err(path, None, e))?;
    let other = other.expect("solution_root checked Other/");
    let manifest_path = child_ci(&other, "Solution.xml").map_err(|e| io_err(path, None, e))?;
    let manifest_path = manifest_path.expect("solution_root checked Other/Solution.xml");
    let Some(custom_path) =
        child_ci(&other, "Customizations.xml").map_err(|e| io_err(path, None, e))?
    else {
        return Err(SolutionError::NotASolution {
            path: path.to_path_buf(),
            detail: "Other/Solution.xml is there but Other/Customizations.xml is missing".into(),
        });
    };

    let mut budget = Budget { limits, used: 0 };
    let mut read = |file: &Path| -> Result<RawFile, SolutionError> {
        let name = relative(path, file);
        let f = File::open(file).map_err(|e| io_err(path, Some(&name), e))?;
        let len = f
            .metadata()
            .map_err(|e| io_err(path, Some(&name), e))?
            .len();
        let bytes = budget.read(path, &name, len, f).map_err(|e| match e {
            SolutionError::CorruptZip { detail, .. } => SolutionError::Io {
                path: path.to_path_buf(),
                entry: Some(name.clone()),
                source: std::io::Error::other(detail),
            },
            other => other,
        })?;
        Ok(RawFile { name, bytes })
    };

    let manifest = read(&manifest_path)?;
    let customizations = read(&custom_path)?;
    let mut env_vars = Vec::new();
    if let Some(dir) =
        child_ci(&root, "environmentvariabledefinitions").map_err(|e| io_err(path, None, e))?
    {
        for sub in sorted_entries(&dir).map_err(|e| io_err(path, None, e))? {
            if !sub.is_dir() {
                continue;
            }
            let Some(def) = child_ci(&sub, "environmentvariabledefinition.xml")
                .map_err(|e| io_err(path, None, e))?
            else {
                continue;
            };
            let values = match child_ci(&sub, "environmentvariablevalues.json")
                .map_err(|e| io_err(path, None, e))?
            {
                Some(v) => Some(read(&v)?),
                None => None,
            };
            let folder = sub
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            env_vars.push(RawEnvVar {
                folder,
                definition: read(&def)?,
                values,
            });
        }
    }
    let mut component_files = Vec::new();
    for (dir, suffix) in [("Workflows", ".data.xml"), ("CanvasApps", ".meta.xml")] {
        let Some(dir) = child_ci(&root, dir).map_err(|e| io_err(path, None, e))? else {
            continue;
        };
        for file in sorted_entries(&dir).map_err(|e| io_err(path, None, e))? {
            let lower = file
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_lowercase();
            if lower.ends_with(suffix) && file.is_file() {
                component_files.push(read(&file)?);
            }
        }
    }
    Ok(RawPackage {
        path: path.to_path_buf(),
        kind: PackageKind::Folder,
        manifest,
        customizations,
        has_content_types: true,
        env_vars,
        component_files,
    })
}

/// The folder holding `Other/Solution.xml`: the folder itself, or the `SolutionRootPath` of a
/// `.cdsproj` in it. YAML source folders are recognised and refused by name.
fn solution_root(path: &Path) -> Result<PathBuf, SolutionError> {
    let ioe = |e| io_err(path, None, e);
    if has_manifest(path).map_err(ioe)? {
        return Ok(path.to_path_buf());
    }
    let entries = sorted_entries(path).map_err(ioe)?;
    if let Some(proj) = entries.iter().find(|p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("cdsproj"))
            && p.is_file()
    }) {
        let sub = cdsproj_root(path, proj)?;
        let root = path.join(sub.replace('\\', "/"));
        if has_manifest(&root).map_err(ioe)? {
            return Ok(root);
        }
        return Err(SolutionError::NotASolution {
            path: path.to_path_buf(),
            detail: format!(
                "{} names `{sub}` as the solution folder, but it has no Other/Solution.xml",
                relative(path, proj)
            ),
        });
    }
    if let Some(solutions) = child_ci(path, "solutions").map_err(ioe)? {
        for sub in sorted_entries(&solutions).map_err(ioe)? {
            if child_ci(&sub, "solution.yml").map_err(ioe)?.is_some() {
                return Err(SolutionError::UnsupportedYaml {
                    path: path.to_path_buf(),
                });
            }
        }
    }
    Err(SolutionError::NotASolution {
        path: path.to_path_buf(),
        detail: "the folder has no Other/Solution.xml and no .cdsproj project".into(),
    })
}

fn has_manifest(dir: &Path) -> std::io::Result<bool> {
    if !dir.is_dir() {
        return Ok(false);
    }
    match child_ci(dir, "Other")? {
        Some(other) if other.is_dir() => Ok(child_ci(&other, "Solution.xml")?.is_some()),
        _ => Ok(false),
    }
}

/// `SolutionRootPath` from a pac project file (`src` when the property is absent).
fn cdsproj_root(path: &Path, proj: &Path) -> Result<String, SolutionError> {
    let name = relative(path, proj);
    let f = File::open(proj).map_err(|e| io_err(path, Some(&name), e))?;
    let mut budget = Budget {
        limits: ReadLimits {
            max_entry_bytes: 1 << 20,
            ..ReadLimits::default()
        },
        used: 0,
    };
    let len = f
        .metadata()
        .map_err(|e| io_err(path, Some(&name), e))?
        .len();
    let bytes = budget.read(path, &name, len, f)?;
    let text = crate::text::decode(bytes).map_err(|detail| SolutionError::Encoding {
        path: path.to_path_buf(),
        entry: name.clone(),
        detail,
    })?;
    let doc = crate::xml::parse(&text).map_err(|e| crate::parse::xml_error(path, &name, e))?;
    let root = doc
        .children_named("PropertyGroup")
        .find_map(|g| g.child_text("SolutionRootPath"))
        .unwrap_or_else(|| "src".to_string());
    if Path::new(&root).is_absolute() || root.split(['/', '\\']).any(|s| s == "..") {
        return Err(SolutionError::NotASolution {
            path: path.to_path_buf(),
            detail: format!(
                "{name} names `{root}` as the solution folder, which is outside the project"
            ),
        });
    }
    Ok(root)
}

/// The child of `dir` whose name matches `name` ignoring ASCII case.
fn child_ci(dir: &Path, name: &str) -> std::io::Result<Option<PathBuf>> {
    let exact = dir.join(name);
    if exact.exists() {
        return Ok(Some(exact));
    }
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if entry
            .file_name()
            .to_string_lossy()
            .eq_ignore_ascii_case(name)
        {
            return Ok(Some(entry.path()));
        }
    }
    Ok(None)
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()?;
    out.sort();
    Ok(out)
}

fn relative(base: &Path, file: &Path) -> String {
    file.strip_prefix(base)
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/")
}

/// A package from in-memory files, laid out like a zip (used by property tests).
pub(crate) fn from_memory(files: &[(&str, &[u8])]) -> Result<RawPackage, SolutionError> {
    let path = PathBuf::from("<memory>");
    let names: Vec<(String, usize)> = files
        .iter()
        .enumerate()
        .map(|(i, (n, _))| (n.to_ascii_lowercase(), i))
        .collect();
    let find = |want: &str| names.iter().find(|(n, _)| n == want).map(|(_, i)| *i);
    let file = |i: usize| RawFile {
        name: files[i].0.to_string(),
        bytes: files[i].1.to_vec(),
    };
    let missing = |detail: &str| SolutionError::NotASolution {
        path: path.clone(),
        detail: detail.into(),
    };
    let manifest = file(find("solution.xml").ok_or_else(|| missing("no solution.xml"))?);
    let customizations =
        file(find("customizations.xml").ok_or_else(|| missing("no customizations.xml"))?);
    let env_vars = env_var_definitions(&names)
        .into_iter()
        .map(|(folder, i)| {
            let values = find(&format!(
                "environmentvariabledefinitions/{folder}/environmentvariablevalues.json"
            ))
            .map(file);
            RawEnvVar {
                folder,
                definition: file(i),
                values,
            }
        })
        .collect();
    Ok(RawPackage {
        path,
        kind: PackageKind::Zip,
        manifest,
        customizations,
        has_content_types: find("[content_types].xml").is_some(),
        env_vars,
        component_files: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::is_unsafe_name;

    #[test]
    fn unsafe_names() {
        for bad in ["/etc/passwd", "../x", "a/../../x", "C:/x", "a\0b"] {
            assert!(is_unsafe_name(bad), "{bad}");
        }
        for ok in [
            "solution.xml",
            "Workflows/a..b.json",
            "[Content_Types].xml",
            "a/b/c",
        ] {
            assert!(!is_unsafe_name(ok), "{ok}");
        }
    }
}
