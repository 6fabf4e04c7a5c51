//! The write-ahead log on real files: round trips across rotations, group commit under
//! concurrency, torn tails, corruption, read-only replay next to a live writer, segment
//! removal, unusable directories, and random crash points.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use arrow::array::{ArrayRef, AsArray, Int64Array, RecordBatch, StringArray, UInt64Array};
use arrow::compute::cast;
use arrow::datatypes::{DataType, UInt64Type};
use ecolake_store::wal::{
    replay_read_only, segment_path, Replay, Wal, WalConfig, WalError, HEADER_LEN,
};
use proptest::prelude::*;

/// An observation batch of `rows` rows whose `seq` (and value) run from `start`.
fn obs(start: u64, rows: u64) -> RecordBatch {
    let schema = ecolake_model::observation::schema();
    let seqs = start..start + rows;
    let columns = schema.fields().iter().map(|f| {
        let plain: ArrayRef = match f.data_type() {
            DataType::Dictionary(_, _) => Arc::new(StringArray::from_iter_values(
                seqs.clone().map(|s| format!("{}{}", f.name(), s % 3)),
            )),
            DataType::Timestamp(_, _) => Arc::new(Int64Array::from_iter_values(
                seqs.clone().map(|s| 1_704_067_200_000 + s as i64 * 60_000),
            )),
            _ => Arc::new(UInt64Array::from_iter_values(seqs.clone())),
        };
        cast(&plain, f.data_type()).unwrap()
    });
    RecordBatch::try_new(schema.clone(), columns.collect()).unwrap()
}

/// The `seq` values of a replay, in order.
fn seqs(replay: &Replay) -> Vec<u64> {
    let seq = |b: &RecordBatch| {
        b.column_by_name("seq")
            .unwrap()
            .as_primitive::<UInt64Type>()
            .values()
            .to_vec()
    };
    replay.batches.iter().flat_map(|(_, b)| seq(b)).collect()
}

fn config(segment_bytes: u64) -> WalConfig {
    WalConfig { segment_bytes }
}

/// Every file in `dir` with its bytes and modification time.
fn files(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, std::time::SystemTime)> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let m = fs::metadata(&p).unwrap().modified().unwrap();
            (p.clone(), (fs::read(&p).unwrap(), m))
        })
        .collect()
}

fn flip_byte(path: &Path, at: u64) {
    let mut bytes = fs::read(path).unwrap();
    bytes[at as usize] ^= 0x5a;
    fs::write(path, bytes).unwrap();
}

