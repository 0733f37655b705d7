//! Solutions as the host holds them, and the artifact zips it exports.
//!
//! A dev environment's solution is a [`SolutionSpec`]: either written in a
//! scenario or read from a real package with `ferry-solution`. Exporting a
//! spec produces a real solution zip (`solution.xml`, `customizations.xml`,
//! `[Content_Types].xml`, environment variable definitions) that
//! `ferry-solution` reads back, stamped with the requested version and
//! managed flag.

use std::io::Write as _;

use ferry_solution as fs;
use serde::{Deserialize, Serialize};

/// A solution the target must already have.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DependencySpec {
    pub solution: String,
    pub min_version: String,
    /// The component that is required (for `MissingDependencies` entries).
    pub component: String,
}

/// An environment variable definition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VariableSpec {
    pub schema_name: String,
    pub display_name: String,
    /// `String`, `Number`, `Boolean`, `JSON`, `DataSource` or `Secret`.
    #[serde(rename = "type")]
    pub var_type: String,
    pub default_value: Option<String>,
}

impl VariableSpec {
    pub fn type_code(&self) -> i64 {
        match self.var_type.to_ascii_lowercase().as_str() {
            "number" => 100000001,
            "boolean" => 100000002,
            "json" => 100000003,
            "datasource" => 100000004,
            "secret" => 100000005,
            _ => 100000000,
        }
    }

    fn fs_type(&self) -> fs::EnvVarType {
        fs::EnvVarType::from_code(self.type_code() as u32)
    }

    /// `None` when `value` is acceptable for this variable's type.
    pub fn check_value(&self, value: &str) -> Option<String> {
        fs::settings::check_value(self.fs_type(), value)
    }
}

/// A connection reference.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ConnectionRefSpec {
    pub logical_name: String,
    pub display_name: String,
    /// `/providers/Microsoft.PowerApps/apis/<connector>`.
    pub connector_id: String,
}

/// One solution, as a dev environment holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SolutionSpec {
    pub unique_name: String,
    pub display_name: String,
    pub version: String,
    pub managed: bool,
    pub publisher: String,
    pub publisher_display_name: String,
    pub prefix: String,
    pub description: String,
    pub depends_on: Vec<DependencySpec>,
    pub environment_variables: Vec<VariableSpec>,
    pub connection_references: Vec<ConnectionRefSpec>,
    /// Other root components as `(type code, schema name)`.
    pub components: Vec<(u32, String)>,
}

impl SolutionSpec {
    /// The spec of a package read by `ferry-solution`.
    pub fn from_package(pkg: &fs::SolutionPackage) -> Self {
        let mut depends_on: Vec<DependencySpec> = Vec::new();
        for req in &pkg.required_solutions {
            if req.name != "Active" {
                depends_on.push(DependencySpec {
                    solution: req.name.clone(),
                    min_version: req.min_version.clone(),
                    component: String::new(),
                });
            }
        }
        for md in &pkg.missing_dependencies {
            if let (Some(sol), Some(name)) = (&md.required_solution, &md.required.schema_name) {
                if let Some(d) = depends_on
                    .iter_mut()
                    .find(|d| &d.solution == sol && d.component.is_empty())
                {
                    d.component = name.clone();
                }
            }
        }
        Self {
            unique_name: pkg.unique_name.clone(),
            display_name: pkg.display_name.clone(),
            version: pkg.version.clone(),
            managed: pkg.managed == fs::ManagedState::Managed,
            publisher: pkg.publisher.unique_name.clone(),
            publisher_display_name: pkg.publisher.display_name.clone().unwrap_or_default(),
            prefix: pkg.publisher.prefix.clone().unwrap_or_default(),
            description: String::new(),
            depends_on,
            environment_variables: pkg
                .environment_variables
                .iter()
                .map(|v| VariableSpec {
                    schema_name: v.schema_name.clone(),
                    display_name: v.display_name.clone().unwrap_or_default(),
                    var_type: v.var_type.as_str().to_string(),
                    default_value: v.default_value.clone(),
                })
                .collect(),
            connection_references: pkg
                .connection_references
                .iter()
                .map(|c| ConnectionRefSpec {
                    logical_name: c.logical_name.clone(),
                    display_name: c.display_name.clone().unwrap_or_default(),
                    connector_id: c.connector_id.clone().unwrap_or_default(),
                })
                .collect(),
            components: pkg
                .root_components
                .iter()
                .filter_map(|r| match (&r.component_type, &r.schema_name) {
                    (fs::ComponentType::Code(c), Some(n)) if *c != 380 => Some((*c, n.clone())),
                    _ => None,
                })
                .collect(),
        }
    }

