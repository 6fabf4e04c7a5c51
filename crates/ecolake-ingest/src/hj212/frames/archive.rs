//! The raw frame archive: every archived frame as one JSON line in an hour file of the data
//! directory, `DIR/frames/YYYY-MM-DD/HH.jsonl` (UTC).
//!
//! A line is `{"mn", "seq", "at_ms", "direction", "peer", "text" | "base64", "result",
//! "quarantined"?}`: the frame's bytes exactly, as `text` when they are UTF-8 and as
//! `base64` (standard alphabet, padded) when not, so any byte a device sent survives.
//!
//! - Recording a frame only queues it in memory (`FrameArchive::push`); [`keep`] writes the
//!   queue out every [`FLUSH_EVERY`] (one append and one `fdatasync` per hour file) and once
//!   more when stopped. The archive is evidence, not acknowledged data: a crash loses the
//!   frames of the last second or so. If the disk falls behind, the queue is capped at
//!   [`MAX_QUEUED_BYTES`] and further frames are dropped (counted, logged).
//! - Retention: whole hour files older than the retention are deleted by [`keep`] at start and
//!   every [`SWEEP_EVERY`], and their day folder once empty.
//! - On start, [`FrameArchive::recent`] reads back the newest files — at most [`RELOAD_FILES`]
//!   hour files and [`RELOAD_BYTES`] from their ends — so the frame log shows recent frames and
//!   `seq` goes on where it was.
//! - [`FrameArchive::read`] scans the hour files of a time window (at most [`MAX_WINDOW_MS`])
//!   for one MN's frames.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use tokio::sync::watch;
use tracing::{info, warn};

use super::{text_of, Frame};

/// How often queued frames are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(1);
/// How often expired hour files are looked for.
pub const SWEEP_EVERY: Duration = Duration::from_secs(600);
/// Queued bytes (frames and results) at most; frames beyond are dropped.
pub const MAX_QUEUED_BYTES: usize = 64 << 20;
/// Hour files read back on start at most (the newest).
pub const RELOAD_FILES: usize = 6;
/// Bytes read back on start at most (from the ends of the newest files).
pub const RELOAD_BYTES: u64 = 32 << 20;
/// The longest window [`FrameArchive::read`] scans.
pub const MAX_WINDOW_MS: i64 = 24 * HOUR_MS;

const HOUR_MS: i64 = 3_600_000;

/// A frame waiting to be written.
#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) mn: String,
    pub(crate) seq: u64,
    pub(crate) at_ms: i64,
    pub(crate) direction: &'static str,
    pub(crate) peer: String,
    pub(crate) raw: Vec<u8>,
    pub(crate) result: String,
    pub(crate) quarantined: bool,
}

/// One line of an hour file.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    mn: Cow<'a, str>,
    seq: u64,
    at_ms: i64,
    #[serde(borrow)]
    direction: Cow<'a, str>,
    #[serde(borrow)]
    peer: Cow<'a, str>,
    #[serde(default, borrow, skip_serializing_if = "Option::is_none")]
    text: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    base64: Option<String>,
    #[serde(borrow)]
    result: Cow<'a, str>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    quarantined: bool,
}

impl Line<'_> {
    /// The frame's bytes (`None`: neither `text` nor valid `base64`).
    fn raw(&self) -> Option<Cow<'_, [u8]>> {
        match (&self.text, &self.base64) {
            (Some(t), _) => Some(Cow::Borrowed(t.as_bytes())),
            (None, Some(b)) => base64::engine::general_purpose::STANDARD
                .decode(b)
                .ok()
                .map(Cow::Owned),
            (None, None) => None,
        }
    }

    fn into_frame(self) -> Option<(String, Frame)> {
        let direction = match &*self.direction {
            "in" => "in",
            "out" => "out",
            _ => return None,
        };
        let text = text_of(&self.raw()?);
        let frame = Frame {
            seq: self.seq,
            at_ms: self.at_ms,
            direction,
            peer: self.peer.into_owned(),
            text,
            result: self.result.into_owned(),
            quarantined: self.quarantined,
        };
        Some((self.mn.into_owned(), frame))
    }
}

/// Frames queued for writing.
#[derive(Debug, Default)]
struct Queue {
    entries: Vec<Entry>,
    bytes: usize,
}

