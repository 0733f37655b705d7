//! Shared helpers: one host per test on a free port with a temp data dir.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use ferry_host::scenario::derived_id;
use ferry_host::{Clock, Host, HostConfig, RunningHost, Scenario};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::sync::watch;

/// Fast enough that a whole deployment takes about 0.2 s.
pub const TEST_SPEED: f64 = 100.0;

pub struct TestHost {
    pub host: Option<RunningHost>,
    pub client: reqwest::Client,
    pub api: String,
    pub base: String,
    pub dir: tempfile::TempDir,
}

pub async fn start(scenario: Scenario) -> TestHost {
    start_at(scenario, TEST_SPEED).await
}

pub async fn start_at(scenario: Scenario, speed: f64) -> TestHost {
    start_with(scenario, speed, Clock::system()).await
}

/// A host on a manual clock at demo pace (a deployment ≈ 20 s of its clock): time passes
/// only when the test moves it ([`TestHost::advance`], or [`TestHost::wait_for`] stepping
/// from one due step to the next).
pub async fn start_manual(scenario: Scenario) -> TestHost {
    start_with(scenario, 1.0, Clock::manual_now()).await
}

pub async fn start_with(scenario: Scenario, speed: f64, clock: Clock) -> TestHost {
    let dir = tempfile::tempdir().unwrap();
    let host = boot_with(dir.path(), scenario, speed, clock).await;
    TestHost {
        api: host.api_url(),
        base: host.base_url().to_string(),
        host: Some(host),
        client: reqwest::Client::new(),
        dir,
    }
}

pub async fn boot(dir: &std::path::Path, scenario: Scenario, speed: f64) -> RunningHost {
    boot_with(dir, scenario, speed, Clock::system()).await
}

pub async fn boot_with(
    dir: &std::path::Path,
    scenario: Scenario,
    speed: f64,
    clock: Clock,
) -> RunningHost {
    let mut config = HostConfig::new(dir);
    config.scenario = scenario;
    config.speed = speed;
    config.clock = clock;
    Host::start(config).await.unwrap()
}

/// How long a test waits for a condition before it fails (wall time; never a pace).
pub const PATIENCE: Duration = Duration::from_secs(15);

/// Waits for the next change of `host`'s data (a committed write); panics saying `what` was
/// awaited when nothing changes before `deadline`.
pub async fn next_change(changes: &mut watch::Receiver<u64>, deadline: Instant, what: &str) {
    let changed = tokio::time::timeout_at(deadline.into(), changes.changed()).await;
    assert!(
        matches!(changed, Ok(Ok(()))),
        "timed out waiting for {what}"
    );
}

pub fn stage(pipeline: &str, stage: &str) -> String {
    derived_id("stage", &format!("{pipeline}/{stage}"))
}

pub fn registration(env: &str) -> String {
    derived_id("registration", env)
}

pub fn pipeline(name: &str) -> String {
    derived_id("pipeline", name)
}

pub const RELEASE: &str = "Contoso Release";

impl TestHost {
    pub fn host(&self) -> &RunningHost {
        self.host.as_ref().expect("the host is running")
    }

    /// The host's clock.
    pub fn clock(&self) -> &Clock {
        self.host().clock()
    }

    /// Moves the host's manual clock by `by` and waits until every step due by then ran.
    pub async fn advance(&self, by: Duration) {
        self.clock().advance(by);
        self.host().settle().await;
    }

