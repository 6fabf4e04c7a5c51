//! HJ 633 reports: README §3's worked numbers, the special rules of each edition, primary and
//! exceeding pollutants, the 2026 missing-pollutant rule, the edition switch, the levels against
//! `aqi_cn_levels.csv`, names and JSON. Every expectation is derived by hand in a comment.

use chrono::NaiveDate;
use ecolake_standards::aqi::cn::{self, Daily, Edition, Level, Realtime, SpecialRule};
use ecolake_standards::aqi::{Averaging, Pollutant, PollutantSet};
use ecolake_standards::Error;

const LEVELS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/standards/aqi_cn_levels.csv"
);

const OLD: Edition = Edition::Hj633_2012;
const NEW: Edition = Edition::Hj633_2026;

fn set(ps: &[Pollutant]) -> PollutantSet {
    ps.iter().copied().collect()
}

#[test]
fn worked_numbers_of_hj633_2012() {
    let f = |p, a, c| cn::iaqi(OLD, p, a, c).unwrap();
    use Averaging::{Hour1 as H1, Hour24 as H24, Hour8 as H8};
    // PM2.5 36: 50 + 50·(36 − 35)/(75 − 35) = 51.25 → 52.
    assert_eq!(f(Pollutant::Pm25, H24, 36.0), Some(52));
    // PM2.5 60: 50 + 50·25/40 = 81.25 → 82.
    assert_eq!(f(Pollutant::Pm25, H24, 60.0), Some(82));
    // PM2.5 75.9: 100 + 50·0.9/40 = 101.125 → 102.
    assert_eq!(f(Pollutant::Pm25, H24, 75.9), Some(102));
    // NO2 1h 250: 100 + 50·(250 − 200)/(700 − 200) = 105 exactly.
    assert_eq!(f(Pollutant::No2, H1, 250.0), Some(105));
    // O3 8h 123: 50 + 50·(123 − 100)/(160 − 100) = 69.17 → 70.
    assert_eq!(f(Pollutant::O3, H8, 123.0), Some(70));
    // CO 24h 2.5: 50 + 50·0.5/2 = 62.5 → 63; 4.6: 100 + 50·0.6/10 = 103 exactly.
    assert_eq!(f(Pollutant::Co, H24, 2.5), Some(63));
    assert_eq!(f(Pollutant::Co, H24, 4.6), Some(103));
    // CO 24h 4.2: 100 + 50·0.2/10 = 101 exactly (4.2 is 4.2000000000000002 in binary).
    assert_eq!(f(Pollutant::Co, H24, 4.2), Some(101));
    // PM10 1h 68 on the 24h table: 50 + 50·18/100 = 59; the 2026 table: 50 + 50·18/70 → 63.
    assert_eq!(f(Pollutant::Pm10, H24, 68.0), Some(59));
    let new_pm10 = cn::iaqi(NEW, Pollutant::Pm10, H24, 68.0).unwrap();
    assert_eq!(new_pm10, Some(63));
}

fn hour(so2: f64, no2: f64, co: f64, o3: f64, pm10: f64, pm25: f64) -> Realtime {
    Realtime {
        so2: Some(so2),
        no2: Some(no2),
        co: Some(co),
        o3: Some(o3),
        pm10: Some(pm10),
        pm25: Some(pm25),
        so2_24h: None,
    }
}

#[test]
fn realtime_report() {
    // 1001A, 2022-01-01 00:00 (CNEMC published AQI 59, PM10): SO2 7 → 7·50/150 = 2.3 → 3;
    // NO2 82 → 41; CO 1.2 → 12; O3 0 → 0; PM10 68 → 59; PM2.5 36 → 52.
    let r = cn::realtime(OLD, &hour(7.0, 82.0, 1.2, 0.0, 68.0, 36.0)).unwrap();
    let iaqis: Vec<_> = r.sub_indices.iter().map(|s| s.iaqi).collect();
    let want = [3, 41, 12, 0, 59, 52].map(Some);
    assert_eq!(iaqis, want);
    assert_eq!(r.aqi, Some(59));
    assert_eq!(r.level, Some(Level::Two));
    assert_eq!(r.primary, set(&[Pollutant::Pm10]));
    assert!(r.exceeding.is_empty() && r.missing.is_empty());
    assert!(r
        .sub_indices
        .iter()
        .all(|s| s.averaging == Averaging::Hour1));
    assert_eq!(r.kind, cn::ReportKind::Realtime);
}

