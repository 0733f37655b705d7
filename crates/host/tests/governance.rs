//! Issue 16 §2: governance over real HTTP, in strict mode with real tokens. Artifacts and run
//! history are immutable to makers; a service-principal stage is approved only by the
//! application itself (client credentials); what an approver decided on stays fixed.

mod common;

use common::*;
use ferry_host::scenario::{ApplicationSpec, UserSpec};
use ferry_host::{AuthMode, Host, HostConfig, Scenario};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const APP: &str = "7d3e2b10-1111-4222-8333-944455556666";
const SECRET: &str = "robot-secret-1";
const CLIENT: &str = "ferry-governance-test";

fn scenario() -> Scenario {
    let mut s = Scenario::demo();
    s.users.push(UserSpec {
        name: "Max Maker".into(),
        upn: "max@contoso.example".into(),
        roles: vec!["maker".into()],
    });
    s.applications.push(ApplicationSpec {
        name: "Release Robot".into(),
        app_id: APP.into(),
        secret: SECRET.into(),
        roles: vec!["approver".into()],
    });
    let text = format!(
        r#"
name = "Robot"
dev_environments = ["dev"]
shared_with = ["mona@contoso.example"]
stages = [{{ name = "Spn", target = "qa", delegated = true, spn_client_id = "{APP}", pre_deployment_step = true }}]
"#
    );
    let extra: ferry_host::scenario::PipelineSpec = toml::from_str(&text).unwrap();
    s.pipelines.push(extra);
    s
}

async fn strict() -> TestHost {
    let dir = tempfile::tempdir().unwrap();
    let mut config = HostConfig::new(dir.path());
    config.scenario = scenario();
    config.speed = TEST_SPEED;
    config.auth = Some(AuthMode::Strict);
    let host = Host::start(config).await.unwrap();
    TestHost {
        api: host.api_url(),
        base: host.base_url().to_string(),
        host: Some(host),
        client: reqwest::Client::new(),
        dir,
    }
}

struct As<'a> {
    h: &'a TestHost,
    auth: String,
}

impl As<'_> {
    async fn send(&self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        let (s, _, v) = self
            .h
            .send(
                method,
                path,
                body,
                &[("Authorization", &self.auth), ("If-Match", "*")],
            )
            .await;
        (s, v)
    }
    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(Method::POST, path, body).await
    }
    async fn get(&self, path: &str) -> Value {
        let (s, v) = self.send(Method::GET, path, Value::Null).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }
    async fn action(&self, name: &str, run: &str) -> (StatusCode, Value) {
        self.post(name, json!({ "StageRunId": run })).await
    }
    async fn wait_for(&self, run: &str, wanted: &[i64]) -> Value {
        let path = format!("deploymentstageruns({run})");
        self.h
            .until(
                &format!("{run} to reach one of {wanted:?}"),
                || self.get(&path),
                |r| {
                    r["stagerunstatus"]
                        .as_i64()
                        .is_some_and(|s| wanted.contains(&s))
                },
            )
            .await
    }
}

async fn user<'a>(h: &'a TestHost, who: &str) -> As<'a> {
    As {
        h,
        auth: format!("Bearer {}", h.token_for(who, CLIENT).await),
    }
}

/// An app-only token of the scenario's application (client credentials).
async fn app_token(h: &TestHost, secret: &str) -> (StatusCode, Value) {
    let r = h
        .client
        .post(format!("{}/organizations/oauth2/v2.0/token", h.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", APP),
            ("client_secret", secret),
            ("scope", &format!("{}/.default", h.base)),
        ])
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap())
}

fn claims(token: &str) -> Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap()
}

