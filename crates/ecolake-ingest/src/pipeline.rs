//! The ingestion pipeline in front of a [`Sink`]: quality control, then group commit.
//!
//! Every source submits its batches here. One task takes what has queued up, gives every row
//! its `qc` verdict (the checker keeps each series' last reading, so it must see rows in
//! arrival order), joins the batches into one and writes it; each submitter learns the fate
//! of its own rows when that write is durable. While a write is in flight the next one gathers
//! everything that arrives, so a busy gateway makes few large writes instead of many small
//! ones. The queue is bounded: when the store is slow, submitters wait (backpressure).

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
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            queue: 4096,
            max_rows: 65_536,
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
    let mut jobs: Vec<(Job, Result<usize, String>)> = Vec::new();
    while let Some(first) = rx.recv().await {
        let mut rows = first.batch.num_rows();
        jobs.push((first, Ok(0)));
        while rows < config.max_rows {
            match rx.try_recv() {
                Ok(job) => {
                    rows += job.batch.num_rows();
                    jobs.push((job, Ok(0)));
                }
                Err(_) => break,
            }
        }
        let mut checked = Vec::with_capacity(jobs.len());
        let mut offset = 0;
        for (job, start) in &mut jobs {
            match checker.check(&job.batch, job.origin) {
                Ok(b) => {
                    *start = Ok(offset);
                    offset += b.num_rows();
                    checked.push(b);
                }
                Err(e) => {
                    // A batch that is not in the write schema: a bug of its source.
                    warn!("QC refused a batch: {e}");
                    *start = Err(format!("quality control could not read the batch: {e}"));
                }
            }
        }
        let result = match concat(&checked) {
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
                warn!("writing {offset} rows failed: {e}");
            }
        }
        answer(std::mem::take(&mut jobs), result);
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
