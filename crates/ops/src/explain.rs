//! The error explainer: known Dataverse codes and messages → cause and next step,
//! as data, so the app and the CLI show the same words.
//!
//! A rule matches by error code (`0x8004801D`, or its signed decimal form as
//! `validationresults` carries it) or by a fragment of the message. Missing
//! dependencies are grouped by the solution that is required, so the maker sees
//! "install ContosoAnalyticsBase 3.0.0.0 first" once, not once per component.

use std::collections::BTreeMap;

use ferry_pipelines::{Severity, ValidationResults};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// One explained problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// The rule's stable id (`missing-dependencies`, `throttled`, …), or `unknown`.
    pub id: String,
    /// The Dataverse code in hex (`0x8004801D`), when there was one.
    pub code: Option<String>,
    /// A short title.
    pub title: String,
    /// What caused it.
    pub cause: String,
    /// What to do next.
    pub next_step: String,
    /// Particulars (the required solutions, the host's own message).
    pub details: Vec<String>,
}

/// A known problem.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    /// Error codes (unsigned) that name it.
    pub codes: &'static [u32],
    /// Lower-case message fragments that name it.
    pub fragments: &'static [&'static str],
    pub title: &'static str,
    pub cause: &'static str,
    pub next_step: &'static str,
}

/// Every known problem, most specific first.
pub const RULES: &[Rule] = &[
    Rule {
        id: "missing-dependencies",
        codes: &[0x8004_801D],
        fragments: &["missing dependencies", "required solutions are missing", "missingdependencies"],
        title: "Required solutions are missing in the target",
        cause: "The solution uses components of other solutions that the target environment does not have (or has in an older version).",
        next_step: "Deploy the required solutions listed with this problem to the target first (through their own pipeline), then validate this one again.",
    },
    Rule {
        id: "managed-over-unmanaged",
        codes: &[0x8004_8040],
        fragments: &["unmanaged solution", "managed package"],
        title: "The target has an unmanaged copy of this solution",
        cause: "Pipelines deploy managed solutions, and a managed solution cannot be imported over an unmanaged one with the same name.",
        next_step: "Ask the target's admin to delete the unmanaged solution (export it first if its changes matter), then deploy again.",
    },
    Rule {
        id: "missing-privilege",
        codes: &[0x8004_0220],
        fragments: &["prvimportcustomization", "seclib::checkprivilege", "privilege"],
        title: "You may not import solutions into the target",
        cause: "Your user lacks the import privilege (prvImportCustomization) in the target environment.",
        next_step: "Ask the target's admin for the System Customizer role (or a role with Import Customizations), or use a delegated stage.",
    },
    Rule {
        id: "import-in-progress",
        codes: &[0x8004_8070, 0x8004_8071],
        fragments: &["another import", "import is already in progress", "currently being imported", "cannot start another"],
        title: "Another import is running in the target",
        cause: "Dataverse imports one solution at a time per environment; another deployment or manual import is still running.",
        next_step: "Wait until the other import finishes (check the target's solution history), then retry the run with `ferry run retry ID`.",
    },
    Rule {
        id: "version-not-higher",
        codes: &[0x8004_8062],
        fragments: &["must be greater than", "is lower than", "downgrade", "not higher than"],
        title: "The version is not higher than what the stage already has",
        cause: "A stage only accepts a version greater than the one already deployed there (unless the pipeline allows redeployment).",
        next_step: "Deploy again and let Ferry propose the next version (leave --version out), or give a higher one.",
    },
    Rule {
        id: "connection-not-found",
        codes: &[0x8004_8063],
        fragments: &["connection", "does not exist in the target", "connector"],
        title: "A connection does not exist in the target or is for another connector",
        cause: "A connection reference points to a connection the target environment does not have, or one made for a different connector.",
        next_step: "Create the connection in the target (Power Apps → Connections), or pick an existing one of the same connector, then retry.",
    },
    Rule {
        id: "throttled",
        codes: &[0x8004_9B00, 0x8005_F116],
        fragments: &["too many requests", "rate limit", "throttl", "number of requests exceeded"],
        title: "The host is throttling requests",
        cause: "Dataverse limits how many requests one user may send in a time window; Ferry waited and retried, but the limit held.",
        next_step: "Wait a minute and try again; nothing was deployed twice (runs are created with a client-chosen id).",
    },
    Rule {
        id: "pre-deployment-rejected",
        codes: &[],
        fragments: &["pre-deployment step failed", "approval was rejected", "rejected"],
        title: "A gate rejected the deployment",
        cause: "An approver or the pre-deployment step (often a Power Automate flow) turned the deployment down.",
        next_step: "Read the comments in the run's history, fix what was asked, and deploy again.",
    },
];

