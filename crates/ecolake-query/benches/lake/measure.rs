//! What the benchmark measures of ecolake: appends, bytes at rest, query latencies.

use super::*;

/// What the append phase measured.
pub struct Append {
    pub seconds: f64,
    pub latencies: Vec<Duration>,
    pub manifest_versions: u64,
    pub unflushed_rows: u64,
    pub files_at_end: usize,
}

pub async fn append(store: &Arc<Store>, data: &Arc<Data>, scale: &Scale) -> Append {
    // Jobs in time order, the year's days spread evenly among the minutes.
    let mut jobs: Vec<(bool, usize)> = Vec::new();
    let every = (data.minutes.len() / data.year.len().max(1)).max(1);
    let mut y = 0;
    for m in 0..data.minutes.len() {
        jobs.push((false, m));
        if (m + 1) % every == 0 && y < data.year.len() {
            jobs.push((true, y));
            y += 1;
        }
    }
    jobs.extend((y..data.year.len()).map(|d| (true, d)));
    let jobs = Arc::new(jobs);
    let next = Arc::new(AtomicUsize::new(0));
    let acked = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let t0 = Instant::now();
    let progress = scale.bench.then(|| {
        let (acked, done) = (acked.clone(), done.clone());
        tokio::spawn(async move {
            let mut last = (0u64, Instant::now());
            while !done.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_secs(10)).await;
                let rows = acked.load(Ordering::Relaxed);
                let now = Instant::now();
                println!(
                    "  append {:6.1} s: {:>11} rows acknowledged, {:.2} M rows/s over the last {:.0} s",
                    t0.elapsed().as_secs_f64(),
                    fmt_int(rows),
                    (rows - last.0) as f64 / (now - last.1).as_secs_f64() / 1e6,
                    (now - last.1).as_secs_f64()
                );
                last = (rows, now);
            }
        })
    });
    let mut tasks = Vec::new();
    for _ in 0..scale.writers {
        let (store, data, jobs, next, acked) = (
            store.clone(),
            data.clone(),
            jobs.clone(),
            next.clone(),
            acked.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let j = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(is_year, i)) = jobs.get(j) else {
                    return latencies;
                };
                let batch = if is_year {
                    &data.year[i]
                } else {
                    &data.minutes[i]
                };
                let t = Instant::now();
                let out = store.write(batch).await.expect("write");
                latencies.push(t.elapsed());
                assert_eq!(out.accepted, batch.num_rows(), "{:?}", out.rejected);
                acked.fetch_add(out.accepted as u64, Ordering::Relaxed);
            }
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        latencies.extend(t.await.expect("writer task"));
    }
    let seconds = t0.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    if let Some(p) = progress {
        p.abort();
    }
    assert_eq!(acked.load(Ordering::Relaxed), scale.rows());
    let snap = store.snapshot();
    latencies.sort();
    Append {
        seconds,
        latencies,
        manifest_versions: snap.manifest.version,
        unflushed_rows: snap.mem.iter().map(|b| b.num_rows() as u64).sum(),
        files_at_end: snap.manifest.files.len(),
    }
}

/// Bytes at rest of a compacted lake.
pub struct AtRest {
    pub current_files: usize,
    pub current_rows: u64,
    pub current_bytes: u64,
    pub history_bytes: u64,
    pub history_rows: u64,
    /// Compressed bytes per column over every current file, and the rest (footers, indexes).
    pub columns: Vec<(String, u64)>,
}

