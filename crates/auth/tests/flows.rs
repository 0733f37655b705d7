//! The sign-in flows against a real local host (its own authority) over HTTP:
//! device code, authorization code + PKCE with reqwest as the browser, silent
//! refresh with rotation.

use std::sync::Arc;
use std::time::Duration;

use ferry_auth::{
    device, pkce, MemoryStore, Secret, SignInConfig, SignInError, SignedIn, TokenStore,
};
use ferry_host::{AuthMode, Host, HostConfig, IdentityConfig, RunningHost};

async fn host(identity: IdentityConfig) -> (RunningHost, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = HostConfig::new(dir.path());
    config.auth = Some(AuthMode::Strict);
    config.identity = identity;
    (Host::start(config).await.unwrap(), dir)
}

fn fast() -> IdentityConfig {
    IdentityConfig {
        poll_interval: Duration::from_secs(1),
        ..IdentityConfig::default()
    }
}

fn config(host: &RunningHost) -> SignInConfig {
    let kind = ferry_auth::HostKind::of(host.base_url()).unwrap();
    SignInConfig::for_host(&kind.authority(None), "ferry-test", host.base_url())
}

async fn who_am_i(host: &RunningHost, token: &str) -> reqwest::StatusCode {
    reqwest::Client::new()
        .get(format!("{}/WhoAmI", host.api_url()))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn device_code_waits_for_approval_then_signs_in() {
    let (host, _dir) = host(fast()).await;
    let config = config(&host);
    let code = device::start(&config).await.unwrap();
    assert!(code.message.contains(&code.user_code), "{}", code.message);
    assert_eq!(
        code.verification_uri,
        format!("{}/devicelogin", host.base_url())
    );
    let approve = async {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        host.approve_device_code(&code.user_code, "mona").unwrap()
    };
    let (tokens, upn) = tokio::join!(device::wait(&config, &code), approve);
    let tokens = tokens.unwrap();
    assert_eq!(upn, "mona@contoso.example");
    assert_eq!(tokens.account, "mona@contoso.example");
    let access = tokens.access_token.clone().unwrap();
    assert_eq!(
        who_am_i(&host, access.expose()).await,
        reqwest::StatusCode::OK
    );

    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::default());
    let signed_in = SignedIn::new(store.clone(), "local", config);
    signed_in.save(&tokens).unwrap();
    // Fresh enough: no refresh, the same token.
    assert_eq!(signed_in.access_token().await.unwrap(), access);
    signed_in.sign_out().unwrap();
    assert!(matches!(
        signed_in.access_token().await,
        Err(SignInError::NotSignedIn(_))
    ));
}

#[tokio::test]
async fn declined_and_expired_device_codes_say_so() {
    let (host, _dir) = host(fast()).await;
    let config = config(&host);
    let code = device::start(&config).await.unwrap();
    let decline = reqwest::Client::new()
        .post(&code.verification_uri)
        .form(&[("code", code.user_code.as_str()), ("action", "decline")])
        .send()
        .await
        .unwrap();
    assert!(decline.status().is_success());
    assert_eq!(
        device::wait(&config, &code).await.unwrap_err(),
        SignInError::Declined
    );

    let (short, _dir2) = host_with_expiry().await;
    let config = self::config(&short);
    let code = device::start(&config).await.unwrap();
    assert_eq!(
        device::wait(&config, &code).await.unwrap_err(),
        SignInError::Expired
    );
}

async fn host_with_expiry() -> (RunningHost, tempfile::TempDir) {
    host(IdentityConfig {
        device_code_lifetime: Duration::ZERO,
        ..fast()
    })
    .await
}

/// Plays the browser: submits the host's sign-in page as `user`, follows the
/// redirect to the app's loopback listener.
async fn browser(url: String, user: &str) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http.get(&url).send().await.unwrap();
    assert!(page.status().is_success(), "{}", page.text().await.unwrap());
    let parsed = url::Url::parse(&url).unwrap();
    let mut form: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
    form.push(("user".into(), user.into()));
    form.push(("action".into(), "accept".into()));
    let base = format!("{}{}", &url[..url.find('?').unwrap()], "");
    let r = http.post(base).form(&form).send().await.unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::FOUND);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("http://127.0.0.1:"), "{location}");
    let done = http.get(location).send().await.unwrap();
    assert!(done.text().await.unwrap().contains("close this window"));
}

