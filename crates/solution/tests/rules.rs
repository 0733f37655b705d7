//! Import rules over real packages (spec §10).

mod common;

use common::corpus;
use ferry_solution::rules::{check_import, InstalledSolution, Severity, TargetSnapshot};

fn codes(pkg: &ferry_solution::SolutionPackage, target: &TargetSnapshot) -> Vec<&'static str> {
    check_import(pkg, target).iter().map(|f| f.code).collect()
}

fn installed(name: &str, version: &str, managed: bool) -> InstalledSolution {
    InstalledSolution {
        unique_name: name.into(),
        version: version.into(),
        managed,
        publisher: None,
    }
}

const Z12: &str = "z12-secondary-record-source-v1.21111.1/SecondaryRecordSource_SampleSolution_1_21111_1_managed.zip";
const Z14: &str = "z14-secondary-record-source-v1.23091.1/SecondaryRecordSource_SampleSolution_1_23091_1_managed.zip";
const Z16: &str = "z16-column-level-security-unmanaged/ColumnLevelSecuritySampleSolution.zip";
const Z17: &str = "z17-column-level-security-managed/ColumnLevelSecuritySampleSolution_managed.zip";

#[test]
fn downgrade_same_version_and_upgrade() {
    let old = ferry_solution::open(corpus(Z12)).unwrap();
    let new = ferry_solution::open(corpus(Z14)).unwrap();
    let name = "SecondaryRecordSource_SampleSolution";
    let target = |v: &str| TargetSnapshot {
        solutions: vec![installed(name, v, true)],
        ..Default::default()
    };

    let findings = check_import(&old, &target("1.23091.1"));
    let down = findings
        .iter()
        .find(|f| f.code == "version-downgrade")
        .expect("downgrade found");
    assert_eq!(down.severity, Severity::Error);
    assert_eq!(down.platform_error, Some("80048541"));
    assert!(
        down.message.contains("1.21111.1") && down.message.contains("1.23091.1"),
        "{}",
        down.message
    );

    assert!(codes(&new, &target("1.23091.1")).contains(&"version-not-higher"));
    let up = codes(&new, &target("1.21111.1"));
    assert!(
        !up.contains(&"version-downgrade") && !up.contains(&"version-not-higher"),
        "{up:?}"
    );
}

#[test]
fn mode_mismatches() {
    let unmanaged = ferry_solution::open(corpus(Z16)).unwrap();
    let managed = ferry_solution::open(corpus(Z17)).unwrap();
    let name = "ColumnLevelSecuritySampleSolution";
    let has = |m| TargetSnapshot {
        solutions: vec![installed(name, "1.0.0.0", m)],
        ..Default::default()
    };
    assert!(codes(&managed, &has(false)).contains(&"managed-over-unmanaged"));
    assert!(codes(&unmanaged, &has(true)).contains(&"unmanaged-over-managed"));
    assert!(!codes(&unmanaged, &has(false)).contains(&"unmanaged-over-managed"));
}

#[test]
fn missing_and_outdated_required_solutions() {
    let pkg = ferry_solution::open(corpus(Z17)).unwrap();
    let empty = TargetSnapshot::default();
    let f = check_import(&pkg, &empty);
    let missing = f
        .iter()
        .find(|f| f.code == "missing-required-solution")
        .expect("missing found");
    assert!(
        missing.message.contains("msft_ColumnLevelSecurityData"),
        "{}",
        missing.message
    );
    assert!(missing.message.contains("1.2.0.28"), "{}", missing.message);

    let old = TargetSnapshot {
        solutions: vec![installed("msft_ColumnLevelSecurityData", "1.2.0.9", true)],
        ..Default::default()
    };
    assert!(codes(&pkg, &old).contains(&"required-solution-too-old"));
    let ok = TargetSnapshot {
        solutions: vec![installed("msft_ColumnLevelSecurityData", "1.10.0.0", true)],
        ..Default::default()
    };
    assert!(codes(&pkg, &ok).is_empty(), "{:?}", codes(&pkg, &ok));
}

#[test]
fn holding_solution_publisher_and_environment() {
    let pkg = ferry_solution::open(corpus(Z14)).unwrap();
    let name = "SecondaryRecordSource_SampleSolution";
    let target = TargetSnapshot {
        solutions: vec![
            InstalledSolution {
                publisher: Some("SomeoneElse".into()),
                ..installed(name, "1.0", true)
            },
            installed(&format!("{name}_Upgrade"), "1.22033.1", true),
        ],
        max_solution_package_version: Some("9.1".into()),
        ..Default::default()
    };
    let c = codes(&pkg, &target);
    for want in [
        "holding-solution-exists",
        "publisher-changed",
        "package-format-too-new",
    ] {
        assert!(c.contains(&want), "{want} in {c:?}");
    }
    let z16 = ferry_solution::open(corpus(Z16)).unwrap();
    let t = TargetSnapshot {
        schema_type: Some("Standard".into()),
        ..Default::default()
    };
    assert!(codes(&z16, &t).contains(&"schema-type-richer"));
}

#[test]
fn source_folders_are_noted_and_findings_are_sorted() {
    let pkg = ferry_solution::open(corpus("u09-automation-kit-control-center-src/src")).unwrap();
    let f = check_import(&pkg, &TargetSnapshot::default());
    assert!(f
        .iter()
        .any(|f| f.code == "source-folder" && f.severity == Severity::Info));
    assert!(f.windows(2).all(|w| w[0].severity >= w[1].severity));
    // Every finding is a sentence with advice.
    assert!(f
        .iter()
        .all(|f| f.message.ends_with('.') && f.message.len() > 40));
}