/// Parses `0x8004801D`, `8004801D` or the signed decimal `-2147188707`.
pub fn parse_code(text: &str) -> Option<u32> {
    let t = text.trim();
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return u32::from_str_radix(hex, 16).ok();
    }
    if let Ok(n) = t.parse::<i64>() {
        return Some(n as u32);
    }
    u32::from_str_radix(t, 16).ok()
}

fn hex(code: u32) -> String {
    format!("0x{code:08X}")
}

fn from_rule(rule: &Rule, code: Option<u32>, details: Vec<String>) -> Explanation {
    Explanation {
        id: rule.id.into(),
        code: code.map(hex),
        title: rule.title.into(),
        cause: rule.cause.into(),
        next_step: rule.next_step.into(),
        details,
    }
}

/// The rule for a code or a message, if one is known. Codes win over message fragments.
pub fn find_rule(code: Option<u32>, message: &str) -> Option<&'static Rule> {
    if let Some(c) = code {
        if let Some(rule) = RULES.iter().find(|r| r.codes.contains(&c)) {
            return Some(rule);
        }
    }
    let lower = message.to_lowercase();
    RULES
        .iter()
        .find(|r| r.fragments.iter().any(|f| lower.contains(f)))
}

/// Explains one error (a host error, a run's `errormessage`); `None` when nothing is known.
pub fn explain_message(code: Option<&str>, message: &str) -> Option<Explanation> {
    let parsed = code.and_then(parse_code);
    let rule = find_rule(parsed, message)?;
    let details = if message.trim().is_empty() {
        Vec::new()
    } else {
        vec![message.trim().to_string()]
    };
    Some(from_rule(rule, parsed, details))
}

/// Explains a failed run: its validation results (grouped), else its error message.
pub fn explain_run(
    results: Option<&ValidationResults>,
    error_message: Option<&str>,
) -> Vec<Explanation> {
    let mut out = results.map(explain_validation).unwrap_or_default();
    if out.is_empty() {
        if let Some(msg) = error_message.filter(|m| !m.trim().is_empty()) {
            out.push(explain_message(None, msg).unwrap_or_else(|| unknown(None, msg)));
        }
    }
    out
}

fn unknown(code: Option<u32>, message: &str) -> Explanation {
    Explanation {
        id: "unknown".into(),
        code: code.map(hex),
        title: "The host reported a problem".into(),
        cause: message.trim().to_string(),
        next_step: "Read the host's message; if it is unclear, search it in the Power Platform docs or ask the pipeline's admin.".into(),
        details: Vec::new(),
    }
}

