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
    /// Most elements one XML element may hold (root components, connection references,
    /// missing dependencies…) and most environment variables: bytes alone do not bound
    /// memory, since a tiny element costs far more parsed than written.
    pub max_items: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self {
            max_entry_bytes: 256 << 20,
            max_total_bytes: 512 << 20,
            max_ratio: 200,
            max_items: 100_000,
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
    /// The limits the package was read with (parsing applies `max_items`).
    pub limits: ReadLimits,
}

/// Reads what is needed from a zip or a folder (detected).
pub(crate) fn load(path: &Path, limits: ReadLimits) -> Result<RawPackage, SolutionError> {
    let meta = fs::metadata(path).map_err(|source| io_err(path, None, source))?;
    if meta.is_dir() {
        load_folder(path, limits)
    } else {
        load_zip(path, limits)
    }
}

/// What a file that is not a regular file is, for people.
fn kind_of(meta: &fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "something else"
    }
}

/// Opens `file` if it is a regular file, with its length. A FIFO would block `open`
/// forever and a device never ends, so both are refused from their metadata before
/// opening, and checked again on the open file (in case it was swapped meanwhile).
pub(crate) fn open_regular(
    path: &Path,
    file: &Path,
    entry: Option<&str>,
) -> Result<(File, u64), SolutionError> {
    let refuse = |meta: &fs::Metadata| SolutionError::NotARegularFile {
        path: path.to_path_buf(),
        entry: entry.map(str::to_string),
        kind: kind_of(meta),
    };
    let meta = fs::metadata(file).map_err(|e| io_err(path, entry, e))?;
    if !meta.is_file() {
        return Err(refuse(&meta));
    }
    let f = File::open(file).map_err(|e| io_err(path, entry, e))?;
    let meta = f.metadata().map_err(|e| io_err(path, entry, e))?;
    if !meta.is_file() {
        return Err(refuse(&meta));
    }
    Ok((f, meta.len()))
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
    /// Reading from a zip (entries are inflated) rather than a folder.
    in_zip: bool,
}

impl Budget {
    /// Reads one file of at most the per-file limit and what is left of the total.
    /// `what` names the kind of file in messages (`manifest`, `solution file`).
    fn read(
        &mut self,
        path: &Path,
        entry: &str,
        what: &'static str,
        declared: u64,
        reader: impl Read,
    ) -> Result<Vec<u8>, SolutionError> {
        let per_file = self.limits.max_entry_bytes;
        let left = self.limits.max_total_bytes.saturating_sub(self.used);
        // Blame the file when it alone is too big, the total otherwise.
        let refuse = |len: u64| {
            if len > per_file {
                SolutionError::TooLarge {
                    path: path.to_path_buf(),
                    entry: entry.to_string(),
                    limit: per_file,
                    what,
                    in_zip: self.in_zip,
                }
            } else {
                SolutionError::TotalTooLarge {
                    path: path.to_path_buf(),
                    limit: self.limits.max_total_bytes,
                }
            }
        };
        let cap = per_file.min(left);
        if declared > cap {
            return Err(refuse(declared));
        }
        // The declared size may lie: never read more than the cap, whatever it says.
        let mut bytes = Vec::with_capacity(usize::try_from(declared.min(64 << 20)).unwrap_or(0));
        reader
            .take(cap.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| {
                if self.in_zip {
                    SolutionError::CorruptZip {
                        path: path.to_path_buf(),
                        detail: format!("`{entry}` cannot be inflated: {e}"),
                    }
                } else {
                    io_err(path, Some(entry), e)
                }
            })?;
        let len = bytes.len() as u64;
        if len > cap {
            return Err(refuse(len));
        }
        self.used = self.used.saturating_add(len);
        Ok(bytes)
    }
}

// ---------------------------------------------------------------------------------------
// Zip (shape A)

