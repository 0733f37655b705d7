//! Resource paths under `/api/data/vX/`: entity sets, keys, columns,
//! navigation properties, `$ref`, `$count`, `$value`, functions and actions.

use crate::error::{ApiError, ApiResult};
use crate::odata::percent_decode;
use crate::schema::{self, Column, Entity, Kind};

/// What a request path addresses.
#[derive(Debug)]
pub enum Resource {
    Metadata,
    Batch,
    Collection(&'static Entity),
    Count(&'static Entity),
    Row(&'static Entity, String),
    /// A column of a row; `raw` = `/$value`.
    Column {
        entity: &'static Entity,
        id: String,
        column: &'static Column,
        raw: bool,
    },
    /// A navigation property of a row; `refs` = `/$ref`.
    Nav {
        entity: &'static Entity,
        id: String,
        nav: String,
        refs: bool,
    },
    /// An unbound function with its raw (still percent-encoded) parameter text.
    Function {
        name: String,
        params: String,
    },
    /// An unbound action (or a function called without parentheses).
    Operation(String),
}

/// Splits on `/` outside parentheses and quotes.
fn segments(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    for (i, c) in path.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            '/' if depth == 0 && !quoted => {
                out.push(&path[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&path[start..]);
    out.into_iter().filter(|s| !s.is_empty()).collect()
}

/// Parses a key `(<guid>)` or `(<keycolumn>=<guid>)`.
fn parse_key(entity: &Entity, inner: &str) -> ApiResult<String> {
    let inner = percent_decode(inner, false);
    let value = match inner.split_once('=') {
        Some((k, v)) if k.trim() == entity.key => v.trim().to_string(),
        Some((k, _)) => {
            return Err(ApiError::bad_request(format!(
                "'{}' is not a key of {}; address rows by {} only",
                k.trim(),
                entity.set,
                entity.key
            )))
        }
        None => inner.trim().to_string(),
    };
    let value = value.trim_matches(['{', '}']);
    uuid::Uuid::parse_str(value).map(|u| u.to_string()).map_err(|_| {
        ApiError::bad_request(format!(
            "'{value}' is not a valid key: Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)"
        ))
    })
}

/// Parses the path after the version segment.
pub fn parse(scope: &str, rest: &str) -> ApiResult<Resource> {
    let segs = segments(rest);
    let Some(first) = segs.first().copied() else {
        return Err(ApiError::no_segment(""));
    };
    let (name, inner) = match first.find('(') {
        Some(i) if first.ends_with(')') => (&first[..i], Some(&first[i + 1..first.len() - 1])),
        _ => (first, None),
    };
    let name = percent_decode(name, false);
    match name.as_str() {
        "$metadata" => return Ok(Resource::Metadata),
        "$batch" => return Ok(Resource::Batch),
        _ => {}
    }
    let Some(entity) = schema::entity(scope, &name) else {
        if segs.len() > 1 {
            return Err(ApiError::no_segment(&name));
        }
        return Ok(match inner {
            Some(params) => Resource::Function {
                name,
                params: params.to_string(),
            },
            None => Resource::Operation(name),
        });
    };
    let Some(inner) = inner else {
        return match segs.get(1).copied() {
            None => Ok(Resource::Collection(entity)),
            Some("$count") if segs.len() == 2 => Ok(Resource::Count(entity)),
            Some(other) => Err(ApiError::no_segment(other)),
        };
    };
    let id = parse_key(entity, inner)?;
    let Some(second) = segs.get(1).map(|s| percent_decode(s, false)) else {
        return Ok(Resource::Row(entity, id));
    };
    let third = segs.get(2).copied();
    if segs.len() > 3 {
        return Err(ApiError::no_segment(segs[3]));
    }
    if let Some(column) = entity
        .column(&second)
        .filter(|c| !matches!(c.kind, Kind::Lookup(_)))
    {
        return match third {
            None => Ok(Resource::Column {
                entity,
                id,
                column,
                raw: false,
            }),
            Some("$value") => Ok(Resource::Column {
                entity,
                id,
                column,
                raw: true,
            }),
            Some(other) => Err(ApiError::no_segment(other)),
        };
    }
    if entity.nav(&second).is_some() || entity.lookup(&second).is_some() {
        return match third {
            None => Ok(Resource::Nav {
                entity,
                id,
                nav: second,
                refs: false,
            }),
            Some("$ref") => Ok(Resource::Nav {
                entity,
                id,
                nav: second,
                refs: true,
            }),
            Some(other) => Err(ApiError::no_segment(other)),
        };
    }
    Err(ApiError::no_segment(&second))
}

/// Reads `set(<guid>)` from an `@odata.id` or `@odata.bind` value: absolute,
/// relative, with or without a leading slash.
pub fn parse_reference(value: &str) -> ApiResult<(String, String)> {
    let tail = value.rsplit('/').next().unwrap_or(value);
    let bad = || {
        ApiError::bad_request(format!(
            "'{value}' is not a reference like /deploymentenvironments(<id>)"
        ))
    };
    let open = tail.find('(').ok_or_else(bad)?;
    if !tail.ends_with(')') {
        return Err(bad());
    }
    let set = tail[..open].to_string();
    let id = tail[open + 1..tail.len() - 1].trim_matches(['{', '}']);
    let id = uuid::Uuid::parse_str(id).map_err(|_| bad())?.to_string();
    Ok((set, id))
}

/// Splits a function's parameter text into decoded `(name, value)` pairs;
/// quoted values are unquoted, `@alias` values are looked up in the query.
pub fn function_params(raw: &str, query: &[(String, String)]) -> ApiResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, c) in raw.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(&raw[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&raw[start..]);
    for part in parts.into_iter().filter(|p| !p.trim().is_empty()) {
        let (k, v) = part.split_once('=').ok_or_else(|| {
            ApiError::bad_request(format!("cannot read the function parameter '{part}'"))
        })?;
        let k = percent_decode(k.trim(), false);
        let mut v = percent_decode(v.trim(), false);
        if v.starts_with('@') {
            v = query
                .iter()
                .find(|(name, _)| *name == v)
                .map(|(_, value)| value.clone())
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "the parameter alias {v} has no value in the query"
                    ))
                })?;
        }
        let v = match v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
            Some(inner) => inner.replace("''", "'"),
            None => v,
        };
        out.push((k, v));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::HOST_SCOPE;

