//! The Parquet lake: files partitioned by (period, first UTC day of the partition's [`Span`])
//! under `observations/period=<p>/date=<YYYY-MM-DD>/` (current versions, possibly with
//! superseded ones until compaction) and `observations_history/…` (superseded versions only),
//! listed by the [`manifest`], in a local directory or an object store ([`storage`]).
//! Hive-style paths, so Spark, DuckDB or any Parquet reader can read the lake directly.

pub mod compact;
pub mod durable;
pub mod manifest;
pub mod migrate;
pub mod storage;
pub mod writer;

use std::fmt;

use chrono::Datelike;

/// How much time one partition of a period spans. Short periods get day partitions (real-time
/// and minute data are large and expire early); hourly data gets month partitions and longer
/// periods year partitions, so that files stay large enough to compress well and few enough to
/// open quickly while retention can still drop whole partitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// One UTC day.
    Day,
    /// One UTC calendar month.
    Month,
    /// One UTC calendar year.
    Year,
}

impl Span {
    /// The span of a period's partitions (`rtd`, `min` and names this build does not know:
    /// days; `hour`: months; `day`, `month`, `year`: years).
    pub fn of(period: &str) -> Span {
        match period {
            "hour" => Span::Month,
            "day" | "month" | "year" => Span::Year,
            _ => Span::Day,
        }
    }

    /// The first day (days since the epoch) of the span that holds `day`.
    pub fn start(self, day: i64) -> i64 {
        let date = |d: i64| chrono::DateTime::from_timestamp(d * 86_400, 0).map(|t| t.date_naive());
        let first = match self {
            Span::Day => return day,
            Span::Month => date(day).and_then(|d| d.with_day(1)),
            Span::Year => date(day).and_then(|d| d.with_ordinal(1)),
        };
        first.map_or(day, days_since_epoch)
    }

    /// The first day after the span that starts on `start`.
    pub fn end(self, start: i64) -> i64 {
        let date = chrono::DateTime::from_timestamp(start * 86_400, 0).map(|t| t.date_naive());
        let next = match self {
            Span::Day => return start + 1,
            Span::Month => date.and_then(|d| d.checked_add_months(chrono::Months::new(1))),
            Span::Year => date.and_then(|d| d.checked_add_months(chrono::Months::new(12))),
        };
        next.map_or(start + 1, days_since_epoch)
    }
}

fn days_since_epoch(date: chrono::NaiveDate) -> i64 {
    date.signed_duration_since(chrono::NaiveDate::default())
        .num_days()
}

/// A partition: period name and the UTC day its span starts on (days since 1970-01-01).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct PartitionKey {
    /// Period name (`hour`, `min` …).
    pub period: String,
    /// First UTC day of the partition, days since the epoch.
    pub day: i64,
}

impl PartitionKey {
    /// A partition given its first day (not checked against the period's span; see
    /// [`PartitionKey::of`]).
    pub fn new(period: &str, day: i64) -> Self {
        PartitionKey {
            period: period.to_owned(),
            day,
        }
    }

    /// The partition that holds a value of `period` at `time_ms` (UTC milliseconds).
    pub fn of(period: &str, time_ms: i64) -> Self {
        Self::new(
            period,
            Span::of(period).start(time_ms.div_euclid(86_400_000)),
        )
    }

    /// Whether this key is the one this build's layout gives its period and first day.
    pub fn is_aligned(&self) -> bool {
        Span::of(&self.period).start(self.day) == self.day
    }

    /// `YYYY-MM-DD` of the first day.
    pub fn date(&self) -> String {
        chrono::DateTime::from_timestamp(self.day * 86_400, 0)
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| format!("day{}", self.day))
    }

    /// The relative directory of this partition under a table directory.
    pub fn dir(&self) -> String {
        format!("period={}/date={}", self.period, self.date())
    }

    /// The first millisecond of the partition.
    pub fn start_ms(&self) -> i64 {
        self.day * 86_400_000
    }

    /// The first day after the partition. A key that is not aligned (written by format
    /// version 1, which partitioned every period by day) spans one day.
    pub fn end_day(&self) -> i64 {
        if self.is_aligned() {
            Span::of(&self.period).end(self.day)
        } else {
            self.day + 1
        }
    }

    /// Whether two partitions can hold a value of the same key: same period, overlapping days.
    pub fn overlaps(&self, other: &PartitionKey) -> bool {
        self.period == other.period && self.day < other.end_day() && other.day < self.end_day()
    }
}

impl fmt::Display for PartitionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.dir())
    }
}

/// Removes what a crash can leave in the lake: temporary files, and Parquet files the manifest
/// does not list (written but never committed).
pub async fn remove_orphans(
    storage: &storage::LakeStorage,
    manifest: &manifest::Manifest,
) -> Result<(), crate::StoreError> {
    let listed: std::collections::HashSet<String> = manifest
        .files
        .iter()
        .chain(manifest.garbage.iter().map(|g| &g.file))
        .map(|f| f.rel_path())
        .collect();
    for rel in storage.list().await? {
        let orphan = rel.ends_with(".tmp") || (rel.ends_with(".parquet") && !listed.contains(&rel));
        if orphan {
            tracing::info!(path = %storage.url_of(&rel), "Removing a file no manifest lists.");
            storage.delete(&rel).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_paths() {
        let p = PartitionKey::new("hour", 15765);
        assert_eq!(p.dir(), "period=hour/date=2013-03-01");
        assert_eq!(PartitionKey::new("min", -1).date(), "1969-12-31");
    }

    #[test]
    fn spans_per_period() {
        let ms = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .timestamp_millis()
        };
        let t = ms("2016-02-29T23:59:00Z");
        assert_eq!(
            PartitionKey::of("min", t).dir(),
            "period=min/date=2016-02-29"
        );
        assert_eq!(
            PartitionKey::of("rtd", t).end_day(),
            PartitionKey::of("rtd", t).day + 1
        );
        let hour = PartitionKey::of("hour", t);
        assert_eq!(hour.dir(), "period=hour/date=2016-02-01");
        assert_eq!(hour.end_day() - hour.day, 29);
        assert_eq!(
            PartitionKey::of("day", t).dir(),
            "period=day/date=2016-01-01"
        );
        assert_eq!(
            PartitionKey::of("day", t).end_day() - PartitionKey::of("day", t).day,
            366
        );
        assert_eq!(
            PartitionKey::of("hour", ms("1969-12-31T23:00:00Z")).date(),
            "1969-12-01"
        );
        // A day partition of version 1 lies inside the month partition of version 2.
        let v1 = PartitionKey::new("hour", PartitionKey::of("min", t).day);
        assert!(!v1.is_aligned());
        assert!(v1.overlaps(&hour) && hour.overlaps(&v1));
        assert!(!v1.overlaps(&PartitionKey::of("hour", ms("2016-03-01T00:00:00Z"))));
        assert!(!v1.overlaps(&PartitionKey::of("min", t)));
    }
}
