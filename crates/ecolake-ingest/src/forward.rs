//! Forwarding to higher-level platforms: accepted data re-sent over HJ 212 to upstream servers
//! (a provincial or the national platform), each under its own MN and password mapping.
//!
//! # Store and forward
//!
//! The queue of each upstream is the store itself: every accepted row has a `seq`, and an
//! upstream's *cursor* is the `seq` up to which everything it takes has been delivered. Its
//! task reads the rows past the cursor from a [`Journal`] (the store: WAL-backed memtable and
//! lake, so nothing acknowledged to a device is missing from the queue, and nothing is written
//! twice on the hot path), re-encodes them as data uploads under the mapped MN and password,
//! sends them, waits for each packet's 9014, and only then moves the cursor, saved durably in
//! `DIR/forward/NAME.json` (written to a temporary file, fsynced, renamed). An upstream that is
//! down, refuses or does not answer is retried with back-off (1 s doubling to 60 s) from the
//! cursor; a restart resumes from the saved cursor. Delivery is at least once: after a crash
//! between the 9014 and the cursor's save a packet is sent again, which an HJ 212 platform
//! stores as the same key. The backlog an upstream can catch up on is what the lake keeps
//! (its retention per period).
//!
//! # What is sent
//!
//! Rows whose `source` is a mapped device's MN (or whose site is a mapped site), of the
//! periods the upstream takes (`rtd` → CN 2011, `min` → 2051, `hour` → 2061, `day` → 2031;
//! equipment rows `SBn` → 2021 running state and 2041 run time). Consecutive rows of one
//! device, command and time — the rows of one received packet — make one packet: values in
//! the store's canonical units, the device's data flag, `DataTime` in the upstream's time zone,
//! a fresh QN, HJ 212-2017 framing, split into segments past 1,024 bytes. The QC verdict is
//! not sent: an upstream judges for itself.

mod cursor;
mod link;
mod packets;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ecolake_model::Period;
use serde::{Deserialize, Deserializer, Serialize};
use tokio::sync::watch;
use tracing::{info, warn};

use crate::sink::Journal;
use cursor::Cursor;
use link::Link;
use packets::{Plain, Qns, Routes};

/// Rows read from the journal at once.
const READ_ROWS: usize = 20_000;
/// How often an idle upstream looks for new rows.
const POLL: Duration = Duration::from_secs(1);
/// Back-off after a failure: from the first, doubling up to the last.
const BACKOFF: (Duration, Duration) = (Duration::from_secs(1), Duration::from_secs(60));

/// One upstream platform (a `[[forward]]` table of the serve configuration).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    /// A short name: the status names it, its cursor file is `forward/NAME.json`.
    pub name: String,
    /// `host:port` of its HJ 212 server.
    pub address: String,
    /// System code (ST) of the packets, e.g. `22` ambient air, `31` stack gas, `32` wastewater.
    pub st: String,
    /// Time zone of the `DataTime` and QN it expects.
    #[serde(
        rename = "time_zone",
        default = "shanghai",
        deserialize_with = "time_zone"
    )]
    pub zone: chrono_tz::Tz,
    /// Periods it takes (`rtd`, `min`, `hour`, `day`).
    #[serde(default = "all_periods")]
    pub periods: Vec<Period>,
    /// Ask for a 9014 per packet (Flag A bit) and count a packet delivered only when it comes;
    /// `false` for an upstream that never answers (delivered when written to the socket).
    #[serde(default = "yes")]
    pub ack: bool,
    /// Seconds to wait for a 9014 before sending the packet again (Table 1 `OverTime`).
    #[serde(default = "over_time")]
    pub over_time: u64,
    /// Times a packet is sent again before the connection is given up (Table 1 `ReCount`).
    #[serde(default = "re_count")]
    pub re_count: u32,
    /// Packets sent before their 9014s arrive; 1 for a platform that wants one at a time.
    #[serde(default = "window")]
    pub window: usize,
    /// Where a new upstream starts: `now` (data accepted from its first start on) or
    /// `beginning` (everything in the lake).
    #[serde(default)]
    pub start: Start,
    /// The devices (or sites) it receives, with its MN and password for each.
    pub devices: Vec<Mapping>,
}