fn load_zip(path: &Path, limits: ReadLimits) -> Result<RawPackage, SolutionError> {
    let (file, len) = open_regular(path, path, None)?;
    if len == 0 {
        return Err(SolutionError::Empty {
            path: path.to_path_buf(),
        });
    }
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
    // The zip crate keeps one of two entries with the very same name (and cannot say
    // which name): no real export has such twins, so any is refused.
    if archive.has_duplicate_names() {
        return Err(SolutionError::AmbiguousEntry {
            path: path.to_path_buf(),
            entry: None,
        });
    }
    // Name → (first index, entries with that name): one lookup per name, however many
    // entries and variables a package has.
    let mut by_name: std::collections::HashMap<&str, (usize, usize)> =
        std::collections::HashMap::with_capacity(names.len());
    for (n, i) in &names {
        by_name
            .entry(n.as_str())
            .and_modify(|(_, count)| *count += 1)
            .or_insert((*i, 1));
    }
    let find = |want: &str| by_name.get(want).map(|(i, _)| *i);
    // Two entries under one name (ignoring case): which one Dataverse reads is anyone's
    // guess, so a package whose files Ferry reads are ambiguous is refused.
    let ambiguous = |want: &str| by_name.get(want).is_some_and(|(_, count)| *count > 1);
    let Some(manifest_index) = find("solution.xml") else {
        return Err(missing_manifest(path, &mut archive, &names, limits));
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
    let definitions = env_var_definitions(&names);
    if definitions.len() > limits.max_items {
        return Err(too_many_variables(path, limits.max_items));
    }
    let values_name = |folder: &str| {
        format!("environmentvariabledefinitions/{folder}/environmentvariablevalues.json")
    };
    let used = ["solution.xml", "customizations.xml", "[content_types].xml"]
        .into_iter()
        .map(str::to_string)
        .chain(definitions.iter().flat_map(|(folder, _)| {
            [
                format!(
                    "environmentvariabledefinitions/{folder}/environmentvariabledefinition.xml"
                ),
                values_name(folder),
            ]
        }));
    for name in used {
        if ambiguous(&name) {
            return Err(SolutionError::AmbiguousEntry {
                path: path.to_path_buf(),
                entry: Some(name),
            });
        }
    }

    let mut budget = Budget {
        limits,
        used: 0,
        in_zip: true,
    };
    let mut read = |index: usize, what: &'static str| -> Result<RawFile, SolutionError> {
        let entry = archive
            .by_index(index)
            .map_err(|e| corrupt(e.to_string()))?;
        let name = entry.name().unwrap_or_default().replace('\\', "/");
        let (size, packed) = (entry.size(), entry.compressed_size());
        let ratio = size / packed.max(1);
        if size > (1 << 20) && ratio > limits.max_ratio {
            return Err(SolutionError::SuspiciousCompression {
                path: path.to_path_buf(),
                entry: name,
                ratio,
                limit: limits.max_ratio,
            });
        }
        let bytes = budget.read(path, &name, what, size, entry)?;
        Ok(RawFile { name, bytes })
    };

    let manifest = read(manifest_index, "manifest")?;
    let customizations = read(custom_index, "solution file")?;
    let mut env_vars = Vec::new();
    for (folder, def_index) in definitions {
        let definition = read(def_index, "solution file")?;
        let values = match find(&values_name(&folder)) {
            Some(i) => Some(read(i, "solution file")?),
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
        limits,
    })
}

