//! The quarantine of unknown devices (`--quarantine-unknown`): the data uploads of MNs the
//! registry does not know are still refused as the standard says (9011 `QnRtn=4`) and become
//! no rows — data from an unauthenticated device must not reach `observations` — but their raw
//! frames are kept for review: archived marked `quarantined`, counted (`quarantined`), and
//! listed per MN with counts, first and last seen and a sample frame, so that an operator can
//! register the device. A wrong password is never quarantined: that is an impostor of a
//! known device, not a device waiting to be registered.
//!
//! Bounded: at most [`MAX_QUARANTINED`] MNs, and a quarantined MN's uploads within its packet
//! rate (`device_rate`); further uploads are refused without being kept.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use ecolake_hj212::Packet;

use super::Frame;
use crate::hj212::{Gateway, Hj212Stats};

/// MNs listed at most.
pub const MAX_QUARANTINED: usize = 10_000;

/// What was kept of one unknown MN's uploads.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Quarantined {
    /// The device's MN.
    pub mn: String,
    /// Uploads kept (since start, and in the archived hours reloaded at start).
    pub frames: u64,
    /// The first one (UTC ms).
    pub first_ms: i64,
    /// The last one (UTC ms).
    pub last_ms: i64,
    /// Where the last one came from (`IP:port` or MQTT topic).
    pub peer: String,
    /// The last one's text (cut like a frame's).
    pub sample: String,
}

/// The quarantined MNs.
#[derive(Debug, Default)]
pub(crate) struct Quarantine {
    devices: Mutex<HashMap<String, Quarantined>>,
}

impl Quarantine {
    pub(crate) fn has_room(&self, mn: &str) -> bool {
        let devices = self.devices.lock().expect("quarantine lock");
        devices.len() < MAX_QUARANTINED || devices.contains_key(mn)
    }

    pub(crate) fn note(&self, mn: &str, frame: &Frame) {
        let mut devices = self.devices.lock().expect("quarantine lock");
        if !devices.contains_key(mn) && devices.len() >= MAX_QUARANTINED {
            return;
        }
        let q = devices.entry(mn.to_owned()).or_insert_with(|| Quarantined {
            mn: mn.to_owned(),
            frames: 0,
            first_ms: frame.at_ms,
            last_ms: frame.at_ms,
            peer: String::new(),
            sample: String::new(),
        });
        q.frames += 1;
        q.first_ms = q.first_ms.min(frame.at_ms);
        if frame.at_ms >= q.last_ms {
            q.last_ms = frame.at_ms;
            q.peer.clone_from(&frame.peer);
            q.sample.clone_from(&frame.text);
        }
    }

    pub(crate) fn list(&self) -> Vec<Quarantined> {
        let devices = self.devices.lock().expect("quarantine lock");
        let mut list: Vec<Quarantined> = devices.values().cloned().collect();
        list.sort_by(|a, b| b.last_ms.cmp(&a.last_ms).then_with(|| a.mn.cmp(&b.mn)));
        list
    }
}

impl<D> Gateway<D> {
    /// Whether to keep this packet of an unknown MN for review: quarantining is on, it is a
    /// data upload, and its MN has room and is within its rate.
    pub(crate) fn quarantines(&self, packet: &Packet<'_>) -> bool {
        self.config.quarantine_unknown
            && packet
                .command(self.config.default_profile.edition)
                .is_data_upload()
            && self.frames.can_quarantine(&packet.mn)
            && self.admit(&packet.mn, Instant::now())
    }

    /// Keeps an unknown MN's upload (already refused, `result` says how) for review.
    pub(crate) fn quarantine(&self, mn: &str, peer: &str, wire: &[u8], result: String) {
        Hj212Stats::add(&self.stats.quarantined, 1);
        self.frames
            .record_quarantined(mn, peer, wire, format!("{result}; quarantined"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(at_ms: i64, text: &str) -> Frame {
        Frame {
            seq: 0,
            at_ms,
            direction: "in",
            peer: format!("p{at_ms}"),
            text: text.to_owned(),
            result: String::new(),
            quarantined: true,
        }
    }

    #[test]
    fn each_mn_is_listed_with_counts_times_and_its_last_frame() {
        let q = Quarantine::default();
        q.note("A", &frame(10, "a1"));
        q.note("B", &frame(20, "b1"));
        q.note("A", &frame(30, "a2"));
        q.note("A", &frame(5, "a0")); // reloaded out of order
        let list = q.list();
        assert_eq!(
            list[0],
            Quarantined {
                mn: "A".into(),
                frames: 3,
                first_ms: 5,
                last_ms: 30,
                peer: "p30".into(),
                sample: "a2".into(),
            }
        );
        assert_eq!((list[1].mn.as_str(), list[1].frames), ("B", 1));
        assert!(q.has_room("C"));
    }
}
