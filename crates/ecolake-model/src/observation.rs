//! The observations table: one long table of every monitoring value, as Arrow.
//!
//! Key: (`site`, `factor`, `period`, `time`). Every write of a key is a version; the version
//! with the highest `seq` is the current one. Values are in the canonical unit of the factor
//! for the site's medium ([`crate::Factor::canonical_unit`]).

use std::sync::{Arc, OnceLock};

use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// Column names, in schema order.
pub mod col {
    /// Start of the period the value covers (UTC), or the instant of a real-time value.
    pub const TIME: &str = "time";
    /// Site (station, outlet) code, e.g. the national station code `1003A`.
    pub const SITE: &str = "site";
    /// Factor code (HJ 212 2017 code or an ecolake extension), e.g. `a34004`.
    pub const FACTOR: &str = "factor";
    /// Period name (`rtd, min, hour, day, month, year`).
    pub const PERIOD: &str = "period";
    /// The value (`-Rtd` for real-time data, `-Avg` for aggregates).
    pub const VALUE: &str = "value";
    /// Minimum over the period.
    pub const MIN: &str = "min";
    /// Maximum over the period.
    pub const MAX: &str = "max";
    /// Cumulative amount over the period (`-Cou`).
    pub const COU: &str = "cou";
    /// Converted ("折算") concentration (`-ZsAvg`, `-ZsRtd`).
    pub const ZS: &str = "zs";
    /// HJ 212 data flag as sent (`N`, `F`, `M` …).
    pub const FLAG: &str = "flag";
    /// Quality-control verdict.
    pub const QC: &str = "qc";
    /// Where the value came from: the device MN, or a source name (`import:PRSA_Data_…`).
    pub const SOURCE: &str = "source";
    /// When ecolake received this version (UTC).
    pub const RECEIVED_AT: &str = "received_at";
    /// The store's write sequence number of this version; higher is newer.
    pub const SEQ: &str = "seq";
}

/// The time type of `time` and `received_at`: milliseconds since the epoch, UTC.
pub fn time_type() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into()))
}

/// The type of string columns: dictionary-encoded UTF-8.
pub fn dict_type() -> DataType {
    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8))
}

/// The Arrow schema of observations.
pub fn schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            Arc::new(Schema::new(vec![
                Field::new(col::TIME, time_type(), false),
                Field::new(col::SITE, dict_type(), false),
                Field::new(col::FACTOR, dict_type(), false),
                Field::new(col::PERIOD, dict_type(), false),
                Field::new(col::VALUE, DataType::Float64, true),
                Field::new(col::MIN, DataType::Float64, true),
                Field::new(col::MAX, DataType::Float64, true),
                Field::new(col::COU, DataType::Float64, true),
                Field::new(col::ZS, DataType::Float64, true),
                Field::new(col::FLAG, dict_type(), true),
                Field::new(col::QC, dict_type(), true),
                Field::new(col::SOURCE, dict_type(), true),
                Field::new(col::RECEIVED_AT, time_type(), false),
                Field::new(col::SEQ, DataType::UInt64, false),
            ]))
        })
        .clone()
}

/// The schema of batches written to the store: the first 12 columns of [`schema`], strings
/// as plain UTF-8 and every column nullable, so that a row with a missing key is rejected by
/// the store with a reason instead of failing the whole batch. The store adds `received_at`
/// and `seq`.
pub fn write_schema() -> SchemaRef {
    static SCHEMA: OnceLock<SchemaRef> = OnceLock::new();
    SCHEMA
        .get_or_init(|| {
            Arc::new(Schema::new(
                schema().fields()[..12]
                    .iter()
                    .map(|f| {
                        let t = match f.data_type() {
                            DataType::Dictionary(_, _) => DataType::Utf8,
                            t => t.clone(),
                        };
                        Field::new(f.name(), t, true)
                    })
                    .collect::<Vec<_>>(),
            ))
        })
        .clone()
}

/// The key columns, in sort order of the lake files after `period`.
pub const KEY: [&str; 4] = [col::SITE, col::FACTOR, col::PERIOD, col::TIME];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_columns_are_required() {
        let s = schema();
        for k in KEY {
            assert!(!s.field_with_name(k).unwrap().is_nullable(), "{k}");
        }
        assert_eq!(s.fields().len(), 14);
        assert_eq!(s.index_of(col::SEQ).unwrap(), 13);
        let w = write_schema();
        assert_eq!(w.fields().len(), 12);
        assert_eq!(
            w.field_with_name(col::SITE).unwrap().data_type(),
            &DataType::Utf8
        );
        assert!(w.fields().iter().all(|f| f.is_nullable()));
    }
}
