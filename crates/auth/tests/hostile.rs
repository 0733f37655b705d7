//! A hostile authority: device codes with absurd lifetimes and intervals, token answers
//! with absurd lifetimes, pages to open that are not web pages. Sign-in must end with a
//! sentence (or clamp), never a panic, and never hand a `file:` or `javascript:` URL to
//! the caller that opens it. The authority is a raw TCP listener started per test.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ferry_auth::{device, pkce, SignInConfig, SignInError};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// What the fake authority answers: the device-code document, then one token-endpoint
/// answer per poll (the last one repeats).
#[derive(Clone)]
struct Script {
    device_code: String,
    token: Vec<(u16, String)>,
}

/// Starts the authority; returns its origin.
async fn authority(script: Script) -> String {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let polls = Arc::new(Mutex::new(0usize));
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let script = script.clone();
            let polls = polls.clone();
            tokio::spawn(async move {
                let _ = answer(stream, &script, &polls).await;
            });
        }
    });
    origin
}

async fn answer(
    mut stream: TcpStream,
    script: &Script,
    polls: &Mutex<usize>,
) -> std::io::Result<()> {
    // Read the head and the form body (Content-Length) before answering.
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let (status, body) = if head.contains("/devicecode ") {
        (200, script.device_code.clone())
    } else if head.contains("/token ") {
        let mut n = polls.lock().unwrap();
        let i = (*n).min(script.token.len() - 1);
        *n += 1;
        script.token[i].clone()
    } else {
        (404, "{}".to_string())
    };
    let reply = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(reply.as_bytes()).await?;
    stream.shutdown().await
}

fn config(origin: &str) -> SignInConfig {
    SignInConfig::for_host(
        &format!("{origin}/organizations"),
        "ferry-test",
        "https://contoso.crm.dynamics.com",
    )
}

fn device_code(uri: &str, expires_in: &str, interval: &str) -> String {
    format!(
        r#"{{"device_code":"dc","user_code":"ABCD-EFGH","verification_uri":"{uri}","expires_in":{expires_in},"interval":{interval}}}"#
    )
}

const U64_MAX: &str = "18446744073709551615";

/// An unsigned JWT naming Mona, and tokens that live "forever" (i64::MAX seconds).
fn tokens_forever() -> (u16, String) {
    let payload = "eyJ1cG4iOiJtb25hQGNvbnRvc28uZXhhbXBsZSJ9"; // {"upn":"mona@contoso.example"}
    (
        200,
        format!(
            r#"{{"access_token":"h.{payload}.s","refresh_token":"r","expires_in":9223372036854775807}}"#
        ),
    )
}

#[tokio::test]
async fn absurd_device_code_lifetimes_are_clamped_not_a_panic() {
    let origin = authority(Script {
        device_code: device_code("https://microsoft.com/devicelogin", U64_MAX, U64_MAX),
        token: vec![tokens_forever()],
    })
    .await;
    let config = config(&origin);
    let code = device::start(&config).await.unwrap();
    // What the caller shows and adds to clocks stays within a human scale.
    assert!(
        code.expires_in <= Duration::from_secs(24 * 3600),
        "{code:?}"
    );
    assert!(code.interval <= Duration::from_secs(60), "{code:?}");
    assert!(std::time::Instant::now()
        .checked_add(code.expires_in)
        .is_some());
    let tokens = device::wait(&config, &code).await.unwrap();
    assert_eq!(tokens.account, "mona@contoso.example");
    // A token "valid for i64::MAX seconds" is kept as valid for a while, not forever.
    let expires_at = tokens.expires_at.unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        expires_at > now && expires_at <= now + 2 * 86_400,
        "{expires_at}"
    );
}

#[tokio::test]
async fn slow_down_on_an_absurd_interval_ends_the_sign_in_with_a_sentence() {
    let origin = authority(Script {
        device_code: device_code("https://microsoft.com/devicelogin", "2", U64_MAX),
        token: vec![(400, r#"{"error":"slow_down"}"#.into())],
    })
    .await;
    let config = config(&origin);
    let code = device::start(&config).await.unwrap();
    let started = std::time::Instant::now();
    let err = device::wait(&config, &code).await.unwrap_err();
    assert_eq!(err, SignInError::Expired, "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_verification_page_that_is_not_https_is_refused() {
    for uri in [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://login.evil.example/devicelogin",
        "ms-settings:privacy",
        "not a url",
        "",
    ] {
        let origin = authority(Script {
            device_code: device_code(uri, "900", "5"),
            token: vec![tokens_forever()],
        })
        .await;
        let err = device::start(&config(&origin)).await.unwrap_err();
        assert!(
            matches!(err, SignInError::UnsafePage { .. }),
            "{uri:?}: {err:?}"
        );
        let text = err.to_string();
        assert!(text.contains("https://"), "{text}");
    }
    // Microsoft's page and a page on this computer (the local host) are fine.
    for uri in [
        "https://microsoft.com/devicelogin",
        "http://127.0.0.1:9/devicelogin",
        "http://localhost:9/devicelogin",
        "http://[::1]:9/devicelogin",
    ] {
        let origin = authority(Script {
            device_code: device_code(uri, "900", "5"),
            token: vec![tokens_forever()],
        })
        .await;
        let code = device::start(&config(&origin)).await.unwrap();
        assert_eq!(code.verification_uri, uri);
    }
}

#[tokio::test]
async fn an_authorize_page_that_is_not_https_is_never_opened() {
    for authority in [
        "file:///etc/passwd",
        "javascript:alert(1)//",
        "http://login.evil.example/organizations",
    ] {
        let config = SignInConfig::for_host(authority, "ferry-test", "https://x.crm.dynamics.com");
        let opened = Arc::new(Mutex::new(None::<String>));
        let seen = opened.clone();
        let err = pkce::sign_in(
            &config,
            move |url: &str| *seen.lock().unwrap() = Some(url.to_string()),
            Duration::from_secs(2),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, SignInError::UnsafePage { .. }),
            "{authority}: {err:?}"
        );
        assert_eq!(*opened.lock().unwrap(), None, "{authority}: opened");
    }
}