#[tokio::test]
async fn pkce_on_a_loopback_redirect_signs_in() {
    let (host, _dir) = host(fast()).await;
    let config = config(&host);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let open = move |url: &str| {
        tx.send(url.to_string()).unwrap();
    };
    let drive = async {
        let url = rx.await.unwrap();
        assert!(url.contains("code_challenge_method=S256"), "{url}");
        browser(url, "pat").await;
    };
    let (tokens, ()) = tokio::join!(pkce::sign_in(&config, open, Duration::from_secs(20)), drive);
    let tokens = tokens.unwrap();
    assert_eq!(tokens.account, "pat@contoso.example");
    assert!(!tokens.refresh_token.expose().is_empty());
    assert_eq!(
        who_am_i(&host, tokens.access_token.unwrap().expose()).await,
        reqwest::StatusCode::OK
    );
}

#[tokio::test]
async fn an_expiring_token_is_refreshed_and_the_rotated_refresh_token_saved() {
    let (host, _dir) = host(fast()).await;
    let config = config(&host);
    let code = device::start(&config).await.unwrap();
    host.approve_device_code(&code.user_code, "mona").unwrap();
    let mut tokens = device::wait(&config, &code).await.unwrap();
    let old_refresh = tokens.refresh_token.clone();
    let old_access = tokens.access_token.clone().unwrap();
    // Pretend it expires within the refresh margin.
    tokens.expires_at = Some(tokens.expires_at.unwrap() - 3600 + 60);
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::default());
    let signed_in = Arc::new(SignedIn::new(store.clone(), "local", config.clone()));
    signed_in.save(&tokens).unwrap();
    // Two callers at once: one refresh, both get the new token.
    let (a, b) = tokio::join!(signed_in.access_token(), signed_in.access_token());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a, b);
    assert_ne!(a, old_access);
    let saved = store.load("local").unwrap().unwrap();
    assert_ne!(
        saved.refresh_token, old_refresh,
        "the rotated refresh token is saved"
    );
    assert_eq!(saved.account, "mona@contoso.example");
    assert_eq!(who_am_i(&host, a.expose()).await, reqwest::StatusCode::OK);

    // The old refresh token is refused now: a store holding it must sign in again.
    let stale = SignedIn::new(Arc::new(MemoryStore::default()), "stale", config);
    stale
        .save(&ferry_auth::StoredTokens {
            account: "mona@contoso.example".into(),
            refresh_token: old_refresh,
            access_token: Some(Secret::new("expired")),
            expires_at: Some(0),
        })
        .unwrap();
    let err = stale.access_token().await.unwrap_err();
    assert!(matches!(err, SignInError::SignInAgain(_)), "{err}");
    assert!(err.to_string().contains("sign in again"), "{err}");
}

/// A store that counts the profiles it was asked to save under.
#[derive(Default)]
struct CountingStore {
    inner: MemoryStore,
    keys: std::sync::Mutex<std::collections::BTreeSet<String>>,
    saves: std::sync::atomic::AtomicUsize,
}

impl TokenStore for CountingStore {
    fn load(
        &self,
        profile: &str,
    ) -> Result<Option<ferry_auth::StoredTokens>, ferry_auth::StoreError> {
        self.inner.load(profile)
    }

    fn save(
        &self,
        profile: &str,
        tokens: &ferry_auth::StoredTokens,
    ) -> Result<(), ferry_auth::StoreError> {
        self.keys.lock().unwrap().insert(profile.to_string());
        self.saves.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.save(profile, tokens)
    }

    fn clear(&self, profile: &str) -> Result<(), ferry_auth::StoreError> {
        self.inner.clear(profile)
    }
}

