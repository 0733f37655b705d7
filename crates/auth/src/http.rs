//! The one place HTTP clients are built, for corporate networks: a proxy from
//! `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` with `NO_PROXY` (or given
//! explicitly), loopback always direct (the local host and the sign-in
//! redirect must never go through a proxy), and an optional extra CA
//! certificate (a TLS-inspecting proxy's) added to the OS trust store.
//!
//! The proxy variables are read here rather than by reqwest so the loopback
//! exemption applies to them too, and so tests inject settings instead of
//! changing the process environment. Only the environment variables are
//! read: the OS proxy settings (Windows Internet Options, macOS network
//! settings) would need reqwest's `system-proxy` feature, whose automatic
//! proxy leaves no hook to exempt loopback.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

/// Hosts never proxied, whatever `NO_PROXY` says.
const LOOPBACK: &str = "localhost,127.0.0.0/8,::1";

/// Which proxy to use.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProxyChoice {
    /// The proxy environment variables (the default).
    #[default]
    FromEnvironment,
    /// No proxy at all.
    Direct,
    /// These settings (what the environment variables would hold).
    Use(ProxySettings),
}

/// Proxy URLs per scheme and the hosts that go direct.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProxySettings {
    /// For https URLs, like `http://proxy.corp.example:8080`.
    pub https: Option<String>,
    /// For http URLs.
    pub http: Option<String>,
    /// Comma-separated hosts, domains (`.corp.example`) and networks (`10.0.0.0/8`).
    pub no_proxy: Option<String>,
}

// Proxy URLs may carry a password.
impl std::fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |u: &Option<String>| u.as_deref().map(redact);
        f.debug_struct("ProxySettings")
            .field("https", &shown(&self.https))
            .field("http", &shown(&self.http))
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

impl ProxySettings {
    /// From the process environment (upper case first, then lower case;
    /// `ALL_PROXY` for a scheme without its own).
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// From any variable lookup (tests pass a map).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| {
            get(name)
                .or_else(|| get(&name.to_ascii_lowercase()))
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let all = var("ALL_PROXY");
        Self {
            https: var("HTTPS_PROXY").or_else(|| all.clone()),
            http: var("HTTP_PROXY").or(all),
            no_proxy: var("NO_PROXY"),
        }
    }
}

/// How to build a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpOptions {
    pub proxy: ProxyChoice,
    /// A PEM file with one or more CA certificates to trust besides the OS's.
    pub extra_ca_file: Option<PathBuf>,
    /// The whole-request timeout (`None`: none).
    pub timeout: Option<Duration>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            proxy: ProxyChoice::FromEnvironment,
            extra_ca_file: None,
            timeout: Some(Duration::from_secs(60)),
        }
    }
}

/// Why a client could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("the {name} proxy {url} is not usable ({reason}); correct it (like http://proxy.example:8080) or unset it")]
    Proxy {
        name: &'static str,
        url: String,
        reason: String,
    },
    #[error("cannot use the CA certificate file {path} ({reason}); give a PEM file with the certificate of your network's TLS inspection")]
    CaFile { path: String, reason: String },
    #[error("the HTTP client could not be set up ({0})")]
    Build(String),
}

/// Builds a client with `options` (see the module's doc).
pub fn http_client(options: &HttpOptions) -> Result<reqwest::Client, HttpError> {
    let mut builder = reqwest::Client::builder().no_proxy();
    if let Some(timeout) = options.timeout {
        builder = builder.timeout(timeout);
    }
    let settings = match &options.proxy {
        ProxyChoice::FromEnvironment => Some(ProxySettings::from_env()),
        ProxyChoice::Direct => None,
        ProxyChoice::Use(s) => Some(s.clone()),
    };
    if let Some(settings) = settings {
        let direct = match settings.no_proxy.as_deref().map(str::trim) {
            Some(list) if !list.is_empty() => format!("{list},{LOOPBACK}"),
            _ => LOOPBACK.to_string(),
        };
        let schemes = [
            ("https", settings.https.as_deref()),
            ("http", settings.http.as_deref()),
        ];
        for (name, url) in schemes {
            let Some(url) = url else { continue };
            let proxy = if name == "https" {
                reqwest::Proxy::https(url)
            } else {
                reqwest::Proxy::http(url)
            }
            .map_err(|e| HttpError::Proxy {
                name,
                url: redact(url),
                reason: e.to_string(),
            })?;
            builder = builder.proxy(proxy.no_proxy(reqwest::NoProxy::from_string(&direct)));
        }
    }
    if let Some(path) = &options.extra_ca_file {
        let bad = |reason: String| HttpError::CaFile {
            path: path.display().to_string(),
            reason,
        };
        let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| bad(e.to_string()))?;
        if certs.is_empty() {
            return Err(bad("it holds no PEM certificate".into()));
        }
        // Merged with the platform verifier's roots: the OS store stays trusted.
        builder = builder.tls_certs_merge(certs);
    }
    builder.build().map_err(|e| HttpError::Build(e.to_string()))
}

