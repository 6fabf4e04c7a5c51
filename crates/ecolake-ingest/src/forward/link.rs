//! The connection to an upstream: send packets with a window, wait for their 9014s, resend on
//! `over_time` up to `re_count` times (HJ 212-2017 Table 1).

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use ecolake_hj212::{decode, Command, Edition, Profile};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::packets::Outgoing;
use super::{now_rfc3339, Lane, Upstream};

/// How long a connection attempt may take.
const CONNECT: Duration = Duration::from_secs(10);
/// A line longer than this from an upstream is not a reply: the connection is given up.
const MAX_LINE: usize = 64 * 1024;

/// The connection, opened when needed and dropped after any failure.
#[derive(Debug, Default)]
pub(crate) struct Link {
    conn: Option<Conn>,
}

#[derive(Debug)]
struct Conn {
    reader: BufReader<OwnedReadHalf>,
    writer: BufWriter<OwnedWriteHalf>,
    line: Vec<u8>,
}

/// A packet sent and not yet acknowledged.
#[derive(Debug)]
struct InFlight {
    index: usize,
    due: Instant,
    resends: u32,
}

impl Link {
    pub(crate) fn close(&mut self, lane: &Lane) {
        self.conn = None;
        lane.connected.store(false, Ordering::Relaxed);
    }

    /// Delivers `packets` in order; acknowledged ones are removed from it, so that on an error
    /// it holds those still to deliver.
    pub(crate) async fn deliver(
        &mut self,
        upstream: &Upstream,
        packets: &mut Vec<Outgoing>,
        lane: &Lane,
    ) -> Result<(), String> {
        if self.conn.is_none() {
            let stream = tokio::time::timeout(CONNECT, TcpStream::connect(&upstream.address))
                .await
                .map_err(|_| format!("connecting to {}: timed out", upstream.address))?
                .map_err(|e| format!("connecting to {}: {e}", upstream.address))?;
            let _ = stream.set_nodelay(true);
            let (r, w) = stream.into_split();
            self.conn = Some(Conn {
                reader: BufReader::new(r),
                writer: BufWriter::new(w),
                line: Vec::new(),
            });
            lane.connects.fetch_add(1, Ordering::Relaxed);
            lane.connected.store(true, Ordering::Relaxed);
        }
        let conn = self.conn.as_mut().expect("connected");
        let result = if upstream.ack {
            conn.with_acks(upstream, packets, lane).await
        } else {
            conn.without_acks(upstream, packets, lane).await
        };
        if result.is_err() {
            self.close(lane);
        }
        result
    }
}

impl Conn {
    async fn write(&mut self, wire: &[u8], address: &str) -> Result<(), String> {
        self.writer
            .write_all(wire)
            .await
            .map_err(|e| format!("sending to {address}: {e}"))
    }

    async fn flush(&mut self, address: &str) -> Result<(), String> {
        self.writer
            .flush()
            .await
            .map_err(|e| format!("sending to {address}: {e}"))
    }

    async fn without_acks(
        &mut self,
        upstream: &Upstream,
        packets: &mut Vec<Outgoing>,
        lane: &Lane,
    ) -> Result<(), String> {
        for p in packets.iter() {
            self.write(&p.wire, &upstream.address).await?;
        }
        self.flush(&upstream.address).await?;
        let n = packets.len() as u64;
        lane.packets_sent.fetch_add(n, Ordering::Relaxed);
        lane.packets_acked.fetch_add(n, Ordering::Relaxed);
        if let Some(last) = packets.last() {
            lane.detail.lock().expect("detail lock").last_data_time = Some(last.data_time.clone());
        }
        packets.clear();
        Ok(())
    }

    async fn with_acks(
        &mut self,
        upstream: &Upstream,
        packets: &mut Vec<Outgoing>,
        lane: &Lane,
    ) -> Result<(), String> {
        let mut acked = vec![false; packets.len()];
        let result = self.pump(upstream, packets, lane, &mut acked).await;
        let mut i = 0;
        packets.retain(|_| {
            i += 1;
            !acked[i - 1]
        });
        result
    }

