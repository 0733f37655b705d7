//! The transport: headers, tokens, retries, paging, creates, updates, actions.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use crate::error::{Error, ErrorKind};
use crate::token::TokenSource;

/// The annotation every read asks for: option-set labels and lookup names.
const FORMATTED_VALUES: &str =
    "odata.include-annotations=\"OData.Community.Display.V1.FormattedValue\"";

/// How the client talks to a host.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Web API version segment for calls that do not name one (`v9.2`).
    pub api_version: &'static str,
    /// Retries after the first attempt (429 always; 5xx and dropped connections only
    /// for reads and other idempotent calls).
    pub max_retries: u32,
    /// First back-off; doubles on each retry.
    pub backoff: Duration,
    /// Longest wait the client accepts from a `Retry-After` before giving up.
    pub max_retry_after: Duration,
    /// Per-request time limit.
    pub timeout: Duration,
    /// Counts every HTTP request sent (each retry too), for benchmarks and diagnostics.
    pub requests: Option<Arc<AtomicU64>>,
    /// Notes every HTTP request sent (method and URL, each retry too): what the request
    /// benchmarks and tests sort by kind.
    pub log: Option<RequestLog>,
    /// The HTTP client to send with (proxy, extra CA: `ferry_auth::http_client`);
    /// `None` builds a plain one.
    pub http: Option<reqwest::Client>,
    /// Accept an `http://` address that is not this computer. Off by default: the
    /// bearer token would cross the network unencrypted. Only a profile that opted in
    /// (a test host served with `ferry host serve --listen`) turns it on.
    pub allow_insecure_http: bool,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            api_version: "v9.2",
            max_retries: 4,
            backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
            timeout: Duration::from_secs(60),
            requests: None,
            log: None,
            http: None,
            allow_insecure_http: false,
        }
    }
}

/// The requests a client sent, in order: `(method, URL)`. Clones share one list.
#[derive(Debug, Clone, Default)]
pub struct RequestLog(Arc<Mutex<Vec<(String, String)>>>);

impl RequestLog {
    fn note(&self, method: &Method, url: &str) {
        self.lock().push((method.to_string(), url.to_string()));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(String, String)>> {
        // A panic elsewhere while noting leaves a list that is still a list.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How many requests were sent so far.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether none was sent.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// The requests sent since the list was last taken, leaving it empty.
    pub fn take(&self) -> Vec<(String, String)> {
        std::mem::take(&mut *self.lock())
    }
}

/// One page of a collection and the link to the next one, if any.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub value: Vec<T>,
    pub next_link: Option<String>,
    pub count: Option<u64>,
}

/// A client for one pipelines host (its org URL).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    tokens: Arc<dyn TokenSource>,
    options: ClientOptions,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

struct Answer {
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Client {
    /// A client for the host at `base_url` (the org URL, e.g. `https://contoso.crm.dynamics.com`).
    pub fn new(base_url: &str, tokens: Arc<dyn TokenSource>) -> Result<Self, Error> {
        Self::with_options(base_url, tokens, ClientOptions::default())
    }

    pub fn with_options(
        base_url: &str,
        tokens: Arc<dyn TokenSource>,
        options: ClientOptions,
    ) -> Result<Self, Error> {
        let base = base_url.trim().trim_end_matches('/').to_string();
        let parsed = reqwest::Url::parse(&base).map_err(|e| {
            Error::new(
                ErrorKind::Rejected,
                format!("{base_url:?} is not a host address ({e}): use the environment URL, like https://contoso.crm.dynamics.com"),
            )
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::new(
                ErrorKind::Rejected,
                format!("{base_url:?} must start with https:// (or http:// for the local host)"),
            ));
        }
        if parsed.scheme() == "http" && !is_loopback(&base) && !options.allow_insecure_http {
            return Err(Error::new(ErrorKind::Rejected, insecure_http(&base)));
        }
        let http = match &options.http {
            Some(http) => Ok(http.clone()),
            None => reqwest::Client::builder()
                .timeout(options.timeout)
                .user_agent(concat!("ferry/", env!("CARGO_PKG_VERSION")))
                .build(),
        }
        .map_err(|e| {
            Error::new(
                ErrorKind::Protocol,
                format!("cannot build an HTTP client: {e}"),
            )
        })?;
        Ok(Self {
            http,
            base,
            tokens,
            options,
        })
    }

    /// The host's org URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `{base}/api/data/{version}/{path}` for a path relative to the service root.
    pub fn api_url(&self, path: &str) -> String {
        self.api_url_at(self.options.api_version, path)
    }

    /// Like [`Self::api_url`] with an explicit version (`v9.0`, `v9.1`, `v9.2`).
    pub fn api_url_at(&self, version: &str, path: &str) -> String {
        format!(
            "{}/api/data/{version}/{}",
            self.base,
            path.trim_start_matches('/')
        )
    }

    fn absolute(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            path_or_url.to_string()
        } else {
            self.api_url(path_or_url)
        }
    }

