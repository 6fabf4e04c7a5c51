//! Requests into the audit log: every authenticated request, every data download (also
//! anonymous ones) and every failed authentication becomes an [`AuditEvent`]; a task appends
//! them to the registry's chained log in batches (one transaction per batch, at most
//! [`BATCH`] events or [`LINGER`] apart). The channel is bounded: when the log falls behind,
//! requests wait for room rather than events being dropped.
//!
//! Registry changes, logins, keys and grants are audited by the registry itself, in the
//! transaction that makes the change.

use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use ecolake_registry::{AuditEvent, Registry};
use tokio::sync::mpsc;
use tracing::warn;

use crate::auth::Caller;
use crate::ApiState;

/// Events appended in one transaction at most.
pub const BATCH: usize = 1000;
/// How long an event waits for others before its batch is written.
pub const LINGER: Duration = Duration::from_millis(100);
/// Events waiting at most; beyond, requests wait.
const QUEUE: usize = 10_000;

/// Where request events go.
#[derive(Debug, Clone)]
pub struct AuditSink {
    tx: mpsc::Sender<AuditEvent>,
}

impl AuditSink {
    /// A sink and the task that writes what it receives to `registry` until every sink is
    /// dropped (then it writes the rest and ends).
    pub fn start(registry: Registry) -> (AuditSink, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        (AuditSink { tx }, tokio::spawn(write(registry, rx)))
    }

    /// Records an event without waiting (used where the caller cannot wait; if the queue is
    /// full the event is written by a task that waits for room).
    pub fn record(&self, event: AuditEvent) {
        if let Err(mpsc::error::TrySendError::Full(event)) = self.tx.try_send(event) {
            let tx = self.tx.clone();
            tokio::spawn(async move {
                let _ = tx.send(event).await;
            });
        }
    }

    /// Records an event, waiting for room in the queue.
    pub async fn send(&self, event: AuditEvent) {
        if self.tx.send(event).await.is_err() {
            warn!("audit log writer has stopped; event not recorded");
        }
    }
}

async fn write(registry: Registry, mut rx: mpsc::Receiver<AuditEvent>) {
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        let deadline = tokio::time::Instant::now() + LINGER;
        while batch.len() < BATCH {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(e)) => batch.push(e),
                Ok(None) | Err(_) => break,
            }
        }
        // The log must not lose events: retry a failed append (the database is away) until
        // it takes them, with a growing pause.
        let mut pause = Duration::from_millis(100);
        while let Err(e) = registry.append_audit(&batch).await {
            warn!("appending {} audit events: {e}; retrying", batch.len());
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(10));
        }
        batch.clear();
    }
}

/// An event of `caller`.
pub fn event(
    caller: &Caller,
    kind: &str,
    entity: &str,
    key: &str,
    action: &str,
    detail: serde_json::Value,
) -> AuditEvent {
    AuditEvent {
        actor: caller.actor(),
        kind: kind.to_owned(),
        entity: entity.to_owned(),
        entity_key: key.to_owned(),
        action: action.to_owned(),
        detail,
    }
}

/// Paths whose answers are data downloads: audited for every caller, anonymous included.
fn is_export(method: &axum::http::Method, path: &str) -> bool {
    let get = method == axum::http::Method::GET;
    path == "/api/v1/sql"
        || get
            && (path == "/api/v1/observations"
                || path.starts_with("/api/v1/aqi")
                || (path.starts_with("/api/v1/sites/") && path.ends_with("/latest")))
}

/// The audit layer: after the answer, records the request if the caller is authenticated or
/// it downloaded data (method, path, query, status, client address, milliseconds).
pub async fn layer(State(state): State<ApiState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let caller = request.extensions().get::<Caller>().cloned();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let response = next.run(request).await;
    let Some(caller) = caller else {
        return response;
    };
    let export = is_export(&method, &path);
    if caller.principal.is_none() && !export {
        return response;
    }
    let detail = serde_json::json!({
        "status": response.status().as_u16(),
        "addr": caller.addr.to_string(),
        "query": query,
        "ms": started.elapsed().as_millis() as u64,
    });
    let kind = if export { "export" } else { "request" };
    state
        .audit
        .send(event(&caller, kind, "http", &path, method.as_str(), detail))
        .await;
    response
}
