//! The read side over runs: searches of the full-text index (`runs_fts`, written by
//! [`crate::index`]) and the queries the operations layer needs — history with filters and
//! paging, latest run per stage, runs not finished.
//!
//! Search text is split into words; every word must match, the last one as a prefix
//! (`contoso co` finds `contoso_Core`; [`crate::search_text`] turns the prefix into exact terms
//! where it can), and FTS5 syntax in the text is never interpreted. The filters (profile,
//! solution, stage, status) are indexed too, as facet tokens no search word can reach, so a
//! filtered search is a doclist intersection walked newest first, and it stops at the end of
//! the page.

use rusqlite::types::Value as SqlValue;
use rusqlite::{params, params_from_iter};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::codes::stage_run_status;
use crate::error::Result;
use crate::index::facet;
use crate::runs::{normalize_id, read_run, select_list, CachedRun};
use crate::search_text::{self, MAX_EXPANSIONS};
use crate::Cache;

/// Filters and paging for [`Cache::history`]. Every filter is optional; all given ones apply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryQuery {
    /// Only this profile's runs.
    pub profile_id: Option<String>,
    /// Full-text search (every word must match, the last one as a prefix).
    pub text: Option<String>,
    /// Solution unique name (`artifactname`), case-insensitive.
    pub solution: Option<String>,
    /// Stage id, or stage name (case-insensitive).
    pub stage: Option<String>,
    /// Any of these `stagerunstatus` codes (empty: any status).
    pub statuses: Vec<i32>,
    /// Only runs created (else first seen) at or after this instant.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub created_from: Option<OffsetDateTime>,
    /// Only runs created (else first seen) before this instant.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub created_before: Option<OffsetDateTime>,
    /// Page size; 0 means [`HistoryQuery::DEFAULT_LIMIT`].
    pub limit: u32,
    /// Rows to skip.
    pub offset: u32,
    /// Also count the matching runs (up to [`HistoryQuery::COUNT_CAP`]); costs about as much
    /// as the page itself, so leave it off for "load more" pages.
    pub with_total: bool,
}

impl HistoryQuery {
    /// Page size when none is given.
    pub const DEFAULT_LIMIT: u32 = 50;
    /// Matches are counted up to this many; past it the page says "at least" (a list
    /// says "1,000+"). A person reads "more than a thousand" as well as the exact figure,
    /// and counting stops early: at a million runs a count to 10,000 cost more than the page.
    pub const COUNT_CAP: u32 = 1_000;
}

/// One page of history, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryPage {
    /// The runs of this page.
    pub runs: Vec<CachedRun>,
    /// The offset of the next page, if there is one.
    pub next_offset: Option<u32>,
    /// How many runs match, when [`HistoryQuery::with_total`] asked for it.
    pub total: Option<HistoryTotal>,
}

/// How many runs match a history query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryTotal {
    /// The count, at most [`HistoryQuery::COUNT_CAP`].
    pub count: u64,
    /// `false` when more than [`HistoryQuery::COUNT_CAP`] runs match (then `count` is the cap).
    pub exact: bool,
}

/// Which runs [`Cache::latest_runs`] considers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatestRunsQuery {
    /// The profile.
    pub profile_id: String,
    /// Only this solution (case-insensitive); all solutions when `None`.
    pub solution: Option<String>,
    /// Only runs that succeeded (what is deployed where).
    pub succeeded_only: bool,
}

