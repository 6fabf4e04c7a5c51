//! `POST /api/v1/sql` `{"sql": "SELECT …", "format": "json" | "csv" | "parquet"}` (analysts,
//! operators, admins; scope `sql`): one query over what the caller may read, streamed.
//!
//! The query runs in a sandbox ([`sandbox`]): `observations` and `observations_history` hold
//! only the rows the caller may read ([`crate::access`]), the registry tables show the public
//! fields (devices: staff only), and the caller's readable datasets are views of their names.
//! Anything else — other tables, files, DDL, DML, `COPY`, `SET`, several statements — is 403
//! `sql_forbidden`; SQL that does not parse or plan is 400 `bad_sql`.
//!
//! Limits: [`crate::ApiConfig::sql_timeout`] per query and [`crate::ApiConfig::sql_max_rows`]
//! rows; the server's query memory pool bounds what it holds. A query that fails before its
//! first rows is a 4xx; one that exceeds a limit later ends its body with an error (the
//! transfer is cut, so a client never takes a truncated file for a whole one) — ask for fewer
//! rows, or aggregate.

use arrow::record_batch::RecordBatch;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use ecolake_query::sandbox::{self, Sandbox};
use futures::StreamExt;
use serde::Deserialize;

use crate::access::Access;
use crate::auth::{Caller, Need};
use crate::error::ApiError;
use crate::ApiState;

/// A query. The examples include what the sandbox refuses (`403 sql_forbidden`): files,
/// internal tables, DDL, `COPY`, several statements.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(examples(
    json!({"sql": "SELECT site, factor, time, value FROM observations ORDER BY time LIMIT 10"}),
    json!({"sql": "SELECT site, avg(value) AS mean FROM observations GROUP BY site", "format": "csv"}),
    json!({"sql": "SELECT code, name FROM sites", "format": "parquet"}),
    json!({"sql": "SELECT * FROM air_open"}),
    json!({"sql": "SELECT * FROM information_schema.tables"}),
    json!({"sql": "SELECT * FROM '/etc/passwd'"}),
    json!({"sql": "CREATE EXTERNAL TABLE x STORED AS CSV LOCATION '/etc/passwd'"}),
    json!({"sql": "COPY (SELECT 1) TO '/tmp/ecolake-escape.csv'"}),
    json!({"sql": "SELECT 1; DROP TABLE sites"}),
    json!({"sql": "SET datafusion.execution.batch_size = 1"}),
    json!({"sql": "SELECT count(*) FROM generate_series(1, 100000000000)"}),
))]
#[serde(deny_unknown_fields)]
pub struct SqlRequest {
    /// One SQL query (DataFusion dialect).
    pub sql: String,
    /// `json` (an array of objects, the default), `csv` (with a header) or `parquet`.
    #[serde(default)]
    pub format: Format,
}

/// How rows are answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// An array of JSON objects.
    #[default]
    Json,
    /// CSV with a header row.
    Csv,
    /// A Parquet file.
    Parquet,
}

/// Run SQL over the datasets the caller may read.
#[utoipa::path(post, path = "/api/v1/sql", tag = "data", operation_id = "sql", request_body = SqlRequest,
    responses((status = 200, description = "The rows, streamed, in the requested `format`", content(
            (Vec<Object> = "application/json"),
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.apache.parquet"))),
        (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)))]
