//! The `validationresults` column (spec §5.7): a string holding JSON that mirrors
//! Dataverse's solution pre-validation result.
//!
//! The host emits enum values as names (`"Error"`, `"Passed"`); [`ValidationResults::parse`]
//! accepts names or numbers and the double-encoded form some hosts send.

use serde::{Deserialize, Deserializer, Serialize};

/// Severity of one validation entry (`Info = 0, Warning = 1, Error = 2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match NameOrNumber::deserialize(d)? {
            NameOrNumber::Number(0) => Ok(Self::Info),
            NameOrNumber::Number(1) => Ok(Self::Warning),
            NameOrNumber::Number(2) => Ok(Self::Error),
            NameOrNumber::Name(n) if n.eq_ignore_ascii_case("info") => Ok(Self::Info),
            NameOrNumber::Name(n) if n.eq_ignore_ascii_case("warning") => Ok(Self::Warning),
            NameOrNumber::Name(n) if n.eq_ignore_ascii_case("error") => Ok(Self::Error),
            other => Err(serde::de::Error::custom(format!(
                "unknown severity {other:?}"
            ))),
        }
    }
}

/// Overall outcome (`Failed = 0, Passed = 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ValidationOutcome {
    Failed,
    Passed,
}

impl<'de> Deserialize<'de> for ValidationOutcome {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match NameOrNumber::deserialize(d)? {
            NameOrNumber::Number(0) => Ok(Self::Failed),
            NameOrNumber::Number(1) => Ok(Self::Passed),
            NameOrNumber::Name(n) if n.eq_ignore_ascii_case("failed") => Ok(Self::Failed),
            NameOrNumber::Name(n) if n.eq_ignore_ascii_case("passed") => Ok(Self::Passed),
            other => Err(serde::de::Error::custom(format!(
                "unknown status {other:?}"
            ))),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum NameOrNumber {
    Number(i64),
    Name(String),
}

/// One `SolutionValidationResult`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SolutionValidationResult {
    pub solution_validation_result_type: Severity,
    pub message: String,
    pub error_code: i32,
    #[serde(default)]
    pub additional_info: Option<String>,
}

/// One `MissingDependency` (component-level; all strings as the host sends them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MissingDependency {
    pub required_component_schema_name: String,
    pub required_component_display_name: String,
    pub required_component_type: String,
    pub required_component_id: String,
    pub required_component_parent_schema_name: String,
    pub required_component_parent_display_name: String,
    pub dependent_component_schema_name: String,
    pub dependent_component_display_name: String,
    pub dependent_component_type: String,
    pub dependent_component_id: String,
    pub dependent_component_parent_schema_name: String,
    pub dependent_component_parent_display_name: String,
    pub can_resolve_missing_dependency: bool,
    pub missing_packages: Vec<serde_json::Value>,
}

/// `SolutionDetails`: the package being validated and what the target has now.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct SolutionDetails {
    pub solution_unique_name: String,
    pub solution_friendly_name: String,
    pub solution_version: String,
    pub is_managed: bool,
    pub publisher_unique_name: String,
    pub publisher_friendly_name: String,
    pub previous_solution_version: Option<String>,
    pub previous_is_managed: Option<bool>,
}

/// The whole `validationresults` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ValidationResults {
    pub validation_status: ValidationOutcome,
    #[serde(default)]
    pub solution_validation_results: Vec<SolutionValidationResult>,
    #[serde(default)]
    pub missing_dependencies: Vec<MissingDependency>,
    #[serde(default)]
    pub solution_details: Option<SolutionDetails>,
    #[serde(default)]
    pub solution_components_details: Vec<serde_json::Value>,
}

impl ValidationResults {
    /// A result whose status follows from its entries: any `Error` means Failed.
    pub fn from_entries(
        entries: Vec<SolutionValidationResult>,
        missing: Vec<MissingDependency>,
        details: Option<SolutionDetails>,
    ) -> Self {
        let failed = entries
            .iter()
            .any(|e| e.solution_validation_result_type == Severity::Error);
        Self {
            validation_status: if failed {
                ValidationOutcome::Failed
            } else {
                ValidationOutcome::Passed
            },
            solution_validation_results: entries,
            missing_dependencies: missing,
            solution_details: details,
            solution_components_details: Vec::new(),
        }
    }

    pub fn passed(&self) -> bool {
        self.validation_status == ValidationOutcome::Passed
    }

    /// The column text: JSON, encoded once.
    pub fn to_column(&self) -> String {
        serde_json::to_string(self).expect("validation results always serialize")
    }

    /// Reads the column: parse once, and again if the result is still a string.
    pub fn parse(column: &str) -> Result<Self, serde_json::Error> {
        let value: serde_json::Value = serde_json::from_str(column)?;
        match value {
            serde_json::Value::String(inner) => serde_json::from_str(&inner),
            other => serde_json::from_value(other),
        }
    }

    /// The first error message, for a run's `errormessage`.
    pub fn first_error(&self) -> Option<&str> {
        self.solution_validation_results
            .iter()
            .find(|e| e.solution_validation_result_type == Severity::Error)
            .map(|e| e.message.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(msg: &str) -> SolutionValidationResult {
        SolutionValidationResult {
            solution_validation_result_type: Severity::Error,
            message: msg.into(),
            error_code: -2147188672,
            additional_info: None,
        }
    }

    #[test]
    fn emits_names_and_pascal_case() {
        let r = ValidationResults::from_entries(vec![error("boom")], vec![], None);
        let text = r.to_column();
        assert!(text.contains(r#""ValidationStatus":"Failed""#), "{text}");
        assert!(
            text.contains(r#""SolutionValidationResultType":"Error""#),
            "{text}"
        );
        assert!(text.contains(r#""ErrorCode":-2147188672"#), "{text}");
        assert_eq!(r.first_error(), Some("boom"));
    }

    #[test]
    fn passes_without_errors() {
        let warn = SolutionValidationResult {
            solution_validation_result_type: Severity::Warning,
            ..error("careful")
        };
        let r = ValidationResults::from_entries(vec![warn], vec![], None);
        assert!(r.passed());
        assert_eq!(r.first_error(), None);
    }

    #[test]
    fn parses_numbers_and_double_encoding() {
        let inner = r#"{"ValidationStatus":0,"SolutionValidationResults":[{"SolutionValidationResultType":2,"Message":"m","ErrorCode":1}]}"#;
        let double = serde_json::to_string(inner).unwrap();
        for text in [inner.to_string(), double] {
            let r = ValidationResults::parse(&text).unwrap();
            assert!(!r.passed());
            assert_eq!(
                r.solution_validation_results[0].solution_validation_result_type,
                Severity::Error
            );
        }
    }

    #[test]
    fn rejects_unknown_enum_values() {
        assert!(ValidationResults::parse(r#"{"ValidationStatus":"Maybe"}"#).is_err());
    }
}
