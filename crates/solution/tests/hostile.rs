//! Hostile and broken inputs: each must give a typed error that names the file, never a
//! panic, and stay within bounded time and memory.

mod common;

use std::time::{Duration, Instant};

use common::*;
use ferry_solution::{ReadLimits, SolutionError};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn expect_err(path: &std::path::Path, code: &str) -> SolutionError {
    let err = ferry_solution::open(path).expect_err("must be refused");
    assert_eq!(err.code().as_str(), code, "{err}");
    let name = path.file_name().unwrap().to_string_lossy();
    assert!(
        err.to_string().contains(&*name),
        "message names the file: {err}"
    );
    err
}

#[test]
fn a_minimal_synthetic_package_reads() {
    let dir = tmp();
    let path = write_zip(dir.path(), "ok.zip", &minimal_files(), false);
    let pkg = ferry_solution::open(&path).unwrap();
    assert_eq!(pkg.unique_name, "Demo");
    assert_eq!(pkg.display_name, "Display & name");
    assert_eq!(pkg.connection_references.len(), 1);
}

#[test]
fn zip_bomb_by_ratio_is_refused_before_inflating() {
    let dir = tmp();
    let mut files = minimal_files();
    // 16 MiB of one byte compresses about 1000:1.
    files[1].1 = vec![b' '; 16 << 20];
    let path = write_zip(dir.path(), "bomb.zip", &files, false);
    let started = Instant::now();
    let err = expect_err(&path, "suspicious_compression");
    assert!(err.to_string().contains("customizations.xml"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn total_uncompressed_size_is_capped() {
    let dir = tmp();
    let mut files = minimal_files();
    let body: String = (0..100_000).map(|i| format!("<a n=\"{i}\"/>")).collect();
    files[1].1 = format!("<ImportExportXml>{body}</ImportExportXml>").into_bytes();
    let path = write_zip(dir.path(), "big.zip", &files, false);
    let limits = ReadLimits {
        max_entry_bytes: 1 << 20,
        max_total_bytes: 1 << 20,
        max_ratio: 1 << 30,
        ..ReadLimits::default()
    };
    let err = ferry_solution::open_with_limits(&path, limits).expect_err("over the cap");
    assert_eq!(err.code().as_str(), "too_large", "{err}");
    // The same file is fine with the default limits.
    ferry_solution::open(&path).unwrap();
}

#[test]
fn entry_names_with_dot_dot_or_absolute_paths_are_refused() {
    for bad in [
        "../evil.xml",
        "Workflows/../../evil.xml",
        "/etc/passwd",
        "C:/windows/x.dll",
        "a\\..\\..\\b",
    ] {
        let dir = tmp();
        let mut files = minimal_files();
        files.push((bad.to_string(), b"x".to_vec()));
        let path = write_zip(dir.path(), "slip.zip", &files, false);
        let err = expect_err(&path, "unsafe_entry_name");
        assert!(err.to_string().contains("unsafe name"), "{err}");
        // Nothing was written next to the package.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

#[test]
fn doctype_and_entities_are_refused() {
    let bombs = [
        // Billion laughs.
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]><ImportExportXml>&lol2;</ImportExportXml>",
        // External entity.
        "<!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><ImportExportXml>&xxe;</ImportExportXml>",
        // Undeclared entity without a DOCTYPE, in text and in an attribute.
        "<ImportExportXml><SolutionManifest><UniqueName>&xxe;</UniqueName></SolutionManifest></ImportExportXml>",
        "<ImportExportXml a=\"&xxe;\"></ImportExportXml>",
    ];
    for (i, bomb) in bombs.iter().enumerate() {
        let dir = tmp();
        let mut files = minimal_files();
        files[0].1 = bomb.as_bytes().to_vec();
        let path = write_zip(dir.path(), "doctype.zip", &files, false);
        let err = ferry_solution::open(&path).expect_err("refused");
        assert_eq!(err.code().as_str(), "xml_doctype", "case {i}: {err}");
        assert!(err.to_string().contains("solution.xml"), "{err}");
    }
    // Also inside parts of customizations.xml that are otherwise skipped.
    let dir = tmp();
    let mut files = minimal_files();
    files[1].1 =
        b"<ImportExportXml><Entities><Entity>&xxe;</Entity></Entities></ImportExportXml>".to_vec();
    let path = write_zip(dir.path(), "doctype2.zip", &files, false);
    expect_err(&path, "xml_doctype");
}

#[test]
fn truncated_and_corrupt_zips_are_refused() {
    let original = std::fs::read(corpus(
        "z16-column-level-security-unmanaged/ColumnLevelSecuritySampleSolution.zip",
    ))
    .unwrap();
    let dir = tmp();
    for cut in [10, original.len() / 2, original.len() - 10] {
        let path = dir.path().join(format!("cut{cut}.zip"));
        std::fs::write(&path, &original[..cut]).unwrap();
        expect_err(&path, "corrupt_zip");
    }
    // Damage the compressed bytes of every entry (keep the directory intact).
    let mut damaged = original.clone();
    for b in damaged.iter_mut().skip(200).take(2000) {
        *b ^= 0x5A;
    }
    let path = dir.path().join("damaged.zip");
    std::fs::write(&path, &damaged).unwrap();
    let err = ferry_solution::open(&path).expect_err("damaged");
    assert!(err.to_string().contains("damaged.zip"), "{err}");

    let path = dir.path().join("notes.zip");
    std::fs::write(&path, "these are my notes, not a zip").unwrap();
    expect_err(&path, "corrupt_zip");
}

#[test]
fn empty_file_and_zero_byte_manifest() {
    let dir = tmp();
    let path = dir.path().join("empty.zip");
    std::fs::write(&path, b"").unwrap();
    expect_err(&path, "empty_file");

    let mut files = minimal_files();
    files[0].1 = Vec::new();
    let path = write_zip(dir.path(), "zero.zip", &files, false);
    let err = expect_err(&path, "invalid_manifest");
    assert!(err.to_string().contains("solution.xml` is empty"), "{err}");

    let path = write_zip(dir.path(), "none.zip", &[], false);
    let err = expect_err(&path, "not_a_solution");
    assert!(err.to_string().contains("no entries"), "{err}");
}

#[test]
fn utf16_and_bom_variants_read_the_same() {
    let text = manifest("Demo", "1.0.0.1", 1).replace("Display &amp; name", "Café ünïcode");
    let mut variants: Vec<(&str, Vec<u8>)> = vec![("plain", text.clone().into_bytes())];
    let mut bom8 = b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n".to_vec();
    bom8.extend_from_slice(text.as_bytes());
    variants.push(("utf8-bom", bom8));
    let decl16 = format!("<?xml version=\"1.0\" encoding=\"utf-16\"?>{text}");
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    let mut le_nobom = Vec::new();
    for u in decl16.encode_utf16() {
        le.extend_from_slice(&u.to_le_bytes());
        be.extend_from_slice(&u.to_be_bytes());
        le_nobom.extend_from_slice(&u.to_le_bytes());
    }
    variants.extend([
        ("utf16le", le),
        ("utf16be", be),
        ("utf16le-nobom", le_nobom),
    ]);
    let dir = tmp();
    let mut first = None;
    for (name, bytes) in variants {
        let mut files = minimal_files();
        files[0].1 = bytes;
        let path = write_zip(dir.path(), &format!("{name}.zip"), &files, false);
        let pkg = ferry_solution::open(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(pkg.display_name, "Café ünïcode", "{name}");
        let mut pkg = pkg;
        pkg.format.manifest_path.clear();
        match &first {
            None => first = Some(pkg),
            Some(f) => assert_eq!(&pkg, f, "{name}"),
        }
    }
    // Latin-1 bytes are not UTF-8: a clear encoding error.
    let mut files = minimal_files();
    // Each char as one byte: é (U+00E9) becomes the lone Latin-1 byte 0xE9.
    files[0].1 = text.chars().map(|c| c as u32 as u8).collect();
    let path = write_zip(dir.path(), "latin1.zip", &files, false);
    expect_err(&path, "invalid_encoding");
}

#[test]
fn a_100_mb_zip_with_a_tiny_manifest_is_read_fast() {
    let dir = tmp();
    let mut files = minimal_files();
    // Stored (uncompressed) filler, as canvas app binaries often are.
    let filler: Vec<u8> = (0..(25u32 << 20))
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for i in 0..4 {
        files.push((
            format!("CanvasApps/app{i}_DocumentUri.msapp"),
            filler.clone(),
        ));
    }
    let path = write_zip(dir.path(), "huge.zip", &files, true);
    assert!(std::fs::metadata(&path).unwrap().len() >= 100 << 20);
    let started = Instant::now();
    let pkg = ferry_solution::open(&path).unwrap();
    let took = started.elapsed();
    assert_eq!(pkg.unique_name, "Demo");
    assert!(took < Duration::from_millis(500), "took {took:?}");
}

#[test]
fn zipped_source_folders_and_legacy_packages_get_a_specific_message() {
    let dir = tmp();
    let files: Vec<(String, Vec<u8>)> = vec![
        (
            "src/Other/Solution.xml".into(),
            manifest("Demo", "1.0", 0).into_bytes(),
        ),
        (
            "src/Other/Customizations.xml".into(),
            CUSTOMIZATIONS.as_bytes().to_vec(),
        ),
    ];
    let path = write_zip(dir.path(), "src.zip", &files, false);
    let err = expect_err(&path, "not_a_solution");
    assert!(err.to_string().contains("zipped source folder"), "{err}");

    let err = expect_err(
        &corpus("z19-not-a-solution-legacy-flow-package/PatternTry-Catch-Finally.zip"),
        "not_a_solution",
    );
    assert!(err.to_string().contains("legacy Power Automate"), "{err}");
}

#[test]
fn folders_that_are_not_solutions() {
    let dir = tmp();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    expect_err(&empty, "not_a_solution");

    let yaml = dir.path().join("yaml");
    std::fs::create_dir_all(yaml.join("solutions/Demo")).unwrap();
    std::fs::write(yaml.join("solutions/Demo/solution.yml"), "x: 1").unwrap();
    expect_err(&yaml, "unsupported_yaml_format");

    let proj = dir.path().join("proj");
    std::fs::create_dir(&proj).unwrap();
    std::fs::write(
        proj.join("Demo.cdsproj"),
        "<Project><PropertyGroup><SolutionRootPath>../../etc</SolutionRootPath></PropertyGroup></Project>",
    )
    .unwrap();
    let err = expect_err(&proj, "not_a_solution");
    assert!(err.to_string().contains("outside the project"), "{err}");

    let missing = dir.path().join("does-not-exist.zip");
    expect_err(&missing, "io");
}

#[test]
fn folder_with_lower_case_names_and_bom_reads() {
    let dir = tmp();
    let root = dir.path().join("tree");
    std::fs::create_dir_all(root.join("other")).unwrap();
    std::fs::create_dir_all(root.join("EnvironmentVariableDefinitions/pp_Flag")).unwrap();
    let mut m = b"\xEF\xBB\xBF".to_vec();
    m.extend_from_slice(manifest("Demo", "1.0.0.1", 2).as_bytes());
    std::fs::write(root.join("other/solution.xml"), m).unwrap();
    std::fs::write(root.join("other/customizations.xml"), CUSTOMIZATIONS).unwrap();
    std::fs::write(
        root.join("EnvironmentVariableDefinitions/pp_Flag/environmentvariabledefinition.xml"),
        "<environmentvariabledefinition schemaname=\"pp_Flag\"><type>100000005</type><isrequired>1</isrequired></environmentvariabledefinition>",
    )
    .unwrap();
    std::fs::write(
        root.join("EnvironmentVariableDefinitions/pp_Flag/environmentvariablevalues.json"),
        "{\"environmentvariablevalues\":{\"environmentvariablevalue\":[{\"value\":\"/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/v/secrets/n\"}]}}",
    )
    .unwrap();
    let pkg = ferry_solution::open(&root).unwrap();
    assert_eq!(pkg.managed, ferry_solution::ManagedState::Both);
    let ev = &pkg.environment_variables[0];
    assert_eq!(ev.var_type, ferry_solution::EnvVarType::Secret);
    assert!(ev.has_value && ev.required);
    assert_eq!(ev.value, None, "secret values are never exposed");
}
