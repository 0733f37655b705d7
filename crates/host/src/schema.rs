//! The tables the host serves, described once: entity sets, columns with their
//! types, lookups and navigation properties. OData parsing, serialization,
//! `$metadata` and write validation all read these definitions, so a column
//! added here is served everywhere.

use ferry_pipelines as p;

/// Label lookup for a choice (option-set) column.
pub type Labels = fn(i64) -> Option<&'static str>;

/// A column's type.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Guid,
    String,
    Memo,
    Int,
    Bool,
    DateTime,
    Choice(Labels),
    /// A lookup to the given entity set; read as `_<name>_value`, bound as `<name>@odata.bind`.
    Lookup(&'static str),
    /// A file column: never returned unless selected, served through `/<col>/$value`.
    File,
}

impl Kind {
    pub fn edm(self) -> &'static str {
        match self {
            Kind::Guid | Kind::Lookup(_) => "Edm.Guid",
            Kind::String | Kind::Memo | Kind::File => "Edm.String",
            Kind::Int | Kind::Choice(_) => "Edm.Int32",
            Kind::Bool => "Edm.Boolean",
            Kind::DateTime => "Edm.DateTimeOffset",
        }
    }
}

/// One column.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub on_create: bool,
    pub on_update: bool,
}

impl Column {
    /// The JSON key on the wire and in storage.
    pub fn key(&self) -> String {
        match self.kind {
            Kind::Lookup(_) => format!("_{}_value", self.name),
            _ => self.name.to_string(),
        }
    }
}

const fn rw(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        on_create: true,
        on_update: true,
    }
}
const fn create_only(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        on_create: true,
        on_update: false,
    }
}
const fn ro(name: &'static str, kind: Kind) -> Column {
    Column {
        name,
        kind,
        on_create: false,
        on_update: false,
    }
}

/// A collection-valued navigation property.
#[derive(Debug, Clone, Copy)]
pub enum Nav {
    /// Rows of `target` whose lookup `fk` points here.
    OneToMany {
        name: &'static str,
        target: &'static str,
        fk: &'static str,
    },
    /// Rows linked through the intersect relationship `rel`; `left` says whether
    /// this entity is the first side of the stored pair.
    ManyToMany {
        name: &'static str,
        target: &'static str,
        rel: &'static str,
        left: bool,
    },
}

impl Nav {
    pub fn name(&self) -> &'static str {
        match self {
            Nav::OneToMany { name, .. } | Nav::ManyToMany { name, .. } => name,
        }
    }
    pub fn target(&self) -> &'static str {
        match self {
            Nav::OneToMany { target, .. } | Nav::ManyToMany { target, .. } => target,
        }
    }
}

/// One table.
#[derive(Debug)]
pub struct Entity {
    pub set: &'static str,
    pub logical: &'static str,
    pub key: &'static str,
    pub primary_name: &'static str,
    pub columns: &'static [Column],
    pub navs: &'static [Nav],
}

/// Columns every table has (spec §2).
pub const COMMON: &[Column] = &[
    ro("createdon", Kind::DateTime),
    ro("modifiedon", Kind::DateTime),
    ro("versionnumber", Kind::Int),
    rw("statecode", Kind::Choice(state_label)),
    rw("statuscode", Kind::Choice(status_label)),
    ro("ownerid", Kind::Lookup("systemusers")),
    ro("createdby", Kind::Lookup("systemusers")),
    ro("modifiedby", Kind::Lookup("systemusers")),
];

impl Entity {
    /// Every column, own and common.
    pub fn all_columns(&self) -> impl Iterator<Item = &'static Column> {
        self.columns.iter().chain(COMMON.iter())
    }

    /// The column read under the wire key (`name` or `_name_value`).
    pub fn column(&self, key: &str) -> Option<&'static Column> {
        let lookup = key.strip_prefix('_').and_then(|k| k.strip_suffix("_value"));
        self.all_columns().find(|c| match c.kind {
            Kind::Lookup(_) => Some(c.name) == lookup,
            _ => c.name == key,
        })
    }

    /// The lookup column whose navigation property is `nav`.
    pub fn lookup(&self, nav: &str) -> Option<&'static Column> {
        self.all_columns()
            .find(|c| matches!(c.kind, Kind::Lookup(_)) && c.name == nav)
    }

    pub fn nav(&self, name: &str) -> Option<&'static Nav> {
        self.navs.iter().find(|n| n.name() == name)
    }

    /// The OData type name, e.g. `Microsoft.Dynamics.CRM.deploymentstagerun`.
    pub fn type_name(&self) -> String {
        format!("Microsoft.Dynamics.CRM.{}", self.logical)
    }
}

