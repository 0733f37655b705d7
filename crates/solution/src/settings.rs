//! Deployment settings files in the `pac solution create-settings` format (spec §11):
//! read, write, generate a template from a package, merge into an existing file without
//! losing values, and validate values against the package's variable types.
//!
//! Unknown properties (ALM Accelerator's `ConnectionOwner`, anything else) are kept
//! on read and written back unchanged.

use std::io::{Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::SolutionError;
use crate::model::{EnvVarType, SolutionPackage};
use crate::rules::{Finding, Severity};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeploymentSettings {
    #[serde(default)]
    pub environment_variables: Vec<EnvVarSetting>,
    #[serde(default)]
    pub connection_references: Vec<ConnectionSetting>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EnvVarSetting {
    pub schema_name: String,
    #[serde(default)]
    pub value: String,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConnectionSetting {
    pub logical_name: String,
    #[serde(default)]
    pub connection_id: String,
    #[serde(default)]
    pub connector_id: String,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl DeploymentSettings {
    /// Parses settings JSON (a UTF-8 BOM is accepted, as PowerShell writes one).
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(text))
    }

    /// Reads a settings file: a regular file (a FIFO would block, a link to `/dev/zero`
    /// never end) of at most [`MAX_SETTINGS_BYTES`].
    pub fn read(path: &Path) -> Result<Self, SolutionError> {
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
        Self::from_json(&text).map_err(|e| SolutionError::Json {
            path: path.to_path_buf(),
            entry: name,
            detail: e.to_string(),
        })
    }

    /// Pretty JSON with two-space indentation and a final newline, as pac writes it.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Writes the file atomically (temporary file in the same folder, then rename), so a
    /// crash never leaves half a file. Refuses to replace an existing file unless `replace`.
    pub fn write(&self, path: &Path, replace: bool) -> Result<(), SolutionError> {
        let io = |e| SolutionError::Write {
            path: path.to_path_buf(),
            cause: without_temp_name(e),
        };
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        // A settings file holds no secrets (Secret variables are Key Vault references):
        // a new one gets the process umask's mode like any file the user makes, and a
        // replaced one keeps its mode (a file shared in a team folder stays shared).
        let kept = std::fs::metadata(path).ok().map(|m| m.permissions());
        let mut builder = tempfile::Builder::new();
        #[cfg(unix)]
        builder.permissions(
            kept.clone()
                .unwrap_or_else(|| std::os::unix::fs::PermissionsExt::from_mode(0o666)),
        );
        let mut tmp = builder.tempfile_in(dir).map_err(io)?;
        // The file's own writes: NamedTempFile's would name the temporary file in errors.
        tmp.as_file_mut()
            .write_all(self.to_json().as_bytes())
            .map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        if let Some(kept) = kept {
            // The umask may have narrowed it at creation.
            tmp.as_file().set_permissions(kept).map_err(io)?;
        }
        if replace {
            tmp.persist(path).map_err(|e| io(e.error))?;
        } else {
            tmp.persist_noclobber(path).map_err(|e| {
                if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                    SolutionError::AlreadyExists {
                        path: path.to_path_buf(),
                    }
                } else {
                    io(e.error)
                }
            })?;
        }
        Ok(())
    }

    /// The template `pac solution create-settings` would write: every environment variable
    /// and connection reference of the package with empty values; connector ids copied.
    pub fn template(pkg: &SolutionPackage) -> Self {
        Self {
            environment_variables: pkg
                .environment_variables
                .iter()
                .map(|ev| EnvVarSetting {
                    schema_name: ev.schema_name.clone(),
                    value: String::new(),
                    other: Map::new(),
                })
                .collect(),
            connection_references: pkg
                .connection_references
                .iter()
                .map(|cr| ConnectionSetting {
                    logical_name: cr.logical_name.clone(),
                    connection_id: String::new(),
                    connector_id: cr.connector_id.clone().unwrap_or_default(),
                    other: Map::new(),
                })
                .collect(),
            other: Map::new(),
        }
    }

    /// Adds the package's entries that this file lacks (empty values), keeping every existing
    /// entry and value — also entries the package no longer has (reported by [`validate`]).
    pub fn merge_template(&mut self, pkg: &SolutionPackage) -> MergeReport {
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
                    if existing.connector_id.is_empty() {
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

    /// Checks the file against the package: unknown and missing names, empty or placeholder
    /// values, values that do not fit the variable's type, connector mismatches.
    pub fn validate(&self, pkg: &SolutionPackage) -> Vec<Finding> {
        let mut out = Vec::new();
        let f = |code, severity, message: String| Finding {
            code,
            severity,
            message,
            platform_error: None,
        };
        for ev in &pkg.environment_variables {
            let Some(setting) = self
                .environment_variables
                .iter()
                .find(|s| s.schema_name.eq_ignore_ascii_case(&ev.schema_name))
            else {
                if ev.default_value.is_none() && !ev.has_value {
                    out.push(f(
                        "settings-env-var-missing",
                        Severity::Warning,
                        format!(
                            "Environment variable {} has no default and no value in the package, and \
                             the settings file does not set it. Add it to the settings file.",
                            ev.schema_name
                        ),
                    ));
                }
                continue;
            };
            if let Some(message) = check_value(ev.var_type, &setting.value) {
                let (code, severity) = if setting.value.is_empty() {
                    ("settings-value-empty", Severity::Error)
                } else if is_placeholder(&setting.value) {
                    ("settings-value-unresolved", Severity::Error)
                } else {
                    ("settings-value-invalid", Severity::Error)
                };
                out.push(f(
                    code,
                    severity,
                    format!("Environment variable {}: {message}", ev.schema_name),
                ));
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
            if let Some(expected) = &cr.connector_id {
                if !setting.connector_id.is_empty()
                    && !setting.connector_id.eq_ignore_ascii_case(expected)
                {
                    out.push(f(
                        "settings-connector-mismatch",
                        Severity::Error,
                        format!(
                            "Connection reference {} uses connector {expected}, but the settings file \
                             says {}. Fix the ConnectorId.",
                            cr.logical_name, setting.connector_id
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

/// `tempfile` adds ` at path "<temporary file>"` to its errors; people know only the
/// destination, so the cause is kept without it.
fn without_temp_name(e: std::io::Error) -> std::io::Error {
    if e.raw_os_error().is_some() {
        return e;
    }
    let text = e.to_string();
    match text.rsplit_once(" at path ") {
        Some((cause, _)) => std::io::Error::new(e.kind(), cause.to_string()),
        None => e,
    }
}

/// What [`DeploymentSettings::merge_template`] changed.
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
            "the value is not an Azure Key Vault secret reference. Use /subscriptions/{id}/\
             resourceGroups/{group}/providers/Microsoft.KeyVault/vaults/{vault}/secrets/{secret}."
                .to_string()
        }),
        EnvVarType::String | EnvVarType::DataSource | EnvVarType::Unknown => None,
    }
}

/// `/subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.KeyVault/vaults/{v}/secrets/{n}`.
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
        && [2, 4, 8, 10].iter().all(|i| !parts[*i].is_empty())
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
                "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/secrets/s1",
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
    fn unknown_properties_survive_a_round_trip() {
        let text = "\u{feff}{\"EnvironmentVariables\":[],\"ConnectionReferences\":[{\"LogicalName\":\"a\",\
                    \"ConnectionId\":\"c\",\"ConnectorId\":\"/x\",\"ConnectionOwner\":\"me\"}],\"Extra\":1}";
        let s = DeploymentSettings::from_json(text).unwrap();
        assert_eq!(s.connection_references[0].other["ConnectionOwner"], "me");
        let again = DeploymentSettings::from_json(&s.to_json()).unwrap();
        assert_eq!(again, s);
        assert!(s.to_json().contains("\"Extra\": 1"));
    }
}
