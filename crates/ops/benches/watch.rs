//! How many host requests one demo deployment costs, and how long after a transition on the
//! host Ferry emits its event — adaptive pacing against a fixed 5-second poll, in one run.
//!
//! Each mode makes the same four deployments on a fresh Local sandbox at demo pace (speed 1,
//! about 20 s each): ContosoCanvas and ContosoCore to Test, then both to UAT. The adaptive mode
//! learns the phase durations as it goes (the cache keeps them, as it would for a maker who
//! deployed before); the last deployment is the one compared, and the totals are shown. A side
//! task reads the run straight from the host every 20 ms (not counted) to know when each
//! transition really happened; a transition's delay is the time until Ferry emitted an event
//! for that state or a later one.
//!
//! Run: `cargo bench -p ferry-ops --bench watch` (about three minutes). `WATCH_BENCH_SPEED`
//! changes the sandbox pace.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod support;

use ferry_ops::{
    CancellationToken, DeployRequest, Engine, EngineOptions, Pacing, PlanRequest, ProgressSink,
    RunEvent,
};
use support::demo::{settings_for, truth, State, SEQUENCE};

#[derive(Default)]
struct Seen {
    run_id: Option<String>,
    events: Vec<(Instant, State)>,
}

/// Records what Ferry emitted, and when.
struct Recorder(Arc<Mutex<Seen>>);

impl ProgressSink for Recorder {
    fn event(&self, e: RunEvent) {
        let mut seen = self.0.lock().unwrap();
        seen.run_id.get_or_insert(e.run_id.clone());
        seen.events
            .push((Instant::now(), (e.run.status, e.run.step.clone())));
    }
}

struct Deployment {
    requests: u64,
    delays: Vec<Duration>,
    transitions: usize,
}

async fn deploy(
    engine: &Engine,
    host: &str,
    counter: &AtomicU64,
    solution: &str,
    stage: &str,
) -> Deployment {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let stop = CancellationToken::new();
    let side = {
        let seen = seen.clone();
        tokio::spawn(truth(
            host.to_string(),
            move || seen.lock().unwrap().run_id.clone(),
            stop.clone(),
        ))
    };
    let before = counter.load(Ordering::Relaxed);
    let settings = settings_for(solution, stage);
    let outcome = engine
        .deploy(
            &DeployRequest {
                plan: PlanRequest {
                    solution: solution.into(),
                    stage: stage.into(),
                    settings_json: settings,
                    ..Default::default()
                },
                notes: Some("benchmark".into()),
                wait: true,
                ..Default::default()
            },
            &Recorder(seen.clone()),
            &CancellationToken::new(),
        )
        .await
        .expect("the benchmark deployment runs");
    assert_eq!(outcome.run.status, 200_000_002, "{:?}", outcome.run);
    let requests = counter.load(Ordering::Relaxed) - before;
    tokio::time::sleep(Duration::from_millis(60)).await;
    stop.cancel();
    let truth = side.await.unwrap();
    let events = seen.lock().unwrap().events.clone();
    // Where each emitted state sits in the host's sequence of states.
    let index_of = |state: &State| truth.iter().position(|(_, s)| s == state);
    let mut delays = Vec::new();
    // Skip the first state the side task saw: it follows the client's own action.
    for (i, (at, state)) in truth.iter().enumerate().skip(1) {
        let noticed = events
            .iter()
            .find(|(_, s)| index_of(s).is_some_and(|j| j >= i))
            .unwrap_or_else(|| panic!("Ferry never emitted {state:?} or a later state"));
        delays.push(noticed.0.saturating_duration_since(*at));
    }
    Deployment {
        requests,
        transitions: delays.len(),
        delays,
    }
}

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v[v.len() / 2]
}

fn max(v: &[Duration]) -> Duration {
    v.iter().copied().max().unwrap_or_default()
}

fn engine_for(dir: &std::path::Path, pacing: Pacing, speed: f64) -> (Engine, Arc<AtomicU64>) {
    let counter = Arc::new(AtomicU64::new(0));
    let mut o = EngineOptions::new(dir);
    o.sandbox_speed = speed;
    o.pacing = pacing;
    // The intervals scale with the pace, so a fast smoke run compares like for like.
    o.poll_interval = match pacing {
        Pacing::Fixed => Duration::from_secs(5),
        Pacing::Adaptive => Duration::from_secs(1),
    }
    .div_f64(speed);
    o.client.requests = Some(counter.clone());
    (Engine::open(o).expect("engine opens"), counter)
}

fn line(label: &str, d: &Deployment) {
    println!(
        "{label:<46} {:>4} requests   delay median {:>6} ms   max {:>6} ms   ({} transitions)",
        d.requests,
        median(&d.delays).as_millis(),
        max(&d.delays).as_millis(),
        d.transitions
    );
}

fn main() {
    // `cargo test --all-targets` runs this binary too (without `--bench`): then it is a smoke
    // run at 25× pace, a few seconds, which still fails if a deployment or an event goes wrong.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let speed: f64 = std::env::var("WATCH_BENCH_SPEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if smoke { 25.0 } else { 1.0 });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        println!("demo deployments at sandbox speed {speed}, each mode on a fresh Local sandbox");
        if smoke {
            println!("(a smoke run under cargo test; `cargo bench -p ferry-ops --bench watch` measures)");
        }
        let mut last = Vec::new();
        let mut totals = Vec::new();
        for pacing in [Pacing::Fixed, Pacing::Adaptive] {
            let dir = tempfile::tempdir().unwrap();
            let (engine, counter) = engine_for(dir.path(), pacing, speed);
            let host = engine.connect().await.unwrap().host_url;
            let name = match pacing {
                Pacing::Fixed => "fixed 5 s poll",
                Pacing::Adaptive => "adaptive",
            };
            let mut total = 0;
            let mut measured = None;
            for (solution, stage) in SEQUENCE {
                let d = deploy(&engine, &host, &counter, solution, stage).await;
                line(&format!("{name}: {solution} → {stage}"), &d);
                total += d.requests;
                measured = Some(d);
            }
            last.push(measured.unwrap());
            totals.push(total);
        }
        let (fixed, adaptive) = (&last[0], &last[1]);
        println!();
        println!(
            "the demo deployment {} → {} after the others: requests adaptive {} vs fixed {} ({:.2}×); median delay adaptive {} ms vs fixed {} ms ({:.2}×)",
            SEQUENCE[SEQUENCE.len() - 1].0,
            SEQUENCE[SEQUENCE.len() - 1].1,
            adaptive.requests,
            fixed.requests,
            adaptive.requests as f64 / fixed.requests as f64,
            median(&adaptive.delays).as_millis(),
            median(&fixed.delays).as_millis(),
            median(&adaptive.delays).as_secs_f64() / median(&fixed.delays).as_secs_f64()
        );
        println!(
            "all {} deployments: requests adaptive {} vs fixed {} ({:.2}×)",
            SEQUENCE.len(),
            totals[1],
            totals[0],
            totals[1] as f64 / totals[0] as f64
        );
        let ok = adaptive.requests < fixed.requests
            && median(&adaptive.delays) <= Duration::from_secs(1);
        println!(
            "goal (fewer requests and a median delay ≤ 1 s): {}",
            if ok { "met" } else { "NOT met" }
        );
    });
}
