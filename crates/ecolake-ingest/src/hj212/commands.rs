//! The platform's side of the standard's requests: history data, intervals, time, timeouts
//! (spec §1, §8; HJ 212-2017 Table 1 and Table 9).
//!
//! A request goes down the connection that last carried an authenticated packet of its MN.
//! The exchange then runs as the standard says:
//!
//! 1. The platform sends the request (Flag A = 1). No 9011 within `OverTime` → the same packet
//!    (same QN) is sent again, at most `ReCount` times; then the exchange has `timed_out`.
//! 2. A 9011 with `QnRtn` other than 1 ends it as `refused`. With `QnRtn=1` it is `executing`:
//!    the station sends its data (history uploads with their own QNs, each stored as history,
//!    never discounted for age, and acknowledged with 9014 once durable) and then a 9012.
//!    No packet of the exchange within `OverTime` (the execution timeout) → `timed_out`.
//! 3. 9012 `ExeRtn=1` → `succeeded`, `ExeRtn=100` → `no_data`, any other → `failed`.
//!
//! Notifications (2012, 2022) are two steps: the request and a 9013 (with the same retries).
//! A station that skips its 9011 and answers with data or a 9012 is taken as having accepted.
//! `OverTime`/`ReCount` default to Table 1's 10 s / 3 (cellular links); a successful 1000
//! request changes them for that device. One exchange per device at a time: a device answers
//! requests in order, and interleaved history streams could not be told apart.
//!
//! Exchanges live in memory: the newest [`KEPT`] finished ones and every running one.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ecolake_hj212::{encode, reply, Command, Edition, Packet};
use serde::Serialize;
use tokio::sync::{mpsc, watch, Notify};

use super::frames::FrameLog;
use crate::sink::Device;

/// Finished exchanges kept for `GET`.
pub const KEPT: usize = 10_000;

/// Table 1 defaults: the request-reply and execution timeout, and the resends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// `OverTime`.
    pub over_time: Duration,
    /// `ReCount`: resends after the first send.
    pub re_count: u32,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            over_time: Duration::from_secs(10),
            re_count: 3,
        }
    }
}

/// Where an exchange stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Sent; no 9011 yet.
    Sent,
    /// Accepted (9011 `QnRtn=1`); data may be arriving; no 9012 yet.
    Executing,
    /// 9012 `ExeRtn=1` (or the 9013 of a notification).
    Succeeded,
    /// 9012 `ExeRtn=100`: the station has no data for the request.
    NoData,
    /// 9012 with another `ExeRtn`.
    Failed,
    /// 9011 with a `QnRtn` other than 1.
    Refused,
    /// No 9011 after every resend, or no packet within the execution timeout.
    TimedOut,
    /// The device's connection closed before the exchange ended.
    Disconnected,
}

impl State {
    /// Whether the exchange has ended.
    pub fn is_final(self) -> bool {
        !matches!(self, State::Sent | State::Executing)
    }
}

/// One request and what became of it.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    /// Its id in this server.
    pub id: u64,
    /// The device.
    pub mn: String,
    /// The command code.
    pub cn: u16,
    /// The request's CP parameters.
    pub params: BTreeMap<String, String>,
    /// The request's QN.
    pub qn: String,
    /// Where it stands.
    pub state: State,
    /// Times the request was sent.
    pub sends: u32,
    /// The 9011's `QnRtn`.
    pub qn_rtn: Option<u16>,
    /// The 9012's `ExeRtn`.
    pub exe_rtn: Option<u16>,
    /// Data uploads received for it.
    pub data_packets: u64,
    /// Rows those uploads carried.
    pub rows: u64,
    /// Parameters the station answered with (`SystemTime`, `RtdInterval` …).
    pub result: BTreeMap<String, String>,
    /// Why it ended as it did, for people.
    pub message: Option<String>,
    /// `OverTime` in seconds and `ReCount` used.
    pub over_time_s: u64,
    /// Resends allowed.
    pub re_count: u32,
    /// When it was created, last changed and ended (UTC ms).
    pub created_ms: i64,
    /// When it last changed.
    pub updated_ms: i64,
    /// When it ended.
    pub finished_ms: Option<i64>,
}

/// Why a request could not be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The request is malformed.
    #[error("{0}")]
    Invalid(String),
    /// No open connection carries the device.
    #[error("device {0} is not connected: it must have sent an accepted packet on a connection that is still open")]
    NotConnected(String),
    /// The device is in another exchange.
    #[error("device {mn} is busy with exchange {id}; send when it has ended")]
    Busy {
        /// The device.
        mn: String,
        /// The running exchange.
        id: u64,
    },
}