    /// GET a single JSON document (an entity, a function result).
    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, Error> {
        let answer = self
            .send(
                Method::GET,
                &self.absolute(path),
                None,
                FORMATTED_VALUES,
                true,
                &[],
            )
            .await?;
        decode(&answer.body)
    }

    /// GET one page of a collection. `path_or_next_link` is a path under the service
    /// root or an `@odata.nextLink` (followed verbatim, as Dataverse requires).
    pub async fn get_page<T: DeserializeOwned>(
        &self,
        path_or_next_link: &str,
        max_page_size: Option<u32>,
    ) -> Result<Page<T>, Error> {
        let prefer = match max_page_size {
            Some(n) => format!("{FORMATTED_VALUES},odata.maxpagesize={n}"),
            None => FORMATTED_VALUES.to_string(),
        };
        let url = self.absolute(path_or_next_link);
        let answer = self
            .send(Method::GET, &url, None, &prefer, true, &[])
            .await?;
        let mut doc: Value = decode(&answer.body)?;
        let next_link = doc["@odata.nextLink"].as_str().map(str::to_owned);
        let count = doc["@odata.count"].as_u64();
        let value = match doc.get_mut("value").map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => return Err(Error::protocol("a collection without a `value` array")),
        };
        let value = value
            .into_iter()
            .map(serde_json::from_value)
            .collect::<Result<Vec<T>, _>>()
            .map_err(|e| Error::protocol(format!("a row did not match: {e}")))?;
        Ok(Page {
            value,
            next_link,
            count,
        })
    }

    /// Every row of a collection, following `@odata.nextLink` page by page.
    pub async fn get_all<T: DeserializeOwned>(
        &self,
        path: &str,
        max_page_size: Option<u32>,
    ) -> Result<Vec<T>, Error> {
        let mut rows = Vec::new();
        let mut next = Some(path.to_string());
        while let Some(link) = next {
            let page = self.get_page::<T>(&link, max_page_size).await?;
            rows.extend(page.value);
            next = page.next_link;
        }
        Ok(rows)
    }

    /// POST a new row to `set` under an id the client chose (`key` is the primary
    /// key column). Because the id is ours, the create is idempotent: it is retried
    /// like a read, and when a retry meets "already exists" the row is fetched
    /// instead, so a flaky network can never make two rows.
    pub async fn create_with_id(
        &self,
        set: &str,
        key: &str,
        id: Uuid,
        body: &Value,
    ) -> Result<Uuid, Error> {
        let mut body = body.clone();
        body[key] = Value::String(id.to_string());
        let url = self.api_url(set);
        match self
            .send(
                Method::POST,
                &url,
                Some(&body),
                "return=representation",
                true,
                &[],
            )
            .await
        {
            Ok(_) => Ok(id),
            Err(err) if err.kind == ErrorKind::Conflict => {
                // Ours from an earlier attempt whose answer was lost, or a real clash.
                let existing: Result<Value, Error> =
                    self.get(&format!("{set}({id})?$select={key}")).await;
                match existing {
                    Ok(_) => Ok(id),
                    Err(_) => Err(err),
                }
            }
            Err(err) => Err(err),
        }
    }

