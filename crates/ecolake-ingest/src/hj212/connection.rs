//! One TCP connection (plain or TLS): read, decode, authenticate, store, reply.

use std::collections::HashSet;
use std::fmt::Display;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{Buf, BytesMut};
use ecolake_hj212::{
    decode, encode_into, reply, Command, Event, Packet, Profile, QnRtn, StreamDecoder,
};
use ecolake_qc::Origin;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, watch};
use tracing::{debug, warn};

use super::rows::{self, Appended};
use super::{Gateway, Hj212Stats};
use crate::rows::Columns;
use crate::sink::{Device, DeviceDirectory};

/// Bytes a connection's read buffer makes room for before each read.
const READ_CHUNK: usize = 1024;
/// How long closing a connection may take (a TLS close_notify to a peer that reads nothing).
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// What one read of the socket (or one MQTT message) produced.
pub(crate) struct Round {
    pub(crate) columns: Columns,
    /// Rows answering the platform's history requests (built only when one runs: reads
    /// without them allocate nothing for it).
    pub(crate) history: Option<Columns>,
    /// Replies in order.
    pub(crate) replies: Vec<Reply>,
    /// Whether any event was decoded (progress, for the slow-loris deadline).
    progress: bool,
}

/// A reply to send.
pub(crate) struct Reply {
    pub(crate) bytes: Vec<u8>,
    /// Only once the round's rows are durable (a 9014).
    pub(crate) needs_durable: bool,
    /// The device it goes to.
    pub(crate) mn: String,
}

/// The replies to send now (the 9014s only if the data is durable), recording every reply in
/// the frame log; the bytes and the number of 9014s.
pub(crate) fn replies_to_send<D>(
    replies: &[Reply],
    durable: bool,
    gateway: &Gateway<D>,
    peer: &str,
) -> (Vec<u8>, u64) {
    {
        let mut out = Vec::new();
        let mut acks = 0;
        for r in replies {
            if r.needs_durable && !durable {
                gateway.frames.record(
                    &r.mn,
                    "out",
                    peer,
                    &r.bytes,
                    "not sent: the data is not stored".into(),
                );
                continue;
            }
            acks += u64::from(r.needs_durable);
            out.extend_from_slice(&r.bytes);
            gateway
                .frames
                .record(&r.mn, "out", peer, &r.bytes, "sent".into());
        }
        (out, acks)
    }
}

/// A TCP connection as the platform's requests see it: where to send them, and the devices
/// seen on it.
pub(crate) struct Link {
    conn: u64,
    tx: mpsc::Sender<Vec<u8>>,
    mns: HashSet<String>,
}

/// Serves one connection until it closes, times out or the server stops. `S` is a TCP stream
/// or a TLS stream over one (monomorphised: no dynamic dispatch per read).
pub(super) async fn run<D, S>(
    mut stream: S,
    peer: SocketAddr,
    gateway: &Gateway<D>,
    mut shutdown: watch::Receiver<bool>,
) where
    D: DeviceDirectory,
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let (tx, mut requests) = mpsc::channel::<Vec<u8>>(8);
    let mut link = Link {
        conn: gateway.commands.connection_id(),
        tx,
        mns: HashSet::new(),
    };
    serve_connection(
        &mut stream,
        peer,
        gateway,
        &mut shutdown,
        &mut link,
        &mut requests,
    )
    .await;
    let mns: Vec<String> = link.mns.into_iter().collect();
    gateway.commands.unlink(link.conn, &mns);
    // A FIN (TCP) or close_notify then FIN (TLS, so the peer knows nothing was cut off).
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, stream.shutdown()).await;
}

