//! The recent frames of each device, for commissioning: what it sent, how it was decoded and
//! handled, what it was answered. Bounded: the last [`FRAMES_PER_DEVICE`] frames of at most
//! [`MAX_DEVICES`] MNs (unknown MNs included — an unregistered device being commissioned is
//! exactly who needs them), each frame's text cut at [`MAX_FRAME_TEXT`] bytes.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Frames kept per MN.
pub const FRAMES_PER_DEVICE: usize = 100;
/// MNs whose frames are kept; frames of further MNs are not recorded.
pub const MAX_DEVICES: usize = 100_000;
/// Bytes of a frame's text kept.
pub const MAX_FRAME_TEXT: usize = 2048;

/// One frame received from or sent to a device.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Frame {
    /// Increases with every frame recorded (for following).
    pub seq: u64,
    /// When (UTC ms).
    pub at_ms: i64,
    /// `in` (from the device) or `out` (to it).
    pub direction: &'static str,
    /// The connection (`IP:port`) or the MQTT topic.
    pub peer: String,
    /// The bytes as text (invalid UTF-8 replaced), cut at [`MAX_FRAME_TEXT`].
    pub text: String,
    /// What became of it: `stored N rows`, `refused: wrong password`, `decode error: …`,
    /// `sent` …
    pub result: String,
}

/// The frames of every device.
#[derive(Debug, Default)]
pub struct FrameLog {
    devices: Mutex<HashMap<String, VecDeque<Frame>>>,
    seq: AtomicU64,
}

impl FrameLog {
    /// Records a frame of `mn`.
    pub fn record(
        &self,
        mn: &str,
        direction: &'static str,
        peer: &str,
        bytes: &[u8],
        result: String,
    ) {
        let cut = &bytes[..bytes.len().min(MAX_FRAME_TEXT)];
        let frame = Frame {
            seq: self.seq.fetch_add(1, Ordering::Relaxed) + 1,
            at_ms: chrono::Utc::now().timestamp_millis(),
            direction,
            peer: peer.to_owned(),
            text: String::from_utf8_lossy(cut).trim_end().to_owned(),
            result,
        };
        let mut devices = self.devices.lock().expect("frame log lock");
        if !devices.contains_key(mn) && devices.len() >= MAX_DEVICES {
            return;
        }
        let frames = devices.entry(mn.to_owned()).or_default();
        if frames.len() == FRAMES_PER_DEVICE {
            frames.pop_front();
        }
        frames.push_back(frame);
    }

    /// The frames of `mn` with `seq` above `after`, oldest first, at most `limit` (the newest).
    pub fn frames(&self, mn: &str, after: u64, limit: usize) -> Vec<Frame> {
        let devices = self.devices.lock().expect("frame log lock");
        let Some(frames) = devices.get(mn) else {
            return Vec::new();
        };
        let newer: Vec<&Frame> = frames.iter().filter(|f| f.seq > after).collect();
        newer[newer.len().saturating_sub(limit)..]
            .iter()
            .map(|f| (*f).clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_device_keeps_its_last_frames() {
        let log = FrameLog::default();
        for i in 0..(FRAMES_PER_DEVICE + 5) {
            log.record("A", "in", "p", format!("##{i}\r\n").as_bytes(), "ok".into());
        }
        log.record("B", "out", "p", &[0xff, b'x'], "sent".into());
        let a = log.frames("A", 0, 1000);
        assert_eq!(a.len(), FRAMES_PER_DEVICE);
        assert_eq!(a[0].text, "##5");
        let last = log.frames("A", 0, 2);
        assert_eq!(
            last.iter().map(|f| f.text.as_str()).collect::<Vec<_>>(),
            ["##103", "##104"]
        );
        assert!(log.frames("A", last[1].seq, 10).is_empty());
        assert_eq!(log.frames("B", 0, 10)[0].text, "\u{fffd}x");
        assert!(log.frames("C", 0, 10).is_empty());
    }
}
