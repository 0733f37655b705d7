//! Scenarios: the tenant a host starts with — environments, connections,
//! solutions in each environment, pipelines, stages with their gates, users —
//! read from TOML or built in (`demo`). A scenario seeds a fresh data
//! directory once; afterwards the database is the truth. Its `[options]` are in `options`,
//! a leaf the runs read them from.

pub mod options;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use ferry_pipelines::DeploymentSettings;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::events::webhooks::{self, WebhookSpec};
use crate::package::SolutionSpec;
use crate::runs::install::install;
use crate::schema::HOST_SCOPE;
use crate::store::environments::{self, ConnectionInfo, EnvInfo, EnvKind};
use crate::store::records;

pub use options::ScenarioOptions;

/// A seeded user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserSpec {
    pub name: String,
    pub upn: String,
    /// `maker`, `admin`, `approver`.
    pub roles: Vec<String>,
}

/// An application user (spec §4: a service principal a stage may be delegated to): it signs
/// in with the `client_credentials` grant (`client_id` = `app_id`, `client_secret` =
/// `secret`) and gets app-only tokens (`idtyp: app`, `roles`, no `upn`/`scp`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApplicationSpec {
    pub name: String,
    /// The Entra application (client) id; a stage's `spn_client_id` names it.
    pub app_id: String,
    /// The client secret of this scenario (stored hashed).
    pub secret: String,
    /// `maker`, `admin`, `approver`.
    pub roles: Vec<String>,
}

/// A connection in an environment.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectionSpec {
    pub id: String,
    /// Connector name, e.g. `shared_office365`.
    pub connector: String,
    pub display_name: String,
}

/// A solution an environment holds: from a package on disk, or described inline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SolutionEntry {
    /// A solution `.zip` or source folder, relative to the scenario file.
    pub path: Option<PathBuf>,
    #[serde(flatten)]
    pub spec: SolutionSpec,
}

/// One environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EnvironmentSpec {
    pub name: String,
    pub display_name: String,
    /// `development` or `target`.
    pub kind: EnvKind,
    /// Power Platform environment id; derived from the name when omitted.
    pub id: Option<String>,
    /// The host it is registered on and bound to: omitted = the first host, a `[[hosts]]`
    /// name, or `""` = registered nowhere and bound to no host.
    pub host: Option<String>,
    /// Register it on its host at seed time.
    pub register: bool,
    /// How that registration stands; only `success` binds the environment to the host.
    pub validation: ValidationSpec,
    /// Binds the environment to its host (`ProjectHostEnvironmentId`) whatever its
    /// registration says — `true` models a registration deleted, or validated again,
    /// after the link was made [I] — or (`false`) not at all. Omitted: bound exactly
    /// when its registration validated. Bound and not registered, `host` may name a
    /// plain environment: one whose Pipelines app is gone.
    pub bound: Option<bool>,
    /// Imports into this environment that fail on purpose.
    pub import_failures: u32,
    pub connections: Vec<ConnectionSpec>,
    pub solutions: Vec<SolutionEntry>,
}

impl Default for EnvironmentSpec {
    fn default() -> Self {
        Self {
            name: String::new(),
            display_name: String::new(),
            kind: EnvKind::Target,
            id: None,
            host: None,
            register: true,
            validation: ValidationSpec::Success,
            bound: None,
            import_failures: 0,
            connections: Vec::new(),
            solutions: Vec::new(),
        }
    }
}

/// How a seeded registration stands (spec §3.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ValidationSpec {
    /// 200000001: validated; the environment is bound to the host.
    #[default]
    Success,
    /// 200000000: registered, validation not finished; not bound yet.
    Pending,
    /// 200000002: validation failed (`errormessage` says why); not bound.
    Failed,
}

impl ValidationSpec {
    fn code(self) -> i64 {
        match self {
            Self::Pending => 200000000,
            Self::Success => 200000001,
            Self::Failed => 200000002,
        }
    }
}

/// The tenant around the hosts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TenantSpec {
    /// The first host (`{base}`) is the tenant's platform host: its BAP entry has
    /// `environmentSku` `Platform` (§1 step 2).
    pub platform_host: bool,
    /// What `RetrieveSetting('DefaultCustomPipelinesHostEnvForTenant')` answers: a host's
    /// name (its BAP id is answered) or a BAP id as is. Empty (the default): no default.
    pub default_custom_host: String,
}

