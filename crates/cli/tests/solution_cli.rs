//! `ferry solution …` through the real binary, on packages from the shared corpus.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corpus(case: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/solutions")
        .join(case);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "zip"))
        .unwrap_or(dir)
}

fn ferry(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run ferry")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn inspect_describes_a_package_for_people_and_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = corpus("z18-mda-charts-nonnumeric-dependencies");
    let out = ferry(&["solution", "inspect", pkg.to_str().unwrap()], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let human = text(&out.stdout);
    assert!(
        human.starts_with("MDA_Charts 1.0.0.2 (unmanaged)"),
        "{human}"
    );
    assert!(
        human.contains("AppModuleWebResources 2.5 or later"),
        "{human}"
    );

    let out = ferry(
        &["solution", "inspect", "--json", pkg.to_str().unwrap()],
        dir.path(),
    );
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["uniqueName"], "MDA_Charts");
    assert_eq!(json["managed"], "unmanaged");
    assert_eq!(json["format"]["kind"], "zip");
}

#[test]
fn a_file_that_is_not_a_solution_fails_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = corpus("z19-not-a-solution-legacy-flow-package");
    let out = ferry(&["solution", "inspect", pkg.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(6));
    let err = text(&out.stderr);
    assert!(err.contains("not a solution package"), "{err}");
    assert!(err.contains("export that"), "{err}");
    assert!(out.stdout.is_empty());

    let out = ferry(&["solution", "inspect", "no/such/file.zip"], dir.path());
    assert_eq!(out.status.code(), Some(11));
    assert!(text(&out.stderr).contains("no/such/file.zip"));
}

#[test]
fn settings_are_written_once_and_merged_without_losing_values() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = corpus("z11-contoso-sample-managed-envvar-value");
    let pkg = pkg.to_str().unwrap();

    let out = ferry(&["solution", "settings", pkg], dir.path());
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        printed["EnvironmentVariables"][0]["SchemaName"],
        "new_ContosoURL"
    );

    let out = ferry(
        &["solution", "settings", pkg, "--out", "s.json"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = dir.path().join("s.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();

    // A second write must not clobber the maker's file.
    doc["EnvironmentVariables"][0]["Value"] = "https://contoso.example".into();
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = ferry(
        &["solution", "settings", pkg, "--out", "s.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(6));
    assert!(
        text(&out.stderr).contains("--force"),
        "{}",
        text(&out.stderr)
    );

    // --merge keeps the value; --force replaces the file.
    let out = ferry(
        &["solution", "settings", pkg, "--out", "s.json", "--merge"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let kept: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(
        kept["EnvironmentVariables"][0]["Value"],
        "https://contoso.example"
    );
    let out = ferry(
        &["solution", "settings", pkg, "--out", "s.json", "--force"],
        dir.path(),
    );
    assert!(out.status.success());
    let fresh: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(fresh["EnvironmentVariables"][0]["Value"], "");
}

#[test]
fn reader_errors_carry_the_one_vocabulary_s_codes() {
    let dir = tempfile::tempdir().unwrap();
    let pkg = corpus("z19-not-a-solution-legacy-flow-package");
    let out = ferry(
        &["solution", "inspect", pkg.to_str().unwrap(), "--json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(6));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).expect("stderr is JSON");
    assert_eq!(err["error"]["code"], "not_a_solution", "{err}");

    let out = ferry(
        &["solution", "inspect", "no/such/file.zip", "--json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(11));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).expect("stderr is JSON");
    assert_eq!(err["error"]["code"], "io", "{err}");
}

#[test]
fn a_closed_stdout_ends_quietly() {
    // `ferry solution inspect … | head -0`: the reader is gone before Ferry prints.
    let dir = tempfile::tempdir().unwrap();
    let pkg = corpus("z20-prompt-wagon-18-envvars");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .args(["solution", "inspect", pkg.to_str().unwrap(), "--json"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_ne!(out.status.code(), Some(101), "{}", text(&out.stderr));
    assert!(
        !text(&out.stderr).contains("panicked"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn inspect_names_the_unmanaged_components_the_target_must_have() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("src/Other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(
        other.join("Solution.xml"),
        "<ImportExportXml version=\"9.2.24024.204\" SolutionPackageVersion=\"9.2\" languagecode=\"1033\">\
         <SolutionManifest><UniqueName>Demo</UniqueName>\
         <LocalizedNames><LocalizedName description=\"Demo\" languagecode=\"1033\" /></LocalizedNames>\
         <Version>1.0.0.1</Version><Managed>0</Managed>\
         <Publisher><UniqueName>pub</UniqueName><CustomizationPrefix>pp</CustomizationPrefix></Publisher>\
         <RootComponents><RootComponent type=\"1\" schemaName=\"pp_thing\" behavior=\"0\" /></RootComponents>\
         <MissingDependencies><MissingDependency>\
         <Required type=\"1\" schemaName=\"contact\" displayName=\"Contact\" solution=\"Active\" />\
         <Dependent type=\"2\" schemaName=\"pp_contactid\" parentSchemaName=\"pp_thing\" />\
         </MissingDependency></MissingDependencies></SolutionManifest></ImportExportXml>",
    )
    .unwrap();
    std::fs::write(
        other.join("Customizations.xml"),
        "<ImportExportXml><Entities /></ImportExportXml>",
    )
    .unwrap();
    let out = ferry(
        &[
            "solution",
            "inspect",
            dir.path().join("src").to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains("unmanaged components") && shown.contains("Contact"),
        "{shown}"
    );
}