static DEFAULTS: OnceLock<HttpOptions> = OnceLock::new();

/// Sets the options every client of this crate uses (the app calls this once
/// at start-up with the user's CA file; the first call wins). Checks that a
/// client builds with them.
pub fn set_default_http_options(options: HttpOptions) -> Result<(), HttpError> {
    http_client(&options)?;
    let _ = DEFAULTS.set(options);
    Ok(())
}

/// The options set with [`set_default_http_options`], else the defaults.
pub fn default_http_options() -> HttpOptions {
    DEFAULTS.get().cloned().unwrap_or_default()
}

/// A proxy URL without its password, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(_) => url.to_string(),
        Err(_) if url.contains('@') => "(a proxy URL with credentials)".to_string(),
        Err(_) => url.to_string(),
    }
}

/// Why a request could not be sent, in the words of its deepest cause ("Connection
/// refused (os error 111)", "dns error: …"): reqwest's own text is only "error sending
/// request", which says nothing a person can act on.
pub fn send_failure(err: &reqwest::Error) -> String {
    let mut deepest: Option<&(dyn std::error::Error + 'static)> = None;
    let mut next = std::error::Error::source(err);
    while let Some(cause) = next {
        deepest = Some(cause);
        next = cause.source();
    }
    deepest.map_or_else(|| err.to_string(), ToString::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn proxy_settings_from_variables() {
        let vars: HashMap<&str, &str> = [
            ("https_proxy", "http://lower:1"),
            ("HTTP_PROXY", "http://upper:2"),
            ("ALL_PROXY", "http://all:3"),
            ("no_proxy", ".corp.example"),
        ]
        .into();
        let s = ProxySettings::from_vars(|n| vars.get(n).map(|v| v.to_string()));
        assert_eq!(s.https.as_deref(), Some("http://lower:1"));
        assert_eq!(s.http.as_deref(), Some("http://upper:2"));
        assert_eq!(s.no_proxy.as_deref(), Some(".corp.example"));
        let only_all =
            ProxySettings::from_vars(|n| (n == "ALL_PROXY").then(|| "http://all:3".into()));
        assert_eq!(only_all.https.as_deref(), Some("http://all:3"));
        assert_eq!(only_all.http.as_deref(), Some("http://all:3"));
        assert_eq!(
            ProxySettings::from_vars(|_| Some(" ".into())),
            ProxySettings::default()
        );
    }

    #[test]
    fn a_proxy_password_never_shows() {
        let s = ProxySettings {
            https: Some("http://me:hunter2@proxy:8080".into()),
            ..Default::default()
        };
        assert!(!format!("{s:?}").contains("hunter2"));
        let e = http_client(&HttpOptions {
            proxy: ProxyChoice::Use(ProxySettings {
                https: Some("http://me:hunter2@[bad".into()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(e.to_string().contains("https proxy"), "{e}");
    }

    #[test]
    fn a_bad_ca_file_says_which_and_why() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let e = http_client(&HttpOptions {
            extra_ca_file: Some(missing.clone()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(matches!(e, HttpError::CaFile { .. }), "{e}");
        assert!(e.to_string().contains("missing.pem"), "{e}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "no certificates here\n").unwrap();
        let e = http_client(&HttpOptions {
            extra_ca_file: Some(empty),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.to_string().contains("no PEM certificate"), "{e}");
    }
}
