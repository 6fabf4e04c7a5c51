//! The newest value of each factor and period at a site, looking at recent data first.

use arrow::array::RecordBatch;
use arrow::datatypes::DataType;
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::ExprFunctionExt;
use datafusion::prelude::{cast, col, lit, Expr, SessionContext};

use super::{observations, time_literal};
use crate::QueryError;

const DAY: i64 = 86_400_000;

/// How far back each round looks, as multiples of a period's base window (2 days for
/// real-time, minute and hourly values, 4 days for daily, 64 for monthly, 800 for yearly
/// values): the rounds after the last look at all the data.
pub const LOOKBACK_ROUNDS: [i64; 3] = [1, 16, 256];

/// The newest row of each (factor, period) at `site` among the rows that pass `rows`, with
/// the columns `factor`, `period` (plain UTF-8), `time`, `value`, `flag`, `qc`, ordered by
/// factor and period; [`latest_at`] the current time.
pub async fn latest(
    ctx: &SessionContext,
    rows: Option<&str>,
    site: &str,
) -> Result<Vec<RecordBatch>, QueryError> {
    latest_at(ctx, rows, site, chrono::Utc::now().timestamp_millis()).await
}

/// [`latest`] as of `now_ms`.
///
/// It reads recent data first: the rows of the last 2 days (sub-daily periods; 4 days for
/// daily values, 64 for monthly, 800 for yearly — each period's newest value is usually
/// within its window), counted back from `now_ms`; if there are none, 16 times as far, then
/// 256 times, then everything. The answer comes from the first window that has rows of the
/// site, so a factor whose newest value is older than that window (a factor the site stopped
/// measuring) is not listed. Each round reads only the row groups whose time range meets its
/// window.
pub async fn latest_at(
    ctx: &SessionContext,
    rows: Option<&str>,
    site: &str,
    now_ms: i64,
) -> Result<Vec<RecordBatch>, QueryError> {
    for scale in LOOKBACK_ROUNDS.iter().copied().map(Some).chain([None]) {
        let batches = newest(ctx, site, rows, scale.map(|s| window(now_ms, s))).await?;
        if batches.iter().any(|b| b.num_rows() > 0) || scale.is_none() {
            return Ok(batches);
        }
    }
    Ok(Vec::new())
}

/// The condition of one round: each period's rows from `now_ms − base × scale` on.
fn window(now_ms: i64, scale: i64) -> Expr {
    let since = |days: i64| time_literal(now_ms.saturating_sub(days * DAY * scale));
    let long = ["day", "month", "year"];
    let period = |p: &str| col("period").eq(lit(p));
    let short = col("period")
        .in_list(long.iter().map(|p| lit(*p)).collect(), true)
        .and(col("time").gt_eq(since(2)));
    short
        .or(period("day").and(col("time").gt_eq(since(4))))
        .or(period("month").and(col("time").gt_eq(since(64))))
        .or(period("year").and(col("time").gt_eq(since(800))))
}

async fn newest(
    ctx: &SessionContext,
    site: &str,
    rows: Option<&str>,
    window: Option<Expr>,
) -> Result<Vec<RecordBatch>, QueryError> {
    let mut df = observations(ctx, rows)
        .await?
        .filter(col("site").eq(lit(site)))?;
    if let Some(window) = window {
        df = df.filter(window)?;
    }
    let rank = row_number()
        .partition_by(vec![col("factor"), col("period")])
        .order_by(vec![col("time").sort(false, false)])
        .build()?
        .alias("_rank");
    let text = |c: &str| cast(col(c), DataType::Utf8).alias(c);
    Ok(df
        .window(vec![rank])?
        .filter(col("_rank").eq(lit(1u64)))?
        .select(vec![
            text("factor"),
            text("period"),
            col("time"),
            col("value"),
            text("flag"),
            text("qc"),
        ])?
        .sort(vec![
            col("factor").sort(true, false),
            col("period").sort(true, false),
        ])?
        .collect()
        .await?)
}