/// Another pipelines host in the tenant, served at `{base}/environments/{name}/`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HostSpec {
    pub name: String,
    pub display_name: String,
    /// Power Platform environment id; derived from the name when omitted.
    pub id: Option<String>,
    /// This host is the tenant's platform host (BAP `environmentSku` `Platform`).
    pub platform: bool,
}

/// One stage, in pipeline order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StageSpec {
    pub name: String,
    /// Target environment name.
    pub target: String,
    pub pre_export_step: bool,
    pub pre_deployment_step: bool,
    /// Delegated deployment: runs wait for `UpdateApprovalStatus`.
    pub delegated: bool,
    /// Stage-owner delegation: this user (UPN) owns the stage and answers its approvals.
    pub approver: Option<String>,
    /// Service-principal delegation: only a caller with this app id answers approvals.
    pub spn_client_id: Option<String>,
    /// Gate automation: approve each gate of this stage's runs after this many
    /// milliseconds (at speed 1), as a flow would; `gate_automation = false` in
    /// `[faults]` stops it.
    pub auto_approve_after_ms: Option<u64>,
}

/// One pipeline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PipelineSpec {
    pub name: String,
    /// The host that holds it: omitted = the first host, else a `[[hosts]]` name.
    pub host: Option<String>,
    pub description: String,
    /// Names of the linked development environments.
    pub dev_environments: Vec<String>,
    pub enable_redeployment: bool,
    pub enable_ai_deployment_notes: bool,
    /// UPNs of the users the pipeline is shared with (seeded as `GrantAccess` shares).
    pub shared_with: Vec<String>,
    pub stages: Vec<StageSpec>,
}

/// A whole scenario.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub options: ScenarioOptions,
    /// The tenant: platform host, default custom host.
    pub tenant: TenantSpec,
    /// Pipelines hosts besides the first one (`{base}`).
    pub hosts: Vec<HostSpec>,
    pub users: Vec<UserSpec>,
    /// Application users (service principals) with a client secret.
    pub applications: Vec<ApplicationSpec>,
    pub environments: Vec<EnvironmentSpec>,
    pub pipelines: Vec<PipelineSpec>,
    /// Webhook subscriptions to the business events (spec §7.3).
    pub webhooks: Vec<WebhookSpec>,
    /// Faults on purpose, applied at every start (see `faults`).
    pub faults: crate::faults::FaultSpec,
    /// Where relative solution paths start (the scenario file's folder).
    #[serde(skip)]
    pub base_dir: PathBuf,
}

/// The `meta` key of the tenant's default custom host (a BAP id or empty).
pub const DEFAULT_CUSTOM_HOST: &str = "default_custom_host";

/// A stable id derived from a name, so scenario ids are the same on every machine.
pub use crate::ids::derived_id;

impl Scenario {
    /// Parses TOML text.
    pub fn from_toml(text: &str) -> anyhow::Result<Self> {
        let s: Scenario =
            toml::from_str(text).context("the scenario is not valid TOML of the expected shape")?;
        s.check()?;
        Ok(s)
    }

