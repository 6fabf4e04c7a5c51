//! The appending side: a dedicated thread owns the open segment and commits in groups.
//!
//! Callers encode their batch on their own task and queue the frame. The thread takes the
//! first request, drains whatever else is already queued (up to [`MAX_GROUP_BYTES`]), writes
//! all frames, fsyncs once and answers every waiter, so concurrent appends share one fsync.
//!
//! If a write or fsync fails, every record of that group gets the error (naming the file) and
//! the segment is marked dirty: before anything else is written it is truncated back to its
//! last good length and fsynced, so acknowledged records are never behind garbage and the WAL
//! works again once space returns. Rotation only happens on a clean segment.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use arrow::array::RecordBatch;
use tokio::sync::oneshot;
use tracing::{debug, error, info};

use super::replay::{self, Mode, Replay};
use super::{
    record, segment, segment_path, WalConfig, WalError, WalPosition, WalStats, HEADER_LEN,
};

/// The most frame bytes one group commit writes before its fsync.
const MAX_GROUP_BYTES: usize = 64 << 20;

/// The write-ahead log, open for appending. Cheap to share (`&self` everywhere but close).
///
/// Dropping it stops the log thread after it has finished the queued work (waiting for it);
/// [`Wal::close`] does the same without blocking the async runtime.
#[derive(Debug)]
pub struct Wal {
    dir: PathBuf,
    tx: Option<mpsc::Sender<Request>>,
    thread: Option<JoinHandle<()>>,
    shared: Arc<Shared>,
}

/// Counters and the open segment id, written by the thread.
#[derive(Debug, Default)]
struct Shared {
    appends: AtomicU64,
    syncs: AtomicU64,
    bytes: AtomicU64,
    rotations: AtomicU64,
    current: AtomicU64,
}

#[derive(Debug)]
enum Request {
    Append {
        frame: Vec<u8>,
        reply: oneshot::Sender<Result<WalPosition, WalError>>,
    },
    Rotate {
        reply: oneshot::Sender<Result<u64, WalError>>,
    },
}

impl Wal {
    /// Opens the WAL in `dir` (created if missing): replays every segment with an id above
    /// `skip_through` (segments up to it are left alone — the caller has their data elsewhere
    /// and deletes them), truncates a torn tail of the last segment (reported in
    /// [`Replay::torn`]), and starts appending to a new segment whose id is above every
    /// existing one and above `skip_through`.
    ///
    /// A bad header, or a bad record in any segment but the last, is an error naming the
    /// file (and offset): nothing acknowledged is dropped silently.
    pub fn open(
        dir: &Path,
        config: WalConfig,
        skip_through: Option<u64>,
    ) -> Result<(Wal, Replay), WalError> {
        if !dir.is_dir() {
            std::fs::create_dir_all(dir)
                .map_err(|e| WalError::io("creating WAL directory", dir, e))?;
            if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
                segment::sync_dir(parent)?;
            }
        }
        segment::remove_temporaries(dir)?;
        let (replay, last) = replay::replay(dir, skip_through, Mode::Recover)?;
        let id = last.unwrap_or(0).max(skip_through.unwrap_or(0)) + 1;
        let file = segment::create(dir, id)?;
        let shared = Arc::new(Shared {
            current: AtomicU64::new(id),
            ..Shared::default()
        });
        let writer = Writer {
            dir: dir.to_path_buf(),
            config,
            shared: shared.clone(),
            id,
            path: segment_path(dir, id),
            file,
            len: HEADER_LEN,
            dirty: false,
        };
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("ecolake-wal".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| WalError::io("starting the WAL thread for", dir, e))?;
        info!(dir = %dir.display(), segment = id, replayed = replay.batches.len(), "Opened the WAL.");
        let wal = Wal {
            dir: dir.to_path_buf(),
            tx: Some(tx),
            thread: Some(thread),
            shared,
        };
        Ok((wal, replay))
    }

    /// Appends `batch` and returns once it is durable (the fsync covering it is done).
    ///
    /// The batch is encoded on the caller's task. If the future is dropped before it
    /// completes, the record may or may not be written; it is not acknowledged.
    pub async fn append(&self, batch: &RecordBatch) -> Result<WalPosition, WalError> {
        let frame = record::encode(batch)?;
        let (reply, rx) = oneshot::channel();
        self.send(Request::Append { frame, reply })?;
        rx.await.map_err(|_| WalError::Closed)?
    }

    /// Closes the open segment (every record in it is already synced) and opens the next one.
    /// Returns the id of the segment closed: every record appended before this call is in a
    /// segment with an id up to it. A segment without records is rotated all the same.
    pub async fn rotate(&self) -> Result<u64, WalError> {
        let (reply, rx) = oneshot::channel();
        self.send(Request::Rotate { reply })?;
        rx.await.map_err(|_| WalError::Closed)?
    }

    /// Deletes the segment files with an id up to `id` — never the open segment — and fsyncs
    /// the directory.
    pub fn remove_through(&self, id: u64) -> Result<(), WalError> {
        // The open segment only moves forward, so this bound is safe even while rotating.
        let limit = id.min(
            self.shared
                .current
                .load(Ordering::Acquire)
                .saturating_sub(1),
        );
        let mut removed = 0usize;
        for old in segment::list(&self.dir)?
            .into_iter()
            .take_while(|s| *s <= limit)
        {
            let path = segment_path(&self.dir, old);
            match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(WalError::io("removing WAL segment", &path, e)),
            }
        }
        if removed > 0 {
            segment::sync_dir(&self.dir)?;
            debug!(dir = %self.dir.display(), through = limit, removed, "Removed WAL segments.");
        }
        Ok(())
    }

    /// Counters since open.
    pub fn stats(&self) -> WalStats {
        let s = &self.shared;
        WalStats {
            appends: s.appends.load(Ordering::Relaxed),
            syncs: s.syncs.load(Ordering::Relaxed),
            bytes: s.bytes.load(Ordering::Relaxed),
            rotations: s.rotations.load(Ordering::Relaxed),
        }
    }

    /// The id of the segment appends currently go to.
    pub fn current_segment(&self) -> u64 {
        self.shared.current.load(Ordering::Acquire)
    }

    /// The WAL directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Finishes the queued work and stops the log thread.
    pub async fn close(mut self) -> Result<(), WalError> {
        self.tx.take();
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        match tokio::task::spawn_blocking(move || thread.join()).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(WalError::Closed),
        }
    }

    fn send(&self, request: Request) -> Result<(), WalError> {
        let tx = self.tx.as_ref().ok_or(WalError::Closed)?;
        tx.send(request).map_err(|_| WalError::Closed)
    }
}