/// Where a new upstream's cursor starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Start {
    /// At the data accepted when it is first started.
    #[default]
    Now,
    /// At the first row of the lake.
    Beginning,
}

/// One device's data under the upstream's identity.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The local device's MN (its rows' `source`).
    pub mn: Option<String>,
    /// Or a site: its rows from any source (HTTP, MQTT, files).
    pub site: Option<String>,
    /// The MN the upstream knows it by; the local MN if not given.
    pub upstream_mn: Option<String>,
    /// The password the upstream expects.
    pub password: String,
    /// System code for this device, when not the upstream's.
    pub st: Option<String>,
}

impl std::fmt::Debug for Mapping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mapping")
            .field("mn", &self.mn)
            .field("site", &self.site)
            .field("upstream_mn", &self.upstream_mn)
            .field("password", &"…")
            .field("st", &self.st)
            .finish()
    }
}

impl Mapping {
    /// The MN its packets carry upstream.
    pub fn upstream_mn(&self) -> &str {
        self.upstream_mn
            .as_deref()
            .or(self.mn.as_deref())
            .unwrap_or_default()
    }
}

fn shanghai() -> chrono_tz::Tz {
    chrono_tz::Asia::Shanghai
}
fn all_periods() -> Vec<Period> {
    vec![Period::Rtd, Period::Min, Period::Hour, Period::Day]
}
fn yes() -> bool {
    true
}
fn over_time() -> u64 {
    10
}
fn re_count() -> u32 {
    3
}
fn window() -> usize {
    16
}
fn time_zone<'de, D: Deserializer<'de>>(d: D) -> Result<chrono_tz::Tz, D::Error> {
    let name = String::deserialize(d)?;
    name.parse()
        .map_err(|_| serde::de::Error::custom(format!("unknown time zone `{name}`")))
}

impl Upstream {
    /// Checks what serde cannot: names, addresses, MNs, passwords, ranges.
    pub fn check(&self) -> Result<(), String> {
        let name = &self.name;
        let at = |what: String| format!("forward `{name}`: {what}");
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(format!(
                "forward name `{name}`: use letters, digits, `-` and `_`"
            ));
        }
        if !self.address.contains(':') {
            return Err(at(format!("address `{}` is not host:port", self.address)));
        }
        check_st(&self.st).map_err(&at)?;
        if self.window == 0 || self.over_time == 0 {
            return Err(at("window and over_time must be at least 1".into()));
        }
        if let Some(p) = self
            .periods
            .iter()
            .find(|p| all_periods().binary_search(p).is_err())
        {
            return Err(at(format!(
                "period `{p}` has no HJ 212 upload (rtd, min, hour, day)"
            )));
        }
        if self.devices.is_empty() {
            return Err(at("no devices: add [[forward.devices]] tables".into()));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, m) in self.devices.iter().enumerate() {
            let which = || {
                format!(
                    "device {} ({})",
                    i + 1,
                    m.mn.as_deref().or(m.site.as_deref()).unwrap_or("?")
                )
            };
            match (&m.mn, &m.site) {
                (Some(_), None) => {}
                (None, Some(_)) if m.upstream_mn.is_some() => {}
                (None, Some(_)) => {
                    return Err(at(format!("{}: a site needs an upstream_mn", which())))
                }
                _ => return Err(at(format!("{}: give either mn or site", which()))),
            }
            let mn = m.upstream_mn();
            if mn.is_empty() || mn.len() > 24 || !mn.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(at(format!("{}: MN `{mn}` is not an HJ 212 MN", which())));
            }
            if m.password.is_empty()
                || m.password.len() > 9
                || !m
                    .password
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && b != b';' && b != b'&')
            {
                return Err(at(format!(
                    "{}: the password must be 1–9 printable characters without `;` or `&`",
                    which()
                )));
            }
            if let Some(st) = &m.st {
                check_st(st).map_err(|e| at(format!("{}: {e}", which())))?;
            }
            let key = (m.mn.clone(), m.site.clone());
            if !seen.insert(key) {
                return Err(at(format!("{} is mapped twice", which())));
            }
        }
        Ok(())
    }

    fn takes(&self, period: &str) -> bool {
        self.periods.iter().any(|p| p.as_str() == period)
    }

    fn sources(&self) -> (Vec<String>, Vec<String>) {
        let mns = self.devices.iter().filter_map(|m| m.mn.clone()).collect();
        let sites = self.devices.iter().filter_map(|m| m.site.clone()).collect();
        (mns, sites)
    }
}

