//! `ecolake hj212 simulate`: a real HJ 212 client that plays N data acquisition units against a
//! server — the operator's test of a deployment and our load generator.
//!
//! Each device opens its own connection and sends ambient-air uploads (ten factors with diurnal
//! cycles, noise, an occasional fault flag and exceedance) at its share of `--rate`, waiting
//! for each packet's 9014 before the next, as real devices do (Flag=5; an unanswered packet is
//! sent again after 5 s, at most 3 times, as the standard's defaults say). Packet `i` of a
//! device carries `DataTime` = a base time + `i` steps of its CN's period (1 s, 1 min, 1 h),
//! the base chosen so the last packet is about now: every packet is a distinct row. A lost
//! connection is reopened. At the end it prints one JSON summary on stdout.
//!
//! The devices answer the platform's requests as a data logger does (`answer` module): 9011,
//! then what the request asks for, then 9012 — history requests (2051/2061/2031) with one
//! upload per period of the range, each waiting for its 9014; the clock (1011/1012), the
//! real-time and minute intervals (1061–1064), timeouts (1000), start/stop real-time data.
//! Anything else is refused with `QnRtn=2`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::TimeZone;
use clap::builder::TypedValueParser;
use clap::Args;
use ecolake_hj212::{decode, encode, Command, Item, Packet, Profile};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

mod answer;

/// The factors a simulated station reports: code, typical value, diurnal amplitude (share).
const FACTORS: [(&str, f64, f64); 10] = [
    ("a34004", 45.0, 0.35), // PM2.5 µg/m³
    ("a34002", 80.0, 0.30), // PM10
    ("a21026", 9.0, 0.20),  // SO2
    ("a21004", 38.0, 0.40), // NO2
    ("a21005", 0.9, 0.30),  // CO mg/m³
    ("a05024", 70.0, 0.60), // O3
    ("a01001", 15.0, 0.30), // temperature °C
    ("a01002", 55.0, 0.25), // humidity %
    ("a01007", 2.5, 0.40),  // wind speed m/s
    ("a01008", 180.0, 0.0), // wind direction (noise only)
];

/// Seconds to wait for a 9014, and sends of one packet at most (the standard's OverTime=5,
/// ReCount=3 defaults).
const ACK_TIMEOUT: Duration = Duration::from_secs(5);
const SENDS: u32 = 4;

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// The server, HOST:PORT.
    #[arg(long)]
    target: String,
    /// Devices, each on its own connection.
    #[arg(long, default_value_t = 10)]
    devices: usize,
    /// Packets per second, all devices together.
    #[arg(long, default_value_t = 10.0)]
    rate: f64,
    /// Seconds to run.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Upload command: 2011 real-time, 2051 minute, 2061 hourly data.
    #[arg(long, default_value_t = 2011, value_parser = clap::builder::PossibleValuesParser::new(["2011", "2051", "2061"]).map(|s| s.parse::<u16>().expect("listed values are numbers")))]
    cn: u16,
    /// The devices' password (PW).
    #[arg(long, default_value = "123456")]
    password: String,
    /// MNs are this prefix and the device number, zero-padded to 24 characters:
    /// `SIM000000000000000000001` …
    #[arg(long, default_value = "SIM")]
    mn_prefix: String,
    /// Number of the first device (to run several simulators side by side).
    #[arg(long, default_value_t = 1)]
    first: usize,
    /// Write `MN,DataTime` of every acknowledged packet to this file.
    #[arg(long)]
    acked_log: Option<PathBuf>,
}

/// The MN of device `n`.
pub fn mn(prefix: &str, n: usize) -> String {
    let width = 24usize.saturating_sub(prefix.len()).max(1);
    format!("{prefix}{n:0width$}")
}

#[derive(Debug, Default)]
struct Tally {
    /// Requests of the platform answered.
    requests: u64,
    sent: u64,
    acked: u64,
    rejected: u64,
    errors: u64,
    reconnects: u64,
    latencies_us: Vec<u32>,
    acked_keys: Vec<(String, String)>,
}

pub fn run(args: &SimulateArgs) -> anyhow::Result<ExitCode> {
    let runtime = crate::cmd::runtime()?;
    runtime.block_on(simulate(args))
}