    /// Reads a scenario file; relative package paths start at its folder.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the scenario file {}", path.display()))?;
        let mut s = Self::from_toml(&text).with_context(|| format!("in {}", path.display()))?;
        s.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(s)
    }

    fn check(&self) -> anyhow::Result<()> {
        self.faults
            .check()
            .map_err(|e| anyhow::anyhow!("[faults]: {e}"))?;
        for w in &self.webhooks {
            w.check()
                .map_err(|e| anyhow::anyhow!("[[webhooks]]: {}", e.message))?;
        }
        for a in &self.applications {
            anyhow::ensure!(
                uuid::Uuid::parse_str(a.app_id.trim()).is_ok(),
                "application '{}' needs app_id, a GUID (its client id)",
                a.name
            );
            anyhow::ensure!(
                !a.secret.is_empty(),
                "application '{}' needs a secret (its client secret)",
                a.name
            );
            for r in &a.roles {
                anyhow::ensure!(
                    crate::caller::Role::parse(r).is_some(),
                    "application '{}' has the unknown role '{r}' (maker, admin or approver)",
                    a.name
                );
            }
        }
        let known = |upn: &str| self.users.iter().any(|u| u.upn.eq_ignore_ascii_case(upn));
        for p in &self.pipelines {
            for upn in &p.shared_with {
                anyhow::ensure!(
                    known(upn),
                    "pipeline '{}' is shared with '{upn}', who is not a user of the scenario",
                    p.name
                );
            }
            for s in &p.stages {
                if let Some(upn) = &s.approver {
                    anyhow::ensure!(
                        known(upn),
                        "stage '{}' names the approver '{upn}', who is not a user of the scenario",
                        s.name
                    );
                }
                anyhow::ensure!(
                    s.approver.is_none() || s.spn_client_id.is_none(),
                    "stage '{}' has both an approver and an spn_client_id; choose one delegation",
                    s.name
                );
            }
            for d in &p.dev_environments {
                let env = self.environments.iter().find(|e| &e.name == d);
                anyhow::ensure!(
                    env.is_some_and(|e| e.kind == EnvKind::Development),
                    "pipeline '{}' links '{d}', which is not a development environment of the scenario",
                    p.name
                );
            }
            anyhow::ensure!(
                p.stages.len() <= 7,
                "pipeline '{}' has {} stages; at most 7 are allowed",
                p.name,
                p.stages.len()
            );
            for s in &p.stages {
                let env = self.environments.iter().find(|e| e.name == s.target);
                anyhow::ensure!(
                    env.is_some_and(|e| e.kind == EnvKind::Target),
                    "stage '{}' targets '{}', which is not a target environment of the scenario",
                    s.name,
                    s.target
                );
            }
        }
        self.check_hosts()?;
        for e in &self.environments {
            anyhow::ensure!(
                !e.name.is_empty()
                    && e.name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "environment name '{}' must be letters, digits, '-' or '_' (it is used in URLs)",
                e.name
            );
            anyhow::ensure!(
                e.name != HOST_SCOPE,
                "environment name '{HOST_SCOPE}' is the first host's; choose another"
            );
            anyhow::ensure!(
                e.kind != EnvKind::Host,
                "environment '{}': kind must be development or target",
                e.name
            );
        }
        Ok(())
    }

    /// The host an environment is registered on and bound to (`None`: none).
    pub fn host_of(&self, e: &EnvironmentSpec) -> Option<String> {
        match e.host.as_deref() {
            None => Some(HOST_SCOPE.to_string()),
            Some("") => None,
            Some(h) => Some(h.to_string()),
        }
    }

    fn pipeline_host(p: &PipelineSpec) -> &str {
        p.host.as_deref().unwrap_or(HOST_SCOPE)
    }

    fn check_hosts(&self) -> anyhow::Result<()> {
        let mut names = vec![HOST_SCOPE.to_string()];
        for h in &self.hosts {
            anyhow::ensure!(
                !h.name.is_empty()
                    && h.name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "host name '{}' must be letters, digits, '-' or '_' (it is used in URLs)",
                h.name
            );
            anyhow::ensure!(
                !names.contains(&h.name) && !self.environments.iter().any(|e| e.name == h.name),
                "host name '{}' is used twice (the first host is 'host'; environments and hosts share URLs)",
                h.name
            );
            names.push(h.name.clone());
        }
        for e in &self.environments {
            if let Some(h) = self.host_of(e) {
                // Bound without a registration, it may name a plain environment: a link to
                // an environment whose Pipelines app is gone [I].
                let plain_binding = e.bound == Some(true)
                    && !e.register
                    && self.environments.iter().any(|o| o.name == h);
                anyhow::ensure!(
                    names.contains(&h) || plain_binding,
                    "environment '{}' names the host '{h}', which is not 'host' or a [[hosts]] name",
                    e.name
                );
            }
        }
        for p in &self.pipelines {
            let host = Self::pipeline_host(p);
            anyhow::ensure!(
                names.iter().any(|n| n == host),
                "pipeline '{}' is on the host '{host}', which is not 'host' or a [[hosts]] name",
                p.name
            );
            let linked = p
                .dev_environments
                .iter()
                .chain(p.stages.iter().map(|s| &s.target));
            for name in linked {
                if let Some(e) = self.environments.iter().find(|e| &e.name == name) {
                    anyhow::ensure!(
                        self.host_of(e).as_deref() == Some(host),
                        "pipeline '{}' (on '{host}') uses '{name}', which is not registered on that host",
                        p.name
                    );
                }
            }
        }
        Ok(())
    }

    /// The built-in demo: dev, test, uat and prod; a three-stage pipeline; a gated
    /// single-stage pipeline (approval and a pre-deployment step); a two-stage pipeline with a
    /// pre-deployment gate on one stage and an approval on the other, which allows
    /// redeployment; solutions of different shapes; connections.
    pub fn demo() -> Self {
        Self::from_toml(DEMO).expect("the built-in demo scenario parses")
    }

    /// Seeds an empty database with this scenario.
    pub fn seed(&self, conn: &Connection) -> anyhow::Result<()> {
        let first = HostSpec {
            name: HOST_SCOPE.into(),
            display_name: "Pipelines host".into(),
            id: None,
            platform: self.tenant.platform_host,
        };
        for h in std::iter::once(&first).chain(&self.hosts) {
            self.seed_host(conn, h)?;
        }
        let default_host = &self.tenant.default_custom_host;
        let default_host = match self.hosts.iter().find(|h| &h.name == default_host) {
            Some(h) => {
                h.id.clone()
                    .unwrap_or_else(|| derived_id("environment", &h.name))
            }
            None if default_host == HOST_SCOPE => derived_id("environment", HOST_SCOPE),
            None => default_host.clone(),
        };
        crate::store::meta_set(conn, DEFAULT_CUSTOM_HOST, &default_host)?;
        for e in &self.environments {
            self.seed_environment(conn, e)?;
        }
        let admin = self
            .users
            .iter()
            .find(|u| u.roles.iter().any(|r| r.eq_ignore_ascii_case("admin")))
            .map(|u| derived_id("user", &u.upn))
            .unwrap_or_else(|| derived_id("user", "system"));
        for p in &self.pipelines {
            seed_pipeline(
                conn,
                &crate::schema::host_scope(Self::pipeline_host(p)),
                p,
                &admin,
            )?;
        }
        for (i, w) in self.webhooks.iter().enumerate() {
            let id = derived_id("webhook", &format!("{i}:{}", w.url));
            webhooks::insert(conn, &id, w).map_err(|e| anyhow::anyhow!("{}", e.message))?;
        }
        Ok(())
    }

    /// A pipelines host: its environment entry, the Pipelines anchor solution (the probe of
    /// §13.17) and the tenant's users (each Dataverse environment has its own `systemusers`).
    fn seed_host(&self, conn: &Connection, h: &HostSpec) -> anyhow::Result<()> {
        let scope = crate::schema::host_scope(&h.name);
        environments::put(
            conn,
            &EnvInfo {
                name: h.name.clone(),
                bap_id: h
                    .id
                    .clone()
                    .unwrap_or_else(|| derived_id("environment", &h.name)),
                kind: EnvKind::Host,
                display_name: if h.display_name.is_empty() {
                    h.name.clone()
                } else {
                    h.display_name.clone()
                },
                import_failures: 0,
                bound_host: None,
                platform: h.platform,
            },
        )?;
        records::insert(
            conn,
            &scope,
            "solutions",
            "solutionid",
            &derived_id("solution", "msdyn_AppDeploymentAnchor"),
            obj(json!({
                "uniquename": "msdyn_AppDeploymentAnchor", "friendlyname": "Power Platform Pipelines",
                "version": "9.2.25011.1", "ismanaged": true, "isvisible": true,
            })),
        )?;
        for u in &self.users {
            records::insert(
                conn,
                &scope,
                "systemusers",
                "systemuserid",
                &derived_id("user", &u.upn),
                obj(json!({
                    "fullname": u.name, "domainname": u.upn, "internalemailaddress": u.upn, "ferry_roles": u.roles.join(","),
                })),
            )?;
        }
        for a in &self.applications {
            let app_id = a.app_id.trim().to_ascii_lowercase();
            records::insert(
                conn,
                &scope,
                "systemusers",
                "systemuserid",
                &derived_id("application", &app_id),
                obj(json!({
                    "fullname": a.name, "domainname": "", "internalemailaddress": "",
                    "ferry_roles": a.roles.join(","),
                    crate::users::APP_ID_COLUMN: app_id,
                    crate::users::SECRET_COLUMN: crate::users::secret_hash(&a.secret),
                })),
            )?;
        }
        Ok(())
    }

    fn seed_environment(&self, conn: &Connection, e: &EnvironmentSpec) -> anyhow::Result<()> {
        let bap =
            e.id.clone()
                .unwrap_or_else(|| derived_id("environment", &e.name));
        let display = if e.display_name.is_empty() {
            e.name.clone()
        } else {
            e.display_name.clone()
        };
        let host = self.host_of(e);
        environments::put(
            conn,
            &EnvInfo {
                name: e.name.clone(),
                bap_id: bap.clone(),
                kind: e.kind,
                display_name: display.clone(),
                import_failures: e.import_failures,
                bound_host: host.clone().filter(|_| {
                    e.bound
                        .unwrap_or(e.register && e.validation == ValidationSpec::Success)
                }),
                platform: false,
            },
        )?;
        for c in &e.connections {
            environments::put_connection(
                conn,
                &e.name,
                &ConnectionInfo {
                    id: c.id.clone(),
                    connector: c.connector.clone(),
                    display_name: if c.display_name.is_empty() {
                        c.id.clone()
                    } else {
                        c.display_name.clone()
                    },
                    status: "Connected".into(),
                },
            )?;
        }
        for s in &e.solutions {
            if let Some(p) = &s.path {
                // A real package: its bytes and shipped values are kept, as an import would.
                crate::runs::install::load_package(conn, &e.name, &self.base_dir.join(p), |spec| {
                    dev_bindings(spec, e)
                })
                .map_err(|err| {
                    anyhow::anyhow!("cannot load {} into {}: {err}", p.display(), e.name)
                })?;
                continue;
            }
            let spec = s.spec.clone();
            anyhow::ensure!(
                !spec.unique_name.is_empty(),
                "a solution of '{}' has no unique_name or path",
                e.name
            );
            let managed = spec.managed;
            install(
                conn,
                &e.name,
                &spec,
                &spec.version,
                managed,
                &dev_bindings(&spec, e),
            )
            .map_err(|err| {
                anyhow::anyhow!("cannot install {} into {}: {err}", spec.unique_name, e.name)
            })?;
        }
        if let Some(host) = host.filter(|_| e.register) {
            let kind = if e.kind == EnvKind::Development {
                200000000
            } else {
                200000001
            };
            // §2.1: a failed validation says why; the spec's example is the usual cause.
            let error = (e.validation == ValidationSpec::Failed)
                .then_some("This environment is already associated with another pipelines host.");
            records::insert(
                conn,
                &crate::schema::host_scope(&host),
                "deploymentenvironments",
                "deploymentenvironmentid",
                &derived_id("registration", &e.name),
                obj(json!({
                    "name": display, "environmentid": bap, "environmenttype": kind,
                    "validationstatus": e.validation.code(), "errormessage": error,
                })),
            )?;
        }
        Ok(())
    }
}

