//! ferry-ops says what to read, never how the URL looks: OData query options, Web API
//! paths and tenant service (Global Discovery, BAP, Power Apps) addresses are built by
//! the typed calls of ferry-dataverse alone (issue 18 §6). This reads the sources.

use std::path::Path;

/// Text that only URL building writes.
const URL_TEXT: &[&str] = &[
    "api/data",
    "api_url",
    "$filter",
    "$select",
    "$orderby",
    "$top",
    "$expand",
    "api-version",
    "api/discovery",
    "providers/Microsoft.BusinessAppPlatform/environments",
    "providers/Microsoft.PowerApps/connections",
    "odata::",
    "encode_query_value",
    "string_literal",
    "/artifactfile",
    ".get_all(",
    ".call(",
    "\"v9.",
    "Setting(",
];

#[test]
fn ops_builds_no_odata_or_tenant_urls() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no sources under {}", src.display());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            for needle in URL_TEXT {
                if line.contains(needle) {
                    let name = file.file_name().unwrap().to_string_lossy();
                    found.push(format!("{name}:{}: {needle}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "URL text in ferry-ops (give ferry-dataverse a typed call instead):\n{}",
        found.join("\n")
    );
}
