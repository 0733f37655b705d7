//! The host as identity provider, over real HTTP: device code, authorization
//! code + PKCE, refresh rotation, the JWKS, and strict-mode 401 challenges.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use ferry_host::{AuthMode, Host, HostConfig, IdentityConfig, RunningHost, Scenario};
use reqwest::StatusCode;
use serde_json::Value;

const CLIENT: &str = "ferry-test-client";

struct Idp {
    host: Option<RunningHost>,
    base: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

fn config(dir: &std::path::Path, auth: AuthMode, identity: IdentityConfig) -> HostConfig {
    let mut c = HostConfig::new(dir);
    c.speed = common::TEST_SPEED;
    c.auth = Some(auth);
    c.identity = identity;
    c
}

fn fast() -> IdentityConfig {
    IdentityConfig {
        poll_interval: Duration::from_secs(1),
        ..IdentityConfig::default()
    }
}

async fn start(auth: AuthMode, identity: IdentityConfig) -> Idp {
    let dir = tempfile::tempdir().unwrap();
    let host = Host::start(config(dir.path(), auth, identity))
        .await
        .unwrap();
    Idp {
        base: host.base_url().to_string(),
        host: Some(host),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        _dir: dir,
    }
}

impl Idp {
    fn host(&self) -> &RunningHost {
        self.host.as_ref().unwrap()
    }

    fn scope(&self) -> String {
        format!("{}/.default offline_access openid profile", self.base)
    }

    async fn form(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    async fn device_code(&self, scope: &str) -> Value {
        let (s, body) = self
            .form(
                "/organizations/oauth2/v2.0/devicecode",
                &[("client_id", CLIENT), ("scope", scope)],
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body
    }

    async fn poll(&self, device_code: &str) -> (StatusCode, Value) {
        self.form(
            "/organizations/oauth2/v2.0/token",
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", CLIENT),
                ("device_code", device_code),
            ],
        )
        .await
    }

    /// The device-code page, as a person would submit it.
    async fn decide(&self, user_code: &str, user: &str, action: &str) -> StatusCode {
        self.http
            .post(format!("{}/devicelogin", self.base))
            .form(&[("code", user_code), ("user", user), ("action", action)])
            .send()
            .await
            .unwrap()
            .status()
    }

    /// A full device-code sign-in as `user`; returns the token response.
    async fn sign_in(&self, scope: &str, user: &str) -> Value {
        let dc = self.device_code(scope).await;
        let code = dc["user_code"].as_str().unwrap();
        assert_eq!(self.decide(code, user, "approve").await, StatusCode::OK);
        let (s, tokens) = self.poll(dc["device_code"].as_str().unwrap()).await;
        assert_eq!(s, StatusCode::OK, "{tokens}");
        tokens
    }

    async fn who_am_i(&self, api: &str, token: Option<&str>) -> reqwest::Response {
        let mut rb = self.http.get(format!("{}{api}/WhoAmI", self.base));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        rb.send().await.unwrap()
    }
}

fn mona_id() -> String {
    ferry_host::scenario::derived_id("user", "mona@contoso.example")
}

#[tokio::test]
async fn device_code_pending_then_approved_gives_a_token_for_mona() {
    let idp = start(AuthMode::Strict, fast()).await;
    let dc = idp.device_code(&idp.scope()).await;
    for key in ["device_code", "user_code", "verification_uri", "message"] {
        assert!(
            dc[key].as_str().is_some_and(|s| !s.is_empty()),
            "{key}: {dc}"
        );
    }
    assert_eq!(dc["interval"], 1);
    assert_eq!(dc["expires_in"], 900);
    assert_eq!(dc["verification_uri"], format!("{}/devicelogin", idp.base));
    let device = dc["device_code"].as_str().unwrap();
    let (s, body) = idp.poll(device).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "authorization_pending", "{body}");
    assert!(body["error_codes"][0].as_u64().is_some(), "{body}");
    // Polling again at once is too fast.
    let (_, body) = idp.poll(device).await;
    assert_eq!(body["error"], "slow_down", "{body}");

