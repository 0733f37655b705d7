//! How many requests the desktop app's way to deploy costs — from a solution page's "Deploy
//! here" to Succeeded, replaying the engine calls the app's commands make in the wizard's and
//! the run page's order (see `support/app_path.rs` for the list) — and how soon after each
//! transition on the host the run page hears of it (issue 18 §6: at most 12 requests besides
//! the reads of the run's status and the session's set-up; a median notice delay ≤ 0.6 s).
//!
//! Each start makes the same four deployments on a fresh Local sandbox at demo pace (speed 1,
//! about 20 s each): ContosoCanvas and ContosoCore to Test, then both to UAT; the last one is
//! compared (by then the engine has learned the host's phases, as for a maker who deployed
//! before). "solution page": the wizard opens from the solution page just read, as in the app;
//! "cold": nothing was read lately (the wizard opened long after the page). A side task reads
//! the run straight from the host every 20 ms (not counted) to know when each transition
//! happened; a transition's delay is the time until the app got an event for that state or a
//! later one (the wizard's validation step, then the run page).
//!
//! Run: `cargo bench -p ferry-ops --bench app_path` (about three minutes);
//! `APP_PATH_BENCH_SPEED` changes the sandbox pace.

mod support;

use std::time::{Duration, Instant};

use ferry_dataverse::RequestLog;
use ferry_ops::{CancellationToken, Engine, EngineOptions};
use support::app_path::{by_kind, walk, Recorder, Start, State, Walk};
use support::demo::{settings_for, truth, SEQUENCE};

struct Measured {
    walk: Walk,
    delays: Vec<Duration>,
}

async fn deploy(
    engine: &Engine,
    log: &RequestLog,
    host: &str,
    start: Start,
    solution: &str,
    stage: &str,
) -> Measured {
    let page = Recorder::default();
    let stop = CancellationToken::new();
    let run_id = page.run_id.clone();
    let side = tokio::spawn(truth(
        host.to_string(),
        move || run_id.lock().unwrap().clone(),
        stop.clone(),
    ));
    let settings = settings_for(solution, stage);
    let walk = walk(
        engine,
        log,
        start,
        solution,
        stage,
        settings.as_deref(),
        &page,
    )
    .await;
    assert_eq!(
        walk.outcome.run.status, 200_000_002,
        "{:?}",
        walk.outcome.run
    );
    tokio::time::sleep(Duration::from_millis(60)).await;
    stop.cancel();
    let truth = side.await.unwrap();
    if std::env::var_os("APP_PATH_BENCH_TRACE").is_some() {
        let t0 = truth.first().map(|(t, _)| *t).unwrap_or_else(Instant::now);
        for (t, s) in &truth {
            println!(
                "  host  {:>6} ms {s:?}",
                t.saturating_duration_since(t0).as_millis()
            );
        }
        for (t, s) in &walk.events {
            println!(
                "  event {:>6} ms {s:?}",
                t.saturating_duration_since(t0).as_millis()
            );
        }
    }
    let index_of = |state: &State| truth.iter().position(|(_, s)| s == state);
    // The side task starts at the run's first event: its first state follows the maker's own
    // action; each later transition has a delay (validation's on the wizard's validation step,
    // the deployment's on the run page).
    let mut delays = Vec::new();
    for (i, (at, state)) in truth.iter().enumerate().skip(1) {
        let noticed = walk
            .events
            .iter()
            .find(|(_, s)| index_of(s).is_some_and(|j| j >= i))
            .unwrap_or_else(|| panic!("the run page never got {state:?} or a later state"));
        delays.push(noticed.0.saturating_duration_since(*at));
    }
    Measured { walk, delays }
}

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn line(label: &str, m: &Measured) {
    println!(
        "{label:<50} {:>3} requests + {:>3} status reads (solution page before: {:>2})   delay median {:>5} ms   max {:>5} ms",
        m.walk.counted(),
        m.walk.polls(),
        m.walk.before.len(),
        median(&m.delays).as_millis(),
        m.delays.iter().max().copied().unwrap_or_default().as_millis(),
    );
}

fn main() {
    // `cargo test --all-targets` runs this binary too (without `--bench`): a smoke run at 25×.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let speed: f64 = std::env::var("APP_PATH_BENCH_SPEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if smoke { 25.0 } else { 1.0 });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        println!("the app's way to deploy at sandbox speed {speed}, each start on a fresh Local sandbox");
        if smoke {
            println!("(a smoke run under cargo test; `cargo bench -p ferry-ops --bench app_path` measures)");
        }
        let mut compared = Vec::new();
        for start in [Start::SolutionPage, Start::Cold] {
            let dir = tempfile::tempdir().unwrap();
            let log = RequestLog::default();
            let mut o = EngineOptions::new(dir.path());
            o.sandbox_speed = speed;
            o.poll_interval = Duration::from_secs(1).div_f64(speed);
            o.client.log = Some(log.clone());
            let engine = Engine::open(o).expect("engine opens");
            let host = engine.connect().await.unwrap().host_url;
            let setup = log.take().len();
            let name = match start {
                Start::SolutionPage => "solution page",
                Start::Cold => "cold",
            };
            println!("{name}: the session's set-up (sign-in, discovery, who): {setup} requests, not counted");
            let mut last = None;
            for (solution, stage) in SEQUENCE {
                let m = deploy(&engine, &log, &host, start, solution, stage).await;
                line(&format!("{name}: {solution} → {stage}"), &m);
                last = Some(m);
            }
            compared.push((name, last.unwrap()));
        }
        for (name, m) in &compared {
            println!();
            println!(
                "{name}: {} → {}, by kind ({} in all):",
                SEQUENCE[3].0,
                SEQUENCE[3].1,
                m.walk.requests.len()
            );
            for (kind, n) in by_kind(&m.walk.requests) {
                let poll = if support::app_path::is_poll_kind(&kind) {
                    "   (status read, not counted)"
                } else {
                    ""
                };
                println!("  {n:>3}  {kind}{poll}");
            }
        }
        let (_, app) = &compared[0];
        let (_, cold) = &compared[1];
        println!();
        println!(
            "the compared deployment: {} requests from the solution page, {} cold ({:.2}×); status reads {} and {}; median delay {} ms",
            app.walk.counted(),
            cold.walk.counted(),
            cold.walk.counted() as f64 / app.walk.counted().max(1) as f64,
            app.walk.polls(),
            cold.walk.polls(),
            median(&app.delays).as_millis()
        );
        let ok = app.walk.counted() <= 12 && median(&app.delays) <= Duration::from_millis(600);
        println!(
            "goal (≤ 12 requests besides status reads, median delay ≤ 0.6 s): {}",
            if ok { "met" } else { "NOT met" }
        );
    });
}
