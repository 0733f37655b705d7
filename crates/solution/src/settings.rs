//! Deployment settings files in the `pac solution create-settings` format (spec §11), and
//! Ferry's one checker of deployment values.
//!
//! The document itself is [`ferry_pipelines::settings::DeploymentSettings`] (re-exported
//! here): the same model is the file and the host's `deploymentsettingsjson` column.
//! [`SettingsFile`] adds what files need: read, write, a template from a package, a merge
//! into an existing file without losing values, and validation against the package.
//! Unknown properties (ALM Accelerator's `ConnectionOwner`, anything else) are kept on
//! read and written back unchanged.
//!
//! [`check_variable`] is the one rule for an environment variable's value — the engine's
//! plan, the app's values form (through the engine) and the local host all ask it.

use std::io::Read;
use std::path::Path;

use serde::Serialize;
use serde_json::{Map, Value};

pub use ferry_pipelines::settings::{
    connector_name, ConnectionReferenceSetting, DeploymentSettings, EnvironmentVariableSetting,
};

use crate::atomic::{write_atomic, Access, Existing};
use crate::error::SolutionError;
use crate::model::{EnvVarType, SolutionPackage};
use crate::rules::{Finding, Severity};

/// A settings document as a file beside a package: what `ferry solution settings` does.
pub trait SettingsFile: Sized {
    /// Reads a settings file: a regular file (a FIFO would block, a link to `/dev/zero`
    /// never end) of at most [`MAX_SETTINGS_BYTES`].
    fn read(path: &Path) -> Result<Self, SolutionError>;
    /// Writes the file atomically (see [`crate::atomic`]), with the usual mode of a file the
    /// user makes (it holds no secrets: Secret variables are Key Vault references). Refuses
    /// to replace an existing file unless `replace`.
    fn write(&self, path: &Path, replace: bool) -> Result<(), SolutionError>;
    /// The template `pac solution create-settings` would write: every environment variable
    /// and connection reference of the package with empty values; connector ids copied.
    fn template(pkg: &SolutionPackage) -> Self;
    /// Adds the package's entries that this file lacks (empty values), keeping every
    /// existing entry and value — also entries the package no longer has (reported by
    /// [`SettingsFile::validate`]).
    fn merge_template(&mut self, pkg: &SolutionPackage) -> MergeReport;
    /// Checks the file against the package: unknown and missing names, empty or
    /// placeholder values, values that do not fit the variable's type, connector mismatches.
    fn validate(&self, pkg: &SolutionPackage) -> Vec<Finding>;
}

