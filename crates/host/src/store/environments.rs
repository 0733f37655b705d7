//! The environments the host knows (itself, dev and target environments) and
//! each environment's connections. These are not Dataverse tables of the host:
//! they stand for the tenant around it (the admin API and the connections API).

use rusqlite::{params, Connection, OptionalExtension as _};
use serde::{Deserialize, Serialize};

/// What an environment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EnvKind {
    Host,
    Development,
    Target,
}

/// One environment of the emulated tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvInfo {
    /// Short name used in URLs: `{base}/environments/{name}/`.
    pub name: String,
    /// The Power Platform (BAP) environment id.
    pub bap_id: String,
    pub kind: EnvKind,
    pub display_name: String,
    /// Imports into this environment that will still fail on purpose (fault knob).
    #[serde(default)]
    pub import_failures: u32,
    /// The pipelines host this environment is bound to (its `ProjectHostEnvironmentId`, §1),
    /// by name: `host` for the first host, another host's name, or `None` (bound to no host).
    /// Data written before hosts were named has no such field: bound to the first host, as
    /// every environment was then.
    #[serde(default = "first_host")]
    pub bound_host: Option<String>,
    /// A host that is the tenant's platform host (BAP `environmentSku` `Platform`, §1 step 2).
    #[serde(default)]
    pub platform: bool,
}

fn first_host() -> Option<String> {
    Some(crate::schema::HOST_SCOPE.to_string())
}

impl EnvInfo {
    /// The store scope of this environment's Web API: `host` for the first host,
    /// `host:{name}` for another host (so the schema serves it the pipelines tables),
    /// the name for a dev or target environment.
    pub fn scope(&self) -> String {
        match self.kind {
            EnvKind::Host => crate::schema::host_scope(&self.name),
            _ => self.name.clone(),
        }
    }

    /// The path of its instance below the origin: empty for the first host, else
    /// `/environments/{name}` (no trailing slash).
    pub fn path(&self) -> String {
        if self.name == crate::schema::HOST_SCOPE {
            String::new()
        } else {
            format!("/environments/{}", self.name)
        }
    }
}

/// One connection in an environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionInfo {
    pub id: String,
    /// Connector name, e.g. `shared_office365`.
    pub connector: String,
    pub display_name: String,
    /// `Connected` or `Error`.
    pub status: String,
}

pub fn put(conn: &Connection, env: &EnvInfo) -> rusqlite::Result<()> {
    let data = serde_json::to_string(env).expect("env serializes");
    conn.prepare_cached("INSERT INTO environments (name, seq, data) VALUES (?1, (SELECT COUNT(*) FROM environments), ?2)
         ON CONFLICT(name) DO UPDATE SET data = ?2")?
        .execute(params![env.name, data],
    )?;
    Ok(())
}

pub fn list(conn: &Connection) -> rusqlite::Result<Vec<EnvInfo>> {
    let mut stmt = conn.prepare_cached("SELECT data FROM environments ORDER BY seq")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows
        .filter_map(|r| r.ok())
        .filter_map(|d| serde_json::from_str(&d).ok())
        .collect())
}

pub fn get(conn: &Connection, name: &str) -> rusqlite::Result<Option<EnvInfo>> {
    let data: Option<String> = conn
        .query_row(
            "SELECT data FROM environments WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    Ok(data.and_then(|d| serde_json::from_str(&d).ok()))
}

/// The environment with this BAP id (compared case-insensitively).
pub fn by_bap_id(conn: &Connection, bap_id: &str) -> rusqlite::Result<Option<EnvInfo>> {
    Ok(list(conn)?.into_iter().find(|e| {
        e.bap_id
            .eq_ignore_ascii_case(bap_id.trim_matches(['{', '}']))
    }))
}

/// The environment served under a store scope (see [`EnvInfo::scope`]).
pub fn by_scope(conn: &Connection, scope: &str) -> rusqlite::Result<Option<EnvInfo>> {
    Ok(list(conn)?.into_iter().find(|e| e.scope() == scope))
}

/// Binds `env` to the host `host` (or to none), as validation or a force link does.
pub fn bind(conn: &Connection, env: &str, host: Option<&str>) -> rusqlite::Result<()> {
    if let Some(mut info) = get(conn, env)? {
        info.bound_host = host.map(str::to_string);
        put(conn, &info)?;
    }
    Ok(())
}

pub fn put_connection(conn: &Connection, env: &str, c: &ConnectionInfo) -> rusqlite::Result<()> {
    let data = serde_json::to_string(c).expect("connection serializes");
    conn.prepare_cached(
        "INSERT INTO connections (env, id, data) VALUES (?1, ?2, ?3)
         ON CONFLICT(env, id) DO UPDATE SET data = ?3",
    )?
    .execute(params![env, c.id, data])?;
    Ok(())
}

pub fn connections(conn: &Connection, env: &str) -> rusqlite::Result<Vec<ConnectionInfo>> {
    let mut stmt =
        conn.prepare_cached("SELECT data FROM connections WHERE env = ?1 ORDER BY rowid")?;
    let rows = stmt.query_map([env], |r| r.get::<_, String>(0))?;
    Ok(rows
        .filter_map(|r| r.ok())
        .filter_map(|d| serde_json::from_str(&d).ok())
        .collect())
}
