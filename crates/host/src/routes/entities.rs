//! Entity-set requests: query, read, create, update (upsert), delete,
//! navigation and `$ref` association (spec §8).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ferry_pipelines::codes;
use rusqlite::Connection;
use serde_json::{json, Map, Value};

use super::access;
use super::path::parse_reference;
use super::{json, AppState, Lookup, Req};
use crate::audit::{self, Action};
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::odata::format::{filter_sort, render};
use crate::odata::query::{skiptoken, QueryOptions};
use crate::runs;
use crate::schema::{self, Entity, Kind, Nav, HOST_SCOPE};
use crate::store::jobs;
use crate::store::records::{self, InsertError, Record};

/// Dataverse never returns more than this many rows in one page.
const MAX_PAGE: usize = 5000;

fn context(req: &Req, set: &str, opts: &QueryOptions, single: bool) -> String {
    let cols = match &opts.select {
        Some(keys) => format!("({})", keys.join(",")),
        None => String::new(),
    };
    let tail = if single { "/$entity" } else { "" };
    format!("{}/$metadata#{set}{cols}{tail}", req.api_base)
}

fn preference_applied(req: &Req, page: Option<usize>) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(n) = page {
        parts.push(format!("odata.maxpagesize={n}"));
    }
    if let Some(a) = &req.prefer.annotations {
        parts.push(format!("odata.include-annotations=\"{a}\""));
    }
    (!parts.is_empty()).then(|| parts.join(","))
}

fn with_header(mut r: Response, name: &'static str, value: Option<String>) -> Response {
    if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
        r.headers_mut().insert(name, v);
    }
    r
}

/// Renders a page of `rows` with paging, count and `@odata.nextLink`.
fn collection(
    req: &Req,
    conn: &Connection,
    entity: &'static Entity,
    rows: Vec<Record>,
    opts: &QueryOptions,
) -> Response {
    let lookup = Lookup {
        conn,
        scope: &req.scope,
    };
    let rows = filter_sort(entity, rows, opts, &lookup);
    let total = rows.len();
    let (start, size, paged) = match opts.top {
        Some(top) => (0, top, false),
        None => {
            let size = req.prefer.max_page_size.unwrap_or(MAX_PAGE).min(MAX_PAGE);
            (opts.skip, size, true)
        }
    };
    let mut page: Vec<Value> = rows
        .iter()
        .skip(start)
        .take(size)
        .map(|r| Value::Object(render(entity, r, opts, &req.prefer, &lookup)))
        .collect();
    page.iter_mut()
        .for_each(|v| runs::gates::redact(&req.caller, v));
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        context(req, entity.set, opts, false).into(),
    );
    if opts.count {
        body.insert("@odata.count".into(), total.min(MAX_PAGE).into());
    }
    body.insert("value".into(), Value::Array(page));
    if paged && start + size < total {
        let kept: Vec<&str> = req
            .raw_query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("$skiptoken="))
            .collect();
        let mut query = kept.join("&");
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&format!("$skiptoken={}", skiptoken(start + size)));
        body.insert(
            "@odata.nextLink".into(),
            format!("{}/{}?{query}", req.api_base, req.rest).into(),
        );
    }
    let page_pref = req
        .prefer
        .max_page_size
        .filter(|_| paged)
        .map(|n| n.min(MAX_PAGE));
    with_header(
        json(StatusCode::OK, Value::Object(body)),
        "Preference-Applied",
        preference_applied(req, page_pref),
    )
}

pub fn list(state: &AppState, req: &Req, entity: &'static Entity) -> ApiResult<Response> {
    state.store.read(|conn| {
        let lookup = Lookup {
            conn,
            scope: &req.scope,
        };
        let opts = QueryOptions::parse(&req.query, entity, &lookup)?;
        access::require_set_read(&req.caller, &req.scope, entity.set)?;
        let rows = visible(
            conn,
            req,
            entity,
            records::list(conn, &req.scope, entity.set)?,
        )?;
        Ok(collection(req, conn, entity, rows, &opts))
    })
}