fn state_label(c: i64) -> Option<&'static str> {
    match c {
        0 => Some("Active"),
        1 => Some("Inactive"),
        _ => None,
    }
}
fn status_label(c: i64) -> Option<&'static str> {
    match c {
        1 => Some("Active"),
        2 => Some("Inactive"),
        _ => None,
    }
}
fn env_type_label(c: i64) -> Option<&'static str> {
    p::EnvironmentType::from_code(c).map(p::EnvironmentType::label)
}
fn env_validation_label(c: i64) -> Option<&'static str> {
    p::EnvironmentValidationStatus::from_code(c).map(p::EnvironmentValidationStatus::label)
}
fn deployment_type_label(c: i64) -> Option<&'static str> {
    p::DeploymentType::from_code(c).map(p::DeploymentType::label)
}
fn delegated_label(c: i64) -> Option<&'static str> {
    p::DelegatedDeploymentType::from_code(c).map(p::DelegatedDeploymentType::label)
}
fn run_status_label(c: i64) -> Option<&'static str> {
    p::StageRunStatus::from_code(c).map(p::StageRunStatus::label)
}
fn operation_label(c: i64) -> Option<&'static str> {
    p::Operation::from_code(c).map(p::Operation::label)
}
fn suboperation_label(c: i64) -> Option<&'static str> {
    p::SubOperation::from_code(c).map(p::SubOperation::label)
}
fn operation_status_label(c: i64) -> Option<&'static str> {
    p::OperationStatus::from_code(c).map(p::OperationStatus::label)
}
fn gate_label(c: i64) -> Option<&'static str> {
    p::GateStatus::from_code(c).map(p::GateStatus::label)
}
fn approval_label(c: i64) -> Option<&'static str> {
    p::ApprovalStatus::from_code(c).map(p::ApprovalStatus::label)
}
fn post_step_label(c: i64) -> Option<&'static str> {
    (c == 10).then_some("Notified")
}
fn component_type_label(c: i64) -> Option<&'static str> {
    Some(match c {
        1 => "Entity",
        2 => "Attribute",
        9 => "Option Set",
        20 => "Role",
        26 => "Saved Query",
        29 => "Workflow",
        60 => "System Form",
        61 => "Web Resource",
        62 => "Site Map",
        80 => "Model-driven App",
        300 => "Canvas App",
        371 => "Connector",
        380 => "Environment Variable Definition",
        381 => "Environment Variable Value",
        10000 => "Connection Reference",
        _ => return None,
    })
}
fn variable_type_label(c: i64) -> Option<&'static str> {
    Some(match c {
        100000000 => "String",
        100000001 => "Number",
        100000002 => "Boolean",
        100000003 => "JSON",
        100000004 => "Data source",
        100000005 => "Secret",
        _ => return None,
    })
}

/// Component type used for connection references in `solutioncomponents`. Real
/// environments assign it per org (a 10000+ value); the emulator fixes it [I].
pub const CONNECTION_REFERENCE_COMPONENT: i64 = 10000;
/// Component type of an environment variable definition.
pub const VARIABLE_DEFINITION_COMPONENT: i64 = 380;

pub static SYSTEMUSERS: Entity = Entity {
    set: "systemusers",
    logical: "systemuser",
    key: "systemuserid",
    primary_name: "fullname",
    columns: &[
        ro("systemuserid", Kind::Guid),
        rw("fullname", Kind::String),
        rw("domainname", Kind::String),
        rw("internalemailaddress", Kind::String),
        rw("ferry_roles", Kind::String),
    ],
    navs: &[],
};

pub static ENVIRONMENTS: Entity = Entity {
    set: "deploymentenvironments",
    logical: "deploymentenvironment",
    key: "deploymentenvironmentid",
    primary_name: "name",
    columns: &[
        create_only("deploymentenvironmentid", Kind::Guid),
        rw("name", Kind::String),
        rw("environmentid", Kind::String),
        create_only("environmenttype", Kind::Choice(env_type_label)),
        ro("validationstatus", Kind::Choice(env_validation_label)),
        ro("errormessage", Kind::String),
        rw("description", Kind::String),
    ],
    navs: &[Nav::ManyToMany {
        name: "deploymentpipeline_deploymentenvironment",
        target: "deploymentpipelines",
        rel: "deploymentpipeline_deploymentenvironment",
        left: false,
    }],
};

