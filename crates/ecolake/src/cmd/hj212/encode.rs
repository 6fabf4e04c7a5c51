//! `ecolake hj212 encode`: JSON lines in, HJ 212 packets out.

use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use ecolake_hj212::{encode_into, json};

use super::ProfileArgs;

#[derive(Debug, Args)]
pub struct EncodeArgs {
    #[command(flatten)]
    profile: ProfileArgs,
    /// Split packets longer than --max-segment into PNUM/PNO segments instead of refusing them.
    #[arg(long)]
    split: bool,
}

pub fn run(args: &EncodeArgs) -> anyhow::Result<ExitCode> {
    let profile = args.profile.profile();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut wire = Vec::with_capacity(2048);
    let (mut failed, mut skipped) = (0usize, 0usize);
    for (n, line) in io::stdin().lock().lines().enumerate() {
        let line = line.context("reading stdin")?;
        if line.trim().is_empty() {
            continue;
        }
        let result = serde_json::from_str::<serde_json::Value>(&line)
            .map_err(anyhow::Error::from)
            .and_then(|value| {
                if value.get("ok").and_then(serde_json::Value::as_bool) == Some(false) {
                    return Ok(None);
                }
                Ok(Some(json::read_packet(value)?))
            });
        let packet = match result {
            Ok(Some(p)) => p,
            Ok(None) => {
                skipped += 1;
                continue;
            }
            Err(e) => {
                report(format_args!("line {}: {e}", n + 1));
                failed += 1;
                continue;
            }
        };
        let parts = if args.split {
            packet.split(profile.max_segment)
        } else {
            Ok(vec![packet])
        };
        let written = parts.and_then(|parts| {
            wire.clear();
            parts
                .iter()
                .try_for_each(|p| encode_into(p, &profile, &mut wire))
        });
        match written {
            Ok(()) => out.write_all(&wire)?,
            Err(e) => {
                report(format_args!("line {}: {e}", n + 1));
                failed += 1;
            }
        }
    }
    out.flush()?;
    if skipped > 0 {
        report(format_args!(
            "skipped {skipped} error record(s) (\"ok\": false)"
        ));
    }
    Ok(if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[allow(clippy::print_stderr)]
fn report(msg: std::fmt::Arguments<'_>) {
    eprintln!("ecolake hj212 encode: {msg}");
}
