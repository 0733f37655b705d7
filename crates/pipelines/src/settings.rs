//! The `deploymentsettingsjson` column (spec §5.8): the `pac solution create-settings`
//! document, sent to the host as a JSON *string*.

use serde::{Deserialize, Serialize};

/// One environment variable value for the target (`Value` is always a string).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EnvironmentVariableSetting {
    pub schema_name: String,
    #[serde(default)]
    pub value: String,
}

/// One connection reference binding for the target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionReferenceSetting {
    pub logical_name: String,
    #[serde(default)]
    pub connection_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<String>,
}

/// The whole settings document. Missing arrays mean empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeploymentSettings {
    #[serde(default)]
    pub environment_variables: Vec<EnvironmentVariableSetting>,
    #[serde(default)]
    pub connection_references: Vec<ConnectionReferenceSetting>,
}

impl DeploymentSettings {
    /// Parses the column text; it must be a JSON object of this shape.
    pub fn parse(column: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(column)
    }

    /// The column text.
    pub fn to_column(&self) -> String {
        serde_json::to_string(self).expect("settings always serialize")
    }
}

/// The connector name at the end of a connector id
/// (`/providers/Microsoft.PowerApps/apis/shared_office365` → `shared_office365`).
pub fn connector_name(connector_id: &str) -> &str {
    connector_id.rsplit('/').next().unwrap_or(connector_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_pac_shape_without_connector_id() {
        let text = r#"{"EnvironmentVariables":[{"SchemaName":"a_Url","Value":"https://x"}],
            "ConnectionReferences":[{"LogicalName":"a_ref","ConnectionId":"c1"}]}"#;
        let s = DeploymentSettings::parse(text).unwrap();
        assert_eq!(s.environment_variables[0].value, "https://x");
        assert_eq!(s.connection_references[0].connector_id, None);
        let back = DeploymentSettings::parse(&s.to_column()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn empty_object_is_empty_settings_and_non_objects_fail() {
        assert_eq!(
            DeploymentSettings::parse("{}").unwrap(),
            DeploymentSettings::default()
        );
        assert!(DeploymentSettings::parse("not json").is_err());
        assert!(DeploymentSettings::parse("[1]").is_err());
    }

    #[test]
    fn connector_name_takes_the_last_segment() {
        assert_eq!(
            connector_name("/providers/Microsoft.PowerApps/apis/shared_sql"),
            "shared_sql"
        );
        assert_eq!(connector_name("shared_sql"), "shared_sql");
    }
}
