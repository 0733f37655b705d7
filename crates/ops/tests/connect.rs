//! First contact with a tenant, against a strict local host serving the demo
//! tenant: sign in once, pick the development environment by its name from the
//! environment list, and Ferry finds the pipelines host by the chain of spec §1
//! — each org and tenant service with a token of its own audience. Each way the
//! tenant can be unready is one sentence naming who fixes it.

use std::sync::Mutex;
use std::time::Duration;

use ferry_auth::MemoryStore;
use ferry_host::{AuthMode, Host, HostConfig, IdentityConfig, RunningHost, Scenario};
use ferry_ops::{
    CloudSignIn, DeviceCodePrompt, Engine, EngineOptions, OpsError, SignInMethod, SignInPrompt,
    TokenStorage,
};

/// Approves each device code on the host's page, like a person with a browser.
struct ApproveAs {
    user: &'static str,
    shown: Mutex<usize>,
}

impl SignInPrompt for ApproveAs {
    fn device_code(&self, prompt: &DeviceCodePrompt) {
        *self.shown.lock().unwrap() += 1;
        let (uri, code, user) = (
            prompt.verification_uri.clone(),
            prompt.user_code.clone(),
            self.user,
        );
        tokio::spawn(async move {
            let r = reqwest::Client::new()
                .post(uri)
                .form(&[
                    ("code", code.as_str()),
                    ("user", user),
                    ("action", "approve"),
                ])
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success());
        });
    }

    fn open_browser(&self, url: &str) {
        panic!("no browser in this test: {url}");
    }
}

async fn strict_host(dir: &std::path::Path, scenario: Scenario) -> RunningHost {
    let mut config = HostConfig::new(dir);
    config.scenario = scenario;
    config.auth = Some(AuthMode::Strict);
    config.identity = IdentityConfig {
        poll_interval: Duration::from_millis(200),
        ..IdentityConfig::default()
    };
    Host::start(config).await.unwrap()
}

struct Tenant {
    _host_dir: tempfile::TempDir,
    host: RunningHost,
    data: tempfile::TempDir,
    store: std::sync::Arc<MemoryStore>,
}

impl Tenant {
    async fn new() -> Tenant {
        Tenant::with(Scenario::demo()).await
    }

    async fn with(scenario: Scenario) -> Tenant {
        let host_dir = tempfile::tempdir().unwrap();
        let host = strict_host(host_dir.path(), scenario).await;
        Tenant {
            _host_dir: host_dir,
            host,
            data: tempfile::tempdir().unwrap(),
            store: Default::default(),
        }
    }

    fn engine(&self) -> Engine {
        let mut o = EngineOptions::new(self.data.path());
        o.tokens = TokenStorage::Memory(self.store.clone());
        o.client.max_retries = 0;
        Engine::open(o).unwrap()
    }

    /// The sign-in a connection file naming the local cloud gives.
    fn sign_in(&self) -> CloudSignIn {
        CloudSignIn {
            cloud: Some("local".into()),
            tenant: None,
            client_id: None,
            method: SignInMethod::DeviceCode,
            environment: Some(format!("{}/environments/dev", self.host.base_url())),
            ca_file: None,
            allow_insecure_http: None,
        }
    }

    async fn signed_in(&self) -> Engine {
        self.signed_in_as("mona").await
    }

    async fn signed_in_as(&self, user: &'static str) -> Engine {
        let engine = self.engine();
        let prompt = ApproveAs {
            user,
            shown: Mutex::new(0),
        };
        let account = engine
            .sign_in_to_cloud(&self.sign_in(), &prompt)
            .await
            .unwrap();
        assert_eq!(account.account, format!("{user}@contoso.example"));
        assert_eq!(*prompt.shown.lock().unwrap(), 1);
        engine
    }
}

#[tokio::test]
async fn a_maker_picks_the_environment_by_name_and_ferry_finds_the_host() {
    let t = Tenant::new().await;
    let engine = t.signed_in().await;

    let envs = engine.cloud_environments(&t.sign_in()).await.unwrap();
    let names: Vec<&str> = envs.iter().map(|e| e.name.as_str()).collect();
    assert!(
        names.contains(&"Contoso Dev") && names.contains(&"Contoso HR Dev"),
        "{names:?}"
    );
    let dev = envs.iter().find(|e| e.name == "Contoso Dev").unwrap();
    assert_ne!(
        dev.environment_id, dev.organization_id,
        "BAP id is not the org id"
    );

    let profile = engine
        .connect_environment(&t.sign_in(), "contoso dev")
        .await
        .unwrap();
    assert_eq!(profile.id, "contoso-dev");
    assert!(profile.active);
    assert_eq!(profile.host_url, t.host.base_url());
    assert_eq!(profile.cloud.as_deref(), Some("local"));
    assert_eq!(profile.dev_environment_name.as_deref(), Some("Contoso Dev"));
    let how = profile.host_found.unwrap();
    assert!(how.contains("ProjectHostEnvironmentId"), "{how}");

    // The profile works: the host with the host's token, the dev environment
    // with its own (the strict host refuses anything else).
    let engine = t.engine();
    assert_eq!(engine.profile().id, "contoso-dev");
    let pipelines = engine.pipelines(None).await.unwrap();
    assert!(
        pipelines.iter().any(|p| p.name == "Contoso Release"),
        "{pipelines:?}"
    );
    let solutions = engine.solutions().await.unwrap();
    assert!(solutions.iter().any(|s| s.unique_name == "ContosoCore"));
    // One refresh token for the whole sign-in.
    assert_eq!(t.store.len(), 1);
}

