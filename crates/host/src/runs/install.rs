//! Installing a solution into an environment's tables: what an import does to
//! a target (and what loading a package does to a dev environment).

use ferry_pipelines::DeploymentSettings;
use rusqlite::Connection;
use serde_json::{json, Map, Value};

use crate::clock;
use crate::package::SolutionSpec;
use crate::schema::{CONNECTION_REFERENCE_COMPONENT, VARIABLE_DEFINITION_COMPONENT};
use crate::store::records::{self, InsertError, Record};

/// Hidden column of a dev `solutions` row and of an artifact: the stored package (relative to
/// the data dir) its exports are made from, when it was loaded from a real package.
pub const PACKAGE_COLUMN: &str = "__package";

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Finds the row whose `key` equals `value`, or inserts `fresh`; then merges `fields`.
fn upsert(
    conn: &Connection,
    env: &str,
    set: &str,
    key_column: &str,
    match_key: &str,
    match_value: &str,
    fields: Map<String, Value>,
) -> Result<Record, InsertError> {
    if let Some(mut row) = records::find(conn, env, set, match_key, match_value)?
        .into_iter()
        .next()
    {
        for (k, v) in fields {
            row.data.insert(k, v);
        }
        records::update(conn, env, set, &mut row)?;
        return Ok(row);
    }
    let mut data = fields;
    data.insert(match_key.into(), Value::String(match_value.to_string()));
    records::insert(conn, env, set, key_column, &new_id(), data)
}

/// What an installed solution looks like afterwards.
pub struct Installed {
    pub solution: Record,
}

/// Installs `spec` at `version` into `env`: solution, publisher, components,
/// variable definitions and values, connection references and their bindings.
pub fn install(
    conn: &Connection,
    env: &str,
    spec: &SolutionSpec,
    version: &str,
    managed: bool,
    settings: &DeploymentSettings,
) -> Result<Installed, InsertError> {
    let publisher = upsert(
        conn,
        env,
        "publishers",
        "publisherid",
        "uniquename",
        &spec.publisher,
        obj(json!({
            "friendlyname": if spec.publisher_display_name.is_empty() { &spec.publisher } else { &spec.publisher_display_name },
            "customizationprefix": spec.prefix,
        })),
    )?;
    let mut fields = obj(json!({
        "friendlyname": if spec.display_name.is_empty() { &spec.unique_name } else { &spec.display_name },
        "version": version,
        "ismanaged": managed,
        "isvisible": true,
        "description": spec.description,
        "_publisherid_value": publisher.id,
        "installedon": clock::now_text(),
    }));
    fields.insert(
        "__spec".into(),
        serde_json::to_value(spec).expect("spec serializes"),
    );
    let solution = upsert(
        conn,
        env,
        "solutions",
        "solutionid",
        "uniquename",
        &spec.unique_name,
        fields,
    )?;

    for old in records::find(
        conn,
        env,
        "solutioncomponents",
        "_solutionid_value",
        &solution.id,
    )? {
        records::delete(conn, env, "solutioncomponents", &old.id)?;
    }
    let mut components: Vec<(i64, String)> = spec
        .components
        .iter()
        .map(|(c, n)| (i64::from(*c), n.clone()))
        .collect();

    for v in &spec.environment_variables {
        let def = upsert(
            conn,
            env,
            "environmentvariabledefinitions",
            "environmentvariabledefinitionid",
            "schemaname",
            &v.schema_name,
            obj(
                json!({ "displayname": v.display_name, "type": v.type_code(), "defaultvalue": v.default_value }),
            ),
        )?;
        components.push((VARIABLE_DEFINITION_COMPONENT, def.id.clone()));
        if let Some(s) = settings
            .environment_variables
            .iter()
            .find(|s| s.schema_name.eq_ignore_ascii_case(&v.schema_name))
        {
            upsert(
                conn,
                env,
                "environmentvariablevalues",
                "environmentvariablevalueid",
                "schemaname",
                &v.schema_name,
                obj(json!({ "value": s.value, "_environmentvariabledefinitionid_value": def.id })),
            )?;
        }
    }
    for c in &spec.connection_references {
        let mut fields = obj(
            json!({ "connectionreferencedisplayname": c.display_name, "connectorid": c.connector_id }),
        );
        if let Some(s) = settings
            .connection_references
            .iter()
            .find(|s| s.logical_name.eq_ignore_ascii_case(&c.logical_name))
        {
            fields.insert(
                "connectionid".into(),
                Value::String(s.connection_id.clone()),
            );
        }
        let row = upsert(
            conn,
            env,
            "connectionreferences",
            "connectionreferenceid",
            "connectionreferencelogicalname",
            &c.logical_name,
            fields,
        )?;
        components.push((CONNECTION_REFERENCE_COMPONENT, row.id.clone()));
    }
    for (code, object) in components {
        let objectid = if uuid::Uuid::parse_str(&object).is_ok() {
            object
        } else {
            uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, object.as_bytes()).to_string()
        };
        records::insert(
            conn,
            env,
            "solutioncomponents",
            "solutioncomponentid",
            &new_id(),
            obj(json!({
                "_solutionid_value": solution.id,
                "componenttype": code,
                "objectid": objectid,
                "rootcomponentbehavior": 0,
                "ismetadata": false,
            })),
        )?;
    }
    Ok(Installed { solution })
}