pub fn count(state: &AppState, req: &Req, entity: &'static Entity) -> ApiResult<Response> {
    state.store.read(|conn| {
        let lookup = Lookup {
            conn,
            scope: &req.scope,
        };
        let opts = QueryOptions::parse(&req.query, entity, &lookup)?;
        access::require_set_read(&req.caller, &req.scope, entity.set)?;
        let rows = visible(
            conn,
            req,
            entity,
            records::list(conn, &req.scope, entity.set)?,
        )?;
        let rows = filter_sort(entity, rows, &opts, &lookup);
        let mut r = rows.len().min(MAX_PAGE).to_string().into_response();
        r.headers_mut()
            .insert("content-type", HeaderValue::from_static("text/plain"));
        Ok(r)
    })
}

fn load(conn: &Connection, req: &Req, entity: &'static Entity, id: &str) -> ApiResult<Record> {
    records::get(conn, &req.scope, entity.set, id)?
        .ok_or_else(|| ApiError::no_record(entity.logical, id))
}

/// The rows of `entity` the caller may read (lists are filtered, like Dataverse's).
fn visible(
    conn: &Connection,
    req: &Req,
    entity: &Entity,
    rows: Vec<Record>,
) -> ApiResult<Vec<Record>> {
    access::filter(conn, &req.caller, &req.scope, entity.set, rows)
}

/// A row the caller reads directly: a privilege error when it is not theirs to see.
fn load_readable(
    conn: &Connection,
    req: &Req,
    entity: &'static Entity,
    id: &str,
) -> ApiResult<Record> {
    let row = load(conn, req, entity, id)?;
    access::require_read(
        conn,
        &req.caller,
        &req.scope,
        entity.set,
        entity.logical,
        &row,
    )?;
    Ok(row)
}

/// Writes on the host: configuration tables are for administrators, audits for nobody.
fn require_write(req: &Req, entity: &Entity, verb: &str) -> ApiResult<()> {
    if !schema::is_host_scope(&req.scope) {
        return Ok(());
    }
    if req.scope != HOST_SCOPE && entity.set == "deploymentstageruns" {
        // The state machine, its jobs and events know the first host only.
        return Err(ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            codes::NOT_SUPPORTED,
            "the local host runs deployments on the tenant's first host only; this host serves its pipelines configuration",
        ));
    }
    if entity.set == "audits" {
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            codes::NOT_SUPPORTED,
            "Audit rows are written by the host only; they cannot be created, changed or deleted.",
        ));
    }
    // The seed of governance: artifacts and the runs' history are immutable records; only
    // admins delete them (spec §2.8: makers run pipelines, administrators have full control).
    let history = matches!(
        entity.set,
        "deploymentstageruns" | "deploymentartifacts" | "deploymentstagerunstatuses"
    );
    if access::configured_by_admins(entity.set) || (verb == "Delete" && history) {
        access::require_admin(&req.caller, verb, entity.logical)?;
    }
    Ok(())
}

/// Stamps who changed a host row.
fn stamp_modified(req: &Req, row: &mut Record) {
    row.set("_modifiedby_value", req.caller.user_id.clone());
}

fn single(
    req: &Req,
    conn: &Connection,
    entity: &'static Entity,
    row: &Record,
    opts: &QueryOptions,
    status: StatusCode,
) -> Response {
    let lookup = Lookup {
        conn,
        scope: &req.scope,
    };
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        context(req, entity.set, opts, true).into(),
    );
    body.extend(render(entity, row, opts, &req.prefer, &lookup));
    let mut body = Value::Object(body);
    runs::gates::redact(&req.caller, &mut body);
    let r = json(status, body);
    let r = with_header(r, "ETag", Some(row.etag()));
    with_header(r, "Preference-Applied", preference_applied(req, None))
}