async fn serve_connection<D, S>(
    stream: &mut S,
    peer: SocketAddr,
    gateway: &Gateway<D>,
    shutdown: &mut watch::Receiver<bool>,
    link: &mut Link,
    requests: &mut mpsc::Receiver<Vec<u8>>,
) where
    D: DeviceDirectory,
    S: AsyncRead + AsyncWrite + Unpin,
{
    // Small, grown on demand: 10,000 idle connections must not hold 8 KiB each. A packet of
    // real-time data is a few hundred bytes; a longer one is read in several reads.
    let mut buf = BytesMut::with_capacity(READ_CHUNK);
    let mut decoder = StreamDecoder::new(gateway.config.default_profile);
    let mut waiting_since: Option<Instant> = None;
    let mut last_read = Instant::now();
    loop {
        let deadline = match waiting_since {
            Some(t) => t + gateway.config.packet_timeout,
            None => last_read + gateway.config.idle_timeout,
        };
        // Reclaims the consumed front of the buffer when it can (no copy when it is empty).
        buf.reserve(READ_CHUNK);
        let read = tokio::select! {
            r = tokio::time::timeout_at(deadline.into(), stream.read_buf(&mut buf)) => Ok(r),
            Some(request) = requests.recv() => Err(Some(request)),
            _ = shutdown.wait_for(|stop| *stop) => Err(None),
        };
        let read = match read {
            Ok(read) => read,
            Err(Some(request)) => {
                // A request of the platform (the exchange recorded it in the frame log).
                if let Err(e) = write(stream, &request).await {
                    debug!("{peer}: writing a request: {e}");
                    break;
                }
                continue;
            }
            Err(None) => break,
        };
        let eof = match read {
            Err(_) => {
                Hj212Stats::add(&gateway.stats.connections_timed_out, 1);
                debug!("{peer}: timed out");
                break;
            }
            Ok(Err(e)) => {
                debug!("{peer}: {e}");
                break;
            }
            Ok(Ok(0)) => true,
            Ok(Ok(_)) => false,
        };
        last_read = Instant::now();
        let round = decode_round(&mut buf, &mut decoder, eof, gateway, &peer, Some(link));
        let durable = store(round.columns, round.history, gateway, &peer).await;
        let (out, acks) = replies_to_send(&round.replies, durable, gateway, &peer.to_string());
        if !out.is_empty() {
            if let Err(e) = write(stream, &out).await {
                debug!("{peer}: writing replies: {e}");
                break;
            }
            Hj212Stats::add(&gateway.stats.acks, acks);
        }
        waiting_since = match (buf.is_empty(), round.progress) {
            (true, _) => None,
            (false, true) => Some(Instant::now()),
            (false, false) => waiting_since.or(Some(Instant::now())),
        };
        if eof {
            break;
        }
    }
}

/// Writes `bytes` and flushes them: a TLS stream may keep written bytes in its buffer until
/// flushed (a TCP stream's flush does nothing).
async fn write<S: AsyncWrite + Unpin>(stream: &mut S, bytes: &[u8]) -> std::io::Result<()> {
    stream.write_all(bytes).await?;
    stream.flush().await
}

/// Writes a round's rows, live and history; whether they are durable (a round without rows
/// is).
pub(crate) async fn store<D>(
    live: Columns,
    history: Option<Columns>,
    gateway: &Gateway<D>,
    peer: &(dyn Display + Sync),
) -> bool {
    let received_ms = chrono::Utc::now().timestamp_millis();
    let live = submit(live, Origin::Live { received_ms }, gateway, peer);
    let Some(history) = history else {
        return live.await;
    };
    let history = submit(history, Origin::History { received_ms }, gateway, peer);
    let (live, history) = futures::join!(live, history);
    live && history
}

async fn submit<D>(
    columns: Columns,
    origin: Origin,
    gateway: &Gateway<D>,
    peer: &(dyn Display + Sync),
) -> bool {
    if columns.len() == 0 {
        return true;
    }
    match gateway.pipeline.submit(columns.finish(), origin).await {
        Ok(Ok(written)) => {
            if !written.rejected.is_empty() {
                Hj212Stats::add(&gateway.stats.rows_refused, written.rejected.len() as u64);
                debug!(
                    "{peer}: {} rows refused, first: {}",
                    written.rejected.len(),
                    written.rejected[0].1
                );
            }
            true
        }
        Ok(Err(e)) => {
            Hj212Stats::add(&gateway.stats.store_failures, 1);
            warn!("{peer}: data not stored, not acknowledged: {e}");
            false
        }
        Err(stopped) => {
            Hj212Stats::add(&gateway.stats.store_failures, 1);
            debug!("{peer}: {stopped}");
            false
        }
    }
}