fn too_many_variables(path: &Path, limit: usize) -> SolutionError {
    SolutionError::TooMany {
        path: path.to_path_buf(),
        entry: "environmentvariabledefinitions".into(),
        limit,
        what: "environment variable definitions".into(),
    }
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

/// The error for a zip without `solution.xml` at its root. A package of solutions
/// (Package Deployer) names the solution zips it holds; anything else gets the closest
/// explanation of what it is.
fn missing_manifest<R: Read + std::io::Seek>(
    path: &Path,
    archive: &mut ZipArchive<R>,
    names: &[(String, usize)],
    limits: ReadLimits,
) -> SolutionError {
    // Nested zips are streamed, never kept: at most this many, and together no more
    // than the package's total read limit.
    const MAX_NESTED: usize = 64;
    let mut left = limits.max_total_bytes;
    let mut solutions = Vec::new();
    for (_, index) in names
        .iter()
        .filter(|(n, _)| n.ends_with(".zip"))
        .take(MAX_NESTED)
    {
        let Ok(entry) = archive.by_index(*index) else {
            continue;
        };
        let name = entry.name().unwrap_or_default().replace('\\', "/");
        let (size, packed) = (entry.size(), entry.compressed_size());
        if size > left || (size > (1 << 20) && size / packed.max(1) > limits.max_ratio) {
            continue;
        }
        let (found, read) = holds_manifest(entry.take(left));
        left = left.saturating_sub(read);
        if found {
            solutions.push(name);
        }
    }
    if solutions.is_empty() {
        SolutionError::NotASolution {
            path: path.to_path_buf(),
            detail: explain_missing_manifest(names),
        }
    } else {
        solutions.sort();
        SolutionError::PackageOfSolutions {
            path: path.to_path_buf(),
            solutions,
        }
    }
}

/// Whether a zip, read as a stream, has a `solution.xml` at its root: its local file
/// headers are scanned as they pass (no central directory, no seeking, nothing kept).
/// Also returns how many bytes were read.
fn holds_manifest(mut reader: impl Read) -> (bool, u64) {
    const NAME: &[u8] = b"solution.xml";
    // A local file header: signature, 22 bytes, name length, extra length, then the name.
    const HEADER: usize = 30;
    let carry = HEADER + NAME.len() - 1;
    let mut window: Vec<u8> = Vec::with_capacity((64 << 10) + carry);
    let mut chunk = vec![0u8; 64 << 10];
    let mut read = 0u64;
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) | Err(_) => return (false, read),
            Ok(n) => n,
        };
        read = read.saturating_add(n as u64);
        window.extend_from_slice(&chunk[..n]);
        let found = window.windows(HEADER + NAME.len()).any(|w| {
            w.starts_with(b"PK\x03\x04")
                && u16::from_le_bytes([w[26], w[27]]) as usize == NAME.len()
                && w[HEADER..].eq_ignore_ascii_case(NAME)
        });
        if found {
            return (true, read);
        }
        // Keep the tail: a header may straddle two chunks.
        let keep = window.len().min(carry);
        window.drain(..window.len() - keep);
    }
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

    // Links are followed only while they stay inside the folder given (`..` in a
    // .cdsproj is refused the same way).
    let inside = fs::canonicalize(path).map_err(|e| io_err(path, None, e))?;
    let mut budget = Budget {
        limits,
        used: 0,
        in_zip: false,
    };
    let mut read = |file: &Path, what: &'static str| -> Result<RawFile, SolutionError> {
        let name = relative(path, file);
        // A pipe or device is refused as such, wherever it is; nothing is read yet.
        let (f, len) = open_regular(path, file, Some(&name))?;
        let real = fs::canonicalize(file).map_err(|e| io_err(path, Some(&name), e))?;
        if !real.starts_with(&inside) {
            return Err(SolutionError::LinkOutside {
                path: path.to_path_buf(),
                entry: name,
                target: real,
            });
        }
        let bytes = budget.read(path, &name, what, len, f)?;
        Ok(RawFile { name, bytes })
    };

    let manifest = read(&manifest_path, "manifest")?;
    let customizations = read(&custom_path, "solution file")?;
    let mut env_vars = Vec::new();
    if let Some(dir) =
        child_ci(&root, "environmentvariabledefinitions").map_err(|e| io_err(path, None, e))?
    {
        let subs = sorted_entries(&dir).map_err(|e| io_err(path, None, e))?;
        if subs.len() > limits.max_items {
            return Err(too_many_variables(path, limits.max_items));
        }
        for sub in subs {
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
                Some(v) => Some(read(&v, "solution file")?),
                None => None,
            };
            let folder = sub
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            env_vars.push(RawEnvVar {
                folder,
                definition: read(&def, "solution file")?,
                values,
            });
        }
    }
    let mut component_files = Vec::new();
    for (dir, suffix) in [("Workflows", ".data.xml"), ("CanvasApps", ".meta.xml")] {
        let Some(dir) = child_ci(&root, dir).map_err(|e| io_err(path, None, e))? else {
            continue;
        };
        let files = sorted_entries(&dir).map_err(|e| io_err(path, None, e))?;
        if files.len() > limits.max_items {
            return Err(SolutionError::TooMany {
                path: path.to_path_buf(),
                entry: relative(path, &dir),
                limit: limits.max_items,
                what: "files".into(),
            });
        }
        for file in files {
            let lower = file
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_lowercase();
            if lower.ends_with(suffix) && file.is_file() {
                component_files.push(read(&file, "solution file")?);
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
        limits,
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
    let (f, len) = open_regular(path, proj, Some(&name))?;
    let mut budget = Budget {
        limits: ReadLimits {
            max_entry_bytes: 1 << 20,
            ..ReadLimits::default()
        },
        used: 0,
        in_zip: false,
    };
    let bytes = budget.read(path, &name, "project file", len, f)?;
    let text = crate::text::decode(bytes).map_err(|detail| SolutionError::Encoding {
        path: path.to_path_buf(),
        entry: name.clone(),
        detail,
    })?;
    let doc = crate::xml::parse(
        &text,
        crate::xml::Limits::items(ReadLimits::default().max_items),
    )
    .map_err(|e| crate::parse::xml_error(path, &name, e))?;
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
        limits: ReadLimits::default(),
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
