//! Raw files → [`SolutionPackage`]: pure, no I/O, so property tests can feed it anything.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::SolutionError;
use crate::model::*;
use crate::source::{RawFile, RawPackage};
use crate::version::Version;
use crate::xml::{self, Element, XmlError};

pub(crate) fn xml_error(path: &Path, entry: &str, e: XmlError) -> SolutionError {
    match e {
        XmlError::Doctype => SolutionError::XmlDoctype {
            path: path.to_path_buf(),
            entry: entry.to_string(),
        },
        XmlError::Malformed(detail) => SolutionError::Xml {
            path: path.to_path_buf(),
            entry: entry.to_string(),
            detail,
        },
        XmlError::TooMany { what, limit } => SolutionError::TooMany {
            path: path.to_path_buf(),
            entry: entry.to_string(),
            limit,
            what,
        },
    }
}

struct Ctx<'a> {
    path: &'a Path,
    limits: xml::Limits,
}

impl Ctx<'_> {
    fn text(&self, file: &RawFile) -> Result<String, SolutionError> {
        let text =
            crate::text::decode(file.bytes.clone()).map_err(|detail| SolutionError::Encoding {
                path: self.path.to_path_buf(),
                entry: file.name.clone(),
                detail,
            })?;
        if text.trim().is_empty() {
            return Err(self.invalid(file, "is empty (zero bytes or only whitespace)"));
        }
        Ok(text)
    }

    fn xml(&self, file: &RawFile, keep: impl Fn(&str) -> bool) -> Result<Element, SolutionError> {
        let text = self.text(file)?;
        xml::parse_filtered(&text, self.limits, keep)
            .map_err(|e| xml_error(self.path, &file.name, e))
    }

    fn invalid(&self, file: &RawFile, detail: impl Into<String>) -> SolutionError {
        SolutionError::InvalidManifest {
            path: self.path.to_path_buf(),
            entry: file.name.clone(),
            detail: detail.into(),
        }
    }
}