/// A request to send.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The command code.
    pub cn: u16,
    /// CP parameters.
    pub params: BTreeMap<String, String>,
    /// `OverTime` for this exchange (default: the device's, else Table 1's).
    pub over_time: Option<Duration>,
    /// `ReCount` for this exchange.
    pub re_count: Option<u32>,
}

/// The connection a device was last seen on.
#[derive(Debug, Clone)]
struct Link {
    conn: u64,
    tx: mpsc::Sender<Vec<u8>>,
    peer: String,
    st: String,
    /// The Flag version bits of its last packet (`None`: no Flag, HJ/T 212-2005).
    version: Option<u8>,
    device: Arc<Device>,
}

/// A running exchange's wake-ups.
#[derive(Debug)]
struct Running {
    id: u64,
    cn: u16,
    changed: Arc<Notify>,
}

#[derive(Debug, Default)]
struct Book {
    exchanges: HashMap<u64, (Exchange, watch::Sender<bool>)>,
    finished: VecDeque<u64>,
    running: HashMap<String, Running>,
    timing: HashMap<String, Timing>,
}

/// The requests of the platform to its devices.
#[derive(Debug)]
pub struct Commands {
    defaults: Timing,
    frames: Arc<FrameLog>,
    links: Mutex<HashMap<String, Link>>,
    book: Mutex<Book>,
    /// Running exchanges (read without the lock on every upload).
    running: AtomicUsize,
    next_id: AtomicU64,
    last_qn_ms: AtomicI64,
    next_conn: AtomicU64,
}

impl Commands {
    /// Commands with Table 1's `defaults`, recording what they send in `frames`.
    pub fn new(defaults: Timing, frames: Arc<FrameLog>) -> Commands {
        Commands {
            defaults,
            frames,
            links: Mutex::default(),
            book: Mutex::default(),
            running: AtomicUsize::new(0),
            next_id: AtomicU64::new(1),
            last_qn_ms: AtomicI64::new(0),
            next_conn: AtomicU64::new(1),
        }
    }

