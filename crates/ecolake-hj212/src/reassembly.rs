//! Reassembly of segmented packets (PNUM/PNO, spec §9), keyed by (MN, CN, DataTime, PNUM).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::Packet;

type Key = (String, String, Option<String>, u16);

#[derive(Debug)]
struct Partial {
    parts: Vec<Option<Packet<'static>>>,
    received: usize,
    first_seen: Instant,
}

/// What pushing a packet gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assembled<'a> {
    /// The packet was not segmented: here it is, untouched.
    Whole(Packet<'a>),
    /// A segment was kept; more are awaited.
    Pending,
    /// The last missing segment arrived: the merged packet (no PNUM/PNO, D bit cleared, the
    /// items and parameters of all segments in PNO order, the header of segment 1).
    Complete(Packet<'static>),
}

/// Collects segments until every PNO of a PNUM has arrived. Bounded: past `max_pending` sets,
/// or after `timeout`, incomplete sets are handed back by [`Reassembler::expire`] so the
/// caller can keep what arrived (nothing is dropped silently).
#[derive(Debug)]
pub struct Reassembler {
    pending: HashMap<Key, Partial>,
    timeout: Duration,
    max_pending: usize,
}

impl Reassembler {
    /// A reassembler whose incomplete sets expire after `timeout`, holding at most
    /// `max_pending` sets.
    pub fn new(timeout: Duration, max_pending: usize) -> Self {
        Reassembler {
            pending: HashMap::new(),
            timeout,
            max_pending: max_pending.max(1),
        }
    }

    /// Number of incomplete sets held.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Adds a packet. A segment sent again replaces the earlier copy.
    pub fn push<'a>(&mut self, packet: Packet<'a>, now: Instant) -> Assembled<'a> {
        let (Some(pnum), Some(pno)) = (packet.pnum, packet.pno) else {
            return Assembled::Whole(packet);
        };
        if pnum <= 1 {
            return Assembled::Complete(merge(vec![packet.into_owned()]));
        }
        let key = (
            packet.mn.to_string(),
            packet.cn.to_string(),
            packet.datatime.as_deref().map(str::to_owned),
            pnum,
        );
        let partial = self.pending.entry(key.clone()).or_insert_with(|| Partial {
            parts: vec![None; usize::from(pnum)],
            received: 0,
            first_seen: now,
        });
        let slot = &mut partial.parts[usize::from(pno) - 1];
        if slot.is_none() {
            partial.received += 1;
        }
        *slot = Some(packet.into_owned());
        if partial.received == partial.parts.len() {
            let done = self.pending.remove(&key).expect("entry exists");
            return Assembled::Complete(merge(done.parts.into_iter().flatten().collect()));
        }
        Assembled::Pending
    }

    /// Removes and returns the segments of sets older than the timeout, or of the oldest sets
    /// beyond `max_pending`, each set in PNO order.
    pub fn expire(&mut self, now: Instant) -> Vec<Vec<Packet<'static>>> {
        let mut keys: Vec<(Instant, Key)> = self
            .pending
            .iter()
            .map(|(k, p)| (p.first_seen, k.clone()))
            .collect();
        keys.sort();
        let excess = keys.len().saturating_sub(self.max_pending);
        keys.into_iter()
            .enumerate()
            .filter(|(i, (seen, _))| *i < excess || now.duration_since(*seen) >= self.timeout)
            .filter_map(|(_, (_, k))| self.pending.remove(&k))
            .map(|p| p.parts.into_iter().flatten().collect())
            .collect()
    }
}

fn merge(parts: Vec<Packet<'static>>) -> Packet<'static> {
    let mut iter = parts.into_iter();
    let mut whole = iter.next().expect("at least one segment");
    for part in iter {
        whole.params.extend(part.params);
        whole.items.extend(part.items);
        whole.warnings.extend(part.warnings);
    }
    whole.warnings.sort_unstable();
    whole.warnings.dedup();
    whole.pnum = None;
    whole.pno = None;
    whole.flag = whole.flag.map(|f| f & !0b10);
    whole
}
