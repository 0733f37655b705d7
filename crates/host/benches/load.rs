//! Load benchmark: N concurrent deployments (create → validate → settings → versions → deploy
//! → poll) from M maker users against one host over real HTTP. The host runs in a child process,
//! so its own peak memory is measured; a reference round of 50 deployments runs first in the
//! same invocation (a fresh host), and the peak memory of N is printed as a ratio of it.
//! Prints throughput and request latency percentiles, and fails when any deployment is lost.
//! Run with `scripts/bench-host.sh` or
//! `cargo bench -p ferry-host --bench load -- [deployments] [speed] [makers]`.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ferry_host::scenario::{derived_id, SolutionEntry, UserSpec};
use ferry_host::{Scenario, SolutionSpec};
use serde_json::{json, Value};

use common::{mib, ChildHost};

/// The reference round the peak memory is compared with.
const REFERENCE: usize = 50;

const POLL: Duration = Duration::from_millis(25);

struct Recorder {
    latencies: Mutex<Vec<(&'static str, Duration)>>,
}

impl Recorder {
    /// Sends a request of the flow, noting its latency under `kind` (the step it is).
    async fn send(
        &self,
        kind: &'static str,
        rb: reqwest::RequestBuilder,
    ) -> (reqwest::StatusCode, Value) {
        let start = Instant::now();
        let r = rb.send().await.expect("the host answers");
        let status = r.status();
        let body = r.json().await.unwrap_or(Value::Null);
        self.latencies.lock().unwrap().push((kind, start.elapsed()));
        (status, body)
    }
}

fn maker(m: usize) -> String {
    format!("maker{m:02}@contoso.example")
}

/// The demo, with `n` solutions in dev and `makers` maker users the release pipeline is
/// shared with. Built from the words `"<n> <makers>"` (also in the host's process).
fn scenario(words: &str) -> Scenario {
    let mut words = words
        .split_whitespace()
        .map(|w| w.parse::<usize>().unwrap());
    let (n, makers) = (words.next().unwrap(), words.next().unwrap());
    let mut s = Scenario::demo();
    for m in 0..makers {
        s.users.push(UserSpec {
            name: format!("Bench Maker{m:02}"),
            upn: maker(m),
            roles: vec!["maker".into()],
        });
    }
    let release = s
        .pipelines
        .iter_mut()
        .find(|p| p.name == "Contoso Release")
        .unwrap();
    release.shared_with.extend((0..makers).map(maker));
    let dev = s.environments.iter_mut().find(|e| e.name == "dev").unwrap();
    for i in 0..n {
        dev.solutions.push(SolutionEntry {
            path: None,
            spec: SolutionSpec {
                unique_name: format!("Bench{i:03}"),
                version: "1.0.0.0".into(),
                publisher: "contoso".into(),
                prefix: "cont".into(),
                components: vec![(1, format!("cont_bench{i}"))],
                ..Default::default()
            },
        });
    }
    s
}

async fn deployment(
    client: reqwest::Client,
    api: String,
    rec: Arc<Recorder>,
    i: usize,
    makers: usize,
) -> i64 {
    // An open host takes a user's name as the bearer token: deployment i is maker i mod M's.
    let client = Maker {
        client,
        token: format!("Bearer {}", maker(i % makers)),
    };
    let stage = derived_id("stage", "Contoso Release/Deploy to Test");
    let (status, body) = rec
        .send(
            "create",
            client
                .post(format!("{api}/deploymentstageruns?$select=deploymentstagerunid"))
                .header("Prefer", "return=representation")
                .json(&json!({
                    "deploymentstageid@odata.bind": format!("/deploymentstages({stage})"),
                    "devdeploymentenvironment@odata.bind": format!("/deploymentenvironments({})", derived_id("registration", "dev")),
                    "artifactname": format!("Bench{i:03}"),
                    "solutionid": derived_id("solution", &format!("Bench{i:03}")),
                })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let id = body["deploymentstagerunid"].as_str().unwrap().to_string();
    let run_url = format!("{api}/deploymentstageruns({id})");
    let poll_url = format!(
        "{run_url}?$select=stagerunstatus,operation,suboperation,operationstatus,errormessage"
    );
    rec.send(
        "validate",
        client
            .post(format!("{api}/ValidatePackageAsync"))
            .json(&json!({ "StageRunId": id })),
    )
    .await;
    let wait = |wanted: &'static [i64]| {
        let (client, rec, poll_url) = (client.clone(), rec.clone(), poll_url.clone());
        async move {
            loop {
                let (_, run) = rec
                    .send(
                        "poll",
                        client
                            .get(&poll_url)
                            .header("Prefer", "odata.include-annotations=\"*\""),
                    )
                    .await;
                let s = run["stagerunstatus"].as_i64().unwrap_or(0);
                if wanted.contains(&s) {
                    return s;
                }
                tokio::time::sleep(POLL).await;
            }
        }
    };
    if wait(&[200000007, 200000003, 200000004]).await != 200000007 {
        return 200000003;
    }
    let settings = json!({ "EnvironmentVariables": [], "ConnectionReferences": [] }).to_string();
    rec.send(
        "settings",
        client
            .patch(&run_url)
            .header("If-Match", "*")
            .json(&json!({ "deploymentsettingsjson": settings })),
    )
    .await;
    rec.send("versions", client.patch(&run_url).header("If-Match", "*").json(&json!({ "artifactversion": "1.0.0.1", "artifactdevcurrentversion": "1.0.0.0", "deploymentnotes": "load" }))).await;
    rec.send(
        "deploy",
        client
            .post(format!("{api}/DeployPackageAsync"))
            .json(&json!({ "StageRunId": id })),
    )
    .await;
    wait(&[200000002, 200000003, 200000004]).await
}

/// A client whose every request carries one maker's bearer token.
#[derive(Clone)]
struct Maker {
    client: reqwest::Client,
    token: String,
}

impl Maker {
    fn get(&self, url: &str) -> reqwest::RequestBuilder {
        self.client.get(url).header("Authorization", &self.token)
    }
    fn post(&self, url: String) -> reqwest::RequestBuilder {
        self.client.post(url).header("Authorization", &self.token)
    }
    fn patch(&self, url: &str) -> reqwest::RequestBuilder {
        self.client.patch(url).header("Authorization", &self.token)
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

/// What one round measured.
struct Round {
    n: usize,
    succeeded: usize,
    runs: String,
    artifacts: String,
    wall: Duration,
    latencies: Vec<Duration>,
    /// Each step's latencies (sorted), in the order of the flow.
    by_kind: Vec<(&'static str, Vec<Duration>)>,
    /// The host process's peak resident memory, in bytes.
    peak: u64,
    /// What its resident memory was made of at the end.
    breakdown: String,
    /// CPU seconds the host process used for the round (its start excluded).
    cpu: f64,
}

impl Round {
    fn print(&self, label: &str) {
        let lat = &self.latencies;
        let requests = lat.len();
        let wall = self.wall.as_secs_f64();
        println!("{label}");
        println!(
            "  succeeded      {}/{}; runs stored {}, artifacts stored {}",
            self.succeeded, self.n, self.runs, self.artifacts
        );
        println!(
            "  wall time      {wall:.2} s; {requests} requests ({:.0} req/s); {:.1} deployments/s",
            requests as f64 / wall,
            self.succeeded as f64 / wall
        );
        println!(
            "  latency ms     p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
            percentile(lat, 0.50).as_secs_f64() * 1e3,
            percentile(lat, 0.90).as_secs_f64() * 1e3,
            percentile(lat, 0.99).as_secs_f64() * 1e3,
            lat.last().unwrap().as_secs_f64() * 1e3
        );
        for (kind, of) in self.by_kind.iter().filter(|(_, of)| !of.is_empty()) {
            println!(
                "    {kind:<12} {:>5} requests, p50 {:.2}  p99 {:.2}  max {:.2}",
                of.len(),
                percentile(of, 0.50).as_secs_f64() * 1e3,
                percentile(of, 0.99).as_secs_f64() * 1e3,
                of.last().unwrap().as_secs_f64() * 1e3
            );
        }
        println!(
            "  host CPU       {:.2} s ({:.0} µs a request)",
            self.cpu,
            self.cpu * 1e6 / requests.max(1) as f64
        );
        println!(
            "  host peak      {:.1} MiB (at the end: {})",
            mib(self.peak),
            self.breakdown
        );
    }

    fn check(&self) {
        assert_eq!(self.succeeded, self.n, "deployments were lost or failed");
        assert_eq!(
            self.runs,
            self.n.to_string(),
            "runs were lost or duplicated"
        );
        assert_eq!(
            self.artifacts,
            self.n.to_string(),
            "artifacts were lost or duplicated"
        );
    }
}

/// `n` deployments from `makers` makers against a fresh host process.
fn round(n: usize, speed: f64, makers: usize) -> Round {
    let dir = tempfile::tempdir().unwrap();
    let host = ChildHost::start(dir.path(), &format!("{n} {makers}"), speed);
    let api = host.api();
    let cpu_before = common::cpu_seconds(host.pid());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let round = runtime.block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(n)
            .build()
            .unwrap();
        let rec = Arc::new(Recorder {
            latencies: Mutex::new(Vec::new()),
        });
        let start = Instant::now();
        let tasks: Vec<_> = (0..n)
            .map(|i| {
                let (client, api, rec) = (client.clone(), api.clone(), rec.clone());
                tokio::spawn(deployment(client, api, rec, i, makers))
            })
            .collect();
        let mut succeeded = 0;
        for t in tasks {
            if t.await.unwrap() == 200000002 {
                succeeded += 1;
            }
        }
        let wall = start.elapsed();
        let count = |set: &str| {
            let url = format!("{api}/{set}/$count");
            let client = client.clone();
            async move { client.get(url).send().await.unwrap().text().await.unwrap() }
        };
        let runs = count("deploymentstageruns").await;
        let artifacts = count("deploymentartifacts").await;
        let noted = rec.latencies.lock().unwrap().clone();
        let mut latencies: Vec<Duration> = noted.iter().map(|(_, d)| *d).collect();
        latencies.sort();
        let by_kind = [
            "create", "validate", "poll", "settings", "versions", "deploy",
        ]
        .into_iter()
        .map(|kind| {
            let mut of: Vec<Duration> = noted
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, d)| *d)
                .collect();
            of.sort();
            (kind, of)
        })
        .collect();
        Round {
            n,
            succeeded,
            runs,
            artifacts,
            wall,
            latencies,
            by_kind,
            peak: 0,
            breakdown: String::new(),
            cpu: 0.0,
        }
    });
    let cpu = common::cpu_seconds(host.pid()) - cpu_before;
    let peak = host.memory().peak;
    let breakdown = common::Memory::breakdown(host.pid());
    host.stop();
    Round {
        peak,
        breakdown,
        cpu,
        ..round
    }
}

fn main() {
    if common::serve_if_child(scenario) {
        return;
    }
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(50);
    let speed: f64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20.0);
    let makers: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(20);
    println!(
        "{n} concurrent deployments from {makers} makers, speed {speed} (phases ≈ {:.0} ms per deployment)",
        20_000.0 / speed
    );
    let reference = (n != REFERENCE).then(|| round(REFERENCE, speed, makers));
    let main = round(n, speed, makers);
    if let Some(r) = &reference {
        r.print(&format!(
            "reference: {REFERENCE} deployments (host peak memory baseline)"
        ));
    }
    main.print(&format!("{n} deployments"));
    let base = reference.as_ref().unwrap_or(&main).peak;
    if base > 0 {
        println!(
            "host peak memory {:.1} MiB at {n} = {:.2}x the {REFERENCE}-deployment figure ({:.1} MiB)",
            mib(main.peak),
            main.peak as f64 / base as f64,
            mib(base)
        );
    }
    if let Some(r) = &reference {
        r.check();
    }
    main.check();
}
