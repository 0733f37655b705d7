//! The deployment settings document — Ferry's one model of it. The same JSON is the
//! `pac solution create-settings` file (solution-format §11) and the host's
//! `deploymentsettingsjson` column (spec §5.8), where it travels as a JSON *string*.
//!
//! Properties this model does not name (ALM Accelerator's `ConnectionOwner`, anything
//! else) are kept in `other` and written back unchanged, so a file read and written by
//! Ferry loses nothing.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One environment variable value for the target (`Value` is always a string).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EnvironmentVariableSetting {
    pub schema_name: String,
    #[serde(default)]
    pub value: String,
    /// Properties of the entry that this model does not name, kept as they were.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One connection reference binding for the target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionReferenceSetting {
    pub logical_name: String,
    #[serde(default)]
    pub connection_id: String,
    /// Optional in the document (some clients omit it); pac writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<String>,
    /// Properties of the entry that this model does not name, kept as they were.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The whole settings document. Missing arrays mean empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeploymentSettings {
    #[serde(default)]
    pub environment_variables: Vec<EnvironmentVariableSetting>,
    #[serde(default)]
    pub connection_references: Vec<ConnectionReferenceSetting>,
    /// Top-level properties this model does not name, kept as they were.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl DeploymentSettings {
    /// Parses the document: a JSON object of this shape. A leading UTF-8 byte-order mark
    /// is accepted, as PowerShell writes one.
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text))
    }

    /// The column text (compact).
    pub fn to_column(&self) -> String {
        serde_json::to_string(self).expect("settings always serialize")
    }

    /// The file text: pretty JSON with two-space indentation and a final newline, as pac
    /// writes it.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("settings always serialize");
        s.push('\n');
        s
    }

    /// The value set for an environment variable (names compare case-insensitively, as
    /// Dataverse's schema names do).
    pub fn variable(&self, schema_name: &str) -> Option<&EnvironmentVariableSetting> {
        self.environment_variables
            .iter()
            .find(|v| v.schema_name.eq_ignore_ascii_case(schema_name))
    }

    /// The binding of a connection reference (names compare case-insensitively).
    pub fn connection(&self, logical_name: &str) -> Option<&ConnectionReferenceSetting> {
        self.connection_references
            .iter()
            .find(|c| c.logical_name.eq_ignore_ascii_case(logical_name))
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
    fn unknown_properties_and_a_byte_order_mark_survive_a_round_trip() {
        let text = "\u{feff}{\"EnvironmentVariables\":[{\"SchemaName\":\"a\",\"Value\":\"1\",\"Note\":\"n\"}],\
                    \"ConnectionReferences\":[{\"LogicalName\":\"a\",\"ConnectionId\":\"c\",\
                    \"ConnectorId\":\"/x\",\"ConnectionOwner\":\"me\"}],\"Extra\":1}";
        let s = DeploymentSettings::parse(text).unwrap();
        assert_eq!(s.connection_references[0].other["ConnectionOwner"], "me");
        assert_eq!(s.environment_variables[0].other["Note"], "n");
        assert_eq!(DeploymentSettings::parse(&s.to_json()).unwrap(), s);
        assert_eq!(DeploymentSettings::parse(&s.to_column()).unwrap(), s);
        assert!(s.to_json().contains("\"Extra\": 1"));
        assert!(s.to_json().ends_with("}\n"));
    }

    #[test]
    fn entries_are_found_by_name_whatever_the_case() {
        let s = DeploymentSettings::parse(
            r#"{"EnvironmentVariables":[{"SchemaName":"cont_Url","Value":"v"}],
                "ConnectionReferences":[{"LogicalName":"cont_Sql","ConnectionId":"c"}]}"#,
        )
        .unwrap();
        assert_eq!(s.variable("CONT_URL").map(|v| v.value.as_str()), Some("v"));
        assert_eq!(
            s.connection("cont_sql").map(|c| c.connection_id.as_str()),
            Some("c")
        );
        assert!(s.variable("other").is_none());
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
