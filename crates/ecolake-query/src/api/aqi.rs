//! The AQI of HJ 633 from observations: the newest real-time (hourly) AQI of air sites and the
//! daily report of a site, with the SQL functions of [`crate::udf`].

use arrow::array::RecordBatch;
use arrow::datatypes::DataType;
use chrono::{NaiveDate, TimeDelta};
use datafusion::dataframe::DataFrame;
use datafusion::execution::FunctionRegistry;
use datafusion::functions_aggregate::expr_fn::max;
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::ExprFunctionExt;
use datafusion::prelude::{cast, col, lit, Expr, SessionContext};

use super::{observations, predicate, time_literal};
use crate::QueryError;

/// The six pollutants of the AQI (SO2, NO2, CO, O3, PM10, PM2.5) as ecolake's factor codes,
/// and the column names the AQI reads give them.
pub const AQI_FACTORS: [(&str, &str); 6] = [
    ("a21026", "so2"),
    ("a21004", "no2"),
    ("a21005", "co"),
    ("a05024", "o3"),
    ("a34002", "pm10"),
    ("a34004", "pm25"),
];

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;
/// Hours an hourly AQI series may cover per call (a leap year).
pub const MAX_HOURLY_SPAN_MS: i64 = 366 * DAY;
/// Days a daily AQI report may cover per call (about ten years).
pub const MAX_DAILY_DAYS: i64 = 3_700;

/// The newest real-time AQI of each of `sites` (every site the caller may read when empty)
/// now; see [`aqi_latest_at`].
pub async fn aqi_latest(
    ctx: &SessionContext,
    rows: Option<&str>,
    sites: &[String],
) -> Result<Vec<RecordBatch>, QueryError> {
    aqi_latest_at(ctx, rows, sites, chrono::Utc::now().timestamp_millis()).await
}

/// The newest real-time AQI of each of `sites` (every site the caller may read when empty),
/// from hourly values (`period = 'hour'`) that pass `rows`: per site the newest hour before
/// `now_ms` whose AQI is defined, with the columns of [`aqi_hourly`], ordered by site.
///
/// Looks at the last 2 days first, then 32 and 512 days for the sites without an AQI in the
/// window before; a site with no AQI in 512 days is left out.
pub async fn aqi_latest_at(
    ctx: &SessionContext,
    rows: Option<&str>,
    sites: &[String],
    now_ms: i64,
) -> Result<Vec<RecordBatch>, QueryError> {
    let mut missing: Vec<String> = sites.to_vec();
    let mut out = Vec::new();
    for days in [2, 32, 512] {
        let rank = row_number()
            .partition_by(vec![col("site")])
            .order_by(vec![col("time").sort(false, false)])
            .build()?
            .alias("_rank");
        let hours = hourly(ctx, rows, &missing, now_ms - days * DAY, now_ms + HOUR).await?;
        let columns: Vec<Expr> = hours
            .schema()
            .columns()
            .into_iter()
            .map(Expr::Column)
            .collect();
        let batches = hours
            .filter(col("aqi").is_not_null())?
            .window(vec![rank])?
            .filter(col("_rank").eq(lit(1u64)))?
            .select(columns)?
            .sort(vec![col("site").sort(true, false)])?
            .collect()
            .await?;
        let found = site_codes(&batches);
        out.extend(batches.into_iter().filter(|b| b.num_rows() > 0));
        if sites.is_empty() {
            if !found.is_empty() {
                break;
            }
            continue;
        }
        missing.retain(|s| !found.contains(s));
        if missing.is_empty() {
            break;
        }
    }
    Ok(out)
}

/// The real-time AQI of `site` for every hour from `from_ms` (default: 7 days before
/// `to_ms`) to before `to_ms` (default: now) with an hourly value of any of the six
/// pollutants that passes `rows`, ordered by time. Columns: `site` (UTF-8), `time` (the
/// hour's start, UTC), `aqi` (NULL when HJ 633 defines none, e.g. too few pollutants),
/// `level` (1–6), `category` (优 … 严重污染), `category_en`, `primary_pollutants`
/// (`;`-joined, empty at AQI ≤ 50), and the hour's `so2`, `no2`, `co`, `o3`, `pm10`, `pm25`
/// (µg/m³, CO mg/m³). `aqi` and `level` are `Int64`. The edition of HJ 633 is the one in
/// force on each hour's date. At most [`MAX_HOURLY_SPAN_MS`] per call.
pub async fn aqi_hourly(
    ctx: &SessionContext,
    rows: Option<&str>,
    site: &str,
    from_ms: Option<i64>,
    to_ms: Option<i64>,
) -> Result<Vec<RecordBatch>, QueryError> {
    let to = to_ms.unwrap_or_else(|| chrono::Utc::now().timestamp_millis());
    let from = from_ms.unwrap_or(to - 7 * DAY);
    if from >= to || to - from > MAX_HOURLY_SPAN_MS {
        return Err(refused(format!(
            "the hourly AQI covers up to 366 days, from before to; not {from} to {to} (ms)"
        )));
    }
    Ok(hourly(ctx, rows, &[site.to_owned()], from, to)
        .await?
        .sort(vec![col("time").sort(true, false)])?
        .collect()
        .await?)
}