pub(crate) fn decode_round<D: DeviceDirectory>(
    buf: &mut BytesMut,
    decoder: &mut StreamDecoder,
    eof: bool,
    gateway: &Gateway<D>,
    peer: &(dyn Display + Sync),
    mut link: Option<&mut Link>,
) -> Round {
    // Sized by the bytes read (a factor's fields take 25 bytes or more): a round's batch waits
    // in the pipeline's queue with its capacity, 10,000 of them when 10,000 devices send.
    let rows = buf.len() / 25 + 1;
    let mut round = Round {
        columns: Columns::new(rows, 24),
        history: None,
        replies: Vec::new(),
        progress: false,
    };
    let now = Instant::now();
    let peer_text = peer.to_string();
    let mut pos = 0;
    while let Some((n, event)) = decoder.decode(&buf[pos..], eof) {
        let wire = &buf[pos..pos + n];
        round.progress = true;
        let record = |mn: &str, result: String| {
            gateway.frames.record(mn, "in", &peer_text, wire, result);
        };
        match event {
            Event::Packet { decoded, .. } => {
                let mn = &decoded.packet.mn;
                let device = gateway.directory.device(mn);
                let quarantine = device.is_none() && gateway.quarantines(&decoded.packet);
                let result = match device {
                    Some(d) if d.profile != *decoder.profile() => {
                        // This connection carries a device with its own profile: read its
                        // packet (and what follows) that way.
                        decoder.set_profile(d.profile);
                        match decode(wire, &d.profile) {
                            Ok(again) => on_packet(
                                &again.packet,
                                Some(&d),
                                &mut round,
                                gateway,
                                (now, &peer_text, link.as_deref_mut()),
                            ),
                            Err(e) => decode_error(gateway, peer, &e.to_string()),
                        }
                    }
                    d => on_packet(
                        &decoded.packet,
                        d.as_ref(),
                        &mut round,
                        gateway,
                        (now, &peer_text, link.as_deref_mut()),
                    ),
                };
                if quarantine {
                    gateway.quarantine(mn, &peer_text, wire, result);
                } else {
                    record(mn, result);
                }
            }
            Event::Error { error, .. } => {
                // A packet that fails under this profile may be fine under its device's.
                let mn = mn_of(wire);
                let retried = mn
                    .and_then(|mn| gateway.directory.device(mn))
                    .filter(|d| d.profile != *decoder.profile())
                    .and_then(|d| {
                        decoder.set_profile(d.profile);
                        decode(wire, &d.profile).ok().map(|again| {
                            on_packet(
                                &again.packet,
                                Some(&d),
                                &mut round,
                                gateway,
                                (now, &peer_text, link.as_deref_mut()),
                            )
                        })
                    });
                let result = match retried {
                    Some(result) => result,
                    None => decode_error(gateway, peer, &error.to_string()),
                };
                if let Some(mn) = mn {
                    record(mn, result);
                }
            }
            Event::Garbage { bytes, .. } => {
                Hj212Stats::add(&gateway.stats.garbage_bytes, bytes as u64)
            }
        }
        pos += n;
    }
    buf.advance(pos);
    round
}

fn decode_error<D>(gateway: &Gateway<D>, peer: &(dyn Display + Sync), error: &str) -> String {
    Hj212Stats::add(&gateway.stats.decode_errors, 1);
    debug!("{peer}: bad packet: {error}");
    format!("decode error: {error}")
}

/// The MN of a packet that failed to decode, if its header shows one.
fn mn_of(wire: &[u8]) -> Option<&str> {
    let at = memchr::memmem::find(wire, b";MN=")? + 4;
    let len = wire[at..].iter().position(|&b| b == b';')?;
    std::str::from_utf8(&wire[at..at + len]).ok()
}

/// When a packet arrived, from where, and the TCP connection it came on (`None` for MQTT).
type Arrival<'a> = (Instant, &'a str, Option<&'a mut Link>);

