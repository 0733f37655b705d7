//! Single-column reads, and file columns as Dataverse serves them (spec §5.15):
//! `/$value` raw bytes with `x-ms-file-name` / `x-ms-file-size`, `Range` → 206,
//! or the JSON base64 form without `/$value`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::Value;

use super::entities::property;
use super::{AppState, Req};
use crate::error::{ApiError, ApiResult};
use crate::schema::{Column, Entity, Kind};
use crate::store::{files, records};

pub fn column(
    state: &AppState,
    req: &Req,
    entity: &'static Entity,
    id: &str,
    column: &'static Column,
    raw: bool,
) -> ApiResult<Response> {
    let (row, file) = state.store.tx(|conn| {
        let row = records::get(conn, &req.scope, entity.set, id)?
            .ok_or_else(|| ApiError::no_record(entity.logical, id))?;
        let file = match column.kind {
            Kind::File => files::get(conn, id, column.name)?,
            _ => None,
        };
        Ok::<_, ApiError>((row, file))
    })?;
    if !matches!(column.kind, Kind::File) {
        let value = row.data.get(&column.key()).cloned().unwrap_or(Value::Null);
        if raw {
            let text = match &value {
                Value::String(s) => s.clone(),
                Value::Null => return Ok(StatusCode::NO_CONTENT.into_response()),
                other => other.to_string(),
            };
            let mut r = text.into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
            return Ok(r);
        }
        return Ok(property(req, entity, &column.key(), value));
    }
    let file = file.ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ferry_pipelines::codes::OBJECT_DOES_NOT_EXIST,
            format!(
                "No file attachment found for attribute: {} EntityId: {id}.",
                column.name
            ),
        )
    })?;
    if !raw {
        let encoded = base64::engine::general_purpose::STANDARD.encode(&file.bytes);
        return Ok(property(req, entity, column.name, Value::String(encoded)));
    }
    let size = file.bytes.len();
    let range = req
        .headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (status, body, content_range) = match range {
        None => (StatusCode::OK, file.bytes.clone(), None),
        Some(spec) => {
            let (start, end) = parse_range(&spec, size).ok_or_else(|| {
                ApiError::new(
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    ferry_pipelines::codes::INVALID_ARGUMENT,
                    format!("The range '{spec}' is outside the file ({size} bytes); use bytes=<first>-<last>."),
                )
            })?;
            (
                StatusCode::PARTIAL_CONTENT,
                file.bytes[start..=end].to_vec(),
                Some(format!("bytes {start}-{end}/{size}")),
            )
        }
    };
    let chunk = body.len();
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(
        "mimetype",
        HeaderValue::from_static("application/x-zip-compressed"),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(v) = HeaderValue::from_str(&file.name) {
        h.insert("x-ms-file-name", v);
    }
    h.insert("x-ms-file-size", HeaderValue::from(size));
    h.insert(
        "x-ferry-sha256",
        HeaderValue::from_str(&file.sha256).expect("hex is a valid header"),
    );
    if let Some(cr) = content_range {
        h.insert(
            header::CONTENT_RANGE,
            HeaderValue::from_str(&cr).expect("ascii"),
        );
        h.insert("x-ms-chunk-size", HeaderValue::from(chunk));
    }
    Ok(r)
}

/// `bytes=a-b`, `bytes=a-` or `bytes=-n` → inclusive byte positions.
fn parse_range(spec: &str, size: usize) -> Option<(usize, usize)> {
    let spec = spec.trim().strip_prefix("bytes=")?;
    let (a, b) = spec.split_once('-')?;
    if size == 0 {
        return None;
    }
    let (start, end) = match (a.trim(), b.trim()) {
        ("", n) => {
            let n: usize = n.parse().ok()?;
            (size.saturating_sub(n), size - 1)
        }
        (s, "") => (s.parse().ok()?, size - 1),
        (s, e) => (s.parse().ok()?, e.parse::<usize>().ok()?.min(size - 1)),
    };
    (start <= end && start < size).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), Some((0, 9)));
        assert_eq!(parse_range("bytes=90-", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=50-500", 100), Some((50, 99)));
        assert_eq!(parse_range("bytes=100-", 100), None);
        assert_eq!(parse_range("items=0-1", 100), None);
    }
}
