//! GB 3838-2002 classes: the compiled table against the shared CSV, every class boundary of
//! every factor, the direction of DO and pH, rivers and lakes, sections and exceedances.

use std::str::FromStr;

use ecolake_standards::water::{
    class_limit, class_limits, classify, exceedance_multiple, Comparison, Factor,
    SectionAssessment, SupplementaryItem, WaterClass, Waterbody,
};
use ecolake_standards::Error;

const CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/standards/gb3838_2002_surface_water.csv"
);

/// The CSV's row (by its item text) for a factor and water body.
fn csv_item(factor: Factor, waterbody: Waterbody) -> &'static str {
    match factor {
        Factor::Ph => "pH",
        Factor::Do => "dissolved oxygen (DO)",
        Factor::CodMn => "permanganate index (CODMn)",
        Factor::Cod => "COD (CODcr)",
        Factor::Bod5 => "BOD5",
        Factor::Nh3n => "ammonia nitrogen (NH3-N)",
        Factor::Tp if waterbody == Waterbody::River => "total phosphorus (as P) - rivers",
        Factor::Tp => "total phosphorus (as P) - lakes/reservoirs",
        Factor::Tn => "total nitrogen (lakes/reservoirs, as N)",
        Factor::Cu => "copper",
        Factor::Zn => "zinc",
        Factor::F => "fluoride (as F-)",
        Factor::Se => "selenium",
        Factor::As => "arsenic",
        Factor::Hg => "mercury",
        Factor::Cd => "cadmium",
        Factor::Cr6 => "chromium (VI)",
        Factor::Pb => "lead",
        Factor::Cn => "cyanide",
        Factor::Phenol => "volatile phenol",
        Factor::Oil => "petroleum",
        Factor::Las => "anionic surfactant",
        Factor::S2 => "sulfide",
        Factor::FecalColiform => "fecal coliform",
    }
}

fn csv_rows() -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_path(CSV).expect("shared GB 3838 table");
    reader.records().map(|r| r.expect("csv row")).collect()
}

/// The five limits of the CSV row (the leading number of "7.5 (or saturation 90%)"; 9 for pH).
fn csv_limits(rows: &[csv::StringRecord], item: &str) -> [f64; 5] {
    let row = rows.iter().find(|r| &r[2] == item).expect(item);
    let mut limits = [0.0; 5];
    for (i, limit) in limits.iter_mut().enumerate() {
        let cell = &row[5 + i];
        *limit = if cell == "6-9" {
            9.0
        } else {
            cell.split_whitespace().next().unwrap().parse().unwrap()
        };
    }
    limits
}

#[test]
fn compiled_limits_equal_the_shared_table() {
    let rows = csv_rows();
    assert_eq!(
        rows.iter().filter(|r| r[0].starts_with("Table 1")).count(),
        25
    );
    for waterbody in [Waterbody::River, Waterbody::Lake] {
        for factor in Factor::ALL {
            let compiled = class_limits(factor, waterbody);
            if factor == Factor::Tn && waterbody == Waterbody::River {
                assert_eq!(compiled, None, "TN is evaluated for lakes only");
                continue;
            }
            assert_eq!(
                compiled,
                Some(csv_limits(&rows, csv_item(factor, waterbody))),
                "{factor} {waterbody}"
            );
        }
    }
    for item in SupplementaryItem::ALL {
        let name = match item {
            SupplementaryItem::Sulfate => "sulfate (as SO4 2-)",
            SupplementaryItem::Chloride => "chloride (as Cl-)",
            SupplementaryItem::Nitrate => "nitrate (as N)",
            SupplementaryItem::Iron => "iron",
            SupplementaryItem::Manganese => "manganese",
        };
        let row = rows.iter().find(|r| &r[2] == name).unwrap();
        assert_eq!(item.limit(), row[5].parse::<f64>().unwrap());
    }
}

