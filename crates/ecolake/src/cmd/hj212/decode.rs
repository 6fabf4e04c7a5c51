//! `ecolake hj212 decode`: a byte stream in, JSON lines out.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use ecolake_hj212::{json, StreamDecoder};

use super::ProfileArgs;

#[derive(Debug, Args)]
pub struct DecodeArgs {
    #[command(flatten)]
    profile: ProfileArgs,
    /// Read this file instead of stdin.
    file: Option<PathBuf>,
}

/// Bytes read per call; packets straddling reads are completed by the next read.
const CHUNK: usize = 64 * 1024;

pub fn run(args: &DecodeArgs) -> anyhow::Result<ExitCode> {
    let mut input: Box<dyn Read> = match &args.file {
        Some(path) => {
            Box::new(File::open(path).with_context(|| format!("opening {}", path.display()))?)
        }
        None => Box::new(io::stdin().lock()),
    };
    let mut out = BufWriter::new(io::stdout().lock());
    let mut decoder = StreamDecoder::new(args.profile.profile());
    let mut buf: Vec<u8> = Vec::with_capacity(2 * CHUNK);
    let mut eof = false;
    while !eof {
        let filled = buf.len();
        buf.resize(filled + CHUNK, 0);
        let n = loop {
            match input.read(&mut buf[filled..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e).context("reading input"),
            }
        };
        buf.truncate(filled + n);
        eof = n == 0;
        let mut pos = 0;
        while let Some((used, event)) = decoder.decode(&buf[pos..], eof) {
            pos += used;
            json::write_event(&mut out, &event)?;
            out.write_all(b"\n")?;
        }
        buf.drain(..pos);
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
