//! Shared helpers: one host per test on a free port with a temp data dir.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use ferry_host::scenario::derived_id;
use ferry_host::{Host, HostConfig, RunningHost, Scenario};
use reqwest::StatusCode;
use serde_json::{json, Value};

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
    let dir = tempfile::tempdir().unwrap();
    let host = boot(dir.path(), scenario, speed).await;
    TestHost {
        api: host.api_url(),
        base: host.base_url().to_string(),
        host: Some(host),
        client: reqwest::Client::new(),
        dir,
    }
}

pub async fn boot(dir: &std::path::Path, scenario: Scenario, speed: f64) -> RunningHost {
    let mut config = HostConfig::new(dir);
    config.scenario = scenario;
    config.speed = speed;
    Host::start(config).await.unwrap()
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

    /// Polls until `stagerunstatus` is one of `wanted`; panics after 10 s.
    pub async fn wait_for(&self, id: &str, wanted: &[i64]) -> Value {
        let start = Instant::now();
        loop {
            let run = self.run(id).await;
            let status = run["stagerunstatus"].as_i64().unwrap();
            if wanted.contains(&status) {
                return run;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "run stuck at {status}, wanted {wanted:?}: {run}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
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
