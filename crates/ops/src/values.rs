//! A deployment's values — environment variables and connection references — checked
//! by one set of rules, for the plan and for the app's values form alike. The form asks
//! [`check_values`] as the maker types (a cheap call: nothing goes to a host) and shows
//! its verdict per value; the values form's settings file comes in and goes out through
//! it too, so the `pac` document is read and written by the one model
//! ([`ferry_pipelines::DeploymentSettings`]). The rule for a variable's value is
//! [`ferry_solution::settings::check_variable`]; the rules for a connection are here.

use ferry_pipelines::settings::connector_name;
use ferry_pipelines::DeploymentSettings;
use ferry_solution::rules::Severity;
use ferry_solution::settings as pac;
use ferry_solution::EnvVarType;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{OpsError, Result};
use crate::plan::{type_label, ReferenceDefinition, VariableDefinition};
use crate::run::settings_of;
use crate::types::{
    Check, CheckSeverity, ConnectionChoice, ConnectionValue, DeploymentValues, Plan, VariableValue,
};

/// The values of a planned deployment to check, and a settings file to read into them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ValuesRequest {
    /// The plan the values are for: its variables (types, defaults), its connection
    /// references and the target's connections.
    pub plan: Plan,
    /// The values as the maker has them now; an empty one is left out of the deployment.
    pub values: DeploymentValues,
    /// The text of a `pac` deployment settings file to read in: its values win over
    /// `values`; entries it leaves empty keep the maker's.
    pub settings_json: Option<String>,
}

/// The engine's verdict on a deployment's values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ValuesCheck {
    /// The values checked: the request's, with the settings file's read in.
    pub values: DeploymentValues,
    /// One finding per variable or connection reference that has something to say
    /// (`subject` names it), and the settings file's entries this solution lacks.
    pub checks: Vec<Check>,
    /// No check is an error: the values can be deployed.
    pub ready: bool,
    /// The `pac` deployment settings file of these values (what the deployment sends).
    pub settings_json: String,
    /// What the settings file brought, when one was read.
    pub imported: Option<ImportedSettings>,
}

/// What reading a settings file into the values did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ImportedSettings {
    /// Variables it gave a value.
    pub variables: u32,
    /// Connection references it bound.
    pub connections: u32,
    /// Its entries this solution does not have (left out).
    pub ignored: Vec<String>,
}

/// Checks a deployment's values against its plan (types, placeholders, connections in the
/// target), reading a settings file into them first if one is given. Nothing is sent to
/// a host.
pub fn check_values(request: &ValuesRequest) -> Result<ValuesCheck> {
    let plan = &request.plan;
    let variables: Vec<VariableDefinition> = plan
        .environment_variables
        .iter()
        .map(|v| VariableDefinition {
            schema_name: v.schema_name.clone(),
            display_name: v.display_name.clone(),
            type_code: type_code(&v.kind),
            default_value: v.default_value.clone(),
        })
        .collect();
    let references: Vec<ReferenceDefinition> = plan
        .connection_references
        .iter()
        .map(|r| ReferenceDefinition {
            logical_name: r.logical_name.clone(),
            display_name: r.display_name.clone(),
            connector_id: r.connector_id.clone(),
        })
        .collect();
    let mut values = request.values.clone();
    let mut checks = Vec::new();
    let imported = match request.settings_json.as_deref() {
        Some(text) => {
            let file = read_settings(text)?;
            let mut imported = read_into(&mut values, &file, &variables, &references);
            let before = checks.len();
            unknown_entries(&file, &variables, &references, &mut checks);
            imported.ignored = checks[before..]
                .iter()
                .filter_map(|c| c.subject.clone())
                .collect();
            Some(imported)
        }
        None => None,
    };
    let given = |name: &str| {
        values
            .environment_variables
            .iter()
            .find(|v| v.schema_name.eq_ignore_ascii_case(name))
            .map(|v| v.value.as_str())
            .filter(|v| !v.trim().is_empty())
    };
    let bound = |name: &str| {
        values
            .connection_references
            .iter()
            .find(|c| c.logical_name.eq_ignore_ascii_case(name))
            .map(|c| c.connection_id.as_str())
            .filter(|c| !c.trim().is_empty())
    };
    for d in &variables {
        check_variable(d, given(&d.schema_name), &mut checks);
    }
    // Every connection of the target the plan knows of (each reference's choices).
    let mut connections: Vec<ConnectionChoice> = Vec::new();
    for c in plan.connection_references.iter().flat_map(|r| &r.choices) {
        if !connections.iter().any(|k| k.id.eq_ignore_ascii_case(&c.id)) {
            connections.push(c.clone());
        }
    }
    let target = plan.stage.target_name.as_deref().unwrap_or("the target");
    for r in &references {
        check_connection(r, bound(&r.logical_name), &connections, target, &mut checks);
    }
    // What the deployment would send: the plan with these values, as deploy builds it.
    let mut sent = plan.clone();
    for v in &mut sent.environment_variables {
        v.value = given(&v.schema_name).map(str::to_string);
    }
    for r in &mut sent.connection_references {
        r.connection_id = bound(&r.logical_name).map(str::to_string);
    }
    let settings = settings_of(&sent);
    let ready = !checks.iter().any(|c| c.severity == CheckSeverity::Error);
    Ok(ValuesCheck {
        values,
        checks,
        ready,
        settings_json: settings.to_json(),
        imported,
    })
}

