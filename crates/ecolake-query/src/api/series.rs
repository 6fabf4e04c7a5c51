//! Series of observations: raw rows or aggregates per local hour, day or month, in pages.

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, TimeUnit, TimestampMillisecondType};
use datafusion::execution::FunctionRegistry;
use datafusion::functions::expr_fn::date_trunc;
use datafusion::functions_aggregate::expr_fn::{avg, count, max, min};
use datafusion::prelude::{cast, col, lit, Expr, SessionContext};

use super::{observations, time_literal, Agg, Cursor, Every};
use crate::QueryError;

/// What series to read.
#[derive(Debug, Clone)]
pub struct SeriesRequest {
    /// Site codes; empty: every site the caller may read.
    pub sites: Vec<String>,
    /// Factor codes; empty: every factor.
    pub factors: Vec<String>,
    /// Period name (`hour`, `day` …); `None`: every period (each its own series).
    pub period: Option<String>,
    /// Rows with `time >= from_ms` (UTC ms).
    pub from_ms: Option<i64>,
    /// Rows with `time < to_ms` (UTC ms).
    pub to_ms: Option<i64>,
    /// `None`: the raw rows; otherwise aggregates per bucket.
    pub every: Option<Every>,
    /// The aggregate (ignored for raw rows).
    pub agg: Agg,
    /// The time zone of the buckets (the site's).
    pub time_zone: chrono_tz::Tz,
    /// Rows per page (at least 1).
    pub limit: usize,
    /// Start after this row (the `next` of the previous page).
    pub after: Option<Cursor>,
}

impl Default for SeriesRequest {
    fn default() -> Self {
        SeriesRequest {
            sites: Vec::new(),
            factors: Vec::new(),
            period: None,
            from_ms: None,
            to_ms: None,
            every: None,
            agg: Agg::Mean,
            time_zone: chrono_tz::Asia::Shanghai,
            limit: 1000,
            after: None,
        }
    }
}

/// One page of a series.
#[derive(Debug, Clone)]
pub struct Series {
    /// Raw rows: `time` (UTC), `site`, `factor`, `period`, `value`, `flag`. Aggregates:
    /// `time` (the bucket's start, UTC), `site`, `factor`, `period`, `value` (the aggregate;
    /// for `count` the count), `n` (values in the bucket). Ordered by (time, site, factor,
    /// period); strings are plain UTF-8, `n` is `Int64`.
    pub batches: Vec<RecordBatch>,
    /// The cursor of the next page; `None` on the last page.
    pub next: Option<Cursor>,
}

/// A page of the series `request` describes, of the rows that pass `rows`.
pub async fn series(
    ctx: &SessionContext,
    rows: Option<&str>,
    request: &SeriesRequest,
) -> Result<Series, QueryError> {
    let limit = request.limit.max(1);
    let text = |c: &str| cast(col(c), DataType::Utf8).alias(c);
    let mut df = observations(ctx, rows).await?;
    let any_of = |c: &str, values: &[String]| {
        col(c).in_list(values.iter().map(|v| lit(v.as_str())).collect(), false)
    };
    if !request.sites.is_empty() {
        df = df.filter(any_of("site", &request.sites))?;
    }
    if !request.factors.is_empty() {
        df = df.filter(any_of("factor", &request.factors))?;
    }
    if let Some(period) = &request.period {
        df = df.filter(col("period").eq(lit(period.as_str())))?;
    }
    if let Some(from) = request.from_ms {
        df = df.filter(col("time").gt_eq(time_literal(from)))?;
    }
    if let Some(to) = request.to_ms {
        df = df.filter(col("time").lt(time_literal(to)))?;
    }
    if let Some(after) = &request.after {
        // Rows of later buckets than the cursor's bucket start at or after its start.
        df = df.filter(col("time").gt_eq(time_literal(after.time_ms)))?;
    }
    df = match request.every {
        None => df.select(vec![
            col("time"),
            text("site"),
            text("factor"),
            text("period"),
            col("value"),
            text("flag"),
        ])?,
        Some(every) => {
            let local =
                DataType::Timestamp(TimeUnit::Millisecond, Some(request.time_zone.name().into()));
            let bucket = cast(
                date_trunc(lit(every.unit()), cast(col("time"), local)),
                observation_time(),
            )
            .alias("time");
            let value = match request.agg {
                Agg::Mean => avg(col("value")),
                Agg::Min => min(col("value")),
                Agg::Max => max(col("value")),
                Agg::P95 => ctx
                    .udaf("hj663_percentile")?
                    .call(vec![col("value"), lit(95.0)]),
                Agg::Count => count(col("value")),
            };
            df.select(vec![
                bucket,
                text("site"),
                text("factor"),
                text("period"),
                col("value"),
            ])?
            .aggregate(
                vec![col("time"), col("site"), col("factor"), col("period")],
                vec![value.alias("value"), count(col("value")).alias("n")],
            )?
            .select(vec![
                col("time"),
                col("site"),
                col("factor"),
                col("period"),
                cast(col("value"), DataType::Float64).alias("value"),
                col("n"),
            ])?
        }
    };
    if let Some(after) = &request.after {
        df = df.filter(after_cursor(after))?;
    }
    let batches = df
        .sort(vec![
            col("time").sort(true, false),
            col("site").sort(true, false),
            col("factor").sort(true, false),
            col("period").sort(true, false),
        ])?
        .limit(0, Some(limit + 1))?
        .collect()
        .await?;
    Ok(page(batches, limit))
}

/// The type of `observations.time`.
fn observation_time() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
}

/// `(time, site, factor, period) > cursor`.
fn after_cursor(c: &Cursor) -> Expr {
    let s = |v: &str| lit(v.to_owned());
    let period = col("period").gt(s(&c.period));
    let factor = col("factor")
        .gt(s(&c.factor))
        .or(col("factor").eq(s(&c.factor)).and(period));
    let site = col("site")
        .gt(s(&c.site))
        .or(col("site").eq(s(&c.site)).and(factor));
    col("time")
        .gt(time_literal(c.time_ms))
        .or(col("time").eq(time_literal(c.time_ms)).and(site))
}

/// The first `limit` rows of `batches`, and the cursor of the last of them if more follow.
fn page(batches: Vec<RecordBatch>, limit: usize) -> Series {
    let total: usize = batches.iter().map(|b| b.num_rows()).sum();
    if total <= limit {
        return Series {
            batches,
            next: None,
        };
    }
    let mut out = Vec::new();
    let mut left = limit;
    for b in batches {
        if left == 0 {
            break;
        }
        let take = b.num_rows().min(left);
        left -= take;
        out.push(b.slice(0, take));
    }
    let next = out.last().and_then(|b| cursor_at(b, b.num_rows() - 1));
    Series { batches: out, next }
}

/// The key of row `i` of a series batch.
fn cursor_at(b: &RecordBatch, i: usize) -> Option<Cursor> {
    let time = b
        .column(0)
        .as_primitive_opt::<TimestampMillisecondType>()?
        .value(i);
    let text = |c: usize| {
        let a = b.column(c).as_string_opt::<i32>()?;
        (!a.is_null(i)).then(|| a.value(i).to_owned())
    };
    Some(Cursor {
        time_ms: time,
        site: text(1)?,
        factor: text(2)?,
        period: text(3)?,
    })
}