pub static PIPELINES: Entity = Entity {
    set: "deploymentpipelines",
    logical: "deploymentpipeline",
    key: "deploymentpipelineid",
    primary_name: "name",
    columns: &[
        create_only("deploymentpipelineid", Kind::Guid),
        rw("name", Kind::String),
        rw("description", Kind::String),
        rw("deploymenttype", Kind::Choice(deployment_type_label)),
        rw("enableaideploymentnotes", Kind::Bool),
        rw("enableredeployment", Kind::Bool),
    ],
    navs: &[
        Nav::OneToMany {
            name: "deploymentpipeline_deploymentstage",
            target: "deploymentstages",
            fk: "deploymentpipelineid",
        },
        Nav::ManyToMany {
            name: "deploymentpipeline_deploymentenvironment",
            target: "deploymentenvironments",
            rel: "deploymentpipeline_deploymentenvironment",
            left: true,
        },
    ],
};

pub static STAGES: Entity = Entity {
    set: "deploymentstages",
    logical: "deploymentstage",
    key: "deploymentstageid",
    primary_name: "name",
    columns: &[
        create_only("deploymentstageid", Kind::Guid),
        rw("name", Kind::String),
        rw("description", Kind::String),
        rw("deploymentpipelineid", Kind::Lookup("deploymentpipelines")),
        rw(
            "targetdeploymentenvironmentid",
            Kind::Lookup("deploymentenvironments"),
        ),
        rw(
            "previousdeploymentstageid",
            Kind::Lookup("deploymentstages"),
        ),
        rw("predeploymentsteprequired", Kind::Bool),
        rw("preexportsteprequired", Kind::Bool),
        rw("isdelegateddeployment", Kind::Bool),
        rw("delegateddeploymenttype", Kind::Choice(delegated_label)),
        rw("spnclientid", Kind::String),
        rw("issharingenabled", Kind::Bool),
    ],
    navs: &[Nav::OneToMany {
        name: "deploymentstage_deploymentstagerun",
        target: "deploymentstageruns",
        fk: "deploymentstageid",
    }],
};

pub static RUNS: Entity = Entity {
    set: "deploymentstageruns",
    logical: "deploymentstagerun",
    key: "deploymentstagerunid",
    primary_name: "name",
    columns: &[
        create_only("deploymentstagerunid", Kind::Guid),
        ro("name", Kind::String),
        create_only("deploymentstageid", Kind::Lookup("deploymentstages")),
        create_only(
            "devdeploymentenvironment",
            Kind::Lookup("deploymentenvironments"),
        ),
        ro(
            "targetdeploymentenvironment",
            Kind::Lookup("deploymentenvironments"),
        ),
        ro("devenvironmentid", Kind::String),
        ro("targetenvironmentid", Kind::String),
        create_only("artifactname", Kind::String),
        create_only("solutionid", Kind::String),
        rw("makerainoteslanguagecode", Kind::String),
        create_only("artifactid", Kind::Lookup("deploymentartifacts")),
        create_only("isredeployment", Kind::Bool),
        rw("artifactdevcurrentversion", Kind::String),
        rw("artifactversion", Kind::String),
        rw("deploymentnotes", Kind::Memo),
        ro("aigenerateddeploymentnotes", Kind::Memo),
        rw("deploymentsettingsjson", Kind::Memo),
        rw("scheduledtime", Kind::DateTime),
        ro("stagerunstatus", Kind::Choice(run_status_label)),
        ro("operation", Kind::Choice(operation_label)),
        ro("suboperation", Kind::Choice(suboperation_label)),
        ro("operationstatus", Kind::Choice(operation_status_label)),
        ro("operationdetails", Kind::String),
        ro("validationresults", Kind::Memo),
        ro("errormessage", Kind::String),
        ro("starttime", Kind::DateTime),
        ro("endtime", Kind::DateTime),
        ro("retrycount", Kind::Int),
        ro("approvalstatus", Kind::Choice(approval_label)),
        ro("predeploymentstepstatus", Kind::Choice(gate_label)),
        ro("preexportstepstatus", Kind::Choice(gate_label)),
        ro("postdeploymentstepstatus", Kind::Choice(post_step_label)),
        rw("iscanceled", Kind::Bool),
        // Gate comments and properties (spec §2.5 "probable further columns" [I]);
        // the two *properties columns are admin-only (see `runs::gates::redact`).
        ro("approvalcomments", Kind::Memo),
        ro("predeploymentstepcomments", Kind::Memo),
        ro("preexportstepcomments", Kind::Memo),
        ro("approvalproperties", Kind::Memo),
        ro("preexportproperties", Kind::Memo),
    ],
    navs: &[Nav::OneToMany {
        name: "deploymentstagerun_deploymentstagerunstatus",
        target: "deploymentstagerunstatuses",
        fk: "deploymentstagerunid",
    }],
};