    let page = idp
        .http
        .get(format!("{}/devicelogin", idp.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("mona@contoso.example"), "{page}");
    assert_eq!(
        idp.decide("WRONGCODE", "mona", "approve").await,
        StatusCode::BAD_REQUEST
    );
    let user_code = dc["user_code"].as_str().unwrap().to_ascii_lowercase();
    assert_eq!(
        idp.decide(&user_code, "mona", "approve").await,
        StatusCode::OK
    );
    let (s, tokens) = idp.poll(device).await;
    assert_eq!(s, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    assert!(tokens["refresh_token"].is_string() && tokens["id_token"].is_string());
    let access = tokens["access_token"].as_str().unwrap();
    let r = idp.who_am_i("/api/data/v9.2", Some(access)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let claims = ferry_host::caller::jwt_claims(access).unwrap();
    assert_eq!(claims["oid"], mona_id());
    // The device code works once.
    let (_, again) = idp.poll(device).await;
    assert_eq!(again["error"], "invalid_grant", "{again}");
    let (_, unknown) = idp.poll("no-such-code").await;
    assert_eq!(unknown["error"], "bad_verification_code", "{unknown}");
}

#[tokio::test]
async fn the_jwks_verifies_the_access_token_and_its_claims() {
    let idp = start(AuthMode::Strict, fast()).await;
    let tokens = idp.sign_in(&idp.scope(), "mona").await;
    let access = tokens["access_token"].as_str().unwrap();
    let tenant = idp.host().tenant_id().to_string();
    let config: Value = idp
        .http
        .get(format!(
            "{}/{tenant}/v2.0/.well-known/openid-configuration",
            idp.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwks: jsonwebtoken::jwk::JwkSet = idp
        .http
        .get(config["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = jsonwebtoken::decode_header(access).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
    let jwk = jwks
        .find(header.kid.as_deref().unwrap())
        .expect("kid in JWKS");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[idp.base.as_str()]);
    validation.set_issuer(&[config["issuer"].as_str().unwrap()]);
    let claims = jsonwebtoken::decode::<HashMap<String, Value>>(access, &key, &validation)
        .unwrap()
        .claims;
    assert_eq!(claims["upn"], "mona@contoso.example");
    assert_eq!(claims["name"], "Mona Maker");
    assert_eq!(claims["oid"], mona_id());
    assert_eq!(claims["tid"], tenant.as_str());
    assert_eq!(claims["appid"], CLIENT);
    assert_eq!(claims["azp"], CLIENT);
    assert_eq!(claims["scp"], "user_impersonation");
    assert_eq!(claims["roles"], serde_json::json!(["maker"]));
    let (iat, exp) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
    );
    assert_eq!(exp - iat, 3600);
    // A key from another host does not verify it.
    let other = start(AuthMode::Strict, fast()).await;
    let other_jwks: jsonwebtoken::jwk::JwkSet = other
        .http
        .get(format!("{}/organizations/discovery/v2.0/keys", other.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let other_key = jsonwebtoken::DecodingKey::from_jwk(&other_jwks.keys[0]).unwrap();
    assert!(
        jsonwebtoken::decode::<HashMap<String, Value>>(access, &other_key, &validation).is_err()
    );
    // Unknown tenants are refused.
    let r = idp
        .http
        .get(format!("{}/not-a-tenant/discovery/v2.0/keys", idp.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_declined_or_expired_device_code_gives_no_token() {
    let idp = start(AuthMode::Strict, fast()).await;
    let dc = idp.device_code(&idp.scope()).await;
    let code = dc["user_code"].as_str().unwrap();
    assert_eq!(idp.decide(code, "mona", "decline").await, StatusCode::OK);
    let (s, body) = idp.poll(dc["device_code"].as_str().unwrap()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "authorization_declined", "{body}");
    // Declined is final: approving afterwards is refused.
    assert_eq!(
        idp.decide(code, "mona", "approve").await,
        StatusCode::BAD_REQUEST
    );

    let expiring = start(
        AuthMode::Strict,
        IdentityConfig {
            device_code_lifetime: Duration::ZERO,
            ..fast()
        },
    )
    .await;
    let dc = expiring.device_code(&expiring.scope()).await;
    assert_eq!(
        expiring
            .decide(dc["user_code"].as_str().unwrap(), "mona", "approve")
            .await,
        StatusCode::BAD_REQUEST
    );
    let (_, body) = expiring.poll(dc["device_code"].as_str().unwrap()).await;
    assert_eq!(body["error"], "expired_token", "{body}");
}

fn pkce_pair(verifier: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// Drives the sign-in page like a browser; returns the redirect's query.
async fn authorize(
    idp: &Idp,
    redirect: &str,
    challenge: &str,
    user: &str,
) -> HashMap<String, String> {
    let scope = idp.scope();
    let params = [
        ("client_id", CLIENT),
        ("response_type", "code"),
        ("redirect_uri", redirect),
        ("scope", scope.as_str()),
        ("state", "st-42"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ];
    let url = format!("{}/organizations/oauth2/v2.0/authorize", idp.base);
    let page = idp.http.get(&url).query(&params).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Mona Maker") && html.contains("<form"),
        "{html}"
    );
    let mut form: Vec<(&str, &str)> = params.to_vec();
    form.push(("user", user));
    form.push(("action", "accept"));
    let r = idp.http.post(&url).form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    // The port of the loopback redirect is the app's own (any port is accepted).
    assert!(location.starts_with(redirect), "{location}");
    url::Url::parse(&location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

#[tokio::test]
async fn pkce_authorization_code_end_to_end_refuses_a_wrong_verifier() {
    let idp = start(AuthMode::Strict, fast()).await;
    let verifier = "a-verifier-of-enough-length-0123456789-abcdefghijklmnop";
    let redirect = "http://127.0.0.1:53111/callback";
    let exchange = |code: String, verifier: String| {
        let idp = &idp;
        async move {
            idp.form(
                "/organizations/oauth2/v2.0/token",
                &[
                    ("grant_type", "authorization_code"),
                    ("client_id", CLIENT),
                    ("code", &code),
                    ("redirect_uri", "http://127.0.0.1:53111/callback"),
                    ("code_verifier", &verifier),
                ],
            )
            .await
        }
    };
    let q = authorize(&idp, redirect, &pkce_pair(verifier), "ade").await;
    assert_eq!(q["state"], "st-42");
    let (s, body) = exchange(
        q["code"].clone(),
        "the-wrong-verifier-0123456789-abcdefghijklmnop".into(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant", "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("Code_Verifier"),
        "{body}"
    );

    let q = authorize(&idp, redirect, &pkce_pair(verifier), "ade").await;
    let (s, tokens) = exchange(q["code"].clone(), verifier.into()).await;
    assert_eq!(s, StatusCode::OK, "{tokens}");
    let access = tokens["access_token"].as_str().unwrap();
    let r = idp.who_am_i("/api/data/v9.0", Some(access)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let claims = ferry_host::caller::jwt_claims(access).unwrap();
    assert_eq!(claims["upn"], "ade@contoso.example");
    assert_eq!(
        claims["oid"],
        ferry_host::scenario::derived_id("user", "ade@contoso.example")
    );
    // A code works once.
    let (_, again) = exchange(q["code"].clone(), verifier.into()).await;
    assert_eq!(again["error"], "invalid_grant", "{again}");

    // Only loopback redirect URIs.
    let r = idp
        .http
        .get(format!("{}/organizations/oauth2/v2.0/authorize", idp.base))
        .query(&[
            ("client_id", CLIENT),
            ("response_type", "code"),
            ("redirect_uri", "https://evil.example/cb"),
            ("scope", idp.scope().as_str()),
            ("code_challenge", "x"),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
}

async fn refresh(idp: &Idp, rt: &str) -> (StatusCode, Value) {
    idp.form(
        "/organizations/oauth2/v2.0/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT),
            ("refresh_token", rt),
        ],
    )
    .await
}

#[tokio::test]
async fn refresh_tokens_rotate_and_survive_a_restart() {
    let mut idp = start(AuthMode::Strict, fast()).await;
    let first = idp.sign_in(&idp.scope(), "mona").await;
    let old = first["refresh_token"].as_str().unwrap().to_string();
    let (s, second) = refresh(&idp, &old).await;
    assert_eq!(s, StatusCode::OK, "{second}");
    let new = second["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    let (s, body) = refresh(&idp, &old).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant", "{body}");

    // Restart on the same port and data: the newest refresh token still works.
    let port: u16 = idp.base.rsplit(':').next().unwrap().parse().unwrap();
    idp.host.take().unwrap().shutdown().await;
    let mut c = config(idp._dir.path(), AuthMode::Strict, fast());
    c.bind = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    idp.host = Some(Host::start(c).await.unwrap());
    let (s, third) = refresh(&idp, &new).await;
    assert_eq!(s, StatusCode::OK, "{third}");
    let r = idp
        .who_am_i("/api/data/v9.2", third["access_token"].as_str())
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

async fn refresh_for(idp: &Idp, rt: &str, client: &str, scope: &str) -> (StatusCode, Value) {
    idp.form(
        "/organizations/oauth2/v2.0/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", client),
            ("refresh_token", rt),
            ("scope", scope),
        ],
    )
    .await
}

/// Entra does not spend a refresh token on a refused request: a bad scope or another
/// client_id leaves it redeemable, so the user need not sign in again.
#[tokio::test]
async fn a_refused_refresh_does_not_spend_the_refresh_token() {
    let idp = start(AuthMode::Strict, fast()).await;
    let first = idp.sign_in(&idp.scope(), "mona").await;
    let rt = first["refresh_token"].as_str().unwrap().to_string();

    let (s, body) = refresh_for(&idp, &rt, CLIENT, "https://elsewhere.example/.default").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_resource", "{body}");
    let (s, body) = refresh_for(&idp, &rt, CLIENT, "offline_access").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_scope", "{body}");
    let (s, body) = refresh_for(&idp, &rt, "another-client", &idp.scope()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant", "{body}");

    // The same refresh token still works for a good scope, once.
    let dev_scope = format!("{}/environments/dev/.default offline_access", idp.base);
    let (s, dev) = refresh_for(&idp, &rt, CLIENT, &dev_scope).await;
    assert_eq!(s, StatusCode::OK, "{dev}");
    let r = idp
        .who_am_i(
            "/environments/dev/api/data/v9.2",
            dev["access_token"].as_str(),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let (s, body) = refresh_for(&idp, &rt, CLIENT, &dev_scope).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_grant", "{body}");
}

fn assert_challenge(r: &reqwest::Response, idp: &Idp) {
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let challenge = r.headers()["www-authenticate"].to_str().unwrap();
    assert_eq!(
        challenge,
        format!(
            "Bearer authorization_uri={base}/{tenant}/oauth2/authorize, resource_id={base}/",
            base = idp.base,
            tenant = idp.host().tenant_id()
        )
    );
}

#[tokio::test]
async fn strict_mode_answers_401_with_a_challenge() {
    let idp = start(AuthMode::Strict, fast()).await;
    // No token, or a name instead of a token.
    let r = idp.who_am_i("/api/data/v9.2", None).await;
    assert_challenge(&r, &idp);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sign in"),
        "{body}"
    );
    assert_challenge(&idp.who_am_i("/api/data/v9.2", Some("mona")).await, &idp);
    assert_challenge(
        &idp.who_am_i("/environments/dev/api/data/v9.2", None).await,
        &idp,
    );

    // A token for the dev environment works there, not on the host or another environment.
    let dev = idp
        .sign_in(
            &format!("{}/environments/dev/user_impersonation", idp.base),
            "mona",
        )
        .await;
    let dev_token = dev["access_token"].as_str();
    assert!(
        dev["refresh_token"].is_null(),
        "no offline_access, no refresh token"
    );
    assert_eq!(
        idp.who_am_i("/environments/dev/api/data/v9.2", dev_token)
            .await
            .status(),
        StatusCode::OK
    );
    let r = idp.who_am_i("/api/data/v9.2", dev_token).await;
    assert_challenge(&r, &idp);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not for this environment"),
        "{body}"
    );
    assert_challenge(
        &idp.who_am_i("/environments/test/api/data/v9.2", dev_token)
            .await,
        &idp,
    );

    // A host token opens the host, not an environment's API (§14.4: one audience per org).
    let host = idp.sign_in(&idp.scope(), "mona").await;
    assert_eq!(
        idp.who_am_i("/api/data/v9.2", host["access_token"].as_str())
            .await
            .status(),
        StatusCode::OK
    );
    assert_challenge(
        &idp.who_am_i(
            "/environments/test/api/data/v9.2",
            host["access_token"].as_str(),
        )
        .await,
        &idp,
    );
    // A scope for another resource is refused at sign-in.
    let (s, body) = idp
        .form(
            "/organizations/oauth2/v2.0/devicecode",
            &[
                ("client_id", CLIENT),
                ("scope", "https://contoso.crm.dynamics.com/.default"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_resource", "{body}");
}

#[tokio::test]
async fn expired_tokens_get_a_challenge_in_both_modes() {
    let expired = IdentityConfig {
        token_lifetime: Duration::ZERO,
        ..fast()
    };
    for mode in [AuthMode::Strict, AuthMode::Open] {
        let idp = start(mode, expired.clone()).await;
        let tokens = idp.sign_in(&idp.scope(), "mona").await;
        let r = idp
            .who_am_i("/api/data/v9.2", tokens["access_token"].as_str())
            .await;
        assert_challenge(&r, &idp);
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("expired"),
            "{body}"
        );
    }
}

#[tokio::test]
async fn open_mode_refuses_a_badly_signed_token_but_not_a_missing_one() {
    let idp = start(AuthMode::Open, fast()).await;
    assert_eq!(
        idp.who_am_i("/api/data/v9.2", None).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        idp.who_am_i("/api/data/v9.2", Some("pat")).await.status(),
        StatusCode::OK
    );
    let tokens = idp.sign_in(&idp.scope(), "mona").await;
    let good = tokens["access_token"].as_str().unwrap();
    assert_eq!(
        idp.who_am_i("/api/data/v9.2", Some(good)).await.status(),
        StatusCode::OK
    );
    let (head, _) = good.rsplit_once('.').unwrap();
    let forged = format!("{head}.AAAA{}", &good[good.len() - 10..]);
    assert_challenge(&idp.who_am_i("/api/data/v9.2", Some(&forged)).await, &idp);
    // The demo scenario (used by the sandbox and most tests) is open.
    assert_eq!(Scenario::demo().options.auth, AuthMode::Open);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strict_mode_guards_the_emulator_admin_endpoints_too() {
    let idp = start(AuthMode::Strict, fast()).await;
    let faults = format!("{}/_ferry/faults", idp.base);
    let events = format!("{}/_ferry/events", idp.base);
    // No token is not "the first admin" in strict mode: 401 with the challenge.
    for url in [&faults, &events] {
        let r = idp.http.get(url.as_str()).send().await.unwrap();
        assert_challenge(&r, &idp);
    }
    let scope = format!("{}/.default", idp.base);
    let mona = idp.sign_in(&scope, "mona").await;
    let r = idp
        .http
        .get(&faults)
        .bearer_auth(mona["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a maker is no admin");
    let ade = idp.sign_in(&scope, "ade").await;
    let r = idp
        .http
        .get(&faults)
        .bearer_auth(ade["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
