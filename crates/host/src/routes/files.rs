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
    let (row, file) = state.store.read(|conn| {
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
    let size = usize::try_from(file.size).unwrap_or(usize::MAX);
    if !raw {
        if file.path.is_none() {
            let encoded = base64::engine::general_purpose::STANDARD.encode(&file.bytes);
            return Ok(property(req, entity, column.name, Value::String(encoded)));
        }
        // The JSON base64 form, encoded while it streams (never the whole file in memory).
        let prefix = format!(
            "{{\"@odata.context\":{},\"value\":\"",
            Value::String(format!(
                "{}/$metadata#{}({})/{}",
                req.api_base, entity.set, "id", column.name
            ))
        );
        let body = stream_base64(&file, prefix, "\"}".to_string())?;
        let mut r = (StatusCode::OK, body).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json; odata.metadata=minimal"),
        );
        return Ok(r);
    }
    let range = req
        .headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (status, start, end, content_range) = match range {
        None => (StatusCode::OK, 0, size.saturating_sub(1), None),
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
                start,
                end,
                Some(format!("bytes {start}-{end}/{size}")),
            )
        }
    };
    let chunk = if size == 0 { 0 } else { end + 1 - start };
    let body = match &file.path {
        None if size == 0 => axum::body::Body::empty(),
        None => axum::body::Body::from(file.bytes[start..=end].to_vec()),
        Some(path) => stream_range(path, start as u64, chunk as u64)?,
    };
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(chunk));
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

fn unreadable(e: std::io::Error) -> ApiError {
    ApiError::internal(format!("the artifact file cannot be read: {e}"))
}

/// `len` bytes of `path` from `start`, streamed in 64 KiB chunks.
fn stream_range(path: &std::path::Path, start: u64, len: u64) -> ApiResult<axum::body::Body> {
    use std::io::{Seek as _, SeekFrom};
    use tokio::io::AsyncReadExt as _;
    let mut file = std::fs::File::open(path).map_err(unreadable)?;
    file.seek(SeekFrom::Start(start)).map_err(unreadable)?;
    let reader = tokio::fs::File::from_std(file).take(len);
    Ok(axum::body::Body::from_stream(
        tokio_util::io::ReaderStream::with_capacity(reader, 64 * 1024),
    ))
}

/// `prefix` + base64 of the file + `suffix`, encoded chunk by chunk as the client reads.
fn stream_base64(
    file: &files::StoredFile,
    prefix: String,
    suffix: String,
) -> ApiResult<axum::body::Body> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let path = file.path.clone().expect("on disk");
    let source = std::fs::File::open(&path).map_err(unreadable)?;
    let (mut tx, rx) = tokio::io::duplex(256 * 1024);
    tokio::spawn(async move {
        let mut source = tokio::fs::File::from_std(source);
        // A multiple of 3 bytes: each chunk encodes without padding but the last.
        let mut buf = vec![0u8; 48 * 1024];
        let result: std::io::Result<()> = async {
            tx.write_all(prefix.as_bytes()).await?;
            let mut filled = 0;
            loop {
                let n = source.read(&mut buf[filled..]).await?;
                filled += n;
                if filled == buf.len() || (n == 0 && filled > 0) {
                    let text = base64::engine::general_purpose::STANDARD.encode(&buf[..filled]);
                    tx.write_all(text.as_bytes()).await?;
                    filled = 0;
                }
                if n == 0 {
                    break;
                }
            }
            tx.write_all(suffix.as_bytes()).await?;
            tx.shutdown().await
        }
        .await;
        if let Err(e) = result {
            tracing::debug!("the artifact stream stopped: {e}");
        }
    });
    Ok(axum::body::Body::from_stream(
        tokio_util::io::ReaderStream::with_capacity(rx, 64 * 1024),
    ))
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
