//! System query options (`$select`, `$filter`, `$orderby`, `$top`, `$count`,
//! `$expand`, `$skiptoken`), parsed from the raw query string and bound to a table.

use base64::Engine as _;

use super::filter::{self, unknown_property, Expr, Resolve};
use super::percent_decode;
use crate::error::{ApiError, ApiResult};
use crate::schema::{Entity, Kind};

/// One `$orderby` key.
#[derive(Debug, Clone)]
pub struct OrderBy {
    pub key: String,
    pub desc: bool,
}

/// One `$expand` item with its nested options.
#[derive(Debug, Clone)]
pub struct Expand {
    pub nav: String,
    pub target: &'static Entity,
    /// `Some(lookup key)` for a single-valued navigation.
    pub lookup_key: Option<String>,
    pub options: Box<QueryOptions>,
}

/// The bound options of one request (or one `$expand` item).
#[derive(Debug, Clone, Default)]
pub struct QueryOptions {
    pub select: Option<Vec<String>>,
    pub filter: Option<Expr>,
    pub orderby: Vec<OrderBy>,
    pub top: Option<usize>,
    pub count: bool,
    pub expand: Vec<Expand>,
    pub skip: usize,
}

/// Splits a raw query string into decoded `(name, value)` pairs.
pub fn pairs(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// The opaque `$skiptoken` for a row offset.
pub fn skiptoken(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("ferry-page:{offset}"))
}

fn parse_skiptoken(token: &str) -> ApiResult<usize> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("ferry-page:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| {
            ApiError::bad_query(
                "$skiptoken is not one this host issued; follow @odata.nextLink verbatim",
            )
        })
}

/// Where options come from: the request itself, or inside a collection or single-valued `$expand`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Request,
    ExpandCollection,
    ExpandSingle,
}

impl QueryOptions {
    /// Binds the system query options of a request to `entity`.
    pub fn parse(
        pairs: &[(String, String)],
        entity: &'static Entity,
        resolve: &dyn Resolve,
    ) -> ApiResult<Self> {
        Self::bind(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            entity,
            resolve,
            Level::Request,
        )
    }

    fn bind<'a>(
        items: impl Iterator<Item = (&'a str, &'a str)>,
        entity: &'static Entity,
        resolve: &dyn Resolve,
        level: Level,
    ) -> ApiResult<Self> {
        let mut o = QueryOptions::default();
        for (name, value) in items {
            if !name.starts_with('$') {
                continue;
            }
            let allowed = match level {
                Level::Request => true,
                Level::ExpandCollection => {
                    matches!(name, "$select" | "$filter" | "$top" | "$orderby")
                }
                Level::ExpandSingle => name == "$select",
            };
            if !allowed {
                return Err(ApiError::bad_query(format!(
                    "{name} is not supported inside this $expand; only {} may be nested",
                    if level == Level::ExpandSingle {
                        "$select"
                    } else {
                        "$select, $filter, $top and $orderby"
                    }
                )));
            }
            match name {
                "$select" => o.select = Some(parse_select(value, entity)?),
                "$filter" => o.filter = Some(filter::parse(value, entity, resolve)?),
                "$orderby" => o.orderby = parse_orderby(value, entity)?,
                "$top" => {
                    o.top = Some(value.trim().parse().map_err(|_| {
                        ApiError::bad_query(format!(
                            "$top must be a non-negative whole number, not '{value}'"
                        ))
                    })?)
                }
                "$count" => {
                    o.count = match value.trim() {
                        "true" => true,
                        "false" => false,
                        _ => return Err(ApiError::bad_query("$count must be true or false")),
                    }
                }
                "$expand" => o.expand = parse_expand(value, entity, resolve)?,
                "$skiptoken" => o.skip = parse_skiptoken(value)?,
                "$format" if value.eq_ignore_ascii_case("json") => {}
                other => {
                    return Err(ApiError::bad_query(format!(
                        "The query parameter {other} is not supported"
                    )))
                }
            }
        }
        Ok(o)
    }
}

fn parse_select(value: &str, entity: &'static Entity) -> ApiResult<Vec<String>> {
    let mut keys = Vec::new();
    for name in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let column = entity
            .column(name)
            .ok_or_else(|| unknown_property(entity, name))?;
        keys.push(column.key());
    }
    Ok(keys)
}

fn parse_orderby(value: &str, entity: &'static Entity) -> ApiResult<Vec<OrderBy>> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            let mut words = item.split_whitespace();
            let name = words.next().unwrap_or_default();
            let desc = match words.next() {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(other) => {
                    return Err(ApiError::bad_query(format!(
                        "$orderby direction must be asc or desc, not '{other}'"
                    )))
                }
            };
            if words.next().is_some() {
                return Err(ApiError::bad_query(format!(
                    "cannot read the $orderby item '{item}'"
                )));
            }
            let column = entity
                .column(name)
                .ok_or_else(|| unknown_property(entity, name))?;
            if matches!(column.kind, Kind::File | Kind::Memo) {
                return Err(ApiError::bad_query(format!("cannot order by '{name}'")));
            }
            Ok(OrderBy {
                key: column.key(),
                desc,
            })
        })
        .collect()
}