pub(crate) async fn post(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    body: Result<Json<SqlRequest>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, ApiError> {
    caller.require(Need::Sql)?;
    let Json(request) = body?;
    let ctx = session(&state, &caller).await?;
    let df = sandbox::plan_sandboxed(&ctx, &request.sql).await?;
    respond(&state, df, request.format).await
}

/// The sandboxed session of `caller`.
pub(crate) async fn session(
    state: &ApiState,
    caller: &Caller,
) -> Result<datafusion::execution::context::SessionContext, ApiError> {
    let catalog = state.catalog.get(&state.registry).await?;
    let access = Access::of(state, caller, &catalog).await?;
    let sandbox = Sandbox {
        rows: access.rows.clone(),
        tables: crate::data::visible_tables(state, caller, &catalog),
        views: catalog
            .datasets
            .iter()
            .filter(|d| access.may_read(&d.name))
            .map(|d| ecolake_registry::SqlView {
                name: d.name.clone(),
                sql: d.view_sql(),
            })
            .collect(),
    };
    sandbox::sandbox_session(
        &state.store.snapshot(),
        state.query_runtime.clone(),
        &sandbox,
    )
    .await
    .map_err(|e| ApiError::internal(format_args!("building a query session: {e}")))
}

/// Runs `df` with the configured limits and streams the result in `format`: the first batch
/// is awaited here, so that a query failing early is a 4xx; a failure later (a limit) cuts
/// the body.
pub(crate) async fn respond(
    state: &ApiState,
    df: datafusion::dataframe::DataFrame,
    format: Format,
) -> Result<Response, ApiError> {
    let mut stream =
        sandbox::limited_stream(df, state.config.sql_max_rows, state.config.sql_timeout);
    let first = stream.next().await.transpose()?;
    let mut encoder = Encoder::new(format, stream.schema()).map_err(ApiError::internal)?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    tokio::spawn(async move {
        let mut next = first;
        loop {
            let chunk = match next.take() {
                Some(batch) => encoder.batch(&batch),
                None => {
                    let tail = encoder
                        .finish()
                        .map_err(|e| std::io::Error::other(e.to_string()));
                    let _ = tx.send(tail).await;
                    return;
                }
            };
            match chunk {
                Ok(bytes) => {
                    if !bytes.is_empty() && tx.send(Ok(bytes)).await.is_err() {
                        return; // the client went away: dropping the stream stops the query
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
                    return;
                }
            }
            next = match stream.next().await {
                None => None,
                Some(Ok(b)) => Some(b),
                Some(Err(e)) => {
                    tracing::info!("a streamed answer was cut: {e}");
                    let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
                    return;
                }
            };
        }
    });
    let body = Body::from_stream(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }));
    let content_type = match format {
        Format::Json => "application/json",
        Format::Csv => "text/csv; charset=utf-8",
        Format::Parquet => "application/vnd.apache.parquet",
    };
    Ok(([(header::CONTENT_TYPE, content_type)], body).into_response())
}

/// Encodes batches as they come.
enum Encoder {
    Json {
        first: bool,
    },
    Csv {
        header: bool,
        schema: arrow::datatypes::SchemaRef,
    },
    Parquet(Box<parquet::arrow::ArrowWriter<Vec<u8>>>),
}

impl Encoder {
    fn new(
        format: Format,
        schema: arrow::datatypes::SchemaRef,
    ) -> Result<Encoder, parquet::errors::ParquetError> {
        Ok(match format {
            Format::Json => Encoder::Json { first: true },
            Format::Csv => Encoder::Csv {
                header: true,
                schema,
            },
            Format::Parquet => {
                let props = parquet::file::properties::WriterProperties::builder()
                    .set_compression(parquet::basic::Compression::ZSTD(Default::default()))
                    .build();
                Encoder::Parquet(Box::new(parquet::arrow::ArrowWriter::try_new(
                    Vec::new(),
                    schema,
                    Some(props),
                )?))
            }
        })
    }

    /// The bytes of one more batch.
    fn batch(
        &mut self,
        batch: &RecordBatch,
    ) -> Result<Bytes, Box<dyn std::error::Error + Send + Sync>> {
        match self {
            Encoder::Json { first } => {
                let mut w = arrow::json::ArrayWriter::new(Vec::new());
                w.write(batch)?;
                w.finish()?;
                let array = w.into_inner();
                // `[{…},{…}]` → `{…},{…}` between our own brackets and commas.
                let inner = array
                    .strip_prefix(b"[")
                    .and_then(|a| a.strip_suffix(b"]"))
                    .unwrap_or(&[]);
                let mut out = Vec::with_capacity(inner.len() + 2);
                if *first {
                    out.push(b'[');
                } else if !inner.is_empty() {
                    out.push(b',');
                }
                if *first || !inner.is_empty() {
                    *first = false;
                }
                out.extend_from_slice(inner);
                Ok(out.into())
            }
            Encoder::Csv { header, .. } => {
                let mut out = Vec::new();
                let mut w = arrow::csv::WriterBuilder::new()
                    .with_header(*header)
                    .build(&mut out);
                w.write(batch)?;
                drop(w);
                *header = false;
                Ok(out.into())
            }
            Encoder::Parquet(w) => {
                w.write(batch)?;
                w.flush()?;
                Ok(std::mem::take(w.inner_mut()).into())
            }
        }
    }

    /// The closing bytes.
    fn finish(self) -> Result<Bytes, Box<dyn std::error::Error + Send + Sync>> {
        match self {
            Encoder::Json { first: true } => Ok(Bytes::from_static(b"[]")),
            Encoder::Json { first: false } => Ok(Bytes::from_static(b"]")),
            // No rows at all: the header alone.
            Encoder::Csv {
                header: true,
                schema,
            } => {
                let mut e = Encoder::Csv {
                    header: true,
                    schema: schema.clone(),
                };
                e.batch(&RecordBatch::new_empty(schema))
            }
            Encoder::Csv { .. } => Ok(Bytes::new()),
            Encoder::Parquet(w) => Ok(w.into_inner()?.into()),
        }
    }
}
