//! `ecolake hj212 …`: the HJ 212 codec on the command line.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use ecolake_hj212::{CrcDialect, Edition, Mode, Profile, MAX_SEGMENT};

mod decode;
mod encode;
mod http;
mod request;
pub mod simulate;
mod tail;

#[derive(Debug, Subcommand)]
pub enum Hj212Command {
    /// Decode a byte stream (as a TCP server receives it) from stdin or FILE into one JSON
    /// object per line for every packet, error and garbage run, in stream order.
    Decode(decode::DecodeArgs),
    /// Encode JSON packets (one object per line, as `decode` prints them) into HJ 212 packets,
    /// computing length and CRC.
    Encode(encode::EncodeArgs),
    /// Play N data acquisition units against an HJ 212 server: send realistic uploads at a
    /// rate, wait for the 9014 acknowledgements, print a JSON summary (sent, acked, rejected,
    /// errors, p50/p99 ack latency, packets/s).
    Simulate(simulate::SimulateArgs),
    /// Show a device's recent frames on a running server (what it sent, how each was handled,
    /// what it was answered) — for commissioning a data logger.
    Tail(tail::TailArgs),
    /// Send a connected device one of the platform's requests through a running server —
    /// history data for a time range, intervals, the clock, timeouts — and print what became
    /// of it (9011, data, 9012; the standard's timeouts and resends apply).
    Request(request::RequestArgs),
}

/// How to read the device (a profile).
#[derive(Debug, Clone, Args)]
pub struct ProfileArgs {
    /// Accept what real devices send that the standard's strict reading rejects, reporting
    /// each deviation in `warnings`.
    #[arg(long)]
    lenient: bool,
    /// Protocol edition: auto (by the Flag version bits), 2005, 2017, 2025, surface-water.
    #[arg(long, default_value = "auto", value_parser = clap::builder::ValueParser::new(|s: &str| s.parse::<Edition>()))]
    edition: Edition,
    /// CRC dialect: hj212, hj212-signed, hj212-utf16, modbus-be, modbus-le.
    #[arg(long, default_value = "hj212", value_parser = clap::builder::ValueParser::new(|s: &str| s.parse::<CrcDialect>()))]
    crc: CrcDialect,
    /// Largest data segment accepted, in bytes (the standard's limit is 1024).
    #[arg(long, default_value_t = MAX_SEGMENT)]
    max_segment: usize,
}

impl ProfileArgs {
    fn profile(&self) -> Profile {
        Profile {
            edition: self.edition,
            crc: self.crc,
            mode: if self.lenient {
                Mode::Lenient
            } else {
                Mode::Strict
            },
            max_segment: self.max_segment,
        }
    }
}

pub fn run(command: Hj212Command) -> anyhow::Result<ExitCode> {
    match command {
        Hj212Command::Decode(args) => decode::run(&args),
        Hj212Command::Encode(args) => encode::run(&args),
        Hj212Command::Simulate(args) => simulate::run(&args),
        Hj212Command::Tail(args) => tail::run(&args),
        Hj212Command::Request(args) => request::run(&args),
    }
}
