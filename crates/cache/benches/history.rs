//! Inserting and querying synthetic run histories (10,000 runs by default; set
//! `FERRY_BENCH_RUNS` for more, e.g. 1000000 for the history-search target). The queries run on
//! one seeded file, built once and kept between runs (`support/seeded.rs`); the p95 lines print
//! with `-- p95_only` (no criterion benchmark matches that filter), per query with
//! `FERRY_BENCH_DETAIL=1`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ferry_cache::codes::stage_run_status as s;
use ferry_cache::{Cache, HistoryQuery, LatestRunsQuery};

mod support {
    pub mod seeded;
    pub mod synthetic;
}
use support::seeded::{fill, seeded, PROFILE};
use support::synthetic::synthetic;

fn runs_count() -> usize {
    std::env::var("FERRY_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

/// The seeded cache, copied and opened on first use (a filter that matches no query benchmark
/// seeds nothing).
struct Fixture {
    n: usize,
    open: Option<(tempfile::TempDir, Cache)>,
}

impl Fixture {
    fn cache(&mut self) -> &mut Cache {
        let n = self.n;
        &mut self
            .open
            .get_or_insert_with(|| {
                let (dir, cache, bytes) = seeded(n);
                println!(
                    "cache file of {n} runs: {bytes} bytes, {} bytes a run",
                    bytes / n.max(1) as u64
                );
                (dir, cache)
            })
            .1
    }
}

fn benches(c: &mut Criterion) {
    let n = runs_count();
    let mut fixture = Fixture { n, open: None };
    bench(c, &mut fixture);
    search_p95(&mut fixture);
}

fn bench(c: &mut Criterion, fixture: &mut Fixture) {
    let n = fixture.n;
    let mut g = c.benchmark_group(format!("cache_{n}_runs"));
    g.sample_size(10);
    g.bench_function("insert_all_in_pages_of_500", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| black_box(fill(&dir.path().join("cache.sqlite"), n)),
            BatchSize::PerIteration,
        )
    });
    g.finish();

    let mut g = c.benchmark_group(format!("cache_{n}_runs"));
    g.bench_function("resync_one_unchanged_run", |b| {
        let cache = fixture.cache();
        let r = synthetic(n / 2);
        b.iter(|| black_box(cache.upsert_run(PROFILE, &r).unwrap()))
    });
    let q = |text: Option<&str>| HistoryQuery {
        profile_id: Some(PROFILE.into()),
        text: text.map(Into::into),
        ..HistoryQuery::default()
    };
    let mut query = |name: &str, q: HistoryQuery| {
        g.bench_function(name, |b| {
            let cache = fixture.cache();
            b.iter(|| black_box(cache.history(&q).unwrap()))
        });
    };
    query("history_first_page", q(None));
    query(
        "history_page_at_half_offset",
        HistoryQuery {
            offset: (n as u32) / 2,
            ..q(None)
        },
    );
    query("search_common_word", q(Some("tidies")));
    query("search_rare_word", q(Some("ticket 1300")));
    query(
        "search_with_filters",
        HistoryQuery {
            solution: Some("contoso_Core".into()),
            stage: Some("Production".into()),
            statuses: vec![s::FAILED],
            ..q(Some("missing dependency"))
        },
    );
    g.bench_function("latest_run_per_solution_and_stage", |b| {
        let cache = fixture.cache();
        let l = LatestRunsQuery {
            profile_id: PROFILE.into(),
            ..Default::default()
        };
        b.iter(|| black_box(cache.latest_runs(&l).unwrap()))
    });
    g.finish();
}

fn pct(times: &[Duration], p: usize) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    sorted[(sorted.len() * p / 100).min(sorted.len() - 1)]
}

/// Not a criterion statistic: percentiles of many history searches (the target is p95 < 20 ms
/// over 1,000,000 runs), for first pages without and with a total count.
fn search_p95(fixture: &mut Fixture) {
    let n = fixture.n;
    let detail = std::env::var_os("FERRY_BENCH_DETAIL").is_some();
    let cache = fixture.cache();
    let texts = [
        "tidies",
        "ticket 1300",
        "missing dependency",
        "contoso",
        "maker 3",
        "production",
        "0x8004801D",
        "fabrikam field",
    ];
    for with_total in [false, true] {
        let mut times = Vec::new();
        // Per query shape: (text, filters) -> times.
        let mut shapes: Vec<(String, Vec<Duration>)> = Vec::new();
        for round in 0..25 {
            for (i, t) in texts.iter().enumerate() {
                let filtered = (round + i) % 2 == 1;
                let staged = filtered && round % 3 == 0;
                let q = HistoryQuery {
                    profile_id: Some(PROFILE.into()),
                    text: Some((*t).into()),
                    statuses: if filtered { vec![s::FAILED] } else { vec![] },
                    stage: staged.then(|| "Production".into()),
                    with_total,
                    ..HistoryQuery::default()
                };
                let start = Instant::now();
                black_box(cache.history(&q).unwrap());
                let took = start.elapsed();
                times.push(took);
                let shape = format!(
                    "{t:?}{}{}",
                    if filtered { " +failed" } else { "" },
                    if staged { " +Production" } else { "" }
                );
                match shapes.iter_mut().find(|(s, _)| *s == shape) {
                    Some((_, v)) => v.push(took),
                    None => shapes.push((shape, vec![took])),
                }
            }
        }
        let counted = if with_total { "counted" } else { "not counted" };
        println!(
            "history search over {n} runs, {} queries, total {counted}: p50 {:.2?}, p95 {:.2?}, max {:.2?}",
            times.len(),
            pct(&times, 50),
            pct(&times, 95),
            pct(&times, 100)
        );
        if detail {
            for (shape, v) in &shapes {
                println!(
                    "    {shape:<40} x{:<3} min {:>10.2?}  p50 {:>10.2?}  max {:>10.2?}",
                    v.len(),
                    pct(v, 0),
                    pct(v, 50),
                    pct(v, 100)
                );
            }
        }
    }
}

criterion_group!(group, benches);
criterion_main!(group);
