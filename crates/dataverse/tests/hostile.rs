//! A hostile host: answers a client must survive without a panic, with an error that
//! says what happened. The server is a raw TCP listener, so it can send what no real
//! HTTP stack would.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ferry_dataverse::{Client, ClientOptions, ErrorKind, StaticToken};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// Answers every request with `status` and `Retry-After: retry_after`.
async fn serve(status: &'static str, retry_after: &'static str) -> String {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16 * 1024];
                let _ = stream.read(&mut buf).await;
                let body = r#"{"error":{"code":"0x80072321","message":"Busy."}}"#;
                let answer = format!(
                    "HTTP/1.1 {status}\r\nRetry-After: {retry_after}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    origin
}

fn client(origin: &str) -> Client {
    let options = ClientOptions {
        backoff: Duration::from_millis(1),
        ..ClientOptions::default()
    };
    Client::with_options(origin, Arc::new(StaticToken::new("t")), options).unwrap()
}

#[tokio::test]
async fn an_absurd_retry_after_gives_up_at_once_and_says_why() {
    for value in [
        "1e300",
        "18446744073709551615",
        "99999999999999999999999999",
        "inf",
        "3600",
    ] {
        let origin = serve("429 Too Many Requests", value).await;
        let started = Instant::now();
        let err = client(&origin)
            .get::<serde_json::Value>("WhoAmI")
            .await
            .expect_err("throttled");
        assert_eq!(err.kind, ErrorKind::Throttled, "{value}: {err}");
        assert_eq!(err.status, Some(429));
        assert!(
            err.message.contains("asked to wait") && err.message.contains("60 s"),
            "{value}: {}",
            err.message
        );
        let wait = err.retry_after.expect("the wait asked for is kept");
        assert!(wait > Duration::from_secs(60), "{value}: {wait:?}");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{value}: waited"
        );
    }
}

#[tokio::test]
async fn a_huge_retry_after_on_a_503_is_not_waited_for_either() {
    let origin = serve("503 Service Unavailable", "18446744073709551615").await;
    let err = client(&origin)
        .get::<serde_json::Value>("WhoAmI")
        .await
        .expect_err("unavailable");
    assert_eq!(err.kind, ErrorKind::HostFailure, "{err}");
    assert!(err.message.contains("asked to wait"), "{}", err.message);
}

#[tokio::test]
async fn nonsense_retry_after_falls_back_to_the_clients_own_back_off() {
    // Negative and NaN are not waits: the client retries on its own schedule and
    // ends with the host's throttling error.
    for value in ["-5", "NaN", "soon"] {
        let origin = serve("429 Too Many Requests", value).await;
        let err = client(&origin)
            .get::<serde_json::Value>("WhoAmI")
            .await
            .expect_err("throttled");
        assert_eq!(err.kind, ErrorKind::Throttled, "{value}: {err}");
        assert_eq!(err.retry_after, None, "{value}");
        assert!(!err.message.contains("asked to wait"), "{}", err.message);
    }
}
