//! Every corpus package against its hand-read ground truth (`fixtures/corpus_truth.json`,
//! derived once from the corpus MANIFEST.md by `fixtures/derive_corpus_truth.py`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use ferry_solution::{ComponentType, SolutionPackage};
use serde_json::Value;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/solutions"
);

fn corpus(rel: &str) -> PathBuf {
    PathBuf::from(CORPUS).join(rel)
}

fn truth() -> Vec<Value> {
    let text = include_str!("fixtures/corpus_truth.json");
    serde_json::from_str(text).expect("fixture parses")
}

/// MANIFEST.md shortens long values to 60 characters followed by `…`.
fn same_text(got: Option<&str>, want: &Value) -> bool {
    match (got, want.as_str()) {
        (None, None) => true,
        (Some(g), Some(w)) => match w.strip_suffix('…') {
            Some(prefix) => g.starts_with(prefix),
            None => g == w,
        },
        _ => false,
    }
}

fn check(pkg: &SolutionPackage, t: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    let mut eq = |what: &str, got: Value, want: &Value| {
        if &got != want {
            errs.push(format!("{what}: got {got}, want {want}"));
        }
    };
    eq(
        "kind",
        serde_json::to_value(pkg.format.kind).unwrap(),
        &t["kind"],
    );
    eq(
        "uniqueName",
        pkg.unique_name.clone().into(),
        &t["uniqueName"],
    );
    eq(
        "displayName",
        pkg.display_name.clone().into(),
        &t["displayName"],
    );
    eq(
        "languageCode",
        pkg.format.language_code.into(),
        &t["languageCode"],
    );
    eq("version", pkg.version.clone().into(), &t["version"]);
    eq("managed", pkg.managed.as_str().into(), &t["managed"]);
    eq(
        "publisher.uniqueName",
        pkg.publisher.unique_name.clone().into(),
        &t["publisher"]["uniqueName"],
    );
    eq(
        "publisher.prefix",
        pkg.publisher.prefix.clone().into(),
        &t["publisher"]["prefix"],
    );
    eq(
        "publisher.optionValuePrefix",
        pkg.publisher.option_value_prefix.into(),
        &t["publisher"]["optionValuePrefix"],
    );
    eq(
        "importExportVersion",
        pkg.format.import_export_version.clone().into(),
        &t["importExportVersion"],
    );
    eq(
        "solutionPackageVersion",
        pkg.format.solution_package_version.clone().into(),
        &t["solutionPackageVersion"],
    );
    eq(
        "generatedBy",
        pkg.format.generated_by.clone().into(),
        &t["generatedBy"],
    );
    eq(
        "organizationSchemaType",
        pkg.format.organization_schema_type.clone().into(),
        &t["organizationSchemaType"],
    );

    let rc = &t["rootComponents"];
    eq(
        "rootComponents.count",
        pkg.root_components.len().into(),
        &rc["count"],
    );
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    let mut behaviors: BTreeMap<String, usize> = BTreeMap::new();
    for r in &pkg.root_components {
        let key = match &r.component_type {
            ComponentType::Code(c) => c.to_string(),
            ComponentType::Name(n) => n.clone(),
        };
        *by_type.entry(key).or_default() += 1;
        *behaviors.entry(r.behavior.to_string()).or_default() += 1;
    }
    eq(
        "rootComponents.byType",
        serde_json::to_value(&by_type).unwrap(),
        &rc["byType"],
    );
    eq(
        "rootComponents.behaviors",
        serde_json::to_value(&behaviors).unwrap(),
        &rc["behaviors"],
    );

    let md = &t["missingDependencies"];
    eq(
        "missingDependencies.count",
        pkg.missing_dependencies.len().into(),
        &md["count"],
    );
    eq(
        "requiredSolutions",
        serde_json::to_value(&pkg.required_solutions).unwrap(),
        &md["requiredSolutions"],
    );
    let mut names: Vec<String> = pkg
        .missing_dependencies
        .iter()
        .flat_map(|d| [&d.required.component_type, &d.dependent.component_type])
        .filter_map(|t| match t {
            Some(ComponentType::Name(n)) => Some(n.clone()),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    eq(
        "nonNumericTypes",
        serde_json::to_value(&names).unwrap(),
        &md["nonNumericTypes"],
    );

    let crs: Vec<Value> = pkg
        .connection_references
        .iter()
        .map(|c| {
            serde_json::json!({
                "logicalName": c.logical_name,
                "connectorId": c.connector_id,
                "displayName": c.display_name,
                "customConnector": c.custom_connector,
            })
        })
        .collect();
    eq(
        "connectionReferences",
        Value::Array(crs),
        &t["connectionReferences"],
    );

    let want_evs = t["environmentVariables"].as_array().unwrap();
    let mut got_evs = pkg.environment_variables.clone();
    got_evs.sort_by_key(|e| e.schema_name.to_ascii_lowercase());
    let mut want_sorted = want_evs.clone();
    want_sorted.sort_by_key(|e| e["schemaName"].as_str().unwrap().to_ascii_lowercase());
    if got_evs.len() != want_sorted.len() {
        errs.push(format!(
            "environmentVariables: {} found, want {}",
            got_evs.len(),
            want_sorted.len()
        ));
    }
    for (g, w) in got_evs.iter().zip(&want_sorted) {
        let ok = g.schema_name == w["schemaName"]
            && Some(g.type_code.unwrap_or(0) as u64) == w["typeCode"].as_u64()
            && g.var_type.as_str() == w["type"]
            && Value::Bool(g.required) == w["required"]
            && same_text(g.default_value.as_deref(), &w["defaultValue"])
            && g.has_value != w["value"].is_null()
            && same_text(g.value.as_deref(), &w["value"]);
        if !ok {
            errs.push(format!(
                "environment variable {}: got {g:?}, want {w}",
                g.schema_name
            ));
        }
    }
    errs
}

#[test]
fn every_corpus_package_matches_its_ground_truth() {
    let items = truth();
    assert_eq!(items.len(), 29, "the corpus has 29 items");
    let mut failures = Vec::new();
    for t in &items {
        let id = t["id"].as_str().unwrap();
        let path = corpus(t["path"].as_str().unwrap());
        let result = ferry_solution::open(&path);
        if t["notASolution"] == true {
            match result {
                Err(e) => {
                    assert_eq!(e.code().as_str(), "not_a_solution", "{id}: {e}");
                    let msg = e.to_string();
                    assert!(msg.contains("not a solution package"), "{id}: {msg}");
                    assert!(
                        msg.contains("PatternTry-Catch-Finally.zip"),
                        "{id}: names the file: {msg}"
                    );
                }
                Ok(_) => failures.push(format!("{id}: read as a solution, but it is not one")),
            }
            continue;
        }
        match result {
            Err(e) => failures.push(format!("{id}: {e}")),
            Ok(pkg) => failures.extend(check(&pkg, t).into_iter().map(|e| format!("{id}: {e}"))),
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Same solution, zipped and unpacked: everything but the managed flag (the trees hold
/// both flavours) and the format facts must agree.
#[test]
fn zip_and_folder_forms_describe_the_same_solution() {
    for (zip, folder) in [
        ("z01-parse-list-datasource-info-zip/utility-flow-get-sharepoint-info-from-environment-variables.zip",
         "u01-parse-list-datasource-info-cdsproj/ParseListDataSourceInfo"),
        ("z07-custom-hil-handmade-zip/customHIL_1_0_0_3.zip", "u06-custom-hil-unpacked/unpacked"),
    ] {
        let mut z = ferry_solution::open(corpus(zip)).unwrap();
        let mut f = ferry_solution::open(corpus(folder)).unwrap();
        assert_eq!(z.format.kind, ferry_solution::PackageKind::Zip);
        assert_eq!(f.format.kind, ferry_solution::PackageKind::Folder);
        f.managed = z.managed;
        f.format = z.format.clone();
        // Sort so that zip entry order and folder order cannot matter.
        for p in [&mut z, &mut f] {
            p.environment_variables.sort_by(|a, b| a.schema_name.cmp(&b.schema_name));
        }
        assert_eq!(z, f, "{zip} vs {folder}");
    }
}