#[test]
fn so2_above_800_per_edition() {
    let mut h = hour(900.0, 10.0, 0.5, 10.0, 10.0, 10.0);
    // 2012 without the 24h mean: SO2 not indexed; AQI from the rest: PM2.5 10 → 14.3 → 15.
    let r = cn::realtime(OLD, &h).unwrap();
    assert_eq!(r.sub_indices[0].iaqi, None);
    assert_eq!(r.sub_indices[0].rule, Some(SpecialRule::So2Above800Uses24h));
    assert_eq!(r.aqi, Some(15));
    // With SO2 24h 700: 150 + 50·(700 − 475)/(800 − 475) = 184.6 → 185.
    h.so2_24h = Some(700.0);
    let r = cn::realtime(OLD, &h).unwrap();
    assert_eq!(r.sub_indices[0].iaqi, Some(185));
    assert_eq!((r.aqi, r.primary), (Some(185), set(&[Pollutant::So2])));
    assert_eq!(r.exceeding, set(&[Pollutant::So2]));
    // 2026: IAQI 200 whatever the 24h mean.
    let r = cn::realtime(NEW, &h).unwrap();
    assert_eq!(r.sub_indices[0].iaqi, Some(200));
    assert_eq!(r.sub_indices[0].rule, Some(SpecialRule::So2Above800Is200));
    assert_eq!((r.aqi, r.level), (Some(200), Some(Level::Four)));
    assert!(r.exceeding.is_empty(), "no exceeding pollutants in 2026");
}

fn day(o3_1h: f64, o3_8h: f64) -> Daily {
    Daily {
        so2: Some(10.0),
        no2: Some(20.0),
        co: Some(0.8),
        pm10: Some(40.0),
        pm25: Some(20.0),
        o3_1h_max: Some(o3_1h),
        o3_8h_max: Some(o3_8h),
    }
}

#[test]
fn o3_8h_above_800_per_edition() {
    // 2012: the 8h mean is not indexed; O3 takes the 1h IAQI: 900 on 800–1000 ↔ 300–400 = 350.
    let r = cn::daily(OLD, &day(900.0, 850.0)).unwrap();
    assert_eq!(r.sub_indices.len(), 7);
    let o3_8h = r.sub_indices[6];
    assert_eq!((o3_8h.averaging, o3_8h.iaqi), (Averaging::Hour8, Some(350)));
    assert_eq!(o3_8h.rule, Some(SpecialRule::O3Above800Uses1h));
    assert_eq!((r.aqi, r.level), (Some(350), Some(Level::Six)));
    assert_eq!(r.primary, set(&[Pollutant::O3]));
    // 2026: 300, and no 1h item.
    let r = cn::daily(NEW, &day(900.0, 850.0)).unwrap();
    assert_eq!(r.sub_indices.len(), 6);
    assert_eq!(r.sub_indices[5].rule, Some(SpecialRule::O3Above800Is300));
    assert_eq!((r.aqi, r.level), (Some(300), Some(Level::Five)));
}

#[test]
fn daily_items_per_edition() {
    // O3 max 1h 300 → 150 counts in 2012 only. O3 8h 120: 50 + 50·20/60 = 66.7 → 67.
    // Others: SO2 10 → 10; NO2 20 → 25; CO 0.8 → 20; PM10 40 → 40; PM2.5 20 → 28.6 → 29.
    let r = cn::daily(OLD, &day(300.0, 120.0)).unwrap();
    let iaqis: Vec<_> = r.sub_indices.iter().map(|s| s.iaqi.unwrap()).collect();
    assert_eq!(iaqis, [10, 25, 20, 40, 29, 150, 67]);
    assert_eq!((r.aqi, r.primary), (Some(150), set(&[Pollutant::O3])));
    assert_eq!(r.exceeding, set(&[Pollutant::O3]));
    let r = cn::daily(NEW, &day(300.0, 120.0)).unwrap();
    let iaqis: Vec<_> = r.sub_indices.iter().map(|s| s.iaqi.unwrap()).collect();
    assert_eq!(iaqis, [10, 25, 20, 40, 29, 67]);
    assert_eq!((r.aqi, r.primary), (Some(67), set(&[Pollutant::O3])));
    assert_eq!(r.kind, cn::ReportKind::Daily);
}