/// Reads the text of a deployment settings file (a plan's `--settings`, the form's
/// import): a JSON object with `EnvironmentVariables` or `ConnectionReferences`.
pub(crate) fn read_settings(text: &str) -> Result<DeploymentSettings> {
    let refuse = |why: String| {
        OpsError::InvalidInput(format!(
            "{why}: it is not a deployment settings file. Choose one made by `pac solution \
             create-settings` or `ferry solution settings`, or saved by Ferry"
        ))
    };
    let settings = DeploymentSettings::parse(text)
        .map_err(|e| refuse(format!("the settings file is not valid ({e})")))?;
    // Both arrays default to empty, so a JSON object with neither is some other file.
    let has_arrays = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(
        text.strip_prefix('\u{feff}').unwrap_or(text),
    )
    .is_ok_and(|doc| {
        doc.contains_key("EnvironmentVariables") || doc.contains_key("ConnectionReferences")
    });
    if !has_arrays {
        return Err(refuse(
            "the file has no EnvironmentVariables or ConnectionReferences".into(),
        ));
    }
    Ok(settings)
}

/// Puts the file's non-empty values into `values` (they win), for the solution's entries.
fn read_into(
    values: &mut DeploymentValues,
    file: &DeploymentSettings,
    variables: &[VariableDefinition],
    references: &[ReferenceDefinition],
) -> ImportedSettings {
    let mut imported = ImportedSettings {
        variables: 0,
        connections: 0,
        ignored: Vec::new(),
    };
    for entry in &file.environment_variables {
        let Some(v) = variables
            .iter()
            .find(|v| v.schema_name.eq_ignore_ascii_case(&entry.schema_name))
        else {
            continue;
        };
        if entry.value.trim().is_empty() {
            continue;
        }
        values
            .environment_variables
            .retain(|x| !x.schema_name.eq_ignore_ascii_case(&v.schema_name));
        values.environment_variables.push(VariableValue {
            schema_name: v.schema_name.clone(),
            value: entry.value.clone(),
        });
        imported.variables += 1;
    }
    for entry in &file.connection_references {
        let Some(r) = references
            .iter()
            .find(|r| r.logical_name.eq_ignore_ascii_case(&entry.logical_name))
        else {
            continue;
        };
        if entry.connection_id.trim().is_empty() {
            continue;
        }
        values
            .connection_references
            .retain(|x| !x.logical_name.eq_ignore_ascii_case(&r.logical_name));
        values.connection_references.push(ConnectionValue {
            logical_name: r.logical_name.clone(),
            connection_id: entry.connection_id.clone(),
        });
        imported.connections += 1;
    }
    imported
}

/// The type code of a plan's variable kind (its label: [`type_label`] read backwards).
fn type_code(kind: &str) -> i32 {
    (100_000_000..=100_000_005)
        .find(|code| type_label(*code) == kind)
        .unwrap_or(100_000_000)
}

fn error(subject: Option<String>, message: String) -> Check {
    Check {
        severity: CheckSeverity::Error,
        subject,
        message,
    }
}