/// Every limit of every factor: the limit itself belongs to the best class with that limit;
/// the next representable value beyond it belongs to the next class with a stricter-missed
/// limit (or 劣V).
#[test]
fn every_boundary_of_every_factor() {
    for waterbody in [Waterbody::River, Waterbody::Lake] {
        for factor in Factor::ALL {
            let Some(limits) = class_limits(factor, waterbody) else {
                continue;
            };
            if factor == Factor::Ph {
                continue; // a range, tested below
            }
            for &limit in &limits {
                let first_meeting = limits.iter().position(|l| *l == limit).unwrap();
                let at = classify(factor, limit, waterbody).unwrap().unwrap();
                assert_eq!(
                    at,
                    WaterClass::WITH_LIMITS[first_meeting],
                    "{factor} = {limit}"
                );
                let (beyond, still_meets) = if factor.comparison() == Comparison::AtLeast {
                    (limit.next_down(), limits.iter().position(|l| *l < limit))
                } else {
                    (limit.next_up(), limits.iter().position(|l| *l > limit))
                };
                let expected =
                    still_meets.map_or(WaterClass::WorseThanV, |i| WaterClass::WITH_LIMITS[i]);
                assert_eq!(
                    classify(factor, beyond, waterbody).unwrap(),
                    Some(expected),
                    "{factor} just beyond {limit}"
                );
            }
        }
    }
}

#[test]
fn hand_checked_classes() {
    use WaterClass::*;
    let river = Waterbody::River;
    let lake = Waterbody::Lake;
    let cases = [
        (Factor::Do, 7.5, river, I),
        (Factor::Do, 7.49, river, II),
        (Factor::Do, 6.0, river, II),
        (Factor::Do, 2.0, river, V),
        (Factor::Do, 1.99, river, WorseThanV),
        (Factor::Do, 0.0, river, WorseThanV),
        (Factor::Ph, 6.0, river, I),
        (Factor::Ph, 9.0, river, I),
        (Factor::Ph, 5.99, river, WorseThanV),
        (Factor::Ph, 9.01, river, WorseThanV),
        (Factor::Cod, 15.0, river, I), // I and II share 15: the better class
        (Factor::Cod, 15.1, river, III),
        (Factor::Nh3n, 0.15, river, I),
        (Factor::Nh3n, 0.151, river, II),
        (Factor::Nh3n, 2.0, river, V),
        (Factor::Nh3n, 2.01, river, WorseThanV),
        (Factor::Tp, 0.1, river, II),
        (Factor::Tp, 0.1, lake, IV),
        (Factor::Tp, 0.025, lake, II),
        (Factor::Tp, 0.2, lake, V),
        (Factor::Tp, 0.21, lake, WorseThanV),
        (Factor::Tn, 1.0, lake, III),
        (Factor::Hg, 0.00005, river, I),
        (Factor::Hg, 0.00006, river, III),
        (Factor::Cu, 0.5, river, II),
        (Factor::Cd, 0.005, river, II),
        (Factor::Cd, 0.006, river, V),
        (Factor::FecalColiform, 10000.0, river, III),
        (Factor::FecalColiform, 40001.0, river, WorseThanV),
        (Factor::Cod, 0.0, river, I),
    ];
    for (factor, value, waterbody, class) in cases {
        assert_eq!(
            classify(factor, value, waterbody).unwrap(),
            Some(class),
            "{factor} {value} {waterbody}"
        );
    }
    assert_eq!(classify(Factor::Tn, 5.0, river).unwrap(), None);
}

#[test]
fn invalid_values_are_errors() {
    assert!(matches!(
        classify(Factor::Cod, f64::NAN, Waterbody::River),
        Err(Error::NotFinite { .. })
    ));
    assert!(matches!(
        classify(Factor::Cod, -1.0, Waterbody::River),
        Err(Error::Negative { .. })
    ));
    assert!(matches!(
        classify(Factor::Ph, 14.5, Waterbody::River),
        Err(Error::OutOfRange { .. })
    ));
    assert!(matches!(
        SupplementaryItem::Iron.meets(f64::INFINITY),
        Err(Error::NotFinite { .. })
    ));
    assert_eq!(SupplementaryItem::Iron.meets(0.3), Ok(true));
    assert_eq!(SupplementaryItem::Iron.meets(0.31), Ok(false));
}