fn check_st(st: &str) -> Result<(), String> {
    if st.len() == 2 && st.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("ST `{st}` is not a two-digit system code"))
    }
}

/// What an upstream's task is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Up to date; looking for new rows every second.
    Idle,
    /// Sending.
    Sending,
    /// Waiting after a failure before trying again.
    BackingOff,
    /// The server is stopping.
    Stopped,
}

/// The counters and state of one upstream.
#[derive(Debug)]
struct Lane {
    upstream: Upstream,
    cursor: AtomicU64,
    packets_sent: AtomicU64,
    packets_acked: AtomicU64,
    resends: AtomicU64,
    refusals: AtomicU64,
    failures: AtomicU64,
    connects: AtomicU64,
    unsendable: AtomicU64,
    connected: AtomicBool,
    detail: Mutex<Detail>,
}

#[derive(Debug, Clone)]
struct Detail {
    state: State,
    last_ack_at: Option<String>,
    last_data_time: Option<String>,
    last_error: Option<String>,
    last_error_at: Option<String>,
}

/// An upstream's status (`GET /api/v1/forward`).
#[derive(Debug, Clone, Serialize)]
pub struct ForwardStatus {
    /// Its name.
    pub name: String,
    /// Its address.
    pub address: String,
    /// What its task is doing.
    pub state: State,
    /// Whether a connection is open.
    pub connected: bool,
    /// Devices and sites mapped.
    pub devices: usize,
    /// Everything it takes up to this `seq` has been delivered.
    pub cursor_seq: u64,
    /// The store's latest visible `seq` (the cursor catches up to it).
    pub store_seq: u64,
    /// Packets (segments) written, first sends only.
    pub packets_sent: u64,
    /// Packets acknowledged by a 9014 (or written, when no 9014 is asked for).
    pub packets_acked: u64,
    /// Packets sent again after `over_time` without a 9014.
    pub resends: u64,
    /// 9011 refusals (wrong MN or password, busy).
    pub refusals: u64,
    /// Failed attempts (connect errors, refusals, timeouts, closed connections).
    pub failures: u64,
    /// Connections opened.
    pub connects: u64,
    /// Packets left out because HJ 212 cannot carry them (a factor code with `;`, `=` …;
    /// the reason is in `last_error` and the log).
    pub unsendable: u64,
    /// When the last 9014 arrived (UTC, RFC 3339).
    pub last_ack_at: Option<String>,
    /// `DataTime` of the last packet acknowledged.
    pub last_data_time: Option<String>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it happened.
    pub last_error_at: Option<String>,
}

/// The store's visible `seq`, read when a status is asked for.
type Visible = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The running forwarders; cheap to clone.
#[derive(Clone, Default)]
pub struct Forwarding {
    lanes: Arc<Vec<Arc<Lane>>>,
    visible: Option<Visible>,
}

impl std::fmt::Debug for Forwarding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forwarding")
            .field("upstreams", &self.lanes.len())
            .finish()
    }
}