/// A history query as SQL: the exact conditions on `runs`, and the FTS5 expression that
/// pre-selects the same runs (text and facets), if the index should drive the query.
struct Plan {
    conds: Vec<String>,
    args: Vec<SqlValue>,
    fts: Option<String>,
    /// Bounds on `order_key` (the sort time in Unix microseconds) from the date range:
    /// `(">=", from)`, `("<", before)`; applied to the index's rowid when it drives.
    range: Vec<(&'static str, i64)>,
}

/// A facet token as an FTS5 string (its first character is not a bareword character).
fn quoted(token: &str) -> String {
    format!("\"{token}\"")
}

/// An instant as an `order_key`: Unix microseconds (keys bumped past a taken value are at
/// most a few microseconds later, so a bound moves by as little).
fn order_key_of(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

impl Plan {
    /// `sole_profile`: the cache holds only the queried profile, so its facet would match
    /// every run and is left out (the SQL condition stays).
    /// `text`: the search text as an FTS5 expression ([`search_text::text_match`]).
    fn new(q: &HistoryQuery, text: Option<&str>, sole_profile: bool) -> Plan {
        let mut plan = Plan {
            conds: Vec::new(),
            args: Vec::new(),
            fts: None,
            range: Vec::new(),
        };
        if let Some(t) = q.created_from {
            plan.range.push((">=", order_key_of(t)));
        }
        if let Some(t) = q.created_before {
            plan.range.push(("<", order_key_of(t)));
        }
        let mut fts: Vec<String> = Vec::new();
        // The filters' values, one group of alternatives per filter, in the order solution,
        // stage, status: they become the combination tokens of every choice of one value per
        // group.
        let mut groups: Vec<Vec<facet::Value>> = Vec::new();
        // Facet tokens are out of reach of search words (see `index::facet`), so neither
        // needs a column filter.
        if let Some(m) = text {
            fts.push(format!("({m})"));
        }
        if let Some(p) = &q.profile_id {
            let a = plan.arg(SqlValue::Text(p.clone()));
            plan.conds.push(format!("runs.profile_id = {a}"));
            if !sole_profile {
                fts.push(quoted(&facet::token(&[&facet::profile(p)])));
            }
        }
        if let Some(s) = q
            .solution
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let a = plan.arg(SqlValue::Text(s.into()));
            plan.conds
                .push(format!("runs.artifact_name = {a} COLLATE NOCASE"));
            groups.push(vec![facet::solution(s)]);
        }
        if let Some(s) = q.stage.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let id = normalize_id(s);
            let ida = plan.arg(SqlValue::Text(id.clone()));
            let name = plan.arg(SqlValue::Text(s.into()));
            plan.conds.push(format!(
                "(runs.stage_id = {ida} OR runs.stage_name = {name} COLLATE NOCASE)"
            ));
            groups.push(vec![facet::stage_id(&id), facet::stage_name(s)]);
        }
        if !q.statuses.is_empty() {
            let list: Vec<String> = q
                .statuses
                .iter()
                .map(|s| plan.arg(SqlValue::Integer((*s).into())))
                .collect();
            plan.conds
                .push(format!("runs.stage_run_status IN ({})", list.join(", ")));
            groups.push(q.statuses.iter().map(|s| facet::status(*s)).collect());
        }
        let facets_used = !groups.is_empty();
        if facets_used {
            let mut choices: Vec<Vec<&facet::Value>> = vec![Vec::new()];
            for group in &groups {
                choices = choices
                    .iter()
                    .flat_map(|chosen| {
                        group.iter().map(move |v| {
                            let mut next = chosen.clone();
                            next.push(v);
                            next
                        })
                    })
                    .collect();
            }
            let tokens: Vec<String> = choices.iter().map(|c| quoted(&facet::token(c))).collect();
            fts.push(format!("({})", tokens.join(" OR ")));
        }
        // A plain listing (at most a profile) is served by the runs_history index instead.
        if text.is_some() || facets_used {
            plan.fts = Some(fts.join(" AND "));
            // The index drives; each of its rows is looked up by order_key. A unary `+` keeps
            // the planner from using another index of `runs` (which would scan a range per row).
            for c in &mut plan.conds {
                *c = c.replace("runs.", "+runs.");
            }
        }
        // The date range is a range of the key both the index and runs_history are ordered by.
        let column = if plan.fts.is_some() {
            "runs_fts.rowid"
        } else {
            "runs.order_key"
        };
        for (op, key) in plan.range.clone() {
            let a = plan.arg(SqlValue::Integer(key));
            plan.conds.push(format!("{column} {op} {a}"));
        }
        plan
    }

    fn arg(&mut self, v: SqlValue) -> String {
        self.args.push(v);
        format!("?{}", self.args.len())
    }

    fn filter(&self, extra: &[String]) -> String {
        let all: Vec<&String> = extra.iter().chain(&self.conds).collect();
        if all.is_empty() {
            String::new()
        } else {
            format!(
                "WHERE {}",
                all.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(" AND ")
            )
        }
    }
}

