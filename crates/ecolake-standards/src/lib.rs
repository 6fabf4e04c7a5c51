//! National environmental standards as compiled-in tables and exact, pure functions: China AQI
//! (HJ 633-2012 and HJ 633-2026), US EPA AQI (2024 and pre-2024 tables) with the PM NowCast,
//! GB 3095 limits and HJ 663 validity and assessment, GB 3838-2002 surface-water classes, the
//! environmental protection tax's pollution equivalents, and emission load and reference-oxygen
//! conversion. Nothing here does I/O; the query engine, the CLI and the API call these functions.
//!
//! ```
//! use chrono::NaiveDate;
//! use ecolake_standards::aqi::{cn, epa, Pollutant};
//!
//! // A station-hour as CNEMC publishes it (µg/m³, CO mg/m³), under the edition of its date.
//! let edition = cn::Edition::for_date(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
//! let hour = cn::Realtime {
//!     so2: Some(9.0),
//!     no2: Some(35.0),
//!     co: Some(0.8),
//!     o3: Some(60.0),
//!     pm10: Some(90.0),
//!     pm25: Some(70.0),
//!     so2_24h: None,
//! };
//! let report = cn::realtime(edition, &hour)?;
//! // PM2.5 70 on the HJ 633-2026 table: 100 + 50·(70 − 60)/(115 − 60) = 109.1 → 110.
//! assert_eq!(report.aqi, Some(110));
//! assert_eq!(report.level.unwrap().category_zh(), "轻度污染");
//! assert_eq!(report.primary.iter().collect::<Vec<_>>(), [Pollutant::Pm25]);
//!
//! // The same PM2.5 as a US 24-hour mean on the 2024 table: 151 + 49·(700 − 555)/699 = 161.2.
//! let day = epa::EpaInput { pm25_24h: Some(70.0), ..Default::default() };
//! let us = epa::aqi(epa::EpaTable::Epa2024, &day)?;
//! assert_eq!(us.aqi, Some(161));
//! # Ok::<(), ecolake_standards::Error>(())
//! ```

pub mod aqi;
pub mod assess;
pub mod emission;
mod error;
pub mod tax;
pub mod water;

pub use error::Error;