impl Drop for Wal {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                error!(dir = %self.dir.display(), "The WAL thread panicked.");
            }
        }
    }
}

/// The state owned by the log thread.
struct Writer {
    dir: PathBuf,
    config: WalConfig,
    shared: Arc<Shared>,
    id: u64,
    path: PathBuf,
    file: File,
    /// Bytes of the open segment that are good and synced.
    len: u64,
    /// The file may hold bytes past `len` from a failed write.
    dirty: bool,
}

type Waiter = (Vec<u8>, oneshot::Sender<Result<WalPosition, WalError>>);

impl Writer {
    fn run(mut self, rx: mpsc::Receiver<Request>) {
        let mut next: Option<Request> = None;
        loop {
            let request = match next.take() {
                Some(r) => r,
                None => match rx.recv() {
                    Ok(r) => r,
                    Err(_) => break, // every sender is gone and the queue is empty
                },
            };
            match request {
                Request::Rotate { reply } => {
                    let _ = reply.send(self.rotate());
                }
                Request::Append { frame, reply } => {
                    let mut bytes = frame.len();
                    let mut group: Vec<Waiter> = vec![(frame, reply)];
                    while bytes < MAX_GROUP_BYTES {
                        match rx.try_recv() {
                            Ok(Request::Append { frame, reply }) => {
                                bytes += frame.len();
                                group.push((frame, reply));
                            }
                            Ok(other) => {
                                next = Some(other);
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    self.commit(group);
                }
            }
        }
        debug!(segment = self.id, "The WAL thread stopped.");
    }

    /// Writes a group, fsyncs once and answers every waiter.
    fn commit(&mut self, group: Vec<Waiter>) {
        match self.write_group(&group) {
            Ok(positions) => {
                for ((_, reply), position) in group.into_iter().zip(positions) {
                    let _ = reply.send(Ok(position));
                }
            }
            Err(e) => {
                error!(error = %e, records = group.len(), "WAL append failed; nothing in the group was acknowledged.");
                let mut replies: Vec<_> = group.into_iter().map(|(_, reply)| reply).collect();
                let last = replies.pop();
                for reply in replies {
                    let _ = reply.send(Err(e.duplicate()));
                }
                if let Some(reply) = last {
                    let _ = reply.send(Err(e));
                }
            }
        }
    }

    fn write_group(&mut self, group: &[Waiter]) -> Result<Vec<WalPosition>, WalError> {
        self.recover()?;
        if self.len >= self.config.segment_bytes && self.len > HEADER_LEN {
            self.rotate()?;
        }
        let mut positions = Vec::with_capacity(group.len());
        let mut end = self.len;
        self.dirty = true;
        for (frame, _) in group {
            positions.push(WalPosition {
                segment: self.id,
                offset: end,
            });
            self.file
                .write_all(frame)
                .map_err(|e| WalError::io("appending to WAL segment", &self.path, e))?;
            end += frame.len() as u64;
        }
        self.file
            .sync_data()
            .map_err(|e| WalError::io("syncing WAL segment", &self.path, e))?;
        self.shared.syncs.fetch_add(1, Ordering::Relaxed);
        self.shared
            .appends
            .fetch_add(group.len() as u64, Ordering::Relaxed);
        self.shared
            .bytes
            .fetch_add(end - self.len, Ordering::Relaxed);
        self.len = end;
        self.dirty = false;
        Ok(positions)
    }

    /// After a failed write: cut the segment back to its last good length, durably.
    fn recover(&mut self) -> Result<(), WalError> {
        if !self.dirty {
            return Ok(());
        }
        let len = self.len;
        self.file
            .set_len(len)
            .and_then(|()| self.file.sync_data())
            .and_then(|()| self.file.seek(SeekFrom::Start(len)).map(drop))
            .map_err(|e| {
                WalError::io("truncating a failed append from WAL segment", &self.path, e)
            })?;
        self.dirty = false;
        info!(path = %self.path.display(), len, "Cut a failed append off the WAL segment; appending again.");
        Ok(())
    }

    /// Closes the open segment after syncing it and starts the next one.
    fn rotate(&mut self) -> Result<u64, WalError> {
        self.recover()?;
        self.file
            .sync_data()
            .map_err(|e| WalError::io("syncing WAL segment", &self.path, e))?;
        let next = self.id + 1;
        self.file = segment::create(&self.dir, next)?;
        let closed = std::mem::replace(&mut self.id, next);
        self.path = segment_path(&self.dir, next);
        self.len = HEADER_LEN;
        self.shared.current.store(next, Ordering::Release);
        self.shared.rotations.fetch_add(1, Ordering::Relaxed);
        debug!(closed, open = next, "Rotated the WAL.");
        Ok(closed)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, Int64Array};

    use super::super::segment::Scan;
    use super::*;

    fn batch(v: i64) -> RecordBatch {
        RecordBatch::try_from_iter(vec![("v", Arc::new(Int64Array::from(vec![v])) as ArrayRef)])
            .unwrap()
    }

    fn waiter(v: i64) -> (Waiter, oneshot::Receiver<Result<WalPosition, WalError>>) {
        let (tx, rx) = oneshot::channel();
        ((record::encode(&batch(v)).unwrap(), tx), rx)
    }

    /// A failed write leaves junk after the good records; the next group cuts it off first.
    #[test]
    fn a_failed_write_is_cut_off_before_the_next_group() {
        let tmp = tempfile::tempdir().unwrap();
        let mut w = Writer {
            dir: tmp.path().to_path_buf(),
            config: WalConfig::default(),
            shared: Arc::default(),
            id: 1,
            path: segment_path(tmp.path(), 1),
            file: segment::create(tmp.path(), 1).unwrap(),
            len: HEADER_LEN,
            dirty: false,
        };
        let (a, mut ra) = waiter(1);
        w.commit(vec![a]);
        let first = ra.try_recv().unwrap().unwrap();
        // What a write torn by a full disk leaves: part of a frame, not acknowledged.
        w.file
            .write_all(&record::encode(&batch(2)).unwrap()[..30])
            .unwrap();
        w.dirty = true;
        let (b, mut rb) = waiter(3);
        let (c, mut rc) = waiter(4);
        w.commit(vec![b, c]);
        let second = rb.try_recv().unwrap().unwrap();
        assert_eq!(rc.try_recv().unwrap().unwrap().segment, 1);
        assert_eq!(first.offset, HEADER_LEN);
        assert_eq!(
            second.offset,
            HEADER_LEN + record::encode(&batch(1)).unwrap().len() as u64
        );
        match segment::scan(&w.path, 1).unwrap() {
            Scan::Records { batches, bad } => {
                assert!(bad.is_none(), "{bad:?}");
                assert_eq!(batches, vec![batch(1), batch(3), batch(4)]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(std::fs::metadata(&w.path).unwrap().len(), w.len);
        assert_eq!(w.shared.syncs.load(Ordering::Relaxed), 2);
        assert_eq!(w.shared.appends.load(Ordering::Relaxed), 3);
    }
}