/// The hourly AQI of `sites` (all when empty) over `from_ms..to_ms`: see [`aqi_hourly`].
async fn hourly(
    ctx: &SessionContext,
    rows: Option<&str>,
    sites: &[String],
    from_ms: i64,
    to_ms: i64,
) -> Result<DataFrame, QueryError> {
    let codes = AQI_FACTORS.iter().map(|(c, _)| lit(*c)).collect();
    let mut df = observations(ctx, rows).await?.filter(
        col("period")
            .eq(lit("hour"))
            .and(col("time").gt_eq(time_literal(from_ms)))
            .and(col("time").lt(time_literal(to_ms)))
            .and(col("factor").in_list(codes, false)),
    )?;
    if !sites.is_empty() {
        let sites = sites.iter().map(|s| lit(s.as_str())).collect();
        df = df.filter(col("site").in_list(sites, false))?;
    }
    let pivot = AQI_FACTORS
        .iter()
        .map(|(code, name)| {
            Ok(max(col("value"))
                .filter(col("factor").eq(lit(*code)))
                .build()?
                .alias(*name))
        })
        .collect::<Result<Vec<Expr>, QueryError>>()?;
    let pollutants: Vec<Expr> = AQI_FACTORS.iter().map(|(_, n)| col(*n)).collect();
    let report = |f: &str| -> Result<Expr, QueryError> {
        let mut args = pollutants.clone();
        args.push(col("time"));
        Ok(ctx.udf(f)?.call(args))
    };
    let mut computed = vec![
        cast(col("site"), DataType::Utf8).alias("site"),
        col("time"),
        cast(report("aqi")?, DataType::Int64).alias("aqi"),
        report("aqi_primary")?.alias("primary_pollutants"),
    ];
    computed.extend(pollutants.iter().cloned());
    let mut columns = vec![
        col("site"),
        col("time"),
        col("aqi"),
        cast(
            ctx.udf("aqi_level")?.call(vec![col("aqi")]),
            DataType::Int64,
        )
        .alias("level"),
        ctx.udf("aqi_category")?
            .call(vec![col("aqi")])
            .alias("category"),
        ctx.udf("aqi_category")?
            .call(vec![col("aqi"), lit("en")])
            .alias("category_en"),
        col("primary_pollutants"),
    ];
    columns.extend(pollutants);
    Ok(df
        .aggregate(vec![col("site"), col("time")], pivot)?
        .select(computed)?
        .select(columns)?)
}

/// The distinct `site` values of batches whose first column is `site`.
fn site_codes(batches: &[RecordBatch]) -> Vec<String> {
    use arrow::array::{Array, AsArray};
    let mut out = Vec::new();
    for b in batches {
        if let Some(sites) = b.column(0).as_string_opt::<i32>() {
            out.extend(
                (0..sites.len())
                    .filter(|&i| sites.is_valid(i))
                    .map(|i| sites.value(i).to_owned()),
            );
        }
    }
    out
}

/// A request the reads refuse (a range too long …), as a planning error.
fn refused(message: String) -> QueryError {
    QueryError::DataFusion(datafusion::error::DataFusionError::Plan(message))
}

/// The daily AQI report of `site` for the Beijing days (UTC+8, HJ 633's) from the day of
/// `from_ms` (default: 30 days before the day of `to_ms`) to the day before `to_ms`'s instant
/// (default: today included), from its hourly values that pass `rows`, by the query "daily
/// AQI per station" of `docs/STANDARDS.md`: 24-hour means with at least 20 valid hours, the
/// O3 1-hour maximum and MDA8 (17 8-hour means ending 08:00 … 24:00, valid with 14 of them or
/// above 160 µg/m³), and `aqi_daily` with the edition of each day. Columns: `site`, `day`
/// (date), `aqi`, `level` (`Int64`), `category`, `primary_pollutants`, and the day's `so2`,
/// `no2`, `co`, `o3_1h_max`, `o3_8h_max`, `pm10`, `pm25` (NULL where the day's value is not
/// valid); one row per day with any hourly value, ordered by day. At most
/// [`MAX_DAILY_DAYS`] days per call.
pub async fn aqi_daily(
    ctx: &SessionContext,
    rows: Option<&str>,
    site: &str,
    from_ms: Option<i64>,
    to_ms: Option<i64>,
) -> Result<Vec<RecordBatch>, QueryError> {
    let beijing = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms + 8 * HOUR)
            .map(|t| t.date_naive())
            .ok_or_else(|| refused(format!("time {ms} ms is out of range")))
    };
    let last = match to_ms {
        Some(to) => beijing(to - 1)?,
        None => beijing(chrono::Utc::now().timestamp_millis())?,
    };
    let first = match from_ms {
        Some(from) => beijing(from)?,
        None => last - TimeDelta::days(30),
    };
    aqi_daily_days(ctx, rows, site, first, last).await
}