    /// POST a new row to `set`; returns its id (from `OData-EntityId`, or the body).
    /// Not retried on failure: prefer [`Self::create_with_id`].
    pub async fn create(&self, set: &str, body: &Value) -> Result<Uuid, Error> {
        let url = self.api_url(set);
        let answer = self
            .send(
                Method::POST,
                &url,
                Some(body),
                "return=representation",
                false,
                &[],
            )
            .await?;
        if let Some(id) = answer
            .headers
            .get("OData-EntityId")
            .and_then(|v| v.to_str().ok())
            .and_then(entity_id_from_uri)
        {
            return Ok(id);
        }
        // No header: the 201 body names the key `<entity>id`.
        let doc: Value = decode(&answer.body)?;
        let singular = set.strip_suffix('s').unwrap_or(set);
        doc[format!("{singular}id")]
            .as_str()
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| Error::protocol("a create answer without the new row's id"))
    }

    /// PATCH an existing row (`If-Match: *`, so a wrong id is a 404, never a new row).
    pub async fn update(&self, set: &str, id: Uuid, body: &Value) -> Result<(), Error> {
        let url = self.api_url_at("v9.0", &format!("{set}({id})"));
        self.send(
            Method::PATCH,
            &url,
            Some(body),
            "",
            true,
            &[("If-Match", "*")],
        )
        .await
        .map(drop)
    }

    /// POST an unbound action that answers with a document (`GetOrgDbOrgSetting`, …).
    pub async fn call<T: DeserializeOwned>(
        &self,
        version: &str,
        name: &str,
        body: &Value,
    ) -> Result<T, Error> {
        let url = self.api_url_at(version, name);
        let answer = self
            .send(Method::POST, &url, Some(body), "", false, &[])
            .await?;
        decode(&answer.body)
    }

    /// POST an unbound action (`ValidatePackageAsync`, …); success is any 2xx (204).
    pub async fn action(&self, version: &str, name: &str, body: &Value) -> Result<(), Error> {
        let url = self.api_url_at(version, name);
        self.send(Method::POST, &url, Some(body), "", false, &[])
            .await
            .map(drop)
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        prefer: &str,
        idempotent: bool,
        extra: &[(&str, &str)],
    ) -> Result<Answer, Error> {
        let mut attempt = 0;
        loop {
            let token = self.tokens.token().await.map_err(|why| {
                Error::new(
                    ErrorKind::Unauthorized,
                    format!("No token for the pipelines host: {why}. Sign in again."),
                )
            })?;
            let mut req = self
                .http
                .request(method.clone(), url)
                .bearer_auth(token)
                .header("Accept", "application/json")
                .header("OData-MaxVersion", "4.0")
                .header("OData-Version", "4.0");
            if !prefer.is_empty() {
                req = req.header("Prefer", prefer);
            }
            for (name, value) in extra {
                req = req.header(*name, *value);
            }
            if let Some(body) = body {
                req = req
                    .header("Content-Type", "application/json")
                    .body(body.to_string());
            }
            let retry_wait = jitter(
                self.options
                    .backoff
                    .saturating_mul(2u32.saturating_pow(attempt)),
            );
            if let Some(counter) = &self.options.requests {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            if let Some(log) = &self.options.log {
                log.note(&method, url);
            }
            let outcome = req.send().await;
            let can_retry = attempt < self.options.max_retries;
            match outcome {
                Err(err) => {
                    // Nothing listens on this machine: waiting will not change that
                    // within a command, so the answer is final at once.
                    let final_now = is_refused(&err) && is_loopback(url);
                    if idempotent
                        && can_retry
                        && !final_now
                        && (err.is_connect() || err.is_timeout() || err.is_request())
                    {
                        tracing::debug!(%url, %err, attempt, "retrying after a transport error");
                        attempt = attempt.saturating_add(1);
                        tokio::time::sleep(retry_wait).await;
                        continue;
                    }
                    return Err(Error::offline(&self.base, &err, final_now));
                }
                Ok(resp) => {
                    let status = resp.status();
                    let headers = resp.headers().clone();
                    let body = resp
                        .bytes()
                        .await
                        .map_err(|e| Error::offline(&self.base, &e, false))?
                        .to_vec();
                    if status.is_success() {
                        return Ok(Answer { headers, body });
                    }
                    let retry_after = retry_after(headers.get(RETRY_AFTER));
                    let transient = matches!(status.as_u16(), 502..=504) && idempotent;
                    if can_retry && (status == StatusCode::TOO_MANY_REQUESTS || transient) {
                        let wait = retry_after.unwrap_or(retry_wait);
                        if wait <= self.options.max_retry_after {
                            tracing::debug!(%url, %status, attempt, ?wait, "retrying");
                            attempt = attempt.saturating_add(1);
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                        return Err(Error::wait_too_long(
                            status.as_u16(),
                            &body,
                            wait,
                            self.options.max_retry_after,
                        ));
                    }
                    return Err(Error::from_response(status.as_u16(), &body, retry_after));
                }
            }
        }
    }
}

/// Why an `http://` address off this computer is refused: what would happen, and what to do.
pub fn insecure_http(url: &str) -> String {
    format!(
        "{url} uses plain http:// and is not on this computer: Ferry would send your sign-in token over the network unencrypted, so it refuses. Use the host's https:// address; for a test host served with `ferry host serve --listen`, make the profile with --allow-insecure-http"
    )
}

/// Whether the connection was refused (a port nothing listens on), anywhere in the
/// error's causes.
fn is_refused(err: &reqwest::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cause {
        if e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return true;
        }
        cause = e.source();
    }
    false
}

/// Whether `url` names this machine (`localhost`, `127.0.0.0/8`, `::1`).
pub fn is_loopback(url: &str) -> bool {
    let Some(host) = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
    else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => {
            let name = host.trim_end_matches('.');
            name == "localhost" || name.ends_with(".localhost")
        }
    }
}