    /// This spec as the `ferry-solution` description its rules take, at `version`.
    pub fn to_package(&self, version: &str, managed: bool) -> fs::SolutionPackage {
        let files = artifact_files(self, version, managed);
        let refs: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        fs::describe_files(&refs).expect("the host's own solution.xml always parses")
    }

    /// Reads a package (zip or folder) from disk.
    pub fn open(path: &std::path::Path) -> anyhow::Result<Self> {
        let pkg = fs::open(path).map_err(|e| {
            anyhow::anyhow!("cannot read the solution package {}: {e}", path.display())
        })?;
        Ok(Self::from_package(&pkg))
    }
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn solution_xml(spec: &SolutionSpec, version: &str, managed: bool) -> String {
    let mut roots = String::new();
    for (code, name) in &spec.components {
        roots.push_str(&format!(
            "      <RootComponent type=\"{code}\" schemaName=\"{}\" behavior=\"0\" />\n",
            esc(name)
        ));
    }
    for v in &spec.environment_variables {
        roots.push_str(&format!(
            "      <RootComponent type=\"380\" schemaName=\"{}\" behavior=\"0\" />\n",
            esc(&v.schema_name)
        ));
    }
    let mut missing = String::new();
    for d in &spec.depends_on {
        let component = if d.component.is_empty() {
            &d.solution
        } else {
            &d.component
        };
        missing.push_str(&format!(
            "      <MissingDependency>\n        <Required type=\"1\" schemaName=\"{}\" solution=\"{} ({})\" />\n        <Dependent type=\"80\" schemaName=\"{}\" />\n      </MissingDependency>\n",
            esc(component),
            esc(&d.solution),
            esc(&d.min_version),
            esc(&spec.unique_name)
        ));
    }
    let display = if spec.display_name.is_empty() {
        &spec.unique_name
    } else {
        &spec.display_name
    };
    let publisher_display = if spec.publisher_display_name.is_empty() {
        &spec.publisher
    } else {
        &spec.publisher_display_name
    };
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<ImportExportXml version="9.2.24101.200" SolutionPackageVersion="9.2" languagecode="1033" generatedBy="FerryLocalHost" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <SolutionManifest>
    <UniqueName>{unique}</UniqueName>
    <LocalizedNames>
      <LocalizedName description="{display}" languagecode="1033" />
    </LocalizedNames>
    <Version>{version}</Version>
    <Managed>{managed}</Managed>
    <Publisher>
      <UniqueName>{publisher}</UniqueName>
      <LocalizedNames>
        <LocalizedName description="{publisher_display}" languagecode="1033" />
      </LocalizedNames>
      <CustomizationPrefix>{prefix}</CustomizationPrefix>
      <CustomizationOptionValuePrefix>10000</CustomizationOptionValuePrefix>
    </Publisher>
    <RootComponents>
{roots}    </RootComponents>
    <MissingDependencies>
{missing}    </MissingDependencies>
  </SolutionManifest>
</ImportExportXml>
"#,
        unique = esc(&spec.unique_name),
        display = esc(display),
        version = esc(version),
        managed = u8::from(managed),
        publisher = esc(&spec.publisher),
        publisher_display = esc(publisher_display),
        prefix = esc(&spec.prefix),
    )
}