pub static RUN_STATUSES: Entity = Entity {
    set: "deploymentstagerunstatuses",
    logical: "deploymentstagerunstatus",
    key: "deploymentstagerunstatusid",
    primary_name: "name",
    columns: &[
        ro("deploymentstagerunstatusid", Kind::Guid),
        ro("deploymentstagerunid", Kind::Lookup("deploymentstageruns")),
        ro("name", Kind::String),
        ro("details", Kind::Memo),
        ro("errormessage", Kind::String),
        ro("operation", Kind::Choice(operation_label)),
        ro("operationstatus", Kind::Choice(operation_status_label)),
        ro("suboperation", Kind::Choice(suboperation_label)),
        ro("starttime", Kind::DateTime),
        ro("endtime", Kind::DateTime),
        ro("retrycount", Kind::Int),
    ],
    navs: &[],
};

pub static ARTIFACTS: Entity = Entity {
    set: "deploymentartifacts",
    logical: "deploymentartifact",
    key: "deploymentartifactid",
    primary_name: "name",
    columns: &[
        ro("deploymentartifactid", Kind::Guid),
        ro("name", Kind::String),
        ro("artifactversion", Kind::String),
        ro("generatedon", Kind::DateTime),
        ro("artifactfile", Kind::File),
        ro("artifactfile_name", Kind::String),
        ro("artifactfileunmanaged", Kind::File),
        ro("artifactfileunmanaged_name", Kind::String),
    ],
    navs: &[],
};

pub static PUBLISHERS: Entity = Entity {
    set: "publishers",
    logical: "publisher",
    key: "publisherid",
    primary_name: "friendlyname",
    columns: &[
        create_only("publisherid", Kind::Guid),
        rw("uniquename", Kind::String),
        rw("friendlyname", Kind::String),
        rw("customizationprefix", Kind::String),
    ],
    navs: &[],
};

pub static SOLUTIONS: Entity = Entity {
    set: "solutions",
    logical: "solution",
    key: "solutionid",
    primary_name: "friendlyname",
    columns: &[
        create_only("solutionid", Kind::Guid),
        rw("uniquename", Kind::String),
        rw("friendlyname", Kind::String),
        rw("version", Kind::String),
        rw("ismanaged", Kind::Bool),
        rw("isvisible", Kind::Bool),
        rw("description", Kind::Memo),
        rw("publisherid", Kind::Lookup("publishers")),
        ro("installedon", Kind::DateTime),
    ],
    navs: &[Nav::OneToMany {
        name: "solution_solutioncomponent",
        target: "solutioncomponents",
        fk: "solutionid",
    }],
};

pub static SOLUTION_COMPONENTS: Entity = Entity {
    set: "solutioncomponents",
    logical: "solutioncomponent",
    key: "solutioncomponentid",
    primary_name: "solutioncomponentid",
    columns: &[
        create_only("solutioncomponentid", Kind::Guid),
        rw("solutionid", Kind::Lookup("solutions")),
        rw("componenttype", Kind::Choice(component_type_label)),
        rw("objectid", Kind::Guid),
        rw("rootcomponentbehavior", Kind::Int),
        rw("ismetadata", Kind::Bool),
    ],
    navs: &[],
};

pub static CONNECTION_REFERENCES: Entity = Entity {
    set: "connectionreferences",
    logical: "connectionreference",
    key: "connectionreferenceid",
    primary_name: "connectionreferencedisplayname",
    columns: &[
        create_only("connectionreferenceid", Kind::Guid),
        rw("connectionreferencelogicalname", Kind::String),
        rw("connectionreferencedisplayname", Kind::String),
        rw("connectorid", Kind::String),
        rw("connectionid", Kind::String),
        rw("description", Kind::Memo),
    ],
    navs: &[],
};

pub static VARIABLE_DEFINITIONS: Entity = Entity {
    set: "environmentvariabledefinitions",
    logical: "environmentvariabledefinition",
    key: "environmentvariabledefinitionid",
    primary_name: "schemaname",
    columns: &[
        create_only("environmentvariabledefinitionid", Kind::Guid),
        rw("schemaname", Kind::String),
        rw("displayname", Kind::String),
        rw("type", Kind::Choice(variable_type_label)),
        rw("defaultvalue", Kind::Memo),
    ],
    navs: &[Nav::OneToMany {
        name: "environmentvariabledefinition_environmentvariablevalue",
        target: "environmentvariablevalues",
        fk: "environmentvariabledefinitionid",
    }],
};