/// Spreads retries of many clients apart: the wait times a factor in [0.5, 1.5).
fn jitter(wait: Duration) -> Duration {
    let unit = f64::from(Uuid::new_v4().as_u128() as u32) / f64::from(u32::MAX);
    // `mul_f64` panics on overflow; a wait too long to scale stays as it is.
    Duration::try_from_secs_f64(wait.as_secs_f64() * (0.5 + unit)).unwrap_or(wait)
}

/// Past this, a server's wait only means "long": the number is not kept.
pub(crate) const SERVER_WAIT_CEILING: Duration = Duration::from_secs(86_400);

/// Seconds a server sent, as a [`Duration`] no longer than [`SERVER_WAIT_CEILING`];
/// `None` when negative or not a number. The one way durations from a server are made
/// here: `Duration::from_secs_f64` panics on `1e300` (and clippy.toml bans it).
pub(crate) fn server_secs(secs: f64) -> Option<Duration> {
    if secs.is_nan() || secs < 0.0 {
        return None;
    }
    Some(
        Duration::try_from_secs_f64(secs)
            .map_or(SERVER_WAIT_CEILING, |d| d.min(SERVER_WAIT_CEILING)),
    )
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| Error::protocol(format!("invalid JSON: {e}")))
}

/// `Retry-After: <seconds>` (the HTTP-date form is not used by Dataverse).
fn retry_after(value: Option<&HeaderValue>) -> Option<Duration> {
    server_secs(value?.to_str().ok()?.trim().parse().ok()?)
}

/// The GUID inside `…/deploymentstageruns(<guid>)`.
pub(crate) fn entity_id_from_uri(uri: &str) -> Option<Uuid> {
    let (_, after) = uri.rsplit_once('(')?;
    let (inside, _) = after.split_once(')')?;
    Uuid::parse_str(inside.trim_matches(|c| c == '{' || c == '}')).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_ids_come_from_the_uri() {
        let id = Uuid::new_v4();
        let uri = format!("http://127.0.0.1:1/api/data/v9.0/deploymentstageruns({id})");
        assert_eq!(entity_id_from_uri(&uri), Some(id));
        assert_eq!(entity_id_from_uri("…/runs({not-a-guid})"), None);
        assert_eq!(entity_id_from_uri("no parens"), None);
    }

    #[test]
    fn retry_after_is_seconds() {
        let v = HeaderValue::from_static("3");
        assert_eq!(retry_after(Some(&v)), Some(Duration::from_secs(3)));
        let v = HeaderValue::from_static("0.25");
        assert_eq!(retry_after(Some(&v)), Some(Duration::from_millis(250)));
        let v = HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(retry_after(Some(&v)), None);
        assert_eq!(retry_after(None), None);
    }

    #[test]
    fn server_durations_are_clamped_never_a_panic() {
        let day = SERVER_WAIT_CEILING;
        for (secs, want) in [
            (0.0, Some(Duration::ZERO)),
            (1.5, Some(Duration::from_millis(1500))),
            (86_400.5, Some(day)),
            (1e300, Some(day)),
            (18_446_744_073_709_551_615.0, Some(day)),
            (f64::INFINITY, Some(day)),
            (f64::MAX, Some(day)),
            (-1.0, None),
            (f64::NEG_INFINITY, None),
            (f64::NAN, None),
        ] {
            assert_eq!(server_secs(secs), want, "{secs}");
        }
        // Scaling a wait never overflows either.
        assert!(jitter(Duration::MAX) >= Duration::from_secs(1));
    }

    #[test]
    fn rejects_addresses_that_are_not_urls() {
        let tokens = Arc::new(crate::StaticToken::new("t"));
        let err = Client::new("contoso", tokens.clone()).unwrap_err();
        assert!(
            err.message.contains("not a host address"),
            "{}",
            err.message
        );
        let err = Client::new("ftp://x", tokens.clone()).unwrap_err();
        assert!(err.message.contains("https://"), "{}", err.message);
        // Plain http leaves this computer only when the caller opted in.
        let err = Client::new("http://x.crm.dynamics.com", tokens.clone()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Rejected);
        assert!(
            err.message.contains("unencrypted") && err.message.contains("--allow-insecure-http"),
            "{}",
            err.message
        );
        for local in ["http://127.0.0.1:1", "http://localhost:1", "http://[::1]:1"] {
            assert!(Client::new(local, tokens.clone()).is_ok(), "{local}");
        }
        let opted = ClientOptions {
            allow_insecure_http: true,
            ..ClientOptions::default()
        };
        assert!(Client::with_options("http://10.0.0.5:8080", tokens.clone(), opted).is_ok());
        let ok = Client::new("https://x.crm.dynamics.com/", tokens).unwrap();
        assert_eq!(
            ok.api_url("WhoAmI"),
            "https://x.crm.dynamics.com/api/data/v9.2/WhoAmI"
        );
    }
}