#[test]
fn names_parse_and_print() {
    let names = "ph,do,codmn,cod,bod5,nh3n,tp,tn,cu,zn,f,se,as,hg,cd,cr6,pb,cn,phenol,oil,las,s2,fecal_coliform";
    let parsed: Vec<Factor> = names.split(',').map(|n| n.parse().unwrap()).collect();
    assert_eq!(parsed, Factor::ALL);
    for factor in Factor::ALL {
        assert_eq!(factor.to_string().parse::<Factor>().unwrap(), factor);
        assert_eq!(
            serde_json::to_string(&factor).unwrap(),
            format!("\"{}\"", factor.name())
        );
    }
    assert_eq!(Factor::from_str(" NH3N ").unwrap(), Factor::Nh3n);
    assert!(matches!(
        Factor::from_str("nh3-n"),
        Err(Error::Unknown { .. })
    ));
    assert_eq!("river".parse::<Waterbody>().unwrap(), Waterbody::River);
    assert_eq!("Lake".parse::<Waterbody>().unwrap(), Waterbody::Lake);
    assert_eq!("reservoir".parse::<Waterbody>().unwrap(), Waterbody::Lake);
    assert!("sea".parse::<Waterbody>().is_err());
    let shown: Vec<String> = WaterClass::ALL.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["I", "II", "III", "IV", "V", "劣V"]);
    for class in WaterClass::ALL {
        assert_eq!(class.to_string().parse::<WaterClass>().unwrap(), class);
    }
    assert_eq!("Ⅲ".parse::<WaterClass>().unwrap(), WaterClass::III);
    assert_eq!("劣Ⅴ".parse::<WaterClass>().unwrap(), WaterClass::WorseThanV);
    assert_eq!("iv".parse::<WaterClass>().unwrap(), WaterClass::IV);
    assert!("VI".parse::<WaterClass>().is_err());
    assert_eq!(
        serde_json::to_string(&WaterClass::WorseThanV).unwrap(),
        "\"劣V\""
    );
    assert!(WaterClass::I < WaterClass::WorseThanV);
}

#[test]
fn section_class_is_the_worst_factor() {
    let values = [
        (Factor::Ph, 7.6),
        (Factor::Do, 4.0),    // IV
        (Factor::CodMn, 9.0), // IV
        (Factor::Nh3n, 0.9),  // III
        (Factor::Tp, 0.15),   // river III, lake V
        (Factor::Tn, 2.5),    // lake 劣V; not evaluated in rivers
    ];
    let river = SectionAssessment::evaluate(&values, Waterbody::River).unwrap();
    assert_eq!(river.class, Some(WaterClass::IV));
    assert_eq!(river.worst_factors, vec![Factor::Do, Factor::CodMn]);
    assert_eq!(river.not_evaluated, vec![Factor::Tn]);
    assert_eq!(river.factors.len(), 5);
    assert_eq!(river.meets(WaterClass::IV), Some(true));
    assert_eq!(river.meets(WaterClass::III), Some(false));

    // Exceedances against class III: DO (no multiple) and CODMn (9 − 6)/6 = 0.5.
    let missed = river.exceedances(WaterClass::III);
    assert_eq!(missed.len(), 2);
    assert_eq!(
        (missed[0].factor, missed[0].limit, missed[0].multiple),
        (Factor::Do, 5.0, None)
    );
    assert_eq!(missed[1].factor, Factor::CodMn);
    assert_eq!(missed[1].limit, 6.0);
    assert!((missed[1].multiple.unwrap() - 0.5).abs() < 1e-12);
    assert!(river.exceedances(WaterClass::IV).is_empty());
    assert!(river.exceedances(WaterClass::WorseThanV).is_empty());

    let lake = SectionAssessment::evaluate(&values, Waterbody::Lake).unwrap();
    assert_eq!(lake.class, Some(WaterClass::WorseThanV));
    assert_eq!(lake.worst_factors, vec![Factor::Tn]);
    assert!(lake.not_evaluated.is_empty());
    // Against class III in a lake: TP (0.15 − 0.05)/0.05 = 2, TN (2.5 − 1)/1 = 1.5.
    let missed = lake.exceedances(WaterClass::III);
    let tp = missed.iter().find(|e| e.factor == Factor::Tp).unwrap();
    assert!((tp.multiple.unwrap() - 2.0).abs() < 1e-12);
    let tn = missed.iter().find(|e| e.factor == Factor::Tn).unwrap();
    assert!((tn.multiple.unwrap() - 1.5).abs() < 1e-12);

    let json = serde_json::to_value(&lake).unwrap();
    assert_eq!(json["class"], "劣V");
    assert_eq!(json["worst_factors"][0], "tn");
}

