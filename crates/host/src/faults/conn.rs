//! Connections that can be dropped on purpose. Every accepted TCP stream
//! carries a kill switch; the fault middleware flips it (through the
//! connection info axum hands each request), and from then on every write
//! fails, so hyper closes the socket without sending a single byte of the
//! answer. The client sees a connection error, never a status.
//!
//! Under `--tls` the same switch sits outside the TLS layer: a tripped
//! connection sends no TLS record of the answer either.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// The kill switch of one connection.
#[derive(Debug, Clone, Default)]
pub struct Kill(Arc<AtomicBool>);

impl Kill {
    /// Makes the connection die before it answers.
    pub fn trip(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn tripped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A TCP stream, plain or under TLS, with a kill switch.
pub struct Stream {
    inner: Io,
    kill: Kill,
}

enum Io {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Io {
    fn pin(&mut self) -> Pin<&mut (dyn AsyncReadWrite + Unpin)> {
        match self {
            Io::Plain(s) => Pin::new(s),
            Io::Tls(s) => Pin::new(s.as_mut()),
        }
    }
}

trait AsyncReadWrite: AsyncRead + AsyncWrite {}
impl<T: AsyncRead + AsyncWrite> AsyncReadWrite for T {}

fn killed() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "connection dropped on purpose (fault injection)",
    )
}

impl AsyncRead for Stream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.inner.pin().poll_read(cx, buf)
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.kill.tripped() {
            return Poll::Ready(Err(killed()));
        }
        self.inner.pin().poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if self.kill.tripped() {
            return Poll::Ready(Err(killed()));
        }
        self.inner.pin().poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        match &self.inner {
            Io::Plain(s) => s.is_write_vectored(),
            Io::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.kill.tripped() {
            return Poll::Ready(Err(killed()));
        }
        self.inner.pin().poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner.pin().poll_shutdown(cx)
    }
}

/// How long a client has to finish the TLS handshake.
const HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A TCP listener whose streams carry a kill switch.
pub struct Listener {
    tcp: TcpListener,
    tls: Option<Tls>,
}

struct Tls {
    acceptor: TlsAcceptor,
    /// Handshakes run beside the accept loop, so a slow or silent client delays no one;
    /// dropping the listener (the server stopping) aborts those still running.
    handshakes: JoinSet<Option<(TlsStream<TcpStream>, SocketAddr)>>,
}

impl Listener {
    /// Plain HTTP.
    pub fn plain(tcp: TcpListener) -> Self {
        Self { tcp, tls: None }
    }

    /// HTTPS with `config`.
    pub fn tls(tcp: TcpListener, config: Arc<rustls::ServerConfig>) -> Self {
        Self {
            tcp,
            tls: Some(Tls {
                acceptor: TlsAcceptor::from(config),
                handshakes: JoinSet::new(),
            }),
        }
    }
}

fn with_kill(inner: Io, addr: SocketAddr) -> (Stream, SocketAddr) {
    let kill = Kill::default();
    (Stream { inner, kill }, addr)
}

impl axum::serve::Listener for Listener {
    type Io = Stream;
    type Addr = SocketAddr;

    // Cancel-safe, as axum needs: both awaited futures are.
    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let Some(tls) = &mut self.tls else {
            let (inner, addr) = axum::serve::Listener::accept(&mut self.tcp).await;
            let _ = inner.set_nodelay(true);
            return with_kill(Io::Plain(inner), addr);
        };
        loop {
            tokio::select! {
                (tcp, addr) = axum::serve::Listener::accept(&mut self.tcp) => {
                    let _ = tcp.set_nodelay(true);
                    let acceptor = tls.acceptor.clone();
                    tls.handshakes.spawn(async move {
                        match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                            Ok(Ok(stream)) => Some((stream, addr)),
                            Ok(Err(e)) => {
                                tracing::debug!("TLS handshake with {addr} failed: {e}");
                                None
                            }
                            Err(_) => {
                                tracing::debug!("TLS handshake with {addr} timed out");
                                None
                            }
                        }
                    });
                }
                Some(done) = tls.handshakes.join_next(), if !tls.handshakes.is_empty() => {
                    if let Ok(Some((stream, addr))) = done {
                        return with_kill(Io::Tls(Box::new(stream)), addr);
                    }
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// What each request learns about its connection.
#[derive(Debug, Clone)]
pub struct ConnInfo {
    pub kill: Kill,
}

impl Connected<IncomingStream<'_, Listener>> for ConnInfo {
    fn connect_info(stream: IncomingStream<'_, Listener>) -> Self {
        Self {
            kill: stream.io().kill.clone(),
        }
    }
}
