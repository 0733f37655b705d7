//! Authorization code + PKCE on a loopback redirect (§9.3), the preferred
//! desktop flow: listen on `127.0.0.1:0`, hand the authorize URL to the caller
//! (which opens the browser), receive the redirect, check `state`, and redeem
//! the code with the verifier.

use std::time::Duration;

use base64::Engine as _;
use sha2::Digest as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use crate::oauth::{self, SignInConfig, SignInError, TokenAnswer};
use crate::store::StoredTokens;

/// A PKCE verifier (43+ URL-safe characters) and its S256 challenge.
pub fn pair() -> (String, String) {
    let verifier = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    (verifier.clone(), challenge(&verifier))
}

/// `BASE64URL(SHA256(verifier))`.
pub fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// Signs in through the browser. `open` receives the URL to show or open;
/// the sign-in must finish within `timeout`.
pub async fn sign_in(
    config: &SignInConfig,
    open: impl FnOnce(&str),
    timeout: Duration,
) -> Result<StoredTokens, SignInError> {
    let browser = |e: std::io::Error| SignInError::Browser(e.to_string());
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(browser)?;
    let port = listener.local_addr().map_err(browser)?.port();
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let (verifier, challenge) = pair();
    let state = uuid::Uuid::new_v4().simple().to_string();
    let mut url = url::Url::parse(&config.endpoint("authorize"))
        .map_err(|e| SignInError::Refused(format!("the authority is not a URL ({e})")))?;
    url.query_pairs_mut()
        .append_pair("client_id", &config.client_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("response_mode", "query")
        .append_pair("scope", &config.scope)
        .append_pair("state", &state)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    // The caller opens this with the OS opener: a web page only.
    oauth::check_page(url.as_str(), config)?;
    open(url.as_str());
    let query = tokio::time::timeout(timeout, receive(&listener))
        .await
        .map_err(|_| SignInError::Browser("no answer from the browser in time".into()))??;
    let get = |k: &str| {
        query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    if get("state") != Some(state.as_str()) {
        return Err(SignInError::Browser(
            "the answer's state does not match this sign-in".into(),
        ));
    }
    if let Some(error) = get("error") {
        return Err(match error {
            "access_denied" => SignInError::Declined,
            _ => SignInError::Refused(format!(
                "{error}: {}",
                get("error_description").unwrap_or("")
            )),
        });
    }
    let code = get("code").ok_or_else(|| SignInError::Browser("the answer has no code".into()))?;
    let grant = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri.as_str()),
        ("code_verifier", verifier.as_str()),
        ("scope", config.scope.as_str()),
    ];
    match oauth::redeem(&oauth::client()?, config, &grant, None).await? {
        TokenAnswer::Tokens(t) => Ok(t),
        TokenAnswer::Error(e) => Err(oauth::refused(&e)),
    }
}

/// Accepts connections until one is the redirect (`GET /callback?...`);
/// answers it with a page saying the window can be closed.
async fn receive(listener: &TcpListener) -> Result<Vec<(String, String)>, SignInError> {
    loop {
        let (mut stream, _) = listener
            .accept()
            .await
            .map_err(|e| SignInError::Browser(e.to_string()))?;
        let mut buf = vec![0u8; 16 * 1024];
        let mut len = 0;
        while len < buf.len() {
            let n = stream.read(&mut buf[len..]).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            len = len.saturating_add(n);
            if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
        let head = String::from_utf8_lossy(&buf[..len]);
        let target = head
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("GET "))
            .and_then(|l| l.split(' ').next())
            .unwrap_or_default()
            .to_string();
        let Some(query) = target.strip_prefix("/callback?") else {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
            continue;
        };
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let page = "<!doctype html><title>Ferry</title><p>Sign-in complete. You can close this window and return to Ferry.</p>";
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
            page.len()
        );
        let _ = stream.write_all(answer.as_bytes()).await;
        let _ = stream.shutdown().await;
        return Ok(pairs);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_challenge_is_s256_of_the_verifier() {
        // RFC 7636, appendix B.
        assert_eq!(
            super::challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let (v, c) = super::pair();
        assert!(v.len() >= 43);
        assert_eq!(super::challenge(&v), c);
    }
}