/// In a dev environment, bind each connection reference to the first connection of its connector.
fn dev_bindings(spec: &SolutionSpec, e: &EnvironmentSpec) -> DeploymentSettings {
    let mut settings = DeploymentSettings::default();
    for r in &spec.connection_references {
        let connector = ferry_pipelines::settings::connector_name(&r.connector_id);
        if let Some(c) = e
            .connections
            .iter()
            .find(|c| c.connector.eq_ignore_ascii_case(connector))
        {
            settings
                .connection_references
                .push(ferry_pipelines::ConnectionReferenceSetting {
                    logical_name: r.logical_name.clone(),
                    connection_id: c.id.clone(),
                    connector_id: Some(r.connector_id.clone()),
                    ..Default::default()
                });
        }
    }
    settings
}

/// The owner and author columns of a seeded row.
fn owned_by(mut data: Map<String, Value>, owner: &str) -> Map<String, Value> {
    for k in ["_ownerid_value", "_createdby_value", "_modifiedby_value"] {
        data.insert(k.into(), owner.into());
    }
    data
}

fn seed_pipeline(
    conn: &Connection,
    scope: &str,
    p: &PipelineSpec,
    admin: &str,
) -> anyhow::Result<()> {
    let pid = derived_id("pipeline", &p.name);
    records::insert(
        conn,
        scope,
        "deploymentpipelines",
        "deploymentpipelineid",
        &pid,
        owned_by(
            obj(json!({
                "name": p.name, "description": p.description, "deploymenttype": 0,
                "enableredeployment": p.enable_redeployment, "enableaideploymentnotes": p.enable_ai_deployment_notes,
            })),
            admin,
        ),
    )?;
    for upn in &p.shared_with {
        crate::store::shares::grant(conn, &pid, &derived_id("user", upn))?;
    }
    for d in &p.dev_environments {
        records::link(
            conn,
            scope,
            "deploymentpipeline_deploymentenvironment",
            &pid,
            &derived_id("registration", d),
        )?;
    }
    let mut previous: Option<String> = None;
    for s in &p.stages {
        let sid = derived_id("stage", &format!("{}/{}", p.name, s.name));
        let delegated = s.delegated || s.approver.is_some() || s.spn_client_id.is_some();
        let delegation = match (&s.approver, &s.spn_client_id) {
            (_, Some(_)) => Value::from(2),
            _ if delegated => Value::from(1),
            _ => Value::Null,
        };
        let owner = s
            .approver
            .as_deref()
            .map(|upn| derived_id("user", upn))
            .unwrap_or_else(|| admin.to_string());
        let mut stage = obj(json!({
                "name": s.name,
                "_deploymentpipelineid_value": pid,
                "_targetdeploymentenvironmentid_value": derived_id("registration", &s.target),
                "_previousdeploymentstageid_value": previous,
                "preexportsteprequired": s.pre_export_step,
                "predeploymentsteprequired": s.pre_deployment_step,
                "isdelegateddeployment": delegated,
                "delegateddeploymenttype": delegation,
                "spnclientid": s.spn_client_id,
                "issharingenabled": false,
        }));
        if let Some(ms) = s.auto_approve_after_ms {
            stage.insert(crate::runs::AUTO_APPROVE.into(), ms.into());
        }
        records::insert(
            conn,
            scope,
            "deploymentstages",
            "deploymentstageid",
            &sid,
            owned_by(stage, &owner),
        )?;
        previous = Some(sid);
    }
    Ok(())
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

const DEMO: &str = r#"
name = "demo"

[[users]]
name = "Mona Maker"
upn = "mona@contoso.example"
roles = ["maker"]

[[users]]
name = "Ade Admin"
upn = "ade@contoso.example"
roles = ["admin"]

[[users]]
name = "Pat Approver"
upn = "pat@contoso.example"
roles = ["approver"]

[[environments]]
name = "dev"
display_name = "Contoso Dev"
kind = "development"
connections = [
  { id = "dev-office365-mona", connector = "shared_office365", display_name = "mona@contoso.example" },
  { id = "dev-sql", connector = "shared_sql", display_name = "Dev SQL" },
]

[[environments.solutions]]
unique_name = "ContosoCore"
display_name = "Contoso Core"
version = "1.0.0.3"
publisher = "contoso"
publisher_display_name = "Contoso"
prefix = "cont"
components = [[1, "cont_project"], [80, "cont_projectapp"]]
environment_variables = [
  { schema_name = "cont_ApiBaseUrl", display_name = "API base URL", type = "String", default_value = "https://api.dev.contoso.example" },
  { schema_name = "cont_RetryCount", display_name = "Retry count", type = "Number", default_value = "3" },
]
connection_references = [
  { logical_name = "cont_sharedoffice365_1a2b3", display_name = "Office 365 Outlook", connector_id = "/providers/Microsoft.PowerApps/apis/shared_office365" },
]

[[environments.solutions]]
unique_name = "ContosoPortal"
display_name = "Contoso Portal"
version = "2.1.0.0"
publisher = "contoso"
publisher_display_name = "Contoso"
prefix = "cont"
components = [[300, "cont_portal"]]
depends_on = [{ solution = "ContosoCore", min_version = "1.0.0.0", component = "cont_project" }]
connection_references = [
  { logical_name = "cont_sharedsql_9f8e7", display_name = "SQL Server", connector_id = "/providers/Microsoft.PowerApps/apis/shared_sql" },
]

[[environments.solutions]]
unique_name = "ContosoReports"
display_name = "Contoso Reports"
version = "1.2.0.0"
publisher = "contoso"
publisher_display_name = "Contoso"
prefix = "cont"
components = [[60, "cont_reportform"]]
depends_on = [{ solution = "ContosoAnalyticsBase", min_version = "3.0.0.0", component = "cont_metric" }]

[[environments.solutions]]
unique_name = "ContosoCanvas"
display_name = "Contoso Canvas"
version = "1.0.0.0"
publisher = "contoso"
publisher_display_name = "Contoso"
prefix = "cont"
components = [[300, "cont_canvas"]]

[[environments]]
name = "test"
display_name = "Contoso Test"
kind = "target"
connections = [
  { id = "test-office365", connector = "shared_office365", display_name = "svc-test@contoso.example" },
  { id = "test-sql", connector = "shared_sql", display_name = "Test SQL" },
]

[[environments]]
name = "uat"
display_name = "Contoso UAT"
kind = "target"
connections = [
  { id = "uat-office365", connector = "shared_office365", display_name = "svc-uat@contoso.example" },
  { id = "uat-sql", connector = "shared_sql", display_name = "UAT SQL" },
]

[[environments]]
name = "prod"
display_name = "Contoso Prod"
kind = "target"
connections = [
  { id = "prod-office365", connector = "shared_office365", display_name = "svc-prod@contoso.example" },
  { id = "prod-sql", connector = "shared_sql", display_name = "Prod SQL" },
]

[[environments.solutions]]
unique_name = "ContosoCanvas"
display_name = "Contoso Canvas (hand-made)"
version = "0.9.0.0"
managed = false
publisher = "contoso"
prefix = "cont"

[[pipelines]]
name = "Contoso Release"
description = "Dev to Test, UAT and Prod"
dev_environments = ["dev"]
enable_ai_deployment_notes = true
shared_with = ["mona@contoso.example"]
stages = [
  { name = "Deploy to Test", target = "test" },
  { name = "Deploy to UAT", target = "uat" },
  { name = "Deploy to Prod", target = "prod" },
]

[[pipelines]]
name = "Contoso Gated"
description = "Straight to Prod, with approval and a pre-deployment check"
dev_environments = ["dev"]
shared_with = ["mona@contoso.example"]
stages = [
  { name = "Gated Prod", target = "prod", delegated = true, approver = "pat@contoso.example", pre_deployment_step = true },
]

[[pipelines]]
name = "Contoso Reviewed"
description = "UAT after a pre-deployment check, then Prod after Pat approves; older versions may be redeployed"
dev_environments = ["dev"]
shared_with = ["mona@contoso.example"]
enable_redeployment = true
stages = [
  { name = "Checked UAT", target = "uat", pre_deployment_step = true },
  { name = "Approved Prod", target = "prod", delegated = true, approver = "pat@contoso.example" },
]

# The tenant around the first host (issue 15): a second, custom host with its own dev
# environment and pipeline, and environments in each state a maker's picker meets.

[[hosts]]
name = "hr-host"
display_name = "Contoso HR Pipelines"

[[environments]]
name = "hrdev"
display_name = "Contoso HR Dev"
kind = "development"
host = "hr-host"
connections = [{ id = "hrdev-sql", connector = "shared_sql", display_name = "HR Dev SQL" }]

[[environments.solutions]]
unique_name = "ContosoHR"
display_name = "Contoso HR"
version = "1.0.0.0"
publisher = "contoso"
publisher_display_name = "Contoso"
prefix = "cont"
components = [[1, "cont_employee"]]

[[environments]]
name = "hrprod"
display_name = "Contoso HR Prod"
kind = "target"
host = "hr-host"
connections = [{ id = "hrprod-sql", connector = "shared_sql", display_name = "HR Prod SQL" }]

[[environments]]
name = "sandbox"
display_name = "Contoso Sandbox"
kind = "development"
host = ""

[[environments]]
name = "qa"
display_name = "Contoso QA"
kind = "target"

[[environments]]
name = "newdev"
display_name = "Contoso New Dev"
kind = "development"
validation = "pending"

[[environments]]
name = "lab"
display_name = "Contoso Lab"
kind = "development"

[[pipelines]]
name = "HR Release"
description = "HR Dev to HR Prod, on the HR pipelines host"
host = "hr-host"
dev_environments = ["hrdev"]
shared_with = ["mona@contoso.example"]
stages = [{ name = "Deploy to HR Prod", target = "hrprod" }]
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_parses_and_checks() {
        let s = Scenario::demo();
        assert_eq!(s.environments.len(), 10);
        assert_eq!(s.hosts[0].name, "hr-host");
        assert_eq!(s.pipelines[0].stages.len(), 3);
        assert!(!s.environments[0].solutions[1].spec.depends_on.is_empty());
        // One stage with a pre-deployment gate, one delegated stage with an approver.
        let reviewed = &s.pipelines[2];
        assert!(reviewed.stages[0].pre_deployment_step && !reviewed.stages[0].delegated);
        assert!(reviewed.stages[1].delegated && !reviewed.stages[1].pre_deployment_step);
        assert_eq!(
            reviewed.stages[1].approver.as_deref(),
            Some("pat@contoso.example")
        );
        assert!(reviewed.enable_redeployment);
    }

    #[test]
    fn refuses_inconsistent_scenarios() {
        let bad = r#"
[[environments]]
name = "dev"
kind = "development"
[[pipelines]]
name = "p"
dev_environments = ["dev"]
stages = [{ name = "s", target = "dev" }]
"#;
        let err = format!("{:#}", Scenario::from_toml(bad).unwrap_err());
        assert!(err.contains("not a target environment"), "{err}");
        let err = format!(
            "{:#}",
            Scenario::from_toml("[[environments]]\nname = \"a b\"\n").unwrap_err()
        );
        assert!(err.contains("letters, digits"), "{err}");
        assert!(Scenario::from_toml("nonsense = 1").is_err());
    }

    #[test]
    fn webhooks_and_their_options_parse_and_are_checked() {
        let s = Scenario::from_toml(
            r#"
[options]
webhook_retry_base_ms = 500
[[webhooks]]
url = "http://127.0.0.1:9/hook"
events = ["OnDeploymentCompleted"]
secret = "s3cret"
headers = { "x-api-key" = "k" }
"#,
        )
        .unwrap();
        assert_eq!(s.webhooks[0].events, ["OnDeploymentCompleted"]);
        assert_eq!(s.webhooks[0].headers["x-api-key"], "k");
        let p = s.options.delivery_policy(100.0);
        assert_eq!((p.base_ms, p.cap_ms, p.timeout_ms), (5, 600, 60_000));
        let err = format!(
            "{:#}",
            Scenario::from_toml("[[webhooks]]\nurl = \"http://x\"\nevents = [\"OnNope\"]\n")
                .unwrap_err()
        );
        assert!(err.contains("not a Pipelines event"), "{err}");
    }

    #[test]
    fn shares_and_delegates_name_seeded_users() {
        let demo = Scenario::demo();
        assert!(demo
            .pipelines
            .iter()
            .all(|p| p.shared_with == ["mona@contoso.example"]));
        assert_eq!(
            demo.pipelines[1].stages[0].approver.as_deref(),
            Some("pat@contoso.example")
        );
        let bad = r#"
[[environments]]
name = "dev"
kind = "development"
[[environments]]
name = "prod"
[[pipelines]]
name = "p"
dev_environments = ["dev"]
shared_with = ["nobody@x.example"]
stages = [{ name = "s", target = "prod" }]
"#;
        let err = format!("{:#}", Scenario::from_toml(bad).unwrap_err());
        assert!(err.contains("not a user of the scenario"), "{err}");
    }

    #[test]
    fn hosts_and_bindings_are_checked() {
        let demo = Scenario::demo();
        let env = |n: &str| demo.environments.iter().find(|e| e.name == n).unwrap();
        assert_eq!(demo.host_of(env("dev")).as_deref(), Some(HOST_SCOPE));
        assert_eq!(demo.host_of(env("hrdev")).as_deref(), Some("hr-host"));
        assert_eq!(demo.host_of(env("sandbox")), None);
        assert_eq!(env("newdev").validation, ValidationSpec::Pending);
        let cases = [
            // A pipeline on one host cannot link an environment registered on another.
            (
                "[[hosts]]\nname = \"h2\"\n[[environments]]\nname = \"d\"\nkind = \"development\"\n[[pipelines]]\nname = \"p\"\nhost = \"h2\"\ndev_environments = [\"d\"]\n",
                "not registered on that host",
            ),
            (
                "[[environments]]\nname = \"d\"\nkind = \"development\"\nhost = \"nope\"\n",
                "not 'host' or a [[hosts]] name",
            ),
            (
                "[[hosts]]\nname = \"d\"\n[[environments]]\nname = \"d\"\nkind = \"development\"\n",
                "used twice",
            ),
            ("[[environments]]\nname = \"host\"\n", "first host's"),
            ("[[hosts]]\nname = \"a:b\"\n", "letters, digits"),
        ];
        for (text, want) in cases {
            let err = format!("{:#}", Scenario::from_toml(text).unwrap_err());
            assert!(err.contains(want), "{want}: {err}");
        }
    }

    #[test]
    fn derived_ids_are_stable() {
        assert_eq!(
            derived_id("environment", "dev"),
            derived_id("environment", "dev")
        );
        assert_ne!(
            derived_id("environment", "dev"),
            derived_id("environment", "test")
        );
    }
}