#[test]
fn ph_exceedance_names_the_violated_bound() {
    let section =
        SectionAssessment::evaluate(&[(Factor::Ph, 5.5), (Factor::Cod, 10.0)], Waterbody::River)
            .unwrap();
    assert_eq!(section.class, Some(WaterClass::WorseThanV));
    let missed = section.exceedances(WaterClass::III);
    assert_eq!(missed.len(), 1);
    assert_eq!((missed[0].limit, missed[0].multiple), (6.0, None));
    let high = SectionAssessment::evaluate(&[(Factor::Ph, 9.5)], Waterbody::River).unwrap();
    assert_eq!(high.exceedances(WaterClass::I)[0].limit, 9.0);
}

#[test]
fn empty_and_repeated_inputs() {
    let empty = SectionAssessment::evaluate(&[], Waterbody::River).unwrap();
    assert_eq!(empty.class, None);
    assert_eq!(empty.meets(WaterClass::III), None);
    let only_tn = SectionAssessment::evaluate(&[(Factor::Tn, 1.0)], Waterbody::River).unwrap();
    assert_eq!(only_tn.class, None);
    assert!(matches!(
        SectionAssessment::evaluate(&[(Factor::Do, 5.0), (Factor::Do, 6.0)], Waterbody::River),
        Err(Error::Inconsistent { .. })
    ));
}

#[test]
fn exceedance_multiple_function() {
    let m = exceedance_multiple(Factor::Cod, 30.0, Waterbody::River, WaterClass::III).unwrap();
    assert_eq!(m, Some(0.5)); // (30 − 20)/20
    let m = exceedance_multiple(Factor::Cod, 10.0, Waterbody::River, WaterClass::III).unwrap();
    assert_eq!(m, Some(-0.5)); // meets: negative
    assert_eq!(
        exceedance_multiple(Factor::Do, 1.0, Waterbody::River, WaterClass::III),
        Ok(None)
    );
    assert_eq!(
        exceedance_multiple(Factor::Tn, 3.0, Waterbody::River, WaterClass::III),
        Ok(None)
    );
    assert_eq!(
        exceedance_multiple(Factor::Cod, 50.0, Waterbody::River, WaterClass::WorseThanV),
        Ok(None)
    );
    assert_eq!(
        class_limit(Factor::Tp, Waterbody::Lake, WaterClass::III),
        Some(0.05)
    );
    assert_eq!(
        class_limit(Factor::Tp, Waterbody::Lake, WaterClass::WorseThanV),
        None
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Classes are monotone: a larger pollutant value (smaller DO) is never a better class.
        #[test]
        fn classes_are_monotone(i in 0usize..23, a in 0.0f64..50_000.0, b in 0.0f64..50_000.0) {
            let factor = Factor::ALL[i];
            prop_assume!(factor != Factor::Ph);
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let c_lo = classify(factor, lo, Waterbody::Lake).unwrap().unwrap();
            let c_hi = classify(factor, hi, Waterbody::Lake).unwrap().unwrap();
            if factor == Factor::Do {
                prop_assert!(c_lo >= c_hi);
            } else {
                prop_assert!(c_lo <= c_hi);
            }
        }

        /// A section fails a target exactly when it has exceedances against it.
        #[test]
        fn meets_iff_no_exceedance(cod in 0.0f64..60.0, nh3n in 0.0f64..3.0, do_ in 0.0f64..10.0, t in 0usize..5) {
            let target = WaterClass::WITH_LIMITS[t];
            let s = SectionAssessment::evaluate(
                &[(Factor::Cod, cod), (Factor::Nh3n, nh3n), (Factor::Do, do_)],
                Waterbody::River,
            ).unwrap();
            prop_assert_eq!(s.meets(target), Some(s.exceedances(target).is_empty()));
        }
    }
}