pub static VARIABLE_VALUES: Entity = Entity {
    set: "environmentvariablevalues",
    logical: "environmentvariablevalue",
    key: "environmentvariablevalueid",
    primary_name: "schemaname",
    columns: &[
        create_only("environmentvariablevalueid", Kind::Guid),
        rw("schemaname", Kind::String),
        rw("value", Kind::Memo),
        rw(
            "environmentvariabledefinitionid",
            Kind::Lookup("environmentvariabledefinitions"),
        ),
    ],
    navs: &[],
};

fn audit_action_label(c: i64) -> Option<&'static str> {
    crate::audit::action::Action::label(c)
}

/// The audit trail (see `audit.rs`); `_objectid_value` is polymorphic, so it is a plain GUID here.
pub static AUDITS: Entity = Entity {
    set: "audits",
    logical: "audit",
    key: "auditid",
    primary_name: "auditid",
    columns: &[
        ro("auditid", Kind::Guid),
        ro("action", Kind::Choice(audit_action_label)),
        ro(
            "operation",
            Kind::Choice(crate::audit::action::operation_label),
        ),
        ro("objecttypecode", Kind::String),
        ro("_objectid_value", Kind::Guid),
        ro("userid", Kind::Lookup("systemusers")),
        ro("ferry_message", Kind::String),
        ro("changedata", Kind::Memo),
    ],
    navs: &[],
};

/// Tables of the host environment (`{base}/api/data/vX/`).
pub static HOST_ENTITIES: &[&Entity] = &[
    &SYSTEMUSERS,
    &ENVIRONMENTS,
    &PIPELINES,
    &STAGES,
    &RUNS,
    &RUN_STATUSES,
    &ARTIFACTS,
    &PUBLISHERS,
    &SOLUTIONS,
    &AUDITS,
];

/// Tables of a dev or target environment (`{base}/environments/{name}/api/data/vX/`).
pub static ENV_ENTITIES: &[&Entity] = &[
    &SYSTEMUSERS,
    &PUBLISHERS,
    &SOLUTIONS,
    &SOLUTION_COMPONENTS,
    &CONNECTION_REFERENCES,
    &VARIABLE_DEFINITIONS,
    &VARIABLE_VALUES,
];

/// The scope name of the host environment's own tables.
pub const HOST_SCOPE: &str = "host";

/// The store scope of the host named `name`: `host` for the tenant's first host,
/// `host:{name}` for another one (a name cannot contain `:`, so no environment collides).
pub fn host_scope(name: &str) -> String {
    if name == HOST_SCOPE {
        HOST_SCOPE.to_string()
    } else {
        format!("{HOST_SCOPE}:{name}")
    }
}

/// Whether `scope` holds a pipelines host's tables (the first host or another one).
pub fn is_host_scope(scope: &str) -> bool {
    scope == HOST_SCOPE || scope.starts_with("host:")
}

/// The tables served in a scope.
pub fn entities(scope: &str) -> &'static [&'static Entity] {
    if is_host_scope(scope) {
        HOST_ENTITIES
    } else {
        ENV_ENTITIES
    }
}

/// The table served under `set` in `scope`.
pub fn entity(scope: &str, set: &str) -> Option<&'static Entity> {
    entities(scope).iter().copied().find(|e| e.set == set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_found_by_wire_key_and_nav_name() {
        let c = RUNS.column("_deploymentstageid_value").unwrap();
        assert_eq!(c.key(), "_deploymentstageid_value");
        assert!(RUNS.lookup("devdeploymentenvironment").is_some());
        assert!(RUNS.column("deploymentstageid").is_none());
        assert!(RUNS.column("_createdby_value").is_some());
        assert_eq!(
            RUNS.column("stagerunstatus").unwrap().kind.edm(),
            "Edm.Int32"
        );
    }

    #[test]
    fn every_lookup_and_nav_targets_a_served_set() {
        for e in HOST_ENTITIES.iter().chain(ENV_ENTITIES) {
            let scope = if HOST_ENTITIES.iter().any(|h| h.set == e.set) {
                HOST_SCOPE
            } else {
                "dev"
            };
            for c in e.all_columns() {
                if let Kind::Lookup(t) = c.kind {
                    assert!(
                        entity(scope, t).is_some() || entity("dev", t).is_some(),
                        "{}",
                        c.name
                    );
                }
            }
            for n in e.navs {
                let served = entity(scope, n.target()).or_else(|| entity("dev", n.target()));
                assert!(served.is_some(), "{}", n.name());
            }
            assert!(e.column(e.key).is_some(), "{}", e.set);
        }
    }
}