fn on_packet<D>(
    packet: &Packet<'_>,
    device: Option<&Arc<Device>>,
    round: &mut Round,
    gateway: &Gateway<D>,
    (now, peer, link): Arrival<'_>,
) -> String {
    Hj212Stats::add(&gateway.stats.packets, 1);
    let stats = &gateway.stats;
    let refuse = |round: &mut Round, rtn: QnRtn, profile: &Profile, why: &str| {
        if gateway.should_log(&packet.mn, now) {
            warn!("HJ 212 packet of MN {} refused: {why}", packet.mn);
        }
        if !packet.command(profile.edition).is_reply() {
            let edition = profile
                .edition
                .resolve(packet.flag_bits().map(|b| b.version));
            push(
                round,
                &reply::request_reply(packet, rtn, edition),
                profile,
                false,
            );
        }
        format!("refused: {why}")
    };
    let Some(device) = device else {
        Hj212Stats::add(&stats.unknown_device, 1);
        let profile = gateway.config.default_profile;
        return refuse(round, QnRtn::MnError, &profile, "unknown MN");
    };
    let profile = device.profile;
    if !device.enabled {
        Hj212Stats::add(&stats.disabled_device, 1);
        return refuse(round, QnRtn::Rejected, &profile, "device disabled");
    }
    if !packet
        .pw
        .as_deref()
        .is_some_and(|pw| same(pw.as_bytes(), device.password.as_bytes()))
    {
        Hj212Stats::add(&stats.bad_password, 1);
        return refuse(round, QnRtn::PwError, &profile, "wrong password");
    }
    if !gateway.admit(&device.mn, now) {
        Hj212Stats::add(&stats.rate_limited, 1);
        return refuse(round, QnRtn::Rejected, &profile, "over its packet rate");
    }
    if let Some(link) = link {
        gateway
            .commands
            .link(link.conn, &link.tx, peer, packet, device);
        if !link.mns.contains(device.mn.as_str()) {
            link.mns.insert(device.mn.clone());
        }
    }
    let commands = &gateway.commands;
    let command = packet.command(profile.edition);
    if command.is_data_upload() {
        let history = commands.awaits_data(&device.mn, command.code());
        let columns = match history {
            true => round.history.get_or_insert_with(|| Columns::new(16, 24)),
            false => &mut round.columns,
        };
        return match rows::append(packet, command, device, columns) {
            Ok(Appended { rows, bad_values }) => {
                Hj212Stats::add(&stats.data_packets, 1);
                let answer = match history {
                    true => commands.on_packet(packet, command, rows),
                    false => None,
                };
                Hj212Stats::add(&stats.bad_values, bad_values as u64);
                if let Some(ack) = reply::data_ack(packet) {
                    push(round, &ack, &profile, true);
                }
                let text = match bad_values {
                    0 => format!("{rows} rows"),
                    n => format!("{rows} rows; {n} values not numbers, left out"),
                };
                match answer {
                    Some(id) => format!("{text} (history for request {id})"),
                    None => text,
                }
            }
            Err(why) => {
                Hj212Stats::add(&stats.bad_uploads, 1);
                if gateway.should_log(&packet.mn, now) {
                    warn!("HJ 212 upload of MN {} not stored: {why}", packet.mn);
                }
                format!("not stored: {why}")
            }
        };
    }
    if let Some(id) = commands.on_packet(packet, command, 0) {
        if let Some(ack) = reply::data_ack(packet) {
            push(round, &ack, &profile, false);
        }
        return format!("CN {}: answer to request {id}", command.code());
    }
    match command {
        Command::TimeCalibrationRequest => {
            push(round, &reply::notification_ack(packet), &profile, false);
            set_time(packet, device, round);
            "time calibration request: answered with the platform's time".to_owned()
        }
        // Replies to the platform's requests and heartbeats need no answer.
        c if c.is_reply() || c == Command::Heartbeat => {
            format!("CN {}: no answer needed", c.code())
        }
        other => {
            debug!("MN {}: CN {} not handled", packet.mn, other.code());
            format!("CN {}: not handled", other.code())
        }
    }
}

/// Sends the device a 1012 with the platform's time in its zone.
fn set_time(to: &Packet<'_>, device: &Device, round: &mut Round) {
    let now = chrono::Utc::now().with_timezone(&device.time_zone);
    let qn = now.format("%Y%m%d%H%M%S%3f").to_string();
    let time = now.format("%Y%m%d%H%M%S").to_string();
    let request = reply::request(
        &qn,
        &device.password,
        &device.mn,
        &to.st,
        Command::SetTime,
        &[("SystemTime", &time)],
    );
    push(round, &request, &device.profile, false);
}

fn push(round: &mut Round, packet: &Packet<'_>, profile: &Profile, needs_durable: bool) {
    let mut out = Vec::with_capacity(128);
    match encode_into(packet, profile, &mut out) {
        Ok(()) => round.replies.push(Reply {
            bytes: out,
            needs_durable,
            mn: packet.mn.to_string(),
        }),
        Err(e) => warn!("encoding a reply to MN {}: {e}", packet.mn),
    }
}

/// Compares secrets in time independent of where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
