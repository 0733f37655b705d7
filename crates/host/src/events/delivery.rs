//! The delivery task: POSTs pending deliveries, at least once and in order
//! per run and subscription (event n+1 of a run waits until n succeeded),
//! retrying non-2xx answers, time-outs and connection errors with capped
//! exponential backoff plus jitter. All state is in SQLite, so a restarted
//! host resumes; every attempt is logged.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::{params, Connection};
use serde_json::Value;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::envelope::{self, Org};
use super::webhooks;
use crate::clock;
use crate::store::Store;

/// Longest sleep between looks at the table.
const MAX_IDLE_MS: i64 = 100;
/// Deliveries attempted at once (each for a different run or subscription).
const BATCH: i64 = 16;

/// How deliveries are retried.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    /// First retry delay; doubles per attempt.
    pub base_ms: i64,
    /// Longest retry delay.
    pub cap_ms: i64,
    /// Time-out of one POST.
    pub timeout_ms: i64,
}

impl Policy {
    /// The delay before attempt `attempts + 1`, with up to 25 % jitter.
    pub fn delay_ms(&self, attempts: i64, jitter: f64) -> i64 {
        let shift = (attempts - 1).clamp(0, 30) as u32;
        let plain = self.base_ms.max(1).saturating_mul(1_i64 << shift);
        let capped = plain.min(self.cap_ms.max(1));
        capped + (capped as f64 * 0.25 * jitter.clamp(0.0, 1.0)) as i64
    }
}

/// One pending delivery that may be attempted now.
#[derive(Debug, Clone)]
struct Due {
    id: String,
    webhook: String,
    attempts: i64,
    body: String,
}

/// Heads of line: due, pending, and no earlier pending delivery of the same run to the same hook.
fn due(conn: &Connection, now: i64) -> rusqlite::Result<Vec<Due>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, d.webhook, d.attempts, d.body FROM deliveries d
         WHERE d.state = 'pending' AND d.due_ms <= ?1
           AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.state = 'pending'
                AND p.webhook = d.webhook AND p.run = d.run AND p.run_seq < d.run_seq)
         ORDER BY d.event_seq LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![now, BATCH], |r| {
        Ok(Due {
            id: r.get(0)?,
            webhook: r.get(1)?,
            attempts: r.get(2)?,
            body: r.get(3)?,
        })
    })?;
    rows.collect()
}

/// The earliest due time of a head of line (a delivery waiting behind an earlier one of its
/// run is not due before that one succeeds, so it must not wake the loop).
fn next_due(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached(
        "SELECT MIN(d.due_ms) FROM deliveries d WHERE d.state = 'pending'
           AND NOT EXISTS (SELECT 1 FROM deliveries p WHERE p.state = 'pending'
                AND p.webhook = d.webhook AND p.run = d.run AND p.run_seq < d.run_seq)",
    )?
    .query_row([], |r| r.get(0))
}

/// What one attempt gave.
struct Outcome {
    status: Option<u16>,
    error: Option<String>,
    duration_ms: i64,
}