/// Every `*.parquet` under `dir`, recursively.
pub fn parquet_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.expect("directory entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

pub fn at_rest(snapshot: &Snapshot, dir: &Path) -> AtRest {
    let current: Vec<_> = snapshot.files(FileKind::Current).collect();
    // What any Parquet reader globbing the lake sees must be exactly the manifest's files.
    let on_disk = parquet_files(&dir.join("lake").join("observations"));
    let mut disk_ids: Vec<u64> = on_disk
        .iter()
        .map(|p| {
            p.file_stem()
                .and_then(|s| s.to_str())
                .and_then(|s| s.parse().ok())
                .expect("lake file named by its id")
        })
        .collect();
    disk_ids.sort_unstable();
    let mut ids: Vec<u64> = current.iter().map(|f| f.id).collect();
    ids.sort_unstable();
    assert_eq!(
        disk_ids, ids,
        "the Parquet files under lake/observations are exactly the manifest's current files"
    );
    let disk_bytes: u64 = on_disk
        .iter()
        .map(|p| std::fs::metadata(p).expect("lake file").len())
        .sum();
    let current_bytes: u64 = current.iter().map(|f| f.bytes).sum();
    assert_eq!(disk_bytes, current_bytes, "manifest sizes = sizes on disk");
    let mut columns: BTreeMap<String, u64> = BTreeMap::new();
    for p in &on_disk {
        let reader = SerializedFileReader::new(std::fs::File::open(p).expect("lake file"))
            .expect("a Parquet file");
        for rg in reader.metadata().row_groups() {
            for c in rg.columns() {
                *columns.entry(c.column_path().string()).or_default() += c.compressed_size() as u64;
            }
        }
    }
    let data: u64 = columns.values().sum();
    let mut columns: Vec<(String, u64)> = columns.into_iter().collect();
    columns.sort_by_key(|c| std::cmp::Reverse(c.1));
    columns.push((
        "(footers, page indexes, headers)".into(),
        current_bytes - data,
    ));
    let history: Vec<_> = snapshot.files(FileKind::History).collect();
    AtRest {
        current_files: current.len(),
        current_rows: current.iter().map(|f| f.rows).sum(),
        current_bytes,
        history_bytes: history.iter().map(|f| f.bytes).sum(),
        history_rows: history.iter().map(|f| f.rows).sum(),
        columns,
    }
}

/// Latencies of one engine for one query, and its answer.
pub struct Timing {
    pub runs: Vec<Duration>,
    pub answer: Answer,
}

impl Timing {
    pub fn median(&self) -> Duration {
        let mut r = self.runs.clone();
        r.sort();
        let n = r.len();
        if n % 2 == 1 {
            r[n / 2]
        } else {
            (r[n / 2 - 1] + r[n / 2]) / 2
        }
    }

    pub fn min(&self) -> Duration {
        self.runs.iter().copied().min().unwrap_or_default()
    }
}

/// Runs every query through `observations` in one session: one untimed warm-up, then
/// `runs` timed runs (planning and execution, results collected as Arrow batches).
pub async fn run_ours(
    snapshot: &Snapshot,
    queries: &[Query],
    runs: usize,
) -> (Duration, Vec<Timing>) {
    let t = Instant::now();
    let ctx = ecolake_query::session(snapshot).await.expect("session");
    let session = t.elapsed();
    let mut out = Vec::new();
    for q in queries {
        let mut timing = Timing {
            runs: Vec::new(),
            answer: Vec::new(),
        };
        let batches = ecolake_query::run_read_only(&ctx, &q.ours)
            .await
            .unwrap_or_else(|e| panic!("query {}: {e}\n{}", q.id, q.ours));
        timing.answer = answer_of(&batches);
        for _ in 0..runs {
            let t = Instant::now();
            let batches = ecolake_query::run_read_only(&ctx, &q.ours)
                .await
                .expect("query");
            timing.runs.push(t.elapsed());
            drop(batches);
        }
        out.push(timing);
    }
    (session, out)
}

pub async fn count_rows(snapshot: &Snapshot) -> u64 {
    let ctx = ecolake_query::session(snapshot).await.expect("session");
    let batches = ecolake_query::run_read_only(&ctx, "SELECT count(*) FROM observations")
        .await
        .expect("count");
    batches[0].column(0).as_primitive::<Int64Type>().value(0) as u64
}
