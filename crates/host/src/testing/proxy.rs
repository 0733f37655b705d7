//! A minimal HTTP CONNECT proxy on loopback for tests: it resolves host names only
//! from the map it is given (so a test can reach a host under a name no resolver
//! knows, such as `contoso-host.test`), tunnels bytes both ways, counts CONNECT
//! requests per target so a test can prove its traffic went through it, and answers
//! 502 for any target outside its map. Dropping it stops it and every tunnel.
//!
//! ```no_run
//! # async fn demo(host_port: u16) -> std::io::Result<()> {
//! use ferry_host::testing::ConnectProxy;
//! let proxy = ConnectProxy::start([("contoso-host.test", ([127, 0, 0, 1], host_port).into())]).await?;
//! // reqwest::Proxy::https(proxy.url()) … then:
//! assert_eq!(proxy.connects("contoso-host.test"), 0);
//! # Ok(()) }
//! ```

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// Longest request head the proxy reads; a CONNECT head is a few hundred bytes.
const MAX_HEAD: usize = 16 * 1024;
/// How long a client has to send its request head, and the proxy to reach a target.
const STEP_TIMEOUT: Duration = Duration::from_secs(10);

/// A CONNECT proxy on `127.0.0.1:<free port>`; see the module docs.
pub struct ConnectProxy {
    addr: SocketAddr,
    log: Arc<Mutex<Log>>,
    task: Option<JoinHandle<()>>,
}

/// CONNECT requests seen, by target authority as the client sent it (lowercase).
#[derive(Debug, Default)]
struct Log {
    connects: HashMap<String, usize>,
    refused: HashMap<String, usize>,
}

type Routes = HashMap<String, SocketAddr>;

impl ConnectProxy {
    /// Starts a proxy that sends a CONNECT to `name` or `name:port` (keys of `routes`;
    /// a `name:port` key wins over a bare `name`) to the mapped address, whatever port
    /// a bare-name request asks for. Names are matched case-insensitively.
    pub async fn start<N: Into<String>>(
        routes: impl IntoIterator<Item = (N, SocketAddr)>,
    ) -> std::io::Result<Self> {
        let routes: Routes = routes
            .into_iter()
            .map(|(name, addr)| (name.into().to_ascii_lowercase(), addr))
            .collect();
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(Log::default()));
        let task = tokio::spawn(serve(listener, Arc::new(routes), log.clone()));
        Ok(Self {
            addr,
            log,
            task: Some(task),
        })
    }

    /// The proxy's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`, for `reqwest::Proxy::https`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// CONNECT requests for `target`, refused ones included: a `name:port` counts that
    /// authority only, a bare `name` every port of it.
    pub fn connects(&self, target: &str) -> usize {
        count(&self.log.lock().expect("proxy log").connects, target)
    }

    /// CONNECT requests for `target` answered 502 (not in the map, or unreachable).
    pub fn refused(&self, target: &str) -> usize {
        count(&self.log.lock().expect("proxy log").refused, target)
    }

    /// Every CONNECT target seen with its count, sorted.
    pub fn targets(&self) -> Vec<(String, usize)> {
        let log = self.log.lock().expect("proxy log");
        let mut all: Vec<_> = log.connects.iter().map(|(k, v)| (k.clone(), *v)).collect();
        all.sort();
        all
    }
}

impl ConnectProxy {
    /// Stops the proxy and returns once its port is closed (dropping it stops it too, a moment
    /// later).
    pub async fn stop(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        // The accept loop owns the listener and the tunnels' JoinSet: both go with it.
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn count(map: &HashMap<String, usize>, target: &str) -> usize {
    let target = target.to_ascii_lowercase();
    if split_authority(&target).is_some() {
        map.get(&target).copied().unwrap_or(0)
    } else {
        map.iter()
            .filter(|(k, _)| split_authority(k).is_some_and(|(host, _)| host == target))
            .map(|(_, v)| v)
            .sum()
    }
}

/// `host:port` or `[v6]:port` → (host without brackets, port).
fn split_authority(authority: &str) -> Option<(&str, u16)> {
    let (host, port) = authority.rsplit_once(':')?;
    let port = port.parse().ok()?;
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.strip_suffix(']')?,
        // A bare IPv6 address has colons of its own: it needs brackets.
        None if host.contains(':') => return None,
        None => host,
    };
    (!host.is_empty()).then_some((host, port))
}

async fn serve(listener: TcpListener, routes: Arc<Routes>, log: Arc<Mutex<Log>>) {
    let mut tunnels = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((client, _)) => {
                    tunnels.spawn(handle(client, routes.clone(), log.clone()));
                }
                // Out of file descriptors and the like: back off rather than spin.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            Some(_) = tunnels.join_next(), if !tunnels.is_empty() => {}
        }
    }
}