/// The verdict on a variable's value (`None`: nothing is sent for it), from the one rule.
pub(crate) fn check_variable(d: &VariableDefinition, value: Option<&str>, checks: &mut Vec<Check>) {
    let kind = EnvVarType::from_code(d.type_code as u32);
    let fallback = d.default_value.is_some();
    if let Some(finding) = pac::check_variable(&d.schema_name, kind, value, fallback) {
        checks.push(Check {
            severity: match finding.severity {
                Severity::Error => CheckSeverity::Error,
                Severity::Warning => CheckSeverity::Warning,
                Severity::Info => CheckSeverity::Info,
            },
            subject: Some(d.schema_name.clone()),
            message: finding.message,
        });
    }
}

/// A connection reference must be bound to a connection that exists in the target and is
/// of the reference's connector.
pub(crate) fn check_connection(
    r: &ReferenceDefinition,
    connection_id: Option<&str>,
    connections: &[ConnectionChoice],
    target: &str,
    checks: &mut Vec<Check>,
) {
    let subject = Some(r.logical_name.clone());
    let connector = connector_name(&r.connector_id);
    let Some(id) = connection_id else {
        let message = if connections
            .iter()
            .any(|c| c.connector.eq_ignore_ascii_case(connector))
        {
            format!(
                "{} needs a connection ({connector}) in {target}: choose the one this stage should use",
                r.logical_name
            )
        } else {
            format!(
                "{target} has no {connector} connection for {}: create one there (Power Apps → \
                 Connections), then plan again",
                r.logical_name
            )
        };
        checks.push(error(subject, message));
        return;
    };
    match connections.iter().find(|c| c.id.eq_ignore_ascii_case(id)) {
        None => checks.push(error(
            subject,
            format!(
                "the connection {id} for {} does not exist in {target}; create it there or pick an existing {connector} connection",
                r.logical_name
            ),
        )),
        Some(c) if !c.connector.eq_ignore_ascii_case(connector) => checks.push(error(
            subject,
            format!(
                "the connection {id} for {} is a {} connection, but the reference needs {connector}",
                r.logical_name, c.connector
            ),
        )),
        Some(_) => {}
    }
}