    const ID: &str = "0a1b2c3d-0000-4000-8000-000000000001";

    #[test]
    fn parses_rows_columns_navs_and_operations() {
        assert!(matches!(
            parse(HOST_SCOPE, "deploymentstageruns").unwrap(),
            Resource::Collection(_)
        ));
        assert!(matches!(
            parse(HOST_SCOPE, "deploymentstageruns/$count").unwrap(),
            Resource::Count(_)
        ));
        match parse(
            HOST_SCOPE,
            &format!("deploymentstageruns({})", ID.to_uppercase()),
        )
        .unwrap()
        {
            Resource::Row(_, id) => assert_eq!(id, ID),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse(
                HOST_SCOPE,
                &format!("deploymentartifacts({ID})/artifactfile/$value")
            )
            .unwrap(),
            Resource::Column { raw: true, .. }
        ));
        assert!(matches!(
            parse(
                HOST_SCOPE,
                &format!("deploymentpipelines({ID})/deploymentpipeline_deploymentenvironment/$ref")
            )
            .unwrap(),
            Resource::Nav { refs: true, .. }
        ));
        match parse(
            HOST_SCOPE,
            "RetrieveDeploymentPipelineInfo(DeploymentPipelineId=x,ArtifactName='a/b')",
        )
        .unwrap()
        {
            Resource::Function { name, params } => {
                assert_eq!(name, "RetrieveDeploymentPipelineInfo");
                assert!(params.contains("a/b"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse(HOST_SCOPE, "DeployPackageAsync").unwrap(),
            Resource::Operation(_)
        ));
    }

    #[test]
    fn refuses_bad_keys_and_segments() {
        assert_eq!(
            parse(HOST_SCOPE, "deploymentstageruns(abc)")
                .unwrap_err()
                .status
                .as_u16(),
            400
        );
        assert_eq!(
            parse(HOST_SCOPE, "nosuchset(abc)/x")
                .unwrap_err()
                .status
                .as_u16(),
            404
        );
        assert_eq!(
            parse(HOST_SCOPE, &format!("deploymentstageruns({ID})/nope"))
                .unwrap_err()
                .status
                .as_u16(),
            404
        );
        assert!(matches!(
            parse("dev", "deploymentstageruns").unwrap(),
            Resource::Operation(_)
        ));
    }

    #[test]
    fn references_and_function_parameters() {
        for r in [
            format!("/deploymentenvironments({ID})"),
            format!("deploymentenvironments({ID})"),
            format!(
                "http://127.0.0.1:1/api/data/v9.2/deploymentenvironments({{{}}})",
                ID.to_uppercase()
            ),
        ] {
            assert_eq!(
                parse_reference(&r).unwrap(),
                ("deploymentenvironments".to_string(), ID.to_string())
            );
        }
        assert!(parse_reference("deploymentenvironments").is_err());
        let query = vec![("@p1".to_string(), "'x'".to_string())];
        let p = function_params("A=1,B='it''s%2Fa,b',C=@p1", &query).unwrap();
        assert_eq!(
            p,
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "it's/a,b".into()),
                ("C".into(), "x".into())
            ]
        );
    }
}
