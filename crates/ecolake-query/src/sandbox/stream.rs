//! A query's result as a stream of batches, cut at a row limit and stopped at a deadline.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use datafusion::dataframe::DataFrame;
use datafusion::execution::SendableRecordBatchStream;
use futures::stream::{BoxStream, Stream, StreamExt};
use tokio::time::{timeout_at, Instant};

use crate::SandboxError;

/// The batches of a sandboxed query, at most `max_rows` rows in all (see [`limited_stream`]).
pub struct LimitedStream {
    schema: SchemaRef,
    inner: BoxStream<'static, Result<RecordBatch, SandboxError>>,
}

impl std::fmt::Debug for LimitedStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LimitedStream")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl LimitedStream {
    /// The schema of every batch (known before the first one, for a CSV header or an empty
    /// result).
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}

impl Stream for LimitedStream {
    type Item = Result<RecordBatch, SandboxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

/// Runs `df` and streams its result; nothing is collected whole.
///
/// * **Row limit**: at most `max_rows` rows are yielded (the batch that crosses the limit is
///   cut). If the query has more, the stream then yields [`SandboxError::RowLimit`] and ends:
///   the rows before it are valid, the result is truncated. A result of exactly `max_rows`
///   rows ends normally. The query is planned with `LIMIT max_rows + 1`, so a sort becomes a
///   top-k and scans stop early.
/// * **Time limit**: `deadline` counts from this call, over planning and execution. When it
///   passes, the stream yields [`SandboxError::Timeout`] and ends, and the query is stopped
///   (its tasks are cancelled when the stream is dropped, which ending does).
/// * Any other failure is yielded as its [`SandboxError`] and ends the stream.
///
/// Must be polled within a Tokio runtime with the time driver.
pub fn limited_stream(df: DataFrame, max_rows: usize, deadline: Duration) -> LimitedStream {
    let schema = SchemaRef::new(df.schema().as_arrow().clone());
    let at = Instant::now() + deadline;
    let state = State::Start(df.limit(0, Some(max_rows.saturating_add(1))));
    let inner = futures::stream::unfold(state, move |state| async move {
        let (item, next) = step(state, max_rows, at, deadline).await?;
        Some((item, next))
    })
    .boxed();
    LimitedStream { schema, inner }
}

enum State {
    /// Not planned yet (the limit could not be added when this holds an error).
    Start(datafusion::common::Result<DataFrame>),
    /// Running, with the rows yielded so far.
    Running(SendableRecordBatchStream, usize),
    /// `max_rows` rows were yielded and more exist.
    Truncated,
    Done,
}

async fn step(
    state: State,
    max_rows: usize,
    at: Instant,
    limit: Duration,
) -> Option<(Result<RecordBatch, SandboxError>, State)> {
    let (mut stream, mut sent) = match state {
        State::Done => return None,
        State::Truncated => {
            return Some((Err(SandboxError::RowLimit { max_rows }), State::Done));
        }
        State::Running(stream, sent) => (stream, sent),
        State::Start(df) => {
            let df = match df {
                Ok(df) => df,
                Err(e) => return Some((Err(e.into()), State::Done)),
            };
            match timeout_at(at, df.execute_stream()).await {
                Err(_) => return Some((Err(SandboxError::Timeout { limit }), State::Done)),
                Ok(Err(e)) => return Some((Err(e.into()), State::Done)),
                Ok(Ok(stream)) => (stream, 0),
            }
        }
    };
    loop {
        let batch = match timeout_at(at, stream.next()).await {
            Err(_) => return Some((Err(SandboxError::Timeout { limit }), State::Done)),
            Ok(None) => return None,
            Ok(Some(Err(e))) => return Some((Err(e.into()), State::Done)),
            Ok(Some(Ok(batch))) => batch,
        };
        if batch.num_rows() == 0 {
            continue;
        }
        let room = max_rows - sent;
        if room == 0 {
            return Some((Err(SandboxError::RowLimit { max_rows }), State::Done));
        }
        if batch.num_rows() > room {
            // The cut batch now, the limit error next.
            return Some((Ok(batch.slice(0, room)), State::Truncated));
        }
        sent += batch.num_rows();
        return Some((Ok(batch), State::Running(stream, sent)));
    }
}
