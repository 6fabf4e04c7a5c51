//! The ingestion pipeline in front of a [`Sink`]: quality control, then group commit.
//!
//! Every source submits its batches here. One task takes what has queued up, joins the batches
//! into one, gives every row its `qc` verdict (the checker keeps each series' last reading, so
//! it must see rows in arrival order) and hands the batch to a write; each submitter learns the
//! fate of its own rows when that write is durable. While writes are in flight (up to
//! [`PipelineConfig::in_flight`]) the next one gathers everything that arrives, so a busy
//! gateway makes few large writes instead of many small ones, and the store's WAL covers
//! concurrent writes with one fsync. The queue is bounded: when the store is slow, submitters
//! wait (backpressure).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arrow::compute::concat_batches;
use arrow::record_batch::RecordBatch;
use ecolake_qc::{Checker, Origin};
use tokio::sync::{mpsc, oneshot};
use tracing::warn;

use crate::sink::{Sink, SinkError, Written};

/// How the pipeline batches.
#[derive(Debug, Clone, Copy)]
pub struct PipelineConfig {
    /// Submissions waiting at most (then submitters wait).
    pub queue: usize,
    /// Rows per write at most (a write takes whole submissions, so one may exceed it).
    pub max_rows: usize,
    /// Writes waiting for durability at once.
    pub in_flight: usize,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            queue: 4096,
            max_rows: 65_536,
            in_flight: 4,
        }
    }
}

/// Counters of the pipeline.
#[derive(Debug, Default)]
pub struct PipelineStats {
    /// Writes made.
    pub writes: AtomicU64,
    /// Rows made durable.
    pub rows_accepted: AtomicU64,
    /// Rows the sink refused.
    pub rows_rejected: AtomicU64,
    /// Rows whose QC verdict is not `ok`.
    pub rows_flagged: AtomicU64,
    /// Writes that failed.
    pub write_errors: AtomicU64,
}

struct Job {
    batch: RecordBatch,
    origin: Origin,
    reply: oneshot::Sender<Result<Written, SinkError>>,
}

/// A handle to submit batches; cheap to clone.
#[derive(Debug, Clone)]
pub struct Pipeline {
    tx: mpsc::Sender<Job>,
    stats: Arc<PipelineStats>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("rows", &self.batch.num_rows())
            .finish()
    }
}

/// The pipeline stopped (the server is shutting down); nothing of the batch was written.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the ingestion pipeline has stopped")]
pub struct Stopped;

impl Pipeline {
    /// Starts the pipeline's task. It ends when every [`Pipeline`] handle is dropped and the
    /// queue is drained; await the handle to know everything submitted was written.
    pub fn start<S: Sink>(
        sink: Arc<S>,
        checker: Checker,
        config: PipelineConfig,
    ) -> (Pipeline, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(config.queue.max(1));
        let stats = Arc::new(PipelineStats::default());
        let task = tokio::spawn(run(sink, checker, config, rx, stats.clone()));
        (Pipeline { tx, stats }, task)
    }

    /// QC-checks and writes a batch (write schema); resolves when its rows are durable (or
    /// refused), with the indexes of refused rows relative to this batch.
    pub async fn submit(
        &self,
        batch: RecordBatch,
        origin: Origin,
    ) -> Result<Result<Written, SinkError>, Stopped> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job {
                batch,
                origin,
                reply,
            })
            .await
            .map_err(|_| Stopped)?;
        rx.await.map_err(|_| Stopped)
    }

    /// Submissions waiting for the pipeline's task.
    pub fn queued(&self) -> usize {
        self.tx.max_capacity() - self.tx.capacity()
    }

    /// The counters.
    pub fn stats(&self) -> &Arc<PipelineStats> {
        &self.stats
    }
}

