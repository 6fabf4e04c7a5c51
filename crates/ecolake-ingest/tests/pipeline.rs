//! The pipeline's group commit: submissions that arrive while a write is in flight share the
//! next write, and each submitter learns the fate of its own rows.

use std::sync::{Arc, Mutex};

use arrow::array::{Array, Float64Array, StringArray};
use arrow::record_batch::RecordBatch;
use ecolake_ingest::{
    read_body, FileFormat, ImportOptions, Pipeline, PipelineConfig, Sink, SinkError, Written,
};
use ecolake_qc::{Checker, Origin, Rules};

/// A sink that keeps what it is given and refuses rows whose value is above 1000 (as the store
/// refuses rows it cannot keep), after waiting for `gate` (so submissions pile up).
struct Keeper {
    writes: Mutex<Vec<RecordBatch>>,
    gate: tokio::sync::Semaphore,
    fail: bool,
}

impl Sink for Keeper {
    async fn write(&self, batch: RecordBatch) -> Result<Written, SinkError> {
        self.gate.acquire().await.expect("open").forget();
        if self.fail {
            return Err(Arc::new(std::io::Error::other("disk full")));
        }
        let v = batch
            .column_by_name("value")
            .unwrap()
            .as_any()
            .downcast_ref::<Float64Array>()
            .unwrap()
            .clone();
        let rejected: Vec<(usize, String)> = (0..v.len())
            .filter(|&i| v.is_valid(i) && v.value(i) > 1000.0)
            .map(|i| (i, format!("value {} too high", v.value(i))))
            .collect();
        self.writes.lock().unwrap().push(batch);
        Ok(Written {
            accepted: v.len() - rejected.len(),
            rejected,
        })
    }
}

fn batch(values: &[f64]) -> RecordBatch {
    let mut csv = String::from("time,site,factor,period,value\n");
    for (i, v) in values.iter().enumerate() {
        csv.push_str(&format!("2025-03-01T{:02}:00:00Z,S1,a34004,hour,{v}\n", i));
    }
    let parsed = read_body(
        "t",
        csv.as_bytes(),
        FileFormat::Csv,
        &ImportOptions::default(),
    )
    .unwrap();
    parsed.batches.into_iter().next().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_submissions_share_a_write_and_get_their_own_rejections() {
    let sink = Arc::new(Keeper {
        writes: Mutex::new(Vec::new()),
        gate: tokio::sync::Semaphore::new(0),
        fail: false,
    });
    // One write in flight: what arrives meanwhile waits in the queue for the next.
    let config = PipelineConfig {
        in_flight: 1,
        ..PipelineConfig::default()
    };
    let (pipeline, task) = Pipeline::start(sink.clone(), Checker::new(Rules::builtin()), config);
    let origin = Origin::History {
        received_ms: 1_800_000_000_000,
    };
    // The first submission's write waits at the gate; three more queue behind it.
    let first = tokio::spawn({
        let p = pipeline.clone();
        async move { p.submit(batch(&[1.0]), origin).await }
    });
    while pipeline
        .stats()
        .writes
        .load(std::sync::atomic::Ordering::Relaxed)
        == 0
    {
        tokio::task::yield_now().await;
    }
    let mut queued = Vec::new();
    for values in [vec![5.0, 2000.0], vec![3000.0], vec![7.0, 8.0, 4000.0]] {
        let p = pipeline.clone();
        queued.push(tokio::spawn(async move {
            p.submit(batch(&values), origin).await
        }));
    }
    // Open the gate once all three wait in the queue.
    while pipeline.queued() < 3 {
        tokio::task::yield_now().await;
    }
    sink.gate.add_permits(10);
    assert_eq!(first.await.unwrap().unwrap().unwrap().accepted, 1);
    let answers: Vec<Written> = {
        let mut out = Vec::new();
        for q in queued {
            out.push(q.await.unwrap().unwrap().unwrap());
        }
        out
    };
    assert_eq!(
        answers[0],
        Written {
            accepted: 1,
            rejected: vec![(1, "value 2000 too high".into())]
        }
    );
    assert_eq!(
        answers[1],
        Written {
            accepted: 0,
            rejected: vec![(0, "value 3000 too high".into())]
        }
    );
    assert_eq!(
        answers[2],
        Written {
            accepted: 2,
            rejected: vec![(2, "value 4000 too high".into())]
        }
    );
    // Two writes: the first alone, the three queued ones together; every row has a QC verdict.
    let writes = sink.writes.lock().unwrap().clone();
    assert_eq!(
        writes.iter().map(RecordBatch::num_rows).collect::<Vec<_>>(),
        [1, 6]
    );
    let qc = writes[1].column_by_name("qc").unwrap();
    let qc = qc.as_any().downcast_ref::<StringArray>().unwrap();
    // PM2.5's physical bound is 3000 µg/m³: only 4000 is out of range. (The three queued
    // submissions may have reached the queue in any order.)
    let value = writes[1].column_by_name("value").unwrap();
    let value = value.as_any().downcast_ref::<Float64Array>().unwrap();
    for i in 0..6 {
        let expected = if value.value(i) == 4000.0 {
            "range"
        } else {
            "ok"
        };
        assert_eq!(qc.value(i), expected, "value {}", value.value(i));
    }
    drop(pipeline);
    task.await.unwrap();
}

#[tokio::test]
async fn a_failed_write_answers_every_submission_it_carried() {
    let sink = Arc::new(Keeper {
        writes: Mutex::new(Vec::new()),
        gate: tokio::sync::Semaphore::new(100),
        fail: true,
    });
    let (pipeline, task) =
        Pipeline::start(sink, Checker::new(Rules::none()), PipelineConfig::default());
    let origin = Origin::History {
        received_ms: 1_800_000_000_000,
    };
    let err = pipeline
        .submit(batch(&[1.0]), origin)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(err.to_string(), "disk full");
    assert_eq!(
        pipeline
            .stats()
            .write_errors
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    drop(pipeline);
    task.await.unwrap();
}
