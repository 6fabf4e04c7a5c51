//! The checks on batches in the store's write schema.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Float64Array, StringArray, TimestampMillisecondArray};
use arrow::record_batch::RecordBatch;
use ecolake_model::observation::write_schema;
use ecolake_qc::{Checker, Origin, Rules};

const T0: i64 = 1_740_000_000_000;
const MIN: i64 = 60_000;

/// Rows of (time, site, factor, period, value, flag, qc).
type Row<'a> = (
    i64,
    &'a str,
    &'a str,
    &'a str,
    Option<f64>,
    Option<&'a str>,
    Option<&'a str>,
);

fn batch(rows: &[Row<'_>]) -> RecordBatch {
    let text = |f: &dyn Fn(&Row<'_>) -> Option<String>| -> ArrayRef {
        Arc::new(rows.iter().map(f).collect::<StringArray>())
    };
    let none = || -> ArrayRef { Arc::new(Float64Array::from(vec![None::<f64>; rows.len()])) };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(
            TimestampMillisecondArray::from(rows.iter().map(|r| r.0).collect::<Vec<_>>())
                .with_timezone("UTC"),
        ),
        text(&|r| Some(r.1.to_owned())),
        text(&|r| Some(r.2.to_owned())),
        text(&|r| Some(r.3.to_owned())),
        Arc::new(rows.iter().map(|r| r.4).collect::<Float64Array>()),
        none(),
        none(),
        none(),
        none(),
        text(&|r| r.5.map(str::to_owned)),
        text(&|r| r.6.map(str::to_owned)),
        text(&|_| Some("test".to_owned())),
    ];
    RecordBatch::try_new(write_schema(), columns).unwrap()
}

fn qc(batch: &RecordBatch) -> Vec<Option<String>> {
    let a = batch.column_by_name("qc").unwrap();
    let a = a.as_any().downcast_ref::<StringArray>().unwrap();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i).to_owned()))
        .collect()
}

fn codes(v: &[Option<String>]) -> Vec<&str> {
    v.iter().map(|c| c.as_deref().unwrap_or("∅")).collect()
}

#[test]
fn value_checks_use_the_factors_rule() {
    let mut checker = Checker::new(Rules::builtin());
    let b = batch(&[
        (T0, "S1", "a34004", "hour", Some(35.0), Some("N"), None),
        (T0, "S1", "a34002", "hour", Some(-2.0), Some("N"), None),
        (T0, "S1", "a05024", "hour", Some(2500.0), None, None),
        (T0, "S1", "a01001", "hour", Some(-70.0), None, None),
        (T0, "S1", "a21026", "hour", Some(9.0), Some("M"), None),
        (T0, "S1", "xx999", "hour", Some(-5.0), Some("N"), None),
        (T0, "S1", "a34004", "day", None, Some("D"), None),
    ]);
    let out = checker
        .check(
            &b,
            Origin::History {
                received_ms: T0 + MIN,
            },
        )
        .unwrap();
    assert_eq!(
        codes(&qc(&out)),
        ["ok", "negative", "range", "range", "flag", "ok", "flag"]
    );
    // Everything else is untouched.
    assert_eq!(out.num_columns(), b.num_columns());
    assert_eq!(out.column(4).as_ref(), b.column(4).as_ref());
}

#[test]
fn a_qc_the_batch_brings_is_kept_and_bad_keys_get_none() {
    let mut checker = Checker::new(Rules::builtin());
    let b = batch(&[
        (
            T0,
            "S1",
            "a34004",
            "hour",
            Some(-1.0),
            None,
            Some("manual:verified"),
        ),
        (T0, "S1", "a34004", "hourly", Some(1.0), None, None),
        (T0, "", "a34004", "hour", Some(-1.0), None, Some("")),
        (T0, "S1", "a34004", "hour", Some(-1.0), None, Some("")),
    ]);
    let out = checker
        .check(&b, Origin::History { received_ms: T0 })
        .unwrap();
    assert_eq!(codes(&qc(&out)), ["manual:verified", "∅", "∅", "negative"]);
}

#[test]
fn time_checks_depend_on_origin_and_period() {
    let mut checker = Checker::new(Rules::none());
    let now = T0;
    let rows = [
        (now + 11 * MIN, "S1", "a1", "rtd", Some(1.0), None, None),
        (now + 9 * MIN, "S1", "a2", "rtd", Some(1.0), None, None),
        (now - 61 * MIN, "S1", "a3", "rtd", Some(1.0), None, None),
        (now - 61 * MIN, "S1", "a4", "min", Some(1.0), None, None),
        (now - 121 * MIN, "S1", "a5", "min", Some(1.0), None, None),
        (
            now - 10_000 * MIN,
            "S1",
            "a6",
            "hour",
            Some(1.0),
            None,
            None,
        ),
    ];
    let live = checker
        .check(&batch(&rows), Origin::Live { received_ms: now })
        .unwrap();
    assert_eq!(
        codes(&qc(&live)),
        ["future", "ok", "late", "ok", "late", "ok"]
    );
    let history = checker
        .check(&batch(&rows), Origin::History { received_ms: now })
        .unwrap();
    assert_eq!(
        codes(&qc(&history)),
        ["future", "ok", "ok", "ok", "ok", "ok"]
    );
}

#[test]
fn flat_lines_and_spikes_carry_across_batches() {
    let mut rules = Rules::none();
    rules
        .merge_csv(b"site,factor,flat_readings,max_step\n,a1,3,10\n", "t.csv")
        .unwrap();
    let mut checker = Checker::new(rules);
    let origin = Origin::History {
        received_ms: T0 + 100 * MIN,
    };
    let r = |i: i64, v: f64| (T0 + i * MIN, "S1", "a1", "min", Some(v), None, None);
    let first = checker
        .check(&batch(&[r(0, 5.0), r(1, 5.0)]), origin)
        .unwrap();
    assert_eq!(codes(&qc(&first)), ["ok", "ok"]);
    let second = checker
        .check(
            &batch(&[
                r(2, 5.0),  // third equal reading: flat
                r(3, 5.0),  // still flat
                r(3, 50.0), // not later than the last: a revision, no verdict on the series
                r(4, 20.0), // +15 from 5: spike
                r(5, 21.0),
                r(70, 40.0), // after a gap over an hour: starts afresh
            ]),
            origin,
        )
        .unwrap();
    assert_eq!(
        codes(&qc(&second)),
        ["flat", "flat", "ok", "spike", "ok", "ok"]
    );
    // Another site's series is its own.
    let other = checker
        .check(
            &batch(&[(T0, "S2", "a1", "min", Some(5.0), None, None)]),
            origin,
        )
        .unwrap();
    assert_eq!(codes(&qc(&other)), ["ok"]);
    assert_eq!(checker.series(), 2);
}

#[test]
fn site_overrides_apply_to_their_site_only() {
    let mut rules = Rules::builtin();
    rules
        .merge_csv(
            b"site,factor,max,detection_limit\nS9,a34004,500,2\n",
            "t.csv",
        )
        .unwrap();
    let mut checker = Checker::new(rules);
    let b = batch(&[
        (T0, "S9", "a34004", "hour", Some(600.0), None, None),
        (T0, "S1", "a34004", "hour", Some(600.0), None, None),
        (T0, "S9", "a34004", "hour", Some(1.0), Some("C"), None),
    ]);
    let out = checker
        .check(&b, Origin::History { received_ms: T0 })
        .unwrap();
    assert_eq!(codes(&qc(&out)), ["range", "ok", "flag,below_dl"]);
}
