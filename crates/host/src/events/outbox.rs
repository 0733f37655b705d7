//! The outbox: an event is a row written in the transaction of the run
//! transition that causes it, together with one pending delivery per matching
//! webhook. A rolled-back transition leaves neither; a committed one never
//! loses them.

use rusqlite::{params, Connection};
use serde_json::Value;

use super::catalog::{self, EventName, Facts};
use super::{envelope, webhooks};
use crate::clock;
use crate::error::ApiResult;
use crate::runs::record::Run;
use crate::schema::HOST_SCOPE;
use crate::store::{self, records, records::Record};

pub use super::event::Event;

/// Who asked for the deployment: stored on the run by the actions, else the creator.
fn deploy_as_user(conn: &Connection, run: &Run) -> ApiResult<(String, String)> {
    if let Some((upn, id)) = run.requester() {
        return Ok((upn.to_string(), id.to_string()));
    }
    let creator = run.record().str("_createdby_value").map(str::to_string);
    if let Some(user) = creator
        .as_deref()
        .map(|id| records::get(conn, HOST_SCOPE, "systemusers", id))
        .transpose()?
        .flatten()
    {
        return Ok((
            user.str("domainname").unwrap_or_default().to_string(),
            user.id,
        ));
    }
    Ok((String::new(), creator.unwrap_or_default()))
}

fn name_of(conn: &Connection, set: &str, id: &str) -> ApiResult<(String, Option<Record>)> {
    let row = records::get(conn, HOST_SCOPE, set, id)?;
    Ok((
        row.as_ref()
            .and_then(|r| r.str("name"))
            .unwrap_or_default()
            .to_string(),
        row,
    ))
}

/// Records `event` for `run` (with `inputs` after `StageRunId`) and queues its deliveries.
pub fn emit(
    conn: &Connection,
    run: &Run,
    event: EventName,
    inputs: &[(&str, Value)],
) -> ApiResult<()> {
    let (stage_name, stage) = name_of(conn, "deploymentstages", run.stage_id())?;
    let pipeline_id = stage
        .as_ref()
        .and_then(|s| s.str("_deploymentpipelineid_value"))
        .unwrap_or_default()
        .to_string();
    let (pipeline_name, _) = name_of(conn, "deploymentpipelines", &pipeline_id)?;
    let (upn, user_id) = deploy_as_user(conn, run)?;
    let base = store::meta_get(conn, "base_url")?.unwrap_or_default();
    let facts = Facts {
        run: run.record(),
        stage_name,
        pipeline_name,
        deploy_as_user: upn,
        api: format!("{base}/api/data/v9.0"),
    };
    let (input, output) = catalog::parameters(event, &facts, inputs);
    let run_seq: i64 = conn
        .prepare_cached("SELECT COALESCE(MAX(run_seq), 0) + 1 FROM events WHERE run = ?1")?
        .query_row([run.id()], |r| r.get(0))?;
    let id = uuid::Uuid::new_v4().to_string();
    let now = clock::now_ms();
    let pairs = |p: &[(String, Value)]| {
        Value::Array(
            p.iter()
                .map(|(k, v)| Value::Array(vec![k.clone().into(), v.clone()]))
                .collect(),
        )
        .to_string()
    };
    conn.prepare_cached(
        "INSERT INTO events (id, run, run_seq, name, at_ms, input, output, user_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        id,
        run.id(),
        run_seq,
        event.as_str(),
        now,
        pairs(&input),
        pairs(&output),
        user_id
    ])?;
    let stored = Event {
        seq: conn.last_insert_rowid(),
        id,
        run: run.id().to_string(),
        run_seq,
        name: event.as_str().to_string(),
        at_ms: now,
        input,
        output,
        user_id,
    };
    let org = envelope::Org::read(conn)?;
    for hook in webhooks::list(conn)?.into_iter().filter(|w| w.wants(event)) {
        let body = envelope::body(&org, &stored, &hook.id);
        conn.prepare_cached(
            "INSERT INTO deliveries (id, webhook, event_seq, run, run_seq, state, due_ms, body)
             VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7)",
        )?
        .execute(params![
            uuid::Uuid::new_v4().to_string(),
            hook.id,
            stored.seq,
            stored.run,
            stored.run_seq,
            now,
            body
        ])?;
    }
    Ok(())
}

fn decode_pairs(text: &str) -> Vec<(String, Value)> {
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    items
        .into_iter()
        .filter_map(|p| match p {
            Value::Array(mut kv) if kv.len() == 2 => {
                let v = kv.pop()?;
                Some((kv.pop()?.as_str()?.to_string(), v))
            }
            _ => None,
        })
        .collect()
}

/// Every event (of one run, when given), in emission order.
pub fn list(conn: &Connection, run: Option<&str>) -> rusqlite::Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, id, run, run_seq, name, at_ms, input, output, user_id FROM events
         WHERE ?1 IS NULL OR run = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([run.map(str::to_ascii_lowercase)], |r| {
        Ok(Event {
            seq: r.get(0)?,
            id: r.get(1)?,
            run: r.get(2)?,
            run_seq: r.get(3)?,
            name: r.get(4)?,
            at_ms: r.get(5)?,
            input: decode_pairs(&r.get::<_, String>(6)?),
            output: decode_pairs(&r.get::<_, String>(7)?),
            user_id: r.get(8)?,
        })
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;

    #[test]
    fn an_event_lives_and_dies_with_its_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(dir.path()).unwrap();
        let run = Run::from_record(Record {
            id: "r1".into(),
            version: 1,
            data: Default::default(),
        });
        store
            .tx(|c| {
                webhooks::insert(
                    c,
                    "w1",
                    &webhooks::WebhookSpec {
                        url: "http://127.0.0.1:9/".into(),
                        ..Default::default()
                    },
                )?;
                emit(c, &run, EventName::DeploymentRequested, &[])
            })
            .unwrap();
        let rolled_back: ApiResult<()> = store.tx(|c| {
            emit(c, &run, EventName::DeploymentStarted, &[])?;
            Err(ApiError::rule("the transition was refused"))
        });
        assert!(rolled_back.is_err());
        store
            .tx(|c| emit(c, &run, EventName::DeploymentCompleted, &[]))
            .unwrap();
        let (events, deliveries) = store
            .tx(|c| -> rusqlite::Result<_> {
                let n: i64 = c
                    .prepare_cached("SELECT COUNT(*) FROM deliveries")?
                    .query_row([], |r| r.get(0))?;
                Ok((list(c, Some("r1"))?, n))
            })
            .unwrap();
        let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["OnDeploymentRequested", "OnDeploymentCompleted"]);
        assert_eq!(events[1].run_seq, 2);
        assert_eq!(deliveries, 2);
    }
}