fn customizations_xml(spec: &SolutionSpec) -> String {
    let mut refs = String::new();
    for c in &spec.connection_references {
        refs.push_str(&format!(
            "    <connectionreference connectionreferencelogicalname=\"{}\">\n      <connectionreferencedisplayname>{}</connectionreferencedisplayname>\n      <connectorid>{}</connectorid>\n      <iscustomizable>1</iscustomizable>\n      <statecode>0</statecode>\n      <statuscode>1</statuscode>\n    </connectionreference>\n",
            esc(&c.logical_name),
            esc(&c.display_name),
            esc(&c.connector_id)
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ImportExportXml xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n  <Entities />\n  <Roles />\n  <Workflows />\n  <connectionreferences>\n{refs}  </connectionreferences>\n  <Languages>\n    <Language>1033</Language>\n  </Languages>\n</ImportExportXml>\n"
    )
}

fn variable_xml(v: &VariableSpec) -> String {
    let default = v
        .default_value
        .as_deref()
        .map(|d| format!("  <defaultvalue>{}</defaultvalue>\n", esc(d)))
        .unwrap_or_default();
    format!(
        "<environmentvariabledefinition schemaname=\"{}\">\n  <displayname default=\"{}\">\n    <label description=\"{}\" languagecode=\"1033\" />\n  </displayname>\n{default}  <introducedversion>1.0.0.0</introducedversion>\n  <iscustomizable>1</iscustomizable>\n  <isrequired>0</isrequired>\n  <type>{}</type>\n</environmentvariabledefinition>\n",
        esc(&v.schema_name),
        esc(&v.display_name),
        esc(&v.display_name),
        v.type_code()
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"xml\" ContentType=\"application/octet-stream\" /></Types>";

/// The files of an exported package.
pub fn artifact_files(spec: &SolutionSpec, version: &str, managed: bool) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        (
            "[Content_Types].xml".to_string(),
            CONTENT_TYPES.as_bytes().to_vec(),
        ),
        (
            "solution.xml".to_string(),
            solution_xml(spec, version, managed).into_bytes(),
        ),
        (
            "customizations.xml".to_string(),
            customizations_xml(spec).into_bytes(),
        ),
    ];
    for v in &spec.environment_variables {
        files.push((
            format!(
                "environmentvariabledefinitions/{}/environmentvariabledefinition.xml",
                v.schema_name
            ),
            variable_xml(v).into_bytes(),
        ));
    }
    files
}

/// An exported solution zip. Entries are stored with a fixed timestamp, so the
/// same spec, version and flavour always give the same bytes (and SHA-256).
pub fn export_zip(spec: &SolutionSpec, version: &str, managed: bool) -> Vec<u8> {
    let mut cursor = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut cursor);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        for (name, bytes) in artifact_files(spec, version, managed) {
            zip.start_file(name, options).expect("writing to memory");
            zip.write_all(&bytes).expect("writing to memory");
        }
        zip.finish().expect("writing to memory");
    }
    cursor.into_inner()
}

/// The file name Dataverse gives an export: `Name_1_0_0_3_managed.zip`.
pub fn export_file_name(unique_name: &str, version: &str, managed: bool) -> String {
    let flavour = if managed { "_managed" } else { "" };
    format!("{unique_name}_{}{flavour}.zip", version.replace('.', "_"))
}

/// Writes `src` (a solution zip) to `dst` as an export at `version`, managed or not: only
/// `solution.xml`'s `<Version>` and `<Managed>` change; every other entry is copied as is,
/// compressed bytes and all (streamed: a 100 MB package is never in memory).
pub fn restamp_zip(
    src: &std::path::Path,
    dst: &mut std::fs::File,
    version: &str,
    managed: bool,
) -> std::io::Result<()> {
    use std::io::Read as _;
    let bad = |e: zip::result::ZipError| std::io::Error::other(e.to_string());
    let mut archive = zip::ZipArchive::new(std::fs::File::open(src)?).map_err(bad)?;
    let mut out = zip::ZipWriter::new(dst);
    let mut stamped = false;
    for i in 0..archive.len() {
        let is_manifest = archive
            .by_index_raw(i)
            .map_err(bad)?
            .name()
            .map_err(bad)?
            .eq_ignore_ascii_case("solution.xml");
        if is_manifest {
            let mut entry = archive.by_index(i).map_err(bad)?;
            let name = entry.name().map_err(bad)?.to_string();
            let mut text = String::new();
            entry.read_to_string(&mut text)?;
            let text = restamp_manifest(&text, version, managed).ok_or_else(|| {
                std::io::Error::other("solution.xml has no SolutionManifest Version")
            })?;
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            out.start_file(name, options).map_err(bad)?;
            out.write_all(text.as_bytes())?;
            stamped = true;
        } else {
            out.raw_copy_file(archive.by_index_raw(i).map_err(bad)?)
                .map_err(bad)?;
        }
    }
    if !stamped {
        return Err(std::io::Error::other("the package has no solution.xml"));
    }
    out.finish().map_err(bad)?;
    Ok(())
}

