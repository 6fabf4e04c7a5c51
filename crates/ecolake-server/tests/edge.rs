//! The API's edge: quotas, HTTP caching, security headers and CORS through real routers, and
//! the API over TLS with a real handshake and real HTTP/1.1 requests on loopback.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use ecolake_server::cache::{self, Cacheable};
use ecolake_server::limit::{self, RateKey, RateLimiter};
use ecolake_server::tls::{self, TlsError};
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tower::ServiceExt;

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let res = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    (
        parts.status,
        parts.headers,
        String::from_utf8(bytes.to_vec()).unwrap(),
    )
}

fn get_req(uri: &str) -> axum::http::request::Builder {
    Request::builder().method(Method::GET).uri(uri)
}

fn header_of<'a>(h: &'a axum::http::HeaderMap, name: &str) -> &'a str {
    h.get(name).map_or("", |v| v.to_str().unwrap())
}

/// A stand-in for the authentication layer: the `x-test-key` header names the caller, with 3
/// requests a minute.
async fn fake_auth(mut req: axum::extract::Request, next: Next) -> Response {
    if let Some(k) = req.headers().get("x-test-key").cloned() {
        req.extensions_mut().insert(RateKey {
            key: format!("key:{}", k.to_str().unwrap()),
            per_min: 3,
            per_hour: 100,
        });
    }
    next.run(req).await
}

#[tokio::test]
async fn quotas_refuse_with_429_retry_after_and_ratelimit_headers() {
    let limiter = Arc::new(RateLimiter::default());
    let app = Router::new()
        .route("/x", get(|| async { "ok" }))
        .layer(middleware::from_fn_with_state(limiter, limit::rate_limit))
        .layer(middleware::from_fn(fake_auth));
    let keyed = |k: &str| {
        get_req("/x")
            .header("x-test-key", k)
            .body(Body::empty())
            .unwrap()
    };
    for remaining in ["2", "1", "0"] {
        let (status, h, body) = send(&app, keyed("a")).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
        assert_eq!(header_of(&h, "x-ratelimit-limit"), "3");
        assert_eq!(header_of(&h, "x-ratelimit-remaining"), remaining);
        assert!(header_of(&h, "x-ratelimit-reset").parse::<u64>().unwrap() <= 60);
    }
    let (status, h, body) = send(&app, keyed("a")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = header_of(&h, "retry-after").parse().unwrap();
    assert!((1..=20).contains(&retry), "retry-after {retry}");
    assert_eq!(header_of(&h, "x-ratelimit-remaining"), "0");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["code"], "rate_limited");
    // Another key has its own quota.
    assert_eq!(send(&app, keyed("b")).await.0, StatusCode::OK);
    // No key: the peer address with the anonymous default (60/min).
    let mut anon = get_req("/x").body(Body::empty()).unwrap();
    anon.extensions_mut()
        .insert(ConnectInfo("192.0.2.9:4000".parse::<SocketAddr>().unwrap()));
    let (status, h, _) = send(&app, anon).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(header_of(&h, "x-ratelimit-limit"), "60");
    assert_eq!(header_of(&h, "x-ratelimit-remaining"), "59");
}

fn cache_app() -> Router {
    Router::new()
        .route(
            "/open",
            get(|| async {
                (
                    Extension(Cacheable { max_age_s: 60 }),
                    axum::Json(serde_json::json!({"sites": ["S1", "S2"]})),
                )
            }),
        )
        .route(
            "/stream",
            get(|| async {
                let chunks = futures::stream::iter(["a", "b"].map(Ok::<_, std::io::Error>));
                (
                    Extension(Cacheable { max_age_s: 5 }),
                    Body::from_stream(chunks),
                )
            }),
        )
        .route("/private", get(|| async { "mine" }))
        .route(
            "/fails",
            get(|| async {
                (
                    StatusCode::NOT_FOUND,
                    Extension(Cacheable { max_age_s: 60 }),
                    "no",
                )
            }),
        )
        .layer(middleware::from_fn(cache::caching))
}

