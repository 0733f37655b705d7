//! The token endpoint of a Microsoft identity–style authority (Entra ID or
//! Ferry's local host): the request every grant ends with, the answer, and
//! the errors Entra sends, each turned into a sentence that says what to do.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde::Deserialize;

use crate::secret::Secret;
use crate::store::StoredTokens;

/// Who signs in where: `{authority}/oauth2/v2.0/…` with a public client id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInConfig {
    /// The authority with its tenant, like `https://login.microsoftonline.com/organizations`
    /// (see [`crate::HostKind::authority`]).
    pub authority: String,
    pub client_id: String,
    /// Space-separated scopes, like `<host>/.default offline_access openid profile`.
    pub scope: String,
    /// The profile opted in to a plain-`http://` authority off this computer (Ferry's own
    /// test host, `ferry host serve --listen`): its pages on that very origin may be shown.
    pub allow_insecure_http: bool,
}

impl SignInConfig {
    /// The scopes to sign in to a pipelines host with (§9.2): the host's
    /// Dataverse permission, a refresh token, and the account's identity.
    pub fn for_host(authority: &str, client_id: &str, host_url: &str) -> Self {
        Self {
            authority: authority.trim_end_matches('/').to_string(),
            client_id: client_id.to_string(),
            scope: format!(
                "{}/user_impersonation offline_access openid profile",
                host_url.trim_end_matches('/')
            ),
            allow_insecure_http: false,
        }
    }

    /// This config, with the profile's opt-in to a plain-`http://` authority off this computer.
    pub fn allowing_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    pub(crate) fn endpoint(&self, name: &str) -> String {
        format!("{}/oauth2/v2.0/{name}", self.authority)
    }
}

/// Why signing in (or refreshing) did not work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignInError {
    #[error("cannot reach the sign-in service at {url} ({reason}); check the network and the profile's authority")]
    Unreachable { url: String, reason: String },
    #[error("the sign-in was declined; sign in again and approve it")]
    Declined,
    #[error("the sign-in code expired before it was approved; start the sign-in again")]
    Expired,
    #[error("the saved sign-in is no longer valid ({0}); sign in again (ferry login)")]
    SignInAgain(String),
    #[error("not signed in to {0}; sign in first (ferry login)")]
    NotSignedIn(String),
    #[error("the sign-in service refused the request: {0}")]
    Refused(String),
    #[error("the browser sign-in did not complete ({0}); try again, or use the device code (ferry login --device-code)")]
    Browser(String),
    #[error("the sign-in was canceled")]
    Canceled,
    /// The authority named a page to open that is not a web page Ferry may open.
    /// `url` (its start) is kept for the caller, never said: a terminal may make a
    /// `file:` or `javascript:` address a link.
    #[error("the sign-in service gave a page to sign in on that is not a web page ({}); Ferry opens and shows only https:// pages (or http:// on this computer), so it did neither. Check the profile's authority: it should be your cloud's sign-in service, like https://login.microsoftonline.com", kind_of_page(url))]
    UnsafePage { url: String },
    /// The network set-up (proxy, CA file) is not usable; the sentence says why.
    #[error("{0}")]
    Setup(String),
    /// The Azure CLI gave no token; the sentence says why and what to do.
    #[error("{0}")]
    AzureCli(String),
    #[error(transparent)]
    Store(#[from] StoreErrorText),
}

/// A keyring failure, kept as its sentence so [`SignInError`] stays `Clone`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreErrorText(pub String);

impl From<crate::store::StoreError> for SignInError {
    fn from(e: crate::store::StoreError) -> Self {
        SignInError::Store(StoreErrorText(e.to_string()))
    }
}

/// An OAuth error body (`{error, error_description}`).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ErrorBody {
    pub error: String,
    #[serde(default)]
    pub error_description: String,
}

#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    id_token: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
}

/// The token endpoint's answer, or its OAuth error.
pub(crate) enum TokenAnswer {
    Tokens(StoredTokens),
    Error(ErrorBody),
}

pub(crate) fn now_s() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A client with the crate's default HTTP options (proxy, extra CA).
pub(crate) fn client() -> Result<reqwest::Client, SignInError> {
    crate::http::http_client(&crate::http::default_http_options())
        .map_err(|e| SignInError::Setup(e.to_string()))
}