/// Builds the package description from its raw files.
pub(crate) fn describe(raw: &RawPackage) -> Result<SolutionPackage, SolutionError> {
    let ctx = Ctx {
        path: &raw.path,
        limits: xml::Limits::items(raw.limits.max_items),
    };
    let doc = ctx.xml(&raw.manifest, |_| true)?;
    let mf = &raw.manifest;
    if !doc.name.eq_ignore_ascii_case("ImportExportXml") {
        return Err(ctx.invalid(
            mf,
            format!(
                "is not a solution manifest (root element <{}>, expected <ImportExportXml>)",
                doc.name
            ),
        ));
    }
    let m = doc
        .child("SolutionManifest")
        .ok_or_else(|| ctx.invalid(mf, "has no <SolutionManifest> element"))?;
    let unique_name = m
        .child_text("UniqueName")
        .ok_or_else(|| ctx.invalid(mf, "has no <UniqueName>"))?;
    let base_lcid = doc.attr("languagecode").and_then(|v| v.trim().parse().ok());
    let localized_names = localized(m);
    let display_name =
        pick_name(&localized_names, base_lcid).unwrap_or_else(|| unique_name.clone());
    let version = m
        .child_text("Version")
        .ok_or_else(|| ctx.invalid(mf, "has no <Version>"))?;
    let managed = match m.child_text("Managed").as_deref() {
        Some("0") => ManagedState::Unmanaged,
        Some("1") => ManagedState::Managed,
        Some("2") => ManagedState::Both,
        other => {
            return Err(ctx.invalid(
                mf,
                format!(
                    "has <Managed> `{}`; expected 0, 1 or 2",
                    other.unwrap_or("")
                ),
            ))
        }
    };
    let publisher = publisher(&ctx, mf, m)?;
    let root_components = root_components(&ctx, mf, m)?;
    let missing_dependencies = missing_dependencies(m);
    let required_solutions = required_solutions(&missing_dependencies);

    let keep = |n: &str| {
        ["connectionreferences", "Workflows", "CanvasApps"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(n))
    };
    let custom = ctx.xml(&raw.customizations, keep)?;
    let connection_references = connection_references(&ctx, &raw.customizations, &custom)?;
    let environment_variables = raw
        .env_vars
        .iter()
        .map(|ev| environment_variable(&ctx, &ev.folder, &ev.definition, ev.values.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;

    let mut extra = Vec::new();
    for section in ["Workflows", "CanvasApps"] {
        if let Some(s) = custom.child(section) {
            extra.extend(s.children.iter().cloned());
        }
    }
    for file in &raw.component_files {
        extra.push(ctx.xml(file, |_| true)?);
    }
    let components = components(
        &root_components,
        &connection_references,
        &environment_variables,
        &extra,
    );

    let parsed = Version::parse(&version).ok();
    Ok(SolutionPackage {
        unique_name,
        display_name,
        localized_names,
        version_parts: parsed.map(|v| v.parts().to_vec()),
        version,
        managed,
        publisher,
        root_components,
        missing_dependencies,
        required_solutions,
        connection_references,
        environment_variables,
        components,
        format: PackageFormat {
            kind: raw.kind,
            manifest_path: raw.manifest.name.clone(),
            import_export_version: doc.attr("version").map(str::to_string),
            solution_package_version: doc.attr("SolutionPackageVersion").map(str::to_string),
            generated_by: doc.attr("generatedBy").map(str::to_string),
            organization_version: doc.attr("OrganizationVersion").map(str::to_string),
            organization_schema_type: doc.attr("OrganizationSchemaType").map(str::to_string),
            language_code: base_lcid,
            has_content_types: raw.has_content_types,
        },
    })
}

fn localized(parent: &Element) -> Vec<LocalizedName> {
    parent
        .child("LocalizedNames")
        .map(|names| {
            names
                .children_named("LocalizedName")
                .filter_map(|n| {
                    Some(LocalizedName {
                        language_code: n.attr("languagecode").and_then(|v| v.trim().parse().ok()),
                        name: n.attr("description")?.to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

fn pick_name(names: &[LocalizedName], lcid: Option<u32>) -> Option<String> {
    names
        .iter()
        .find(|n| lcid.is_some() && n.language_code == lcid)
        .or_else(|| names.first())
        .map(|n| n.name.clone())
}

fn publisher(ctx: &Ctx<'_>, mf: &RawFile, m: &Element) -> Result<Publisher, SolutionError> {
    let p = m
        .child("Publisher")
        .ok_or_else(|| ctx.invalid(mf, "has no <Publisher>"))?;
    let unique_name = p
        .child_text("UniqueName")
        .ok_or_else(|| ctx.invalid(mf, "has no publisher <UniqueName>"))?;
    let option_value_prefix = match p.child_text("CustomizationOptionValuePrefix") {
        None => None,
        Some(v) => Some(v.parse().map_err(|_| {
            ctx.invalid(
                mf,
                format!("has a publisher option value prefix `{v}` that is not a number"),
            )
        })?),
    };
    Ok(Publisher {
        unique_name,
        display_name: pick_name(&localized(p), None),
        prefix: p.child_text("CustomizationPrefix"),
        option_value_prefix,
    })
}

fn root_components(
    ctx: &Ctx<'_>,
    mf: &RawFile,
    m: &Element,
) -> Result<Vec<RootComponent>, SolutionError> {
    let Some(list) = m.child("RootComponents") else {
        return Ok(Vec::new());
    };
    list.children_named("RootComponent")
        .map(|rc| {
            let raw_type = rc
                .attr("type")
                .ok_or_else(|| ctx.invalid(mf, "has a <RootComponent> without a type"))?;
            let component_type = ComponentType::parse(raw_type);
            let behavior = match rc.attr("behavior").map(str::trim) {
                None | Some("") => 0,
                Some(b) => b.parse().map_err(|_| {
                    ctx.invalid(
                        mf,
                        format!("has a <RootComponent> with behavior `{b}`; expected 0, 1 or 2"),
                    )
                })?,
            };
            Ok(RootComponent {
                type_name: component_type.label(),
                component_type,
                schema_name: non_empty(rc.attr("schemaName")),
                id: non_empty(rc.attr("id")),
                behavior,
            })
        })
        .collect()
}

fn non_empty(v: Option<&str>) -> Option<String> {
    v.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn missing_dependencies(m: &Element) -> Vec<MissingDependency> {
    let Some(list) = m.child("MissingDependencies") else {
        return Vec::new();
    };
    list.children_named("MissingDependency")
        .map(|md| {
            let required = dependency_component(md.child("Required"));
            let dependent = dependency_component(md.child("Dependent"));
            let (required_solution, required_version) = match required.attributes.get("solution") {
                None => (None, None),
                Some(s) => match split_solution(s) {
                    Some((name, version)) => (Some(name), Some(version)),
                    None => (Some(s.trim().to_string()), None),
                },
            };
            MissingDependency {
                required_solution,
                required_version,
                required,
                dependent,
            }
        })
        .collect()
}

/// `"CreatorKitCore (1.0.20230412.1)"` → name and version; `Active` has no version.
fn split_solution(s: &str) -> Option<(String, String)> {
    let s = s.trim();
    let body = s.strip_suffix(')')?;
    let open = body.rfind(" (")?;
    let (name, version) = (&body[..open], &body[open + 2..]);
    if version.contains(['(', ')']) || name.is_empty() {
        return None;
    }
    Some((name.to_string(), version.to_string()))
}

fn dependency_component(e: Option<&Element>) -> DependencyComponent {
    let Some(e) = e else {
        return DependencyComponent {
            component_type: None,
            schema_name: None,
            display_name: None,
            id: None,
            parent_schema_name: None,
            attributes: BTreeMap::new(),
            packages: Vec::new(),
        };
    };
    let attributes: BTreeMap<String, String> = e.attrs.iter().cloned().collect();
    DependencyComponent {
        component_type: e.attr("type").map(ComponentType::parse),
        schema_name: non_empty(e.attr("schemaName")),
        display_name: non_empty(e.attr("displayName")),
        id: non_empty(e.attr("id")),
        parent_schema_name: non_empty(e.attr("parentSchemaName")),
        attributes,
        packages: e
            .children_named("package")
            .map(|p| p.text.trim().to_string())
            .collect(),
    }
}

/// One entry per required solution (not `Active`), in order of first mention, with the
/// highest version any entry asks for.
fn required_solutions(deps: &[MissingDependency]) -> Vec<RequiredSolution> {
    let mut out: Vec<RequiredSolution> = Vec::new();
    for d in deps {
        let (Some(name), Some(version)) = (&d.required_solution, &d.required_version) else {
            continue;
        };
        match out.iter_mut().find(|r| &r.name == name) {
            Some(r) => {
                r.entries += 1;
                if newer(version, &r.min_version) {
                    r.min_version = version.clone();
                }
            }
            None => out.push(RequiredSolution {
                name: name.clone(),
                min_version: version.clone(),
                entries: 1,
            }),
        }
    }
    out
}

fn newer(a: &str, b: &str) -> bool {
    match (Version::parse(a), Version::parse(b)) {
        (Ok(a), Ok(b)) => a > b,
        (Ok(_), Err(_)) => true,
        _ => false,
    }
}

fn connection_references(
    ctx: &Ctx<'_>,
    file: &RawFile,
    custom: &Element,
) -> Result<Vec<ConnectionReference>, SolutionError> {
    let Some(list) = custom.child("connectionreferences") else {
        return Ok(Vec::new());
    };
    list.children_named("connectionreference")
        .map(|cr| {
            let logical_name =
                non_empty(cr.attr("connectionreferencelogicalname")).ok_or_else(|| {
                    ctx.invalid(
                        file,
                        "has a <connectionreference> without connectionreferencelogicalname",
                    )
                })?;
            // Direct child only: custom connectors nest another <connectorid> (a GUID).
            let custom_connector_id = cr
                .child("customconnectorid")
                .and_then(|c| c.child_text("connectorid"));
            Ok(ConnectionReference {
                logical_name,
                display_name: cr.child_text("connectionreferencedisplayname"),
                connector_id: cr.child_text("connectorid"),
                custom_connector: custom_connector_id.is_some(),
                custom_connector_id,
                description: cr.child_text("description"),
                prompting_behavior: cr
                    .child_text("promptingbehavior")
                    .and_then(|v| v.parse().ok()),
            })
        })
        .collect()
}

fn environment_variable(
    ctx: &Ctx<'_>,
    folder: &str,
    def: &RawFile,
    values: Option<&RawFile>,
) -> Result<EnvironmentVariable, SolutionError> {
    let doc = ctx.xml(def, |_| true)?;
    if !doc
        .name
        .eq_ignore_ascii_case("environmentvariabledefinition")
    {
        return Err(ctx.invalid(
            def,
            format!(
                "has root <{}>, expected <environmentvariabledefinition>",
                doc.name
            ),
        ));
    }
    let schema_name = non_empty(doc.attr("schemaname")).unwrap_or_else(|| folder.to_string());
    let type_code: Option<u32> = doc.child_text("type").and_then(|t| t.parse().ok());
    let var_type = type_code.map_or(EnvVarType::Unknown, EnvVarType::from_code);
    let display_name = doc.child("displayname").and_then(|d| {
        non_empty(d.attr("default")).or_else(|| {
            d.children_named("label")
                .find_map(|l| non_empty(l.attr("description")))
        })
    });
    let default_value = doc
        .child("defaultvalue")
        .filter(|d| !d.is_nil() && !d.text.is_empty())
        .map(|d| d.text.clone());
    let value = match values {
        None => None,
        Some(file) => current_value(ctx, file)?,
    };
    Ok(EnvironmentVariable {
        schema_name,
        display_name,
        var_type,
        type_code,
        default_value,
        has_value: value.is_some(),
        value: if var_type == EnvVarType::Secret {
            None
        } else {
            value
        },
        required: doc.child_text("isrequired").as_deref() == Some("1"),
        api_id: doc.child_text("apiid"),
        parameter_key: doc.child_text("parameterkey"),
        parent_schema_name: doc
            .child("parentdefinitionid")
            .and_then(|p| p.child_text("schemaname")),
    })
}

/// `{"environmentvariablevalues":{"environmentvariablevalue":{"value":"…"}}}` (object, or an
/// array of which the first is taken).
fn current_value(ctx: &Ctx<'_>, file: &RawFile) -> Result<Option<String>, SolutionError> {
    let text =
        crate::text::decode(file.bytes.clone()).map_err(|detail| SolutionError::Encoding {
            path: ctx.path.to_path_buf(),
            entry: file.name.clone(),
            detail,
        })?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| SolutionError::Json {
        path: ctx.path.to_path_buf(),
        entry: file.name.clone(),
        detail: e.to_string(),
    })?;
    let inner = &json["environmentvariablevalues"]["environmentvariablevalue"];
    let inner = if inner.is_array() { &inner[0] } else { inner };
    Ok(match &inner["value"] {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    })
}

/// Root components, connection references, environment variables, flows and canvas apps,
/// one entry per (kind, key), sorted.
fn components(
    roots: &[RootComponent],
    refs: &[ConnectionReference],
    vars: &[EnvironmentVariable],
    extra: &[Element],
) -> Vec<Component> {
    let mut map: BTreeMap<(String, String), Component> = BTreeMap::new();
    let mut add = |kind: &str, key: String, display_name: Option<String>| {
        let entry = map
            .entry((kind.to_string(), key.to_ascii_lowercase()))
            .or_insert_with(|| Component {
                kind: kind.to_string(),
                key,
                display_name: None,
            });
        if entry.display_name.is_none() {
            entry.display_name = display_name;
        }
    };
    for rc in roots {
        if let Some(key) = rc
            .schema_name
            .clone()
            .or_else(|| rc.id.as_deref().map(normal_id))
        {
            add(&rc.type_name, key, None);
        }
    }
    for cr in refs {
        add(
            "connectionReference",
            cr.logical_name.clone(),
            cr.display_name.clone(),
        );
    }
    for ev in vars {
        add(
            "environmentVariableDefinition",
            ev.schema_name.clone(),
            ev.display_name.clone(),
        );
    }
    for e in extra {
        if e.name.eq_ignore_ascii_case("Workflow") {
            if let Some(id) = e.attr("WorkflowId") {
                add("workflow", normal_id(id), non_empty(e.attr("Name")));
            }
        } else if e.name.eq_ignore_ascii_case("CanvasApp") {
            if let Some(name) = e.child_text("Name") {
                add("canvasApp", name, e.child_text("DisplayName"));
            }
        }
    }
    map.into_values().collect()
}

/// `{ABC-…}` → `abc-…`.
fn normal_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::split_solution;

    #[test]
    fn splits_required_solution_attribute() {
        assert_eq!(
            split_solution("CreatorKitCore (1.0.20230412.1)"),
            Some(("CreatorKitCore".into(), "1.0.20230412.1".into()))
        );
        assert_eq!(
            split_solution("My (odd) name (2.5)"),
            Some(("My (odd) name".into(), "2.5".into()))
        );
        assert_eq!(split_solution("Active"), None);
        assert_eq!(split_solution("(1.0)"), None);
    }
}