/// The two statements of a history page.
struct HistorySql {
    count: String,
    count_args: Vec<SqlValue>,
    page: String,
    page_args: Vec<SqlValue>,
}

impl HistorySql {
    fn new(
        q: &HistoryQuery,
        text: Option<&str>,
        sole_profile: bool,
        cap: u32,
        limit: u32,
    ) -> HistorySql {
        let mut plan = Plan::new(q, text, sole_profile);
        let (count, count_args, page) = match plan.fts.clone() {
            Some(expr) => {
                let m = plan.arg(SqlValue::Text(expr.clone()));
                // The facets (and the date range, on the rowid) already select exactly these
                // runs, so counting needs no join.
                let mut count_args = vec![SqlValue::Text(expr.clone())];
                let mut within = String::new();
                for (op, key) in &plan.range {
                    count_args.push(SqlValue::Integer(*key));
                    within.push_str(&format!(" AND rowid {op} ?{}", count_args.len()));
                }
                let count = format!(
                    "SELECT count(*) FROM (SELECT 1 FROM runs_fts WHERE runs_fts MATCH ?1{within} \
                     LIMIT {})",
                    u64::from(cap) + 1
                );
                // CROSS JOIN keeps the index as the outer loop: a run-by-run MATCH is quadratic.
                let page = format!(
                    "SELECT {} FROM runs_fts CROSS JOIN runs ON runs.order_key = runs_fts.rowid \
                     {} ORDER BY runs_fts.rowid DESC",
                    select_list(),
                    plan.filter(&[format!("runs_fts MATCH {m}")])
                );
                (count, count_args, page)
            }
            None => {
                let count = format!(
                    "SELECT count(*) FROM (SELECT 1 FROM runs {} LIMIT {})",
                    plan.filter(&[]),
                    u64::from(cap) + 1
                );
                let page = format!(
                    "SELECT {} FROM runs {} ORDER BY runs.order_key DESC",
                    select_list(),
                    plan.filter(&[])
                );
                (count, plan.args.clone(), page)
            }
        };
        let lim = plan.arg(SqlValue::Integer(limit.into()));
        let off = plan.arg(SqlValue::Integer(q.offset.into()));
        HistorySql {
            count,
            count_args,
            page: format!("{page} LIMIT {lim} OFFSET {off}"),
            page_args: plan.args,
        }
    }
}

impl Cache {
    /// History, newest first (by `createdon`, else when first seen), filtered and paged.
    ///
    /// Text and filters are answered by the full-text index, walked newest first; the walk
    /// stops at the end of the page, so a page costs about the same however many runs match.
    /// A count, when asked for, stops at [`HistoryQuery::COUNT_CAP`]; when the page holds the
    /// last match, the page itself is the count.
    pub fn history(&self, q: &HistoryQuery) -> Result<HistoryPage> {
        self.history_capped(q, HistoryQuery::COUNT_CAP)
    }

    pub(crate) fn history_capped(&self, q: &HistoryQuery, cap: u32) -> Result<HistoryPage> {
        let limit = if q.limit == 0 {
            HistoryQuery::DEFAULT_LIMIT
        } else {
            q.limit
        };
        // One row more than the page tells whether there is a next page.
        let sole_profile = match &q.profile_id {
            Some(p) => self
                .conn
                .prepare_cached("SELECT count(*) = 1 AND max(id) = ?1 FROM profiles")?
                .query_row([p], |r| r.get(0))?,
            None => false,
        };
        let text = match q.text.as_deref() {
            Some(text) => search_text::text_match(&self.conn, text, MAX_EXPANSIONS)?,
            None => None,
        };
        let sql = HistorySql::new(
            q,
            text.as_deref(),
            sole_profile,
            cap,
            limit.saturating_add(1),
        );
        let mut st = self.conn.prepare_cached(&sql.page)?;
        let mut runs = st
            .query_map(params_from_iter(sql.page_args), read_run)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let more = runs.len() > limit as usize;
        runs.truncate(limit as usize);
        let next_offset = more.then(|| q.offset.saturating_add(limit));
        let total = if !q.with_total {
            None
        } else if !more && (q.offset == 0 || !runs.is_empty()) {
            // The page reached the last match: it has counted them all already, and a sparse
            // match is exactly where a second walk of the index would cost the most.
            Some(i64::from(q.offset) + runs.len() as i64)
        } else {
            Some(
                self.conn
                    .prepare_cached(&sql.count)?
                    .query_row(params_from_iter(sql.count_args), |r| r.get(0))?,
            )
        }
        .map(|counted: i64| HistoryTotal {
            count: counted.min(i64::from(cap)) as u64,
            exact: counted <= i64::from(cap),
        });
        Ok(HistoryPage {
            runs,
            next_offset,
            total,
        })
    }