impl Forwarding {
    /// The status of each upstream, in configuration order.
    pub fn status(&self) -> Vec<ForwardStatus> {
        let store_seq = self.visible.as_ref().map_or(0, |v| v());
        self.lanes
            .iter()
            .map(|l| {
                let d = l.detail.lock().expect("detail lock").clone();
                ForwardStatus {
                    name: l.upstream.name.clone(),
                    address: l.upstream.address.clone(),
                    state: d.state,
                    connected: l.connected.load(Ordering::Relaxed),
                    devices: l.upstream.devices.len(),
                    cursor_seq: l.cursor.load(Ordering::Relaxed),
                    store_seq,
                    packets_sent: l.packets_sent.load(Ordering::Relaxed),
                    packets_acked: l.packets_acked.load(Ordering::Relaxed),
                    resends: l.resends.load(Ordering::Relaxed),
                    refusals: l.refusals.load(Ordering::Relaxed),
                    failures: l.failures.load(Ordering::Relaxed),
                    connects: l.connects.load(Ordering::Relaxed),
                    unsendable: l.unsendable.load(Ordering::Relaxed),
                    last_ack_at: d.last_ack_at,
                    last_data_time: d.last_data_time,
                    last_error: d.last_error,
                    last_error_at: d.last_error_at,
                }
            })
            .collect()
    }

    /// Starts one task per upstream, each from its saved cursor in `data_dir/forward/` (a new
    /// upstream from where its [`Start`] says). The tasks end when `stop` turns true; await
    /// them before closing the store.
    pub fn start<J: Journal>(
        upstreams: Vec<Upstream>,
        journal: Arc<J>,
        data_dir: &Path,
        stop: watch::Receiver<bool>,
    ) -> std::io::Result<(Forwarding, Vec<tokio::task::JoinHandle<()>>)> {
        let dir = data_dir.join("forward");
        if !upstreams.is_empty() {
            std::fs::create_dir_all(&dir)?;
        }
        let mut lanes = Vec::new();
        let mut tasks = Vec::new();
        for upstream in upstreams {
            let start = match upstream.start {
                Start::Now => journal.visible(),
                Start::Beginning => 0,
            };
            let cursor =
                Cursor::open(cursor_path(data_dir, &upstream.name), &upstream.name, start)?;
            info!(upstream = %upstream.name, address = %upstream.address, cursor = cursor.seq(), "Forwarding.");
            let lane = Arc::new(Lane::new(upstream, cursor.seq()));
            tasks.push(tokio::spawn(run(
                lane.clone(),
                cursor,
                journal.clone(),
                stop.clone(),
            )));
            lanes.push(lane);
        }
        let visible: Visible = Arc::new(move || journal.visible());
        Ok((
            Forwarding {
                lanes: Arc::new(lanes),
                visible: Some(visible),
            },
            tasks,
        ))
    }
}

impl Lane {
    fn new(upstream: Upstream, cursor: u64) -> Lane {
        Lane {
            upstream,
            cursor: AtomicU64::new(cursor),
            packets_sent: AtomicU64::new(0),
            packets_acked: AtomicU64::new(0),
            resends: AtomicU64::new(0),
            refusals: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            connects: AtomicU64::new(0),
            unsendable: AtomicU64::new(0),
            connected: AtomicBool::new(false),
            detail: Mutex::new(Detail {
                state: State::Idle,
                last_ack_at: None,
                last_data_time: None,
                last_error: None,
                last_error_at: None,
            }),
        }
    }

    fn set_state(&self, state: State) {
        self.detail.lock().expect("detail lock").state = state;
    }

    fn failed(&self, error: &str) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        let mut d = self.detail.lock().expect("detail lock");
        d.state = State::BackingOff;
        d.last_error = Some(error.to_owned());
        d.last_error_at = Some(now_rfc3339());
    }
}

fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// One upstream's task: read past the cursor, send, move the cursor; back off on failure.
async fn run<J: Journal>(
    lane: Arc<Lane>,
    mut cursor: Cursor,
    journal: Arc<J>,
    mut stop: watch::Receiver<bool>,
) {
    let upstream = &lane.upstream;
    let routes = Routes::new(upstream);
    let (mns, sites) = upstream.sources();
    let mut qns = Qns::default();
    let mut link = Link::default();
    let mut backoff = BACKOFF.0;
    // Packets read but not yet delivered, and the cursor they take us to once they are.
    let mut pending: Option<(Vec<packets::Outgoing>, u64)> = None;
    loop {
        if *stop.borrow() {
            break;
        }
        let outcome = match pending.take() {
            Some((packets, through)) => {
                lane.set_state(State::Sending);
                let mut rest = packets;
                let sent = tokio::select! {
                    r = link.deliver(upstream, &mut rest, &lane) => r,
                    _ = stop.wait_for(|s| *s) => break,
                };
                match sent {
                    Ok(()) => cursor
                        .advance(through)
                        .map_err(|e| format!("saving the cursor {}: {e}", cursor.path().display())),
                    Err(e) => {
                        pending = Some((rest, through));
                        Err(e)
                    }
                }
            }
            None => {
                let visible = journal.visible();
                let from = cursor.seq();
                if visible <= from {
                    lane.set_state(State::Idle);
                    if let Err(e) = cursor.save() {
                        warn!(upstream = %upstream.name, error = %e, "Saving the forwarding cursor.");
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(POLL) => continue,
                        _ = stop.wait_for(|s| *s) => break,
                    }
                }
                read(
                    &*journal, from, visible, &mns, &sites, &lane, &routes, &mut qns,
                )
                .await
                .map(|(packets, through)| {
                    if packets.is_empty() {
                        // Nothing of ours in the range: move on (saved with the next
                        // delivery; a crash only reads the range again).
                        cursor.skip(through);
                    } else {
                        pending = Some((packets, through));
                    }
                })
            }
        };
        lane.cursor.store(cursor.seq(), Ordering::Relaxed);
        match outcome {
            Ok(()) => backoff = BACKOFF.0,
            Err(e) => {
                if lane.failures.load(Ordering::Relaxed) == 0 || backoff == BACKOFF.1 {
                    warn!(upstream = %upstream.name, error = %e, "Forwarding failed; retrying.");
                }
                lane.failed(&e);
                link.close(&lane);
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = stop.wait_for(|s| *s) => break,
                }
                backoff = (backoff * 2).min(BACKOFF.1);
            }
        }
    }
    link.close(&lane);
    if let Err(e) = cursor.save() {
        warn!(upstream = %upstream.name, error = %e, "Saving the forwarding cursor at shutdown.");
    }
    lane.set_state(State::Stopped);
}

/// Reads the rows in `(from, visible]` and builds their packets; returns them with the `seq`
/// they cover up to (short of `visible` when the read was cut at [`READ_ROWS`]).
#[allow(clippy::too_many_arguments)]
async fn read<J: Journal>(
    journal: &J,
    from: u64,
    visible: u64,
    mns: &[String],
    sites: &[String],
    lane: &Lane,
    routes: &Routes<'_>,
    qns: &mut Qns,
) -> Result<(Vec<packets::Outgoing>, u64), String> {
    let upstream = &lane.upstream;
    let batches = journal
        .read(from, visible, mns, sites, READ_ROWS + 1)
        .await
        .map_err(|e| format!("reading the store: {e}"))?;
    let mut plain = batches
        .iter()
        .map(Plain::of)
        .collect::<Result<Vec<_>, _>>()?;
    let rows: usize = plain.iter().map(Plain::len).sum();
    let mut through = visible;
    if rows > READ_ROWS {
        // One row more than asked was read, to know the range goes on: leave it (and any
        // later row) for the next read. `seq`s are unique, so the cut is exact; a packet's
        // rows cut here go up as two packets of the same `DataTime`.
        let last = plain.pop().expect("rows were read");
        through = last.seq(last.len() - 1) - 1;
        if last.len() > 1 {
            plain.push(last.without_last());
        }
    }
    let mut unsendable = Vec::new();
    let packets = packets::build(&plain, upstream, routes, qns, &mut unsendable);
    if let Some(first) = unsendable.first() {
        lane.unsendable
            .fetch_add(unsendable.len() as u64, Ordering::Relaxed);
        warn!(upstream = %upstream.name, count = unsendable.len(), first = %first, "Rows that cannot be sent as HJ 212 were left out.");
        let mut d = lane.detail.lock().expect("detail lock");
        d.last_error = Some(first.clone());
        d.last_error_at = Some(now_rfc3339());
    }
    Ok((packets, through))
}

/// The cursor file of an upstream.
pub fn cursor_path(data_dir: &Path, name: &str) -> PathBuf {
    data_dir.join("forward").join(format!("{name}.json"))
}
