//! Environmental protection tax: the compiled table against the shared CSV, and worked
//! examples computed by hand (in the comments).

use ecolake_standards::tax::{
    check_rate, outlet_tax, outlet_tax_with, AmountUnit, Category, Concentration, Discharge,
    Medium, NotTaxed, Reduction, TaxItem, TopN, TABLE,
};
use ecolake_standards::Error;

const CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/standards/env_tax_pollution_equivalents.csv"
);

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

fn item(medium: Medium, name: &str) -> TaxItem {
    TaxItem::find(medium, name).unwrap()
}

fn d(medium: Medium, name: &str, amount: f64) -> Discharge {
    Discharge {
        item: item(medium, name),
        amount,
        concentration: None,
    }
}

#[test]
fn compiled_table_equals_the_shared_csv() {
    let mut reader = csv::Reader::from_path(CSV).expect("shared tax table");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), TABLE.len());
    let count = |c: Category| TABLE.iter().filter(|e| e.category == c).count();
    assert_eq!(count(Category::Air), 44);
    assert_eq!(count(Category::WaterClassI), 10);
    assert_eq!(count(Category::WaterOther), 51);
    assert_eq!(count(Category::WaterPhColourColiform), 9);
    assert_eq!(count(Category::WaterLivestockSmallSources), 7);
    for row in &rows {
        let category = match &row[0] {
            "air" => Category::Air,
            "water_class_I" => Category::WaterClassI,
            "water_class_other" => Category::WaterOther,
            "water_pH_colour_coliform_chlorine" => Category::WaterPhColourColiform,
            "water_livestock_small_sources" => Category::WaterLivestockSmallSources,
            other => panic!("unknown category {other}"),
        };
        let entry = TABLE
            .iter()
            .find(|e| e.category == category && e.name == &row[2])
            .unwrap_or_else(|| panic!("{} missing", &row[2]));
        assert_eq!(entry.value, row[3].parse::<f64>().unwrap(), "{}", &row[2]);
        assert_eq!(entry.no, row[1].parse::<u8>().unwrap_or(0));
        let unit = match &row[4] {
            "kg" => AmountUnit::Kg,
            "t wastewater" => AmountUnit::TonneWastewater,
            "t water x dilution times" => AmountUnit::TonneWaterTimesDilution,
            "head" => AmountUnit::Head,
            "bird" => AmountUnit::Bird,
            "bed" => AmountUnit::Bed,
            other => panic!("unknown unit {other}"),
        };
        assert_eq!(entry.unit, unit, "{}", &row[2]);
    }
    assert_eq!(TaxItem::all().count(), 121);
}

#[test]
fn lookup_by_medium_name_and_alias() {
    assert_eq!(item(Medium::Air, "so2").equivalent_value(), 0.95);
    assert_eq!(item(Medium::Air, "烟尘").equivalent_value(), 2.18);
    assert_eq!(item(Medium::Air, "NH3").equivalent_value(), 9.09);
    assert_eq!(item(Medium::Water, "cod").name(), "CODcr");
    assert_eq!(item(Medium::Water, "NH3-N").equivalent_value(), 0.8);
    assert_eq!(item(Medium::Water, "hg").category(), Category::WaterClassI);
    assert_eq!(item(Medium::Water, "hg").equivalent_value(), 0.0005);
    // Same name, both media: the medium decides.
    assert_eq!(item(Medium::Air, "benzene").equivalent_value(), 0.05);
    assert_eq!(item(Medium::Water, "benzene").equivalent_value(), 0.02);
    assert_eq!(item(Medium::Air, "fluoride").equivalent_value(), 0.87);
    assert_eq!(item(Medium::Water, "fluoride").equivalent_value(), 0.5);
    assert!(matches!(
        TaxItem::find(Medium::Air, "CODcr"),
        Err(Error::Unknown { .. })
    ));
    assert_eq!(
        serde_json::to_string(&item(Medium::Water, "TOC")).unwrap(),
        "\"TOC\""
    );
}