impl Outcome {
    fn ok(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

fn record(
    conn: &Connection,
    d: &Due,
    started_ms: i64,
    out: &Outcome,
    policy: &Policy,
) -> rusqlite::Result<()> {
    let n = d.attempts + 1;
    conn.prepare_cached(
        "INSERT OR REPLACE INTO delivery_attempts (delivery, n, at_ms, status, error, duration_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        d.id,
        n,
        started_ms,
        out.status,
        out.error,
        out.duration_ms
    ])?;
    if out.ok() {
        conn.prepare_cached(
            "UPDATE deliveries SET state = 'delivered', attempts = ?2 WHERE id = ?1",
        )?
        .execute(params![d.id, n])?;
    } else {
        let jitter = (uuid::Uuid::new_v4().as_u128() % 1000) as f64 / 1000.0;
        let due = clock::now_ms() + policy.delay_ms(n, jitter);
        conn.prepare_cached(
            "UPDATE deliveries SET attempts = ?2, due_ms = ?3 WHERE id = ?1 AND state = 'pending'",
        )?
        .execute(params![d.id, n, due])?;
    }
    Ok(())
}

async fn attempt(
    client: &reqwest::Client,
    org: &Org,
    hook: &webhooks::Webhook,
    d: &Due,
) -> Outcome {
    let value: Value = serde_json::from_str(&d.body).unwrap_or(Value::Null);
    let mut rb = client.post(&hook.spec.url).body(d.body.clone());
    for (k, v) in envelope::headers(org, &value, &d.id, &hook.spec.secret, d.body.as_bytes()) {
        rb = rb.header(k, v);
    }
    for (k, v) in &hook.spec.headers {
        rb = rb.header(k, v);
    }
    let start = Instant::now();
    let result = rb.send().await;
    let duration_ms = start.elapsed().as_millis() as i64;
    match result {
        Ok(r) => Outcome {
            status: Some(r.status().as_u16()),
            error: (!r.status().is_success()).then(|| format!("HTTP {}", r.status())),
            duration_ms,
        },
        Err(e) => Outcome {
            status: None,
            error: Some(if e.is_timeout() {
                "timed out".to_string()
            } else if e.is_connect() {
                format!("cannot connect: {e}")
            } else {
                e.to_string()
            }),
            duration_ms,
        },
    }
}

/// Attempts one delivery and stores the outcome.
async fn deliver(store: Arc<Store>, client: reqwest::Client, policy: Policy, d: Due) {
    let looked_up = store
        .read(|c| -> rusqlite::Result<_> { Ok((webhooks::get(c, &d.webhook)?, Org::read(c)?)) });
    let (hook, org) = match looked_up {
        Ok((Some(h), org)) => (h, org),
        Ok((None, _)) => {
            let id = d.id.clone();
            let _ = store
                .write(move |c| {
                    c.prepare_cached("UPDATE deliveries SET state = 'dropped' WHERE id = ?1")?
                        .execute([&id])
                })
                .await;
            return;
        }
        Err(e) => {
            tracing::error!("delivery {} cannot read its webhook: {e}", d.id);
            return;
        }
    };
    let started_ms = store.clock().now_ms();
    let out = attempt(&client, &org, &hook, &d).await;
    let id = d.id.clone();
    let recorded = store
        .write(move |c| record(c, &d, started_ms, &out, &policy))
        .await;
    if let Err(e) = recorded {
        tracing::error!("delivery {id} cannot record its attempt: {e}");
    }
}

/// Runs until `shutdown` turns true.
pub async fn run(store: Arc<Store>, policy: Policy, mut shutdown: watch::Receiver<bool>) {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_millis(policy.timeout_ms.max(1) as u64))
        .no_proxy()
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("webhook deliveries are off: cannot build the HTTP client ({e})");
            return;
        }
    };
    let clock = store.clock().clone();
    let mut ticks = clock.ticks();
    loop {
        if *shutdown.borrow() {
            return;
        }
        let batch = store.read(|c| due(c, clock::now_ms())).unwrap_or_else(|e| {
            tracing::error!("cannot read pending deliveries: {e}");
            Vec::new()
        });
        let mut set = JoinSet::new();
        for d in batch {
            set.spawn(deliver(store.clone(), client.clone(), policy, d));
        }
        tokio::select! {
            _ = async { while set.join_next().await.is_some() {} } => {}
            _ = shutdown.changed() => { set.abort_all(); return; }
        }
        let next = store.read(next_due).ok().flatten();
        let wait_ms = next.map_or(MAX_IDLE_MS, |n| (n - clock.now_ms()).clamp(0, MAX_IDLE_MS));
        if wait_ms == 0 {
            continue;
        }
        tokio::select! {
            _ = ticks.sleep(wait_ms) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// The delivery log of `/_ferry/deliveries`: deliveries with every attempt, oldest first.
pub fn log(conn: &Connection, run: Option<&str>) -> rusqlite::Result<Vec<Value>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, d.webhook, d.run, d.run_seq, e.name, e.id, d.state, d.attempts, d.due_ms
         FROM deliveries d JOIN events e ON e.seq = d.event_seq
         WHERE ?1 IS NULL OR d.run = ?1 ORDER BY d.event_seq, d.webhook",
    )?;
    let rows: Vec<(String, Value)> = stmt
        .query_map([run.map(str::to_ascii_lowercase)], |r| {
            let id: String = r.get(0)?;
            let state: String = r.get(6)?;
            let due: i64 = r.get(8)?;
            Ok((
                id.clone(),
                serde_json::json!({
                    "id": id,
                    "webhook": r.get::<_, String>(1)?,
                    "run": r.get::<_, String>(2)?,
                    "sequence": r.get::<_, i64>(3)?,
                    "event": r.get::<_, String>(4)?,
                    "eventid": r.get::<_, String>(5)?,
                    "state": state,
                    "attempts": r.get::<_, i64>(7)?,
                    "nextattempt": (state == "pending").then(|| clock::ms_to_text(due)),
                }),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut attempts = conn.prepare_cached(
        "SELECT n, at_ms, status, error, duration_ms FROM delivery_attempts WHERE delivery = ?1 ORDER BY n",
    )?;
    rows.into_iter()
        .map(|(id, mut v)| {
            let list: Vec<Value> = attempts
                .query_map([&id], |r| {
                    Ok(serde_json::json!({
                        "attempt": r.get::<_, i64>(0)?,
                        "time": clock::ms_to_text(r.get(1)?),
                        "status": r.get::<_, Option<i64>>(2)?,
                        "error": r.get::<_, Option<String>>(3)?,
                        "duration_ms": r.get::<_, i64>(4)?,
                    }))
                })?
                .collect::<rusqlite::Result<_>>()?;
            v["log"] = Value::Array(list);
            Ok(v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_is_capped_and_jitters_up_to_a_quarter() {
        let p = Policy {
            base_ms: 10,
            cap_ms: 100,
            timeout_ms: 1000,
        };
        assert_eq!(p.delay_ms(1, 0.0), 10);
        assert_eq!(p.delay_ms(2, 0.0), 20);
        assert_eq!(p.delay_ms(4, 0.0), 80);
        assert_eq!(p.delay_ms(5, 0.0), 100);
        assert_eq!(p.delay_ms(60, 0.0), 100);
        assert_eq!(p.delay_ms(1, 1.0), 12);
        assert_eq!(p.delay_ms(9, 1.0), 125);
    }

    #[test]
    fn only_the_head_of_each_run_is_due() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .tx(|c| -> rusqlite::Result<()> {
                for (id, run, seq, ev) in [("d1", "r1", 1, 1), ("d2", "r1", 2, 2), ("d3", "r2", 1, 3)] {
                    c.prepare_cached("INSERT INTO deliveries (id, webhook, event_seq, run, run_seq, state, due_ms, body)
                         VALUES (?1, 'w', ?4, ?2, ?3, 'pending', 0, '{}')")?
        .execute(params![id, run, seq, ev],
                    )?;
                }
                let ids: Vec<String> = due(c, 1)?.into_iter().map(|d| d.id).collect();
                assert_eq!(ids, ["d1", "d3"]);
                c.prepare_cached("UPDATE deliveries SET state = 'delivered' WHERE id = 'd1'")?
        .execute([])?;
                let ids: Vec<String> = due(c, 1)?.into_iter().map(|d| d.id).collect();
                assert_eq!(ids, ["d2", "d3"]);
                Ok(())
            })
            .unwrap();
    }
}