    /// A new connection's id.
    pub(crate) fn connection_id(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// Records that `device` spoke on connection `conn` (requests to it go there).
    pub(crate) fn link(
        &self,
        conn: u64,
        tx: &mpsc::Sender<Vec<u8>>,
        peer: &str,
        packet: &Packet<'_>,
        device: &Arc<Device>,
    ) {
        let mut links = self.links.lock().expect("links lock");
        let version = packet.flag_bits().map(|b| b.version);
        if let Some(l) = links.get(&device.mn) {
            if l.conn == conn && l.st == packet.st && l.version == version {
                return;
            }
        }
        links.insert(
            device.mn.clone(),
            Link {
                conn,
                tx: tx.clone(),
                peer: peer.to_owned(),
                st: packet.st.to_string(),
                version,
                device: device.clone(),
            },
        );
    }

    /// Connection `conn` closed: its devices are unreachable until they speak again (a
    /// running exchange goes on: a device that reconnects may finish it; a resend that finds
    /// no connection ends it as `disconnected`).
    pub(crate) fn unlink(&self, conn: u64, mns: &[String]) {
        let mut links = self.links.lock().expect("links lock");
        for mn in mns {
            if links.get(mn).is_some_and(|l| l.conn == conn) {
                links.remove(mn);
            }
        }
    }

    /// Sends a request to its device; the exchange's id. Its progress is read with [`get`].
    ///
    /// [`get`]: Commands::get
    pub fn send(self: &Arc<Self>, mn: &str, request: Request) -> Result<u64, CommandError> {
        let mut params = request.params;
        let command = Command::from_code(request.cn, Edition::Hj212_2017);
        let link = self
            .links
            .lock()
            .expect("links lock")
            .get(mn)
            .cloned()
            .ok_or_else(|| CommandError::NotConnected(mn.to_owned()))?;
        if command == Command::SetTime && !params.contains_key("SystemTime") {
            let now = chrono::Utc::now().with_timezone(&link.device.time_zone);
            params.insert("SystemTime".into(), now.format("%Y%m%d%H%M%S").to_string());
        }
        validate(command, &params)?;
        let mut book = self.book.lock().expect("book lock");
        if let Some(r) = book.running.get(mn) {
            return Err(CommandError::Busy {
                mn: mn.to_owned(),
                id: r.id,
            });
        }
        let device_timing = book.timing.get(mn).copied().unwrap_or(self.defaults);
        let timing = Timing {
            over_time: request.over_time.unwrap_or(device_timing.over_time),
            re_count: request.re_count.unwrap_or(device_timing.re_count),
        };
        let qn = self.qn(&link.device.time_zone);
        let pairs: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let mut packet = reply::request(&qn, &link.device.password, mn, &link.st, command, &pairs);
        packet.flag = Some(match link.version {
            None | Some(0) => 1,
            Some(v) => (v << 2) | 1,
        });
        let wire = encode(&packet, &link.device.profile)
            .map_err(|e| CommandError::Invalid(format!("the request does not encode: {e}")))?;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let now = now_ms();
        let exchange = Exchange {
            id,
            mn: mn.to_owned(),
            cn: request.cn,
            params,
            qn,
            state: State::Sent,
            sends: 0,
            qn_rtn: None,
            exe_rtn: None,
            data_packets: 0,
            rows: 0,
            result: BTreeMap::new(),
            message: None,
            over_time_s: timing.over_time.as_secs(),
            re_count: timing.re_count,
            created_ms: now,
            updated_ms: now,
            finished_ms: None,
        };
        let changed = Arc::new(Notify::new());
        book.exchanges
            .insert(id, (exchange, watch::channel(false).0));
        book.running.insert(
            mn.to_owned(),
            Running {
                id,
                cn: request.cn,
                changed: changed.clone(),
            },
        );
        self.running.fetch_add(1, Ordering::Relaxed);
        drop(book);
        tokio::spawn(self.clone().drive(id, wire, changed, timing));
        Ok(id)
    }

    /// An exchange as it stands.
    pub fn get(&self, id: u64) -> Option<Exchange> {
        let book = self.book.lock().expect("book lock");
        book.exchanges.get(&id).map(|(e, _)| e.clone())
    }

    /// Waits until exchange `id` has ended or `limit` has passed; the exchange as it stands.
    pub async fn wait(&self, id: u64, limit: Duration) -> Option<Exchange> {
        let mut done = {
            let book = self.book.lock().expect("book lock");
            book.exchanges.get(&id)?.1.subscribe()
        };
        let _ = tokio::time::timeout(limit, done.wait_for(|d| *d)).await;
        self.get(id)
    }

    /// A device's exchanges, newest first, at most `limit`.
    pub fn of_device(&self, mn: &str, limit: usize) -> Vec<Exchange> {
        let book = self.book.lock().expect("book lock");
        let mut found: Vec<Exchange> = book
            .exchanges
            .values()
            .filter(|(e, _)| e.mn == mn)
            .map(|(e, _)| e.clone())
            .collect();
        found.sort_by_key(|e| std::cmp::Reverse(e.id));
        found.truncate(limit);
        found
    }

    /// Whether a running exchange of `mn` asked for the data uploads of `cn` (a history
    /// request): they are stored as history.
    pub(crate) fn awaits_data(&self, mn: &str, cn: u16) -> bool {
        if self.running.load(Ordering::Relaxed) == 0 {
            return false;
        }
        let book = self.book.lock().expect("book lock");
        book.running.get(mn).is_some_and(|r| r.cn == cn)
    }

    /// Takes what a device sent if an exchange of it expects it (its 9011, 9012 or 9013, the
    /// `rows` of a history upload, the upload answering a get request); the exchange's id.
    pub(crate) fn on_packet(
        &self,
        packet: &Packet<'_>,
        command: Command,
        rows: usize,
    ) -> Option<u64> {
        if self.running.load(Ordering::Relaxed) == 0 {
            return None;
        }
        let mut book = self.book.lock().expect("book lock");
        let running = book.running.get(packet.mn.as_ref())?;
        let (id, cn, changed) = (running.id, running.cn, running.changed.clone());
        let (exchange, _) = book.exchanges.get_mut(&id)?;
        // 2005 replies carry the request's QN in CP.
        let qn = packet.qn.as_deref().or_else(|| packet.param("QN"));
        let ours = qn == Some(exchange.qn.as_str());
        let code = |key: &str| packet.param(key).and_then(|v| v.trim().parse::<u16>().ok());
        let mut end = None;
        match command {
            Command::RequestReply if ours => {
                exchange.qn_rtn = code("QnRtn");
                match exchange.qn_rtn {
                    Some(1) => exchange.state = State::Executing,
                    rtn => {
                        let why = format!("the device refused the request: QnRtn={}", show(rtn));
                        end = Some((State::Refused, why));
                    }
                }
            }
            Command::ExecutionResult if ours => {
                exchange.exe_rtn = code("ExeRtn");
                end = Some(match exchange.exe_rtn {
                    Some(1) => (State::Succeeded, "ExeRtn=1: executed".to_owned()),
                    Some(100) => (State::NoData, "ExeRtn=100: no data".to_owned()),
                    rtn => (State::Failed, format!("ExeRtn={}", show(rtn))),
                });
            }
            Command::NotificationReply if ours => {
                end = Some((State::Succeeded, "9013: notified".to_owned()));
            }
            c if c.code() == cn && !c.is_reply() => {
                if exchange.state == State::Sent {
                    exchange.state = State::Executing;
                }
                exchange.data_packets += 1;
                exchange.rows += rows as u64;
                for (k, v) in &packet.params {
                    exchange.result.insert(k.to_string(), v.to_string());
                }
            }
            _ => return None,
        }
        exchange.updated_ms = now_ms();
        changed.notify_one();
        if let Some((state, why)) = end {
            if state == State::Succeeded && cn == Command::SetTimeoutRetry.code() {
                if let Some(t) = timing_of(&exchange.params) {
                    book.timing.insert(packet.mn.to_string(), t);
                }
            }
            self.finish(&mut book, id, state, &why);
        }
        Some(id)
    }

    /// Drives exchange `id`: sends, resends, times out.
    async fn drive(self: Arc<Self>, id: u64, wire: Vec<u8>, changed: Arc<Notify>, timing: Timing) {
        // Step 1: the request, until a 9011 (or, for a notification, the 9013 that ends it).
        let mut sends = 0;
        loop {
            match self.state(id) {
                Some(State::Sent) => {}
                Some(State::Executing) => break,
                _ => return,
            }
            if sends > timing.re_count {
                let why = format!(
                    "no answer to {sends} sends (OverTime {} s, ReCount {})",
                    timing.over_time.as_secs(),
                    timing.re_count
                );
                self.end(id, State::TimedOut, &why);
                return;
            }
            if let Err(why) = self.transmit(id, &wire) {
                self.end(id, State::Disconnected, &why);
                return;
            }
            sends += 1;
            let deadline = tokio::time::Instant::now() + timing.over_time;
            while self.state(id) == Some(State::Sent)
                && tokio::time::timeout_at(deadline, changed.notified())
                    .await
                    .is_ok()
            {}
        }
        // Step 2: data and the 9012; every packet of the exchange restarts the timeout.
        loop {
            if self.state(id).is_none_or(State::is_final) {
                return;
            }
            if tokio::time::timeout(timing.over_time, changed.notified())
                .await
                .is_err()
                && !self.state(id).is_none_or(State::is_final)
            {
                let why = format!(
                    "no data and no 9012 within OverTime ({} s) of the last packet",
                    timing.over_time.as_secs()
                );
                self.end(id, State::TimedOut, &why);
                return;
            }
        }
    }

    fn state(&self, id: u64) -> Option<State> {
        let book = self.book.lock().expect("book lock");
        book.exchanges.get(&id).map(|(e, _)| e.state)
    }

    /// Sends the request's bytes down its device's connection.
    fn transmit(&self, id: u64, wire: &[u8]) -> Result<(), String> {
        let mn = {
            let mut book = self.book.lock().expect("book lock");
            let Some((e, _)) = book.exchanges.get_mut(&id) else {
                return Err("forgotten".into());
            };
            e.sends += 1;
            e.updated_ms = now_ms();
            e.mn.clone()
        };
        let link = self.links.lock().expect("links lock").get(&mn).cloned();
        let Some(link) = link else {
            return Err("the device's connection closed".into());
        };
        match link.tx.try_send(wire.to_vec()) {
            Ok(()) => {
                self.frames
                    .record(&mn, "out", &link.peer, wire, format!("request {id}"));
                Ok(())
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                // The connection is not writing (its device is not reading): a lost send,
                // which the timeout and resends cover.
                self.frames.record(
                    &mn,
                    "out",
                    &link.peer,
                    wire,
                    format!("request {id} not sent: the connection's queue is full"),
                );
                Ok(())
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                Err("the device's connection closed".into())
            }
        }
    }

    fn end(&self, id: u64, state: State, why: &str) {
        let mut book = self.book.lock().expect("book lock");
        self.finish(&mut book, id, state, why);
    }

    fn finish(&self, book: &mut Book, id: u64, state: State, why: &str) {
        let Some((e, done)) = book.exchanges.get_mut(&id) else {
            return;
        };
        if e.state.is_final() {
            return;
        }
        e.state = state;
        e.message = Some(why.to_owned());
        let now = now_ms();
        e.updated_ms = now;
        e.finished_ms = Some(now);
        done.send_replace(true);
        let mn = e.mn.clone();
        if book.running.get(&mn).is_some_and(|r| r.id == id) {
            if let Some(r) = book.running.remove(&mn) {
                r.changed.notify_one();
            }
            self.running.fetch_sub(1, Ordering::Relaxed);
        }
        book.finished.push_back(id);
        while book.finished.len() > KEPT {
            if let Some(old) = book.finished.pop_front() {
                book.exchanges.remove(&old);
            }
        }
    }

    /// A QN (`YYYYMMDDhhmmsszzz` in the device's zone) later than every QN sent before.
    fn qn(&self, zone: &chrono_tz::Tz) -> String {
        let now = now_ms();
        let mut prev = self.last_qn_ms.load(Ordering::Relaxed);
        let ms = loop {
            let next = now.max(prev + 1);
            match self
                .last_qn_ms
                .compare_exchange(prev, next, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => break next,
                Err(p) => prev = p,
            }
        };
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .with_timezone(zone)
            .format("%Y%m%d%H%M%S%3f")
            .to_string()
    }
}

fn show(code: Option<u16>) -> String {
    code.map_or_else(|| "missing".to_owned(), |c| c.to_string())
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// `OverTime`/`ReCount` of a 1000 request.
fn timing_of(params: &BTreeMap<String, String>) -> Option<Timing> {
    let over_time = params.get("OverTime")?.parse::<u64>().ok()?;
    let re_count = params.get("ReCount")?.parse::<u32>().ok()?;
    Some(Timing {
        over_time: Duration::from_secs(over_time),
        re_count,
    })
}

/// Checks a request's command and parameters against Table 9 and the field table.
fn validate(command: Command, params: &BTreeMap<String, String>) -> Result<(), CommandError> {
    let bad = |m: String| Err(CommandError::Invalid(m));
    let code = command.code();
    if command.is_reply() || code >= 9000 {
        return bad(format!("CN {code} is a reply, not a request"));
    }
    if let Command::Unknown(c) = command {
        return bad(format!(
            "CN {c} is not a command of HJ 212 (Table 9) or HJ/T 212-2005"
        ));
    }
    let number = |key: &str, range: std::ops::RangeInclusive<u32>| -> Result<(), CommandError> {
        match params.get(key).map(|v| v.parse::<u32>()) {
            Some(Ok(n)) if range.contains(&n) => Ok(()),
            Some(_) => Err(CommandError::Invalid(format!(
                "{key} of CN {code} must be a whole number in {}..={}",
                range.start(),
                range.end()
            ))),
            None => Err(CommandError::Invalid(format!("CN {code} needs {key}"))),
        }
    };
    let time = |key: &str| -> Result<(), CommandError> {
        match params.get(key) {
            Some(v) if chrono::NaiveDateTime::parse_from_str(v, "%Y%m%d%H%M%S").is_ok() => Ok(()),
            Some(v) => Err(CommandError::Invalid(format!(
                "{key} `{v}` of CN {code} is not a time YYYYMMDDhhmmss"
            ))),
            None => Err(CommandError::Invalid(format!("CN {code} needs {key}"))),
        }
    };
    match command {
        Command::SetTimeoutRetry => {
            number("OverTime", 1..=99)?;
            number("ReCount", 1..=99)?;
        }
        Command::SetTime => time("SystemTime")?,
        Command::SetRtdInterval => number("RtdInterval", 30..=3600)?,
        Command::SetMinInterval => {
            number("MinInterval", 1..=30)?;
            let m: u32 = params["MinInterval"].parse().unwrap_or(0);
            if ![1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30].contains(&m) {
                return bad(format!(
                    "MinInterval {m} must divide an hour: 1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30"
                ));
            }
        }
        Command::SetPassword => {
            return bad(
                "CN 1072 changes the station's password, which the registry would have to \
                 change at the same moment; change the device in the registry and on the station"
                    .to_owned(),
            )
        }
        Command::DailyData
        | Command::DailyRunTime
        | Command::MinuteData
        | Command::HourlyData
        | Command::GetAlarmRecords => {
            time("BeginTime")?;
            time("EndTime")?;
            if params["BeginTime"] > params["EndTime"] {
                return bad(format!("BeginTime of CN {code} is after its EndTime"));
            }
        }
        _ => {}
    }
    for (k, v) in params {
        let clean = |s: &str| {
            !s.is_empty() && !s.contains([';', ',', '=', '&', '\r', '\n']) && s.is_ascii()
        };
        if !clean(k) || !(clean(v) || v.is_empty()) {
            return bad(format!(
                "parameter `{k}={v}` holds a character HJ 212 reserves (; , = & or a line break)"
            ));
        }
    }
    Ok(())
}