/// `solution.xml` with the manifest's `<Version>` and `<Managed>` replaced.
pub fn restamp_manifest(text: &str, version: &str, managed: bool) -> Option<String> {
    let manifest = text.find("<SolutionManifest")?;
    let mut out = text.to_string();
    let replace = |out: &mut String, tag: &str, value: &str| -> Option<()> {
        let open = format!("<{tag}>");
        let close = format!("</{tag}>");
        let start = manifest + out[manifest..].find(&open)? + open.len();
        let end = start + out[start..].find(&close)?;
        out.replace_range(start..end, value);
        Some(())
    };
    replace(&mut out, "Version", version)?;
    let flag = if managed { "1" } else { "0" };
    replace(&mut out, "Managed", flag)?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> SolutionSpec {
        SolutionSpec {
            unique_name: "ContosoCore".into(),
            display_name: "Contoso & Core".into(),
            version: "1.0.0.1".into(),
            publisher: "contoso".into(),
            prefix: "cont".into(),
            depends_on: vec![DependencySpec {
                solution: "ContosoBase".into(),
                min_version: "2.0.0.0".into(),
                component: "cont_account".into(),
            }],
            environment_variables: vec![VariableSpec {
                schema_name: "cont_ApiUrl".into(),
                display_name: "API".into(),
                var_type: "String".into(),
                default_value: Some("https://x".into()),
            }],
            connection_references: vec![ConnectionRefSpec {
                logical_name: "cont_sql".into(),
                display_name: "SQL".into(),
                connector_id: "/providers/Microsoft.PowerApps/apis/shared_sql".into(),
            }],
            components: vec![(80, "cont_app".into())],
            ..Default::default()
        }
    }

    #[test]
    fn exported_zip_reads_back_with_the_solution_crate() {
        let bytes = export_zip(&spec(), "1.0.0.7", true);
        let dir = tempfile::tempdir().unwrap();
        let path = dir
            .path()
            .join(export_file_name("ContosoCore", "1.0.0.7", true));
        std::fs::write(&path, &bytes).unwrap();
        let back = SolutionSpec::open(&path).unwrap();
        assert_eq!(back.unique_name, "ContosoCore");
        assert_eq!(back.version, "1.0.0.7");
        assert!(back.managed);
        assert_eq!(back.display_name, "Contoso & Core");
        assert_eq!(back.depends_on[0].solution, "ContosoBase");
        assert_eq!(back.depends_on[0].min_version, "2.0.0.0");
        assert_eq!(
            back.environment_variables[0].default_value.as_deref(),
            Some("https://x")
        );
        assert_eq!(
            back.connection_references[0].connector_id,
            "/providers/Microsoft.PowerApps/apis/shared_sql"
        );
        assert_eq!(back.components, vec![(80, "cont_app".to_string())]);
    }

    #[test]
    fn exports_are_deterministic_and_flavoured() {
        assert_eq!(
            export_zip(&spec(), "1.0.0.7", true),
            export_zip(&spec(), "1.0.0.7", true)
        );
        assert_ne!(
            export_zip(&spec(), "1.0.0.7", true),
            export_zip(&spec(), "1.0.0.7", false)
        );
        assert_eq!(export_file_name("A", "1.0.0.2", false), "A_1_0_0_2.zip");
        assert!(!spec().to_package("1.0.0.1", false).unique_name.is_empty());
    }

    #[test]
    fn variable_values_are_checked_by_type() {
        let mut v = spec().environment_variables[0].clone();
        v.var_type = "Number".into();
        assert!(v.check_value("12.5").is_none());
        assert!(v.check_value("twelve").is_some());
    }
}