/// A JWT's `aud`, read without verifying.
fn audience(jwt: &Secret) -> String {
    use base64::Engine as _;
    let payload = jwt.expose().split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    claims["aud"].as_str().unwrap().to_string()
}

async fn signed_in_as_mona(host: &RunningHost) -> (Arc<CountingStore>, SignedIn) {
    let config = config(host);
    let code = device::start(&config).await.unwrap();
    host.approve_device_code(&code.user_code, "mona").unwrap();
    let tokens = device::wait(&config, &code).await.unwrap();
    let store = Arc::new(CountingStore::default());
    let signed_in = SignedIn::new(store.clone(), "local", config);
    signed_in.save(&tokens).unwrap();
    (store, signed_in)
}

#[tokio::test]
async fn one_sign_in_gives_a_token_per_audience_and_keeps_one_refresh_token() {
    let (host, _dir) = host(fast()).await;
    let (store, signed_in) = signed_in_as_mona(&host).await;
    let host_token = signed_in.access_token().await.unwrap();
    let dev_url = format!("{}/environments/dev", host.base_url());
    let before = store.load("local").unwrap().unwrap();

    let dev_token = signed_in.access_token_for(&dev_url).await.unwrap();
    assert_ne!(audience(&dev_token), audience(&host_token));
    assert!(ferry_auth::account_of(dev_token.expose()).is_some());
    assert!(
        audience(&dev_token)
            .trim_end_matches('/')
            .ends_with("/environments/dev"),
        "{}",
        audience(&dev_token)
    );
    // The dev environment's Web API takes it.
    let dev_api = reqwest::Client::new()
        .get(format!("{dev_url}/api/data/v9.2/solutions"))
        .bearer_auth(dev_token.expose())
        .send()
        .await
        .unwrap();
    assert_eq!(dev_api.status(), reqwest::StatusCode::OK);

    // The refresh token rotated and was saved; the stored access token is still the host's.
    let after = store.load("local").unwrap().unwrap();
    assert_ne!(after.refresh_token, before.refresh_token);
    assert_eq!(after.access_token, before.access_token);
    assert_eq!(after.account, "mona@contoso.example");
    assert_eq!(
        store.keys.lock().unwrap().iter().collect::<Vec<_>>(),
        ["local"],
        "one keyring entry"
    );

    // Cached: no redeeming (and no save) the second time; the host's resource is the host token.
    let saves = store.saves.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        signed_in
            .access_token_for(&format!("{dev_url}/"))
            .await
            .unwrap(),
        dev_token
    );
    assert_eq!(
        signed_in
            .access_token_for(&format!("{}/", host.base_url()))
            .await
            .unwrap(),
        host_token
    );
    assert_eq!(store.saves.load(std::sync::atomic::Ordering::SeqCst), saves);
}

#[tokio::test]
async fn audiences_refreshed_at_once_never_lose_the_rotated_refresh_token() {
    let (host, _dir) = host(fast()).await;
    let (store, signed_in) = signed_in_as_mona(&host).await;
    // The host token is about to expire, so all three callers redeem.
    let mut stored = store.load("local").unwrap().unwrap();
    stored.expires_at = Some(0);
    signed_in.save(&stored).unwrap();
    let envs: Vec<String> = ["dev", "test", "prod"]
        .iter()
        .map(|e| format!("{}/environments/{e}", host.base_url()))
        .collect();
    let (host_token, a, b) = tokio::join!(
        signed_in.access_token(),
        signed_in.access_token_for(&envs[0]),
        signed_in.access_token_for(&envs[1]),
    );
    let (host_token, a, b) = (host_token.unwrap(), a.unwrap(), b.unwrap());
    assert_eq!(
        who_am_i(&host, host_token.expose()).await,
        reqwest::StatusCode::OK
    );
    let audiences = [audience(&host_token), audience(&a), audience(&b)];
    assert_ne!(audiences[0], audiences[1]);
    assert_ne!(audiences[1], audiences[2]);
    // Had two redemptions used the same refresh token, the host would have
    // refused one, and the saved token would be a spent one.
    let c = signed_in.access_token_for(&envs[2]).await.unwrap();
    assert!(
        audience(&c).contains("/environments/prod"),
        "{}",
        audience(&c)
    );
    let fresh = signed_in.refreshed().await.unwrap();
    assert!(fresh.access_token.is_some());
}

