//! GB 3095 limits: the compiled table against the shared CSV, editions by date, names.

use chrono::NaiveDate;
use ecolake_standards::assess::{limit, Averaging, Edition, Grade, Pollutant, Unit};
use ecolake_standards::Error;

const CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/standards/gb3095_limits.csv"
);

const AVERAGINGS: [Averaging; 5] = [
    Averaging::Annual,
    Averaging::Quarterly,
    Averaging::Day,
    Averaging::Mda8,
    Averaging::Hour,
];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn compiled_limits_equal_the_shared_table() {
    let mut reader = csv::Reader::from_path(CSV).expect("shared GB 3095 table");
    let mut rows = 0;
    for record in reader.records() {
        let r = record.unwrap();
        let edition = if r[0].starts_with("GB 3095-2012") {
            Edition::Gb3095_2012
        } else if r[0].contains("transition") {
            Edition::Gb3095_2026Transition
        } else {
            assert!(r[0].contains("final"), "{}", &r[0]);
            Edition::Gb3095_2026Final
        };
        let pollutant: Pollutant = r[2].parse().unwrap();
        let averaging = match &r[3] {
            "annual" => Averaging::Annual,
            "quarterly" => Averaging::Quarterly,
            "24h" => Averaging::Day,
            "daily max 8h" => Averaging::Mda8,
            "1h" => Averaging::Hour,
            other => panic!("averaging {other}"),
        };
        let unit = if &r[4] == "mg/m3" {
            Unit::MilligramPerM3
        } else {
            Unit::MicrogramPerM3
        };
        assert_eq!(pollutant.unit(), unit, "{pollutant}");
        for (grade, cell) in [(Grade::I, &r[5]), (Grade::II, &r[6])] {
            assert_eq!(
                limit(edition, pollutant, averaging, grade),
                Some(cell.parse::<f64>().unwrap()),
                "{edition} {pollutant} {averaging:?} {grade:?}"
            );
        }
        rows += 1;
    }
    assert_eq!(rows, 69);
    // No limit beyond the table: 23 (pollutant, averaging) pairs per edition.
    for edition in Edition::ALL {
        let pairs = Pollutant::ALL
            .iter()
            .flat_map(|p| AVERAGINGS.iter().map(move |a| (*p, *a)))
            .filter(|(p, a)| limit(edition, *p, *a, Grade::II).is_some())
            .count();
        assert_eq!(pairs, 23, "{edition}");
    }
}

#[test]
fn edition_in_force_by_date() {
    let cases = [
        (date(2013, 5, 1), Edition::Gb3095_2012),
        (date(2016, 1, 1), Edition::Gb3095_2012),
        (date(2026, 2, 28), Edition::Gb3095_2012),
        (date(2026, 3, 1), Edition::Gb3095_2026Transition),
        (date(2030, 12, 31), Edition::Gb3095_2026Transition),
        (date(2031, 1, 1), Edition::Gb3095_2026Final),
        (date(2040, 6, 1), Edition::Gb3095_2026Final),
    ];
    for (day, edition) in cases {
        assert_eq!(Edition::in_force_on(day), edition, "{day}");
    }
}

#[test]
fn stage_changes_of_2026() {
    let g2 = |e, p, a| limit(e, p, a, Grade::II);
    use Averaging::*;
    use Edition::*;
    use Pollutant::*;
    assert_eq!(g2(Gb3095_2012, Pm25, Day), Some(75.0));
    assert_eq!(g2(Gb3095_2026Transition, Pm25, Day), Some(60.0));
    assert_eq!(g2(Gb3095_2026Final, Pm25, Day), Some(50.0));
    assert_eq!(g2(Gb3095_2026Final, Pm25, Annual), Some(25.0));
    assert_eq!(limit(Gb3095_2026Final, Pm25, Annual, Grade::I), Some(10.0));
    assert_eq!(g2(Gb3095_2026Final, So2, Hour), Some(150.0));
    assert_eq!(g2(Gb3095_2026Final, O3, Mda8), Some(160.0));
    assert_eq!(g2(Gb3095_2012, O3, Annual), None);
    assert_eq!(g2(Gb3095_2012, Co, Annual), None);
    assert_eq!(g2(Gb3095_2012, Pb, Quarterly), Some(1.0));
}

#[test]
fn names() {
    for p in Pollutant::ALL {
        assert_eq!(p.to_string().parse::<Pollutant>().unwrap(), p);
    }
    assert_eq!("pm25".parse::<Pollutant>().unwrap(), Pollutant::Pm25);
    assert_eq!("PM2_5".parse::<Pollutant>().unwrap(), Pollutant::Pm25);
    assert_eq!("bap".parse::<Pollutant>().unwrap(), Pollutant::Bap);
    assert!(matches!(
        "pm1".parse::<Pollutant>(),
        Err(Error::Unknown { .. })
    ));
    for e in Edition::ALL {
        assert_eq!(e.to_string().parse::<Edition>().unwrap(), e);
    }
    assert_eq!("2012".parse::<Edition>().unwrap(), Edition::Gb3095_2012);
    assert_eq!(
        "2026-final".parse::<Edition>().unwrap(),
        Edition::Gb3095_2026Final
    );
    assert!("2020".parse::<Edition>().is_err());
    assert_eq!("ii".parse::<Grade>().unwrap(), Grade::II);
    assert_eq!("1".parse::<Grade>().unwrap(), Grade::I);
    assert_eq!(Grade::II.to_string().parse::<Grade>().unwrap(), Grade::II);
    assert!("III".parse::<Grade>().is_err());
    assert_eq!(
        serde_json::to_string(&Edition::Gb3095_2026Transition).unwrap(),
        "\"GB 3095-2026 transition\""
    );
    assert_eq!(
        serde_json::to_string(&Pollutant::Pm25).unwrap(),
        "\"PM2.5\""
    );
}
