//! The HJ 212 TCP server: data acquisition units connect, upload, and get their replies.
//!
//! - Devices are identified by the MN of each packet, never by the socket: a connection may
//!   carry many devices (a data concentrator) and a device may reconnect at any time.
//! - Every packet is authenticated by MN and PW against the [`DeviceDirectory`]; an unknown MN,
//!   a wrong password or a disabled device gets the standard's 9011 with `QnRtn` 4, 3 or 2,
//!   is counted and logged once per device per interval, and nothing of it is stored — except,
//!   with `quarantine_unknown`, the raw frames of unknown MNs' data uploads, kept for review
//!   ([`frames::quarantine`]).
//! - Data uploads (2011 real-time, 2051 minute, 2061 hourly, 2031 daily, 2021 running state,
//!   2041 run time) become observations: one row per factor, the period from CN, `Rtd`/`Avg`
//!   as value, `Min`, `Max`, `Cou`, `ZsRtd`/`ZsAvg`, the factor's data flag; other numeric
//!   fields (vendor sub-fields like the `100000-Ia` of electricity monitoring) become factors of
//!   their own, `code-field`; `SampleTime`, `EFlag` and `Info` are not measurements. The 9014 a packet
//!   asks for (Flag A bit) is sent only after its rows are durable. Each segment of a segmented
//!   upload is stored and acknowledged on its own (the device waits for each 9014); the
//!   segments share the upload's DataTime, so their rows join in the table. Other uploads
//!   (restart time, station information) are acknowledged and not stored as observations.
//! - The platform sends its own requests (history data, intervals, time, timeouts) down the
//!   connection a device was last seen on, and tracks each exchange as Table 1 says: see
//!   [`commands`].
//! - A time calibration request (1013) is answered with 9013 and a 1012 carrying the platform's
//!   time in the device's zone.
//! - Each device's profile (edition, CRC dialect, strictness) decodes its packets: a connection
//!   starts with the configured default and switches to the profile of the device it carries.
//! - Hostile input: a connection limit, an idle timeout, a deadline for a started packet to
//!   complete (slow-loris), the codec's packet length limit, a per-device packet rate limit;
//!   bad packets and garbage are counted and skipped without closing the connection. A reader
//!   waits while the pipeline's queue is full, so a slow store slows devices down instead of
//!   growing memory.
//! - TLS ([`serve_tls`]): the same server behind a rustls handshake, which must complete
//!   within `packet_timeout`; failed handshakes are counted (`tls_failures`) and logged at
//!   debug level. The connection code is the same, generic over the stream.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ecolake_hj212::Profile;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;
use tracing::{debug, info, warn};

use crate::pipeline::Pipeline;
use crate::sink::DeviceDirectory;

pub mod commands;
pub(crate) mod connection;
pub mod frames;
pub(crate) mod rows;

/// Settings of the HJ 212 server.
#[derive(Debug, Clone)]
pub struct Hj212Config {
    /// Connections open at most; more are closed at once (and counted).
    pub max_connections: usize,
    /// A connection silent this long is closed.
    pub idle_timeout: Duration,
    /// A packet whose first bytes arrived must be complete within this (slow-loris).
    pub packet_timeout: Duration,
    /// Packets per second one device (MN) may send on average; more are refused with 9011
    /// `QnRtn=2` and the device sends them again later.
    pub device_rate: f64,
    /// Keep the data uploads of unknown MNs for review (still refused with 9011 `QnRtn=4`,
    /// never stored as rows): see [`frames::quarantine`].
    pub quarantine_unknown: bool,
    /// How to decode a connection's packets before its device is known.
    pub default_profile: Profile,
    /// Refused devices are logged once per this interval each.
    pub log_interval: Duration,
    /// Timeout and resends of the platform's requests (Table 1).
    pub timing: commands::Timing,
}

impl Default for Hj212Config {
    fn default() -> Self {
        Hj212Config {
            max_connections: 10_000,
            idle_timeout: Duration::from_secs(600),
            packet_timeout: Duration::from_secs(30),
            device_rate: 100.0,
            quarantine_unknown: false,
            default_profile: Profile::default(),
            log_interval: Duration::from_secs(60),
            timing: commands::Timing::default(),
        }
    }
}