/// The settings file's entries the solution does not have: left out, with a warning.
pub(crate) fn unknown_entries(
    file: &DeploymentSettings,
    variables: &[VariableDefinition],
    references: &[ReferenceDefinition],
    checks: &mut Vec<Check>,
) {
    for v in &file.environment_variables {
        if !variables
            .iter()
            .any(|d| d.schema_name.eq_ignore_ascii_case(&v.schema_name))
        {
            checks.push(Check {
                severity: CheckSeverity::Warning,
                subject: Some(v.schema_name.clone()),
                message: format!(
                    "the settings file sets {}, which this solution does not have; it is ignored",
                    v.schema_name
                ),
            });
        }
    }
    for c in &file.connection_references {
        if !references
            .iter()
            .any(|r| r.logical_name.eq_ignore_ascii_case(&c.logical_name))
        {
            checks.push(Check {
                severity: CheckSeverity::Warning,
                subject: Some(c.logical_name.clone()),
                message: format!(
                    "the settings file binds {}, which this solution does not have; it is ignored",
                    c.logical_name
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::brisk_options;
    use crate::{Engine, PlanRequest};

    #[test]
    fn variables_are_checked_by_type() {
        let d = VariableDefinition {
            schema_name: "x_Count".into(),
            display_name: "Count".into(),
            type_code: 100_000_001,
            default_value: None,
        };
        let mut checks = Vec::new();
        check_variable(&d, Some("five"), &mut checks);
        check_variable(&d, Some("5"), &mut checks);
        check_variable(&d, None, &mut checks);
        assert_eq!(checks.len(), 2, "{checks:?}");
        assert_eq!(checks[0].severity, CheckSeverity::Error);
        assert!(
            checks[0].message.contains("not a number"),
            "{}",
            checks[0].message
        );
        assert_eq!(checks[1].severity, CheckSeverity::Warning);
        let json = VariableDefinition {
            type_code: 100_000_003,
            ..d
        };
        let mut checks = Vec::new();
        check_variable(&json, Some("{oops"), &mut checks);
        assert!(checks[0].message.contains("JSON"), "{checks:?}");
    }

    #[test]
    fn connections_must_exist_and_match_the_connector() {
        let r = ReferenceDefinition {
            logical_name: "x_o365".into(),
            display_name: "Office".into(),
            connector_id: "/providers/Microsoft.PowerApps/apis/shared_office365".into(),
        };
        let conns = vec![
            ConnectionChoice {
                id: "o".into(),
                display_name: "O".into(),
                connector: "shared_office365".into(),
                status: None,
            },
            ConnectionChoice {
                id: "q".into(),
                display_name: "Q".into(),
                connector: "shared_sql".into(),
                status: None,
            },
        ];
        let mut checks = Vec::new();
        check_connection(&r, Some("o"), &conns, "Test", &mut checks);
        assert!(checks.is_empty(), "{checks:?}");
        check_connection(&r, Some("q"), &conns, "Test", &mut checks);
        check_connection(&r, Some("zz"), &conns, "Test", &mut checks);
        check_connection(&r, None, &conns, "Test", &mut checks);
        check_connection(&r, None, &conns[1..], "Test", &mut checks);
        let msgs: Vec<_> = checks.iter().map(|c| c.message.as_str()).collect();
        assert!(msgs[0].contains("shared_sql connection"), "{msgs:?}");
        assert!(msgs[1].contains("does not exist in Test"), "{msgs:?}");
        assert!(msgs[2].contains("needs a connection"), "{msgs:?}");
        // With none of its connector in the target, the maker is told to create one.
        assert!(
            msgs[3].contains("Test has no shared_office365 connection")
                && msgs[3].contains("create one there"),
            "{msgs:?}"
        );
    }

    /// ContosoCore's plan for the sandbox's Test stage: cont_ApiBaseUrl (String) and
    /// cont_RetryCount (Number), both with defaults, and an Office 365 reference.
    async fn contoso_core_plan(dir: &std::path::Path) -> Plan {
        let engine = Engine::open(brisk_options(dir)).unwrap();
        engine
            .plan(&PlanRequest {
                solution: "ContosoCore".into(),
                stage: "Deploy to Test".into(),
                ..Default::default()
            })
            .await
            .unwrap()
    }

    fn variable(name: &str, value: &str) -> VariableValue {
        VariableValue {
            schema_name: name.into(),
            value: value.into(),
        }
    }

    fn request(plan: &Plan, variables: Vec<VariableValue>) -> ValuesRequest {
        ValuesRequest {
            plan: plan.clone(),
            values: DeploymentValues {
                environment_variables: variables,
                connection_references: vec![ConnectionValue {
                    logical_name: "cont_sharedoffice365_1a2b3".into(),
                    connection_id: plan.connection_references[0].choices[0].id.clone(),
                }],
            },
            settings_json: None,
        }
    }

    fn verdict<'a>(check: &'a ValuesCheck, subject: &str) -> Option<&'a Check> {
        check
            .checks
            .iter()
            .find(|c| c.subject.as_deref() == Some(subject))
    }

    #[tokio::test]
    async fn the_forms_values_get_the_plans_verdicts() {
        let dir = tempfile::tempdir().unwrap();
        let mut plan = contoso_core_plan(dir.path()).await;

        // A placeholder in a String passed the UI's own check; it is an error here.
        let check = check_values(&request(
            &plan,
            vec![
                variable("cont_ApiBaseUrl", "#{ApiBaseUrl}#"),
                variable("cont_RetryCount", "5"),
            ],
        ))
        .unwrap();
        let url = verdict(&check, "cont_ApiBaseUrl").expect("a verdict");
        assert_eq!(url.severity, CheckSeverity::Error, "{url:?}");
        assert!(url.message.contains("placeholder"), "{url:?}");
        assert!(verdict(&check, "cont_RetryCount").is_none(), "{check:?}");
        assert!(!check.ready);

        // An empty Number with a default is left out, not refused (the UI refused it).
        let check = check_values(&request(
            &plan,
            vec![
                variable("cont_ApiBaseUrl", "https://api.test"),
                variable("cont_RetryCount", ""),
            ],
        ))
        .unwrap();
        let retries = verdict(&check, "cont_RetryCount").expect("a note");
        assert_eq!(retries.severity, CheckSeverity::Info, "{retries:?}");
        assert!(check.ready, "{check:?}");
        // What would be sent leaves it out: Dataverse refuses an empty value.
        let sent = DeploymentSettings::parse(&check.settings_json).unwrap();
        assert_eq!(sent.environment_variables.len(), 1);
        assert_eq!(sent.environment_variables[0].value, "https://api.test");
        assert_eq!(
            sent.connection_references[0].connector_id.as_deref(),
            Some("/providers/Microsoft.PowerApps/apis/shared_office365")
        );

        // A Secret is a Key Vault reference naming its subscription by id (a GUID).
        plan.environment_variables[0].kind = "Secret".into();
        let reference = |sub: &str| {
            format!("/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv/secrets/api")
        };
        let check = check_values(&request(
            &plan,
            vec![variable("cont_ApiBaseUrl", &reference("0000"))],
        ))
        .unwrap();
        assert_eq!(
            verdict(&check, "cont_ApiBaseUrl").map(|c| c.severity),
            Some(CheckSeverity::Error)
        );
        let check = check_values(&request(
            &plan,
            vec![variable(
                "cont_ApiBaseUrl",
                &reference("6f1c1e52-7c1a-4a53-9a5e-0b7d0e4c9a11"),
            )],
        ))
        .unwrap();
        assert!(verdict(&check, "cont_ApiBaseUrl").is_none(), "{check:?}");

        // An unbound connection reference is an error that names what to do.
        let mut unbound = request(&plan, vec![]);
        unbound.values.connection_references.clear();
        let check = check_values(&unbound).unwrap();
        let office = verdict(&check, "cont_sharedoffice365_1a2b3").expect("a verdict");
        assert_eq!(office.severity, CheckSeverity::Error);
        assert!(office.message.contains("choose the one"), "{office:?}");
    }

    #[tokio::test]
    async fn a_settings_file_is_read_into_the_values_by_the_one_model() {
        let dir = tempfile::tempdir().unwrap();
        let plan = contoso_core_plan(dir.path()).await;
        let mut req = request(&plan, vec![variable("cont_RetryCount", "7")]);
        req.values.connection_references.clear();
        req.settings_json = Some(
            "\u{feff}{\"EnvironmentVariables\":[{\"SchemaName\":\"CONT_APIBASEURL\",\"Value\":\"https://file\"},\
             {\"SchemaName\":\"cont_RetryCount\",\"Value\":\"\"},{\"SchemaName\":\"other_X\",\"Value\":\"1\"}],\
             \"ConnectionReferences\":[{\"LogicalName\":\"cont_sharedoffice365_1a2b3\",\"ConnectionId\":\"test-office365\"}]}"
                .into(),
        );
        let check = check_values(&req).unwrap();
        let imported = check.imported.clone().expect("a report");
        assert_eq!(
            (imported.variables, imported.connections),
            (1, 1),
            "{imported:?}"
        );
        assert_eq!(imported.ignored, ["other_X"]);
        let value = |name: &str| {
            check
                .values
                .environment_variables
                .iter()
                .find(|v| v.schema_name == name)
                .map(|v| v.value.clone())
        };
        // The file's value wins, under the solution's spelling; its empty one keeps the form's.
        assert_eq!(value("cont_ApiBaseUrl").as_deref(), Some("https://file"));
        assert_eq!(value("cont_RetryCount").as_deref(), Some("7"));
        assert_eq!(
            check.values.connection_references[0].connection_id,
            "test-office365"
        );
        assert_eq!(
            verdict(&check, "other_X").map(|c| c.severity),
            Some(CheckSeverity::Warning)
        );

        for (text, says) in [
            ("nope", "not valid"),
            ("{}", "no EnvironmentVariables or ConnectionReferences"),
            ("{\"name\": \"package.json\"}", "no EnvironmentVariables"),
        ] {
            req.settings_json = Some(text.into());
            let err = check_values(&req).unwrap_err();
            assert!(matches!(err, OpsError::InvalidInput(_)), "{err:?}");
            assert!(
                err.to_string().contains(says)
                    && err.to_string().contains("not a deployment settings file"),
                "{err}"
            );
        }
    }
}
