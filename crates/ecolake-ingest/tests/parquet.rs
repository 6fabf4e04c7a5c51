//! Parquet import: a round trip of our own output, and the accepted column types.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, DictionaryArray, Float32Array, Int32Array, Int64Array,
    LargeStringArray, RecordBatch, StringArray, StringViewArray, TimestampMillisecondArray,
    TimestampNanosecondArray, TimestampSecondArray, UInt16Array,
};
use arrow::datatypes::Int32Type;
use ecolake_ingest::{read_file, HourLabel, ImportError, ImportOptions};
use ecolake_model::observation::write_schema;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

fn write_parquet(
    dir: &Path,
    name: &str,
    batches: &[RecordBatch],
    compression: Compression,
) -> PathBuf {
    let path = dir.join(name);
    let props = WriterProperties::builder()
        .set_compression(compression)
        .set_max_row_group_row_count(Some(4))
        .build();
    let mut w = ArrowWriter::try_new(
        std::fs::File::create(&path).unwrap(),
        batches[0].schema(),
        Some(props),
    )
    .unwrap();
    for b in batches {
        w.write(b).unwrap();
    }
    w.close().unwrap();
    path
}

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

fn concat(batches: &[RecordBatch]) -> RecordBatch {
    arrow::compute::concat_batches(&write_schema(), batches).unwrap()
}

#[test]
fn round_trip_of_imported_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("in.csv");
    let mut text = String::from("time,site,factor,period,value,min,max,cou,zs,flag,qc,source\n");
    for i in 0..10 {
        text.push_str(&format!(
            "2024-05-01 {i:02}:00,S{},a3400{},hour,{i}.5,{i},,{},,N,,{}\n",
            i % 3,
            i % 2,
            if i % 4 == 0 { "7" } else { "" },
            if i == 3 { "dev-1" } else { "" },
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let from_csv = read_file(&csv, &ImportOptions::default()).unwrap();
    assert_eq!(from_csv.rows, 10);
    for compression in [
        Compression::UNCOMPRESSED,
        Compression::SNAPPY,
        Compression::ZSTD(Default::default()),
    ] {
        let pq = write_parquet(dir.path(), "out.parquet", &from_csv.batches, compression);
        let back = read_file(
            &pq,
            &ImportOptions {
                batch_rows: 3,
                ..ImportOptions::default()
            },
        )
        .unwrap();
        assert_eq!(back.rejected, []);
        assert!(back.warnings.is_empty());
        assert_eq!((back.rows, back.input_rows), (10, 10));
        assert!(back.batches.iter().all(|b| b.num_rows() <= 3));
        // Identical, including the sources (an explicit one kept, the others from the CSV).
        assert_eq!(
            concat(&back.batches),
            concat(&from_csv.batches),
            "{compression:?}"
        );
    }
}

#[test]
fn accepted_types_and_rejected_rows() {
    let dir = tempfile::tempdir().unwrap();
    let n = 4;
    let site: DictionaryArray<Int32Type> = vec!["1003A", "1003A", "1012A", "1012A"]
        .into_iter()
        .collect();
    let columns: Vec<(&str, ArrayRef)> = vec![
        // Seconds, in a +08:00 zone: instants.
        (
            "time",
            Arc::new(
                TimestampSecondArray::from(vec![
                    ms("2024-05-01T08:00:00+08:00") / 1000,
                    ms("2024-05-01T09:00:00+08:00") / 1000,
                    ms("2024-05-01T10:00:00+08:00") / 1000,
                    ms("2024-05-01T11:00:00+08:00") / 1000,
                ])
                .with_timezone("+08:00"),
            ),
        ),
        ("site", Arc::new(site)),
        (
            "factor",
            Arc::new(LargeStringArray::from(vec!["a34004"; n])),
        ),
        (
            "period",
            Arc::new(StringViewArray::from(vec![
                "hour", "hourly", "hour", "hour",
            ])),
        ),
        (
            "value",
            Arc::new(Int32Array::from(vec![Some(35), Some(1), None, Some(40)])),
        ),
        (
            "max",
            Arc::new(Float32Array::from(vec![
                Some(50.5),
                None,
                None,
                Some(f32::NAN),
            ])),
        ),
        (
            "flag",
            Arc::new(StringArray::from(vec![Some("N"), None, Some(""), None])),
        ),
        ("device", Arc::new(UInt16Array::from(vec![1u16; n]))),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let path = write_parquet(dir.path(), "t.parquet", &[batch], Compression::SNAPPY);
    let parsed = read_file(&path, &ImportOptions::default()).unwrap();
    assert_eq!(parsed.warnings, ["ignoring unknown column `device`"]);
    assert_eq!(parsed.input_rows, 4);
    let reasons: Vec<(u64, &str)> = parsed
        .rejected
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                2,
                "column `period`: `hourly` is not a period (rtd, min, hour, day, month, year)"
            ),
            (3, "no value: value, min, max, cou and zs are all empty"),
            (4, "column `max`: NaN is not a finite number"),
        ]
    );
    assert_eq!(parsed.rows, 1);
    let b = &parsed.batches[0];
    assert_eq!(b.schema(), write_schema());
    let time = b
        .column(0)
        .as_any()
        .downcast_ref::<TimestampMillisecondArray>()
        .unwrap();
    assert_eq!(time.value(0), ms("2024-05-01T00:00:00Z"));
    let text = |i: usize| {
        b.column(i)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap()
            .value(0)
            .to_owned()
    };
    assert_eq!(
        (text(1), text(2), text(3), text(9), text(11)),
        (
            "1003A".into(),
            "a34004".into(),
            "hour".into(),
            "N".into(),
            "import:t.parquet".into()
        )
    );
    let f = |i: usize| {
        let a = b
            .column(i)
            .as_any()
            .downcast_ref::<arrow::array::Float64Array>()
            .unwrap();
        arrow::array::Array::is_valid(a, 0).then(|| a.value(0))
    };
    assert_eq!(
        (f(4), f(5), f(6), f(7), f(8)),
        (Some(35.0), None, Some(50.5), None, None)
    );
}

