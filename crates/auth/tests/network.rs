//! The HTTP client builder (proxy with loopback always direct, extra CA) and
//! the local cloud's table read over HTTP. Settings are injected, never set
//! in the process environment, so tests can run in parallel.

use std::path::PathBuf;

use ferry_auth::{
    fetch_local_table, http_client, Cloud, CloudError, HttpOptions, ProxyChoice, ProxySettings,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

/// Serves `body` as JSON to each connection with `status`; sends each request head on `tx`.
async fn serve(
    status: &'static str,
    body: String,
) -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 8192];
            let n = stream.read(&mut buf).await.unwrap_or(0);
            let _ = tx.send(String::from_utf8_lossy(&buf[..n]).into_owned());
            let answer = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes()).await;
            let _ = stream.shutdown().await;
        }
    });
    (origin, rx)
}

/// A loopback port nothing listens on.
async fn closed_port() -> u16 {
    let l = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    l.local_addr().unwrap().port()
}

fn via(proxy: &str) -> HttpOptions {
    HttpOptions {
        proxy: ProxyChoice::Use(ProxySettings {
            https: Some(proxy.to_string()),
            http: Some(proxy.to_string()),
            no_proxy: Some(".corp.example".into()),
        }),
        ..HttpOptions::default()
    }
}

#[tokio::test]
async fn loopback_never_goes_through_the_proxy() {
    let (origin, mut heads) = serve("200 OK", "{}".into()).await;
    // A proxy that refuses every connection: only a direct request succeeds.
    let client = http_client(&via(&format!("http://127.0.0.1:{}", closed_port().await))).unwrap();
    let r = client.get(format!("{origin}/x")).send().await.unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    assert!(heads.recv().await.unwrap().starts_with("GET /x "));
    let port = origin.rsplit(':').next().unwrap();
    let r = client
        .get(format!("http://localhost:{port}/y"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
}

#[tokio::test]
async fn other_hosts_go_through_the_proxy_unless_no_proxy_says_otherwise() {
    // The "proxy" answers itself and shows what it was asked.
    let (proxy, mut heads) = serve("200 OK", "{}".into()).await;
    let client = http_client(&via(&proxy)).unwrap();
    let r = client
        .get("http://contoso.example/api")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    let head = heads.recv().await.unwrap();
    assert!(
        head.starts_with("GET http://contoso.example/api "),
        "{head}"
    );

    // NO_PROXY: direct, so the unresolvable name fails instead of reaching the proxy.
    let direct = client.get("http://build.corp.example/").send().await;
    assert!(direct.is_err());
    assert!(heads.try_recv().is_err(), "the proxy saw no request");

    // Direct: no proxy at all.
    let none = http_client(&HttpOptions {
        proxy: ProxyChoice::Direct,
        ..HttpOptions::default()
    })
    .unwrap();
    assert!(none.get("http://contoso.example/api").send().await.is_err());
    assert!(heads.try_recv().is_err());
}

#[tokio::test]
async fn an_extra_ca_file_is_added_to_the_os_roots() {
    let pem = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/extra-ca.pem");
    http_client(&HttpOptions {
        extra_ca_file: Some(pem),
        ..HttpOptions::default()
    })
    .unwrap();
}

const LOCAL_TABLE: &str = r#"{
  "cloud": "local",
  "authority": "AUTH/4a1c0000-0000-4000-8000-000000000001",
  "tenantId": "4a1c0000-0000-4000-8000-000000000001",
  "gds": "AUTH/_gds",
  "gdsAudience": "AUTH/_gds",
  "bap": "AUTH/_bap",
  "bapAudience": "AUTH/_powerapps/",
  "powerApps": "AUTH/_powerapps",
  "powerAppsAudience": "AUTH/_powerapps/"
}"#;

#[tokio::test]
async fn the_local_table_is_fetched_from_the_well_known_path() {
    let (origin, mut heads) = serve_table().await;
    let table = fetch_local_table(&format!("{origin}/api/data/v9.2"))
        .await
        .unwrap();
    let head = heads.recv().await.unwrap();
    assert!(head.starts_with("GET /.well-known/ferry/cloud "), "{head}");
    assert_eq!(table.cloud, Cloud::Local);
    assert_eq!(table.authority_host, origin);
    assert_eq!(
        table.authority(None),
        format!("{origin}/4a1c0000-0000-4000-8000-000000000001")
    );
    assert_eq!(table.gds().unwrap().base, format!("{origin}/_gds"));
    assert_eq!(
        table.bap().unwrap().audience,
        format!("{origin}/_powerapps/")
    );
    assert_eq!(
        table.power_apps().unwrap().base,
        format!("{origin}/_powerapps")
    );
}

async fn serve_table() -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    // The origin is known only after binding, so bind, then build the body.
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let body = LOCAL_TABLE.replace("AUTH", &origin);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 8192];
        let n = stream.read(&mut buf).await.unwrap_or(0);
        let _ = tx.send(String::from_utf8_lossy(&buf[..n]).into_owned());
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(answer.as_bytes()).await;
    });
    (origin, rx)
}

#[tokio::test]
async fn a_missing_local_table_says_where_it_looked() {
    let (origin, _heads) = serve("404 Not Found", "{}".into()).await;
    let e = fetch_local_table(&origin).await.unwrap_err();
    assert!(matches!(e, CloudError::LocalUnreachable { .. }), "{e}");
    assert!(e.to_string().contains("/.well-known/ferry/cloud"), "{e}");
    let e = fetch_local_table(&format!("http://127.0.0.1:{}", closed_port().await))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("is the local host running"), "{e}");
    let (origin, _heads) = serve("200 OK", "[]".into()).await;
    let e = fetch_local_table(&origin).await.unwrap_err();
    assert!(matches!(e, CloudError::LocalTable(_)), "{e}");
}