#[tokio::test]
async fn round_trip_across_rotations() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("wal");
    let (wal, replay) = Wal::open(&dir, config(1), None).unwrap();
    assert!(replay.batches.is_empty() && replay.torn.is_none());
    let mut positions = Vec::new();
    for i in 0..6 {
        positions.push(wal.append(&obs(i * 10, 10)).await.unwrap());
        if i == 2 {
            assert_eq!(wal.rotate().await.unwrap(), positions[2].segment);
        }
    }
    // A tiny segment size rotates before every group after the first.
    assert_eq!(positions[0].segment, 1);
    assert!(
        positions.windows(2).all(|w| w[0].segment < w[1].segment),
        "{positions:?}"
    );
    assert!(positions.iter().all(|p| p.offset == HEADER_LEN));
    assert_eq!(wal.stats().rotations, 5);
    wal.close().await.unwrap();

    let (wal, replay) = Wal::open(&dir, config(64 << 20), None).unwrap();
    let expected: Vec<RecordBatch> = (0..6).map(|i| obs(i * 10, 10)).collect();
    let got: Vec<RecordBatch> = replay.batches.iter().map(|(_, b)| b.clone()).collect();
    assert_eq!(
        got, expected,
        "every batch round-trips exactly, schema included"
    );
    let segs: Vec<u64> = replay.batches.iter().map(|(s, _)| *s).collect();
    assert_eq!(
        segs,
        positions.iter().map(|p| p.segment).collect::<Vec<_>>()
    );
    assert!(replay.torn.is_none());
    let max = *replay.segments.last().unwrap();
    assert_eq!(
        wal.current_segment(),
        max + 1,
        "appends go to a new segment"
    );
    drop(wal); // dropping stops the thread too
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_share_fsyncs_and_replay_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (wal, _) = Wal::open(tmp.path(), config(256 << 10), None).unwrap();
    let wal = Arc::new(wal);
    let (tasks, per_task) = (64u64, 20u64);
    let mut handles = Vec::new();
    for t in 0..tasks {
        let wal = wal.clone();
        handles.push(tokio::spawn(async move {
            for i in 0..per_task {
                wal.append(&obs((t * per_task + i) * 4, 4)).await.unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let stats = wal.stats();
    assert_eq!(stats.appends, tasks * per_task);
    assert!(
        stats.syncs < stats.appends,
        "group commit groups: {stats:?}"
    );
    assert!(stats.rotations > 0, "{stats:?}");
    Arc::try_unwrap(wal).unwrap().close().await.unwrap();

    let replay = replay_read_only(tmp.path(), None).unwrap();
    let mut all = seqs(&replay);
    all.sort_unstable();
    assert_eq!(
        all,
        (0..tasks * per_task * 4).collect::<Vec<_>>(),
        "each record exactly once"
    );
}

/// Writes three records into segment 1 and returns them with their positions and the file.
async fn three_records(dir: &Path) -> (Vec<u64>, PathBuf) {
    let (wal, _) = Wal::open(dir, WalConfig::default(), None).unwrap();
    let mut offsets = Vec::new();
    for i in 0..3 {
        let p = wal.append(&obs(i * 5, 5)).await.unwrap();
        assert_eq!(p.segment, 1);
        offsets.push(p.offset);
    }
    wal.close().await.unwrap();
    (offsets, segment_path(dir, 1))
}

async fn torn_tail_is_truncated_and_reported(damage: impl Fn(&Path, u64), reason: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let (offsets, path) = three_records(tmp.path()).await;
    let len = fs::metadata(&path).unwrap().len();
    damage(&path, offsets[2]);
    let damaged_len = fs::metadata(&path).unwrap().len();

    let (wal, replay) = Wal::open(tmp.path(), WalConfig::default(), None).unwrap();
    assert_eq!(seqs(&replay), (0..10).collect::<Vec<_>>());
    let torn = replay.torn.expect("the torn tail is reported");
    assert_eq!(
        (torn.segment, torn.offset, torn.dropped_bytes),
        (1, offsets[2], damaged_len - offsets[2])
    );
    assert!(torn.reason.contains(reason), "{}", torn.reason);
    assert_eq!(
        fs::metadata(&path).unwrap().len(),
        offsets[2],
        "truncated at the last good record"
    );
    assert!(damaged_len <= len);

    let p = wal.append(&obs(100, 5)).await.unwrap();
    assert_eq!(p.segment, 2, "never appends to an old segment");
    wal.close().await.unwrap();
    let (_wal, again) = Wal::open(tmp.path(), WalConfig::default(), None).unwrap();
    assert!(again.torn.is_none());
    assert_eq!(seqs(&again), (0..10).chain(100..105).collect::<Vec<_>>());
}

#[tokio::test]
async fn torn_tail_cut_mid_record() {
    let cut = |p: &Path, _| {
        let len = fs::metadata(p).unwrap().len();
        fs::OpenOptions::new()
            .write(true)
            .open(p)
            .unwrap()
            .set_len(len - 10)
            .unwrap();
    };
    torn_tail_is_truncated_and_reported(cut, "short payload").await;
}

#[tokio::test]
async fn torn_tail_flipped_payload_byte() {
    torn_tail_is_truncated_and_reported(|p: &Path, last| flip_byte(p, last + 8 + 40), "CRC32C")
        .await;
}

#[tokio::test]
async fn corruption_before_the_last_segment_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let (wal, _) = Wal::open(tmp.path(), WalConfig::default(), None).unwrap();
    let first = wal.append(&obs(0, 5)).await.unwrap();
    wal.append(&obs(5, 5)).await.unwrap();
    assert_eq!(wal.rotate().await.unwrap(), 1);
    wal.append(&obs(10, 5)).await.unwrap();
    wal.close().await.unwrap();
    let path = segment_path(tmp.path(), 1);
    flip_byte(&path, first.offset + 30);
    let before = files(tmp.path());

    for err in [
        Wal::open(tmp.path(), WalConfig::default(), None)
            .map(|_| ())
            .unwrap_err(),
        replay_read_only(tmp.path(), None).map(|_| ()).unwrap_err(),
    ] {
        match &err {
            WalError::Corrupt {
                path: p, offset, ..
            } => assert_eq!((p, *offset), (&path, first.offset)),
            other => panic!("expected corruption, got {other:?}"),
        }
        let msg = err.to_string();
        assert!(
            msg.contains(&path.display().to_string()) && msg.contains("byte 20"),
            "{msg}"
        );
    }
    assert_eq!(files(tmp.path()), before, "nothing dropped or created");
}

#[tokio::test]
async fn bad_magic_or_version_is_an_error_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    three_records(tmp.path()).await;
    let path = segment_path(tmp.path(), 1);
    for (at, what) in [(0, "magic"), (8, "version")] {
        let good = fs::read(&path).unwrap();
        flip_byte(&path, at);
        let err = Wal::open(tmp.path(), WalConfig::default(), None).unwrap_err();
        assert!(matches!(err, WalError::BadHeader { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(
            msg.contains(&path.display().to_string()) && msg.contains(what),
            "{msg}"
        );
        assert!(replay_read_only(tmp.path(), None).is_err());
        fs::write(&path, good).unwrap();
    }
    assert_eq!(seqs(&replay_read_only(tmp.path(), None).unwrap()).len(), 15);
}

#[tokio::test]
async fn read_only_replay_changes_nothing_and_ignores_a_partial_tail() {
    let tmp = tempfile::tempdir().unwrap();
    assert!(replay_read_only(&tmp.path().join("missing"), None)
        .unwrap()
        .batches
        .is_empty());
    assert!(!tmp.path().join("missing").exists());
    let (offsets, path) = three_records(tmp.path()).await;
    // A writer in the middle of the third record.
    let len = fs::metadata(&path).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(len - 3)
        .unwrap();
    let before = files(tmp.path());
    let replay = replay_read_only(tmp.path(), None).unwrap();
    assert_eq!(seqs(&replay), (0..10).collect::<Vec<_>>());
    assert_eq!(replay.torn.as_ref().map(|t| t.offset), Some(offsets[2]));
    assert_eq!(files(tmp.path()), before, "bytes and mtimes unchanged");

    // A segment still being created (partial header) is ignored when it is the last one.
    fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(offsets[2])
        .unwrap();
    fs::write(segment_path(tmp.path(), 2), &b"ECOWAL\0\0\x01"[..]).unwrap();
    let before = files(tmp.path());
    let replay = replay_read_only(tmp.path(), None).unwrap();
    assert_eq!(
        (
            seqs(&replay).len(),
            replay.torn.is_none(),
            replay.segments.clone()
        ),
        (10, true, vec![1])
    );
    assert_eq!(files(tmp.path()), before);
    // The writer removes it on open, reports it, and carries on.
    let (_wal, replay) = Wal::open(tmp.path(), WalConfig::default(), None).unwrap();
    assert_eq!(
        replay.torn.as_ref().map(|t| (t.segment, t.dropped_bytes)),
        Some((2, 9))
    );
    assert_eq!(seqs(&replay).len(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_replay_sees_every_acknowledged_record_of_a_live_writer() {
    let tmp = tempfile::tempdir().unwrap();
    let (wal, _) = Wal::open(tmp.path(), config(8 << 10), None).unwrap();
    let acked = Arc::new(AtomicU64::new(0));
    let writer = {
        let acked = acked.clone();
        tokio::spawn(async move {
            for i in 0..300 {
                wal.append(&obs(i * 2, 2)).await.unwrap();
                acked.store(i + 1, Ordering::SeqCst);
            }
            wal.close().await.unwrap();
        })
    };
    let dir = tmp.path().to_path_buf();
    let reader = tokio::task::spawn_blocking(move || {
        let mut replays = 0;
        loop {
            let done = acked.load(Ordering::SeqCst);
            let got = seqs(&replay_read_only(&dir, None).unwrap());
            assert!(
                got.len() as u64 >= done * 2,
                "saw {} values, {done} batches acknowledged",
                got.len()
            );
            assert_eq!(
                got,
                (0..got.len() as u64).collect::<Vec<_>>(),
                "a prefix, in order"
            );
            replays += 1;
            if done == 300 {
                return replays;
            }
        }
    });
    writer.await.unwrap();
    assert!(reader.await.unwrap() > 1);
}

#[tokio::test]
async fn remove_through_deletes_closed_segments_only() {
    let tmp = tempfile::tempdir().unwrap();
    let (wal, _) = Wal::open(tmp.path(), config(1), None).unwrap();
    for i in 0..4 {
        wal.append(&obs(i, 1)).await.unwrap();
    }
    assert_eq!(wal.rotate().await.unwrap(), 4);
    assert_eq!(wal.current_segment(), 5);
    let ids = |d: &Path| {
        let mut v: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    };
    wal.remove_through(2).unwrap();
    assert_eq!(
        ids(tmp.path()),
        [
            "00000000000000000003.wal",
            "00000000000000000004.wal",
            "00000000000000000005.wal"
        ]
    );
    wal.remove_through(u64::MAX).unwrap();
    assert_eq!(
        ids(tmp.path()),
        ["00000000000000000005.wal"],
        "the open segment stays"
    );
    wal.append(&obs(9, 1)).await.unwrap();
    wal.close().await.unwrap();

    // Segments up to `skip_through` are neither read nor touched; new ids stay above it even
    // when every file is gone.
    let (wal, replay) = Wal::open(tmp.path(), WalConfig::default(), Some(5)).unwrap();
    assert!(replay.batches.is_empty() && replay.segments.is_empty());
    assert!(segment_path(tmp.path(), 5).exists());
    assert_eq!(wal.current_segment(), 6);
    wal.close().await.unwrap();
    for e in fs::read_dir(tmp.path()).unwrap() {
        fs::remove_file(e.unwrap().path()).unwrap();
    }
    let (wal, _) = Wal::open(tmp.path(), WalConfig::default(), Some(40)).unwrap();
    assert_eq!(wal.current_segment(), 41);
}

#[tokio::test]
async fn unusable_directory_fails_with_the_path_and_recovers() {
    let tmp = tempfile::tempdir().unwrap();
    // A WAL directory that is a regular file (chmod does not stop root).
    let file = tmp.path().join("not-a-dir");
    fs::write(&file, b"x").unwrap();
    let err = Wal::open(&file, WalConfig::default(), None).unwrap_err();
    assert!(matches!(err, WalError::Io { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&file.display().to_string()),
        "{err}"
    );

    // The directory becomes unusable while open: the append that needs a new segment fails
    // naming the path, nothing acknowledged is lost, and it works again afterwards.
    let dir = tmp.path().join("wal");
    let (wal, _) = Wal::open(&dir, config(1), None).unwrap();
    wal.append(&obs(0, 3)).await.unwrap();
    let moved = tmp.path().join("moved");
    fs::rename(&dir, &moved).unwrap();
    fs::write(&dir, b"in the way").unwrap();
    let err = wal.append(&obs(3, 3)).await.unwrap_err();
    assert!(
        err.to_string().contains(&dir.display().to_string()),
        "{err}"
    );
    assert!(wal.rotate().await.is_err());
    fs::remove_file(&dir).unwrap();
    fs::rename(&moved, &dir).unwrap();
    wal.append(&obs(6, 3)).await.unwrap();
    wal.close().await.unwrap();
    let replay = replay_read_only(&dir, None).unwrap();
    assert_eq!(seqs(&replay), vec![0, 1, 2, 6, 7, 8]);
    assert!(replay.torn.is_none());
}

/// A WAL of two segments (2 and 3 records) and the end offset of every record of the last.
fn template() -> &'static (tempfile::TempDir, Vec<u64>) {
    static T: OnceLock<(tempfile::TempDir, Vec<u64>)> = OnceLock::new();
    T.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let ends = rt.block_on(async {
            let (wal, _) = Wal::open(tmp.path(), WalConfig::default(), None).unwrap();
            wal.append(&obs(0, 3)).await.unwrap();
            wal.append(&obs(3, 3)).await.unwrap();
            wal.rotate().await.unwrap();
            let mut starts = Vec::new();
            for i in 0..3 {
                starts.push(wal.append(&obs(6 + i * 3, 3)).await.unwrap().offset);
            }
            wal.close().await.unwrap();
            starts.push(fs::metadata(segment_path(tmp.path(), 2)).unwrap().len());
            starts[1..].to_vec()
        });
        (tmp, ends)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn a_crash_at_any_point_keeps_every_complete_record(
        cut_at in 0.0f64..=1.0, junk in prop::collection::vec(any::<u8>(), 0..40), zeros in any::<bool>(),
    ) {
        let (template, ends) = template();
        let tmp = tempfile::tempdir().unwrap();
        for e in fs::read_dir(template.path()).unwrap() {
            let p = e.unwrap().path();
            fs::copy(&p, tmp.path().join(p.file_name().unwrap())).unwrap();
        }
        let last = segment_path(tmp.path(), 2);
        let cut = HEADER_LEN + (cut_at * (*ends.last().unwrap() - HEADER_LEN) as f64) as u64;
        let original = fs::read(&last).unwrap();
        let mut bytes = original.clone();
        bytes.truncate(cut as usize);
        bytes.extend(junk.iter().map(|b| if zeros { 0 } else { *b }));
        fs::write(&last, &bytes).unwrap();
        // A record is complete if its bytes are all there — also when the junk happens to
        // restore what the cut removed (an Arrow IPC stream ends in zero bytes).
        let intact = |end: u64| {
            bytes.len() as u64 >= end && bytes[..end as usize] == original[..end as usize]
        };
        let complete = ends.iter().filter(|e| intact(**e)).count() as u64;
        let valid_end = ends
            .iter()
            .copied()
            .rfind(|e| intact(*e))
            .unwrap_or(HEADER_LEN);
        let expected: Vec<u64> = (0..6 + 3 * complete).collect();

        let read_only = replay_read_only(tmp.path(), None).unwrap();
        prop_assert_eq!(seqs(&read_only), expected.clone());
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let (wal, replay) = Wal::open(tmp.path(), WalConfig::default(), None).unwrap();
            assert_eq!(seqs(&replay), expected);
            assert_eq!(replay.torn.is_some(), bytes.len() as u64 != valid_end);
            wal.append(&obs(1000, 1)).await.unwrap();
            wal.close().await.unwrap();
            let (_wal, again) = Wal::open(tmp.path(), WalConfig::default(), None).unwrap();
            assert!(again.torn.is_none());
            assert_eq!(seqs(&again), expected.iter().copied().chain([1000]).collect::<Vec<_>>());
        });
    }
}
