//! Inserting and querying synthetic run histories (10,000 runs by default; set
//! `FERRY_BENCH_RUNS` for more, e.g. 100000 for the history-search target).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ferry_cache::codes::stage_run_status as s;
use ferry_cache::{Cache, HistoryQuery, LatestRunsQuery, Profile, ProfileKind, StageRun};

#[path = "support/synthetic.rs"]
mod synthetic;
use synthetic::synthetic;

fn runs_count() -> usize {
    std::env::var("FERRY_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

fn profile() -> Profile {
    Profile {
        id: "bench".into(),
        display_name: "bench".into(),
        kind: ProfileKind::LocalSandbox,
        authority: "local".into(),
        tenant: None,
        client_id: "ferry".into(),
        host_url: "local".into(),
        dev_environment_id: None,
        dev_environment_url: None,
        details: "{}".into(),
    }
}

fn filled(dir: &std::path::Path, n: usize) -> Cache {
    let mut c = Cache::open(dir.join("cache.sqlite")).unwrap();
    c.save_profile(&profile()).unwrap();
    let runs: Vec<StageRun> = (0..n).map(synthetic).collect();
    for chunk in runs.chunks(500) {
        c.upsert_runs("bench", chunk).unwrap();
    }
    c
}

fn bench(c: &mut Criterion) {
    let n = runs_count();
    let mut g = c.benchmark_group(format!("cache_{n}_runs"));
    g.sample_size(10);
    g.bench_function("insert_all_in_pages_of_500", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |dir| black_box(filled(dir.path(), n)),
            BatchSize::PerIteration,
        )
    });
    g.finish();

    let dir = tempfile::tempdir().unwrap();
    let mut cache = filled(dir.path(), n);
    let mut g = c.benchmark_group(format!("cache_{n}_runs"));
    g.bench_function("resync_one_unchanged_run", |b| {
        let r = synthetic(n / 2);
        b.iter(|| black_box(cache.upsert_run("bench", &r).unwrap()))
    });
    let q = |text: Option<&str>| HistoryQuery {
        profile_id: Some("bench".into()),
        text: text.map(Into::into),
        ..HistoryQuery::default()
    };
    g.bench_function("history_first_page", |b| {
        b.iter(|| black_box(cache.history(&q(None))))
    });
    g.bench_function("history_page_at_half_offset", |b| {
        let deep = HistoryQuery {
            offset: (n as u32) / 2,
            ..q(None)
        };
        b.iter(|| black_box(cache.history(&deep)))
    });
    g.bench_function("search_common_word", |b| {
        b.iter(|| black_box(cache.history(&q(Some("tidies")))))
    });
    g.bench_function("search_rare_word", |b| {
        b.iter(|| black_box(cache.history(&q(Some("ticket 1300")))))
    });
    g.bench_function("search_with_filters", |b| {
        let f = HistoryQuery {
            solution: Some("contoso_Core".into()),
            stage: Some("Production".into()),
            statuses: vec![s::FAILED],
            ..q(Some("missing dependency"))
        };
        b.iter(|| black_box(cache.history(&f)))
    });
    g.bench_function("latest_run_per_solution_and_stage", |b| {
        let l = LatestRunsQuery {
            profile_id: "bench".into(),
            ..Default::default()
        };
        b.iter(|| black_box(cache.latest_runs(&l)))
    });
    g.finish();
}

/// Not a criterion statistic: percentiles of many history searches (the target is
/// p95 < 20 ms over 100,000 runs), for first pages without and with a total count.
fn search_p95(c: &mut Criterion) {
    let _ = c;
    let n = runs_count();
    let dir = tempfile::tempdir().unwrap();
    let cache = filled(dir.path(), n);
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
        for round in 0..25 {
            for (i, t) in texts.iter().enumerate() {
                let filtered = (round + i) % 2 == 1;
                let q = HistoryQuery {
                    profile_id: Some("bench".into()),
                    text: Some((*t).into()),
                    statuses: if filtered { vec![s::FAILED] } else { vec![] },
                    stage: (filtered && round % 3 == 0).then(|| "Production".into()),
                    with_total,
                    ..HistoryQuery::default()
                };
                let start = std::time::Instant::now();
                black_box(cache.history(&q).unwrap());
                times.push(start.elapsed());
            }
        }
        times.sort();
        let pct = |p: usize| times[(times.len() * p / 100).min(times.len() - 1)];
        println!(
            "history search over {n} runs, {} queries, total {}: p50 {:.2?}, p95 {:.2?}, max {:.2?}",
            times.len(),
            if with_total { "counted" } else { "not counted" },
            pct(50),
            pct(95),
            times[times.len() - 1]
        );
    }
}

criterion_group!(benches, bench, search_p95);
criterion_main!(benches);