pub fn get_row(
    state: &AppState,
    req: &Req,
    entity: &'static Entity,
    id: &str,
) -> ApiResult<Response> {
    state.store.read(|conn| {
        let lookup = Lookup {
            conn,
            scope: &req.scope,
        };
        let opts = QueryOptions::parse(&req.query, entity, &lookup)?;
        let row = load_readable(conn, req, entity, id)?;
        if let Some(tag) = req
            .headers
            .get("if-none-match")
            .and_then(|v| v.to_str().ok())
        {
            if tag != "null" && (tag == "*" || tag == row.etag()) {
                return Ok(StatusCode::NOT_MODIFIED.into_response());
            }
        }
        Ok(single(req, conn, entity, &row, &opts, StatusCode::OK))
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Create,
    Update,
}

/// Converts a request body into stored columns, refusing unknown, read-only or mistyped ones.
fn to_columns(
    conn: &Connection,
    req: &Req,
    entity: &'static Entity,
    body: Map<String, Value>,
    mode: Mode,
) -> ApiResult<Map<String, Value>> {
    let mut out = Map::new();
    for (key, value) in body {
        if let Some(nav) = key.strip_suffix("@odata.bind") {
            let column = entity.lookup(nav).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "'{nav}' is not a single-valued navigation property of {}",
                    entity.type_name()
                ))
            })?;
            let Kind::Lookup(target) = column.kind else {
                unreachable!()
            };
            if !(if mode == Mode::Create {
                column.on_create
            } else {
                column.on_update
            }) {
                return Err(ApiError::bad_request(format!(
                    "{nav} cannot be set on {} by a client",
                    entity.logical
                )));
            }
            if value.is_null() {
                out.insert(column.key(), Value::Null);
                continue;
            }
            let text = value.as_str().ok_or_else(|| {
                ApiError::bad_request(format!("{key} must be a string like /{target}(<id>)"))
            })?;
            let (set, id) = parse_reference(text)?;
            if set != target {
                return Err(ApiError::bad_request(format!(
                    "{key} must point to {target}, not {set}"
                )));
            }
            let target_logical = super::super::schema::entity(&req.scope, target)
                .map(|e| e.logical)
                .unwrap_or(target);
            if records::get(conn, &req.scope, target, &id)?.is_none() {
                return Err(ApiError::no_record(target_logical, &id));
            }
            out.insert(column.key(), Value::String(id));
            continue;
        }
        if key.starts_with('@') || key.contains("@odata.") || key.contains("@OData.") {
            continue;
        }
        let column = entity
            .column(&key)
            .filter(|c| !matches!(c.kind, Kind::Lookup(_)))
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "The property '{key}' does not exist on type '{}'. Make sure to only use property names that are defined by the type.",
                    entity.type_name()
                ))
            })?;
        let allowed = match mode {
            Mode::Create => column.on_create,
            Mode::Update => column.on_update,
        };
        if !allowed {
            let what = if mode == Mode::Create {
                "create"
            } else {
                "update"
            };
            return Err(ApiError::bad_request(format!(
                "{key} is not valid for {what} on {}",
                entity.logical
            )));
        }
        out.insert(key.clone(), typed(&key, column.kind, value)?);
    }
    Ok(out)
}

fn typed(key: &str, kind: Kind, value: Value) -> ApiResult<Value> {
    if value.is_null() {
        return Ok(value);
    }
    let wrong = |what: &str| ApiError::bad_request(format!("{key} must be {what}"));
    match kind {
        Kind::String | Kind::Memo | Kind::File => value
            .as_str()
            .map(|_| value.clone())
            .ok_or_else(|| wrong("a string")),
        Kind::Int | Kind::Choice(_) => value
            .as_i64()
            .map(Value::from)
            .ok_or_else(|| wrong("a whole number")),
        Kind::Bool => value
            .as_bool()
            .map(Value::from)
            .ok_or_else(|| wrong("true or false")),
        Kind::DateTime => {
            let text = value.as_str().ok_or_else(|| wrong("an ISO 8601 time"))?;
            let ms = clock::text_to_ms(text)
                .ok_or_else(|| wrong("an ISO 8601 time such as 2026-04-01T10:00:00Z"))?;
            Ok(Value::String(clock::ms_to_text(ms)))
        }
        Kind::Guid | Kind::Lookup(_) => {
            let text = value.as_str().ok_or_else(|| wrong("a GUID string"))?;
            uuid::Uuid::parse_str(text.trim_matches(['{', '}']))
                .map(|u| Value::String(u.to_string()))
                .map_err(|_| wrong("a GUID"))
        }
    }
}

fn entity_id_header(r: Response, req: &Req, entity: &Entity, id: &str) -> Response {
    with_header(
        r,
        "OData-EntityId",
        Some(format!("{}/{}({id})", req.api_base, entity.set)),
    )
}

