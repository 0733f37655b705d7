//! Rows as Web API JSON: `@odata.etag`, `$select`ed columns, expanded
//! navigations and, when preferred, formatted-value and lookup annotations.

use serde_json::{Map, Value};

use super::filter::{self, Resolve};
use super::prefer::Prefer;
use super::query::QueryOptions;
use crate::clock;
use crate::schema::{Entity, Kind};
use crate::store::records::Record;

const FORMATTED: &str = "@OData.Community.Display.V1.FormattedValue";

/// Filters, orders and cuts rows by `opts` (`$filter`, `$orderby`, `$top`).
pub fn filter_sort(
    entity: &'static Entity,
    mut rows: Vec<Record>,
    opts: &QueryOptions,
    resolve: &dyn Resolve,
) -> Vec<Record> {
    if let Some(f) = &opts.filter {
        rows.retain(|r| filter::matches(f, entity, r, resolve));
    }
    if !opts.orderby.is_empty() {
        rows.sort_by(|a, b| {
            for o in &opts.orderby {
                let ord = compare_values(a.data.get(&o.key), b.data.get(&o.key));
                let ord = if o.desc { ord.reverse() } else { ord };
                if ord.is_ne() {
                    return ord;
                }
            }
            std::cmp::Ordering::Equal
        });
    }
    rows
}

fn compare_values(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(p), Some(q)) => p.partial_cmp(&q).unwrap_or(Ordering::Equal),
            _ => match (x.as_str(), y.as_str()) {
                (Some(p), Some(q)) => p.to_lowercase().cmp(&q.to_lowercase()),
                _ => x.to_string().cmp(&y.to_string()),
            },
        },
    }
}

/// Renders one row with its expansions.
pub fn render(
    entity: &'static Entity,
    row: &Record,
    opts: &QueryOptions,
    prefer: &Prefer,
    resolve: &dyn Resolve,
) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("@odata.etag".into(), Value::String(row.etag()));
    let keys: Vec<String> = match &opts.select {
        Some(keys) => {
            let mut keys = keys.clone();
            if !keys.iter().any(|k| k == entity.key) {
                keys.push(entity.key.to_string());
            }
            keys
        }
        None => entity
            .all_columns()
            .filter(|c| !matches!(c.kind, Kind::File))
            .map(|c| c.key())
            .collect(),
    };
    for key in keys {
        let value = row.data.get(&key).cloned().unwrap_or(Value::Null);
        if let Some(column) = entity.column(&key) {
            annotate(&mut out, &key, column.kind, &value, prefer, resolve);
        }
        out.insert(key, value);
    }
    for ex in &opts.expand {
        let value = match &ex.lookup_key {
            Some(key) => row
                .str(key)
                .and_then(|id| resolve.get(ex.target.set, id))
                .map(|r| Value::Object(render(ex.target, &r, &ex.options, prefer, resolve)))
                .unwrap_or(Value::Null),
            None => {
                let nav = entity.nav(&ex.nav).expect("bound at parse time");
                let related = filter_sort(
                    ex.target,
                    resolve.related(entity, row, nav),
                    &ex.options,
                    resolve,
                );
                let take = ex.options.top.unwrap_or(usize::MAX);
                Value::Array(
                    related
                        .iter()
                        .take(take)
                        .map(|r| Value::Object(render(ex.target, r, &ex.options, prefer, resolve)))
                        .collect(),
                )
            }
        };
        out.insert(ex.nav.clone(), value);
    }
    out
}

fn annotate(
    out: &mut Map<String, Value>,
    key: &str,
    kind: Kind,
    value: &Value,
    prefer: &Prefer,
    resolve: &dyn Resolve,
) {
    if value.is_null() {
        return;
    }
    let formatted = match kind {
        Kind::Choice(labels) => value.as_i64().and_then(labels).map(str::to_string),
        Kind::Bool => value
            .as_bool()
            .map(|b| if b { "Yes" } else { "No" }.to_string()),
        Kind::DateTime => value.as_str().and_then(clock::formatted),
        Kind::Int => value.as_i64().map(group_thousands),
        Kind::Lookup(target) => {
            if prefer.lookup_annotations {
                let logical = resolve.entity(target).map(|e| e.logical).unwrap_or(target);
                let nav = key.trim_start_matches('_').trim_end_matches("_value");
                out.insert(
                    format!("{key}@Microsoft.Dynamics.CRM.lookuplogicalname"),
                    logical.into(),
                );
                out.insert(
                    format!("{key}@Microsoft.Dynamics.CRM.associatednavigationproperty"),
                    nav.into(),
                );
            }
            let entity = resolve.entity(target);
            value
                .as_str()
                .and_then(|id| resolve.get(target, id))
                .and_then(|r| entity.and_then(|e| r.str(e.primary_name).map(str::to_string)))
        }
        _ => None,
    };
    if prefer.formatted_values {
        if let Some(text) = formatted {
            out.insert(format!("{key}{FORMATTED}"), Value::String(text));
        }
    }
}

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(1234567), "1,234,567");
        assert_eq!(group_thousands(-1000), "-1,000");
    }

    #[test]
    fn nulls_sort_first() {
        use std::cmp::Ordering;
        assert_eq!(compare_values(None, Some(&Value::from(1))), Ordering::Less);
        assert_eq!(
            compare_values(Some(&"b".into()), Some(&"A".into())),
            Ordering::Greater
        );
    }
}