#[test]
fn ph_bands() {
    let band = |ph: f64| TaxItem::for_ph(ph).unwrap().map(TaxItem::name);
    assert_eq!(band(0.0), Some("pH 0-1 or 13-14"));
    assert_eq!(band(0.99), Some("pH 0-1 or 13-14"));
    assert_eq!(band(1.0), Some("pH 1-2 or 12-13")); // acid bands include their lower bound
    assert_eq!(band(4.999), Some("pH 4-5 or 9-10"));
    assert_eq!(band(5.0), Some("pH 5-6"));
    assert_eq!(band(5.99), Some("pH 5-6"));
    assert_eq!(band(6.0), None);
    assert_eq!(band(9.0), None);
    assert_eq!(band(9.0001), Some("pH 4-5 or 9-10")); // alkaline bands include their upper bound
    assert_eq!(band(10.0), Some("pH 4-5 or 9-10"));
    assert_eq!(band(12.5), Some("pH 1-2 or 12-13"));
    assert_eq!(band(13.0), Some("pH 1-2 or 12-13"));
    assert_eq!(band(13.01), Some("pH 0-1 or 13-14"));
    assert_eq!(band(14.0), Some("pH 0-1 or 13-14"));
    assert!(matches!(
        TaxItem::for_ph(14.1),
        Err(Error::OutOfRange { .. })
    ));
    assert!(matches!(
        TaxItem::for_ph(f64::NAN),
        Err(Error::NotFinite { .. })
    ));
}

#[test]
fn rates_must_be_within_the_legal_ranges() {
    assert!(check_rate(Medium::Air, 1.2).is_ok());
    assert!(check_rate(Medium::Air, 12.0).is_ok());
    assert!(check_rate(Medium::Water, 1.4).is_ok());
    assert!(check_rate(Medium::Water, 14.0).is_ok());
    for (medium, rate) in [
        (Medium::Air, 1.19),
        (Medium::Air, 12.01),
        (Medium::Water, 1.3),
        (Medium::Water, 14.5),
        (Medium::Air, 0.0),
    ] {
        assert!(
            matches!(check_rate(medium, rate), Err(Error::OutOfRange { .. })),
            "{rate}"
        );
    }
    assert!(matches!(
        check_rate(Medium::Air, f64::NAN),
        Err(Error::NotFinite { .. })
    ));
    assert!(matches!(
        outlet_tax(Medium::Water, 15.0, &[d(Medium::Water, "SS", 1.0)]),
        Err(Error::OutOfRange { .. })
    ));
}

/// Air outlet, rate 1.2 CNY:
/// SO2 1000 kg / 0.95 = 1052.6316 eq; NOx 800 / 0.95 = 842.1053; general dust 2000 / 4 = 500;
/// CO 1670 / 16.7 = 100; soot 218 / 2.18 = 100 (a tie with CO: CO is the earlier row).
/// Top 3: SO2, NOx, dust = 1800/0.95 + 500 = 2394.7368 eq × 1.2 = 2873.6842 CNY.
#[test]
fn air_outlet_top_three() {
    let tax = outlet_tax(
        Medium::Air,
        1.2,
        &[
            d(Medium::Air, "CO", 1670.0),
            d(Medium::Air, "SO2", 1000.0),
            d(Medium::Air, "soot", 218.0),
            d(Medium::Air, "NOx", 800.0),
            d(Medium::Air, "general dust", 2000.0),
        ],
    )
    .unwrap();
    let ranks: Vec<(&str, Option<usize>, bool)> = tax
        .items
        .iter()
        .map(|i| (i.item.name(), i.rank, i.taxed))
        .collect();
    assert_eq!(
        ranks,
        [
            ("CO", Some(4), false),
            ("SO2", Some(1), true),
            ("soot/smoke dust (烟尘)", Some(5), false),
            ("NOx", Some(2), true),
            ("general dust", Some(3), true),
        ]
    );
    assert!(close(tax.items[1].equivalents, 1000.0 / 0.95));
    assert!(close(tax.items[0].equivalents, 100.0));
    assert_eq!(tax.items[0].not_taxed, Some(NotTaxed::BelowTopN));
    assert_eq!(tax.items[0].tax_cny, 0.0);
    assert!(close(tax.taxed_equivalents, 1800.0 / 0.95 + 500.0));
    assert!(close(tax.tax_cny, 2873.684210526316));
}

/// The same outlet with Art. 13 reductions:
/// SO2 mean 35 mg/m³ vs standard 50 — exactly 30 % below → 75 %: 1052.6316 × 1.2 × 0.75 = 947.3684;
/// NOx 100 vs 200 — 50 % below → 50 %: 842.1053 × 1.2 × 0.5 = 505.2632;
/// dust 90 vs 120 — 25 % below → 100 %: 500 × 1.2 = 600. Total 2052.6316 CNY.
#[test]
fn air_outlet_with_reductions() {
    let with = |name: &str, amount: f64, mean: f64, limit: f64| Discharge {
        concentration: Some(Concentration {
            mean,
            limit,
            all_values_within_limit: true,
        }),
        ..d(Medium::Air, name, amount)
    };
    let tax = outlet_tax(
        Medium::Air,
        1.2,
        &[
            with("SO2", 1000.0, 35.0, 50.0),
            with("NOx", 800.0, 100.0, 200.0),
            with("general dust", 2000.0, 90.0, 120.0),
        ],
    )
    .unwrap();
    let reductions: Vec<Reduction> = tax.items.iter().map(|i| i.reduction).collect();
    assert_eq!(
        reductions,
        [
            Reduction::Pay75Percent,
            Reduction::Pay50Percent,
            Reduction::None
        ]
    );
    assert!(close(tax.items[0].tax_cny, 947.3684210526316));
    assert!(close(tax.items[1].tax_cny, 505.2631578947369));
    assert!(close(tax.items[2].tax_cny, 600.0));
    assert!(close(tax.tax_cny, 2052.6315789473683));
    let json = serde_json::to_value(&tax).unwrap();
    assert_eq!(json["items"][0]["reduction"], "pay75_percent");
    assert_eq!(json["items"][0]["item"], "SO2");
    assert_eq!(json["medium"], "air");
}

