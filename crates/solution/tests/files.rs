//! Files on disk under stress: pipes and devices where files should be, links out of
//! the folder, ambiguous zips, oversized settings files, counts no real solution has,
//! packages of packages, and the sentences each gets. Every refusal is prompt and typed.

mod common;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use common::*;
use ferry_solution::settings::{DeploymentSettings, SettingsFile};
use ferry_solution::{ReadLimits, SolutionError};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Runs `f` on a thread and fails the test if it does not finish promptly (a FIFO that
/// is opened for reading blocks until a writer comes, which is never).
fn promptly<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(10))
        .expect("hung instead of refusing")
}

/// A minimal source folder (Other/Solution.xml, Other/Customizations.xml) at `root`.
fn source_folder(root: &Path) {
    std::fs::create_dir_all(root.join("Other")).unwrap();
    std::fs::write(
        root.join("Other/Solution.xml"),
        manifest("Demo", "1.0.0.1", 0),
    )
    .unwrap();
    std::fs::write(root.join("Other/Customizations.xml"), CUSTOMIZATIONS).unwrap();
}

fn env_var(root: &Path, name: &str) -> PathBuf {
    let dir = root.join("environmentvariabledefinitions").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let def = dir.join("environmentvariabledefinition.xml");
    std::fs::write(
        &def,
        format!("<environmentvariabledefinition schemaname=\"{name}\"><type>100000000</type></environmentvariabledefinition>"),
    )
    .unwrap();
    def
}