/// POSTs a form to `url`; returns the status and the JSON body.
pub(crate) async fn post_form(
    http: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
) -> Result<(reqwest::StatusCode, serde_json::Value), SignInError> {
    let unreachable = |e: reqwest::Error| SignInError::Unreachable {
        url: url.to_string(),
        reason: crate::http::send_failure(&e),
    };
    let response = http
        .post(url)
        .form(form)
        .send()
        .await
        .map_err(unreachable)?;
    let status = response.status();
    let body = response.json().await.map_err(|_| {
        SignInError::Refused(format!(
            "{url} answered {status} without a JSON body; check the profile's authority"
        ))
    })?;
    Ok((status, body))
}

/// Redeems a grant at the token endpoint. `previous` keeps the account and
/// refresh token when the answer has none.
pub(crate) async fn redeem(
    http: &reqwest::Client,
    config: &SignInConfig,
    grant: &[(&str, &str)],
    previous: Option<&StoredTokens>,
) -> Result<TokenAnswer, SignInError> {
    let mut form = vec![("client_id", config.client_id.as_str())];
    form.extend_from_slice(grant);
    let (status, body) = post_form(http, &config.endpoint("token"), &form).await?;
    if !status.is_success() {
        return match serde_json::from_value::<ErrorBody>(body) {
            Ok(e) => Ok(TokenAnswer::Error(e)),
            Err(_) => Err(SignInError::Refused(format!(
                "the token endpoint answered {status}"
            ))),
        };
    }
    let body: TokenBody = serde_json::from_value(body)
        .map_err(|e| SignInError::Refused(format!("the token answer is not understood ({e})")))?;
    let account = body
        .id_token
        .as_deref()
        .and_then(account_of)
        .or_else(|| account_of(&body.access_token))
        .or_else(|| previous.map(|p| p.account.clone()))
        .unwrap_or_default();
    let refresh = body
        .refresh_token
        .map(Secret::new)
        .or_else(|| previous.map(|p| p.refresh_token.clone()))
        .unwrap_or_else(|| Secret::new(""));
    Ok(TokenAnswer::Tokens(StoredTokens {
        account,
        refresh_token: refresh,
        access_token: Some(Secret::new(body.access_token)),
        expires_at: Some(expires_at(body.expires_in.unwrap_or(3600))),
    }))
}

/// When a token that lives `expires_in` seconds (as the authority says) expires.
fn expires_at(expires_in: i64) -> i64 {
    let lifetime = server_secs(i128::from(expires_in), MAX_TOKEN_LIFETIME).as_secs();
    now_s().saturating_add(i64::try_from(lifetime).unwrap_or(i64::MAX))
}

/// The user name a JWT names (`preferred_username`, `upn`), read without
/// verifying: it is only shown, never trusted.
pub fn account_of(jwt: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    ["preferred_username", "upn", "unique_name", "email"]
        .iter()
        .find_map(|k| claims[*k].as_str().filter(|s| !s.is_empty()))
        .map(str::to_string)
}

/// Refresh at least this often, whatever lifetime the authority claims for a token
/// (Entra's longest, with continuous access evaluation, is about a day).
pub(crate) const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(86_400);

/// Seconds a server sent (a lifetime, an interval), as a [`Duration`] of at most
/// `ceiling`; negative counts as zero. Every such number goes through here, so adding it
/// to a clock can never overflow (a panic on `expires_in: 2^64-1`).
pub(crate) fn server_secs(secs: i128, ceiling: Duration) -> Duration {
    if secs <= 0 {
        return Duration::ZERO;
    }
    u64::try_from(secs).map_or(ceiling, |s| Duration::from_secs(s).min(ceiling))
}

/// A page the authority wants shown or opened is a web page: `https://`, or `http://` on
/// this computer (the local host) or — when the profile opted in (`config`'s
/// `allow_insecure_http`) — on the very origin of its plain-`http://` authority (a test
/// host served with `ferry host serve --listen`: its page is no less safe than the
/// authority itself). Never `file:`, `javascript:` or another app's scheme, which the OS
/// opener would happily run.
pub(crate) fn check_page(url: &str, config: &SignInConfig) -> Result<(), SignInError> {
    let origin = |u: &url::Url| {
        (
            u.host_str().map(str::to_ascii_lowercase),
            u.port_or_known_default(),
        )
    };
    let plain_authority = url::Url::parse(config.authority.trim())
        .ok()
        .filter(|a| config.allow_insecure_http && a.scheme() == "http");
    let web = url::Url::parse(url.trim()).is_ok_and(|u| match u.scheme() {
        "https" => u.host_str().is_some_and(|h| !h.is_empty()),
        "http" => {
            u.host_str().is_some_and(crate::cloud::is_loopback_host)
                || plain_authority
                    .as_ref()
                    .is_some_and(|a| a.host_str().is_some() && origin(a) == origin(&u))
        }
        _ => false,
    });
    if web {
        return Ok(());
    }
    // A hostile URL may be huge: show its start only.
    const SHOWN: usize = 200;
    let mut shown: String = url.chars().take(SHOWN).collect();
    if url.chars().nth(SHOWN).is_some() {
        shown.push('…');
    }
    Err(SignInError::UnsafePage { url: shown })
}