/// Creates a row: shared by POST and PATCH-upsert.
fn insert_row(
    state: &AppState,
    conn: &Connection,
    req: &Req,
    entity: &'static Entity,
    id: Option<String>,
    body: Map<String, Value>,
) -> ApiResult<Record> {
    require_write(req, entity, "Create")?;
    if matches!(
        entity.set,
        "deploymentartifacts" | "deploymentstagerunstatuses"
    ) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            codes::NOT_SUPPORTED,
            format!("{} rows are created by the host only", entity.logical),
        ));
    }
    let mut data = to_columns(conn, req, entity, body, Mode::Create)?;
    let id = match (id, data.remove(entity.key)) {
        (Some(id), _) => id,
        (None, Some(Value::String(id))) => id,
        _ => uuid::Uuid::new_v4().to_string(),
    };
    if req.scope == HOST_SCOPE {
        if entity.set == "deploymentstageruns" {
            let stage = data
                .get("_deploymentstageid_value")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            access::require_run_create(conn, &req.caller, &stage)?;
            if !state.faults.app_id_allowed(req.caller.app_id.as_deref()) {
                data.insert(runs::APPID_GATED.into(), true.into());
            }
        }
        prepare_host_create(conn, entity, &mut data)?;
        for k in ["_ownerid_value", "_createdby_value", "_modifiedby_value"] {
            data.insert(k.into(), req.caller.user_id.clone().into());
        }
    }
    let row = records::insert(conn, &req.scope, entity.set, entity.key, &id, data).map_err(
        |e| match e {
            InsertError::Duplicate(_) => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                codes::DUPLICATE_RECORD,
                "A record with matching key values already exists.",
            ),
            InsertError::Db(e) => e.into(),
        },
    )?;
    if req.scope == HOST_SCOPE {
        let auto_validate = state
            .faults
            .auto_validate_on_create(state.options.auto_validate_on_create);
        match entity.set {
            "deploymentenvironments" => runs::register_environment(conn, &row.id, state.timing)?,
            "deploymentstageruns" if auto_validate => {
                runs::start_validation(conn, &row.id, state.timing)?
            }
            _ => {}
        }
        audit::append(
            conn,
            &req.caller,
            Action::Create,
            "Create",
            entity.logical,
            &row.id,
            None,
            Some(&row.data),
        )?;
    }
    Ok(row)
}

fn prepare_host_create(
    conn: &Connection,
    entity: &Entity,
    data: &mut Map<String, Value>,
) -> ApiResult<()> {
    match entity.set {
        "deploymentstageruns" => runs::prepare_create(conn, data),
        "deploymentenvironments" => {
            let kind = data.get("environmenttype").and_then(Value::as_i64);
            if !matches!(kind, Some(200000000 | 200000001)) {
                return Err(ApiError::bad_request(
                    "environmenttype is required: 200000000 (Development) or 200000001 (Target)",
                ));
            }
            let bap = data
                .get("environmentid")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            if bap.is_empty() {
                return Err(ApiError::bad_request(
                    "environmentid is required: the Power Platform environment id",
                ));
            }
            if !records::find(
                conn,
                HOST_SCOPE,
                "deploymentenvironments",
                "environmentid",
                &bap,
            )?
            .is_empty()
            {
                return Err(ApiError::new(
                    StatusCode::PRECONDITION_FAILED,
                    codes::DUPLICATE_RECORD,
                    format!("The environment {bap} is already registered on this host."),
                ));
            }
            data.insert("validationstatus".into(), 200000000.into());
            Ok(())
        }
        "deploymentstages" => {
            if let Some(target) = data
                .get("_targetdeploymentenvironmentid_value")
                .and_then(Value::as_str)
            {
                let env = records::get(conn, HOST_SCOPE, "deploymentenvironments", target)?;
                if env.is_some_and(|e| e.int("environmenttype") == Some(200000000)) {
                    return Err(ApiError::rule(
                        "A stage cannot target an environment registered as Development.",
                    ));
                }
            }
            check_stage_limit(conn, HOST_SCOPE, None, data)
        }
        _ => Ok(()),
    }
}

/// At most seven stages per pipeline (spec §2.4 [D]): counted per pipeline and along the
/// `previousdeploymentstageid` chain through the stage (`id`: the stage being updated, whose
/// columns after the change are `data`). A chain that loops is refused too.
pub(crate) const MAX_STAGES: usize = 7;

