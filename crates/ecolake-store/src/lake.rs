//! The Parquet lake: files partitioned by (period, UTC date) under
//! `lake/observations/period=<p>/date=<YYYY-MM-DD>/` (current versions, possibly with superseded
//! ones until compaction) and `lake/observations_history/…` (superseded versions only), listed
//! by the [`manifest`]. Hive-style paths, so Spark, DuckDB or any Parquet reader can read the
//! lake directly.

pub mod compact;
pub mod durable;
pub mod manifest;
pub mod writer;

use std::fmt;

/// A partition: period name and UTC day number (days since 1970-01-01).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct PartitionKey {
    /// Period name (`hour`, `min` …).
    pub period: String,
    /// UTC days since the epoch.
    pub day: i64,
}

impl PartitionKey {
    /// A partition.
    pub fn new(period: &str, day: i64) -> Self {
        PartitionKey {
            period: period.to_owned(),
            day,
        }
    }

    /// `YYYY-MM-DD` of the day.
    pub fn date(&self) -> String {
        chrono::DateTime::from_timestamp(self.day * 86_400, 0)
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| format!("day{}", self.day))
    }

    /// The relative directory of this partition under a table directory.
    pub fn dir(&self) -> String {
        format!("period={}/date={}", self.period, self.date())
    }

    /// The first millisecond of the partition's day.
    pub fn start_ms(&self) -> i64 {
        self.day * 86_400_000
    }
}

impl fmt::Display for PartitionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.dir())
    }
}

/// Removes what a crash can leave in the lake: temporary files, and Parquet files the manifest
/// does not list (written but never committed).
pub fn remove_orphans(
    dir: &std::path::Path,
    manifest: &manifest::Manifest,
) -> Result<(), crate::StoreError> {
    let listed: std::collections::HashSet<std::path::PathBuf> = manifest
        .files
        .iter()
        .chain(manifest.garbage.iter().map(|g| &g.file))
        .map(|f| dir.join(f.rel_path()))
        .collect();
    let lake = dir.join("lake");
    let mut stack = vec![lake];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(crate::StoreError::io("listing", &d, e)),
        };
        for entry in entries {
            let path = entry
                .map_err(|e| crate::StoreError::io("listing", &d, e))?
                .path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let orphan =
                name.ends_with(".tmp") || (name.ends_with(".parquet") && !listed.contains(&path));
            if orphan {
                tracing::info!(path = %path.display(), "Removing a file no manifest lists.");
                durable::remove(&path)?;
            }
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
}