/// Explains the errors of a validation: one explanation per rule (missing dependencies
/// grouped by required solution), then one per unexplained error.
pub fn explain_validation(results: &ValidationResults) -> Vec<Explanation> {
    let mut out: Vec<Explanation> = Vec::new();
    if !results.missing_dependencies.is_empty() {
        let mut by_solution: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for d in &results.missing_dependencies {
            let solution = if d.required_component_parent_display_name.is_empty() {
                d.required_component_parent_schema_name.clone()
            } else {
                d.required_component_parent_display_name.clone()
            };
            let component = if d.required_component_display_name.is_empty() {
                d.required_component_schema_name.clone()
            } else {
                d.required_component_display_name.clone()
            };
            let entry = by_solution.entry(solution).or_default();
            if !component.is_empty() && !entry.contains(&component) {
                entry.push(component);
            }
        }
        let details = by_solution
            .into_iter()
            .map(|(solution, components)| {
                let solution = if solution.is_empty() {
                    "an unknown solution".to_string()
                } else {
                    solution
                };
                if components.is_empty() {
                    format!("install {solution}")
                } else {
                    format!("install {solution} (needed for {})", components.join(", "))
                }
            })
            .collect();
        let rule = RULES
            .iter()
            .find(|r| r.id == "missing-dependencies")
            .expect("rule");
        out.push(from_rule(rule, Some(0x8004_801D), details));
    }
    for e in &results.solution_validation_results {
        if e.solution_validation_result_type != Severity::Error {
            continue;
        }
        let code = (e.error_code != 0).then_some(e.error_code as u32);
        match find_rule(code, &e.message) {
            Some(rule) => {
                if let Some(existing) = out.iter_mut().find(|x| x.id == rule.id) {
                    if rule.id != "missing-dependencies" && !existing.details.contains(&e.message) {
                        existing.details.push(e.message.clone());
                    }
                } else {
                    out.push(from_rule(rule, code, vec![e.message.clone()]));
                }
            }
            None => out.push(unknown(code, &e.message)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_pipelines::{MissingDependency, SolutionValidationResult};

    fn error(code: i32, message: &str) -> SolutionValidationResult {
        SolutionValidationResult {
            solution_validation_result_type: Severity::Error,
            message: message.into(),
            error_code: code,
            additional_info: None,
        }
    }

    fn missing(solution: &str, component: &str) -> MissingDependency {
        MissingDependency {
            required_component_schema_name: component.into(),
            required_component_parent_schema_name: solution.into(),
            ..Default::default()
        }
    }

    #[test]
    fn codes_parse_in_every_spelling() {
        assert_eq!(parse_code("0x8004801D"), Some(0x8004_801D));
        assert_eq!(parse_code("-2147188707"), Some(0x8004_801D));
        assert_eq!(parse_code("8004801d"), Some(0x8004_801D));
        assert_eq!(parse_code("zz"), None);
    }

    #[test]
    fn missing_dependencies_are_grouped_by_required_solution() {
        let results = ValidationResults::from_entries(
            vec![error(
                -2147188707,
                "The import failed: required solutions are missing.",
            )],
            vec![
                missing("AnalyticsBase", "cont_metric"),
                missing("AnalyticsBase", "cont_kpi"),
                missing("Maps", "cont_map"),
            ],
            None,
        );
        let ex = explain_validation(&results);
        assert_eq!(ex.len(), 1, "{ex:?}");
        assert_eq!(ex[0].id, "missing-dependencies");
        assert_eq!(ex[0].code.as_deref(), Some("0x8004801D"));
        assert_eq!(
            ex[0].details,
            [
                "install AnalyticsBase (needed for cont_metric, cont_kpi)",
                "install Maps (needed for cont_map)"
            ]
        );
    }

    #[test]
    fn known_codes_and_messages_are_explained() {
        let cases = [
            (Some("0x80048040"), "whatever", "managed-over-unmanaged"),
            (
                None,
                "SecLib::CheckPrivilege failed: prvImportCustomization",
                "missing-privilege",
            ),
            (
                None,
                "Cannot start another import: another import is running",
                "import-in-progress",
            ),
            (
                None,
                "artifactversion 1.0 must be greater than 1.0.0.4",
                "version-not-higher",
            ),
            (
                None,
                "Connection 'x' does not exist in the target",
                "connection-not-found",
            ),
            (Some("0x80049B00"), "", "throttled"),
        ];
        for (code, msg, id) in cases {
            let ex = explain_message(code, msg).unwrap_or_else(|| panic!("{msg} not explained"));
            assert_eq!(ex.id, id, "{msg}");
            assert!(!ex.next_step.is_empty());
        }
        assert!(explain_message(None, "a cosmic ray").is_none());
    }

    #[test]
    fn unknown_errors_still_show_the_hosts_words() {
        let results = ValidationResults::from_entries(vec![error(42, "Odd failure")], vec![], None);
        let ex = explain_validation(&results);
        assert_eq!(
            (ex[0].id.as_str(), ex[0].cause.as_str()),
            ("unknown", "Odd failure")
        );
        let ex = explain_run(None, Some("pre-deployment step failed: not today"));
        assert_eq!(ex[0].id, "pre-deployment-rejected");
    }
}
