//! A host that is not there: a refused connection to a loopback host is final at
//! once (nothing listens on this machine, and waiting will not change that soon),
//! while a remote host keeps its bounded retries (a load balancer may be restarting).
//! The attempts are counted through the client's request counter, never timed.

use std::net::{IpAddr, SocketAddr, TcpListener, UdpSocket};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ferry_dataverse::{Client, ClientOptions, ErrorKind, StaticToken};

/// A port on `ip` that nothing listens on: bound, then closed.
fn closed_port(ip: IpAddr) -> SocketAddr {
    let listener = TcpListener::bind((ip, 0)).unwrap();
    listener.local_addr().unwrap()
}

fn counting_client(origin: &str) -> (Client, Arc<AtomicU64>) {
    let requests = Arc::new(AtomicU64::new(0));
    let options = ClientOptions {
        backoff: Duration::from_millis(1),
        requests: Some(requests.clone()),
        // The "remote" host is this machine's network address, over http.
        allow_insecure_http: true,
        ..ClientOptions::default()
    };
    let client = Client::with_options(origin, Arc::new(StaticToken::new("t")), options).unwrap();
    (client, requests)
}

#[tokio::test]
async fn a_refused_loopback_host_is_unreachable_after_one_attempt() {
    for origin in [
        format!("http://{}", closed_port("127.0.0.1".parse().unwrap())),
        format!(
            "http://localhost:{}",
            closed_port("127.0.0.1".parse().unwrap()).port()
        ),
    ] {
        let (client, requests) = counting_client(&origin);
        let err = client
            .get::<serde_json::Value>("WhoAmI")
            .await
            .expect_err("nothing listens");
        assert_eq!(err.kind, ErrorKind::Offline, "{origin}: {err}");
        assert!(err.message.contains("refused"), "{origin}: {}", err.message);
        assert_eq!(requests.load(Ordering::Relaxed), 1, "{origin}: retried");
    }
}

/// This machine's address on its network (never sends a packet: a UDP "connect" only
/// picks the route), or `None` without one.
fn network_address() -> Option<IpAddr> {
    let socket = UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[tokio::test]
async fn a_refused_remote_host_keeps_its_bounded_retries() {
    let Some(ip) = network_address() else {
        eprintln!("skipped: this machine has no network address to stand for a remote host");
        return;
    };
    let origin = format!("http://{}", closed_port(ip));
    let (client, requests) = counting_client(&origin);
    let err = client
        .get::<serde_json::Value>("WhoAmI")
        .await
        .expect_err("nothing listens");
    assert_eq!(err.kind, ErrorKind::Offline, "{err}");
    let retries = u64::from(ClientOptions::default().max_retries);
    assert_eq!(requests.load(Ordering::Relaxed), retries + 1);
}