#[tokio::test]
async fn a_resource_the_authority_does_not_serve_is_refused() {
    let (host, _dir) = host(fast()).await;
    let (_store, signed_in) = signed_in_as_mona(&host).await;
    let err = signed_in
        .access_token_for("https://globaldisco.crm.dynamics.com")
        .await
        .unwrap_err();
    assert!(matches!(err, SignInError::Refused(_)), "{err}");
    // Said as what it means (the host answers AADSTS500011, as Entra does).
    assert!(err.to_string().contains("AADSTS500011"), "{err}");
    assert!(err.to_string().contains("no such service"), "{err}");
}

#[tokio::test]
async fn the_local_hosts_table_names_services_that_take_their_own_tokens() {
    let (host, _dir) = host(fast()).await;
    let table = ferry_auth::fetch_local_table(host.base_url())
        .await
        .unwrap();
    assert_eq!(table.cloud, ferry_auth::Cloud::Local);
    assert_eq!(table.authority(None), host.authority());
    let (store, signed_in) = signed_in_as_mona(&host).await;
    let host_token = signed_in.access_token().await.unwrap();
    let gds = table.gds().unwrap();
    let gds_token = signed_in.access_token_for(&gds.audience).await.unwrap();
    let bap = table.bap().unwrap();
    let bap_token = signed_in.access_token_for(&bap.audience).await.unwrap();
    assert_ne!(audience(&gds_token), audience(&host_token));
    assert_ne!(audience(&bap_token), audience(&gds_token));

    let get = |url: String, token: Secret| async move {
        reqwest::Client::new()
            .get(url)
            .bearer_auth(token.expose())
            .send()
            .await
            .unwrap()
            .status()
    };
    let instances = format!("{}/api/discovery/v2.0/Instances", gds.base);
    assert_eq!(
        get(instances.clone(), gds_token).await,
        reqwest::StatusCode::OK
    );
    assert_eq!(
        get(instances, host_token.clone()).await,
        reqwest::StatusCode::UNAUTHORIZED,
        "a Dataverse token does not open GDS"
    );
    let environments = format!(
        "{}/providers/Microsoft.BusinessAppPlatform/environments?api-version=2020-10-01",
        bap.base
    );
    assert_eq!(
        get(environments.clone(), bap_token).await,
        reqwest::StatusCode::OK
    );
    assert_eq!(
        get(environments, host_token).await,
        reqwest::StatusCode::UNAUTHORIZED
    );
    assert_eq!(store.keys.lock().unwrap().len(), 1, "one keyring entry");
}

#[tokio::test]
async fn two_sessions_of_one_profile_share_the_refresh_lock() {
    let (host, _dir) = host(fast()).await;
    let (store, first) = signed_in_as_mona(&host).await;
    // A second object for the same profile and store, as a caller building one per operation would.
    let second = SignedIn::new(store.clone(), "local", config(&host));
    let env = |name: &str| format!("{}/environments/{name}", host.base_url());
    let (dev, test) = (env("dev"), env("test"));
    let (a, b) = tokio::join!(first.access_token_for(&dev), second.access_token_for(&test));
    a.unwrap();
    b.unwrap();
    first.access_token_for(&env("prod")).await.unwrap();
}

/// A store whose entry is removed right after the next read: a sign-out that lands
/// while a refresh is on the wire.
struct SignOutDuringRefresh {
    inner: Arc<CountingStore>,
    armed: std::sync::atomic::AtomicBool,
}

