//! The HJ 212 server over TLS: a device speaking through a real rustls handshake on loopback
//! gets its upload stored and acknowledged; a client that does not speak TLS is counted and
//! dropped; shutdown ends the server.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arrow::record_batch::RecordBatch;
use ecolake_hj212::Profile;
use ecolake_ingest::hj212::{self, Gateway, Hj212Config, Hj212Stats};
use ecolake_ingest::{Device, DeviceDirectory, Pipeline, PipelineConfig, Sink, SinkError, Written};
use ecolake_qc::{Checker, Rules};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::pki_types::{
    CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName,
};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore, ServerConfig};
use tokio_rustls::TlsConnector;

/// The crate documentation's upload: real-time data with the Flag A bit (asks for a 9014).
const UPLOAD: &[u8] = b"##0140QN=20250301120000123;ST=31;CN=2011;PW=123456;MN=0123456789ABCDEF01234567;Flag=5;CP=&&DataTime=20250301120000;a21026-Rtd=12.3,a21026-Flag=N&&42C0\r\n";
const MN: &str = "0123456789ABCDEF01234567";

struct Devices(HashMap<String, Arc<Device>>);

impl DeviceDirectory for Devices {
    fn device(&self, mn: &str) -> Option<Arc<Device>> {
        self.0.get(mn).cloned()
    }
}

#[derive(Default)]
struct Keeper(Mutex<Vec<RecordBatch>>);

impl Sink for Keeper {
    async fn write(&self, batch: RecordBatch) -> Result<Written, SinkError> {
        let accepted = batch.num_rows();
        self.0.lock().unwrap().push(batch);
        Ok(Written {
            accepted,
            rejected: Vec::new(),
        })
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A server configuration for `localhost` and the certificate a client must trust.
fn tls() -> (Arc<ServerConfig>, CertificateDer<'static>) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let der = ck.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![der.clone()], key)
        .unwrap();
    (Arc::new(config), der)
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_uploads_over_tls_and_gets_its_ack() {
    let device = Device {
        mn: MN.to_owned(),
        password: "123456".to_owned(),
        site: "S1".to_owned(),
        profile: Profile::default(),
        time_zone: chrono_tz::Asia::Shanghai,
        scale: HashMap::new(),
        enabled: true,
    };
    let devices = Devices(HashMap::from([(MN.to_owned(), Arc::new(device))]));
    let sink = Arc::new(Keeper::default());
    let (pipeline, pipeline_task) = Pipeline::start(
        sink.clone(),
        Checker::new(Rules::builtin()),
        PipelineConfig::default(),
    );
    let stats = Arc::new(Hj212Stats::default());
    let gateway = Arc::new(Gateway::new(
        Hj212Config::default(),
        Arc::new(devices),
        pipeline.clone(),
        stats.clone(),
    ));
    let (server_config, trusted) = tls();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let server = tokio::spawn(hj212::serve_tls(listener, gateway, server_config, stopped));

    // A device that does not speak TLS: its handshake fails, counted, the server goes on.
    let mut plain = TcpStream::connect(addr).await.unwrap();
    plain.write_all(UPLOAD).await.unwrap();
    let mut rest = Vec::new();
    let _ = plain.read_to_end(&mut rest).await;
    assert!(!String::from_utf8_lossy(&rest).contains("CN=9014"));
    wait_for("the failed handshake to be counted", || {
        stats.tls_failures.load(Ordering::Relaxed) == 1
    })
    .await;

    let mut roots = RootCertStore::empty();
    roots.add(trusted).unwrap();
    let client = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = TcpStream::connect(addr).await.unwrap();
    let mut stream = TlsConnector::from(Arc::new(client))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    stream.write_all(UPLOAD).await.unwrap();
    let mut reply = Vec::new();
    while !reply.ends_with(b"\r\n") {
        let mut byte = [0u8; 1];
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut byte))
            .await
            .expect("a reply within 10 s")
            .unwrap();
        assert_eq!(
            n,
            1,
            "closed before the reply: {}",
            String::from_utf8_lossy(&reply)
        );
        reply.push(byte[0]);
    }
    let reply = String::from_utf8(reply).unwrap();
    assert!(reply.starts_with("##"), "{reply}");
    assert!(
        reply.contains("QN=20250301120000123;ST=91;CN=9014;"),
        "{reply}"
    );
    // The ack comes only once the rows are durable: they are in the sink now.
    let rows: usize = sink.0.lock().unwrap().iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows, 1);
    assert_eq!(stats.data_packets.load(Ordering::Relaxed), 1);
    assert_eq!(stats.acks.load(Ordering::Relaxed), 1);
    assert_eq!(stats.tls_failures.load(Ordering::Relaxed), 1);

    // Shutdown: the connection is closed (with a TLS close_notify) and the server returns.
    stop.send(true).unwrap();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut rest))
        .await
        .expect("the connection closes at shutdown");
    assert!(closed.is_ok(), "no clean TLS close: {closed:?}");
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("serve_tls returns after shutdown")
        .unwrap();
    drop(pipeline);
    pipeline_task.await.unwrap();
}