#[tokio::test]
async fn cacheable_answers_get_an_etag_and_304_when_unchanged() {
    let app = cache_app();
    let (status, h, body) = send(&app, get_req("/open").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, r#"{"sites":["S1","S2"]}"#);
    assert_eq!(header_of(&h, "cache-control"), "public, max-age=60");
    assert_eq!(header_of(&h, "vary"), "authorization");
    let etag = header_of(&h, "etag").to_owned();
    assert!(etag.starts_with('"') && etag.len() == 34, "{etag}");
    // The same body, the same tag; a cache revalidates and gets no body.
    let again = get_req("/open")
        .header(header::IF_NONE_MATCH, format!("\"other\", {etag}"))
        .body(Body::empty())
        .unwrap();
    let (status, h, body) = send(&app, again).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_eq!(body, "");
    assert_eq!(header_of(&h, "etag"), etag);
    assert_eq!(header_of(&h, "cache-control"), "public, max-age=60");
    let stale = get_req("/open")
        .header(header::IF_NONE_MATCH, "\"other\"")
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, stale).await.0, StatusCode::OK);
    // A signed-in caller's copy is for its own cache only.
    let signed_in = get_req("/open")
        .header(header::AUTHORIZATION, "Bearer x")
        .body(Body::empty())
        .unwrap();
    let (_, h, _) = send(&app, signed_in).await;
    assert_eq!(header_of(&h, "cache-control"), "private, max-age=60");
    assert_eq!(header_of(&h, "etag"), etag);
    // A streamed body is not buffered: cacheable, without an ETag.
    let (status, h, body) = send(&app, get_req("/stream").body(Body::empty()).unwrap()).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ab"));
    assert_eq!(header_of(&h, "cache-control"), "public, max-age=5");
    assert!(h.get("etag").is_none());
    // Unmarked answers, errors and other methods are never stored.
    for (method, uri) in [("GET", "/private"), ("GET", "/fails"), ("POST", "/open")] {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::empty())
            .unwrap();
        let (_, h, _) = send(&app, req).await;
        assert_eq!(header_of(&h, "cache-control"), "no-store", "{method} {uri}");
        assert!(h.get("etag").is_none());
    }
}

fn cors_app(origins: &[&str], tls: bool) -> Router {
    Router::new()
        .route("/x", get(|| async { "ok" }).post(|| async { "posted" }))
        .layer(cache::cors(origins))
        .layer(middleware::from_fn_with_state(
            tls,
            cache::security_headers_with,
        ))
}

fn assert_secured(h: &axum::http::HeaderMap, tls: bool) {
    assert_eq!(header_of(h, "x-content-type-options"), "nosniff");
    assert_eq!(header_of(h, "x-frame-options"), "DENY");
    assert_eq!(header_of(h, "referrer-policy"), "no-referrer");
    assert_eq!(
        header_of(h, "content-security-policy"),
        "default-src 'none'; frame-ancestors 'none'"
    );
    assert_eq!(h.contains_key("strict-transport-security"), tls);
}