macro_rules! counters {
    ($( $(#[$doc:meta])* $name:ident ),* $(,)?) => {
        /// Counters of the HJ 212 server.
        #[derive(Debug, Default)]
        pub struct Hj212Stats {
            $( $(#[$doc])* pub $name: AtomicU64, )*
        }

        impl Hj212Stats {
            /// Every counter by name.
            pub fn values(&self) -> Vec<(&'static str, u64)> {
                vec![$( (stringify!($name), self.$name.load(Ordering::Relaxed)) ),*]
            }
        }
    };
}

counters! {
    /// Connections open now.
    connections_open,
    /// Connections accepted since start.
    connections_total,
    /// Connections closed at once because `max_connections` were open.
    connections_refused,
    /// Connections closed for being idle or too slow to complete a packet.
    connections_timed_out,
    /// TLS connections whose handshake failed or did not complete within `packet_timeout`.
    tls_failures,
    /// Packets decoded.
    packets,
    /// Data uploads stored.
    data_packets,
    /// 9014 acknowledgements sent.
    acks,
    /// Packets of unknown MNs.
    unknown_device,
    /// Uploads of unknown MNs kept for review (`quarantine_unknown`).
    quarantined,
    /// Packets with a wrong password.
    bad_password,
    /// Packets of disabled devices.
    disabled_device,
    /// Packets refused by the per-device rate limit.
    rate_limited,
    /// Packets that failed to decode.
    decode_errors,
    /// Bytes that were not packets.
    garbage_bytes,
    /// Uploads that could not become rows (no or bad DataTime).
    bad_uploads,
    /// Fields whose value is not a number.
    bad_values,
    /// Rows the store refused.
    rows_refused,
    /// Uploads not acknowledged because the store failed to write them.
    store_failures,
}

impl Hj212Stats {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

/// The HJ 212 side of the platform: settings, the device directory, the pipeline and the
/// counters that the TCP server's connections and the MQTT subscriber share.
#[derive(Debug)]
pub struct Gateway<D> {
    pub(crate) config: Hj212Config,
    directory: Arc<D>,
    pub(crate) pipeline: Pipeline,
    pub(crate) stats: Arc<Hj212Stats>,
    /// The recent frames of each device.
    pub(crate) frames: Arc<frames::FrameLog>,
    /// The platform's requests to its devices.
    pub(crate) commands: Arc<commands::Commands>,
    buckets: Mutex<HashMap<String, Bucket>>,
    logged: Mutex<HashMap<String, Instant>>,
}

/// A token bucket of one device.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl<D: DeviceDirectory> Gateway<D> {
    /// A gateway writing to `pipeline`.
    pub fn new(
        config: Hj212Config,
        directory: Arc<D>,
        pipeline: Pipeline,
        stats: Arc<Hj212Stats>,
    ) -> Gateway<D> {
        let frames = Arc::<frames::FrameLog>::default();
        let commands = Arc::new(commands::Commands::new(config.timing, frames.clone()));
        Gateway {
            config,
            directory,
            pipeline,
            stats,
            frames,
            commands,
            buckets: Mutex::default(),
            logged: Mutex::default(),
        }
    }

    /// The counters.
    pub fn stats(&self) -> &Arc<Hj212Stats> {
        &self.stats
    }

    /// The recent frames of each device.
    pub fn frames(&self) -> &Arc<frames::FrameLog> {
        &self.frames
    }

    /// The platform's requests to its devices (history, intervals, time).
    pub fn commands(&self) -> &Arc<commands::Commands> {
        &self.commands
    }

    /// The gateway recording frames in `frames` (an archived log, say) instead of a new one.
    pub fn with_frames(mut self, frames: Arc<frames::FrameLog>) -> Gateway<D> {
        self.commands = Arc::new(commands::Commands::new(self.config.timing, frames.clone()));
        self.frames = frames;
        self
    }
}

impl<D> Gateway<D> {
    /// Whether a packet of `mn` is within its rate.
    fn admit(&self, mn: &str, now: Instant) -> bool {
        let rate = self.config.device_rate;
        let burst = (rate * 2.0).max(10.0);
        let mut buckets = self.buckets.lock().expect("bucket lock");
        if buckets.len() > 1_000_000 {
            buckets.clear();
        }
        let b = match buckets.get_mut(mn) {
            Some(b) => b,
            None => buckets.entry(mn.to_owned()).or_insert(Bucket {
                tokens: burst,
                at: now,
            }),
        };
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * rate).min(burst);
        b.at = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Whether to log a refusal of `mn` now (once per interval per device).
    fn should_log(&self, mn: &str, now: Instant) -> bool {
        let mut logged = self.logged.lock().expect("log lock");
        if logged.len() > 100_000 {
            logged.clear();
        }
        match logged.get(mn) {
            Some(t) if now.duration_since(*t) < self.config.log_interval => false,
            _ => {
                logged.insert(mn.to_owned(), now);
                true
            }
        }
    }
}

/// Serves HJ 212 on `listener` until `shutdown` turns true, then stops accepting, lets each
/// connection finish the packets it has read (their data written, their replies sent) and
/// returns when every connection has closed.
pub async fn serve<D: DeviceDirectory>(
    listener: TcpListener,
    gateway: Arc<Gateway<D>>,
    shutdown: watch::Receiver<bool>,
) {
    accept(listener, gateway, None, shutdown).await
}

/// [`serve`] over TLS: each connection's handshake (`tls`: certificate and key, as
/// `ecolake_server::tls::server_config` loads them) must complete within `packet_timeout`, then
/// the connection is served as a plain one is.
pub async fn serve_tls<D: DeviceDirectory>(
    listener: TcpListener,
    gateway: Arc<Gateway<D>>,
    tls: Arc<ServerConfig>,
    shutdown: watch::Receiver<bool>,
) {
    accept(listener, gateway, Some(TlsAcceptor::from(tls)), shutdown).await
}

async fn accept<D: DeviceDirectory>(
    listener: TcpListener,
    gateway: Arc<Gateway<D>>,
    tls: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    let limit = Arc::new(Semaphore::new(gateway.config.max_connections));
    let mut tasks = JoinSet::new();
    if let Ok(addr) = listener.local_addr() {
        let over = if tls.is_some() { " (TLS)" } else { "" };
        info!("HJ 212 server listening on {addr}{over}");
    }
    loop {
        while tasks.try_join_next().is_some() {}
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        let (stream, peer): (_, SocketAddr) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // Out of file descriptors, usually: wait a little rather than spin.
                warn!("accepting an HJ 212 connection: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = limit.clone().try_acquire_owned() else {
            Hj212Stats::add(&gateway.stats.connections_refused, 1);
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let gateway = gateway.clone();
        let shutdown = shutdown.clone();
        let tls = tls.clone();
        tasks.spawn(async move {
            Hj212Stats::add(&gateway.stats.connections_total, 1);
            Hj212Stats::add(&gateway.stats.connections_open, 1);
            match tls {
                None => connection::run(stream, peer, &gateway, shutdown).await,
                Some(tls) => serve_tls_connection(&tls, stream, peer, &gateway, shutdown).await,
            }
            gateway
                .stats
                .connections_open
                .fetch_sub(1, Ordering::Relaxed);
            drop(permit);
        });
    }
    drop(listener);
    while tasks.join_next().await.is_some() {}
}

/// The TLS handshake (bounded by `packet_timeout`, abandoned at shutdown), then the connection.
async fn serve_tls_connection<D: DeviceDirectory>(
    tls: &TlsAcceptor,
    stream: TcpStream,
    peer: SocketAddr,
    gateway: &Gateway<D>,
    mut shutdown: watch::Receiver<bool>,
) {
    let handshake = tokio::time::timeout(gateway.config.packet_timeout, tls.accept(stream));
    let handshake = tokio::select! {
        h = handshake => h,
        _ = shutdown.wait_for(|stop| *stop) => return,
    };
    match handshake {
        Ok(Ok(stream)) => connection::run(stream, peer, gateway, shutdown).await,
        Ok(Err(e)) => {
            Hj212Stats::add(&gateway.stats.tls_failures, 1);
            debug!("{peer}: TLS handshake failed: {e}");
        }
        Err(_) => {
            Hj212Stats::add(&gateway.stats.tls_failures, 1);
            debug!("{peer}: TLS handshake timed out");
        }
    }
}
