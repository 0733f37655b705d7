//! `serve --tls` over real HTTPS: the host's self-signed certificate (made once, reused),
//! clients that trust it and clients that do not, https in every URL the host hands out,
//! and the test CONNECT proxy reaching the host under a name only the proxy resolves.

mod common;

use std::net::SocketAddr;

use ferry_host::testing::ConnectProxy;
use ferry_host::{AuthMode, Host, HostConfig, RunningHost, Scenario, TlsConfig};
use reqwest::{Certificate, StatusCode};
use serde_json::Value;

const NAME: &str = "contoso-host.test";

fn tls_config(dir: &std::path::Path, names: &[&str]) -> HostConfig {
    let mut config = HostConfig::new(dir);
    config.scenario = Scenario::demo();
    config.speed = common::TEST_SPEED;
    config.auth = Some(AuthMode::Open);
    config.tls = Some(TlsConfig {
        names: names.iter().map(|n| n.to_string()).collect(),
    });
    config
}

async fn start_tls(dir: &std::path::Path, names: &[&str]) -> RunningHost {
    Host::start(tls_config(dir, names)).await.unwrap()
}

fn cert_of(host: &RunningHost) -> Certificate {
    let path = host.ca_pem_path().expect("a TLS host has a certificate");
    Certificate::from_pem(&std::fs::read(path).unwrap()).unwrap()
}

/// Trusts only the host's certificate; no proxy from the environment.
fn trusting(host: &RunningHost) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .no_proxy()
        .tls_certs_only([cert_of(host)])
}

fn port_of(host: &RunningHost) -> u16 {
    host.base_url().rsplit(':').next().unwrap().parse().unwrap()
}

async fn get_json(client: &reqwest::Client, url: &str) -> (StatusCode, Value) {
    let r = client
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e:?}"));
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Every string in `v` that looks like a URL.
fn urls(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s.starts_with("http://") || s.starts_with("https://") => {
            out.push(s.clone())
        }
        Value::Array(items) => items.iter().for_each(|i| urls(i, out)),
        Value::Object(map) => map.values().for_each(|i| urls(i, out)),
        _ => {}
    }
}

