//! The recent frames of each device, for commissioning: what it sent, how it was decoded and
//! handled, what it was answered. Bounded: the last [`FRAMES_PER_DEVICE`] frames of at most
//! [`MAX_DEVICES`] MNs (unknown MNs included — an unregistered device being commissioned is
//! exactly who needs them), each frame's text cut at [`MAX_FRAME_TEXT`] bytes, and
//! [`MAX_LOG_BYTES`] in all: when the frames of many busy devices exceed it, the oldest frames
//! of all go first (10,000 devices keep their last dozen or so each; a few hundred keep 32).
//!
//! With an [`archive`] (`FrameLog::archived`), every frame of a registered device, and every
//! frame kept for review by the [`quarantine`], is also appended raw to the data directory; a
//! restart reloads the newest archived frames, so a device's recent frames survive it and `seq`
//! keeps increasing. Frames of unknown MNs that are not quarantined stay in memory only: the
//! standard says to store nothing of them, and anyone can send them.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::mem::size_of;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

pub mod archive;
pub mod quarantine;

use archive::{Entry, FrameArchive};
use quarantine::{Quarantine, Quarantined};

/// Frames kept per MN.
pub const FRAMES_PER_DEVICE: usize = 32;
/// MNs whose frames are kept; frames of further MNs are not recorded.
pub const MAX_DEVICES: usize = 100_000;
/// Bytes of a frame's text kept.
pub const MAX_FRAME_TEXT: usize = 2048;
/// Bytes the frames in memory take at most (texts, results and bookkeeping).
pub const MAX_LOG_BYTES: usize = 32 << 20;

/// One frame received from or sent to a device.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Frame {
    /// Increases with every frame recorded (for following), across restarts when archived.
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
    /// An unknown device's upload kept for review (`--quarantine-unknown`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub quarantined: bool,
}

/// The text shown for a frame's bytes.
pub(crate) fn text_of(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(MAX_FRAME_TEXT)];
    String::from_utf8_lossy(cut).trim_end().to_owned()
}

/// Which MNs' frames go to the archive (the registered devices').
type Archived = Box<dyn Fn(&str) -> bool + Send + Sync>;

/// A frame as the log keeps it: compact (boxed text, the connection's name shared).
#[derive(Debug)]
struct Kept {
    seq: u64,
    at_ms: i64,
    direction: &'static str,
    quarantined: bool,
    peer: Arc<str>,
    text: Box<str>,
    result: Box<str>,
}

impl Kept {
    /// What keeping it costs: itself, its place in the log's order, its text and result.
    fn bytes(&self) -> usize {
        size_of::<Kept>() + size_of::<(u32, u64)>() + self.text.len() + self.result.len()
    }

    fn frame(&self) -> Frame {
        Frame {
            seq: self.seq,
            at_ms: self.at_ms,
            direction: self.direction,
            peer: self.peer.to_string(),
            text: self.text.to_string(),
            result: self.result.to_string(),
            quarantined: self.quarantined,
        }
    }
}

/// The frames of every MN, behind the log's lock.
#[derive(Debug)]
struct KeptLog {
    /// Bytes at most ([`MAX_LOG_BYTES`]).
    budget: usize,
    /// MN → its place in `devices`.
    index: HashMap<String, u32>,
    /// Each MN's frames, oldest first.
    devices: Vec<VecDeque<Kept>>,
    /// Every frame kept, oldest first, as (device, seq); entries of frames a device's own
    /// limit has dropped stay until they reach the front or the next tidying.
    order: VecDeque<(u32, u64)>,
    /// Frames kept, and their [`Kept::bytes`].
    live: usize,
    bytes: usize,
}

impl Default for KeptLog {
    fn default() -> Self {
        KeptLog {
            budget: MAX_LOG_BYTES,
            index: HashMap::new(),
            devices: Vec::new(),
            order: VecDeque::new(),
            live: 0,
            bytes: 0,
        }
    }
}