fn preflight(origin: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri("/x")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn cors_allows_only_configured_origins_and_every_answer_is_secured() {
    let app = cors_app(&["https://app.example.org"], true);
    // A preflight from the allowed origin is answered here.
    let (status, h, _) = send(&app, preflight("https://app.example.org")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        header_of(&h, "access-control-allow-origin"),
        "https://app.example.org"
    );
    assert!(header_of(&h, "access-control-allow-headers").contains("authorization"));
    assert!(header_of(&h, "access-control-allow-methods").contains("POST"));
    assert_eq!(header_of(&h, "vary"), "origin");
    assert_secured(&h, true);
    // From another origin: refused, without CORS headers.
    let (status, h, body) = send(&app, preflight("https://evil.example")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("\"forbidden\""), "{body}");
    assert!(h.get("access-control-allow-origin").is_none());
    assert_secured(&h, true);
    // Simple requests: the allowed origin may read the answer, exposed headers and all.
    let from = |origin: &str| {
        get_req("/x")
            .header(header::ORIGIN, origin)
            .body(Body::empty())
            .unwrap()
    };
    let (status, h, _) = send(&app, from("https://app.example.org")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        header_of(&h, "access-control-allow-origin"),
        "https://app.example.org"
    );
    assert!(header_of(&h, "access-control-expose-headers").contains("x-ratelimit-remaining"));
    let (status, h, _) = send(&app, from("https://evil.example")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(h.get("access-control-allow-origin").is_none());
    assert_eq!(header_of(&h, "vary"), "origin");
    // No origins configured (the default): no CORS at all; no TLS: no HSTS.
    let closed = cors_app(&[], false);
    let (status, h, _) = send(&closed, preflight("https://app.example.org")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_secured(&h, false);
    let (_, h, _) = send(&closed, from("https://app.example.org")).await;
    assert!(h.get("access-control-allow-origin").is_none());
    // `*`: any origin, one answer for all.
    let open = cors_app(&["*"], false);
    let (_, h, _) = send(&open, from("https://anyone.example")).await;
    assert_eq!(header_of(&h, "access-control-allow-origin"), "*");
    assert!(h.get("vary").is_none());
}

/// A self-signed certificate for `localhost` written to `dir`: (cert path, key path, DER).
fn certificate(
    dir: &Path,
    name: &str,
) -> (
    std::path::PathBuf,
    std::path::PathBuf,
    CertificateDer<'static>,
) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = dir.join(format!("{name}.crt"));
    let key = dir.join(format!("{name}.key"));
    std::fs::write(&cert, ck.cert.pem()).unwrap();
    std::fs::write(&key, ck.signing_key.serialize_pem()).unwrap();
    (cert, key, ck.cert.der().clone())
}

fn connector(trusted: CertificateDer<'static>) -> TlsConnector {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(trusted).unwrap();
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    TlsConnector::from(Arc::new(config))
}

/// Reads one HTTP/1.1 response with a Content-Length: (head, body).
async fn read_response<S: AsyncReadExt + Unpin>(s: &mut S) -> (String, String) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        assert_eq!(
            s.read(&mut byte).await.unwrap(),
            1,
            "closed inside the head"
        );
        buf.push(byte[0]);
    }
    let head = String::from_utf8(buf).unwrap();
    let len: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .expect("content-length");
    let mut body = vec![0; len];
    s.read_exact(&mut body).await.unwrap();
    (head, String::from_utf8(body).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_is_served_over_tls_and_bad_clients_do_not_disturb_it() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, der) = certificate(dir.path(), "server");
    let config = tls::server_config(&cert, &key).unwrap();
    let app = Router::new()
        .route(
            "/peer",
            get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }),
        )
        .layer(middleware::from_fn_with_state(
            true,
            cache::security_headers_with,
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(tls::serve_tls(listener, app, config, async {
        let _ = stopped.await;
    }));

    // Plain HTTP to the TLS port: the handshake fails, the connection is dropped.
    let mut plain = TcpStream::connect(addr).await.unwrap();
    plain
        .write_all(b"GET /peer HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut rest = Vec::new();
    let _ = plain.read_to_end(&mut rest).await;
    assert!(!String::from_utf8_lossy(&rest).contains("200 OK"));
    // A client that connects and says nothing does not hold up the others.
    let _silent = TcpStream::connect(addr).await.unwrap();

    let connector = connector(der);
    let name = ServerName::try_from("localhost").unwrap();
    let tcp = TcpStream::connect(addr).await.unwrap();
    let mut tls_stream = connector.connect(name.clone(), tcp).await.unwrap();
    assert_eq!(
        tls_stream.get_ref().1.alpn_protocol(),
        Some(&b"http/1.1"[..])
    );
    // Two requests on one keep-alive connection.
    for _ in 0..2 {
        tls_stream
            .write_all(b"GET /peer HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .unwrap();
        let (head, body) = read_response(&mut tls_stream).await;
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(head
            .to_ascii_lowercase()
            .contains("strict-transport-security: max-age=31536000"));
        assert_eq!(body, "127.0.0.1");
    }
    // Shutdown: the idle keep-alive connection is closed and the server returns.
    stop.send(()).unwrap();
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), tls_stream.read_to_end(&mut rest))
        .await
        .expect("the idle connection is closed at shutdown");
    let deadline = Instant::now() + Duration::from_secs(10);
    let result = tokio::time::timeout_at(deadline.into(), server)
        .await
        .expect("serve_tls returns after shutdown");
    result.unwrap().unwrap();
}

#[test]
fn certificate_problems_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key, _) = certificate(dir.path(), "a");
    let (_, other_key, _) = certificate(dir.path(), "b");
    let missing = dir.path().join("missing.pem");
    let text = |e: TlsError| e.to_string();

    let e = text(tls::server_config(&missing, &key).unwrap_err());
    assert!(
        e.starts_with("reading ") && e.contains("missing.pem"),
        "{e}"
    );
    let e = text(tls::server_config(&key, &key).unwrap_err());
    assert!(e.contains("a.key holds no certificate"), "{e}");
    let e = text(tls::server_config(&cert, &cert).unwrap_err());
    assert!(e.contains("a.crt holds no private key"), "{e}");
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(&garbage, "-----BEGIN CERTIFICATE-----\nnot base64!\n").unwrap();
    let e = text(tls::server_config(&garbage, &key).unwrap_err());
    assert!(e.contains("garbage.pem: not valid PEM"), "{e}");
    let e = text(tls::server_config(&cert, &other_key).unwrap_err());
    assert!(e.contains("b.key") && e.contains("a.crt"), "{e}");
    assert!(tls::server_config(&cert, &key).is_ok());
}

#[test]
fn responses_are_responses() {
    // The refusal is a complete response on its own (for the authentication layer's use).
    let d = limit::RateLimiter::new(16).check("k", 0, 100, Instant::now());
    let res = d.refusal().into_response();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        res.headers().get("retry-after"),
        Some(&HeaderValue::from(60u64))
    );
}