    /// The solutions and stage names a profile's history holds, sorted (the history
    /// page's filter choices: distinct values, not a page of runs).
    pub fn history_choices(&self, profile_id: &str) -> Result<(Vec<String>, Vec<String>)> {
        let distinct = |column: &str| -> Result<Vec<String>> {
            let sql = format!(
                "SELECT DISTINCT {column} FROM runs WHERE profile_id = ?1 AND {column} IS NOT NULL \
                 AND {column} <> '' ORDER BY {column} COLLATE NOCASE"
            );
            let mut st = self.conn.prepare_cached(&sql)?;
            let rows = st.query_map([profile_id], |r| r.get::<_, String>(0))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        Ok((distinct("artifact_name")?, distinct("stage_name")?))
    }

    /// The newest run per solution × stage (per stage of one solution when `solution` is given),
    /// ordered by solution then stage id.
    pub fn latest_runs(&self, q: &LatestRunsQuery) -> Result<Vec<CachedRun>> {
        // order_key is unique, so each group's max(order_key) names its newest run; the
        // runs_latest index serves the grouping without a sort.
        let sql = format!(
            "SELECT {} FROM runs JOIN (
                SELECT max(order_key) AS newest FROM runs INDEXED BY runs_latest
                WHERE profile_id = ?1
                  AND (?2 IS NULL OR artifact_name = ?2 COLLATE NOCASE)
                  AND (?3 = 0 OR stage_run_status = {})
                GROUP BY artifact_name COLLATE NOCASE, stage_id
             ) latest ON runs.order_key = latest.newest
             ORDER BY runs.artifact_name COLLATE NOCASE, runs.stage_id",
            select_list(),
            stage_run_status::SUCCEEDED
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map(
            params![q.profile_id, q.solution, q.succeeded_only],
            read_run,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Runs not yet Succeeded, Failed or Canceled (to re-attach to at start), oldest first.
    /// Includes runs waiting for the maker after validation (200000007); the caller decides
    /// which of those to watch.
    pub fn unfinished_runs(&self, profile_id: &str) -> Result<Vec<CachedRun>> {
        let sql = format!(
            "SELECT {} FROM runs WHERE profile_id = ?1 AND is_terminal = 0 ORDER BY order_key",
            select_list()
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let rows = st.query_map([profile_id], read_run)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::stage_run_status as s;
    use crate::runs::tests::run;
    use crate::testutil::cache;
    use serde_json::json;
    use time::macros::datetime;
    use time::Duration;

    #[test]
    fn search_finds_validation_messages_error_codes_and_names() {
        let mut c = cache();
        let mut failed = run("r1", s::FAILED);
        failed.validation_results = Some(json!({
            "ValidationStatus": "Failed",
            "SolutionValidationResults": [{
                "SolutionValidationResultType": "Error",
                "Message": "Missing dependency: Invoice Approval flow",
                "ErrorCode": -2147188707
            }]
        }));
        failed.error_message = Some("Import failed".into());
        let mut ok = run("r2", s::SUCCEEDED);
        ok.artifact_name = "fabrikam_Portal".into();
        ok.deployment_notes = Some("Première livraison".into());
        ok.created_by = Some("Maker Two".into());
        c.upsert_runs("p", &[failed, ok]).unwrap();
        fn find(c: &Cache, text: &str) -> Vec<String> {
            let q = HistoryQuery {
                text: Some(text.into()),
                ..HistoryQuery::default()
            };
            c.history(&q)
                .unwrap()
                .runs
                .into_iter()
                .map(|r| r.run.id)
                .collect()
        }
        let ids = |text: &str| find(&c, text);
        assert_eq!(ids("invoice approv"), ["r1"]);
        assert!(
            ids("invo approval").is_empty(),
            "only the last word is a prefix"
        );
        assert_eq!(ids("contoso co"), ["r1"]);
        assert_eq!(ids("0x8004801D"), ["r1"]);
        assert_eq!(ids("-2147188707"), ["r1"]);
        assert_eq!(ids("fabrikam"), ["r2"]);
        assert_eq!(ids("premiere"), ["r2"], "diacritics are folded");
        assert_eq!(ids("maker two"), ["r2"]);
        assert_eq!(ids("succeeded"), ["r2"], "built-in status label is indexed");
        assert!(ids("nothing-like-this").is_empty());
        // The index follows updates.
        let mut fixed = run("r1", s::SUCCEEDED);
        fixed.modified_on = Some(datetime!(2026-03-02 10:00 UTC));
        fixed.error_message = Some("Retried fine".into());
        c.upsert_run("p", &fixed).unwrap();
        assert_eq!(find(&c, "retried"), ["r1"]);
        assert!(find(&c, "import failed").is_empty());
        // Deleting the profile empties the index too.
        c.delete_profile("p").unwrap();
        let n: i64 = c
            .conn
            .query_row("SELECT count(*) FROM runs_fts", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn the_filter_choices_are_the_distinct_solutions_and_stages() {
        let mut c = cache();
        let mut a = run("a", s::SUCCEEDED);
        a.artifact_name = "Zeta".into();
        a.stage_name = Some("Prod".into());
        let mut b = run("b", s::FAILED);
        b.artifact_name = "alpha".into();
        b.stage_name = Some("Test".into());
        let mut d = run("d", s::FAILED);
        d.artifact_name = "Zeta".into();
        d.stage_name = None;
        c.upsert_runs("p", &[a, b, d]).unwrap();
        let (solutions, stages) = c.history_choices("p").unwrap();
        assert_eq!(solutions, ["alpha", "Zeta"]);
        assert_eq!(stages, ["Prod", "Test"]);
        assert_eq!(c.history_choices("other").unwrap(), (vec![], vec![]));
    }

    #[test]
    fn a_date_range_narrows_listings_searches_and_counts() {
        let mut c = cache();
        let t0 = datetime!(2026-03-01 10:00 UTC);
        // One run a day for ten days; odd days failed.
        let runs: Vec<_> = (0..10)
            .map(|i| {
                let status = if i % 2 == 1 { s::FAILED } else { s::SUCCEEDED };
                let mut r = run(&format!("d{i}"), status);
                r.created_on = Some(t0 + Duration::days(i));
                r
            })
            .collect();
        c.upsert_runs("p", &runs).unwrap();
        let ids = |q: &HistoryQuery| -> Vec<String> {
            c.history(q)
                .unwrap()
                .runs
                .into_iter()
                .map(|r| r.run.id)
                .collect()
        };
        let mut q = HistoryQuery {
            created_from: Some(t0 + Duration::days(3)),
            created_before: Some(t0 + Duration::days(6)),
            with_total: true,
            ..HistoryQuery::default()
        };
        // The bounds: from is inclusive, before is exclusive.
        assert_eq!(ids(&q), ["d5", "d4", "d3"]);
        assert_eq!(c.history(&q).unwrap().total.unwrap().count, 3);
        // With a facet, the full-text index drives and the range applies to its rowid.
        q.statuses = vec![s::FAILED];
        assert_eq!(ids(&q), ["d5", "d3"]);
        assert_eq!(c.history(&q).unwrap().total.unwrap().count, 2);
        q.statuses.clear();
        q.text = Some("contoso".into());
        assert_eq!(ids(&q).len(), 3);
        // Open-ended on either side.
        let q = HistoryQuery {
            created_from: Some(t0 + Duration::days(8)),
            ..HistoryQuery::default()
        };
        assert_eq!(ids(&q), ["d9", "d8"]);
        let q = HistoryQuery {
            created_before: Some(t0 + Duration::days(1)),
            ..HistoryQuery::default()
        };
        assert_eq!(ids(&q), ["d0"]);
    }

    #[test]
    fn counts_stop_at_the_cap_and_paging_goes_on_past_it() {
        let mut c = cache();
        let t0 = datetime!(2026-03-01 10:00 UTC);
        let runs: Vec<_> = (0..12)
            .map(|i| {
                let mut r = run(&format!("r{i:02}"), s::SUCCEEDED);
                r.created_on = Some(t0 + Duration::minutes(i));
                r
            })
            .collect();
        c.upsert_runs("p", &runs).unwrap();
        let mut q = HistoryQuery {
            limit: 4,
            with_total: true,
            ..HistoryQuery::default()
        };
        let first = c.history_capped(&q, 5).unwrap();
        assert_eq!(
            first.total,
            Some(HistoryTotal {
                count: 5,
                exact: false
            })
        );
        let mut seen = first.runs.len();
        q.offset = first.next_offset.unwrap();
        while let Some(next) = {
            let page = c.history_capped(&q, 5).unwrap();
            seen += page.runs.len();
            page.next_offset
        } {
            q.offset = next;
        }
        assert_eq!(
            seen, 12,
            "paging reaches every run although the count was capped"
        );
        let q = HistoryQuery {
            with_total: true,
            ..HistoryQuery::default()
        };
        let exact = c.history_capped(&q, 12).unwrap();
        assert_eq!(
            exact.total,
            Some(HistoryTotal {
                count: 12,
                exact: true
            })
        );
        assert_eq!(exact.next_offset, None);
        assert_eq!(
            c.history(&HistoryQuery::default()).unwrap().total,
            None,
            "only on request"
        );
    }

    #[test]
    fn runs_with_the_same_creation_time_keep_a_stable_distinct_order() {
        let mut c = cache();
        let same: Vec<_> = (0..5)
            .map(|i| run(&format!("same{i}"), s::SUCCEEDED))
            .collect();
        c.upsert_runs("p", &same).unwrap();
        c.upsert_runs("p", &same).unwrap(); // re-sync must not reshuffle
        let page = c.history(&HistoryQuery::default()).unwrap();
        let ids: Vec<_> = page.runs.iter().map(|r| r.run.id.as_str()).collect();
        assert_eq!(ids, ["same4", "same3", "same2", "same1", "same0"]);
        let q = HistoryQuery {
            text: Some("contoso".into()),
            ..HistoryQuery::default()
        };
        let text_ids: Vec<_> = c
            .history(&q)
            .unwrap()
            .runs
            .into_iter()
            .map(|r| r.run.id)
            .collect::<Vec<_>>();
        assert_eq!(text_ids, ids, "search and plain history agree on order");
    }

    #[test]
    fn searches_walk_the_index_newest_first_without_sorting() {
        let c = cache();
        let queries = [
            HistoryQuery {
                text: Some("tidies".into()),
                ..HistoryQuery::default()
            },
            HistoryQuery {
                profile_id: Some("p".into()),
                statuses: vec![s::FAILED, s::CANCELED],
                ..HistoryQuery::default()
            },
            HistoryQuery {
                text: Some("x".into()),
                solution: Some("a".into()),
                stage: Some("b".into()),
                ..HistoryQuery::default()
            },
            HistoryQuery {
                profile_id: Some("p".into()),
                ..HistoryQuery::default()
            },
        ];
        for q in queries {
            let text = q
                .text
                .as_deref()
                .and_then(|t| search_text::text_match(&c.conn, t, MAX_EXPANSIONS).unwrap());
            let sql = HistorySql::new(&q, text.as_deref(), false, 100, 50);
            let mut st = c
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {}", sql.page))
                .unwrap();
            let plan: Vec<String> = st
                .query_map(params_from_iter(sql.page_args), |r| r.get::<_, String>(3))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let text = plan.join(" | ");
            assert!(!text.contains("TEMP B-TREE"), "{q:?} sorts: {text}");
            if q.text.is_some() || !q.statuses.is_empty() {
                assert!(
                    plan[0].contains("runs_fts"),
                    "{q:?} must start from the index: {text}"
                );
                assert!(
                    plan[1].contains("(order_key=?)"),
                    "{q:?} must look up by key: {text}"
                );
            }
        }
    }

    #[test]
    fn filters_given_together_walk_one_combination_of_facets() {
        let mut c = cache();
        let mk = |id: &str, solution: &str, stage: &str, status: i32| {
            let mut r = run(id, status);
            r.artifact_name = solution.into();
            r.stage_id = format!("id-{stage}");
            r.stage_name = Some(stage.into());
            r
        };
        c.upsert_runs(
            "p",
            &[
                mk("a", "Core", "Prod", s::FAILED),
                mk("b", "Core", "Prod", s::CANCELED),
                mk("c", "Core", "Test", s::FAILED),
                mk("d", "Portal", "Prod", s::FAILED),
                mk("e", "Core", "Prod", s::SUCCEEDED),
            ],
        )
        .unwrap();
        let q = HistoryQuery {
            solution: Some("core".into()),
            stage: Some("PROD".into()),
            statuses: vec![s::FAILED, s::CANCELED],
            ..HistoryQuery::default()
        };
        let plan = Plan::new(&q, None, false);
        let expr = plan.fts.unwrap();
        // One group: a token per stage form (id, name) and status, each of all three.
        assert!(!expr.contains(" AND "), "{expr}");
        assert_eq!(expr.matches(" OR ").count(), 3, "{expr}");
        let ids = |q: &HistoryQuery| -> Vec<String> {
            let page = c.history(q).unwrap();
            page.runs.into_iter().map(|r| r.run.id).collect()
        };
        let mut found = ids(&q);
        found.sort();
        assert_eq!(found, ["a", "b"]);
        let by_id = HistoryQuery {
            stage: Some("ID-TEST".into()),
            statuses: vec![s::FAILED],
            ..HistoryQuery::default()
        };
        assert_eq!(ids(&by_id), ["c"]);
        let two = HistoryQuery {
            solution: Some("Portal".into()),
            statuses: vec![s::FAILED],
            ..HistoryQuery::default()
        };
        assert_eq!(ids(&two), ["d"]);
    }

    #[test]
    fn profile_filter_is_right_with_one_profile_and_with_several() {
        let mut c = cache();
        c.upsert_run("p", &run("mine", s::FAILED)).unwrap();
        let q = HistoryQuery {
            profile_id: Some("p".into()),
            text: Some("contoso".into()),
            statuses: vec![s::FAILED],
            with_total: true,
            ..HistoryQuery::default()
        };
        let count = |c: &Cache| c.history(&q).unwrap().total.unwrap().count;
        assert_eq!(count(&c), 1);
        c.save_profile(&crate::testutil::profile("q")).unwrap();
        c.upsert_run("q", &run("theirs", s::FAILED)).unwrap();
        assert_eq!(count(&c), 1);
        let page = c.history(&q).unwrap();
        assert_eq!(page.runs.len(), 1);
        assert_eq!(page.runs[0].run.id, "mine");
    }

    #[test]
    fn latest_runs_and_unfinished_runs() {
        let mut c = cache();
        let t0 = datetime!(2026-03-01 10:00 UTC);
        let mk = |id: &str, stage: &str, status: i32, minutes: i64| {
            let mut r = run(id, status);
            r.stage_id = stage.into();
            r.created_on = Some(t0 + Duration::minutes(minutes));
            r.modified_on = r.created_on;
            r
        };
        c.upsert_runs(
            "p",
            &[
                mk("a1", "test", s::SUCCEEDED, 0),
                mk("a2", "test", s::FAILED, 10),
                mk("a3", "prod", s::SUCCEEDED, 20),
                mk("a4", "prod", s::DEPLOYING, 30),
            ],
        )
        .unwrap();
        let ids = |runs: Vec<CachedRun>| runs.into_iter().map(|r| r.run.id).collect::<Vec<_>>();
        let q = LatestRunsQuery {
            profile_id: "p".into(),
            ..Default::default()
        };
        assert_eq!(ids(c.latest_runs(&q).unwrap()), ["a4", "a2"]);
        let q = LatestRunsQuery {
            succeeded_only: true,
            ..q
        };
        assert_eq!(ids(c.latest_runs(&q).unwrap()), ["a3", "a1"]);
        let q = LatestRunsQuery {
            solution: Some("CONTOSO_CORE".into()),
            ..q
        };
        assert_eq!(ids(c.latest_runs(&q).unwrap()).len(), 2);
        let q = LatestRunsQuery {
            solution: Some("other".into()),
            ..q
        };
        assert!(c.latest_runs(&q).unwrap().is_empty());
        assert_eq!(ids(c.unfinished_runs("p").unwrap()), ["a4"]);
        assert!(c.unfinished_runs("other").unwrap().is_empty());
    }
}