impl KeptLog {
    fn push(&mut self, mn: &str, frame: Frame) {
        let slot = match self.index.get(mn) {
            Some(&slot) => slot,
            None if self.devices.len() >= MAX_DEVICES => return,
            None => {
                let slot = self.devices.len() as u32;
                self.index.insert(mn.to_owned(), slot);
                self.devices.push(VecDeque::new());
                slot
            }
        };
        let frames = &mut self.devices[slot as usize];
        // One connection's name, shared by its frames.
        let peer = match frames.back() {
            Some(last) if *last.peer == *frame.peer => last.peer.clone(),
            _ => Arc::from(frame.peer),
        };
        if frames.len() == FRAMES_PER_DEVICE {
            let gone = frames.pop_front().expect("full");
            self.live -= 1;
            self.bytes -= gone.bytes();
        }
        let kept = Kept {
            seq: frame.seq,
            at_ms: frame.at_ms,
            direction: frame.direction,
            quarantined: frame.quarantined,
            peer,
            text: frame.text.into_boxed_str(),
            result: frame.result.into_boxed_str(),
        };
        self.order.push_back((slot, kept.seq));
        self.live += 1;
        self.bytes += kept.bytes();
        frames.push_back(kept);
        while self.bytes > self.budget {
            let Some((slot, seq)) = self.order.pop_front() else {
                break;
            };
            let frames = &mut self.devices[slot as usize];
            if frames.front().is_some_and(|f| f.seq == seq) {
                let gone = frames.pop_front().expect("front");
                self.live -= 1;
                self.bytes -= gone.bytes();
            }
        }
        if self.order.len() > 2 * self.live + 1024 {
            let devices = &self.devices;
            // A device's frames are the newest of its own: an entry is kept iff its seq is
            // not older than the device's oldest frame.
            self.order.retain(|&(slot, seq)| {
                devices[slot as usize].front().is_some_and(|f| f.seq <= seq)
            });
        }
    }

    fn frames(&self, mn: &str) -> Option<&VecDeque<Kept>> {
        self.index.get(mn).map(|&slot| &self.devices[slot as usize])
    }
}

/// The frames of every device.
#[derive(Default)]
pub struct FrameLog {
    devices: Mutex<KeptLog>,
    seq: AtomicU64,
    archive: Option<(Arc<FrameArchive>, Archived)>,
    quarantine: Quarantine,
}

impl fmt::Debug for FrameLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameLog")
            .field("seq", &self.seq)
            .field("archive", &self.archive.as_ref().map(|a| &a.0))
            .finish_non_exhaustive()
    }
}

impl FrameLog {
    /// A log that also appends to `archive` the frames of the MNs `archived` says (and the
    /// quarantined ones), starting with the newest frames the archive holds (bounded reading:
    /// see [`FrameArchive::recent`]). Reads files: call it off the async runtime's threads.
    pub fn archived(
        archive: Arc<FrameArchive>,
        archived: impl Fn(&str) -> bool + Send + Sync + 'static,
    ) -> std::io::Result<FrameLog> {
        let recent = archive.recent()?;
        let log = FrameLog {
            archive: Some((archive, Box::new(archived))),
            ..FrameLog::default()
        };
        let mut max = 0;
        for (mn, frame) in recent {
            max = max.max(frame.seq);
            if frame.quarantined {
                log.quarantine.note(&mn, &frame);
            }
            log.push(&mn, frame);
        }
        log.seq.store(max, Ordering::Relaxed);
        Ok(log)
    }

    /// The archive, if frames are archived.
    pub fn archive(&self) -> Option<&Arc<FrameArchive>> {
        self.archive.as_ref().map(|a| &a.0)
    }

    /// Records a frame of `mn`.
    pub fn record(
        &self,
        mn: &str,
        direction: &'static str,
        peer: &str,
        bytes: &[u8],
        result: String,
    ) {
        self.add(mn, direction, peer, bytes, result, false);
    }

    /// Records an unknown device's upload kept for review: archived (marked `quarantined`)
    /// and listed by [`FrameLog::quarantined`].
    pub fn record_quarantined(&self, mn: &str, peer: &str, bytes: &[u8], result: String) {
        self.add(mn, "in", peer, bytes, result, true);
    }

    /// Whether a further upload of `mn` can be quarantined (the list of MNs is bounded).
    pub fn can_quarantine(&self, mn: &str) -> bool {
        self.quarantine.has_room(mn)
    }

    /// The MNs whose uploads were quarantined, the most recent first.
    pub fn quarantined(&self) -> Vec<Quarantined> {
        self.quarantine.list()
    }

    fn add(
        &self,
        mn: &str,
        direction: &'static str,
        peer: &str,
        bytes: &[u8],
        result: String,
        quarantined: bool,
    ) {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let at_ms = chrono::Utc::now().timestamp_millis();
        if let Some((archive, archived)) = &self.archive {
            if quarantined || archived(mn) {
                archive.push(Entry {
                    mn: mn.to_owned(),
                    seq,
                    at_ms,
                    direction,
                    peer: peer.to_owned(),
                    raw: bytes.to_vec(),
                    result: result.clone(),
                    quarantined,
                });
            }
        }
        let frame = Frame {
            seq,
            at_ms,
            direction,
            peer: peer.to_owned(),
            text: text_of(bytes),
            result,
            quarantined,
        };
        if quarantined {
            self.quarantine.note(mn, &frame);
        }
        self.push(mn, frame);
    }

    fn push(&self, mn: &str, frame: Frame) {
        self.devices.lock().expect("frame log lock").push(mn, frame);
    }

    /// Frames in memory, and the bytes they take (see [`MAX_LOG_BYTES`]).
    pub fn kept(&self) -> (usize, usize) {
        let log = self.devices.lock().expect("frame log lock");
        (log.live, log.bytes)
    }

