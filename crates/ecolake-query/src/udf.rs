//! SQL functions of the national standards, registered in every session, on top of
//! `ecolake_standards`. Concentrations are in ecolake's stored units (µg/m³, CO mg/m³; water
//! mg/L); NULL in gives NULL out, and a negative or non-finite value is treated as missing
//! (NULL), never as an error that stops the query.
//!
//! | Function | Returns |
//! |---|---|
//! | `iaqi(pollutant, averaging, concentration [, edition \| time \| date])` | `Int32` IAQI (HJ 633) |
//! | `aqi(so2, no2, co, o3, pm10, pm25 [, so2_24h] [, edition \| time \| date])` | `Int32` real-time AQI |
//! | `aqi_primary(` same as `aqi` `)` | `Utf8` primary pollutants, `;`-joined |
//! | `aqi_daily(so2, no2, co, o3_1h_max, o3_8h_max, pm10, pm25 [, edition \| time \| date])` | `Int32` daily AQI |
//! | `aqi_daily_primary(` same as `aqi_daily` `)` | `Utf8` |
//! | `aqi_level(aqi)` | `Int32` level 1–6 |
//! | `aqi_category(aqi [, 'zh' \| 'en'])` | `Utf8` 优 … 严重污染 |
//! | `epa_aqi(pollutant, averaging, concentration [, table \| time \| date])` | `Int32` US AQI |
//! | `water_class(factor, value [, 'river' \| 'lake'])` | `Utf8` `I` … `V`, `劣V` (GB 3838) |
//! | `o3_8h(value, time) OVER (PARTITION BY site ORDER BY time)` | `Float64` window |
//! | `nowcast(value, time) OVER (PARTITION BY site ORDER BY time)` | `Float64` window |
//! | `hj663_percentile(value, p)` | `Float64` aggregate |
//!
//! Editions of HJ 633: a name (`hj633-2012`, `hj633-2026`, `2012`, `2026`), a timestamp (the
//! edition in force on its date in Beijing, UTC+8: HJ 633-2026 from 2026-03-01) or a date;
//! without one, HJ 633-2026. Pass the observation time so that a query over mixed dates takes
//! each row's edition.
//!
//! ```
//! use arrow::array::AsArray;
//! use arrow::datatypes::Int32Type;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> datafusion::common::Result<()> {
//! let ctx = datafusion::prelude::SessionContext::new();
//! ecolake_query::udf::register(&ctx);
//! let sql = "SELECT iaqi('PM2.5', '24h', 75.9, 'hj633-2012'), \
//!                   aqi_daily(12, 40, 0.9, 250, 170, 70, 40, DATE '2026-03-01')";
//! let batches = ctx.sql(sql).await?.collect().await?;
//! // 100 + 50·(75.9 − 75)/40 = 101.1 → 102; the daily O3 8h 170 under HJ 633-2026 → 110.
//! assert_eq!(batches[0].column(0).as_primitive::<Int32Type>().value(0), 102);
//! assert_eq!(batches[0].column(1).as_primitive::<Int32Type>().value(0), 110);
//! # Ok(()) }
//! ```

mod aqi;
mod args;
mod epa;
mod hourly;
mod level;
mod percentile;
mod water;

use datafusion::execution::context::SessionContext;
use datafusion::logical_expr::{AggregateUDF, ScalarUDF, WindowUDF};

use aqi::{Answer, AqiReport, Report};

/// Registers the standards' functions and the analytics' aggregates in `ctx`.
pub fn register(ctx: &SessionContext) {
    for f in [
        ScalarUDF::from(aqi::Iaqi::new()),
        ScalarUDF::from(AqiReport::new("aqi", Report::Realtime, Answer::Aqi)),
        ScalarUDF::from(AqiReport::new(
            "aqi_primary",
            Report::Realtime,
            Answer::Primary,
        )),
        ScalarUDF::from(AqiReport::new("aqi_daily", Report::Daily, Answer::Aqi)),
        ScalarUDF::from(AqiReport::new(
            "aqi_daily_primary",
            Report::Daily,
            Answer::Primary,
        )),
        ScalarUDF::from(level::AqiLevel::new(false)),
        ScalarUDF::from(level::AqiLevel::new(true)),
        ScalarUDF::from(epa::EpaAqi::new()),
        ScalarUDF::from(water::WaterClass::new()),
    ] {
        ctx.register_udf(f);
    }
    ctx.register_udwf(WindowUDF::from(hourly::Hourly::new(hourly::Kind::O3Mean8h)));
    ctx.register_udwf(WindowUDF::from(hourly::Hourly::new(hourly::Kind::NowCast)));
    ctx.register_udaf(AggregateUDF::from(percentile::Hj663Percentile::new()));
    crate::analytics::register(ctx);
}
