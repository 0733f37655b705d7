//! The webhook envelope exactly as a Dataverse service endpoint sends it
//! (spec §7.3): the `RemoteExecutionContext` JSON with key/value parameter
//! arrays and `\/Date(ms)\/` dates, the `x-ms-*` headers, and Ferry's
//! delivery id and HMAC-SHA256 signature.

use hmac::{Hmac, Mac};
use rusqlite::Connection;
use serde_json::{json, Value};
use sha2::Sha256;

use super::event::Event;
use crate::ids::derived_id;
use crate::store;

/// The organization the events come from.
#[derive(Debug, Clone, Default)]
pub struct Org {
    pub id: String,
    pub business_unit: String,
    pub name: String,
    /// Host name (and port) of the host environment, for `x-ms-dynamics-organization`.
    pub host: String,
}

impl Org {
    pub fn read(conn: &Connection) -> rusqlite::Result<Self> {
        let get = |k: &str| store::meta_get(conn, k).map(Option::unwrap_or_default);
        let base = get("base_url")?;
        Ok(Self {
            id: get("organizationid")?,
            business_unit: get("businessunitid")?,
            name: get("seeded")?,
            host: base
                .split_once("://")
                .map_or(base.as_str(), |(_, h)| h)
                .trim_end_matches('/')
                .to_string(),
        })
    }
}

/// A DataContract date as its JSON string value (`/Date(ms)/`, written `\/Date(ms)\/`).
pub fn date(ms: i64) -> String {
    format!("/Date({ms})/")
}

/// Writes `"/Date(n)/"` strings the DataContract way, `"\/Date(n)\/"`.
fn escape_dates(json: &str) -> String {
    let mut out = String::with_capacity(json.len() + 16);
    let mut rest = json;
    while let Some(at) = rest.find("\"/Date(") {
        let tail = &rest[at + 7..];
        let digits = tail
            .find(|c: char| !(c.is_ascii_digit() || c == '-'))
            .unwrap_or(tail.len());
        out.push_str(&rest[..at]);
        if tail[digits..].starts_with(")/\"") && digits > 0 {
            out.push_str("\"\\/Date(");
            out.push_str(&tail[..digits]);
            out.push_str(")\\/\"");
            rest = &tail[digits + 3..];
        } else {
            out.push_str("\"/Date(");
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

fn key_values(pairs: &[(String, Value)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(k, v)| json!({ "key": k, "value": v }))
            .collect(),
    )
}

/// The correlation id of a run's events: stable for the run.
pub fn correlation_id(run: &str) -> String {
    derived_id("correlation", run)
}

/// The exact body POSTed for `event` to the subscription `hook`.
pub fn body(org: &Org, event: &Event, hook: &str) -> String {
    let value = json!({
        "BusinessUnitId": org.business_unit,
        "CorrelationId": correlation_id(&event.run),
        "Depth": 1,
        "InitiatingUserId": event.user_id,
        "UserId": event.user_id,
        "InputParameters": key_values(&event.input),
        "OutputParameters": key_values(&event.output),
        "IsExecutingOffline": false,
        "IsInTransaction": false,
        "IsOfflinePlayback": false,
        "IsolationMode": 1,
        "MessageName": event.name,
        "Mode": 1,
        "OperationCreatedOn": date(event.at_ms),
        "OperationId": event.id,
        "OrganizationId": org.id,
        "OrganizationName": org.name,
        "OwningExtension": {
            "Id": derived_id("sdkmessageprocessingstep", &format!("{hook}/{}", event.name)),
            "KeyAttributes": [],
            "LogicalName": "sdkmessageprocessingstep",
            "Name": null,
            "RowVersion": null,
        },
        "ParentContext": null,
        "PostEntityImages": [],
        "PreEntityImages": [],
        "PrimaryEntityId": "00000000-0000-0000-0000-000000000000",
        "PrimaryEntityName": "none",
        "RequestId": event.id,
        "SecondaryEntityName": "none",
        "SharedVariables": [],
        "Stage": 40,
    });
    escape_dates(&value.to_string())
}

/// `sha256=<hex>` of HMAC-SHA256(secret, body).
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// The headers of one delivery (custom subscription headers are added by the sender).
pub fn headers(
    org: &Org,
    body: &Value,
    delivery: &str,
    secret: &str,
    raw: &[u8],
) -> Vec<(String, String)> {
    let text = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default();
    let mut h = vec![
        ("content-type".into(), "application/json".into()),
        ("x-request-id".into(), text("RequestId").to_string()),
        ("x-ms-dynamics-organization".into(), org.host.clone()),
        ("x-ms-dynamics-entity-name".into(), "none".into()),
        (
            "x-ms-dynamics-request-name".into(),
            text("MessageName").to_string(),
        ),
        (
            "x-ms-correlation-request-id".into(),
            text("CorrelationId").to_string(),
        ),
        ("x-ferry-delivery-id".into(), delivery.to_string()),
    ];
    if !secret.is_empty() {
        h.push(("x-ferry-signature".into(), signature(secret, raw)));
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> Event {
        Event {
            seq: 1,
            id: "e1".into(),
            run: "r1".into(),
            run_seq: 1,
            name: "OnDeploymentCompleted".into(),
            at_ms: 1_767_225_600_000,
            input: vec![
                ("StageRunId".into(), "r1".into()),
                ("DeploymentStatus".into(), 200000002.into()),
                ("ErrorMessage".into(), Value::Null),
            ],
            output: vec![("ArtifactName".into(), "Core".into())],
            user_id: "u1".into(),
        }
    }

    #[test]
    fn body_is_the_remote_execution_context_with_datacontract_dates() {
        let text = body(&Org::default(), &event(), "w1");
        assert!(
            text.contains(r#""OperationCreatedOn":"\/Date(1767225600000)\/""#),
            "{text}"
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["OperationCreatedOn"], "/Date(1767225600000)/");
        assert_eq!(v["MessageName"], "OnDeploymentCompleted");
        assert_eq!(v["Mode"], 1);
        assert_eq!(v["Stage"], 40);
        assert_eq!(v["PrimaryEntityName"], "none");
        assert_eq!(
            v["InputParameters"][1],
            json!({ "key": "DeploymentStatus", "value": 200000002 })
        );
        assert_eq!(
            v["OwningExtension"]["LogicalName"],
            "sdkmessageprocessingstep"
        );
    }

    #[test]
    fn only_whole_date_strings_are_escaped() {
        assert_eq!(
            escape_dates(r#"{"a":"/Date(5)/","b":"/Date(x)/","c":"/Date("}"#),
            r#"{"a":"\/Date(5)\/","b":"/Date(x)/","c":"/Date("}"#
        );
    }

    #[test]
    fn signature_is_hmac_sha256_hex() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
