//! The HTML pages a person (or a test acting as the browser) uses: the
//! sign-in page of the authorization-code flow, which lists the seeded users
//! and redirects to the app's loopback `redirect_uri`, and the device-code page
//! (enter the code, pick a user, approve or decline).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use url::Url;

use super::codes::{self, Grant};
use super::endpoints::{check_scope, identity};
use super::redirect::loopback_redirect;
use crate::clock::now_ms;
use crate::schema::HOST_SCOPE;
use crate::state::AppState;
use crate::store::records::{self, Record};

/// How long an authorization code can be redeemed.
const CODE_LIFETIME_MS: i64 = 10 * 60 * 1000;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}}\
         label{{display:block;margin:.4rem 0}}button{{margin:.8rem .4rem 0 0;padding:.4rem 1rem}}</style>\
         </head><body><h1>{t}</h1>{body}<p><small>Ferry local host — not a Microsoft service.</small></p></body></html>",
        t = escape(title)
    );
    (status, Html(html)).into_response()
}

fn users(state: &AppState) -> Vec<Record> {
    state
        .store
        .read(|c| records::list(c, HOST_SCOPE, "systemusers"))
        .unwrap_or_default()
}

fn user_choices(users: &[Record]) -> String {
    users
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let upn = escape(u.str("domainname").unwrap_or_default());
            format!(
                "<label><input type=\"radio\" name=\"user\" value=\"{upn}\"{}> {} &lt;{upn}&gt; ({})</label>",
                if i == 0 { " checked" } else { "" },
                escape(u.str("fullname").unwrap_or_default()),
                escape(u.str("ferry_roles").unwrap_or_default()),
            )
        })
        .collect()
}

/// The per-process key of the forms' CSRF tokens (a restart only makes open pages reload).
fn csrf_key() -> &'static [u8; 32] {
    static KEY: std::sync::OnceLock<[u8; 32]> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let mut k = [0u8; 32];
        aws_lc_rs::rand::fill(&mut k).expect("the system random source works");
        k
    })
}

fn csrf_mac(issued: &str) -> hmac::Hmac<sha2::Sha256> {
    use hmac::Mac as _;
    let mut mac =
        <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(csrf_key()).expect("any key size");
    mac.update(b"ferry-host sign-in form ");
    mac.update(issued.as_bytes());
    mac
}

/// A CSRF token for a sign-in form: `<issued ms>.<HMAC hex>`, good for an hour.
fn csrf_token() -> String {
    use hmac::Mac as _;
    let issued = now_ms().to_string();
    let tag: String = csrf_mac(&issued)
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{issued}.{tag}")
}

const CSRF_LIFETIME_MS: i64 = 3_600_000;

fn csrf_valid(token: &str) -> bool {
    use hmac::Mac as _;
    let Some((issued, tag)) = token.split_once('.') else {
        return false;
    };
    let Ok(at) = issued.parse::<i64>() else {
        return false;
    };
    let age = now_ms() - at;
    if !(-60_000..CSRF_LIFETIME_MS).contains(&age) || tag.len() != 64 {
        return false;
    }
    let bytes: Option<Vec<u8>> = (0..32)
        .map(|i| u8::from_str_radix(tag.get(i * 2..i * 2 + 2)?, 16).ok())
        .collect();
    bytes.is_some_and(|b| csrf_mac(issued).verify_slice(&b).is_ok())
}

/// A form post from a browser (it sends one of these headers); programs posting the form
/// themselves (`ferry host approve-code --url`, tests) need no token: no page drives them.
fn from_browser(headers: &axum::http::HeaderMap) -> bool {
    [
        "origin",
        "sec-fetch-site",
        "sec-fetch-mode",
        "cookie",
        "referer",
    ]
    .iter()
    .any(|h| headers.contains_key(*h))
}

/// The hidden field every sign-in form carries.
fn csrf_field() -> String {
    format!(
        "<input type=\"hidden\" name=\"csrf_token\" value=\"{}\">",
        csrf_token()
    )
}

/// Refuses a browser's form post without a valid token of this host.
fn check_csrf(
    headers: &axum::http::HeaderMap,
    form: &HashMap<String, String>,
) -> Result<(), &'static str> {
    if !from_browser(headers) {
        return Ok(());
    }
    match form.get("csrf_token") {
        Some(t) if csrf_valid(t) => Ok(()),
        _ => Err("The form expired or did not come from this host's page; reload the page and try again."),
    }
}

fn bad(message: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Sign-in request refused",
        &format!("<p>{}</p>", escape(message)),
    )
}

/// Checks an authorize request; the error is a sentence for the page.
fn check_authorize(
    state: &AppState,
    tenant: &str,
    q: &HashMap<String, String>,
) -> Result<(), String> {
    identity(state, tenant)
        .map_err(|_| format!("The tenant {tenant} is not served here; use organizations."))?;
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    if get("client_id").is_empty() {
        return Err("The request has no client_id.".into());
    }
    if get("response_type") != "code" {
        return Err("Only response_type=code is supported.".into());
    }
    if loopback_redirect(get("redirect_uri")).is_none() {
        return Err("The redirect_uri must be a loopback address: http://127.0.0.1[:port]/… or http://localhost[:port]/….".into());
    }
    if get("code_challenge").is_empty() || get("code_challenge_method") != "S256" {
        return Err(
            "PKCE is required: send code_challenge with code_challenge_method=S256.".into(),
        );
    }
    check_scope(state, get("scope")).map_err(|_| {
        format!(
            "The scope must name this host, like {}/.default.",
            state.identity.base_url
        )
    })
}