async fn simulate(args: &SimulateArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.devices > 0, "--devices must be at least 1");
    anyhow::ensure!(args.rate > 0.0, "--rate must be positive");
    let per_device = args.rate / args.devices as f64;
    let interval = Duration::from_secs_f64(1.0 / per_device);
    let packets = (per_device * args.duration).ceil() as i64 + 1;
    let step = match args.cn {
        2011 => 1,
        2051 => 60,
        _ => 3600,
    };
    let now = chrono::Utc::now().timestamp() / step * step;
    let base = now - packets * step;
    let start = Instant::now();
    let until = start + Duration::from_secs_f64(args.duration);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..args.devices {
        let device = Sim {
            mn: mn(&args.mn_prefix, args.first + i),
            password: args.password.clone(),
            target: args.target.clone(),
            cn: args.cn,
            base,
            step,
            seed: (args.first + i) as u64,
            rtd_interval: 30,
            min_interval: 10,
        };
        // Spread the devices' first packets over one interval.
        let offset = interval.mul_f64(i as f64 / args.devices as f64);
        tasks.spawn(device.run(start + offset, interval, until));
    }
    let mut all = Tally::default();
    while let Some(t) = tasks.join_next().await {
        let t = t.context("a simulated device")?;
        all.requests += t.requests;
        all.sent += t.sent;
        all.acked += t.acked;
        all.rejected += t.rejected;
        all.errors += t.errors;
        all.reconnects += t.reconnects;
        all.latencies_us.extend(t.latencies_us);
        all.acked_keys.extend(t.acked_keys);
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.latencies_us.sort_unstable();
    let pct = |p: f64| -> f64 {
        if all.latencies_us.is_empty() {
            return 0.0;
        }
        let i =
            ((all.latencies_us.len() as f64 * p).ceil() as usize).clamp(1, all.latencies_us.len());
        f64::from(all.latencies_us[i - 1]) / 1000.0
    };
    if let Some(path) = &args.acked_log {
        let mut out = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        );
        for (mn, t) in &all.acked_keys {
            writeln!(out, "{mn},{t}")?;
        }
        out.flush()?;
    }
    let summary = serde_json::json!({
        "devices": args.devices,
        "cn": args.cn,
        "sent": all.sent,
        "acked": all.acked,
        "rejected": all.rejected,
        "errors": all.errors,
        "reconnects": all.reconnects,
        "requests": all.requests,
        "p50_ack_ms": pct(0.50),
        "p99_ack_ms": pct(0.99),
        "elapsed_s": (elapsed * 1000.0).round() / 1000.0,
        "packets_per_s": (all.acked as f64 / elapsed).round(),
        "values_per_s": (all.acked as f64 * FACTORS.len() as f64 / elapsed).round(),
    });
    #[allow(clippy::print_stdout)]
    {
        println!("{summary}");
    }
    Ok(if all.acked > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// One simulated device.
struct Sim {
    mn: String,
    password: String,
    target: String,
    cn: u16,
    base: i64,
    step: i64,
    seed: u64,
    /// What the platform last set (1062, 1064), answered to 1061 and 1063.
    rtd_interval: u32,
    min_interval: u32,
}

/// A connection to the server; `partial` keeps a line begun when a read was cancelled.
struct Conn {
    stream: BufReader<TcpStream>,
    partial: Vec<u8>,
}

impl Conn {
    /// The next line (a packet), whole; cancel-safe.
    async fn next_line(&mut self) -> anyhow::Result<Vec<u8>> {
        let n = self.stream.read_until(b'\n', &mut self.partial).await?;
        anyhow::ensure!(n > 0 || !self.partial.is_empty(), "connection closed");
        Ok(std::mem::take(&mut self.partial))
    }

    async fn send(&mut self, wire: &[u8]) -> std::io::Result<()> {
        self.stream.get_mut().write_all(wire).await
    }
}

impl Sim {
    async fn run(mut self, first: Instant, interval: Duration, until: Instant) -> Tally {
        let mut tally = Tally::default();
        let mut rng = self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut conn: Option<Conn> = None;
        let mut next = first;
        let mut i: i64 = 0;
        let mut requests: Vec<Vec<u8>> = Vec::new();
        while next < until {
            // Until the next upload is due, answer the platform's requests.
            loop {
                for request in std::mem::take(&mut requests) {
                    if let Some(c) = conn.as_mut() {
                        if self
                            .answer(c, &request, &mut tally, &mut rng)
                            .await
                            .is_err()
                        {
                            conn = None;
                        }
                    }
                }
                let Some(c) = conn.as_mut() else {
                    tokio::time::sleep_until(next.into()).await;
                    break;
                };
                let line = tokio::select! {
                    _ = tokio::time::sleep_until(next.into()) => break,
                    line = c.next_line() => line,
                };
                match line {
                    Ok(line) => requests.push(line),
                    Err(_) => conn = None,
                }
            }
            next += interval;
            i += 1;
            let t = self.base + i * self.step;
            let (wire, qn, datatime) = self.packet(self.cn, t, &mut rng);
            let mut sends = 0;
            loop {
                if Instant::now() >= until + ACK_TIMEOUT {
                    break;
                }
                let stream = match &mut conn {
                    Some(s) => s,
                    None => match TcpStream::connect(&self.target).await {
                        Ok(s) => {
                            let _ = s.set_nodelay(true);
                            conn.insert(Conn {
                                stream: BufReader::new(s),
                                partial: Vec::new(),
                            })
                        }
                        Err(_) => {
                            tally.errors += 1;
                            tally.reconnects += 1;
                            tokio::time::sleep(Duration::from_millis(200)).await;
                            if Instant::now() >= until {
                                break;
                            }
                            continue;
                        }
                    },
                };
                sends += 1;
                tally.sent += 1;
                let sent_at = Instant::now();
                match exchange(stream, &wire, &qn, &mut requests).await {
                    Ok(Answer::Ack) => {
                        tally.acked += 1;
                        let us = sent_at.elapsed().as_micros().min(u128::from(u32::MAX));
                        tally.latencies_us.push(us as u32);
                        tally.acked_keys.push((self.mn.clone(), datatime.clone()));
                        break;
                    }
                    Ok(Answer::Refused) => {
                        tally.rejected += 1;
                        break;
                    }
                    Err(_) => {
                        tally.errors += 1;
                        conn = None;
                        if sends >= SENDS {
                            break;
                        }
                    }
                }
            }
        }
        tally
    }

    /// The upload of `cn` for the period starting at `t` (Unix seconds): bytes, QN, DataTime.
    fn packet(&self, cn: u16, t: i64, rng: &mut u64) -> (Vec<u8>, String, String) {
        let shanghai = chrono_tz::Asia::Shanghai;
        let local = shanghai.timestamp_opt(t, 0).single().expect("a valid time");
        let datatime = local.format("%Y%m%d%H%M%S").to_string();
        let qn = chrono::Utc::now()
            .with_timezone(&shanghai)
            .format("%Y%m%d%H%M%S%3f")
            .to_string();
        let hour = f64::from(chrono::Timelike::hour(&local));
        let field = if cn == 2011 { "Rtd" } else { "Avg" };
        let fault = uniform(rng) < 0.005;
        let episode = uniform(rng) < 0.01;
        let mut values = Vec::with_capacity(FACTORS.len());
        for (code, typical, amplitude) in FACTORS {
            let cycle = 1.0 + amplitude * ((hour - 14.0) / 24.0 * std::f64::consts::TAU).cos();
            let noise = 1.0 + 0.1 * (uniform(rng) * 2.0 - 1.0);
            let mut v = typical * cycle * noise;
            if code == "a01008" {
                v = (uniform(rng) * 360.0).floor();
            } else if episode && code.starts_with("a34") {
                v *= 5.0;
            }
            values.push((code, format!("{v:.1}")));
        }
        let items = values
            .iter()
            .map(|(code, v)| Item {
                code: (*code).into(),
                field: field.into(),
                value: v.as_str().into(),
                flag: Some(if fault { "D" } else { "N" }.into()),
            })
            .collect();
        let packet = Packet {
            qn: Some(qn.as_str().into()),
            st: "22".into(),
            cn: cn.to_string().into(),
            pw: Some(self.password.as_str().into()),
            mn: self.mn.as_str().into(),
            flag: Some(5),
            datatime: Some(datatime.as_str().into()),
            items,
            ..Packet::default()
        };
        let wire = encode(&packet, &Profile::default()).expect("a simulated packet encodes");
        (wire, qn, datatime)
    }
}

enum Answer {
    Ack,
    Refused,
}

/// Sends a packet and reads replies until its 9014 (or a 9011 refusing it); the platform's
/// requests that arrive meanwhile are kept in `requests` to answer next.
async fn exchange(
    conn: &mut Conn,
    wire: &[u8],
    qn: &str,
    requests: &mut Vec<Vec<u8>>,
) -> anyhow::Result<Answer> {
    conn.send(wire).await?;
    let deadline = tokio::time::Instant::now() + ACK_TIMEOUT;
    loop {
        let line = tokio::time::timeout_at(deadline, conn.next_line()).await??;
        let Ok(reply) = decode(&line, &Profile::lenient()) else {
            continue;
        };
        let p = reply.packet;
        if p.qn.as_deref() != Some(qn) {
            if !p.command(ecolake_hj212::Edition::Auto).is_reply() {
                requests.push(line);
            }
            continue;
        }
        match p.command(ecolake_hj212::Edition::Auto) {
            Command::DataReply => return Ok(Answer::Ack),
            Command::RequestReply => return Ok(Answer::Refused),
            _ => continue,
        }
    }
}

/// A uniform number in [0, 1) (xorshift64*: deterministic per device, no dependency).
fn uniform(state: &mut u64) -> f64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
}