fn check_stage_limit(
    conn: &Connection,
    scope: &str,
    id: Option<&str>,
    data: &Map<String, Value>,
) -> ApiResult<()> {
    let text = |k: &str| data.get(k).and_then(Value::as_str).map(str::to_string);
    let too_many = || {
        ApiError::rule(format!(
            "A pipeline can have at most {MAX_STAGES} stages; remove a stage before adding another."
        ))
    };
    if let Some(pipeline) = text("_deploymentpipelineid_value") {
        let others = records::find(
            conn,
            scope,
            "deploymentstages",
            "_deploymentpipelineid_value",
            &pipeline,
        )?
        .into_iter()
        .filter(|s| Some(s.id.as_str()) != id)
        .count();
        if others + 1 > MAX_STAGES {
            return Err(too_many());
        }
    }
    // Stages before this one, following previousdeploymentstageid.
    let mut seen: Vec<String> = id.map(str::to_string).into_iter().collect();
    let mut up = 0usize;
    let mut previous = text("_previousdeploymentstageid_value");
    while let Some(p) = previous {
        if seen.contains(&p) {
            return Err(ApiError::rule(
                "previousdeploymentstageid would make the stages a loop; stages form a chain from the first.",
            ));
        }
        seen.push(p.clone());
        up += 1;
        if up + 1 > MAX_STAGES {
            return Err(too_many());
        }
        previous = records::get(conn, scope, "deploymentstages", &p)?.and_then(|s| {
            s.str("_previousdeploymentstageid_value")
                .map(str::to_string)
        });
    }
    // The longest chain after it (only an existing stage has followers).
    let mut down = 0usize;
    let mut level: Vec<String> = id.map(str::to_string).into_iter().collect();
    while !level.is_empty() && down <= MAX_STAGES {
        let mut next = Vec::new();
        for s in &level {
            next.extend(
                records::find(
                    conn,
                    scope,
                    "deploymentstages",
                    "_previousdeploymentstageid_value",
                    s,
                )?
                .into_iter()
                .map(|r| r.id),
            );
        }
        if next.is_empty() {
            break;
        }
        down += 1;
        level = next;
    }
    if up + 1 + down > MAX_STAGES {
        return Err(too_many());
    }
    Ok(())
}

pub fn create(state: &AppState, req: &Req, entity: &'static Entity) -> ApiResult<Response> {
    let body = req.json_body()?;
    let response = state.store.tx(|conn| {
        let lookup = Lookup {
            conn,
            scope: &req.scope,
        };
        let opts = QueryOptions::parse(&req.query, entity, &lookup)?;
        let row = insert_row(state, conn, req, entity, None, body)?;
        let r = if req.prefer.return_representation {
            single(req, conn, entity, &row, &opts, StatusCode::CREATED)
        } else {
            StatusCode::NO_CONTENT.into_response()
        };
        Ok::<_, ApiError>(entity_id_header(r, req, entity, &row.id))
    })?;
    state.wake.notify_one();
    Ok(response)
}

pub fn patch(
    state: &AppState,
    req: &Req,
    entity: &'static Entity,
    id: &str,
) -> ApiResult<Response> {
    let body = req.json_body()?;
    let if_match = req
        .headers
        .get("if-match")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let if_none = req
        .headers
        .get("if-none-match")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let response = state.store.tx(|conn| {
        let lookup = Lookup { conn, scope: &req.scope };
        let opts = QueryOptions::parse(&req.query, entity, &lookup)?;
        let existing = records::get(conn, &req.scope, entity.set, id)?;
        let Some(mut row) = existing else {
            if if_match.is_some() {
                return Err(ApiError::no_record(entity.logical, id));
            }
            let row = insert_row(state, conn, req, entity, Some(id.to_string()), body)?;
            let r = if req.prefer.return_representation {
                single(req, conn, entity, &row, &opts, StatusCode::CREATED)
            } else {
                StatusCode::NO_CONTENT.into_response()
            };
            return Ok(entity_id_header(r, req, entity, &row.id));
        };
        if if_none.as_deref() == Some("*") {
            return Err(ApiError::new(StatusCode::PRECONDITION_FAILED, codes::DUPLICATE_RECORD, "A record with matching key values already exists."));
        }
        if let Some(tag) = if_match.as_deref().filter(|t| *t != "*") {
            if tag != row.etag() {
                return Err(ApiError::new(
                    StatusCode::PRECONDITION_FAILED,
                    codes::CONCURRENCY_VERSION_MISMATCH,
                    format!("The version of the existing record doesn't match the RowVersion property provided (sent {tag}, current {}). Read the row again and retry.", row.etag()),
                ));
            }
        }
        require_write(req, entity, "Write")?;
        if req.scope == HOST_SCOPE && entity.set == "deploymentstageruns" {
            access::require_run_update(conn, &req.caller, &row)?;
        }
        let changes = to_columns(conn, req, entity, body, Mode::Update)?;
        let before = row.data.clone();
        if req.scope == HOST_SCOPE {
            stamp_modified(req, &mut row);
        }
        if req.scope == HOST_SCOPE && entity.set == "deploymentstageruns" {
            let admin = req.caller.has(crate::caller::Role::Admin);
            let mut run = runs::Run::from_record(row);
            runs::apply_patch_as(conn, &mut run, changes, admin)?;
            row = run.into_record();
        } else if req.scope == HOST_SCOPE && entity.set == "deploymentstages" {
            let mut after = row.data.clone();
            after.extend(changes);
            check_stage_limit(conn, &req.scope, Some(&row.id), &after)?;
            row.data = after;
            records::update(conn, &req.scope, entity.set, &mut row)?;
        } else {
            row.data.extend(changes);
            records::update(conn, &req.scope, entity.set, &mut row)?;
        }
        if req.scope == HOST_SCOPE {
            audit::append(conn, &req.caller, Action::Update, "Update", entity.logical, &row.id, Some(&before), Some(&row.data))?;
        }
        let r = if req.prefer.return_representation {
            single(req, conn, entity, &row, &opts, StatusCode::OK)
        } else {
            StatusCode::NO_CONTENT.into_response()
        };
        Ok(entity_id_header(r, req, entity, &row.id))
    })?;
    state.wake.notify_one();
    Ok(response)
}

