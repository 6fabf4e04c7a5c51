//! `ecolake hj212 tail --mn MN`: a device's recent frames from a running server — what it sent,
//! how each was decoded and handled, what it was answered. For commissioning a data logger.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::http::{encode, get};

#[derive(Debug, Args)]
pub struct TailArgs {
    /// The device's MN.
    #[arg(long)]
    mn: String,
    /// The server's HTTP address (`ecolake serve --http`).
    #[arg(long, default_value = "127.0.0.1:8080")]
    server: String,
    /// Frames shown at most (the newest).
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// Keep printing new frames as they come (until interrupted).
    #[arg(long, short)]
    follow: bool,
}

pub fn run(args: &TailArgs) -> anyhow::Result<ExitCode> {
    let mut after = 0u64;
    loop {
        let path = format!(
            "/api/v1/devices/{}/frames?after={after}&limit={}",
            encode(&args.mn),
            args.limit
        );
        let body = get(&args.server, &path)?;
        let frames = body["frames"].as_array().cloned().unwrap_or_default();
        let mut out = std::io::stdout().lock();
        for f in &frames {
            after = after.max(f["seq"].as_u64().unwrap_or(0));
            let at = f["at_ms"]
                .as_i64()
                .and_then(chrono::DateTime::from_timestamp_millis)
                .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
                .unwrap_or_default();
            writeln!(
                out,
                "{at} {:>3} {}  {}\n    {}",
                f["direction"].as_str().unwrap_or(""),
                f["peer"].as_str().unwrap_or(""),
                f["result"].as_str().unwrap_or(""),
                f["text"].as_str().unwrap_or(""),
            )?;
        }
        out.flush()?;
        if !args.follow {
            if frames.is_empty() {
                crate::cmd::report(format_args!(
                    "no frames of MN {} on {}",
                    args.mn, args.server
                ));
            }
            return Ok(ExitCode::SUCCESS);
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}
