//! `/_ferry/faults`: GET the switches, PUT to replace them, PATCH to change
//! some (a JSON merge), DELETE to clear them all. Administrators only.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::FaultSpec;
use crate::caller::Role;
use crate::error::{ApiError, ApiResult};
use crate::routes::access;
use crate::state::{json, AppState};
use crate::store::environments;

fn admin(state: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    let who = crate::state::checked_caller(state, headers, crate::schema::HOST_SCOPE)?;
    if who.has(Role::Admin) {
        Ok(())
    } else {
        Err(access::denied(&who, "prvWriteferryfaults", "ferryfaults"))
    }
}

/// The switches with the import failures the database holds.
fn current(state: &AppState) -> ApiResult<FaultSpec> {
    let mut spec = state.faults.snapshot();
    spec.import_failures = state
        .store
        .tx(environments::list)?
        .into_iter()
        .filter(|e| e.kind != environments::EnvKind::Host)
        .map(|e| (e.name, e.import_failures))
        .collect();
    Ok(spec)
}

/// Applies `spec`: import failures go to the database, the rest to the runtime state.
pub(crate) fn install(state: &AppState, mut spec: FaultSpec, clear_imports: bool) -> ApiResult<()> {
    spec.check()
        .map_err(|e| ApiError::bad_request(format!("the fault switches are not valid: {e}")))?;
    let failures = std::mem::take(&mut spec.import_failures);
    state.store.tx(|c| -> ApiResult<()> {
        for mut env in environments::list(c)? {
            let wanted = failures
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&env.name))
                .map(|(_, n)| *n);
            let next = match wanted {
                Some(n) => n,
                None if clear_imports => 0,
                None => continue,
            };
            if env.import_failures != next {
                env.import_failures = next;
                environments::put(c, &env)?;
            }
        }
        if let Some(name) = failures
            .keys()
            .find(|k| environments::get(c, k).ok().flatten().is_none())
        {
            return Err(ApiError::bad_request(format!(
                "import_failures names '{name}', which is not an environment of this host"
            )));
        }
        Ok(())
    })?;
    state.faults.replace(spec);
    Ok(())
}

fn parse(body: &[u8]) -> ApiResult<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))
}

fn to_spec(value: Value) -> ApiResult<FaultSpec> {
    serde_json::from_value(value).map_err(|e| {
        ApiError::bad_request(format!(
            "the fault switches are not valid ({e}); GET /_ferry/faults shows the shape"
        ))
    })
}

/// RFC 7396 merge: objects merge, `null` removes, anything else replaces.
fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(&k);
                } else {
                    merge(t.entry(k).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p,
    }
}

fn answer(state: &AppState) -> ApiResult<Response> {
    let spec = current(state)?;
    Ok(json(
        StatusCode::OK,
        serde_json::to_value(spec).expect("fault switches serialize"),
    ))
}

fn respond(result: ApiResult<Response>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

pub async fn get(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    respond(admin(&state, &headers).and_then(|()| answer(&state)))
}

pub async fn put(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    respond((|| {
        admin(&state, &headers)?;
        install(&state, to_spec(parse(&body)?)?, false)?;
        answer(&state)
    })())
}

pub async fn patch(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond((|| {
        admin(&state, &headers)?;
        let mut value = serde_json::to_value(current(&state)?).expect("fault switches serialize");
        merge(&mut value, parse(&body)?);
        install(&state, to_spec(value)?, false)?;
        answer(&state)
    })())
}

pub async fn delete(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    respond((|| {
        admin(&state, &headers)?;
        install(&state, FaultSpec::default(), true)?;
        Ok(StatusCode::NO_CONTENT.into_response())
    })())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_follows_rfc_7396() {
        let mut v = serde_json::json!({"a": 1, "b": {"c": 2, "d": 3}});
        merge(
            &mut v,
            serde_json::json!({"a": null, "b": {"c": 5}, "e": [1]}),
        );
        assert_eq!(v, serde_json::json!({"b": {"c": 5, "d": 3}, "e": [1]}));
    }
}
