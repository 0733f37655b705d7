//! Webhook subscriptions: where events are POSTed, which events, the secret
//! that signs them and extra headers. Seeded from the scenario's `[[webhooks]]`
//! and managed through `/_ferry/webhooks`.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension as _};
use serde::{Deserialize, Serialize};

use super::catalog::EventName;
use crate::clock;
use crate::error::{ApiError, ApiResult};

/// A subscription as configured (scenario TOML or the admin API).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookSpec {
    /// `http://` or `https://` URL the events are POSTed to.
    pub url: String,
    /// Event names to deliver; empty means all seven.
    pub events: Vec<String>,
    /// HMAC-SHA256 key for `x-ferry-signature`; empty: deliveries are not signed.
    pub secret: String,
    /// Extra headers sent with every delivery (e.g. an API key).
    pub headers: BTreeMap<String, String>,
}

impl WebhookSpec {
    /// Refuses a URL that is not HTTP(S), unknown event names and invalid header names.
    pub fn check(&self) -> ApiResult<()> {
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return Err(ApiError::bad_request(format!(
                "webhook url '{}' must start with http:// or https://",
                self.url
            )));
        }
        for e in &self.events {
            if EventName::parse(e).is_none() {
                let known: Vec<&str> = EventName::ALL.iter().map(|e| e.as_str()).collect();
                return Err(ApiError::bad_request(format!(
                    "'{e}' is not a Pipelines event; use one of {}",
                    known.join(", ")
                )));
            }
        }
        for (name, value) in &self.headers {
            let ok = axum::http::HeaderName::from_bytes(name.as_bytes()).is_ok()
                && axum::http::HeaderValue::from_str(value).is_ok();
            if !ok {
                return Err(ApiError::bad_request(format!(
                    "webhook header '{name}' is not a valid HTTP header name and value"
                )));
            }
        }
        Ok(())
    }
}

/// A stored subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    pub id: String,
    pub spec: WebhookSpec,
    pub created_ms: i64,
}

impl Webhook {
    pub fn wants(&self, event: EventName) -> bool {
        self.spec.events.is_empty()
            || self
                .spec
                .events
                .iter()
                .any(|e| EventName::parse(e) == Some(event))
    }

    /// The admin view: everything but the secret, which is write-only.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "url": self.spec.url,
            "events": self.spec.events,
            "headers": self.spec.headers,
            "signed": !self.spec.secret.is_empty(),
            "createdon": clock::ms_to_text(self.created_ms),
        })
    }
}

pub fn insert(conn: &Connection, id: &str, spec: &WebhookSpec) -> ApiResult<Webhook> {
    spec.check()?;
    let now = clock::now_ms();
    let events = serde_json::to_string(&spec.events).expect("strings serialize");
    let headers = serde_json::to_string(&spec.headers).expect("strings serialize");
    conn.prepare_cached(
        "INSERT INTO webhooks (id, seq, url, events, secret, headers, created_ms)
         VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM webhooks), ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![id, spec.url, events, spec.secret, headers, now])?;
    Ok(Webhook {
        id: id.to_string(),
        spec: spec.clone(),
        created_ms: now,
    })
}

fn decode(r: &rusqlite::Row<'_>) -> rusqlite::Result<Webhook> {
    let events: String = r.get(2)?;
    let headers: String = r.get(4)?;
    Ok(Webhook {
        id: r.get(0)?,
        spec: WebhookSpec {
            url: r.get(1)?,
            events: serde_json::from_str(&events).unwrap_or_default(),
            secret: r.get(3)?,
            headers: serde_json::from_str(&headers).unwrap_or_default(),
        },
        created_ms: r.get(5)?,
    })
}

/// Every subscription in creation order.
pub fn list(conn: &Connection) -> rusqlite::Result<Vec<Webhook>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, url, events, secret, headers, created_ms FROM webhooks ORDER BY seq",
    )?;
    let rows = stmt.query_map([], decode)?;
    rows.collect()
}

pub fn get(conn: &Connection, id: &str) -> rusqlite::Result<Option<Webhook>> {
    conn.prepare_cached(
        "SELECT id, url, events, secret, headers, created_ms FROM webhooks WHERE id = ?1",
    )?
    .query_row([id], decode)
    .optional()
}

/// Deletes a subscription and drops its undelivered deliveries; false if there was none.
pub fn delete(conn: &Connection, id: &str) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached("DELETE FROM webhooks WHERE id = ?1")?
        .execute([id])?;
    conn.prepare_cached(
        "UPDATE deliveries SET state = 'dropped' WHERE webhook = ?1 AND state = 'pending'",
    )?
    .execute([id])?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> (tempfile::TempDir, crate::store::Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(dir.path()).unwrap();
        (dir, store)
    }

    #[test]
    fn stores_lists_filters_and_deletes() {
        let (_dir, store) = db();
        store
            .tx(|c| -> ApiResult<()> {
                let spec = WebhookSpec {
                    url: "http://127.0.0.1:9/hook".into(),
                    events: vec!["OnDeploymentCompleted".into()],
                    secret: "s".into(),
                    headers: [("x-api-key".to_string(), "k".to_string())].into(),
                };
                insert(c, "w1", &spec)?;
                let all = list(c)?;
                assert_eq!(all.len(), 1);
                assert_eq!(all[0].spec, spec);
                assert!(all[0].wants(EventName::DeploymentCompleted));
                assert!(!all[0].wants(EventName::DeploymentStarted));
                assert!(all[0].to_json().get("secret").is_none());
                assert!(delete(c, "w1")?);
                assert!(!delete(c, "w1")?);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn refuses_bad_urls_events_and_headers() {
        let bad = [
            WebhookSpec {
                url: "ftp://x".into(),
                ..Default::default()
            },
            WebhookSpec {
                url: "http://x".into(),
                events: vec!["OnNothing".into()],
                ..Default::default()
            },
            WebhookSpec {
                url: "http://x".into(),
                headers: [("bad header".to_string(), "v".to_string())].into(),
                ..Default::default()
            },
        ];
        for spec in bad {
            assert!(spec.check().is_err(), "{spec:?}");
        }
    }
}