/// `GET /{tenant}/oauth2/v2.0/authorize`: the sign-in page.
pub async fn authorize_page(
    State(state): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Err(message) = check_authorize(&state, &tenant, &q) {
        return bad(&message);
    }
    let hidden: String = [
        "client_id",
        "response_type",
        "redirect_uri",
        "scope",
        "state",
        "code_challenge",
        "code_challenge_method",
    ]
    .iter()
    .map(|k| {
        format!(
            "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
            escape(q.get(*k).map(String::as_str).unwrap_or_default())
        )
    })
    .collect();
    let body = format!(
        "<p>Pick the account to sign in to <b>{}</b> with.</p><form method=\"post\">{hidden}{}{}\
         <button type=\"submit\" name=\"action\" value=\"accept\">Sign in</button>\
         <button type=\"submit\" name=\"action\" value=\"cancel\">Cancel</button></form>",
        escape(&state.identity.base_url),
        csrf_field(),
        user_choices(&users(&state))
    );
    page(StatusCode::OK, "Sign in", &body)
}

/// `POST /{tenant}/oauth2/v2.0/authorize`: the chosen user; redirects with a code.
pub async fn authorize_submit(
    State(state): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    headers: axum::http::HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(message) = check_csrf(&headers, &form) {
        return bad(message);
    }
    if let Err(message) = check_authorize(&state, &tenant, &form) {
        return bad(&message);
    }
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let mut target = loopback_redirect(get("redirect_uri")).expect("checked above");
    let state_param = get("state").to_string();
    if get("action") == "cancel" {
        target
            .query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair(
                "error_description",
                "AADSTS65004: The user declined to sign in.",
            )
            .append_pair("state", &state_param);
        return redirect(&target);
    }
    let chosen = state.store.read(|c| super::find_user(c, get("user")));
    let Ok(Some(user)) = chosen else {
        return bad("Pick one of the listed users.");
    };
    let code = super::random(32);
    let grant = Grant {
        client_id: get("client_id").to_string(),
        scope: get("scope").to_string(),
        user_id: user.id.clone(),
    };
    let stored = state.store.tx(|c| {
        codes::insert_auth_code(
            c,
            &codes::NewAuthCode {
                code: &code,
                grant: &grant,
                redirect_uri: get("redirect_uri"),
                challenge: get("code_challenge"),
                expires_ms: now_ms() + CODE_LIFETIME_MS,
            },
        )
    });
    if let Err(e) = stored {
        return page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Sign-in failed",
            &escape(&e.to_string()),
        );
    }
    target
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &state_param);
    redirect(&target)
}

fn redirect(to: &Url) -> Response {
    (
        StatusCode::FOUND,
        [(header::LOCATION, to.as_str().to_string())],
    )
        .into_response()
}

/// `GET /devicelogin`: enter the code shown by the app.
pub async fn device_page(State(state): State<Arc<AppState>>) -> Response {
    let body = format!(
        "<p>Enter the code shown by the app, and pick the account to sign in with.</p>\
         <form method=\"post\">{}<label>Code <input name=\"code\" autocomplete=\"off\" autofocus></label>{}\
         <button type=\"submit\" name=\"action\" value=\"approve\">Approve</button>\
         <button type=\"submit\" name=\"action\" value=\"decline\">Decline</button></form>",
        csrf_field(),
        user_choices(&users(&state))
    );
    page(StatusCode::OK, "Enter code", &body)
}

/// `POST /devicelogin` (form `code`, `user`, `action=approve|decline`).
/// 200 when the pending sign-in was decided, 400 when the code is unknown or
/// spent. With `Accept: application/json` (`ferry host approve-code --url`)
/// the answer is `{"upn"}` or `{"error", "error_description"}`.
pub async fn device_submit(
    State(state): State<Arc<AppState>>,
    headers: axum::http::HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if let Err(message) = check_csrf(&headers, &form) {
        return if wants_json {
            (
                StatusCode::BAD_REQUEST,
                axum::Json(
                    serde_json::json!({ "error": "invalid_request", "error_description": message }),
                ),
            )
                .into_response()
        } else {
            bad(message)
        };
    }
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let code = get("code");
    let approve = get("action") != "decline";
    let result = state.store.tx(|c| -> anyhow::Result<Option<String>> {
        if approve {
            super::approve_device_code(c, code, get("user")).map(Some)
        } else {
            anyhow::ensure!(
                codes::decide(c, code, None, now_ms())?,
                "there is no pending sign-in with the code {code}; check the code, or start the sign-in again (codes expire)"
            );
            Ok(None)
        }
    });
    if wants_json {
        return match result {
            Ok(upn) => axum::Json(serde_json::json!({ "upn": upn })).into_response(),
            Err(e) => (
                StatusCode::BAD_REQUEST,
                axum::Json(serde_json::json!({ "error": "invalid_request", "error_description": e.to_string() })),
            )
                .into_response(),
        };
    }
    match result {
        Ok(Some(upn)) => page(
            StatusCode::OK,
            "Signed in",
            &format!(
                "<p>You signed in as {}. You can close this window and return to the app.</p>",
                escape(&upn)
            ),
        ),
        Ok(None) => page(
            StatusCode::OK,
            "Sign-in declined",
            "<p>The sign-in request was declined. You can close this window.</p>",
        ),
        Err(e) => bad(&e.to_string()),
    }
}