    /// Waits until `check` holds for what `read` returns, re-reading after each change of
    /// the host's data; on a manual clock, time moves from one due step to the next while
    /// it does not hold. Panics after [`PATIENCE`] or when nothing is left to happen.
    pub async fn until<T, F, Fut>(&self, what: &str, mut read: F, check: impl Fn(&T) -> bool) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = T>,
    {
        let host = self.host();
        let mut changes = host.changes();
        let deadline = Instant::now() + PATIENCE;
        loop {
            changes.borrow_and_update();
            if host.clock().is_manual() {
                host.settle().await;
            }
            let value = read().await;
            if check(&value) {
                return value;
            }
            if host.clock().is_manual() {
                let next = host.next_due_ms();
                let next = next.unwrap_or_else(|| panic!("{what}: nothing more is due"));
                host.clock().set_ms(next);
                assert!(Instant::now() < deadline, "timed out waiting for {what}");
            } else {
                next_change(&mut changes, deadline, what).await;
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}/{}", self.api, path.trim_start_matches('/'))
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let r = self.client.get(self.url(path)).send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut rb = self.client.get(self.url(path));
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        rb.send().await.unwrap()
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
        headers: &[(&str, &str)],
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut rb = self.client.request(method, self.url(path)).json(&body);
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        let r = rb.send().await.unwrap();
        let (status, h) = (r.status(), r.headers().clone());
        (status, h, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let (s, _, v) = self.send(reqwest::Method::POST, path, body, &[]).await;
        (s, v)
    }

    /// POST as a seeded user (`Authorization: Bearer <who>`, e.g. `pat`).
    pub async fn post_as(&self, who: &str, path: &str, body: Value) -> (StatusCode, Value) {
        let auth = format!("Bearer {who}");
        let (s, _, v) = self
            .send(
                reqwest::Method::POST,
                path,
                body,
                &[("Authorization", &auth)],
            )
            .await;
        (s, v)
    }

    /// GET as a seeded user.
    pub async fn get_as(&self, who: &str, path: &str) -> (StatusCode, Value) {
        let auth = format!("Bearer {who}");
        let r = self.get_with(path, &[("Authorization", &auth)]).await;
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let (s, _, v) = self
            .send(reqwest::Method::PATCH, path, body, &[("If-Match", "*")])
            .await;
        (s, v)
    }

    /// A real access token of this host for a seeded user, issued to the client `app_id`: a
    /// device-code sign-in approved in process, redeemed at the token endpoint.
    pub async fn token_for(&self, user: &str, app_id: &str) -> String {
        self.token_for_scope(user, app_id, &format!("{}/.default", self.base))
            .await
    }

    /// Like [`TestHost::token_for`], for another resource's `scope` (`{resource}/.default`).
    pub async fn token_for_scope(&self, user: &str, app_id: &str, scope: &str) -> String {
        let form = |path: &str, fields: Vec<(&'static str, String)>| {
            let url = format!("{}/organizations/oauth2/v2.0/{path}", self.base);
            let client = self.client.clone();
            async move {
                let r = client.post(url).form(&fields).send().await.unwrap();
                let status = r.status();
                let body: Value = r.json().await.unwrap();
                assert_eq!(status, StatusCode::OK, "{body}");
                body
            }
        };
        let code = form(
            "devicecode",
            vec![
                ("client_id", app_id.to_string()),
                ("scope", scope.to_string()),
            ],
        )
        .await;
        self.host
            .as_ref()
            .unwrap()
            .approve_device_code(code["user_code"].as_str().unwrap(), user)
            .unwrap();
        let token = form(
            "token",
            vec![
                (
                    "grant_type",
                    "urn:ietf:params:oauth:grant-type:device_code".to_string(),
                ),
                ("client_id", app_id.to_string()),
                (
                    "device_code",
                    code["device_code"].as_str().unwrap().to_string(),
                ),
            ],
        )
        .await;
        token["access_token"].as_str().unwrap().to_string()
    }

    /// Creates a run with `Prefer: return=representation` and returns its id.
    pub async fn create_run(&self, stage_id: &str, dev: &str, solution: &str) -> String {
        self.create_run_with(stage_id, dev, solution, &[]).await
    }

    /// Creates a run as a seeded user (`Bearer <who>`), who may then move it on.
    pub async fn create_run_as(
        &self,
        who: &str,
        stage_id: &str,
        dev: &str,
        solution: &str,
    ) -> String {
        let auth = format!("Bearer {who}");
        self.create_run_with(stage_id, dev, solution, &[("Authorization", &auth)])
            .await
    }

    async fn create_run_with(
        &self,
        stage_id: &str,
        dev: &str,
        solution: &str,
        headers: &[(&str, &str)],
    ) -> String {
        let mut headers = headers.to_vec();
        headers.push(("Prefer", "return=representation"));
        let (status, _, body) = self
            .send(
                reqwest::Method::POST,
                "deploymentstageruns?$select=deploymentstagerunid",
                json!({
                    "deploymentstageid@odata.bind": format!("/deploymentstages({stage_id})"),
                    "devdeploymentenvironment@odata.bind": format!("/deploymentenvironments({})", registration(dev)),
                    "artifactname": solution,
                    "solutionid": derived_id("solution", solution),
                    "makerainoteslanguagecode": "en-US",
                }),
                &headers,
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["deploymentstagerunid"].as_str().unwrap().to_string()
    }

    pub async fn action(&self, name: &str, run: &str) -> (StatusCode, Value) {
        self.post(name, json!({ "StageRunId": run })).await
    }

    pub async fn run(&self, id: &str) -> Value {
        let (s, v) = self.get(&format!("deploymentstageruns({id})")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }

    /// Waits until `stagerunstatus` is one of `wanted` (see [`TestHost::until`]).
    pub async fn wait_for(&self, id: &str, wanted: &[i64]) -> Value {
        let what = format!("run {id} to reach one of {wanted:?}");
        self.until(
            &what,
            || self.run(id),
            |run| {
                run["stagerunstatus"]
                    .as_i64()
                    .is_some_and(|s| wanted.contains(&s))
            },
        )
        .await
    }

    /// Create → validate → (settings, versions) → deploy → wait; returns the finished run.
    pub async fn deploy(
        &self,
        stage_id: &str,
        solution: &str,
        version: Option<&str>,
        settings: Option<Value>,
    ) -> Value {
        let run = self.create_run(stage_id, "dev", solution).await;
        assert_eq!(
            self.action("ValidatePackageAsync", &run).await.0,
            StatusCode::NO_CONTENT
        );
        let validated = self.wait_for(&run, &[200000007, 200000003]).await;
        assert_eq!(
            validated["stagerunstatus"], 200000007,
            "validation failed: {validated}"
        );
        if let Some(s) = settings {
            let (st, b) = self
                .patch(
                    &format!("deploymentstageruns({run})"),
                    json!({ "deploymentsettingsjson": s.to_string() }),
                )
                .await;
            assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
        }
        if let Some(v) = version {
            let (st, b) = self
                .patch(
                    &format!("deploymentstageruns({run})"),
                    json!({ "artifactversion": v, "deploymentnotes": "test" }),
                )
                .await;
            assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
        }
        assert_eq!(
            self.action("DeployPackageAsync", &run).await.0,
            StatusCode::NO_CONTENT
        );
        self.wait_for(&run, &[200000002, 200000003, 200000004])
            .await
    }

    pub async fn env_rows(&self, env: &str, set_and_query: &str) -> Vec<Value> {
        let url = format!(
            "{}/environments/{env}/api/data/v9.2/{set_and_query}",
            self.base
        );
        let (s, v) = self.get(&url).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["value"].as_array().unwrap().clone()
    }

    pub async fn stop(&mut self) {
        if let Some(h) = self.host.take() {
            h.shutdown().await;
        }
    }
}

pub fn core_settings(env: &str) -> Value {
    json!({
        "EnvironmentVariables": [
            { "SchemaName": "cont_ApiBaseUrl", "Value": format!("https://api.{env}.contoso.example") },
            { "SchemaName": "cont_RetryCount", "Value": "5" }
        ],
        "ConnectionReferences": [
            { "LogicalName": "cont_sharedoffice365_1a2b3", "ConnectionId": format!("{env}-office365"), "ConnectorId": "/providers/Microsoft.PowerApps/apis/shared_office365" }
        ]
    })
}