/// Create (as `who`) → validate → version → deploy; returns the run id (not waited on).
async fn requested(who: &As<'_>, stage_id: &str, solution: &str, version: &str) -> String {
    let (s, b) = who
        .send(
            Method::POST,
            "deploymentstageruns?$select=deploymentstagerunid",
            json!({
                "deploymentstageid@odata.bind": format!("/deploymentstages({stage_id})"),
                "devdeploymentenvironment@odata.bind": format!("/deploymentenvironments({})", registration("dev")),
                "artifactname": solution,
                "solutionid": ferry_host::scenario::derived_id("solution", solution),
            }),
        )
        .await;
    assert!(s.is_success(), "{b}");
    let run = match b["deploymentstagerunid"].as_str() {
        Some(id) => id.to_string(),
        None => {
            // 204: read the newest run of the stage.
            let list = who
                .get(&format!("deploymentstageruns?$filter=_deploymentstageid_value eq {stage_id}&$orderby=createdon desc&$top=1"))
                .await;
            list["value"][0]["deploymentstagerunid"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    assert_eq!(
        who.action("ValidatePackageAsync", &run).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        who.wait_for(&run, &[200000007]).await["stagerunstatus"],
        200000007
    );
    let (s, b) = who
        .send(
            Method::PATCH,
            &format!("deploymentstageruns({run})"),
            json!({ "artifactversion": version }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (s, b) = who.action("DeployPackageAsync", &run).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    run
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_maker_deletes_artifacts_or_run_history() {
    let h = strict().await;
    let mona = user(&h, "mona").await;
    let max = user(&h, "max").await;
    let ade = user(&h, "ade").await;
    let run = requested(
        &mona,
        &stage(RELEASE, "Deploy to Test"),
        "ContosoCanvas",
        "1.0.0.1",
    )
    .await;
    let done = mona.wait_for(&run, &[200000002, 200000003]).await;
    assert_eq!(done["stagerunstatus"], 200000002, "{done}");
    let artifact = done["_artifactid_value"].as_str().unwrap().to_string();
    let statuses = mona
        .get(&format!(
            "deploymentstagerunstatuses?$filter=_deploymentstagerunid_value eq {run}"
        ))
        .await;
    let status = statuses["value"][0]["deploymentstagerunstatusid"]
        .as_str()
        .unwrap()
        .to_string();

    for who in [&max, &mona] {
        let (s, b) = who
            .send(
                Method::DELETE,
                &format!("deploymentartifacts({artifact})"),
                Value::Null,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        assert!(
            b["error"]["message"]
                .as_str()
                .unwrap()
                .contains("prvDeletedeploymentartifact"),
            "{b}"
        );
        let (s, b) = who
            .send(
                Method::DELETE,
                &format!("deploymentstagerunstatuses({status})"),
                Value::Null,
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    }
    // Still there, bytes too.
    mona.get(&format!("deploymentartifacts({artifact})")).await;
    // Admins may.
    let (s, b) = ade
        .send(
            Method::DELETE,
            &format!("deploymentstagerunstatuses({status})"),
            Value::Null,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (s, b) = ade
        .send(
            Method::DELETE,
            &format!("deploymentartifacts({artifact})"),
            Value::Null,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let (s, _) = mona
        .send(
            Method::GET,
            &format!("deploymentartifacts({artifact})/artifactfile/$value"),
            Value::Null,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_principal_stage_is_approved_by_the_application_not_a_user_with_its_client_id() {
    let h = strict().await;
    // The client credentials grant: wrong secret, then the right one.
    let (s, b) = app_token(&h, "wrong").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
    assert_eq!(b["error"], "invalid_client");
    let (s, b) = app_token(&h, SECRET).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let token = b["access_token"].as_str().unwrap().to_string();
    assert!(b.get("refresh_token").is_none());
    let c = claims(&token);
    assert_eq!(c["idtyp"], "app");
    assert_eq!(c["appid"], APP);
    assert_eq!(c["roles"], json!(["approver"]));
    assert!(c.get("upn").is_none() && c.get("scp").is_none(), "{c}");
    let robot = As {
        h: &h,
        auth: format!("Bearer {token}"),
    };
    let who = robot.get("WhoAmI").await;
    assert_eq!(
        who["UserId"],
        ferry_host::scenario::derived_id("application", APP).as_str()
    );

    let mona = user(&h, "mona").await;
    let run = requested(&mona, &stage("Robot", "Spn"), "ContosoCanvas", "1.0.0.1").await;
    let approve = json!({ "StageRunId": run, "ApprovalStatus": 20 });
    // Mona signed in through a client whose id is the application's: still Mona.
    let posing = As {
        h: &h,
        auth: format!("Bearer {}", h.token_for("mona", APP).await),
    };
    let (s, b) = posing.post("UpdateApprovalStatus", approve.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = mona.post("UpdateApprovalStatus", approve.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    let (s, b) = robot.post("UpdateApprovalStatus", approve).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    // The pre-deployment step stays callable by whoever can update the run (§4): Mona.
    mona.wait_for(&run, &[200000008]).await;
    let (s, b) = mona
        .post(
            "UpdatePreDeploymentStepStatus",
            json!({ "StageRunId": run, "PreDeploymentStepStatus": 20 }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    assert_eq!(
        mona.wait_for(&run, &[200000002, 200000003]).await["stagerunstatus"],
        200000002
    );
}

fn count(events: &Value, name: &str) -> usize {
    events["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["name"] == name)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_approver_decided_on_stays_fixed() {
    let h = strict().await;
    let mona = user(&h, "mona").await;
    let pat = user(&h, "pat").await;
    let ade = user(&h, "ade").await;
    let gated = stage("Contoso Gated", "Gated Prod");
    let run = {
        // Settings first, as the portal does, then the requested run.
        let r = requested(&mona, &gated, "ContosoCore", "1.0.0.4").await;
        r
    };
    let path = format!("deploymentstageruns({run})");
    mona.wait_for(&run, &[200000007]).await;
    // (a) Requested: notes, versions and settings are fixed…
    for change in [
        json!({ "deploymentnotes": "something else" }),
        json!({ "artifactversion": "1.0.0.9" }),
        json!({ "deploymentsettingsjson": core_settings("prod").to_string() }),
    ] {
        let (s, b) = mona.send(Method::PATCH, &path, change.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{change}: {b}");
        assert_eq!(b["error"]["code"], "0x80040265");
    }
    // …re-sending what it has changes nothing and is fine…
    let (s, b) = mona
        .send(
            Method::PATCH,
            &path,
            json!({ "artifactversion": "1.0.0.4" }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    // …and only an admin moves the time.
    let when = json!({ "scheduledtime": "2020-01-01T00:00:00Z" });
    let (s, _) = mona.send(Method::PATCH, &path, when.clone()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, b) = ade.send(Method::PATCH, &path, when).await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");

    // (b) The import fails once; new settings send the run back through its gates.
    let (s, b) = ade
        .send(
            Method::PATCH,
            &format!("{}/_ferry/faults", h.base),
            json!({ "import_failures": { "prod": 1 } }),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let approve = json!({ "StageRunId": run, "ApprovalStatus": 20 });
    let step = json!({ "StageRunId": run, "PreDeploymentStepStatus": 20 });
    assert_eq!(
        pat.post("UpdateApprovalStatus", approve.clone()).await.0,
        StatusCode::NO_CONTENT
    );
    mona.wait_for(&run, &[200000008]).await;
    assert_eq!(
        mona.post("UpdatePreDeploymentStepStatus", step.clone())
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let failed = mona.wait_for(&run, &[200000003, 200000002]).await;
    assert_eq!(failed["stagerunstatus"], 200000003, "{failed}");
    // Finished: notes stay fixed; settings may change for a retry, and reset the gates.
    let (s, _) = mona
        .send(Method::PATCH, &path, json!({ "deploymentnotes": "late" }))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, b) = mona
        .send(
            Method::PATCH,
            &path,
            json!({ "deploymentsettingsjson": core_settings("prod").to_string() }),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{b}");
    let reset = mona.get(&path).await;
    assert_eq!(reset["approvalstatus"], 10, "{reset}");
    assert_eq!(reset["predeploymentstepstatus"], 10, "{reset}");
    assert_eq!(
        mona.action("RetryFailedDeploymentAsync", &run).await.0,
        StatusCode::NO_CONTENT
    );
    let waiting = mona.wait_for(&run, &[200000007]).await;
    assert_eq!(waiting["approvalstatus"], 10, "{waiting}");
    let events = ade
        .get(&format!("{}/_ferry/events?run={run}", h.base))
        .await;
    assert_eq!(count(&events, "OnApprovalStarted"), 2, "{events}");
    // Still fixed while it waits again.
    let (s, _) = mona
        .send(Method::PATCH, &path, json!({ "deploymentsettingsjson": "{\"EnvironmentVariables\":[],\"ConnectionReferences\":[]}" }))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        pat.post("UpdateApprovalStatus", approve).await.0,
        StatusCode::NO_CONTENT
    );
    mona.wait_for(&run, &[200000008]).await;
    let events = ade
        .get(&format!("{}/_ferry/events?run={run}", h.base))
        .await;
    assert_eq!(count(&events, "OnPreDeploymentStarted"), 2, "{events}");
    assert_eq!(
        mona.post("UpdatePreDeploymentStepStatus", step).await.0,
        StatusCode::NO_CONTENT
    );
    let done = mona.wait_for(&run, &[200000002, 200000003]).await;
    assert_eq!(done["stagerunstatus"], 200000002, "{done}");
    assert_eq!(done["retrycount"], 1);
}

async fn with_allowed(names: &[&str]) -> TestHost {
    let dir = tempfile::tempdir().unwrap();
    let mut config = HostConfig::new(dir.path());
    config.scenario = Scenario::demo();
    config.speed = TEST_SPEED;
    config.allowed_hosts = names.iter().map(|n| n.to_string()).collect();
    let host = Host::start(config).await.unwrap();
    TestHost {
        api: host.api_url(),
        base: host.base_url().to_string(),
        host: Some(host),
        client: reqwest::Client::new(),
        dir,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_host_names_origins_and_cross_site_requests_are_refused() {
    let h = with_allowed(&["ferry.lan"]).await;
    let port = reqwest::Url::parse(&h.base).unwrap().port().unwrap();
    let who = |headers: Vec<(&'static str, String)>| {
        let mut rb = h.client.get(h.url("WhoAmI"));
        for (k, v) in headers {
            rb = rb.header(k, v);
        }
        async move {
            let r = rb.send().await.unwrap();
            let s = r.status();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // DNS rebinding: the attacker's name pointing at 127.0.0.1.
    let (s, b) = who(vec![("Host", format!("evil.example:{port}"))]).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");
    assert!(
        b["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--allowed-host"),
        "{b}"
    );
    for ok in [
        format!("localhost:{port}"),
        format!("ferry.lan:{port}"),
        format!("127.0.0.1:{port}"),
    ] {
        let (s, b) = who(vec![("Host", ok.clone())]).await;
        assert_eq!(s, StatusCode::OK, "{ok}: {b}");
    }
    // A page of another site, through the visitor's browser.
    let (s, b) = who(vec![("Origin", "https://evil.example".into())]).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
    assert!(b["error"]["code"].is_string());
    let (s, _) = who(vec![("Origin", "null".into())]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = who(vec![("Sec-Fetch-Site", "cross-site".into())]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = who(vec![
        ("Origin", h.base.clone()),
        ("Sec-Fetch-Site", "same-origin".into()),
    ])
    .await;
    assert_eq!(s, StatusCode::OK);
    // The OAuth endpoints stay form-encoded and take Microsoft clients' odd headers.
    let r = h
        .client
        .post(format!("{}/organizations/oauth2/v2.0/devicecode", h.base))
        .header("x-client-SKU", "MSAL.Desktop")
        .header("x-ms-lib-capability", "retry-after, h429")
        .header("client-request-id", "8a0f7a8e-0000-4000-8000-000000000000")
        .form(&[
            ("client_id", CLIENT),
            ("scope", &format!("{}/.default", h.base)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let dc: Value = r.json().await.unwrap();
    let code = dc["user_code"].as_str().unwrap();

    // The device-code form: a browser's post needs the page's CSRF token.
    let page = format!("{}/devicelogin", h.base);
    let post = |token: Option<String>| {
        let mut form = vec![
            ("code", code.to_string()),
            ("user", "mona".to_string()),
            ("action", "approve".to_string()),
        ];
        if let Some(t) = token {
            form.push(("csrf_token", t));
        }
        h.client
            .post(&page)
            .header("Origin", h.base.clone())
            .header("Sec-Fetch-Site", "same-origin")
            .form(&form)
            .send()
    };
    let r = post(None).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = post(Some("1.deadbeef".into())).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = h
        .client
        .get(&page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = html
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page carries a CSRF token")
        .to_string();
    let r = post(Some(token)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    // A foreign page cannot post it at all.
    let r = h
        .client
        .post(&page)
        .header("Origin", "https://evil.example")
        .form(&[("code", code), ("user", "mona"), ("action", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_authorize_form_needs_its_csrf_token_from_a_browser() {
    let h = with_allowed(&[]).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let scope = format!("{}/.default", h.base);
    let params = [
        ("client_id", CLIENT),
        ("response_type", "code"),
        ("redirect_uri", "http://127.0.0.1:9/cb"),
        ("scope", scope.as_str()),
        ("state", "s"),
        (
            "code_challenge",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        ),
        ("code_challenge_method", "S256"),
    ];
    let url = format!("{}/organizations/oauth2/v2.0/authorize", h.base);
    let html = http
        .get(&url)
        .query(&params)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = html
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page carries a CSRF token")
        .to_string();
    let mut form: Vec<(&str, &str)> = params.to_vec();
    form.push(("user", "mona"));
    form.push(("action", "accept"));
    let browser = |form: Vec<(&'static str, String)>| {
        http.post(&url)
            .header("Origin", h.base.clone())
            .header("Sec-Fetch-Site", "same-origin")
            .form(&form)
            .send()
    };
    let owned: Vec<(&'static str, String)> =
        form.iter().map(|(k, v)| (*k, v.to_string())).collect();
    let r = browser(owned.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let mut with_token = owned;
    with_token.push(("csrf_token", token));
    let r = browser(with_token).await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    // A program posting the form itself (no browser headers) needs no token.
    let r = http.post(&url).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
}