/// The archive of one data directory.
#[derive(Debug)]
pub struct FrameArchive {
    dir: PathBuf,
    retention_days: u32,
    queue: Mutex<Queue>,
    /// Held while writing, so two writes never interleave in a file.
    writing: Mutex<()>,
    written: AtomicU64,
    dropped: AtomicU64,
}

impl FrameArchive {
    /// The archive in `data_dir/frames` (created), keeping hour files `retention_days` days.
    pub fn open(data_dir: &Path, retention_days: u32) -> io::Result<FrameArchive> {
        let dir = data_dir.join("frames");
        fs::create_dir_all(&dir)?;
        Ok(FrameArchive {
            dir,
            retention_days,
            queue: Mutex::default(),
            writing: Mutex::default(),
            written: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        })
    }

    /// Where the hour files are.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Frames written since start.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Frames dropped since start (the queue was full or a write failed).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Queues a frame for the next write.
    pub(crate) fn push(&self, entry: Entry) {
        let size = entry.raw.len() + entry.result.len() + entry.peer.len() + 64;
        let mut queue = self.queue.lock().expect("archive queue lock");
        if queue.bytes + size > MAX_QUEUED_BYTES {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        queue.bytes += size;
        queue.entries.push(entry);
    }

    /// Writes the queued frames, each to its hour file; how many. A file that cannot be
    /// written loses its frames (counted as dropped); the first error is returned.
    pub fn flush(&self) -> io::Result<usize> {
        let _writing = self.writing.lock().expect("archive write lock");
        let entries = std::mem::take(&mut *self.queue.lock().expect("archive queue lock")).entries;
        let mut hours: BTreeMap<i64, (Vec<u8>, u64)> = BTreeMap::new();
        for e in &entries {
            let (buf, n) = hours.entry(e.at_ms.div_euclid(HOUR_MS)).or_default();
            serde_json::to_writer(&mut *buf, &line_of(e)).map_err(io::Error::other)?;
            buf.push(b'\n');
            *n += 1;
        }
        let mut first_error = None;
        let mut written = 0;
        for (hour, (buf, n)) in hours {
            match self.append(hour * HOUR_MS, &buf) {
                Ok(()) => written += n,
                Err(e) => {
                    self.dropped.fetch_add(n, Ordering::Relaxed);
                    first_error.get_or_insert(e);
                }
            }
        }
        self.written.fetch_add(written, Ordering::Relaxed);
        match first_error {
            Some(e) => Err(e),
            None => Ok(written as usize),
        }
    }

    /// Appends whole lines to the file of the hour starting at `hour_ms`, then syncs it.
    fn append(&self, hour_ms: i64, lines: &[u8]) -> io::Result<()> {
        let path = self.path_of(hour_ms)?;
        if let Some(day) = path.parent() {
            fs::create_dir_all(day)?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&path)?;
        // A crash may have left half a line: end it, so the next line stands on its own.
        let len = file.metadata()?.len();
        if len > 0 {
            let mut last = [0u8];
            file.seek(SeekFrom::Start(len - 1))?;
            file.read_exact(&mut last)?;
            if last[0] != b'\n' {
                file.write_all(b"\n")?;
            }
        }
        file.write_all(lines)?;
        file.sync_data()
    }

    fn path_of(&self, hour_ms: i64) -> io::Result<PathBuf> {
        let t = DateTime::<Utc>::from_timestamp_millis(hour_ms)
            .ok_or_else(|| io::Error::other(format!("time {hour_ms} ms out of range")))?;
        Ok(self
            .dir
            .join(t.format("%Y-%m-%d").to_string())
            .join(t.format("%H.jsonl").to_string()))
    }

    /// The hour files, oldest first, with the start of their hour (UTC ms). Other files are
    /// not the archive's and left alone.
    fn hour_files(&self) -> io::Result<Vec<(i64, PathBuf)>> {
        let mut files = Vec::new();
        for day in fs::read_dir(&self.dir)? {
            let day = day?;
            let Some(date) = day
                .file_name()
                .to_str()
                .and_then(|n| NaiveDate::parse_from_str(n, "%Y-%m-%d").ok())
            else {
                continue;
            };
            if !day.file_type()?.is_dir() {
                continue;
            }
            for file in fs::read_dir(day.path())? {
                let file = file?;
                let name = file.file_name();
                let Some(hour) = name
                    .to_str()
                    .and_then(|n| n.strip_suffix(".jsonl"))
                    .filter(|h| h.len() == 2)
                    .and_then(|h| h.parse::<u32>().ok())
                else {
                    continue;
                };
                if let Some(start) = date.and_hms_opt(hour, 0, 0) {
                    files.push((start.and_utc().timestamp_millis(), file.path()));
                }
            }
        }
        files.sort();
        Ok(files)
    }

    /// The newest archived frames, oldest first by `seq`: the lines of the newest
    /// [`RELOAD_FILES`] hour files, at most [`RELOAD_BYTES`] read from their ends. Unreadable
    /// lines (a torn last line after a crash) are skipped.
    pub fn recent(&self) -> io::Result<Vec<(String, Frame)>> {
        let mut budget = RELOAD_BYTES;
        let mut frames = Vec::new();
        for (_, path) in self.hour_files()?.iter().rev().take(RELOAD_FILES) {
            if budget == 0 {
                break;
            }
            let mut file = File::open(path)?;
            let len = file.metadata()?.len();
            let start = len.saturating_sub(budget);
            budget -= len - start;
            file.seek(SeekFrom::Start(start))?;
            let mut reader = BufReader::new(file);
            if start > 0 {
                // Mid-line: the first line is someone else's tail.
                reader.read_until(b'\n', &mut Vec::new())?;
            }
            for line in reader.split(b'\n') {
                if let Some(f) = serde_json::from_slice::<Line<'_>>(&line?)
                    .ok()
                    .and_then(Line::into_frame)
                {
                    frames.push(f);
                }
            }
        }
        frames.sort_by_key(|(_, f)| f.seq);
        Ok(frames)
    }

    /// The archived frames of `mn` with `from_ms <= at_ms < to_ms` (a window of at most
    /// [`MAX_WINDOW_MS`] from `from_ms`), oldest first, at most `limit`; and whether there
    /// were more. Reads files: call it off the async runtime's threads.
    pub fn read(
        &self,
        mn: &str,
        from_ms: i64,
        to_ms: i64,
        limit: usize,
    ) -> io::Result<(Vec<Frame>, bool)> {
        let to_ms = to_ms.min(from_ms.saturating_add(MAX_WINDOW_MS));
        // Lines are written by serde_json: the MN appears exactly so.
        let needle = format!("\"mn\":{}", serde_json::Value::from(mn));
        let first_hour = from_ms.div_euclid(HOUR_MS) * HOUR_MS;
        let mut frames = Vec::new();
        for (hour, path) in self.hour_files()? {
            if hour < first_hour || hour >= to_ms {
                continue;
            }
            let file = match File::open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            for line in BufReader::new(file).split(b'\n') {
                let line = line?;
                if memchr::memmem::find(&line, needle.as_bytes()).is_none() {
                    continue;
                }
                let Some((m, f)) = serde_json::from_slice::<Line<'_>>(&line)
                    .ok()
                    .and_then(Line::into_frame)
                else {
                    continue;
                };
                if m == mn && (from_ms..to_ms).contains(&f.at_ms) {
                    frames.push(f);
                }
            }
            if frames.len() > limit {
                break;
            }
        }
        frames.sort_by_key(|f| (f.at_ms, f.seq));
        let more = frames.len() > limit;
        frames.truncate(limit);
        Ok((frames, more))
    }

    /// Deletes the hour files whose hour ended more than the retention before `now_ms`, and
    /// day folders left empty; how many files.
    pub fn sweep(&self, now_ms: i64) -> io::Result<usize> {
        let cutoff = now_ms - i64::from(self.retention_days) * 24 * HOUR_MS;
        let mut deleted = 0;
        for (hour, path) in self.hour_files()? {
            if hour + HOUR_MS > cutoff {
                continue;
            }
            match fs::remove_file(&path) {
                Ok(()) => deleted += 1,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            if let Some(day) = path.parent() {
                // Fails while the folder has other files: they stay.
                let _ = fs::remove_dir(day);
            }
        }
        Ok(deleted)
    }
}

fn line_of(e: &Entry) -> Line<'_> {
    let (text, base64) = match std::str::from_utf8(&e.raw) {
        Ok(t) => (Some(Cow::Borrowed(t)), None),
        Err(_) => (
            None,
            Some(base64::engine::general_purpose::STANDARD.encode(&e.raw)),
        ),
    };
    Line {
        mn: Cow::Borrowed(&e.mn),
        seq: e.seq,
        at_ms: e.at_ms,
        direction: Cow::Borrowed(e.direction),
        peer: Cow::Borrowed(&e.peer),
        text,
        base64,
        result: Cow::Borrowed(&e.result),
        quarantined: e.quarantined,
    }
}

/// Writes the archive's queue every [`FLUSH_EVERY`] and deletes expired files at start and
/// every [`SWEEP_EVERY`], until `stop` turns true; then writes what is queued and returns.
/// Stop it after the sources that record frames have stopped. Failures are logged (at most
/// once a minute) and retried at the next turn.
pub async fn keep(archive: Arc<FrameArchive>, mut stop: watch::Receiver<bool>) {
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut next_sweep = Instant::now();
    let mut warned: Option<Instant> = None;
    let mut dropped = 0;
    loop {
        let stopping = tokio::select! {
            _ = tick.tick() => false,
            _ = stop.wait_for(|s| *s) => true,
        };
        let sweep = !stopping && Instant::now() >= next_sweep;
        if sweep {
            next_sweep = Instant::now() + SWEEP_EVERY;
        }
        let a = archive.clone();
        let turn = tokio::task::spawn_blocking(move || {
            let flushed = a.flush();
            let swept = sweep.then(|| a.sweep(Utc::now().timestamp_millis()));
            (flushed, swept)
        })
        .await;
        let now = Instant::now();
        let quiet = warned.is_some_and(|t| now.duration_since(t) < Duration::from_secs(60));
        let mut warn_once = |what: &str, e: &dyn std::fmt::Display| {
            if !quiet {
                warn!(dir = %archive.dir.display(), error = %e, "Frame archive: {what} failed.");
                warned = Some(now);
            }
        };
        match turn {
            Ok((flushed, swept)) => {
                if let Err(e) = flushed {
                    warn_once("writing", &e);
                }
                match swept {
                    Some(Ok(n)) if n > 0 => {
                        info!(files = n, "Frame archive: expired hours deleted.")
                    }
                    Some(Err(e)) => warn_once("deleting expired hours", &e),
                    _ => {}
                }
            }
            Err(e) => warn_once("the writer task", &e),
        }
        let now_dropped = archive.dropped();
        if now_dropped > dropped {
            warn_once(
                "keeping up",
                &format!("{} frames dropped", now_dropped - dropped),
            );
            dropped = now_dropped;
        }
        if stopping {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(mn: &str, seq: u64, at_ms: i64, raw: &[u8]) -> Entry {
        Entry {
            mn: mn.to_owned(),
            seq,
            at_ms,
            direction: "in",
            peer: "127.0.0.1:5000".to_owned(),
            raw: raw.to_vec(),
            result: "10 rows".to_owned(),
            quarantined: false,
        }
    }

    /// 2026-03-01T10:00:00Z.
    const T: i64 = 1_772_359_200_000;

    #[test]
    fn frames_are_written_to_utc_hour_files_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let archive = FrameArchive::open(dir.path(), 30).unwrap();
        archive.push(entry("A", 1, T + 5, b"##0001QN=1\r\n"));
        archive.push(entry("B", 2, T + 6, b"##b\r\n"));
        archive.push(entry("A", 3, T + HOUR_MS + 1, b"##next\r\n"));
        assert_eq!(archive.flush().unwrap(), 3);
        assert_eq!(archive.flush().unwrap(), 0, "the queue is empty");
        let first = fs::read_to_string(dir.path().join("frames/2026-03-01/10.jsonl")).unwrap();
        assert_eq!(
            first.lines().next().unwrap(),
            r###"{"mn":"A","seq":1,"at_ms":1772359200005,"direction":"in","peer":"127.0.0.1:5000","text":"##0001QN=1\r\n","result":"10 rows"}"###
        );
        assert_eq!(first.lines().count(), 2);
        assert!(dir.path().join("frames/2026-03-01/11.jsonl").exists());

        let (a, more) = archive.read("A", T, T + 2 * HOUR_MS, 10).unwrap();
        assert_eq!(
            a.iter()
                .map(|f| (f.seq, f.text.as_str()))
                .collect::<Vec<_>>(),
            [(1, "##0001QN=1"), (3, "##next")]
        );
        assert!(!more);
        let (a, more) = archive.read("A", T + 10, T + 2 * HOUR_MS, 10).unwrap();
        assert_eq!((a.len(), a[0].seq, more), (1, 3, false));
        let (a, more) = archive.read("A", T, T + 2 * HOUR_MS, 1).unwrap();
        assert_eq!((a.len(), a[0].seq, more), (1, 1, true));
        assert!(archive.read("C", T, T + HOUR_MS, 10).unwrap().0.is_empty());
        let recent: Vec<u64> = archive.recent().unwrap().iter().map(|f| f.1.seq).collect();
        assert_eq!(recent, [1, 2, 3]);
    }

    #[test]
    fn bytes_that_are_not_utf8_survive_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let archive = FrameArchive::open(dir.path(), 30).unwrap();
        let raw: Vec<u8> = (0..=255u8).chain(*b"\r\n").collect();
        archive.push(entry("A", 1, T, &raw));
        archive.flush().unwrap();
        let text = fs::read_to_string(dir.path().join("frames/2026-03-01/10.jsonl")).unwrap();
        let line: Line<'_> = serde_json::from_str(text.trim_end()).unwrap();
        assert!(line.text.is_none());
        assert_eq!(line.raw().unwrap().as_ref(), raw.as_slice());
        assert_eq!(
            archive.recent().unwrap()[0].1.text,
            String::from_utf8_lossy(&raw).trim_end()
        );
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_the_next_write_starts_a_new_line() {
        let dir = tempfile::tempdir().unwrap();
        let archive = FrameArchive::open(dir.path(), 30).unwrap();
        archive.push(entry("A", 1, T, b"##one\r\n"));
        archive.flush().unwrap();
        let path = dir.path().join("frames/2026-03-01/10.jsonl");
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"mn":"A","seq":2,"at"#).unwrap();
        archive.push(entry("A", 3, T + 1, b"##three\r\n"));
        archive.flush().unwrap();
        let seqs: Vec<u64> = archive.recent().unwrap().iter().map(|f| f.1.seq).collect();
        assert_eq!(seqs, [1, 3]);
    }

    #[test]
    fn retention_deletes_whole_expired_hours_and_days() {
        let dir = tempfile::tempdir().unwrap();
        let archive = FrameArchive::open(dir.path(), 2).unwrap();
        let day = 24 * HOUR_MS;
        // Hours starting 3 days, 2 days + 2 h, 2 days - 1 h and 1 h before now.
        for (seq, at) in [(1, T - 3 * day), (2, T - 2 * day - 2 * HOUR_MS)] {
            archive.push(entry("A", seq, at, b"##old\r\n"));
        }
        archive.push(entry("A", 3, T - 2 * day + HOUR_MS, b"##kept\r\n"));
        archive.push(entry("A", 4, T - HOUR_MS, b"##new\r\n"));
        archive.flush().unwrap();
        let frames = dir.path().join("frames");
        fs::write(frames.join("README"), "not the archive's").unwrap();
        assert_eq!(archive.sweep(T).unwrap(), 2);
        assert!(!frames.join("2026-02-26").exists(), "an emptied day goes");
        assert!(!frames.join("2026-02-27/08.jsonl").exists());
        assert!(frames.join("2026-02-27/11.jsonl").exists());
        assert!(frames.join("2026-03-01/09.jsonl").exists());
        assert!(frames.join("README").exists());
        let seqs: Vec<u64> = archive.recent().unwrap().iter().map(|f| f.1.seq).collect();
        assert_eq!(seqs, [3, 4]);
    }

    #[test]
    fn start_up_reads_only_the_newest_files() {
        let dir = tempfile::tempdir().unwrap();
        let archive = FrameArchive::open(dir.path(), 30).unwrap();
        for h in 0..(RELOAD_FILES as i64 + 2) {
            archive.push(entry("A", h as u64 + 1, T + h * HOUR_MS, b"##x\r\n"));
        }
        archive.flush().unwrap();
        let seqs: Vec<u64> = archive.recent().unwrap().iter().map(|f| f.1.seq).collect();
        assert_eq!(seqs, (3..=RELOAD_FILES as u64 + 2).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn keep_writes_what_is_queued_when_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Arc::new(FrameArchive::open(dir.path(), 30).unwrap());
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(keep(archive.clone(), stopped));
        archive.push(entry("A", 1, Utc::now().timestamp_millis(), b"##x\r\n"));
        stop.send(true).unwrap();
        task.await.unwrap();
        assert_eq!(archive.written(), 1);
        assert_eq!(archive.recent().unwrap().len(), 1);
    }
}