impl TokenStore for SignOutDuringRefresh {
    fn load(
        &self,
        profile: &str,
    ) -> Result<Option<ferry_auth::StoredTokens>, ferry_auth::StoreError> {
        let read = self.inner.load(profile);
        if self.armed.swap(false, std::sync::atomic::Ordering::SeqCst) {
            self.inner.clear(profile)?;
        }
        read
    }

    fn save(
        &self,
        profile: &str,
        tokens: &ferry_auth::StoredTokens,
    ) -> Result<(), ferry_auth::StoreError> {
        self.inner.save(profile, tokens)
    }

    fn clear(&self, profile: &str) -> Result<(), ferry_auth::StoreError> {
        self.inner.clear(profile)
    }
}

#[tokio::test]
async fn a_sign_out_during_a_refresh_is_not_undone_by_it() {
    let (host, _dir) = host(fast()).await;
    let (store, _) = signed_in_as_mona(&host).await;
    let racing = Arc::new(SignOutDuringRefresh {
        inner: store.clone(),
        armed: std::sync::atomic::AtomicBool::new(true),
    });
    let signed_in = SignedIn::new(racing, "local", config(&host));
    let dev_url = format!("{}/environments/dev", host.base_url());
    let err = signed_in
        .access_token_for(&dev_url)
        .await
        .expect_err("signed out meanwhile");
    assert!(
        matches!(err, ferry_auth::SignInError::NotSignedIn(_)),
        "{err:?}"
    );
    assert_eq!(
        store.load("local").unwrap(),
        None,
        "the refresh brought the sign-in back"
    );
}

/// A store in which another session of the profile signs out (on its own thread,
/// as the app's sign-out command does) while a refresh checks that its sign-in is
/// still there, before it saves: the moment between that read and that write.
struct SignOutBetweenCheckAndSave {
    inner: Arc<CountingStore>,
    loads: std::sync::atomic::AtomicUsize,
    other: std::sync::Mutex<Option<SignedIn>>,
    signing_out: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl TokenStore for SignOutBetweenCheckAndSave {
    fn load(
        &self,
        profile: &str,
    ) -> Result<Option<ferry_auth::StoredTokens>, ferry_auth::StoreError> {
        let read = self.inner.load(profile);
        // The first read takes the refresh token; the second decides the save.
        if self.loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 1 {
            let other = self.other.lock().unwrap().take().unwrap();
            let (done, finished) = std::sync::mpsc::channel();
            let thread = std::thread::spawn(move || {
                other.sign_out().unwrap();
                done.send(()).ok();
            });
            // Give the sign-out every chance to land before the save.
            let _ = finished.recv_timeout(Duration::from_millis(300));
            *self.signing_out.lock().unwrap() = Some(thread);
        }
        read
    }

    fn save(
        &self,
        profile: &str,
        tokens: &ferry_auth::StoredTokens,
    ) -> Result<(), ferry_auth::StoreError> {
        self.inner.save(profile, tokens)
    }

    fn clear(&self, profile: &str) -> Result<(), ferry_auth::StoreError> {
        self.inner.clear(profile)
    }
}

#[tokio::test]
async fn a_sign_out_between_a_refreshs_check_and_its_save_still_signs_out() {
    let (host, _dir) = host(fast()).await;
    let (store, _) = signed_in_as_mona(&host).await;
    let racing = Arc::new(SignOutBetweenCheckAndSave {
        inner: store.clone(),
        loads: Default::default(),
        other: std::sync::Mutex::new(Some(SignedIn::new(store.clone(), "local", config(&host)))),
        signing_out: Default::default(),
    });
    let signed_in = SignedIn::new(racing.clone(), "local", config(&host));
    let dev_url = format!("{}/environments/dev", host.base_url());
    // Whether the refresh keeps its token or not, the sign-out must win.
    let _ = signed_in.access_token_for(&dev_url).await;
    let thread = racing.signing_out.lock().unwrap().take();
    thread.expect("the sign-out ran").join().unwrap();
    assert_eq!(
        store.load("local").unwrap(),
        None,
        "the refresh saved its tokens after the sign-out: the maker is still signed in"
    );
}