#[tokio::test]
async fn an_environment_on_another_host_is_found_through_its_binding() {
    let t = Tenant::new().await;
    let engine = t.signed_in().await;
    let profile = engine
        .connect_environment(&t.sign_in(), "Contoso HR Dev")
        .await
        .unwrap();
    assert_eq!(
        profile.host_url,
        format!("{}/environments/hr-host", t.host.base_url())
    );
    let engine = t.engine();
    let pipelines = engine.pipelines(None).await.unwrap();
    assert_eq!(
        pipelines
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["HR Release"]
    );
}

#[tokio::test]
async fn each_unready_environment_is_one_sentence_naming_who_fixes_it() {
    let t = Tenant::new().await;
    let engine = t.signed_in().await;
    for (env, says) in [
        ("Contoso Sandbox", "is not bound to a pipelines host"),
        ("Contoso New Dev", "is not bound to a pipelines host"),
        ("Contoso QA", "as a Target environment"),
        ("Contoso Lab", "no pipeline you can use deploys from it"),
    ] {
        let err = engine
            .connect_environment(&t.sign_in(), env)
            .await
            .expect_err(env);
        assert!(matches!(err, OpsError::NotSetUp(_)), "{env}: {err:?}");
        let msg = err.to_string();
        assert!(msg.contains(says), "{env}: {msg}");
        assert!(msg.contains("admin"), "{env}: names who fixes it: {msg}");
    }
    let err = engine
        .connect_environment(&t.sign_in(), "Contoso Nowhere")
        .await
        .expect_err("unknown");
    assert!(err.to_string().contains("ferry env list"), "{err}");
    // Nothing was kept for the failures.
    assert_eq!(engine.profiles().unwrap().len(), 1);
}

#[tokio::test]
async fn the_platform_host_is_checked_against_the_tenant_s_default_custom_host() {
    // The first host is the tenant's platform host and the tenant names another host as
    // its default: only an admin can set that straight.
    let mut scenario = Scenario::demo();
    scenario.tenant.platform_host = true;
    scenario.tenant.default_custom_host = "hr-host".into();
    let t = Tenant::with(scenario).await;
    let engine = t.signed_in().await;
    let err = engine
        .connect_environment(&t.sign_in(), "Contoso Dev")
        .await
        .expect_err("misconfigured");
    let msg = err.to_string();
    assert!(
        matches!(err, OpsError::NotSetUp(_))
            && msg.contains("default custom host")
            && msg.contains("admin"),
        "{msg}"
    );

    // Without a default, the platform host is used and the profile says so.
    let mut scenario = Scenario::demo();
    scenario.tenant.platform_host = true;
    let t = Tenant::with(scenario).await;
    let engine = t.signed_in().await;
    let profile = engine
        .connect_environment(&t.sign_in(), "Contoso Dev")
        .await
        .unwrap();
    assert!(
        profile.host_found.unwrap().contains("platform host"),
        "says how it was found"
    );
}

#[tokio::test]
async fn an_account_that_cannot_read_the_host_is_told_to_ask_for_access() {
    // Nina is in the tenant but holds no role on the pipelines host.
    let mut scenario = Scenario::demo();
    scenario.users.push(ferry_host::scenario::UserSpec {
        name: "Nina Newcomer".into(),
        upn: "nina@contoso.example".into(),
        roles: Vec::new(),
    });
    let t = Tenant::with(scenario).await;
    let engine = t.signed_in_as("nina").await;
    let err = engine
        .connect_environment(&t.sign_in(), "Contoso Dev")
        .await
        .expect_err("no access");
    let msg = err.to_string();
    assert!(
        msg.contains("your account cannot read") && msg.contains("ask an admin"),
        "{msg}"
    );
}

#[tokio::test]
async fn environments_switch_within_one_sign_in_and_profiles_are_removed_with_their_tokens() {
    let t = Tenant::new().await;
    let engine = t.signed_in().await;
    engine
        .connect_environment(&t.sign_in(), "Contoso Dev")
        .await
        .unwrap();
    let engine = t.engine();
    let listed = engine.environments().await.unwrap();
    assert!(listed.iter().any(|e| e.current && e.name == "Contoso Dev"));
    let hr = engine.use_environment("Contoso HR Dev").await.unwrap();
    assert_eq!(hr.id, "contoso-hr-dev");
    assert_eq!(t.engine().profile().id, "contoso-hr-dev");
    // Both share the one sign-in.
    assert_eq!(t.store.len(), 1);

    let removed = t.engine().remove_profile("contoso-dev").unwrap();
    assert!(!removed.tokens_deleted, "still used by contoso-hr-dev");
    assert_eq!(t.store.len(), 1);
    let removed = t.engine().remove_profile("contoso-hr-dev").unwrap();
    assert!(removed.tokens_deleted);
    assert_eq!(removed.active, "sandbox");
    assert_eq!(t.store.len(), 0);
    let err = t.engine().remove_profile("Local sandbox").unwrap_err();
    assert!(err.to_string().contains("built in"), "{err}");
}

#[tokio::test]
async fn a_host_token_does_not_open_the_tenant_services() {
    // What the client must not do: reach a tenant service under the host's URL.
    let t = Tenant::new().await;
    let http = reqwest::Client::new();
    for path in [
        "/providers/Microsoft.BusinessAppPlatform/environments?api-version=2020-10-01",
        "/providers/Microsoft.PowerApps/connections?api-version=2016-11-01",
        "/api/discovery/v2.0/Instances",
    ] {
        let status = http
            .get(format!("{}{path}", t.host.base_url()))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, reqwest::StatusCode::NOT_FOUND, "{path}");
    }
}