pub fn delete(
    state: &AppState,
    req: &Req,
    entity: &'static Entity,
    id: &str,
) -> ApiResult<Response> {
    require_write(req, entity, "Delete")?;
    state.store.tx(|conn| {
        let before = load(conn, req, entity, id)?;
        if !records::delete(conn, &req.scope, entity.set, id)? {
            return Err(ApiError::no_record(entity.logical, id));
        }
        if req.scope == HOST_SCOPE {
            audit::append(
                conn,
                &req.caller,
                Action::Delete,
                "Delete",
                entity.logical,
                &before.id,
                Some(&before.data),
                None,
            )?;
        }
        jobs::remove(conn, id)?;
        conn.prepare_cached("DELETE FROM links WHERE scope = ?1 AND (a = ?2 OR b = ?2)")?
            .execute([&req.scope, id])?;
        if entity.set == "deploymentartifacts" {
            crate::store::files::delete_artifact(conn, id)?;
        }
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

pub fn navigate(
    state: &AppState,
    req: &Req,
    entity: &'static Entity,
    id: &str,
    nav: &str,
) -> ApiResult<Response> {
    state.store.read(|conn| {
        let lookup = Lookup {
            conn,
            scope: &req.scope,
        };
        let row = load_readable(conn, req, entity, id)?;
        if let Some(column) = entity.lookup(nav) {
            let Kind::Lookup(target) = column.kind else {
                unreachable!()
            };
            let target_entity = super::super::schema::entity(&req.scope, target)
                .ok_or_else(|| ApiError::no_segment(nav))?;
            let opts = QueryOptions::parse(&req.query, target_entity, &lookup)?;
            let other = row
                .str(&column.key())
                .and_then(|tid| records::get(conn, &req.scope, target, tid).ok().flatten())
                .ok_or_else(|| ApiError::no_record(target_entity.logical, "null"))?;
            access::require_read(
                conn,
                &req.caller,
                &req.scope,
                target_entity.set,
                target_entity.logical,
                &other,
            )?;
            return Ok(single(
                req,
                conn,
                target_entity,
                &other,
                &opts,
                StatusCode::OK,
            ));
        }
        let nav_def: &Nav = entity.nav(nav).ok_or_else(|| ApiError::no_segment(nav))?;
        let target = super::super::schema::entity(&req.scope, nav_def.target())
            .ok_or_else(|| ApiError::no_segment(nav))?;
        let opts = QueryOptions::parse(&req.query, target, &lookup)?;
        let rows = crate::odata::filter::Resolve::related(&lookup, entity, &row, nav_def);
        let rows = visible(conn, req, target, rows)?;
        Ok(collection(req, conn, target, rows, &opts))
    })
}

fn many_to_many(entity: &Entity, nav: &str) -> ApiResult<(&'static str, &'static str, bool)> {
    match entity.nav(nav) {
        Some(Nav::ManyToMany {
            target, rel, left, ..
        }) => Ok((target, rel, *left)),
        Some(_) => Err(ApiError::bad_request(format!(
            "{nav} is one-to-many; set the lookup on the related row with @odata.bind instead"
        ))),
        None => Err(ApiError::no_segment(nav)),
    }
}

pub fn associate(
    state: &AppState,
    req: &Req,
    entity: &'static Entity,
    id: &str,
    nav: &str,
) -> ApiResult<Response> {
    let body = req.json_body()?;
    let (target, rel, left) = many_to_many(entity, nav)?;
    let reference = body
        .get("@odata.id")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ApiError::bad_request(
                "the body must be {\"@odata.id\": \"<uri of the row to associate>\"}",
            )
        })?;
    let (set, other) = parse_reference(reference)?;
    if set != target {
        return Err(ApiError::bad_request(format!(
            "{nav} associates {target}, not {set}"
        )));
    }
    require_write(req, entity, "Append")?;
    if req.scope == HOST_SCOPE {
        access::require_admin(&req.caller, "Append", entity.logical)?;
    }
    state.store.tx(|conn| {
        load(conn, req, entity, id)?;
        if records::get(conn, &req.scope, target, &other)?.is_none() {
            return Err(ApiError::no_record(target.trim_end_matches('s'), &other));
        }
        let (a, b) = if left {
            (id, other.as_str())
        } else {
            (other.as_str(), id)
        };
        records::link(conn, &req.scope, rel, a, b)?;
        link_audit(conn, req, Action::Associate, entity, id, rel, &other)?;
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

pub fn disassociate(
    state: &AppState,
    req: &Req,
    entity: &'static Entity,
    id: &str,
    nav: &str,
) -> ApiResult<Response> {
    let (target, rel, left) = many_to_many(entity, nav)?;
    let reference = req
        .query
        .iter()
        .find(|(k, _)| k == "$id")
        .map(|(_, v)| v.clone())
        .ok_or_else(|| ApiError::bad_request("add ?$id=<uri of the row to disassociate>"))?;
    let (set, other) = parse_reference(&reference)?;
    if set != target {
        return Err(ApiError::bad_request(format!(
            "{nav} associates {target}, not {set}"
        )));
    }
    require_write(req, entity, "Append")?;
    if req.scope == HOST_SCOPE {
        access::require_admin(&req.caller, "Append", entity.logical)?;
    }
    state.store.tx(|conn| {
        load(conn, req, entity, id)?;
        let (a, b) = if left {
            (id, other.as_str())
        } else {
            (other.as_str(), id)
        };
        if !records::unlink(conn, &req.scope, rel, a, b)? {
            return Err(ApiError::no_record(target.trim_end_matches('s'), &other));
        }
        link_audit(conn, req, Action::Disassociate, entity, id, rel, &other)?;
        Ok(StatusCode::NO_CONTENT.into_response())
    })
}

/// The audit row of an association change: the relationship and the other row.
fn link_audit(
    conn: &Connection,
    req: &Req,
    action: Action,
    entity: &Entity,
    id: &str,
    rel: &str,
    other: &str,
) -> ApiResult<()> {
    if req.scope != HOST_SCOPE {
        return Ok(());
    }
    let mut change = Map::new();
    change.insert(rel.to_string(), other.into());
    let (before, after) = if action == Action::Associate {
        (None, Some(&change))
    } else {
        (Some(&change), None)
    };
    let message = if action == Action::Associate {
        "Associate"
    } else {
        "Disassociate"
    };
    audit::append(
        conn,
        &req.caller,
        action,
        message,
        entity.logical,
        id,
        before,
        after,
    )
}

/// Builds `{"@odata.context": …, "value": v}` for a single property read.
pub fn property(req: &Req, entity: &Entity, key: &str, value: Value) -> Response {
    let hidden =
        runs::gates::ADMIN_ONLY.contains(&key) && !req.caller.has(crate::caller::Role::Admin);
    let value = if hidden { Value::Null } else { value };
    json(
        StatusCode::OK,
        json!({ "@odata.context": format!("{}/$metadata#{}({})/{key}", req.api_base, entity.set, "id"), "value": value }),
    )
}