    /// The frames of `mn` with `seq` above `after`, oldest first, at most `limit` (the newest).
    pub fn frames(&self, mn: &str, after: u64, limit: usize) -> Vec<Frame> {
        let log = self.devices.lock().expect("frame log lock");
        let Some(frames) = log.frames(mn) else {
            return Vec::new();
        };
        let newer = frames.iter().filter(|f| f.seq > after).count();
        frames
            .iter()
            .skip(frames.len() - newer + newer.saturating_sub(limit))
            .map(Kept::frame)
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
        let n = FRAMES_PER_DEVICE + 5;
        assert_eq!(
            last.iter().map(|f| f.text.clone()).collect::<Vec<_>>(),
            [format!("##{}", n - 2), format!("##{}", n - 1)]
        );
        assert!(log.frames("A", last[1].seq, 10).is_empty());
        assert_eq!(log.frames("B", 0, 10)[0].text, "\u{fffd}x");
        assert!(log.frames("C", 0, 10).is_empty());
    }

    #[test]
    fn the_log_keeps_the_newest_frames_of_all_within_its_bytes() {
        let mut log = KeptLog {
            budget: 100_000,
            ..KeptLog::default()
        };
        let frame = |seq: u64, text: &str| Frame {
            seq,
            at_ms: 0,
            direction: "in",
            peer: "127.0.0.1:1".into(),
            text: text.into(),
            result: "ok".into(),
            quarantined: false,
        };
        let text = "x".repeat(400);
        let mut seq = 0;
        // 1,000 devices, 10 frames each, round-robin: 4 MB offered to a 100 kB log.
        for _ in 0..10 {
            for d in 0..1000 {
                seq += 1;
                log.push(&format!("D{d}"), frame(seq, &text));
            }
        }
        assert!(log.bytes <= log.budget, "{} bytes", log.bytes);
        let per = Kept {
            seq: 0,
            at_ms: 0,
            direction: "in",
            quarantined: false,
            peer: Arc::from("p"),
            text: text.clone().into_boxed_str(),
            result: "ok".into(),
        }
        .bytes();
        assert_eq!(log.live, log.budget / per, "as many as fit");
        // The newest frames are the ones kept: the last `live` seqs, all of them.
        let mut kept: Vec<u64> = log.devices.iter().flatten().map(|f| f.seq).collect();
        kept.sort_unstable();
        assert_eq!(
            kept,
            ((seq - log.live as u64 + 1)..=seq).collect::<Vec<_>>()
        );
        assert!(log.order.len() <= 2 * log.live + 1024);

        // One busy device: its own limit applies, and dropped entries are tidied away.
        for _ in 0..10_000 {
            seq += 1;
            log.push("BUSY", frame(seq, "y"));
        }
        let busy = log.frames("BUSY").unwrap();
        assert_eq!(busy.len(), FRAMES_PER_DEVICE);
        assert_eq!(busy.back().unwrap().seq, seq);
        assert!(
            log.order.len() <= 2 * log.live + 1024,
            "{}",
            log.order.len()
        );
        assert_eq!(
            log.live,
            log.devices.iter().map(VecDeque::len).sum::<usize>()
        );
        assert_eq!(
            log.bytes,
            log.devices.iter().flatten().map(Kept::bytes).sum::<usize>()
        );
    }

    #[test]
    fn a_restart_reloads_the_archived_frames_and_seq_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let open = || Arc::new(FrameArchive::open(dir.path(), 30).unwrap());
        let archive = open();
        let log = FrameLog::archived(archive.clone(), |mn| mn != "UNKNOWN").unwrap();
        for i in 0..(FRAMES_PER_DEVICE + 3) {
            log.record("A", "in", "p", format!("##{i}\r\n").as_bytes(), "ok".into());
        }
        log.record("A", "out", "p", b"##reply\r\n", "sent".into());
        log.record(
            "UNKNOWN",
            "in",
            "p",
            b"##x\r\n",
            "refused: unknown MN".into(),
        );
        log.record_quarantined("NEW", "p", b"##up\r\n", "refused; quarantined".into());
        let before = log.frames("A", 0, 1000);
        archive.flush().unwrap();
        drop(log);

        let log = FrameLog::archived(open(), |_| true).unwrap();
        assert_eq!(log.frames("A", 0, 1000), before);
        assert!(log.frames("UNKNOWN", 0, 10).is_empty(), "not archived");
        let new = log.frames("NEW", 0, 10);
        assert!(new[0].quarantined && new[0].text == "##up", "{new:?}");
        let listed = log.quarantined();
        assert_eq!((listed[0].mn.as_str(), listed[0].frames), ("NEW", 1));
        log.record("A", "in", "p", b"##next\r\n", "ok".into());
        let next = log.frames("A", 0, 1);
        assert_eq!(next[0].seq, new[0].seq + 1, "seq goes on after the restart");
    }
}
