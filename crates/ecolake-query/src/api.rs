//! The reads behind the REST endpoints: observation series (raw, or aggregated into local
//! hours, days or months), the latest values of a site, and the AQI (real-time and daily).
//! The caller writes no SQL; every read is restricted by the caller's `rows` predicate (the
//! same one as [`crate::sandbox::Sandbox::rows`]; `None` when the session is a sandbox's
//! already, or for every row).
//!
//! ```no_run
//! # async fn demo(ctx: &datafusion::prelude::SessionContext) -> Result<(), ecolake_query::QueryError> {
//! use ecolake_query::api::{series, Agg, Every, SeriesRequest};
//!
//! let request = SeriesRequest {
//!     sites: vec!["1003A".into()],
//!     factors: vec!["a34004".into()],
//!     period: Some("hour".into()),
//!     every: Some(Every::Day),
//!     agg: Agg::P95,
//!     time_zone: chrono_tz::Asia::Shanghai,
//!     ..SeriesRequest::default()
//! };
//! let page = series(ctx, Some("site IN ('1003A')"), &request).await?;
//! // page.batches: time (day start, UTC), site, factor, period, value, n; page.next: cursor
//! # Ok(()) }
//! ```

mod aqi;
mod latest;
mod series;

use std::fmt;
use std::str::FromStr;

use datafusion::dataframe::DataFrame;
use datafusion::prelude::SessionContext;
use datafusion::sql::parser::DFParser;

use crate::QueryError;

pub use aqi::{
    aqi_daily, aqi_daily_days, aqi_hourly, aqi_latest, aqi_latest_at, AQI_FACTORS, MAX_DAILY_DAYS,
    MAX_HOURLY_SPAN_MS,
};
pub use latest::{latest, latest_at, LOOKBACK_ROUNDS};
pub use series::{series, Series, SeriesRequest};

/// The length of an aggregation bucket, in the request's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Every {
    /// A local clock hour (in a fall-back transition the repeated hour is two buckets).
    Hour,
    /// A local calendar day, midnight to midnight (23 or 25 hours across a DST change).
    Day,
    /// A local calendar month.
    Month,
}

impl Every {
    /// The `date_trunc` unit.
    pub fn unit(self) -> &'static str {
        match self {
            Every::Hour => "hour",
            Every::Day => "day",
            Every::Month => "month",
        }
    }
}

impl FromStr for Every {
    type Err = String;

    /// `1h`/`hour`, `1d`/`day`, `1mo`/`month`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "1h" | "hour" => Ok(Every::Hour),
            "1d" | "day" => Ok(Every::Day),
            "1mo" | "month" => Ok(Every::Month),
            other => Err(format!(
                "unknown interval `{other}`: expected 1h, 1d or 1mo"
            )),
        }
    }
}

impl fmt::Display for Every {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Every::Hour => "1h",
            Every::Day => "1d",
            Every::Month => "1mo",
        })
    }
}

/// How the values of a bucket are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Agg {
    /// The arithmetic mean of the values.
    #[default]
    Mean,
    /// The smallest value.
    Min,
    /// The largest value.
    Max,
    /// The 95th percentile, exact, by HJ 663's formula (`hj663_percentile`: linear
    /// interpolation between order statistics at `k = 1 + (n − 1)·0.95`, the same as
    /// `percentile_cont(0.95)`).
    P95,
    /// The number of values (NULL values not counted).
    Count,
}

impl FromStr for Agg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "mean" | "avg" => Ok(Agg::Mean),
            "min" => Ok(Agg::Min),
            "max" => Ok(Agg::Max),
            "p95" => Ok(Agg::P95),
            "count" => Ok(Agg::Count),
            other => Err(format!(
                "unknown aggregate `{other}`: expected mean, min, max, p95 or count"
            )),
        }
    }
}

impl fmt::Display for Agg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Agg::Mean => "mean",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::P95 => "p95",
            Agg::Count => "count",
        })
    }
}

/// Where a page of a series ends: the key of its last row (bucket start for aggregates).
/// The next page starts after it. Stable: rows are ordered by (time, site, factor, period),
/// which is unique.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor {
    /// Time (ms since the epoch, UTC).
    pub time_ms: i64,
    /// Site code.
    pub site: String,
    /// Factor code.
    pub factor: String,
    /// Period name.
    pub period: String,
}

impl Cursor {
    /// The cursor as an opaque URL-safe token (lowercase hex of a JSON array).
    pub fn encode(&self) -> String {
        let json = serde_json::json!([self.time_ms, self.site, self.factor, self.period]);
        json.to_string()
            .bytes()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// A cursor from [`Cursor::encode`]'s token.
    pub fn decode(token: &str) -> Result<Cursor, String> {
        let bad = || {
            format!(
                "invalid cursor `{}`",
                token.chars().take(40).collect::<String>()
            )
        };
        if !token.len().is_multiple_of(2) || token.len() > 4096 {
            return Err(bad());
        }
        let bytes = (0..token.len())
            .step_by(2)
            .map(|i| {
                token
                    .get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(bad)?;
        let (time_ms, site, factor, period): (i64, String, String, String) =
            serde_json::from_slice(&bytes).map_err(|_| bad())?;
        Ok(Cursor {
            time_ms,
            site,
            factor,
            period,
        })
    }
}

/// `observations` restricted by `rows` (a SQL boolean expression, parsed as one expression so
/// it cannot add clauses).
pub(crate) async fn observations(
    ctx: &SessionContext,
    rows: Option<&str>,
) -> Result<DataFrame, QueryError> {
    match rows {
        None => Ok(ctx.table("observations").await?),
        Some(rows) => Ok(ctx
            .sql(&format!(
                "SELECT * FROM observations WHERE ({})",
                predicate(rows)?
            ))
            .await?),
    }
}

/// `rows` written back from its syntax tree: one expression.
pub(crate) fn predicate(rows: &str) -> Result<String, QueryError> {
    Ok(DFParser::parse_sql_into_expr(rows)?.expr.to_string())
}

/// A timestamp literal of `observations.time`'s type.
pub(crate) fn time_literal(ms: i64) -> datafusion::prelude::Expr {
    datafusion::prelude::lit(datafusion::common::ScalarValue::TimestampMillisecond(
        Some(ms),
        Some("UTC".into()),
    ))
}