impl SettingsFile for DeploymentSettings {
    fn read(path: &Path) -> Result<Self, SolutionError> {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let too_large = || SolutionError::TooLarge {
            path: path.to_path_buf(),
            entry: name.clone(),
            limit: MAX_SETTINGS_BYTES,
            what: "settings file",
            in_zip: false,
        };
        let (file, len) = crate::source::open_regular(path, path, None)?;
        if len > MAX_SETTINGS_BYTES {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        file.take(MAX_SETTINGS_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| crate::source::io_err(path, None, e))?;
        if bytes.len() as u64 > MAX_SETTINGS_BYTES {
            return Err(too_large());
        }
        let text = crate::text::decode(bytes).map_err(|detail| SolutionError::Encoding {
            path: path.to_path_buf(),
            entry: name.clone(),
            detail,
        })?;
        Self::parse(&text).map_err(|e| SolutionError::Json {
            path: path.to_path_buf(),
            entry: name,
            detail: e.to_string(),
        })
    }

    fn write(&self, path: &Path, replace: bool) -> Result<(), SolutionError> {
        let existing = if replace {
            Existing::Replace
        } else {
            Existing::Keep
        };
        write_atomic(path, self.to_json().as_bytes(), existing, Access::Usual).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists && !replace {
                SolutionError::AlreadyExists {
                    path: path.to_path_buf(),
                }
            } else {
                SolutionError::Write {
                    path: path.to_path_buf(),
                    cause: e,
                }
            }
        })
    }

    fn template(pkg: &SolutionPackage) -> Self {
        Self {
            environment_variables: pkg
                .environment_variables
                .iter()
                .map(|ev| EnvironmentVariableSetting {
                    schema_name: ev.schema_name.clone(),
                    value: String::new(),
                    other: Map::new(),
                })
                .collect(),
            connection_references: pkg
                .connection_references
                .iter()
                .map(|cr| ConnectionReferenceSetting {
                    logical_name: cr.logical_name.clone(),
                    connection_id: String::new(),
                    // pac writes the key always.
                    connector_id: Some(cr.connector_id.clone().unwrap_or_default()),
                    other: Map::new(),
                })
                .collect(),
            other: Map::new(),
        }
    }

    fn merge_template(&mut self, pkg: &SolutionPackage) -> MergeReport {
        let template = Self::template(pkg);
        let mut report = MergeReport::default();
        for ev in template.environment_variables {
            if self
                .environment_variables
                .iter()
                .any(|e| e.schema_name.eq_ignore_ascii_case(&ev.schema_name))
            {
                report.kept += 1;
            } else {
                report.added.push(ev.schema_name.clone());
                self.environment_variables.push(ev);
            }
        }
        for cr in template.connection_references {
            match self
                .connection_references
                .iter_mut()
                .find(|c| c.logical_name.eq_ignore_ascii_case(&cr.logical_name))
            {
                Some(existing) => {
                    report.kept += 1;
                    if existing.connector_id.as_deref().unwrap_or("").is_empty() {
                        existing.connector_id = cr.connector_id;
                    }
                }
                None => {
                    report.added.push(cr.logical_name.clone());
                    self.connection_references.push(cr);
                }
            }
        }
        report
    }

    fn validate(&self, pkg: &SolutionPackage) -> Vec<Finding> {
        let mut out = Vec::new();
        let f = |code, severity, message: String| Finding {
            code,
            severity,
            message,
            platform_error: None,
        };
        for ev in &pkg.environment_variables {
            let value = self.variable(&ev.schema_name).map(|s| s.value.as_str());
            let fallback = ev.default_value.is_some() || ev.has_value;
            if let Some(finding) = check_variable(&ev.schema_name, ev.var_type, value, fallback) {
                // An entry left out is normal in a file when the target has a fallback.
                if finding.severity > Severity::Info {
                    out.push(finding);
                }
            }
        }
        for s in &self.environment_variables {
            if !pkg
                .environment_variables
                .iter()
                .any(|e| e.schema_name.eq_ignore_ascii_case(&s.schema_name))
            {
                out.push(f(
                    "settings-env-var-unknown",
                    Severity::Warning,
                    format!(
                        "The settings file sets environment variable {}, which this package does not \
                         have. Remove it, or check that the file belongs to this solution.",
                        s.schema_name
                    ),
                ));
            }
        }
        for cr in &pkg.connection_references {
            let Some(setting) = self
                .connection_references
                .iter()
                .find(|s| s.logical_name.eq_ignore_ascii_case(&cr.logical_name))
            else {
                out.push(f(
                    "settings-connection-missing",
                    Severity::Warning,
                    format!(
                        "Connection reference {} is not in the settings file; its flows will stay \
                         off after import. Add it with the id of a connection in the target.",
                        cr.logical_name
                    ),
                ));
                continue;
            };
            if setting.connection_id.trim().is_empty() {
                out.push(f(
                    "settings-connection-empty",
                    Severity::Error,
                    format!(
                        "Connection reference {} has no ConnectionId. Pick a connection in the target \
                         for it.",
                        cr.logical_name
                    ),
                ));
            } else if is_placeholder(&setting.connection_id) {
                out.push(f(
                    "settings-value-unresolved",
                    Severity::Error,
                    format!(
                        "Connection reference {} has the placeholder `{}` instead of a connection id. \
                         Replace it with the id of a connection in the target.",
                        cr.logical_name, setting.connection_id
                    ),
                ));
            }
            if let (Some(expected), Some(given)) = (&cr.connector_id, &setting.connector_id) {
                if !given.is_empty() && !given.eq_ignore_ascii_case(expected) {
                    out.push(f(
                        "settings-connector-mismatch",
                        Severity::Error,
                        format!(
                            "Connection reference {} uses connector {expected}, but the settings file \
                             says {}. Fix the ConnectorId.",
                            cr.logical_name, given
                        ),
                    ));
                }
            }
        }
        for s in &self.connection_references {
            if !pkg
                .connection_references
                .iter()
                .any(|c| c.logical_name.eq_ignore_ascii_case(&s.logical_name))
            {
                out.push(f(
                    "settings-connection-unknown",
                    Severity::Warning,
                    format!(
                        "The settings file sets connection reference {}, which this package does not \
                         have. Remove it, or check that the file belongs to this solution.",
                        s.logical_name
                    ),
                ));
            }
        }
        out.sort_by_key(|f| std::cmp::Reverse(f.severity));
        out
    }
}

/// The largest settings file read: real ones are a few KB (one entry per variable and
/// connection reference).
pub const MAX_SETTINGS_BYTES: u64 = 4 << 20;

