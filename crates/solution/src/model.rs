//! The typed description of a solution package. Everything serialises to camelCase JSON,
//! which is what `ferry solution inspect --json` prints and what the app receives.

use std::collections::BTreeMap;

use serde::Serialize;

/// Everything Ferry knows about one solution package, zip or source folder alike.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SolutionPackage {
    pub unique_name: String,
    /// The display name in the package's base language (first one if that is missing).
    pub display_name: String,
    pub localized_names: Vec<LocalizedName>,
    /// The version exactly as written in the manifest.
    pub version: String,
    /// The version's numeric parts, or `null` when it is malformed (see the import rules).
    pub version_parts: Option<Vec<u64>>,
    pub managed: ManagedState,
    pub publisher: Publisher,
    pub root_components: Vec<RootComponent>,
    pub missing_dependencies: Vec<MissingDependency>,
    /// Solutions the target must already have, derived from `missingDependencies`.
    pub required_solutions: Vec<RequiredSolution>,
    pub connection_references: Vec<ConnectionReference>,
    pub environment_variables: Vec<EnvironmentVariable>,
    /// Every component Ferry can name, sorted by kind and key, for change previews.
    pub components: Vec<Component>,
    pub format: PackageFormat,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalizedName {
    pub language_code: Option<u32>,
    pub name: String,
}

/// `<Managed>`: 0, 1, or 2 for source folders that hold both flavours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ManagedState {
    Unmanaged,
    Managed,
    Both,
}

impl ManagedState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unmanaged => "unmanaged",
            Self::Managed => "managed",
            Self::Both => "both",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Publisher {
    pub unique_name: String,
    pub display_name: Option<String>,
    /// `CustomizationPrefix`, e.g. `cat`.
    pub prefix: Option<String>,
    /// `CustomizationOptionValuePrefix`, e.g. 33535.
    pub option_value_prefix: Option<u32>,
}

/// A component type: a code from the `componenttype` choice, or a name (`SettingDefinition`,
/// `connectionreference`, …) as newer exports write in dependency lists.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum ComponentType {
    Code(u32),
    Name(String),
}

impl ComponentType {
    pub fn parse(raw: &str) -> Self {
        match raw.trim().parse::<u32>() {
            Ok(code) => Self::Code(code),
            Err(_) => Self::Name(raw.trim().to_string()),
        }
    }

    /// A readable name (`table`, `cloudFlow`…); names are returned as written.
    pub fn label(&self) -> String {
        match self {
            Self::Code(code) => {
                type_label(*code).map_or_else(|| format!("type{code}"), str::to_string)
            }
            Self::Name(name) => name.clone(),
        }
    }
}