/// The spec stored with a solution row, if the host installed it.
pub fn spec_of(row: &Record) -> Option<SolutionSpec> {
    row.data
        .get("__spec")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// Loads a real solution package (zip or source folder) into `env`, as an import there would:
/// its tables, the environment variable values it ships (as `environmentvariablevalues` rows,
/// merged under `bindings`' connection references), and for a zip the package itself, kept in
/// the data dir (`packages/<env>/…`) so exports are its bytes, not a zip rebuilt from metadata.
pub fn load_package(
    conn: &Connection,
    env: &str,
    path: &std::path::Path,
    bindings: impl FnOnce(&SolutionSpec) -> DeploymentSettings,
) -> anyhow::Result<SolutionSpec> {
    let pkg = ferry_solution::open(path)
        .map_err(|e| anyhow::anyhow!("cannot read the solution package {}: {e}", path.display()))?;
    let spec = SolutionSpec::from_package(&pkg);
    let mut settings = bindings(&spec);
    for v in &pkg.environment_variables {
        let shipped = v.value.as_ref().filter(|_| v.has_value);
        let already = settings
            .environment_variables
            .iter()
            .any(|s| s.schema_name.eq_ignore_ascii_case(&v.schema_name));
        if let (Some(value), false) = (shipped, already) {
            settings.environment_variables.push(
                ferry_pipelines::settings::EnvironmentVariableSetting {
                    schema_name: v.schema_name.clone(),
                    value: value.clone(),
                    ..Default::default()
                },
            );
        }
    }
    let installed = install(conn, env, &spec, &spec.version, spec.managed, &settings)
        .map_err(|e| anyhow::anyhow!("cannot store the solution: {e}"))?;
    if path.is_file() {
        let rel = format!(
            "packages/{env}/{}-{}.zip",
            spec.unique_name,
            uuid::Uuid::new_v4().simple()
        );
        let dest = crate::store::files::data_dir(conn).join(&rel);
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::copy(path, &dest)
            .map_err(|e| anyhow::anyhow!("cannot keep the package {}: {e}", path.display()))?;
        let mut row = installed.solution;
        if let Some(old) = row.str(PACKAGE_COLUMN) {
            let _ = std::fs::remove_file(crate::store::files::data_dir(conn).join(old));
        }
        row.set(PACKAGE_COLUMN, rel);
        records::update(conn, env, "solutions", &mut row)?;
    }
    Ok(spec)
}