#[test]
fn primary_pollutants() {
    // Tie (1011A, 2022-01-01 00:00, published "PM10,PM2.5"): PM10 80 → 65; PM2.5 47 → 65.
    let r = cn::realtime(OLD, &hour(12.0, 76.0, 1.1, 6.0, 80.0, 47.0)).unwrap();
    assert_eq!(r.aqi, Some(65));
    assert_eq!(r.primary, set(&[Pollutant::Pm10, Pollutant::Pm25]));
    assert_eq!(r.primary.to_string(), "PM10,PM2.5");
    // AQI exactly 50 (PM10 50): no primary pollutant; 51 (PM10 52 → 51): PM10.
    let r = cn::realtime(OLD, &hour(5.0, 20.0, 0.5, 50.0, 50.0, 20.0)).unwrap();
    assert_eq!(
        (r.aqi, r.primary, r.level),
        (Some(50), PollutantSet::EMPTY, Some(Level::One))
    );
    let r = cn::realtime(OLD, &hour(5.0, 20.0, 0.5, 50.0, 52.0, 20.0)).unwrap();
    assert_eq!((r.aqi, r.primary), (Some(51), set(&[Pollutant::Pm10])));
}

#[test]
fn exceeding_pollutants_exist_in_2012_only() {
    // PM2.5 100 → 100 + 50·25/40 = 131.25 → 132; NO2 1h 250 → 105; PM10 150 → 100 (not > 100).
    let h = hour(5.0, 250.0, 0.5, 50.0, 150.0, 100.0);
    let r = cn::realtime(OLD, &h).unwrap();
    assert_eq!(r.aqi, Some(132));
    assert_eq!(r.exceeding, set(&[Pollutant::No2, Pollutant::Pm25]));
    let r = cn::realtime(NEW, &h).unwrap();
    assert!(r.exceeding.is_empty());
}

#[test]
fn missing_pollutants_per_edition() {
    // PM2.5 missing, PM10 120 → 85 (2012) / 100 (2026: 50 + 50·70/70).
    let mut h = hour(5.0, 20.0, 0.5, 50.0, 120.0, 0.0);
    h.pm25 = None;
    let r = cn::realtime(OLD, &h).unwrap();
    assert_eq!((r.aqi, r.missing), (Some(85), set(&[Pollutant::Pm25])));
    assert_eq!(r.primary, set(&[Pollutant::Pm10]));
    // 2026 5.3.1: a pollutant missing and AQI ≤ 100 ⇒ NA.
    let r = cn::realtime(NEW, &h).unwrap();
    assert_eq!((r.aqi, r.max_iaqi, r.level), (None, Some(100), None));
    assert!(r.primary.is_empty());
    // PM10 121, 2026 segment 120–250 ↔ 100–150: 100 + 50·1/130 = 100.4 → 101 > 100 ⇒ published.
    h.pm10 = Some(121.0);
    let r = cn::realtime(NEW, &h).unwrap();
    assert_eq!((r.aqi, r.level), (Some(101), Some(Level::Three)));
    // Nothing at all: NA in both editions.
    let none = Realtime::default();
    assert_eq!(cn::realtime(OLD, &none).unwrap().aqi, None);
    assert_eq!(cn::realtime(NEW, &none).unwrap().aqi, None);
}

#[test]
fn edition_switch_on_2026_03_01() {
    let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(Edition::for_date(d(2016, 1, 1)), OLD);
    assert_eq!(Edition::for_date(d(2026, 2, 28)), OLD);
    assert_eq!(Edition::for_date(d(2026, 3, 1)), NEW);
    assert_eq!(Edition::for_date(d(2031, 1, 1)), NEW);
}

#[test]
fn levels_equal_the_shared_csv() {
    let mut reader = csv::Reader::from_path(LEVELS).expect("shared levels table");
    let mut n = 0;
    for row in reader.records() {
        let row = row.unwrap();
        let level = Level::from_number(row[0].parse().unwrap()).unwrap();
        let min: u16 = row[1].parse().unwrap();
        let max: Option<u16> = (!row[2].is_empty()).then(|| row[2].parse().unwrap());
        assert_eq!(level.aqi_range(), (min, max));
        assert_eq!(Level::from_aqi(min), level);
        assert_eq!(Level::from_aqi(max.unwrap_or(500)), level);
        assert_eq!(level.level_zh(), &row[3]);
        assert_eq!(level.category_zh(), &row[4]);
        assert_eq!(level.category_en(), &row[5]);
        assert_eq!(level.colour_zh(), &row[6]);
        let n8 = |i: usize| row[i].parse::<u8>().unwrap();
        assert_eq!(level.rgb(), (n8(7), n8(8), n8(9)));
        assert_eq!(level.cmyk(), (n8(10), n8(11), n8(12), n8(13)));
        assert_eq!(level.hex(), &row[14]);
        n += 1;
    }
    assert_eq!(n, 6);
    assert_eq!(Level::from_aqi(u16::MAX), Level::Six);
}