/// Readable names of the component type codes that appear in real packages (spec §4).
pub fn type_label(code: u32) -> Option<&'static str> {
    Some(match code {
        1 => "table",
        2 => "column",
        3 => "relationship",
        9 => "choice",
        10 => "tableRelationship",
        14 => "tableKey",
        20 => "securityRole",
        24 => "form",
        26 => "view",
        29 => "workflow",
        31 => "report",
        36 => "emailTemplate",
        59 => "chart",
        60 => "systemForm",
        61 => "webResource",
        62 => "siteMap",
        63 => "connectionRole",
        65 => "hierarchyRule",
        66 => "customControl",
        70 => "fieldSecurityProfile",
        71 => "fieldPermission",
        80 => "modelDrivenApp",
        90 => "pluginType",
        91 => "pluginAssembly",
        92 => "sdkMessageProcessingStep",
        93 => "sdkMessageProcessingStepImage",
        95 => "serviceEndpoint",
        300 => "canvasApp",
        371 | 372 => "connector",
        380 => "environmentVariableDefinition",
        381 => "environmentVariableValue",
        400 => "aiProjectType",
        401 => "aiModel",
        402 => "aiConfiguration",
        430 => "tableAnalyticsConfig",
        431 => "attributeImageConfig",
        432 => "tableImageConfig",
        _ => return None,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RootComponent {
    #[serde(rename = "type")]
    pub component_type: ComponentType,
    pub type_name: String,
    pub schema_name: Option<String>,
    pub id: Option<String>,
    /// 0 include subcomponents (also when absent), 1 do not, 2 shell only.
    pub behavior: u32,
}

/// One `MissingDependency`: a component the package needs that the target may lack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MissingDependency {
    /// Unique name of the solution that supplies the required component, or `Active`
    /// when it is an unmanaged customization that must already exist in the target.
    pub required_solution: Option<String>,
    /// Minimum version of that solution, as written (`None` for `Active`).
    pub required_version: Option<String>,
    pub required: DependencyComponent,
    pub dependent: DependencyComponent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DependencyComponent {
    #[serde(rename = "type")]
    pub component_type: Option<ComponentType>,
    pub schema_name: Option<String>,
    pub display_name: Option<String>,
    pub id: Option<String>,
    pub parent_schema_name: Option<String>,
    /// Every attribute as written (`id.uniquename`, `key`, `solution`…).
    pub attributes: BTreeMap<String, String>,
    /// `<package>` children: the application package that installs the solution.
    pub packages: Vec<String>,
}

/// A solution the target must have, at least at `minVersion`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequiredSolution {
    pub name: String,
    pub min_version: String,
    /// How many missing-dependency entries cite it.
    pub entries: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionReference {
    pub logical_name: String,
    pub display_name: Option<String>,
    /// `/providers/Microsoft.PowerApps/apis/<connector>` (the outer one for custom connectors).
    pub connector_id: Option<String>,
    pub custom_connector: bool,
    /// For custom connectors: the connector component's id.
    pub custom_connector_id: Option<String>,
    pub description: Option<String>,
    pub prompting_behavior: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EnvVarType {
    String,
    Number,
    Boolean,
    #[serde(rename = "JSON")]
    Json,
    DataSource,
    Secret,
    Unknown,
}

impl EnvVarType {
    pub fn from_code(code: u32) -> Self {
        match code {
            100_000_000 => Self::String,
            100_000_001 => Self::Number,
            100_000_002 => Self::Boolean,
            100_000_003 => Self::Json,
            100_000_004 => Self::DataSource,
            100_000_005 => Self::Secret,
            _ => Self::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::String => "String",
            Self::Number => "Number",
            Self::Boolean => "Boolean",
            Self::Json => "JSON",
            Self::DataSource => "DataSource",
            Self::Secret => "Secret",
            Self::Unknown => "Unknown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentVariable {
    pub schema_name: String,
    pub display_name: Option<String>,
    #[serde(rename = "type")]
    pub var_type: EnvVarType,
    pub type_code: Option<u32>,
    pub default_value: Option<String>,
    /// True when the package ships a current value (`environmentvariablevalues.json`).
    pub has_value: bool,
    /// The shipped current value; never filled for Secret variables.
    pub value: Option<String>,
    pub required: bool,
    /// Data-source variables: the connector and the parameter (`dataset`, `table`).
    pub api_id: Option<String>,
    pub parameter_key: Option<String>,
    pub parent_schema_name: Option<String>,
}

/// One nameable component, keyed for comparing two versions of a package.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Component {
    pub kind: String,
    /// Schema name, logical name or id (lower-cased GUID without braces).
    pub key: String,
    pub display_name: Option<String>,
}

/// Facts about the file itself rather than the solution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackageFormat {
    /// `zip` or `folder`.
    pub kind: PackageKind,
    /// Where the manifest was found, relative to the package root.
    pub manifest_path: String,
    pub import_export_version: Option<String>,
    pub solution_package_version: Option<String>,
    pub generated_by: Option<String>,
    pub organization_version: Option<String>,
    pub organization_schema_type: Option<String>,
    pub language_code: Option<u32>,
    /// Zips only: whether `[Content_Types].xml` is at the root (import fails without it).
    pub has_content_types: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageKind {
    Zip,
    Folder,
}