#[test]
fn wall_clock_and_text_times() {
    let dir = tempfile::tempdir().unwrap();
    // Nanoseconds without a zone: a wall-clock time in the import's zone.
    let naive = chrono::NaiveDate::from_ymd_opt(2024, 5, 1)
        .unwrap()
        .and_hms_opt(8, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_nanos_opt()
        .unwrap();
    let batch = RecordBatch::try_from_iter(vec![
        (
            "time",
            Arc::new(TimestampNanosecondArray::from(vec![naive, naive])) as ArrayRef,
        ),
        (
            "site",
            Arc::new(Int64Array::from(vec![1003, 1004])) as ArrayRef,
        ),
        (
            "factor",
            Arc::new(StringArray::from(vec!["a34004"; 2])) as ArrayRef,
        ),
        (
            "period",
            Arc::new(StringArray::from(vec!["hour", "day"])) as ArrayRef,
        ),
        (
            "value",
            Arc::new(StringArray::from(vec!["1.5", "2"])) as ArrayRef,
        ),
    ])
    .unwrap();
    let path = write_parquet(
        dir.path(),
        "naive.parquet",
        &[batch],
        Compression::UNCOMPRESSED,
    );
    let end = ImportOptions {
        hour_label: HourLabel::End,
        ..ImportOptions::default()
    };
    let parsed = read_file(&path, &end).unwrap();
    assert_eq!(parsed.rejected, []);
    let b = &parsed.batches[0];
    let time = b
        .column(0)
        .as_any()
        .downcast_ref::<TimestampMillisecondArray>()
        .unwrap();
    assert_eq!(time.value(0), ms("2024-05-01T07:00:00+08:00"));
    assert_eq!(time.value(1), ms("2024-04-30T08:00:00+08:00"));
    let site = b.column(1).as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!(site.value(1), "1004");

    // Times as strings, parsed like CSV.
    let batch = RecordBatch::try_from_iter(vec![
        (
            "time",
            Arc::new(StringArray::from(vec![
                Some("2024-05-01T08:00:00+08:00"),
                Some("2024-05-01 08:00"),
                Some("soon"),
                None,
            ])) as ArrayRef,
        ),
        (
            "site",
            Arc::new(StringArray::from(vec!["S"; 4])) as ArrayRef,
        ),
        (
            "factor",
            Arc::new(StringArray::from(vec!["a34004"; 4])) as ArrayRef,
        ),
        (
            "period",
            Arc::new(StringArray::from(vec!["hour"; 4])) as ArrayRef,
        ),
        (
            "value",
            Arc::new(Int64Array::from(vec![1, 2, 3, 4])) as ArrayRef,
        ),
    ])
    .unwrap();
    let path = write_parquet(
        dir.path(),
        "text.parquet",
        &[batch],
        Compression::UNCOMPRESSED,
    );
    let parsed = read_file(&path, &ImportOptions::default()).unwrap();
    let time = parsed.batches[0]
        .column(0)
        .as_any()
        .downcast_ref::<TimestampMillisecondArray>()
        .unwrap();
    assert_eq!(time.values().to_vec(), [ms("2024-05-01T00:00:00Z"); 2]);
    let lines: Vec<u64> = parsed.rejected.iter().map(|r| r.line).collect();
    assert_eq!(lines, [3, 4]);
    assert!(parsed.rejected[0].reason.contains("`soon`"));
    assert_eq!(parsed.rejected[1].reason, "column `time` is empty");
}

#[test]
fn unusable_files() {
    let dir = tempfile::tempdir().unwrap();
    let opts = ImportOptions::default();
    // A column of a type that cannot be read.
    let batch = RecordBatch::try_from_iter(vec![
        ("time", Arc::new(BooleanArray::from(vec![true])) as ArrayRef),
        ("site", Arc::new(StringArray::from(vec!["S"])) as ArrayRef),
        (
            "factor",
            Arc::new(StringArray::from(vec!["a34004"])) as ArrayRef,
        ),
        (
            "period",
            Arc::new(StringArray::from(vec!["hour"])) as ArrayRef,
        ),
        ("value", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
    ])
    .unwrap();
    let path = write_parquet(
        dir.path(),
        "bool.parquet",
        &[batch],
        Compression::UNCOMPRESSED,
    );
    let e = read_file(&path, &opts).unwrap_err();
    assert!(
        matches!(&e, ImportError::ColumnType { column, .. } if column == "time"),
        "{e}"
    );
    assert!(e.to_string().contains("Boolean"), "{e}");

    // A missing required column.
    let batch = RecordBatch::try_from_iter(vec![
        (
            "time",
            Arc::new(StringArray::from(vec!["2024-05-01 00:00"])) as ArrayRef,
        ),
        ("value", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
    ])
    .unwrap();
    let path = write_parquet(
        dir.path(),
        "few.parquet",
        &[batch],
        Compression::UNCOMPRESSED,
    );
    let e = read_file(&path, &opts).unwrap_err();
    assert!(matches!(&e, ImportError::Header { .. }), "{e}");
    assert!(e.to_string().contains("`site`, `factor`, `period`"), "{e}");

    // Not Parquet at all.
    let path = dir.path().join("fake.parquet");
    std::fs::write(&path, "time,site\n").unwrap();
    let e = read_file(&path, &opts).unwrap_err();
    assert!(matches!(&e, ImportError::Parquet { .. }), "{e}");
    assert!(e.to_string().contains("fake.parquet"), "{e}");
}