/// What kind of address a refused page is, in words that cannot be followed: its scheme
/// when it has a plain one (`a file: address`), else that it is no address at all.
fn kind_of_page(url: &str) -> String {
    match url::Url::parse(url.trim()) {
        Ok(u) if u.scheme().len() <= 20 => format!("a {}: address", u.scheme()),
        Ok(_) => "an address of an unknown kind".into(),
        Err(_) => "not an address".into(),
    }
}

/// A refused grant as a sentence.
pub(crate) fn refused(e: &ErrorBody) -> SignInError {
    // Entra's own text is long and meant for developers: a known AADSTS code is said as
    // what it means and who fixes it, with the code for the admin.
    if let Some((code, meaning)) = explain_aadsts(&e.error_description) {
        return SignInError::Refused(format!("{meaning} (AADSTS{code})"));
    }
    let detail = if e.error_description.is_empty() {
        e.error.clone()
    } else {
        format!("{}: {}", e.error, e.error_description)
    };
    match e.error.as_str() {
        "invalid_grant" | "interaction_required" => SignInError::SignInAgain(detail),
        "authorization_declined" | "access_denied" => SignInError::Declined,
        "expired_token" => SignInError::Expired,
        _ => SignInError::Refused(detail),
    }
}

/// The first `AADSTSnnnn` code in Entra's text and what it means for a person, when
/// it is one a maker meets.
pub(crate) fn explain_aadsts(text: &str) -> Option<(String, &'static str)> {
    let (_, after) = text.split_once("AADSTS")?;
    let code: String = after.chars().take_while(char::is_ascii_digit).collect();
    let meaning = match code.as_str() {
        "65001" => "your organization has not consented to this app registration for Dataverse (or the Power Apps service): an admin grants consent in Entra ID (Enterprise applications → Permissions → Grant admin consent)",
        "65002" | "650057" => "the app registration lacks a permission Ferry needs: an admin adds the delegated permissions Dataverse user_impersonation and PowerApps Service user_impersonation, then grants consent",
        "53003" | "530003" | "530002" => "a Conditional Access policy of your organization blocked this sign-in (device, location or app): ask your admin which conditions it requires",
        "50076" | "50079" => "your organization requires multi-factor authentication for this sign-in: sign in with the browser and complete it",
        "700016" => "the app registration (client id) is not known in this tenant: check the client id, or ask your admin to add the app to the tenant",
        "7000218" => "the app registration does not allow public client flows: an admin turns on 'Allow public client flows' in its Authentication settings",
        "50011" | "500113" => "the app registration has no loopback redirect: an admin adds the Mobile and desktop platform with redirect http://localhost",
        "90002" => "that tenant does not exist: check the tenant id or domain (--tenant)",
        "50020" | "50177" => "your account is not a member of this tenant: pass the tenant you were invited to with --tenant",
        "50034" => "there is no such account in this tenant: check the account you signed in with",
        "50053" => "the account is locked after too many attempts: wait, or ask your admin to unlock it",
        "50057" => "the account is disabled: ask your admin",
        "500011" => "this tenant has no such service (resource): check the environment's URL and cloud",
        _ => return None,
    };
    Some((code, meaning))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_aadsts_codes_are_explained_not_dumped() {
        let consent = ErrorBody {
            error: "invalid_grant".into(),
            error_description: "AADSTS65001: The user or administrator has not consented to use the application with ID '0b1c…' named 'Ferry'. Send an interactive authorization request for this user and resource.\r\nTrace ID: 1\r\nCorrelation ID: 2".into(),
        };
        let msg = refused(&consent).to_string();
        assert!(
            msg.contains("Grant admin consent") && msg.contains("AADSTS65001"),
            "{msg}"
        );
        assert!(!msg.contains("Trace ID"), "{msg}");
        let ca = ErrorBody {
            error: "invalid_grant".into(),
            error_description:
                "AADSTS53003: Access has been blocked by Conditional Access policies.".into(),
        };
        assert!(refused(&ca)
            .to_string()
            .contains("Conditional Access policy"));
        // An unknown code keeps Entra's words.
        let other = ErrorBody {
            error: "invalid_request".into(),
            error_description: "AADSTS99999: something new".into(),
        };
        assert!(refused(&other)
            .to_string()
            .contains("AADSTS99999: something new"));
        assert_eq!(explain_aadsts("no code here"), None);
    }

    #[test]
    fn scopes_for_a_host_and_accounts_from_tokens() {
        let c = SignInConfig::for_host(
            "http://127.0.0.1:9/organizations/",
            "app",
            "http://127.0.0.1:9/",
        );
        assert_eq!(
            c.endpoint("token"),
            "http://127.0.0.1:9/organizations/oauth2/v2.0/token"
        );
        assert_eq!(
            c.scope,
            "http://127.0.0.1:9/user_impersonation offline_access openid profile"
        );
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"upn":"mona@contoso.example"}"#);
        assert_eq!(
            account_of(&format!("h.{payload}.s")).as_deref(),
            Some("mona@contoso.example")
        );
        assert_eq!(account_of("not-a-jwt"), None);
    }

    #[test]
    fn server_numbers_are_clamped() {
        let hour = Duration::from_secs(3600);
        assert_eq!(server_secs(900, hour), Duration::from_secs(900));
        assert_eq!(server_secs(i128::from(u64::MAX), hour), hour);
        assert_eq!(server_secs(i128::from(i64::MIN), hour), Duration::ZERO);
        assert_eq!(server_secs(i128::MAX, hour), hour);
        let now = now_s();
        assert!((now..=now + 86_400).contains(&expires_at(i64::MAX)));
        assert!((now - 1..=now + 1).contains(&expires_at(i64::MIN)));
    }

    #[test]
    fn only_web_pages_may_be_opened() {
        for ok in [
            "https://microsoft.com/devicelogin",
            "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?x=1",
            "http://127.0.0.1:8080/devicelogin",
            "http://localhost/devicelogin",
            "http://[::1]:9/x",
        ] {
            assert_eq!(check_page(ok, &at(HTTPS, false)), Ok(()), "{ok}");
        }
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "http://login.evil.example/",
            "http://127.0.0.1.evil.example/",
            "ms-settings:privacy",
            "",
        ] {
            assert!(
                matches!(
                    check_page(bad, &at(HTTPS, false)),
                    Err(SignInError::UnsafePage { .. })
                ),
                "{bad}"
            );
        }
        let long = format!("file:///{}", "a".repeat(10_000));
        let Err(SignInError::UnsafePage { url }) = check_page(&long, &at(HTTPS, false)) else {
            panic!("refused")
        };
        assert!(url.chars().count() <= 201, "{}", url.len());
    }

    const HTTPS: &str = "https://login.microsoftonline.com/organizations";

    fn at(authority: &str, allow_insecure_http: bool) -> SignInConfig {
        SignInConfig::for_host(authority, "ferry", "https://x.crm.dynamics.com")
            .allowing_insecure_http(allow_insecure_http)
    }

    #[test]
    fn an_opted_in_plain_http_authority_may_show_its_own_pages_only() {
        let far = at("http://192.0.2.10:8080/contoso", true);
        assert_eq!(
            check_page("http://192.0.2.10:8080/devicelogin", &far),
            Ok(())
        );
        for bad in [
            "http://192.0.2.10:9090/devicelogin",
            "http://192.0.2.11:8080/devicelogin",
            "http://login.evil.example/",
            "file:///etc/passwd",
        ] {
            assert!(
                matches!(check_page(bad, &far), Err(SignInError::UnsafePage { .. })),
                "{bad}"
            );
        }
        // Without the opt-in, or with an https authority, never a plain http page off here.
        let page = "http://192.0.2.10:8080/devicelogin";
        assert!(check_page(page, &at("http://192.0.2.10:8080/contoso", false)).is_err());
        assert!(check_page(page, &at(HTTPS, true)).is_err());
    }

    #[test]
    fn refusals_say_what_to_do() {
        let e = |error: &str| ErrorBody {
            error: error.into(),
            error_description: "x".into(),
        };
        assert!(matches!(
            refused(&e("invalid_grant")),
            SignInError::SignInAgain(_)
        ));
        assert_eq!(refused(&e("authorization_declined")), SignInError::Declined);
        assert_eq!(refused(&e("expired_token")), SignInError::Expired);
        assert!(refused(&e("invalid_grant"))
            .to_string()
            .contains("sign in again"));
    }
}