async fn run<S: Sink>(
    sink: Arc<S>,
    mut checker: Checker,
    config: PipelineConfig,
    mut rx: mpsc::Receiver<Job>,
    stats: Arc<PipelineStats>,
) {
    // Writes in flight at most: while some wait for their fsync, the next gathers what arrives
    // (the WAL's group commit then covers several with one fsync).
    let slots = Arc::new(tokio::sync::Semaphore::new(config.in_flight.max(1)));
    let mut writes = tokio::task::JoinSet::new();
    loop {
        // A free slot first: until then, submissions gather in the queue.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            break;
        };
        let Some(first) = rx.recv().await else {
            break;
        };
        while writes.try_join_next().is_some() {}
        let mut rows = first.batch.num_rows();
        let mut jobs = vec![first];
        while rows < config.max_rows {
            match rx.try_recv() {
                Ok(job) => {
                    rows += job.batch.num_rows();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        let (batch, jobs) = check(&mut checker, jobs);
        let sink = sink.clone();
        let stats = stats.clone();
        writes.spawn(async move {
            let result = match batch {
                Ok(None) => Ok(Written::default()),
                Ok(Some(batch)) => {
                    stats
                        .rows_flagged
                        .fetch_add(not_ok(&batch), Ordering::Relaxed);
                    stats.writes.fetch_add(1, Ordering::Relaxed);
                    sink.write(batch).await
                }
                Err(e) => Err(e),
            };
            drop(slot);
            match &result {
                Ok(w) => {
                    stats
                        .rows_accepted
                        .fetch_add(w.accepted as u64, Ordering::Relaxed);
                    stats
                        .rows_rejected
                        .fetch_add(w.rejected.len() as u64, Ordering::Relaxed);
                }
                Err(e) => {
                    stats.write_errors.fetch_add(1, Ordering::Relaxed);
                    warn!("writing {rows} rows failed: {e}");
                }
            }
            answer(jobs, result);
        });
    }
    while writes.join_next().await.is_some() {}
}

/// QC-checks the jobs and joins them into one batch: live jobs first, then history (each group
/// checked as one batch, at the latest arrival time of the group — they arrived within
/// milliseconds of each other). Each job gets its first row in the batch, or why it has none.
#[allow(clippy::type_complexity)]
fn check(
    checker: &mut Checker,
    jobs: Vec<Job>,
) -> (
    Result<Option<RecordBatch>, SinkError>,
    Vec<(Job, Result<usize, String>)>,
) {
    // Live jobs first, so that the jobs' first rows ascend in this order (`answer` needs it).
    let (live, history): (Vec<Job>, Vec<Job>) = jobs
        .into_iter()
        .partition(|j| matches!(j.origin, Origin::Live { .. }));
    let mut out: Vec<(Job, Result<usize, String>)> = live
        .into_iter()
        .chain(history)
        .map(|j| (j, Ok(0)))
        .collect();
    let mut checked = Vec::new();
    let mut offset = 0;
    for live in [true, false] {
        let group: Vec<usize> = (0..out.len())
            .filter(|&i| matches!(out[i].0.origin, Origin::Live { .. }) == live)
            .collect();
        let Some(origin) = group
            .iter()
            .map(|&i| out[i].0.origin)
            .max_by_key(received_ms)
        else {
            continue;
        };
        let batches: Vec<RecordBatch> = group.iter().map(|&i| out[i].0.batch.clone()).collect();
        let joined = concat(&batches).and_then(|b| {
            b.map(|b| {
                checker
                    .check(&b, origin)
                    .map_err(|e| Arc::new(e) as SinkError)
            })
            .transpose()
        });
        match joined {
            Ok(Some(b)) => {
                for &i in &group {
                    out[i].1 = Ok(offset);
                    offset += out[i].0.batch.num_rows();
                }
                checked.push(b);
            }
            Ok(None) => {}
            Err(e) => {
                // Batches not in the write schema: a bug of their source.
                warn!("QC refused a batch: {e}");
                for &i in &group {
                    out[i].1 = Err(format!("quality control could not read the batch: {e}"));
                }
            }
        }
    }
    (concat(&checked), out)
}

fn received_ms(origin: &Origin) -> i64 {
    match *origin {
        Origin::Live { received_ms } | Origin::History { received_ms } => received_ms,
    }
}

fn concat(batches: &[RecordBatch]) -> Result<Option<RecordBatch>, SinkError> {
    match batches {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        many => concat_batches(&many[0].schema(), many)
            .map(Some)
            .map_err(|e| Arc::new(e) as SinkError),
    }
}

/// Rows whose `qc` is not `ok`.
fn not_ok(batch: &RecordBatch) -> u64 {
    use arrow::array::{Array, StringArray};
    let Some(qc) = batch
        .column_by_name(ecolake_model::observation::col::QC)
        .and_then(|a| a.as_any().downcast_ref::<StringArray>().cloned())
    else {
        return 0;
    };
    (0..qc.len())
        .filter(|&i| qc.is_valid(i) && qc.value(i) != "ok")
        .count() as u64
}

/// Splits the write's result between the jobs it carried.
fn answer(jobs: Vec<(Job, Result<usize, String>)>, result: Result<Written, SinkError>) {
    let mut rejected = match &result {
        Ok(w) => w.rejected.clone(),
        Err(_) => Vec::new(),
    };
    rejected.sort_unstable_by_key(|r| r.0);
    let mut next = rejected.into_iter().peekable();
    for (job, start) in jobs {
        let rows = job.batch.num_rows();
        let reply = match (start, &result) {
            (Err(reason), _) => Ok(Written {
                accepted: 0,
                rejected: (0..rows).map(|i| (i, reason.clone())).collect(),
            }),
            (Ok(_), Err(e)) => Err(e.clone()),
            (Ok(start), Ok(_)) => {
                let mut mine = Vec::new();
                while let Some((i, _)) = next.peek() {
                    if *i >= start + rows {
                        break;
                    }
                    let (i, reason) = next.next().expect("peeked");
                    mine.push((i - start, reason));
                }
                Ok(Written {
                    accepted: rows - mine.len(),
                    rejected: mine,
                })
            }
        };
        // A submitter that went away (its connection closed) needs no answer.
        let _ = job.reply.send(reply);
    }
}