#[test]
fn health_advice() {
    // Levels 1–3 as CNEMC's own feed words them (2017/2018 archives: `unheathful`, `measure`).
    assert_eq!(
        Level::One.health_effect_zh(),
        "空气质量令人满意，基本无空气污染"
    );
    assert_eq!(Level::One.measures_zh(), "各类人群可正常活动");
    assert_eq!(
        Level::Two.health_effect_zh(),
        "空气质量可接受，但某些污染物可能对极少数异常敏感人群健康有较弱影响"
    );
    assert_eq!(Level::Two.measures_zh(), "极少数异常敏感人群应减少户外活动");
    assert_eq!(
        Level::Three.health_effect_zh(),
        "易感人群症状有轻度加剧，健康人群出现刺激症状"
    );
    assert_eq!(
        Level::Three.measures_zh(),
        "儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼"
    );
    assert_eq!(
        Level::Four.health_effect_zh(),
        "进一步加剧易感人群症状，可能对健康人群心脏、呼吸系统有影响"
    );
    for l in Level::ALL {
        assert!(!l.measures_zh().is_empty() && !l.health_effect_en().is_empty());
        assert!(!l.measures_en().is_empty());
    }
}

#[test]
fn names_and_parsing() {
    let names: Vec<_> = Pollutant::ALL.iter().map(|p| p.name()).collect();
    assert_eq!(names.join(","), "SO2,NO2,CO,O3,PM10,PM2.5");
    for p in Pollutant::ALL {
        assert_eq!(p.name().parse::<Pollutant>().unwrap(), p);
        assert_eq!(p.name().to_lowercase().parse::<Pollutant>().unwrap(), p);
    }
    assert_eq!("pm2_5".parse::<Pollutant>().unwrap(), Pollutant::Pm25);
    assert!(matches!(
        "PM1".parse::<Pollutant>(),
        Err(Error::Unknown { .. })
    ));
    assert_eq!("8h".parse::<Averaging>().unwrap(), Averaging::Hour8);
    assert_eq!("HJ 633-2026".parse::<Edition>().unwrap(), NEW);
    assert_eq!("hj633-2012".parse::<Edition>().unwrap(), OLD);
    assert!("HJ 633-2018".parse::<Edition>().is_err());
    assert_eq!(OLD.to_string(), "HJ 633-2012");
}

#[test]
fn report_as_json() {
    let r = cn::realtime(OLD, &hour(7.0, 82.0, 1.2, 0.0, 68.0, 36.0)).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["edition"], "HJ 633-2012");
    assert_eq!(v["kind"], "realtime");
    assert_eq!(v["aqi"], 59);
    assert_eq!(v["level"]["level"], 2);
    assert_eq!(v["level"]["category_zh"], "良");
    assert_eq!(v["primary"], serde_json::json!(["PM10"]));
    assert_eq!(v["sub_indices"][4]["pollutant"], "PM10");
    assert_eq!(v["sub_indices"][4]["averaging"], "1h");
    assert_eq!(v["sub_indices"][4]["iaqi"], 59);
}

#[test]
fn inputs_from_json() {
    let h: Realtime = serde_json::from_str(r#"{"pm25": 36, "pm10": 68.0}"#).unwrap();
    assert_eq!((h.pm25, h.pm10, h.so2), (Some(36.0), Some(68.0), None));
    let r = cn::realtime(OLD, &h).unwrap();
    assert_eq!(r.aqi, Some(59));
    assert_eq!(r.missing.len(), 4);
    let d: Daily = serde_json::from_str(r#"{"o3_8h_max": 123}"#).unwrap();
    assert_eq!(cn::daily(OLD, &d).unwrap().aqi, Some(70));
}

#[test]
fn bad_inputs_are_errors() {
    let mut h = hour(5.0, 20.0, 0.5, 50.0, 52.0, 20.0);
    h.co = Some(-0.1);
    assert!(matches!(
        cn::realtime(OLD, &h),
        Err(Error::Negative { what: "CO", .. })
    ));
    h.co = Some(f64::NAN);
    assert!(matches!(
        cn::realtime(NEW, &h),
        Err(Error::NotFinite { what: "CO" })
    ));
    h.co = Some(0.5);
    h.so2_24h = Some(f64::INFINITY);
    assert!(matches!(
        cn::realtime(OLD, &h),
        Err(Error::NotFinite { .. })
    ));
    let mut d = day(100.0, 100.0);
    d.o3_1h_max = Some(-5.0);
    assert!(
        cn::daily(NEW, &d).is_err(),
        "validated even where 2026 does not use it"
    );
}