#[cfg(unix)]
fn mkfifo(path: &Path) -> bool {
    let _ = std::fs::remove_file(path);
    std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_promptly_wherever_a_file_is_expected() {
    let dir = tmp();
    if !mkfifo(&dir.path().join("probe")) {
        eprintln!("skipped: no mkfifo here");
        return;
    }
    // As the package itself.
    let pipe = dir.path().join("package.zip");
    assert!(mkfifo(&pipe));
    let err = promptly(move || ferry_solution::open(&pipe).unwrap_err());
    assert_eq!(err.code().as_str(), "invalid_input", "{err}");
    assert!(err.to_string().contains("named pipe"), "{err}");

    // As a source folder's manifest, and as a variable definition.
    let root = dir.path().join("src");
    source_folder(&root);
    let def = env_var(&root, "pp_Flag");
    assert!(mkfifo(&def));
    let r = root.clone();
    let err = promptly(move || ferry_solution::open(&r).unwrap_err());
    assert_eq!(err.code().as_str(), "invalid_input", "{err}");
    assert!(
        err.to_string()
            .contains("environmentvariabledefinitions/pp_Flag/environmentvariabledefinition.xml"),
        "{err}"
    );
    std::fs::remove_file(&def).unwrap();
    assert!(mkfifo(&root.join("Other/Solution.xml")));
    let r = root.clone();
    let err = promptly(move || ferry_solution::open(&r).unwrap_err());
    assert!(
        err.to_string().contains("Other/Solution.xml") && err.to_string().contains("named pipe"),
        "{err}"
    );

    // As the settings file to merge into.
    let settings = dir.path().join("settings.json");
    assert!(mkfifo(&settings));
    let err = promptly(move || DeploymentSettings::read(&settings).unwrap_err());
    assert_eq!(err.code().as_str(), "invalid_input", "{err}");
    assert!(err.to_string().contains("not a regular file"), "{err}");
}

#[cfg(unix)]
#[test]
fn dev_zero_is_not_a_regular_file_nor_a_zip_bomb() {
    let dir = tmp();
    let root = dir.path().join("src");
    source_folder(&root);
    std::fs::remove_file(root.join("Other/Solution.xml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", root.join("Other/Solution.xml")).unwrap();
    let err = promptly(move || ferry_solution::open(&root).unwrap_err());
    let text = err.to_string();
    assert!(text.contains("not a regular file"), "{text}");
    assert!(!text.contains("zip bomb"), "{text}");

    let settings = dir.path().join("settings.json");
    std::os::unix::fs::symlink("/dev/zero", &settings).unwrap();
    let err = promptly(move || DeploymentSettings::read(&settings).unwrap_err());
    assert_eq!(err.code().as_str(), "invalid_input", "{err}");
}

#[cfg(unix)]
#[test]
fn links_that_leave_the_folder_are_refused_links_inside_are_read() {
    use std::os::unix::fs::symlink;
    let dir = tmp();
    // A secret outside the project, shaped like a solution's Other/ folder.
    let outside = dir.path().join("outside");
    source_folder(&outside);

    // Other/ is a link out of the folder.
    let project = dir.path().join("project");
    std::fs::create_dir(&project).unwrap();
    symlink(outside.join("Other"), project.join("Other")).unwrap();
    let err = ferry_solution::open(&project).unwrap_err();
    assert_eq!(err.code().as_str(), "unsafe_entry_name", "{err}");
    assert!(err.to_string().contains("outside"), "{err}");

    // The .cdsproj's src is a link out of the project.
    let proj = dir.path().join("proj");
    std::fs::create_dir(&proj).unwrap();
    std::fs::write(proj.join("Demo.cdsproj"), "<Project />").unwrap();
    symlink(&outside, proj.join("src")).unwrap();
    let err = ferry_solution::open(&proj).unwrap_err();
    assert_eq!(err.code().as_str(), "unsafe_entry_name", "{err}");

    // One file is a link out; through `..` too.
    let one = dir.path().join("one");
    source_folder(&one);
    std::fs::remove_file(one.join("Other/Customizations.xml")).unwrap();
    symlink(
        "../../outside/Other/Customizations.xml",
        one.join("Other/Customizations.xml"),
    )
    .unwrap();
    let err = ferry_solution::open(&one).unwrap_err();
    assert_eq!(err.code().as_str(), "unsafe_entry_name", "{err}");
    assert!(
        err.to_string().contains("Other/Customizations.xml"),
        "{err}"
    );

    // A link that stays inside the folder is fine, and so is a folder reached by a link.
    let inside = dir.path().join("inside");
    source_folder(&inside);
    std::fs::create_dir(inside.join("shared")).unwrap();
    std::fs::rename(
        inside.join("Other/Customizations.xml"),
        inside.join("shared/c.xml"),
    )
    .unwrap();
    symlink("../shared/c.xml", inside.join("Other/Customizations.xml")).unwrap();
    assert_eq!(ferry_solution::open(&inside).unwrap().unique_name, "Demo");
    let alias = dir.path().join("alias");
    symlink(&inside, &alias).unwrap();
    assert_eq!(ferry_solution::open(&alias).unwrap().unique_name, "Demo");
}

/// Writes a zip whose entry `placeholder` is then renamed to `name` in place (same
/// length), so the zip holds names a zip writer would refuse (exact duplicates).
fn zip_with_renamed(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    placeholder: &str,
    name: &str,
) -> PathBuf {
    assert_eq!(placeholder.len(), name.len());
    let path = write_zip(dir, "dup.zip", files, true);
    let mut bytes = std::fs::read(&path).unwrap();
    let (from, to) = (placeholder.as_bytes(), name.as_bytes());
    let mut i = 0;
    while i + from.len() <= bytes.len() {
        if &bytes[i..i + from.len()] == from {
            bytes[i..i + from.len()].copy_from_slice(to);
        }
        i += 1;
    }
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn zips_with_two_entries_of_one_name_are_refused() {
    let dir = tmp();
    // Differing only in letter case.
    let mut files = minimal_files();
    files.push((
        "SOLUTION.XML".into(),
        manifest("Other", "9.9.9.9", 0).into_bytes(),
    ));
    let path = write_zip(dir.path(), "case.zip", &files, false);
    let err = ferry_solution::open(&path).unwrap_err();
    assert_eq!(err.code().as_str(), "unsafe_entry_name", "{err}");
    assert!(err.to_string().contains("twice"), "{err}");
    assert!(err.to_string().contains("solution.xml"), "{err}");

    // Exactly the same name.
    let mut files = minimal_files();
    files.push((
        "customizations.xmX".into(),
        CUSTOMIZATIONS.as_bytes().to_vec(),
    ));
    let path = zip_with_renamed(
        dir.path(),
        &files,
        "customizations.xmX",
        "customizations.xml",
    );
    let err = ferry_solution::open(&path).unwrap_err();
    assert_eq!(err.code().as_str(), "unsafe_entry_name", "{err}");
    assert!(err.to_string().contains("twice"), "{err}");

    // An environment variable's definition twice.
    let mut files = minimal_files();
    for n in [
        "environmentvariabledefinitions/pp_A",
        "EnvironmentVariableDefinitions/pp_a",
    ] {
        files.push((
            format!("{n}/environmentvariabledefinition.xml"),
            b"<environmentvariabledefinition schemaname=\"pp_A\"/>".to_vec(),
        ));
    }
    let path = write_zip(dir.path(), "env.zip", &files, false);
    let err = ferry_solution::open(&path).unwrap_err();
    assert_eq!(err.code().as_str(), "unsafe_entry_name", "{err}");
}

#[test]
fn the_settings_file_to_merge_is_capped() {
    let dir = tmp();
    let path = dir.path().join("settings.json");
    // Valid JSON, but far bigger than any real settings file.
    let pad = " ".repeat(16 << 20);
    std::fs::write(&path, format!("{{\"EnvironmentVariables\":[]{pad}}}")).unwrap();
    let err = DeploymentSettings::read(&path).unwrap_err();
    assert_eq!(err.code().as_str(), "too_large", "{err}");
    assert!(err.to_string().contains("settings file"), "{err}");
    assert!(!err.to_string().contains("zip bomb"), "{err}");
}

fn root_components(n: usize) -> String {
    let rc: String = (0..n)
        .map(|i| format!("<RootComponent type=\"1\" schemaName=\"e{i}\" behavior=\"0\" />"))
        .collect();
    manifest("Demo", "1.0.0.1", 1).replace(
        "<RootComponents><RootComponent type=\"1\" schemaName=\"account\" behavior=\"2\" /></RootComponents>",
        &format!("<RootComponents>{rc}</RootComponents>"),
    )
}

#[test]
fn counts_no_real_solution_has_are_refused_before_they_cost_memory() {
    let dir = tmp();
    // 100,001 root components at the default limits (about 6 MB, compressed far less).
    let mut files = minimal_files();
    files[0].1 = root_components(100_001).into_bytes();
    let path = write_zip(dir.path(), "many.zip", &files, false);
    let err = ferry_solution::open(&path).unwrap_err();
    assert_eq!(err.code().as_str(), "too_large", "{err}");
    let text = err.to_string();
    assert!(
        text.contains("100000") || text.contains("100,000"),
        "{text}"
    );
    assert!(text.contains("RootComponent"), "{text}");
    assert!(text.contains("solution.xml"), "{text}");
    // 100,000 are still read.
    files[0].1 = root_components(100_000).into_bytes();
    let path = write_zip(dir.path(), "enough.zip", &files, false);
    assert_eq!(
        ferry_solution::open(&path).unwrap().root_components.len(),
        100_000
    );

    let small = ReadLimits {
        max_items: 10,
        ..ReadLimits::default()
    };
    // Connection references.
    let crs: String = (0..11)
        .map(|i| format!("<connectionreference connectionreferencelogicalname=\"c{i}\" />"))
        .collect();
    let mut files = minimal_files();
    files[1].1 = format!(
        "<ImportExportXml><connectionreferences>{crs}</connectionreferences></ImportExportXml>"
    )
    .into_bytes();
    let path = write_zip(dir.path(), "crs.zip", &files, false);
    let err = ferry_solution::open_with_limits(&path, small).unwrap_err();
    assert_eq!(err.code().as_str(), "too_large", "{err}");
    assert!(err.to_string().contains("connectionreference"), "{err}");

    // Environment variables (each its own file).
    let mut files = minimal_files();
    for i in 0..11 {
        files.push((
            format!("environmentvariabledefinitions/pp_V{i}/environmentvariabledefinition.xml"),
            b"<environmentvariabledefinition />".to_vec(),
        ));
    }
    let path = write_zip(dir.path(), "vars.zip", &files, false);
    let err = ferry_solution::open_with_limits(&path, small).unwrap_err();
    assert_eq!(err.code().as_str(), "too_large", "{err}");
    assert!(err.to_string().contains("environment variable"), "{err}");

    // The same in a folder.
    let root = dir.path().join("src");
    source_folder(&root);
    for i in 0..11 {
        env_var(&root, &format!("pp_V{i}"));
    }
    let err = ferry_solution::open_with_limits(&root, small).unwrap_err();
    assert_eq!(err.code().as_str(), "too_large", "{err}");

    // Many elements spread over many parents are capped too.
    let lists: String = (0..10)
        .map(|_| format!("<RootComponents>{}</RootComponents>", "<x/>".repeat(10)))
        .collect();
    let mut files = minimal_files();
    files[0].1 = manifest("Demo", "1.0.0.1", 1)
        .replace("<MissingDependencies />", &lists)
        .into_bytes();
    let path = write_zip(dir.path(), "spread.zip", &files, false);
    let err = ferry_solution::open_with_limits(&path, small).unwrap_err();
    assert_eq!(err.code().as_str(), "too_large", "{err}");
}

#[test]
fn the_total_is_blamed_when_the_total_is_the_problem() {
    let dir = tmp();
    let root = dir.path().join("src");
    source_folder(&root);
    for i in 0..40 {
        let def = env_var(&root, &format!("pp_V{i:02}"));
        let pad = "<!-- padding -->".repeat(2_000);
        std::fs::write(
            &def,
            format!("<environmentvariabledefinition schemaname=\"pp_V{i}\">{pad}</environmentvariabledefinition>"),
        )
        .unwrap();
    }
    // Each file is well under the per-file limit; together they are over the total.
    let limits = ReadLimits {
        max_entry_bytes: 1 << 20,
        max_total_bytes: 1 << 20,
        ..ReadLimits::default()
    };
    let err = ferry_solution::open_with_limits(&root, limits).unwrap_err();
    assert_eq!(err.code().as_str(), "too_large", "{err}");
    let text = err.to_string();
    assert!(text.contains("add up to more than 1 MiB"), "{text}");
    assert!(
        !text.contains("environmentvariabledefinition.xml` would"),
        "{text}"
    );
    assert!(!text.contains("zip bomb"), "{text}");

    // One file over the per-file limit names that file, and a folder is no zip.
    let limits = ReadLimits {
        max_entry_bytes: 16 << 10,
        ..ReadLimits::default()
    };
    let err = ferry_solution::open_with_limits(&root, limits).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("environmentvariabledefinition.xml` is larger than 16 KiB"),
        "{text}"
    );
    assert!(!text.contains("zip bomb"), "{text}");
}

#[test]
fn a_missing_file_says_its_cause_once() {
    let dir = tmp();
    let missing = dir.path().join("nope.zip");
    let err = ferry_solution::open(&missing).unwrap_err();
    // What a CLI prints: the error and its causes, joined.
    let mut full = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        full.push_str(&format!(": {s}"));
        source = s.source();
    }
    let cause = std::io::Error::from(std::io::ErrorKind::NotFound).to_string();
    let os = "os error 2";
    assert_eq!(full.matches(os).count(), 1, "{full} ({cause})");
    assert!(full.contains("nope.zip"), "{full}");
}

#[test]
fn a_failed_write_is_a_write_error_naming_the_destination() {
    // Not under a `.tmp…` folder: the message must name no temporary file.
    let dir = tempfile::Builder::new().prefix("ferry").tempdir().unwrap();
    // Into a folder that does not exist (fails even for root), and over a folder.
    let over_a_folder = dir.path().join("settings.json");
    std::fs::create_dir(&over_a_folder).unwrap();
    for path in [dir.path().join("missing/settings.json"), over_a_folder] {
        let err = DeploymentSettings::default()
            .write(&path, true)
            .unwrap_err();
        let text = err.to_string();
        assert_eq!(err.code().as_str(), "io", "{text}");
        assert!(text.contains("cannot write"), "{text}");
        assert!(!text.contains("cannot read"), "{text}");
        assert!(text.contains("settings.json"), "{text}");
        assert!(!text.contains(".tmp"), "{text}");
        assert!(matches!(err, SolutionError::Write { .. }), "{err:?}");
        // The sentence has the cause; nothing repeats it.
        assert!(std::error::Error::source(&err).is_none());
    }
}

#[test]
fn a_package_deployer_package_names_the_solutions_it_holds() {
    let dir = tmp();
    let inner_a = write_zip(dir.path(), "CoreA_managed.zip", &minimal_files(), false);
    let inner_b = write_zip(dir.path(), "ExtrasB.zip", &minimal_files(), true);
    let not_a_solution = write_zip(
        dir.path(),
        "Assets.zip",
        &[("readme.txt".to_string(), b"hello".to_vec())],
        false,
    );
    let files = vec![
        ("Contoso.Package.dll".to_string(), vec![0u8; 1024]),
        (
            "PkgAssets/ImportConfig.xml".to_string(),
            b"<configdatastorage />".to_vec(),
        ),
        (
            "PkgAssets/CoreA_managed.zip".to_string(),
            std::fs::read(inner_a).unwrap(),
        ),
        (
            "PkgAssets/ExtrasB.zip".to_string(),
            std::fs::read(inner_b).unwrap(),
        ),
        (
            "PkgAssets/Assets.zip".to_string(),
            std::fs::read(not_a_solution).unwrap(),
        ),
    ];
    let path = write_zip(dir.path(), "package.zip", &files, false);
    let err = ferry_solution::open(&path).unwrap_err();
    assert_eq!(err.code().as_str(), "not_a_solution", "{err}");
    let text = err.to_string();
    assert!(text.contains("PkgAssets/CoreA_managed.zip"), "{text}");
    assert!(text.contains("PkgAssets/ExtrasB.zip"), "{text}");
    assert!(
        !text.contains("Assets.zip,") && !text.contains("PkgAssets/Assets.zip"),
        "{text}"
    );
    assert!(!text.contains("no solution.xml at the root"), "{text}");
    match err {
        SolutionError::PackageOfSolutions { solutions, .. } => assert_eq!(
            solutions,
            ["PkgAssets/CoreA_managed.zip", "PkgAssets/ExtrasB.zip"]
        ),
        other => panic!("{other:?}"),
    }
}