/// Splits on `sep` outside parentheses and quotes.
fn split_top(text: &str, sep: char) -> ApiResult<Vec<&str>> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    for (i, c) in text.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            c if c == sep && !quoted && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if depth < 0 {
            return Err(ApiError::bad_query("unbalanced parentheses in the query"));
        }
    }
    if depth != 0 || quoted {
        return Err(ApiError::bad_query(
            "unbalanced parentheses or quotes in the query",
        ));
    }
    parts.push(&text[start..]);
    Ok(parts)
}

fn parse_expand(
    value: &str,
    entity: &'static Entity,
    resolve: &dyn Resolve,
) -> ApiResult<Vec<Expand>> {
    let mut out = Vec::new();
    for item in split_top(value, ',')?
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let (nav, inner) = match item.find('(') {
            Some(i) if item.ends_with(')') => (item[..i].trim(), &item[i + 1..item.len() - 1]),
            Some(_) => {
                return Err(ApiError::bad_query(format!(
                    "cannot read the $expand item '{item}'"
                )))
            }
            None => (item, ""),
        };
        let (target_set, lookup_key, level) = if let Some(lookup) = entity.lookup(nav) {
            let Kind::Lookup(target) = lookup.kind else {
                unreachable!()
            };
            (target, Some(lookup.key()), Level::ExpandSingle)
        } else if let Some(n) = entity.nav(nav) {
            (n.target(), None, Level::ExpandCollection)
        } else {
            return Err(ApiError::bad_query(format!(
                "Could not find a navigation property named '{nav}' on type '{}'.",
                entity.type_name()
            )));
        };
        let target = resolve
            .entity(target_set)
            .ok_or_else(|| ApiError::bad_query(format!("'{nav}' cannot be expanded here")))?;
        let mut nested = Vec::new();
        for opt in split_top(inner, ';')?
            .into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let (k, v) = opt.split_once('=').ok_or_else(|| {
                ApiError::bad_query(format!("cannot read the $expand option '{opt}'"))
            })?;
            nested.push((k.trim(), v.trim()));
        }
        let options = QueryOptions::bind(nested.into_iter(), target, resolve, level)?;
        out.push(Expand {
            nav: nav.to_string(),
            target,
            lookup_key,
            options: Box::new(options),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{self, Nav, HOST_SCOPE};
    use crate::store::records::Record;

    struct Schema;
    impl Resolve for Schema {
        fn get(&self, _: &str, _: &str) -> Option<Record> {
            None
        }
        fn related(&self, _: &Entity, _: &Record, _: &Nav) -> Vec<Record> {
            vec![]
        }
        fn entity(&self, set: &str) -> Option<&'static Entity> {
            schema::entity(HOST_SCOPE, set)
        }
    }

    fn parse(q: &str, e: &'static Entity) -> ApiResult<QueryOptions> {
        QueryOptions::parse(&pairs(q), e, &Schema)
    }

    #[test]
    fn binds_the_history_query() {
        let q = "$filter=artifactname%20eq%20%27A%27&$orderby=createdon desc,name&$select=name,_deploymentstageid_value&$expand=deploymentstageid($select=name)&$top=5&$count=true";
        let o = parse(q, &schema::RUNS).unwrap();
        assert!(o.filter.is_some() && o.count);
        assert_eq!(o.top, Some(5));
        assert_eq!(o.orderby.len(), 2);
        assert!(o.orderby[0].desc);
        assert_eq!(o.select.unwrap(), vec!["name", "_deploymentstageid_value"]);
        assert_eq!(
            o.expand[0].lookup_key.as_deref(),
            Some("_deploymentstageid_value")
        );
    }

    #[test]
    fn nested_collection_expand_options() {
        let q = "$expand=deploymentpipeline_deploymentstage($select=name;$filter=statecode eq 0;$orderby=name;$top=2),deploymentpipeline_deploymentenvironment";
        let o = parse(q, &schema::PIPELINES).unwrap();
        assert_eq!(o.expand.len(), 2);
        assert_eq!(o.expand[0].options.top, Some(2));
    }

    #[test]
    fn refuses_unsupported_options() {
        for (q, needle) in [
            ("$skip=5", "$skip is not supported"),
            ("$search=x", "not supported"),
            ("$select=nope", "Could not find a property named 'nope'"),
            ("$orderby=name sideways", "asc or desc"),
            ("$top=-1", "$top"),
            ("$count=yes", "$count"),
            ("$expand=nope", "navigation property named 'nope'"),
            ("$expand=deploymentstageid($top=1)", "only $select"),
            ("$expand=deploymentstageid($select=name", "unbalanced"),
            ("$skiptoken=abc", "follow @odata.nextLink"),
        ] {
            let err = parse(q, &schema::RUNS).unwrap_err();
            assert!(err.message.contains(needle), "{q}: {}", err.message);
        }
        let err = parse(
            "$expand=deploymentpipeline_deploymentstage($expand=x)",
            &schema::PIPELINES,
        )
        .unwrap_err();
        assert!(
            err.message.contains("only $select, $filter"),
            "{}",
            err.message
        );
    }

    #[test]
    fn skiptoken_round_trips() {
        assert_eq!(parse_skiptoken(&skiptoken(150)).unwrap(), 150);
    }
}
