//! `ecolake hj212 request --mn MN ACTION`: the platform's HJ 212 requests to a connected
//! device, through a running server's HTTP API — history data for a time range, the real-time
//! and minute intervals, the station's clock, the timeouts — waiting for the exchange to end
//! (9011, data, 9012, with the standard's timeouts and resends) and printing it as JSON.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::builder::TypedValueParser;
use clap::{Args, Subcommand};
use serde_json::{json, Value};

use super::http::{encode, get, post};

#[derive(Debug, Args)]
pub struct RequestArgs {
    /// The device's MN.
    #[arg(long)]
    mn: String,
    /// The server's HTTP address (`ecolake serve --http`).
    #[arg(long, default_value = "127.0.0.1:8080")]
    server: String,
    /// Print the exchange as soon as it is sent instead of waiting for it to end.
    #[arg(long)]
    no_wait: bool,
    /// Seconds to wait for each answer (`OverTime`, 1–99; default: the device's, else 10).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=99))]
    over_time: Option<u64>,
    /// Resends of an unanswered request (`ReCount`, 1–99; default: the device's, else 3).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=99))]
    re_count: Option<u32>,
    #[command(subcommand)]
    action: Action,
}

/// Times are the device's local time: `YYYYMMDDhhmmss`, `YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss]`
/// or `YYYY-MM-DD hh:mm[:ss]`.
#[derive(Debug, Subcommand)]
enum Action {
    /// Ask for the data of a time range again (the station sends one upload per period, each
    /// stored as history and acknowledged, then a 9012).
    History {
        /// 2061 hourly, 2051 minute, 2031 daily data, 2041 daily run time.
        #[arg(long, default_value_t = 2061, value_parser = clap::builder::PossibleValuesParser::new(["2061", "2051", "2031", "2041"]).map(|s| s.parse::<u16>().expect("listed values are numbers")))]
        cn: u16,
        /// First period wanted (the device's local time).
        #[arg(long, value_parser = time)]
        begin: String,
        /// Last period wanted.
        #[arg(long, value_parser = time)]
        end: String,
    },
    /// Read the station's clock (1011).
    GetTime,
    /// Set the station's clock (1012), by default to the server's time in the device's zone.
    SetTime {
        /// The time to set (the device's local time).
        #[arg(long, value_parser = time)]
        time: Option<String>,
    },
    /// Read the real-time data interval (1061).
    GetRtdInterval,
    /// Set the real-time data interval in seconds, 30–3600 (1062).
    SetRtdInterval {
        /// Seconds.
        seconds: u32,
    },
    /// Read the minute-data interval (1063).
    GetMinInterval,
    /// Set the minute-data interval in minutes: 1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30 (1064).
    SetMinInterval {
        /// Minutes.
        minutes: u32,
    },
    /// Set the station's timeout and resends (1000); the server then uses them for the device.
    SetTimeouts {
        /// `OverTime`, seconds 1–99.
        over_time: u32,
        /// `ReCount`, 1–99.
        re_count: u32,
    },
    /// Start real-time data uploads (2011).
    StartRtd,
    /// Stop real-time data uploads (2012, a notification).
    StopRtd,
    /// Any other request of Table 9 with its CP parameters.
    Send {
        /// The command code.
        #[arg(long)]
        cn: u16,
        /// A CP parameter `KEY=VALUE` (repeat for more).
        #[arg(long = "param", value_parser = param)]
        params: Vec<(String, String)>,
    },
}

impl Action {
    fn request(&self) -> (u16, BTreeMap<String, String>) {
        let one = |k: &str, v: String| BTreeMap::from([(k.to_owned(), v)]);
        match self {
            Action::History { cn, begin, end } => (
                *cn,
                BTreeMap::from([
                    ("BeginTime".to_owned(), begin.clone()),
                    ("EndTime".to_owned(), end.clone()),
                ]),
            ),
            Action::GetTime => (1011, BTreeMap::new()),
            Action::SetTime { time } => (
                1012,
                time.clone()
                    .map(|t| one("SystemTime", t))
                    .unwrap_or_default(),
            ),
            Action::GetRtdInterval => (1061, BTreeMap::new()),
            Action::SetRtdInterval { seconds } => (1062, one("RtdInterval", seconds.to_string())),
            Action::GetMinInterval => (1063, BTreeMap::new()),
            Action::SetMinInterval { minutes } => (1064, one("MinInterval", minutes.to_string())),
            Action::SetTimeouts {
                over_time,
                re_count,
            } => (
                1000,
                BTreeMap::from([
                    ("OverTime".to_owned(), over_time.to_string()),
                    ("ReCount".to_owned(), re_count.to_string()),
                ]),
            ),
            Action::StartRtd => (2011, BTreeMap::new()),
            Action::StopRtd => (2012, BTreeMap::new()),
            Action::Send { cn, params } => (*cn, params.iter().cloned().collect()),
        }
    }
}

pub fn run(args: &RequestArgs) -> anyhow::Result<ExitCode> {
    let (cn, params) = args.action.request();
    let mut body = json!({"cn": cn, "params": params});
    if let Some(s) = args.over_time {
        body["over_time_s"] = s.into();
    }
    if let Some(n) = args.re_count {
        body["re_count"] = n.into();
    }
    let path = format!("/api/v1/devices/{}/commands", encode(&args.mn));
    let mut exchange = post(&args.server, &path, &body)?;
    let id = exchange["id"]
        .as_u64()
        .context("the server's answer has no id")?;
    let mut shown = 0;
    while !args.no_wait && !ended(&exchange) {
        exchange = get(&args.server, &format!("/api/v1/commands/{id}?wait=5"))?;
        let packets = exchange["data_packets"].as_u64().unwrap_or(0);
        if packets > shown {
            shown = packets;
            crate::cmd::report(format_args!(
                "request {id}: {packets} data packets, {} rows so far",
                exchange["rows"]
            ));
        }
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", serde_json::to_string_pretty(&exchange)?)?;
    let ok = args.no_wait || matches!(exchange["state"].as_str(), Some("succeeded" | "no_data"));
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn ended(exchange: &Value) -> bool {
    !matches!(exchange["state"].as_str(), Some("sent" | "executing"))
}

/// A time in one of the accepted forms, as HJ 212 writes it (`YYYYMMDDhhmmss`).
fn time(text: &str) -> Result<String, String> {
    use chrono::{NaiveDate, NaiveDateTime};
    let t = text.trim();
    let parsed = NaiveDateTime::parse_from_str(t, "%Y%m%d%H%M%S")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M"))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
        .or_else(|_| {
            NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists"))
        })
        .map_err(|_| {
            format!("`{text}` is not a time: YYYYMMDDhhmmss, YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss]")
        })?;
    Ok(parsed.format("%Y%m%d%H%M%S").to_string())
}

fn param(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("`{text}` is not KEY=VALUE"))
}
