//! TLS (rustls, ring provider) for the HTTP API and the HJ 212 listener: the certificate and
//! key from PEM files ([`server_config`]) and the API served over TLS ([`serve_tls`]).
//!
//! `serve_tls` is `axum::serve` with a TLS handshake in front: each connection is handshaken
//! in its own task within [`HANDSHAKE_TIMEOUT`] (a client that never finishes holds nothing
//! else up), then served as HTTP/1.1 (ALPN `http/1.1`) with a [`HEADER_READ_TIMEOUT`] for each
//! request's head. Handlers see the peer as axum's `ConnectInfo<SocketAddr>`. A bad client
//! (plain HTTP to the TLS port, garbage, an aborted handshake) is logged at debug level and
//! dropped. At shutdown the server stops accepting, lets each connection finish the request
//! it is serving and closes idle keep-alive connections, like `axum::serve`'s graceful
//! shutdown.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt;
use tracing::{debug, info, warn};

/// A TLS handshake must complete within this.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// A request's head (request line and headers) must arrive within this.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the certificate or key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The file could not be read.
    #[error("reading {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file is not PEM as expected.
    #[error("{}: not valid PEM: {message}", path.display())]
    Pem {
        /// The file.
        path: PathBuf,
        /// What the PEM reader said.
        message: String,
    },
    /// The certificate file holds no certificate.
    #[error("{} holds no certificate (expected PEM `BEGIN CERTIFICATE` blocks, the server's \
             first, then its chain)", path.display())]
    NoCertificate {
        /// The file.
        path: PathBuf,
    },
    /// The key file holds no private key.
    #[error("{} holds no private key (expected a PEM PKCS#8, PKCS#1 (RSA) or SEC1 (EC) key)",
            path.display())]
    NoKey {
        /// The file.
        path: PathBuf,
    },
    /// rustls refused the pair: the key does not fit the certificate, or is of a kind it does
    /// not support.
    #[error("the key {} and the certificate {} do not make a TLS configuration: {source}",
            key.display(), cert.display())]
    Rejected {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// What rustls said.
        source: rustls::Error,
    },
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_owned(),
        source,
    })
}

fn pem_error(path: &Path, e: rustls::pki_types::pem::Error) -> TlsError {
    TlsError::Pem {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

/// The server's TLS configuration from PEM files: `cert` the certificate chain (the server's
/// certificate first), `key` its private key (PKCS#8, PKCS#1 or SEC1). TLS 1.2 and 1.3, the
/// ring provider's safe defaults, no client certificates, no ALPN (HTTP adds its own).
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let cert_pem = read(cert)?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(cert, e))?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate {
            path: cert.to_owned(),
        });
    }
    let key_pem = read(key)?;
    let private = match PrivateKeyDer::from_pem_slice(&key_pem) {
        Ok(k) => k,
        Err(rustls::pki_types::pem::Error::NoItemsFound) => {
            return Err(TlsError::NoKey {
                path: key.to_owned(),
            })
        }
        Err(e) => return Err(pem_error(key, e)),
    };
    let rejected = |source| TlsError::Rejected {
        cert: cert.to_owned(),
        key: key.to_owned(),
        source,
    };
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(rejected)?
            .with_no_client_auth()
            .with_single_cert(chain, private)
            .map_err(rejected)?;
    Ok(Arc::new(config))
}

/// Serves `router` over TLS on `listener` until `shutdown` resolves, then stops accepting and
/// returns when every connection has finished (see the module documentation).
pub async fn serve_tls<F>(
    listener: TcpListener,
    router: Router,
    config: Arc<ServerConfig>,
    shutdown: F,
) -> io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let mut config = (*config).clone();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let (stop, stopped) = watch::channel(false);
    let mut tasks = JoinSet::new();
    if let Ok(addr) = listener.local_addr() {
        info!("HTTPS server listening on {addr}");
    }
    tokio::pin!(shutdown);
    loop {
        while tasks.try_join_next().is_some() {}
        let accepted = tokio::select! {
            r = listener.accept() => r,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors, usually: wait a little rather than spin.
                warn!("accepting an HTTPS connection: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        tasks.spawn(connection(
            acceptor.clone(),
            stream,
            peer,
            router.clone(),
            stopped.clone(),
        ));
    }
    drop(listener);
    let _ = stop.send(true);
    while tasks.join_next().await.is_some() {}
    Ok(())
}

/// One connection: the handshake, then HTTP/1.1 until the client or the server closes it.
async fn connection(
    acceptor: TlsAcceptor,
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    mut stopped: watch::Receiver<bool>,
) {
    let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
    let handshake = tokio::select! {
        h = handshake => h,
        _ = stopped.wait_for(|s| *s) => return,
    };
    let stream = match handshake {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            debug!("{peer}: TLS handshake failed: {e}");
            return;
        }
        Err(_) => {
            debug!("{peer}: TLS handshake timed out");
            return;
        }
    };
    let service =
        ServiceExt::<Request<Incoming>>::map_request(router, move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            req
        });
    let service = TowerToHyperService::new(service);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let conn = http
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::pin!(conn);
    let done = tokio::select! {
        r = conn.as_mut() => Some(r),
        _ = stopped.wait_for(|s| *s) => None,
    };
    let result = match done {
        Some(r) => r,
        None => {
            // Finish the request in progress, then close (an idle connection closes now).
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        debug!("{peer}: HTTPS connection: {e}");
    }
}