/// What [`SettingsFile::merge_template`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MergeReport {
    /// Names added with empty values.
    pub added: Vec<String>,
    /// Entries that were already there (values untouched).
    pub kept: usize,
}

/// `#{…}#`, `#connection[…]#`, `%Name%`, `${…}`, `$(…)`: pipeline tokens nobody replaced.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    (v.starts_with("#{") && v.contains('}'))
        || v.starts_with("#connection[")
        || (v.len() > 2 && v.starts_with('%') && v.ends_with('%'))
        || (v.starts_with("${") && v.ends_with('}'))
        || (v.starts_with("$(") && v.ends_with(')'))
}

/// The one rule for an environment variable's value in a deployment: the verdict, or `None`
/// when there is nothing to say. `value` is the text that will be sent; `None` when nothing
/// is sent for the variable (Ferry never sends an empty value — Dataverse refuses one — so
/// an empty field means "leave it out"). `fallback`: the target has something to use
/// instead (a default, or a value carried in the package). Leaving a value out is never an
/// error, whatever the type: the import keeps the target's value or uses the default, and
/// with neither the maker portal only notes the missing value (solution-format §12).
pub fn check_variable(
    schema_name: &str,
    var_type: EnvVarType,
    value: Option<&str>,
    fallback: bool,
) -> Option<Finding> {
    let finding = |code, severity, message| Finding {
        code,
        severity,
        message,
        platform_error: None,
    };
    let Some(value) = value else {
        return Some(if fallback {
            finding(
                "settings-value-not-set",
                Severity::Info,
                format!(
                    "{schema_name} gets no value from this deployment: the target keeps its \
                     value, or uses the default."
                ),
            )
        } else {
            finding(
                "settings-env-var-missing",
                Severity::Warning,
                format!(
                    "{schema_name} has no value and no default: flows and apps that read it may \
                     fail in the target. Give it a value."
                ),
            )
        });
    };
    let problem = check_value(var_type, value)?;
    let code = if value.is_empty() {
        "settings-value-empty"
    } else if is_placeholder(value) {
        "settings-value-unresolved"
    } else {
        "settings-value-invalid"
    };
    Some(finding(
        code,
        Severity::Error,
        format!("{schema_name}: {problem}"),
    ))
}

/// Checks one environment variable value as the platform would; `None` when acceptable.
pub fn check_value(var_type: EnvVarType, value: &str) -> Option<String> {
    if value.is_empty() {
        return Some(
            "the value is empty, and Dataverse refuses empty values (\"Environment variable value \
             can't be an empty string\"). Set a value, or remove the entry to keep the target's."
                .into(),
        );
    }
    if is_placeholder(value) {
        return Some(format!(
            "`{value}` is a placeholder that was never replaced. Put the real value in its place."
        ));
    }
    match var_type {
        EnvVarType::Number => value
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .is_none()
            .then(|| {
                format!(
                    "`{value}` is not a number. Use digits with a dot for decimals, such as 12.5."
                )
            }),
        EnvVarType::Boolean => (!["yes", "no", "true", "false"]
            .contains(&value.trim().to_ascii_lowercase().as_str()))
        .then(|| {
            format!("`{value}` is not a yes/no value. Use yes or no (true and false also work).")
        }),
        EnvVarType::Json => serde_json::from_str::<Value>(value)
            .err()
            .map(|e| format!("the value is not valid JSON ({e}). Fix the JSON text.")),
        EnvVarType::Secret => (!is_key_vault_reference(value)).then(|| {
            "the value is not an Azure Key Vault secret reference. Use /subscriptions/{subscription \
             id, a GUID}/resourceGroups/{group}/providers/Microsoft.KeyVault/vaults/{vault}/secrets/\
             {secret}."
                .to_string()
        }),
        EnvVarType::String | EnvVarType::DataSource | EnvVarType::Unknown => None,
    }
}

/// `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.KeyVault/vaults/{v}/secrets/{n}`,
/// `{s}` a subscription id (a GUID: Azure's subscription ids are; the service's own check
/// of the format is not documented).
pub fn is_key_vault_reference(value: &str) -> bool {
    let parts: Vec<&str> = value.trim().split('/').collect();
    let fixed = [
        (1, "subscriptions"),
        (3, "resourcegroups"),
        (5, "providers"),
        (6, "microsoft.keyvault"),
        (7, "vaults"),
        (9, "secrets"),
    ];
    parts.len() == 11
        && parts[0].is_empty()
        && fixed
            .iter()
            .all(|(i, want)| parts[*i].eq_ignore_ascii_case(want))
        && is_guid(parts[2])
        && [4, 8, 10].iter().all(|i| !parts[*i].is_empty())
}

