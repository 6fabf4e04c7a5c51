//! Serialises `chrono` dates as ISO 8601 strings (`2026-03-01`) without chrono's `serde`
//! feature.

use chrono::NaiveDate;
use serde::ser::{SerializeSeq, Serializer};

/// A date as `YYYY-MM-DD`.
pub(crate) fn date<S: Serializer>(date: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(date)
}

/// A list of dates as `YYYY-MM-DD` strings.
pub(crate) fn dates<S: Serializer>(dates: &[NaiveDate], serializer: S) -> Result<S::Ok, S::Error> {
    let mut seq = serializer.serialize_seq(Some(dates.len()))?;
    for d in dates {
        seq.serialize_element(&d.to_string())?;
    }
    seq.end()
}