#[test]
fn reduction_thresholds_are_exact() {
    let r = |mean: f64, limit: f64, ok: bool| {
        Reduction::of(&Concentration {
            mean,
            limit,
            all_values_within_limit: ok,
        })
        .unwrap()
    };
    assert_eq!(r(0.07, 0.1, true), Reduction::Pay75Percent); // exactly 30 % below
    assert_eq!(r(0.0700001, 0.1, true), Reduction::None);
    assert_eq!(r(0.05, 0.1, true), Reduction::Pay50Percent); // exactly 50 % below
    assert_eq!(r(0.0500001, 0.1, true), Reduction::Pay75Percent);
    assert_eq!(r(0.0, 0.1, true), Reduction::Pay50Percent);
    assert_eq!(r(10.0, 100.0, false), Reduction::None); // an hourly value exceeded
    assert_eq!(r(120.0, 100.0, true), Reduction::None);
    assert_eq!(Reduction::Pay75Percent.factor(), 0.75);
    let bad = Concentration {
        mean: 1.0,
        limit: 0.0,
        all_values_within_limit: true,
    };
    assert!(matches!(Reduction::of(&bad), Err(Error::OutOfRange { .. })));
}

/// Water outlet, rate 1.4 CNY:
/// other water: CODcr 10000 kg / 1 = 10000 eq, BOD5 4000 / 0.5 = 8000, TOC 5000 / 0.49 =
/// 10204.0816 → only TOC (most equivalents) of the three; then SS 8000 / 4 = 2000,
/// NH3-N 800 / 0.8 = 1000, TP 100 / 0.25 = 400, petroleum 10 / 0.1 = 100 → top 3: TOC, SS, NH3-N
/// = 13204.0816 eq.
/// class I: Hg 0.05 / 0.0005 = 100, Cd 0.5 / 0.005 = 100, Cr(VI) 1 / 0.02 = 50, total Cr
/// 0.4 / 0.04 = 10, As 0.2 / 0.02 = 10, Pb 0.25 / 0.025 = 10, Ni 0.05 / 0.025 = 2 → top 5 (ties by
/// row: total Cr 3, As 5, Pb 6): Hg, Cd, Cr(VI), total Cr, As = 270 eq.
/// Tax = (13204.0816 + 270) × 1.4 = 18863.7143 CNY.
#[test]
fn water_outlet_top_five_class_i_top_three_other_and_one_of_cod_bod_toc() {
    let w = Medium::Water;
    let tax = outlet_tax(
        w,
        1.4,
        &[
            d(w, "CODcr", 10000.0),
            d(w, "BOD5", 4000.0),
            d(w, "TOC", 5000.0),
            d(w, "ammonia nitrogen", 800.0),
            d(w, "SS", 8000.0),
            d(w, "total phosphorus", 100.0),
            d(w, "petroleum", 10.0),
            d(w, "total mercury", 0.05),
            d(w, "total cadmium", 0.5),
            d(w, "total chromium", 0.4),
            d(w, "chromium(VI)", 1.0),
            d(w, "total arsenic", 0.2),
            d(w, "total lead", 0.25),
            d(w, "total nickel", 0.05),
        ],
    )
    .unwrap();
    let by_name = |n: &str| tax.items.iter().find(|i| i.item.name() == n).unwrap();
    assert_eq!(by_name("CODcr").not_taxed, Some(NotTaxed::OneOfCodBod5Toc));
    assert_eq!(by_name("CODcr").rank, None);
    assert_eq!(by_name("BOD5").not_taxed, Some(NotTaxed::OneOfCodBod5Toc));
    assert_eq!((by_name("TOC").rank, by_name("TOC").taxed), (Some(1), true));
    assert_eq!((by_name("SS").rank, by_name("SS").taxed), (Some(2), true));
    assert_eq!(by_name("ammonia nitrogen").rank, Some(3));
    assert_eq!(
        by_name("total phosphorus").not_taxed,
        Some(NotTaxed::BelowTopN)
    );
    assert_eq!(by_name("total phosphorus").rank, Some(4));
    let class_i_taxed: Vec<&str> = tax
        .items
        .iter()
        .filter(|i| i.category == Category::WaterClassI && i.taxed)
        .map(|i| i.item.name())
        .collect();
    assert_eq!(
        class_i_taxed,
        [
            "total mercury",
            "total cadmium",
            "total chromium",
            "chromium(VI)",
            "total arsenic"
        ]
    );
    assert_eq!(by_name("total lead").rank, Some(6));
    assert!(!by_name("total lead").taxed);
    assert!(close(by_name("TOC").tax_cny, 14285.714285714286));
    assert!(close(tax.taxed_equivalents, 5000.0 / 0.49 + 3000.0 + 270.0));
    assert!(close(tax.tax_cny, 18863.714285714286));
}