    /// Sends `packets` and reads replies until each is acknowledged (marked in `acked`), one
    /// is refused, or one runs out of resends.
    async fn pump(
        &mut self,
        upstream: &Upstream,
        packets: &[Outgoing],
        lane: &Lane,
        acked: &mut [bool],
    ) -> Result<(), String> {
        let address = upstream.address.as_str();
        let over_time = Duration::from_secs(upstream.over_time);
        let mut in_flight: HashMap<String, InFlight> = HashMap::new();
        let mut next = 0;
        loop {
            while in_flight.len() < upstream.window && next < packets.len() {
                let p = &packets[next];
                self.write(&p.wire, address).await?;
                in_flight.insert(
                    p.qn.clone(),
                    InFlight {
                        index: next,
                        due: Instant::now() + over_time,
                        resends: 0,
                    },
                );
                lane.packets_sent.fetch_add(1, Ordering::Relaxed);
                next += 1;
            }
            if in_flight.is_empty() {
                return Ok(());
            }
            self.flush(address).await?;
            let due = in_flight.values().map(|f| f.due).min().expect("in flight");
            match tokio::time::timeout_at(due, self.read_line(address)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(e),
                Err(_) => {
                    // Table 1: past OverTime, send the same packet (same QN) again, at most
                    // ReCount times.
                    let now = Instant::now();
                    let mut gave_up = None;
                    for (qn, f) in in_flight.iter_mut().filter(|(_, f)| f.due <= now) {
                        if f.resends >= upstream.re_count {
                            gave_up = Some(qn.clone());
                            break;
                        }
                        f.resends += 1;
                        f.due = now + over_time;
                        lane.resends.fetch_add(1, Ordering::Relaxed);
                        self.writer
                            .write_all(&packets[f.index].wire)
                            .await
                            .map_err(|e| format!("sending to {address}: {e}"))?;
                    }
                    if let Some(qn) = gave_up {
                        return Err(format!(
                            "no 9014 from {address} for QN {qn} after {} sends {}s apart",
                            upstream.re_count + 1,
                            upstream.over_time
                        ));
                    }
                    continue;
                }
            }
            let Ok(reply) = decode(&self.line, &Profile::lenient()) else {
                continue; // Not a packet we can read: not an answer to ours either.
            };
            let p = reply.packet;
            let Some(f) = p.qn.as_deref().and_then(|qn| in_flight.get(qn)) else {
                continue; // A request of the upstream, or a late answer: nothing to do.
            };
            let index = f.index;
            match p.command(Edition::Auto) {
                Command::DataReply => {
                    in_flight.remove(p.qn.as_deref().unwrap_or_default());
                    acked[index] = true;
                    lane.packets_acked.fetch_add(1, Ordering::Relaxed);
                    let mut d = lane.detail.lock().expect("detail lock");
                    d.last_ack_at = Some(now_rfc3339());
                    d.last_data_time = Some(packets[index].data_time.clone());
                }
                Command::RequestReply => {
                    lane.refusals.fetch_add(1, Ordering::Relaxed);
                    let rtn = p.param("QnRtn").unwrap_or("?");
                    // A 9011 names the MN of the packet it answers.
                    return Err(format!(
                        "{address} refused the packet of MN {} (9011 QnRtn={rtn}{})",
                        p.mn,
                        match rtn {
                            "2" => ": busy or rate-limited",
                            "3" => ": wrong password",
                            "4" => ": unknown MN",
                            _ => "",
                        }
                    ));
                }
                _ => {}
            }
        }
    }

    /// Reads one line (a packet) into `self.line`; cancel-safe (a partial line stays).
    async fn read_line(&mut self, address: &str) -> Result<(), String> {
        if self.line.ends_with(b"\n") {
            self.line.clear();
        }
        let n = self
            .reader
            .read_until(b'\n', &mut self.line)
            .await
            .map_err(|e| format!("reading from {address}: {e}"))?;
        if n == 0 {
            return Err(format!("{address} closed the connection"));
        }
        if self.line.len() > MAX_LINE {
            return Err(format!("{address} sent a line of over {MAX_LINE} bytes"));
        }
        Ok(())
    }
}
