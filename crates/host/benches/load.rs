//! Load benchmark: N concurrent deployments (create → validate → settings →
//! versions → deploy → poll) against one in-process host over real HTTP.
//! Prints throughput and request latency percentiles, and fails when any
//! deployment is lost. Run with `scripts/bench-host.sh` or
//! `cargo bench -p ferry-host --bench load -- [deployments] [speed]`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ferry_host::scenario::{derived_id, SolutionEntry};
use ferry_host::{Host, HostConfig, Scenario, SolutionSpec};
use serde_json::{json, Value};

const POLL: Duration = Duration::from_millis(25);

struct Recorder {
    latencies: Mutex<Vec<Duration>>,
}

impl Recorder {
    async fn send(&self, rb: reqwest::RequestBuilder) -> (reqwest::StatusCode, Value) {
        let start = Instant::now();
        let r = rb.send().await.expect("the host answers");
        let status = r.status();
        let body = r.json().await.unwrap_or(Value::Null);
        self.latencies.lock().unwrap().push(start.elapsed());
        (status, body)
    }
}

fn scenario(n: usize) -> Scenario {
    let mut s = Scenario::demo();
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

async fn deployment(client: reqwest::Client, api: String, rec: Arc<Recorder>, i: usize) -> i64 {
    let stage = derived_id("stage", "Contoso Release/Deploy to Test");
    let (status, body) = rec
        .send(
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
        client
            .patch(&run_url)
            .header("If-Match", "*")
            .json(&json!({ "deploymentsettingsjson": settings })),
    )
    .await;
    rec.send(client.patch(&run_url).header("If-Match", "*").json(&json!({ "artifactversion": "1.0.0.1", "artifactdevcurrentversion": "1.0.0.0", "deploymentnotes": "load" }))).await;
    rec.send(
        client
            .post(format!("{api}/DeployPackageAsync"))
            .json(&json!({ "StageRunId": id })),
    )
    .await;
    wait(&[200000002, 200000003, 200000004]).await
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(50);
    let speed: f64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20.0);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        let mut config = HostConfig::new(dir.path());
        config.scenario = scenario(n);
        config.speed = speed;
        let host = Host::start(config).await.unwrap();
        let api = host.api_url();
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(n)
            .build()
            .unwrap();
        let rec = Arc::new(Recorder {
            latencies: Mutex::new(Vec::new()),
        });
        let start = Instant::now();
        let tasks: Vec<_> = (0..n)
            .map(|i| tokio::spawn(deployment(client.clone(), api.clone(), rec.clone(), i)))
            .collect();
        let mut succeeded = 0;
        for t in tasks {
            if t.await.unwrap() == 200000002 {
                succeeded += 1;
            }
        }
        let wall = start.elapsed();
        let count = |set: &str| {
            let (client, api) = (client.clone(), api.clone());
            let set = set.to_string();
            async move {
                client
                    .get(format!("{api}/{set}/$count"))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            }
        };
        let runs = count("deploymentstageruns").await;
        let artifacts = count("deploymentartifacts").await;
        host.shutdown().await;

        let mut lat = rec.latencies.lock().unwrap().clone();
        lat.sort();
        let requests = lat.len();
        println!(
            "deployments      {n} concurrent, speed {speed} (phases ≈ {:.0} ms per deployment)",
            20_000.0 / speed
        );
        println!(
            "succeeded        {succeeded}/{n}; runs stored {runs}, artifacts stored {artifacts}"
        );
        println!("wall time        {:.2} s", wall.as_secs_f64());
        println!(
            "requests         {requests} ({:.0} req/s)",
            requests as f64 / wall.as_secs_f64()
        );
        println!(
            "deployments/s    {:.1}",
            succeeded as f64 / wall.as_secs_f64()
        );
        println!(
            "latency ms       p50 {:.2}  p90 {:.2}  p99 {:.2}  max {:.2}",
            percentile(&lat, 0.50).as_secs_f64() * 1e3,
            percentile(&lat, 0.90).as_secs_f64() * 1e3,
            percentile(&lat, 0.99).as_secs_f64() * 1e3,
            lat.last().unwrap().as_secs_f64() * 1e3
        );
        assert_eq!(succeeded, n, "deployments were lost or failed");
        assert_eq!(runs, n.to_string(), "runs were lost or duplicated");
        assert_eq!(
            artifacts,
            n.to_string(),
            "artifacts were lost or duplicated"
        );
    });
}