/// [`aqi_daily`] for the Beijing days `from` to `to`, both included.
pub async fn aqi_daily_days(
    ctx: &SessionContext,
    rows: Option<&str>,
    site: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<RecordBatch>, QueryError> {
    let days = (to - from).num_days() + 1;
    if !(1..=MAX_DAILY_DAYS).contains(&days) {
        return Err(refused(format!(
            "the daily AQI covers 1 to {MAX_DAILY_DAYS} days, not {days} ({from} to {to})"
        )));
    }
    // Beijing midnight of `from` and of the day after `to`, in UTC.
    let start = from.and_hms_opt(0, 0, 0).unwrap_or_default() - TimeDelta::hours(8);
    let end = start + TimeDelta::days(days);
    let last_hour = end - TimeDelta::hours(1);
    let ts = |t: chrono::NaiveDateTime| format!("TIMESTAMP '{}'", t.format("%Y-%m-%d %H:%M:%S"));
    let site = format!("'{}'", site.replace('\'', "''"));
    let allowed = match rows {
        Some(rows) => format!("AND ({})", predicate(rows)?),
        None => String::new(),
    };
    let sql = fill(
        DAILY,
        &[
            ("site", &site),
            ("rows", &allowed),
            ("start", &ts(start)),
            ("end", &ts(end)),
            ("last_hour", &ts(last_hour)),
        ],
    );
    Ok(ctx.sql(&sql).await?.collect().await?)
}

/// `template` with each `{name}` replaced by its value, in one pass (a value that contains
/// `{…}` is not filled again).
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let filled = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v, close))
        });
        match filled {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `docs/STANDARDS.md`'s "daily AQI per station", for one site and a range of days.
const DAILY: &str = "
WITH hourly AS (
  SELECT site, factor, time, value,
         CAST(time + INTERVAL '8 hours' AS DATE) AS day
  FROM observations
  WHERE site = {site} {rows}
    AND period = 'hour'
    AND factor IN ('a21026', 'a21004', 'a21005', 'a05024', 'a34002', 'a34004')
    AND time >= {start} AND time < {end}
),
means AS (
  SELECT site, day, factor,
         CASE WHEN count(value) >= 20 THEN avg(value) END AS mean
  FROM hourly WHERE factor <> 'a05024'
  GROUP BY site, day, factor
),
grid AS (
  SELECT s.site, g.value AS time
  FROM (SELECT DISTINCT site FROM hourly WHERE factor = 'a05024') s
  CROSS JOIN generate_series({start}, {last_hour}, INTERVAL '1 hour') g
),
o3 AS (
  SELECT g.site, h.value,
         CAST(g.time + INTERVAL '8 hours' AS DATE) AS day,
         date_part('hour', g.time + INTERVAL '8 hours') AS local_hour,
         o3_8h(h.value, g.time) OVER (PARTITION BY g.site ORDER BY g.time) AS o3_8h
  FROM grid g
  LEFT JOIN hourly h ON h.site = g.site AND h.time = g.time AND h.factor = 'a05024'
),
o3_daily AS (
  SELECT site, day, max(value) AS o3_1h_max,
         CASE WHEN count(o3_8h) FILTER (WHERE local_hour >= 7) >= 14
                OR max(o3_8h) FILTER (WHERE local_hour >= 7) > 160
              THEN max(o3_8h) FILTER (WHERE local_hour >= 7) END AS o3_8h_max
  FROM o3 GROUP BY site, day
),
days AS (
  SELECT site, day,
         max(mean) FILTER (WHERE factor = 'a21026') AS so2,
         max(mean) FILTER (WHERE factor = 'a21004') AS no2,
         max(mean) FILTER (WHERE factor = 'a21005') AS co,
         max(mean) FILTER (WHERE factor = 'a34002') AS pm10,
         max(mean) FILTER (WHERE factor = 'a34004') AS pm25
  FROM (SELECT site, day, factor, mean FROM means
        UNION ALL SELECT site, day, NULL, NULL FROM o3_daily) m
  GROUP BY site, day
),
report AS (
  SELECT d.site, d.day, d.so2, d.no2, d.co, o.o3_1h_max, o.o3_8h_max, d.pm10, d.pm25,
         aqi_daily(d.so2, d.no2, d.co, o.o3_1h_max, o.o3_8h_max, d.pm10, d.pm25, d.day) AS aqi,
         aqi_daily_primary(d.so2, d.no2, d.co, o.o3_1h_max, o.o3_8h_max, d.pm10, d.pm25,
                           d.day) AS primary_pollutants
  FROM days d LEFT JOIN o3_daily o ON o.site = d.site AND o.day = d.day
)
SELECT arrow_cast(site, 'Utf8') AS site, day, CAST(aqi AS BIGINT) AS aqi,
       CAST(aqi_level(aqi) AS BIGINT) AS level,
       aqi_category(aqi) AS category, primary_pollutants,
       so2, no2, co, o3_1h_max, o3_8h_max, pm10, pm25
FROM report
ORDER BY day";