fn assert_all_under(v: &Value, base: &str) {
    let mut found = Vec::new();
    urls(v, &mut found);
    assert!(!found.is_empty(), "no URL in {v}");
    for url in found {
        assert!(url.starts_with(base), "{url} is not under {base} in {v}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_host_serves_https_that_only_a_client_trusting_its_certificate_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let host = start_tls(dir.path(), &[NAME]).await;
    let base = host.base_url().to_string();
    assert!(base.starts_with("https://127.0.0.1:"), "{base}");
    let cert_path = host.ca_pem_path().unwrap();
    assert_eq!(cert_path, dir.path().join("tls").join("cert.pem"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let key = dir.path().join("tls").join("key.pem");
        let mode = std::fs::metadata(key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the key is the owner's only");
    }

    let client = trusting(&host).build().unwrap();
    let (s, cloud) = get_json(&client, &host.cloud_url()).await;
    assert_eq!(s, StatusCode::OK, "{cloud}");
    assert_eq!(cloud["authority"], base.as_str());
    assert_all_under(&cloud, &base);
    // `localhost` is named too.
    let local = host.cloud_url().replace("127.0.0.1", "localhost");
    assert_eq!(get_json(&client, &local).await.0, StatusCode::OK);

    // Every URL the host embeds: sign-in, GDS instances, BAP environments, info.
    let tenant = host.tenant_id().to_string();
    let (s, oidc) = get_json(
        &client,
        &format!("{base}/{tenant}/v2.0/.well-known/openid-configuration"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_all_under(&oidc, &base);
    let r = client
        .post(format!("{base}/organizations/oauth2/v2.0/devicecode"))
        .form(&[("client_id", "c"), ("scope", &format!("{base}/.default"))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let device: Value = r.json().await.unwrap();
    assert_eq!(device["verification_uri"], format!("{base}/devicelogin"));
    let (s, gds) = get_json(
        &client,
        &format!("{}/api/discovery/v2.0/Instances", host.gds_url()),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{gds}");
    assert_all_under(&gds, &base);
    let (s, bap) = get_json(
        &client,
        &format!(
            "{}/providers/Microsoft.BusinessAppPlatform/environments?api-version=2020-10-01",
            host.bap_url()
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{bap}");
    assert_all_under(&bap, &base);
    for e in host.environments().unwrap() {
        assert!(e.url.starts_with(&base), "{}", e.url);
    }
    let (s, who) = get_json(&client, &format!("{}/WhoAmI", host.api_url())).await;
    assert_eq!(s, StatusCode::OK, "{who}");

    // The way ferry-auth adds an extra CA (merged with the platform's roots) works too.
    let merged = reqwest::Client::builder()
        .no_proxy()
        .tls_certs_merge([cert_of(&host)])
        .build()
        .unwrap();
    assert_eq!(get_json(&merged, &host.cloud_url()).await.0, StatusCode::OK);

    // A client that does not trust the certificate, or speaks plain HTTP, gets no answer.
    let stranger = reqwest::Client::builder().no_proxy().build().unwrap();
    let e = stranger.get(host.cloud_url()).send().await.unwrap_err();
    assert!(e.is_connect(), "{e:?}");
    let plain = host.cloud_url().replace("https://", "http://");
    assert!(stranger.get(plain).send().await.is_err());
    // A name the certificate lacks is refused even by a trusting client.
    let other = trusting(&host)
        .resolve("elsewhere.test", SocketAddr::from(([127, 0, 0, 1], 0)))
        .build()
        .unwrap();
    let wrong_name = format!(
        "https://elsewhere.test:{}/.well-known/ferry/cloud",
        port_of(&host)
    );
    assert!(other.get(wrong_name).send().await.is_err());
    host.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_certificate_is_made_once_and_reused_on_restart() {
    let dir = tempfile::tempdir().unwrap();
    let host = start_tls(dir.path(), &[NAME]).await;
    let pem = std::fs::read(host.ca_pem_path().unwrap()).unwrap();
    let port = port_of(&host);
    let old_client = trusting(&host).build().unwrap();
    host.shutdown().await;

    // Same data dir and port: the same certificate, so a client keeps trusting it.
    let mut config = tls_config(dir.path(), &[NAME]);
    config.bind = SocketAddr::from(([127, 0, 0, 1], port));
    let host = Host::start(config).await.unwrap();
    assert_eq!(std::fs::read(host.ca_pem_path().unwrap()).unwrap(), pem);
    assert_eq!(
        get_json(&old_client, &host.cloud_url()).await.0,
        StatusCode::OK
    );
    host.shutdown().await;

    // The same data dir over plain HTTP: http URLs again, no certificate.
    let mut config = tls_config(dir.path(), &[]);
    config.tls = None;
    let host = Host::start(config).await.unwrap();
    assert!(host.base_url().starts_with("http://"));
    assert_eq!(host.ca_pem_path(), None);
    let (s, cloud) = get_json(&reqwest::Client::new(), &host.cloud_url()).await;
    assert_eq!(s, StatusCode::OK);
    assert_all_under(&cloud, host.base_url());
    host.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_proxy_reaches_the_tls_host_under_a_name_only_it_resolves() {
    let dir = tempfile::tempdir().unwrap();
    let host = start_tls(dir.path(), &[NAME]).await;
    let port = port_of(&host);
    let proxy = ConnectProxy::start([(NAME, SocketAddr::from(([127, 0, 0, 1], port)))])
        .await
        .unwrap();
    let url = format!("https://{NAME}:{port}/.well-known/ferry/cloud");

    // No resolver knows the name: without the proxy there is no way there.
    let direct = trusting(&host).build().unwrap();
    assert!(direct.get(&url).send().await.is_err());
    assert_eq!(proxy.connects(NAME), 0);

    let via_proxy = reqwest::Client::builder()
        .proxy(reqwest::Proxy::https(proxy.url()).unwrap())
        .tls_certs_only([cert_of(&host)])
        .build()
        .unwrap();
    let (s, cloud) = get_json(&via_proxy, &url).await;
    assert_eq!(s, StatusCode::OK, "{cloud}");
    // The host still names itself by its own base URL.
    assert_all_under(&cloud, host.base_url());
    assert_eq!(proxy.connects(&format!("{NAME}:{port}")), 1);
    assert_eq!(proxy.targets(), [(format!("{NAME}:{port}"), 1)]);
    assert_eq!(proxy.refused(NAME), 0);

    // A target outside the proxy's map: 502, counted, no tunnel.
    let r = via_proxy
        .get(format!("https://elsewhere.test:{port}/"))
        .send()
        .await;
    assert!(r.is_err(), "{r:?}");
    assert_eq!(proxy.refused("elsewhere.test"), 1);
    assert_eq!(proxy.connects("elsewhere.test"), 1);

    // A raw CONNECT shows the 502 itself.
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut raw = tokio::net::TcpStream::connect(proxy.addr()).await.unwrap();
    raw.write_all(b"CONNECT nowhere.test:443 HTTP/1.1\r\nHost: nowhere.test:443\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    raw.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 502 "), "{answer}");

    // Stopped, the proxy answers no more: a fresh client finds nothing listening.
    let proxy_url = proxy.url();
    proxy.stop().await;
    let after = reqwest::Client::builder()
        .proxy(reqwest::Proxy::https(proxy_url).unwrap())
        .tls_certs_only([cert_of(&host)])
        .build()
        .unwrap();
    assert!(
        after.get(&url).send().await.is_err(),
        "the proxy still answers after it was stopped"
    );
    host.shutdown().await;
}

/// The fault layer's drops sit outside TLS: a dropped HTTPS request gets no status either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_https_connection_is_a_connection_error() {
    let dir = tempfile::tempdir().unwrap();
    let host = start_tls(dir.path(), &[]).await;
    let client = trusting(&host).build().unwrap();
    let r = client
        .patch(format!("{}/_ferry/faults", host.base_url()))
        .json(&serde_json::json!({ "drops": { "requests": 1 } }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let who = format!("{}/WhoAmI", host.api_url());
    let err = client
        .get(&who)
        .send()
        .await
        .expect_err("a dropped connection has no answer");
    assert!(err.status().is_none(), "{err:?}");
    assert_eq!(get_json(&client, &who).await.0, StatusCode::OK);
    host.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_name_is_the_host_s_name_in_every_url_and_on_its_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = tls_config(dir.path(), &[]);
    config.public_name = Some(NAME.into());
    let host = Host::start(config).await.unwrap();
    let port = port_of(&host);
    let base = format!("https://{NAME}:{port}");
    assert_eq!(host.base_url(), base);
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let proxy = ConnectProxy::start([(NAME, addr)]).await.unwrap();
    let client = trusting(&host)
        .proxy(reqwest::Proxy::https(proxy.url()).unwrap())
        .build()
        .unwrap();
    let (s, table) = get_json(&client, &format!("{base}/.well-known/ferry/cloud")).await;
    assert_eq!(s, StatusCode::OK, "{table}");
    assert_all_under(&table, &base);
    let (s, gds) = get_json(
        &client,
        &format!(
            "{}/api/discovery/v2.0/Instances",
            table["gds"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{gds}");
    assert_all_under(&gds, &base);
    // One tunnel carries both requests (the connection is kept alive).
    assert!(proxy.connects(&format!("{NAME}:{port}")) >= 1);
    // A name that is not a host name is refused at start.
    let bad = tempfile::tempdir().unwrap();
    let mut config = HostConfig::new(bad.path());
    config.public_name = Some("not a name".into());
    assert!(Host::start(config).await.is_err());
}