async fn handle(mut client: TcpStream, routes: Arc<Routes>, log: Arc<Mutex<Log>>) {
    let Ok(Some((head, rest))) = tokio::time::timeout(STEP_TIMEOUT, read_head(&mut client))
        .await
        .unwrap_or(Ok(None))
    else {
        return;
    };
    let mut words = head.lines().next().unwrap_or_default().split_whitespace();
    let (method, target) = (words.next().unwrap_or_default(), words.next());
    let Some(target) = target.filter(|_| method.eq_ignore_ascii_case("CONNECT")) else {
        let _ = client
            .write_all(
                answer(405, "Method Not Allowed", "this proxy only tunnels CONNECT").as_bytes(),
            )
            .await;
        return;
    };
    let target = target.to_ascii_lowercase();
    *log.lock()
        .expect("proxy log")
        .connects
        .entry(target.clone())
        .or_default() += 1;
    let upstream = match resolve(&routes, &target) {
        Some(addr) => tokio::time::timeout(STEP_TIMEOUT, TcpStream::connect(addr))
            .await
            .ok()
            .and_then(Result::ok),
        None => None,
    };
    let Some(mut upstream) = upstream else {
        *log.lock()
            .expect("proxy log")
            .refused
            .entry(target.clone())
            .or_default() += 1;
        let why = format!("{target} is not a target of this test proxy, or did not answer");
        let _ = client
            .write_all(answer(502, "Bad Gateway", &why).as_bytes())
            .await;
        return;
    };
    let _ = upstream.set_nodelay(true);
    if client
        .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        .await
        .is_err()
    {
        return;
    }
    // Bytes the client sent after the head (a TLS hello sent early) belong to the tunnel.
    if !rest.is_empty() && upstream.write_all(&rest).await.is_err() {
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}

fn resolve(routes: &Routes, target: &str) -> Option<SocketAddr> {
    let (host, _) = split_authority(target)?;
    routes.get(target).or_else(|| routes.get(host)).copied()
}

fn answer(status: u16, reason: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Reads up to the blank line that ends the request head; returns the head and any
/// bytes read past it. `None` when the client closes first or the head is too long.
async fn read_head(client: &mut TcpStream) -> std::io::Result<Option<(String, Vec<u8>)>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(end + 4);
            return Ok(Some((String::from_utf8_lossy(&buf).into_owned(), rest)));
        }
        if buf.len() > MAX_HEAD {
            return Ok(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorities_split_and_count_by_name_or_port() {
        assert_eq!(split_authority("a.test:443"), Some(("a.test", 443)));
        assert_eq!(split_authority("[::1]:8080"), Some(("::1", 8080)));
        assert_eq!(split_authority("a.test"), None);
        let map = HashMap::from([("a.test:443".to_string(), 2), ("a.test:80".to_string(), 1)]);
        assert_eq!(count(&map, "a.test"), 3);
        assert_eq!(count(&map, "A.test:443"), 2);
        assert_eq!(count(&map, "b.test"), 0);
    }

    #[test]
    fn a_port_specific_route_wins_over_the_name() {
        let routes: Routes = HashMap::from([
            ("a.test".to_string(), SocketAddr::from(([127, 0, 0, 1], 1))),
            (
                "a.test:8443".to_string(),
                SocketAddr::from(([127, 0, 0, 1], 2)),
            ),
        ]);
        assert_eq!(resolve(&routes, "a.test:443").unwrap().port(), 1);
        assert_eq!(resolve(&routes, "a.test:8443").unwrap().port(), 2);
        assert_eq!(resolve(&routes, "b.test:443"), None);
    }
}