/// `6f1c1e52-7c1a-4a53-9a5e-0b7d0e4c9a11` (any case): how Azure names a subscription.
fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_by_type() {
        let ok = [
            (EnvVarType::Number, "12.5"),
            (EnvVarType::Number, "-3"),
            (EnvVarType::Boolean, "yes"),
            (EnvVarType::Boolean, "No"),
            (EnvVarType::Boolean, "true"),
            (EnvVarType::Json, r#"{"a": [1, 2]}"#),
            (EnvVarType::String, "anything"),
            (
                EnvVarType::Secret,
                "/subscriptions/6f1c1e52-7c1a-4a53-9a5e-0b7d0e4c9a11/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/secrets/s1",
            ),
        ];
        for (t, v) in ok {
            assert_eq!(check_value(t, v), None, "{t:?} {v}");
        }
        let bad = [
            (EnvVarType::Number, "12,5"),
            (EnvVarType::Number, "NaN"),
            (EnvVarType::Boolean, "1"),
            (EnvVarType::Json, "{a:1}"),
            (EnvVarType::Secret, "hunter2"),
            (EnvVarType::Secret, "/subscriptions//resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/secrets/s1"),
            (EnvVarType::String, ""),
            (EnvVarType::String, "#{environmentvariable.x}#"),
            (EnvVarType::String, "%AdminAccount%"),
        ];
        for (t, v) in bad {
            assert!(check_value(t, v).is_some(), "{t:?} {v:?} should be refused");
        }
    }

    #[test]
    fn a_key_vault_reference_names_its_subscription_by_id() {
        // Azure subscription ids are GUIDs: a reference with anything else can never
        // resolve, so it is refused here as the UI refused it (issue 18 §2).
        let with = |sub: &str| {
            format!("/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/secrets/s1")
        };
        for sub in [
            "0000",
            "my-subscription",
            "6f1c1e52-7c1a-4a53-9a5e-0b7d0e4c9a1",
            "6f1c1e52x7c1a-4a53-9a5e-0b7d0e4c9a11",
        ] {
            assert!(
                check_value(EnvVarType::Secret, &with(sub)).is_some(),
                "{sub} is not a subscription id"
            );
        }
        assert_eq!(
            check_value(
                EnvVarType::Secret,
                &with("6F1C1E52-7C1A-4A53-9A5E-0B7D0E4C9A11")
            ),
            None
        );
    }

    const TYPES: [EnvVarType; 6] = [
        EnvVarType::String,
        EnvVarType::Number,
        EnvVarType::Boolean,
        EnvVarType::Json,
        EnvVarType::DataSource,
        EnvVarType::Secret,
    ];

    #[test]
    fn a_value_left_out_is_never_an_error_whatever_the_type() {
        // The UI refused an empty Number, Boolean, JSON, data source or Secret even with a
        // default; the engine let it through. An empty field is left out of the deployment:
        // the target keeps its value or uses the default (issue 18 §2).
        for t in TYPES {
            let kept = check_variable("x_V", t, None, true).expect("a note");
            assert_eq!(
                (kept.severity, kept.code),
                (Severity::Info, "settings-value-not-set"),
                "{t:?}"
            );
            assert!(kept.message.contains("keeps its value"), "{}", kept.message);
            let none = check_variable("x_V", t, None, false).expect("a warning");
            assert_eq!(
                (none.severity, none.code),
                (Severity::Warning, "settings-env-var-missing"),
                "{t:?}"
            );
        }
    }

    #[test]
    fn an_empty_or_placeholder_value_sent_is_an_error_whatever_the_type() {
        // The UI let an empty String and `#{x}#` through; Dataverse refuses "" and a
        // placeholder is a pipeline token nobody replaced (solution-format §11, §12).
        for t in TYPES {
            let empty = check_variable("x_V", t, Some(""), true).expect("refused");
            assert_eq!(
                (empty.severity, empty.code),
                (Severity::Error, "settings-value-empty"),
                "{t:?}"
            );
            let token =
                check_variable("x_V", t, Some("#{environmentvariable.x}#"), true).expect("refused");
            assert_eq!(
                (token.severity, token.code),
                (Severity::Error, "settings-value-unresolved"),
                "{t:?}"
            );
            assert!(token.message.starts_with("x_V: "), "{}", token.message);
        }
        assert_eq!(
            check_variable("x_V", EnvVarType::String, Some("ok"), false),
            None
        );
        let bad = check_variable("x_N", EnvVarType::Number, Some("five"), true).unwrap();
        assert_eq!(bad.code, "settings-value-invalid");
    }
}