/// pH, coliform/chlorine and livestock rows count with the other water pollutants:
/// 10000 t at pH 5.5 → 10000 / 5 = 2000 eq; coliform 3300 t / 3.3 = 1000 eq and residual chlorine
/// 6600 t / 3.3 = 2000 eq → only chlorine; colour 500 t × 8 times = 4000 / 5 = 800 eq;
/// SS 400 / 4 = 100 eq (4th, untaxed). Taxed 2000 + 2000 + 800 = 4800 eq × 2.8 = 13440 CNY.
#[test]
fn ph_colour_coliform_rows() {
    let w = Medium::Water;
    let ph = TaxItem::for_ph(5.5).unwrap().unwrap();
    let tax = outlet_tax(
        w,
        2.8,
        &[
            Discharge {
                item: ph,
                amount: 10000.0,
                concentration: None,
            },
            d(w, "coliform", 3300.0),
            d(w, "residual chlorine", 6600.0),
            d(w, "colour", 4000.0),
            d(w, "SS", 400.0),
        ],
    )
    .unwrap();
    assert_eq!(tax.items[0].unit, AmountUnit::TonneWastewater);
    assert_eq!(
        tax.items[1].not_taxed,
        Some(NotTaxed::OneOfColiformChlorine)
    );
    assert!(tax.items[2].taxed);
    assert_eq!(tax.items[4].not_taxed, Some(NotTaxed::BelowTopN));
    assert!(close(tax.taxed_equivalents, 4800.0));
    assert!(close(tax.tax_cny, 13440.0));
}

/// A pig farm without monitoring: 1000 pigs / 1 = 1000 eq × 2.8 = 2800 CNY.
#[test]
fn livestock_rows() {
    let tax = outlet_tax(Medium::Water, 2.8, &[d(Medium::Water, "pig", 1000.0)]).unwrap();
    assert_eq!(tax.items[0].unit, AmountUnit::Head);
    assert!(close(tax.tax_cny, 2800.0));
}

#[test]
fn provinces_may_tax_more_items() {
    let a = Medium::Air;
    let discharges = [
        d(a, "SO2", 95.0),     // 100 eq
        d(a, "NOx", 95.0),     // 100 eq
        d(a, "CO", 167.0),     // 10 eq
        d(a, "ammonia", 90.9), // 10 eq
    ];
    let four = TopN {
        air: 4,
        ..TopN::default()
    };
    let tax = outlet_tax_with(a, 2.0, four, &discharges).unwrap();
    assert!(tax.items.iter().all(|i| i.taxed));
    assert!(close(tax.tax_cny, 440.0));
    let tax = outlet_tax(a, 2.0, &discharges).unwrap();
    assert!(close(tax.tax_cny, 420.0)); // the ammonia row ties CO and loses on row order
    assert!(!tax.items[3].taxed);
}

#[test]
fn inconsistent_outlets_are_errors() {
    let a = Medium::Air;
    assert!(matches!(
        outlet_tax(a, 2.0, &[d(Medium::Water, "SS", 1.0)]),
        Err(Error::Inconsistent { .. })
    ));
    assert!(matches!(
        outlet_tax(a, 2.0, &[d(a, "SO2", 1.0), d(a, "so2", 2.0)]),
        Err(Error::Inconsistent { .. })
    ));
    assert!(matches!(
        outlet_tax(a, 2.0, &[d(a, "SO2", -1.0)]),
        Err(Error::Negative { .. })
    ));
    assert!(matches!(
        outlet_tax(a, 2.0, &[d(a, "SO2", f64::INFINITY)]),
        Err(Error::NotFinite { .. })
    ));
    let empty = outlet_tax(a, 2.0, &[]).unwrap();
    assert_eq!(empty.tax_cny, 0.0);
}
