//! Profiles sign in for real: a profile for a local host in strict mode signs
//! in with a device code (approved as a person would, on the host), works with
//! the stored tokens, and after sign-out asks to sign in again. The Local
//! sandbox signs in by itself as the demo maker.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ferry_host::{AuthMode, Host, HostConfig, IdentityConfig};
use ferry_ops::{
    DeviceCodePrompt, Engine, EngineOptions, NewProfile, OpsError, SignInMethod, SignInPrompt,
    TokenStorage,
};

/// Approves each device code on the host's page, like a person with a browser.
struct ApproveAs {
    user: &'static str,
    shown: Mutex<Vec<DeviceCodePrompt>>,
}

impl SignInPrompt for ApproveAs {
    fn device_code(&self, prompt: &DeviceCodePrompt) {
        self.shown.lock().unwrap().push(prompt.clone());
        let (uri, code, user) = (
            prompt.verification_uri.clone(),
            prompt.user_code.clone(),
            self.user,
        );
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
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

fn options(dir: &std::path::Path, tokens: &TokenStorage) -> EngineOptions {
    let mut o = EngineOptions::new(dir);
    o.tokens = tokens.clone();
    o.client.max_retries = 0;
    o
}

#[tokio::test]
async fn a_profile_signs_in_works_and_signs_out() {
    let host_dir = tempfile::tempdir().unwrap();
    let mut config = HostConfig::new(host_dir.path());
    config.auth = Some(AuthMode::Strict);
    config.identity = IdentityConfig {
        poll_interval: Duration::from_secs(1),
        ..IdentityConfig::default()
    };
    let host = Host::start(config).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let tokens = TokenStorage::Memory(Default::default());
    let engine = Engine::open(options(data.path(), &tokens)).unwrap();
    let added = engine
        .add_profile(&NewProfile {
            id: "local".into(),
            host_url: host.base_url().into(),
            dev_environment: "dev".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        added.authority,
        format!("{}/organizations", host.base_url())
    );
    engine.use_profile("local").unwrap();

    let engine = Engine::open(options(data.path(), &tokens)).unwrap();
    assert_eq!(engine.account().await.unwrap(), None);
    let err = engine.pipelines(None).await.unwrap_err();
    assert!(matches!(err, OpsError::NoToken(_)), "{err}");
    assert!(err.to_string().contains("ferry login"), "{err}");

    let prompt = ApproveAs {
        user: "mona",
        shown: Mutex::default(),
    };
    let account = engine
        .sign_in(SignInMethod::DeviceCode, &prompt)
        .await
        .unwrap();
    assert_eq!(account.account, "mona@contoso.example");
    assert_eq!(prompt.shown.lock().unwrap().len(), 1);

    // A new engine (a later CLI run) uses the stored tokens.
    let engine = Engine::open(options(data.path(), &tokens)).unwrap();
    assert_eq!(
        engine
            .account()
            .await
            .unwrap()
            .map(|a| a.account)
            .as_deref(),
        Some("mona@contoso.example")
    );
    assert!(!engine.pipelines(None).await.unwrap().is_empty());

    engine.sign_out().unwrap();
    engine.sign_out().unwrap();
    let engine = Engine::open(options(data.path(), &tokens)).unwrap();
    assert_eq!(engine.account().await.unwrap(), None);
    assert!(matches!(
        engine.pipelines(None).await.unwrap_err(),
        OpsError::NoToken(_)
    ));
}

#[tokio::test]
async fn the_sandbox_signs_in_as_the_demo_maker_without_prompting() {
    let data = tempfile::tempdir().unwrap();
    let tokens = TokenStorage::Memory(Default::default());
    let engine = Engine::open(options(data.path(), &tokens)).unwrap();
    let prompt = Arc::new(ApproveAs {
        user: "ade",
        shown: Mutex::default(),
    });
    let account = engine
        .sign_in(SignInMethod::DeviceCode, prompt.as_ref())
        .await
        .unwrap();
    assert_eq!(account.account, ferry_ops::SANDBOX_USER);
    assert!(
        prompt.shown.lock().unwrap().is_empty(),
        "no prompt for the sandbox"
    );
    assert_eq!(
        engine.account().await.unwrap().unwrap().account,
        ferry_ops::SANDBOX_USER
    );
}
