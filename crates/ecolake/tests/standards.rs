//! The standards' commands through the real binary: `ecolake aqi` and `ecolake water-class` on
//! small CSVs whose expected cells are derived by hand from the tables in
//! `shared/standards/` (`aqi_cn_iaqi_breakpoints.csv`, `aqi_us_epa_breakpoints.csv`,
//! `gb3838_2002_surface_water.csv`), and `ecolake assess` end to end on one real PRSA station
//! file imported with `ecolake import`, checked against the standards crate's Beijing golden
//! figures and against the standards crate called directly on the same hourly data.

mod binary;

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Output, Stdio};

use binary::{ecolake_in, path_str, stderr, success, workspace};
use chrono::{Datelike, NaiveDate};
use ecolake_standards::aqi::cn;
use ecolake_standards::assess::{
    aqi_level_days, daily_mean, group_by_day, limit, o3_mda8, Averaging, Edition, Grade, Pollutant,
};
use serde_json::Value;

const PRSA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/beijing_multisite_prsa"
);

/// Runs the binary with `stdin` as its standard input.
fn ecolake_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ecolake"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// The daily China input: pass-through columns around the pollutants, an empty cell (row C),
/// a negative cell (row D, line 5) and a non-number (row E, line 6).
const DAILY: &str = "\
station,date,so2,no2,co,o3,o3_8h,pm10,pm25,note
A,2024-01-01,10,30,2.5,80,90,60,36,first
B,2024-01-02,10,30,0.5,80,90,60,75.9,\"quoted, note\"
C,2024-01-03,10,,0.5,80,90,60,20,empty no2
D,2024-01-04,10,30,0.5,80,90,-5,20,bad pm10
E,2024-01-05,abc,30,0.5,80,90,60,20,bad so2
";

const DAILY_OUT_HEAD: &str = "station,date,so2,no2,co,o3,o3_8h,pm10,pm25,note,\
aqi,level,category,primary,iaqi_so2,iaqi_no2,iaqi_co,iaqi_o3,iaqi_o3_8h,iaqi_pm10,iaqi_pm25\n";

#[test]
fn aqi_hj633_2012_daily_passes_rows_through_and_reports_bad_cells() {
    let ws = workspace(&[("daily.csv", DAILY)]);
    let out = ecolake_in(
        ws.path(),
        &[
            "aqi",
            "--standard",
            "hj633-2012",
            "--report",
            "daily",
            "daily.csv",
        ],
    );
    // HJ 633-2012, continuous segments, rounded up:
    // SO2 24h 10: 0–50 ↔ 0–50 → 10. NO2 24h 30: 50·30/40 = 37.5 → 38.
    // CO 24h 2.5: 50 + 50·0.5/2 = 62.5 → 63; 0.5: 50·0.5/2 = 12.5 → 13.
    // O3 1h 80: 50·80/160 = 25. O3 8h 90: 50·90/100 = 45. PM10 60: 50 + 50·10/100 = 55.
    // PM2.5 36: 50 + 50·1/40 = 51.25 → 52; 75.9: 100 + 50·0.9/40 = 101.125 → 102;
    // 20: 50·20/35 = 28.6 → 29.
    let expected = format!(
        "{DAILY_OUT_HEAD}\
A,2024-01-01,10,30,2.5,80,90,60,36,first,63,2,Good,CO,10,38,63,25,45,55,52
B,2024-01-02,10,30,0.5,80,90,60,75.9,\"quoted, note\",102,3,Lightly polluted,PM2.5,10,38,13,25,45,55,102
C,2024-01-03,10,,0.5,80,90,60,20,empty no2,55,2,Good,PM10,10,,13,25,45,55,29
D,2024-01-04,10,30,0.5,80,90,-5,20,bad pm10,,,,,,,,,,,
E,2024-01-05,abc,30,0.5,80,90,60,20,bad so2,,,,,,,,,,,
"
    );
    assert_eq!(success(&out), expected);
    let err = stderr(&out);
    assert!(
        err.contains("daily.csv: line 5: column `pm10`: -5 is negative"),
        "{err}"
    );
    assert!(
        err.contains("daily.csv: line 6: column `so2`: `abc` is not a number"),
        "{err}"
    );
    assert!(err.contains("5 rows, 2 bad"), "{err}");

    // --strict: the same output, exit status 3.
    let strict = ecolake_in(
        ws.path(),
        &[
            "aqi",
            "--standard",
            "hj633-2012",
            "--report",
            "daily",
            "--strict",
            "daily.csv",
        ],
    );
    assert_eq!(strict.status.code(), Some(3), "{}", stderr(&strict));
    assert_eq!(String::from_utf8(strict.stdout).unwrap(), expected);
}

#[test]
fn aqi_hj633_2026_daily_uses_the_new_tables_and_the_missing_pollutant_rule() {
    let out = ecolake_stdin(
        &[
            "aqi",
            "--standard",
            "hj633-2026",
            "--report",
            "daily",
            "--lang",
            "zh",
            "-",
        ],
        DAILY.as_bytes(),
    );
    // HJ 633-2026: concentrations rounded first (PM2.5 75.9 → 76), new PM tables:
    // PM2.5 36: 50 + 50·1/25 = 52; 76: 100 + 50·16/55 = 114.5 → 115; 20: 29.
    // PM10 60: 50 + 50·10/70 = 57.1 → 58. No 1-hour O3 item: iaqi_o3 empty.
    // Row C: NO2 missing and AQI 58 ≤ 100 ⇒ not published.
    let expected = format!(
        "{DAILY_OUT_HEAD}\
A,2024-01-01,10,30,2.5,80,90,60,36,first,63,2,良,CO,10,38,63,,45,58,52
B,2024-01-02,10,30,0.5,80,90,60,75.9,\"quoted, note\",115,3,轻度污染,PM2.5,10,38,13,,45,58,115
C,2024-01-03,10,,0.5,80,90,60,20,empty no2,,,,,10,,13,,45,58,29
D,2024-01-04,10,30,0.5,80,90,-5,20,bad pm10,,,,,,,,,,,
E,2024-01-05,abc,30,0.5,80,90,60,20,bad so2,,,,,,,,,,,
"
    );
    assert_eq!(success(&out), expected);
    let err = stderr(&out);
    assert!(err.contains("stdin: line 5: column `pm10`"), "{err}");
    assert!(err.contains("`o3` is not used"), "{err}");
}

#[test]
fn aqi_realtime_leaves_out_the_8_hour_ozone() {
    let ws = workspace(&[(
        "hour.csv",
        "time,SO2,NO2,CO,O3,O3_8H,PM10,PM25\n2017-07-07T16:00,7,82,1.2,0,120,68,36\n",
    )]);
    let out = ecolake_in(
        ws.path(),
        &[
            "aqi",
            "--standard",
            "hj633-2012",
            "--report",
            "realtime",
            "hour.csv",
        ],
    );
    // 1-hour tables: SO2 50·7/150 = 2.3 → 3; NO2 50·82/100 = 41; CO 50·1.2/5 = 12; O3 0.
    // PM on the 24-hour table: PM10 68 → 59, PM2.5 36 → 52.
    assert_eq!(
        success(&out),
        "time,SO2,NO2,CO,O3,O3_8H,PM10,PM25,aqi,level,category,primary,\
         iaqi_so2,iaqi_no2,iaqi_co,iaqi_o3,iaqi_o3_8h,iaqi_pm10,iaqi_pm25\n\
         2017-07-07T16:00,7,82,1.2,0,120,68,36,59,2,Good,PM10,3,41,12,0,,59,52\n"
    );
    assert!(stderr(&out).contains("`o3_8h` is not used"));
}

#[test]
fn aqi_epa_2024_and_2012_tables() {
    let ws = workspace(&[("us.csv", "site,pm25,o3_8h,o3\nX,9.5,0.040,0.1\n")]);
    let run = |standard: &str| {
        success(&ecolake_in(
            ws.path(),
            &["aqi", "--standard", standard, "--report", "daily", "us.csv"],
        ))
    };
    // PM2.5 9.5 µg/m³ — 2024: 51 + 49·(9.5 − 9.1)/(35.4 − 9.1) = 51.7 → 52; 2012: 50·9.5/12 =
    // 39.6 → 40. O3 8h 0.040 ppm: 50·40/54 = 37.0 → 37. O3 1h below 0.125 ppm: no index.
    let head = "site,pm25,o3_8h,o3,aqi,level,category,primary,iaqi_pm25,iaqi_o3_8h,iaqi_o3\n";
    assert_eq!(
        run("epa-2024"),
        format!("{head}X,9.5,0.040,0.1,52,2,Moderate,PM2.5,52,37,\n")
    );
    assert_eq!(
        run("epa-2012"),
        format!("{head}X,9.5,0.040,0.1,40,1,Good,PM2.5,40,37,\n")
    );
}

#[test]
fn aqi_without_a_pollutant_column_fails() {
    let ws = workspace(&[("x.csv", "a,b\n1,2\n")]);
    let out = ecolake_in(
        ws.path(),
        &[
            "aqi",
            "--standard",
            "hj633-2026",
            "--report",
            "realtime",
            "x.csv",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no pollutant column"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn water_class_river_and_lake() {
    let ws = workspace(&[(
        "water.csv",
        "section,waterbody,ph,do,nh3n,tp,tn,remark\n\
         S1,river,7.5,8,0.1,0.03,0.9,r\n\
         S2,lake,7.5,8,0.1,0.03,0.9,l\n\
         S3,,7.5,4,0.1,0.03,,default river\n\
         S4,sea,7.5,8,0.1,0.03,,bad waterbody\n\
         S5,river,15,8,0.1,0.03,,bad ph\n\
         S6,Reservoir,7.5,8,2.5,,,worse than V\n",
    )]);
    let out = ecolake_in(ws.path(), &["water-class", "water.csv"]);
    // GB 3838-2002 Table 1: TP 0.03 mg/L — rivers 0.02 < 0.03 ≤ 0.1 → II; lakes 0.025 < 0.03 ≤
    // 0.05 → III. TN (lakes only) 0.9: 0.5 < 0.9 ≤ 1.0 → III. DO 8 ≥ 7.5 → I; DO 4: 5 > 4 ≥ 3
    // → IV. NH3-N 0.1 ≤ 0.15 → I; 2.5 > 2.0 → 劣V. pH 6–9 → I.
    assert_eq!(
        success(&out),
        "section,waterbody,ph,do,nh3n,tp,tn,remark,class,worst_factors,\
         class_ph,class_do,class_nh3n,class_tp,class_tn\n\
         S1,river,7.5,8,0.1,0.03,0.9,r,II,tp,I,I,I,II,\n\
         S2,lake,7.5,8,0.1,0.03,0.9,l,III,tp;tn,I,I,I,III,III\n\
         S3,,7.5,4,0.1,0.03,,default river,IV,do,I,IV,I,II,\n\
         S4,sea,7.5,8,0.1,0.03,,bad waterbody,,,,,,,\n\
         S5,river,15,8,0.1,0.03,,bad ph,,,,,,,\n\
         S6,Reservoir,7.5,8,2.5,,,worse than V,劣V,nh3n,I,I,劣V,,\n"
    );
    let err = stderr(&out);
    assert!(
        err.contains("line 5: column `waterbody`: `sea` is not river, lake or reservoir"),
        "{err}"
    );
    assert!(err.contains("line 6: column `ph`: pH = 15"), "{err}");

    // --waterbody lake applies to rows without a waterbody cell.
    let out = ecolake_stdin(&["water-class", "--waterbody", "lake"], b"tp,tn\n0.03,\n");
    assert_eq!(
        success(&out),
        "tp,tn,class,worst_factors,class_tp,class_tn\n0.03,,III,tp,III,\n"
    );
}

/// The Dongsi station file (national code 1003A in `beijing_stations.csv`).
fn dongsi_file() -> String {
    let path = format!("{PRSA}/PRSA_Data_Dongsi_20130301-20170228.csv.gz");
    assert!(
        std::path::Path::new(&path).is_file(),
        "the shared Beijing data is missing: {path}"
    );
    path
}

/// Daily AQI levels of Dongsi 2014 by the standards crate from the raw file: the same rules as
/// `ecolake assess` (daily means of ≥ 20 hours, MDA8 rule, the day's maximum 1-hour O3 of a day
/// with ≥ 20 hours), computed here without the lake.
fn dongsi_2014_levels() -> Vec<Option<u8>> {
    let out = Command::new("gzip")
        .args(["-dc", &dongsi_file()])
        .output()
        .expect("the `gzip` program is needed to read the shared Beijing data");
    assert!(out.status.success());
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let columns = ["SO2", "NO2", "CO", "O3", "PM10", "PM2.5"].map(col);
    let mut hourly: Vec<Vec<_>> = vec![Vec::new(); 6];
    for record in reader.records() {
        let r = record.unwrap();
        if &r[col("year")] != "2014" {
            continue;
        }
        let date = NaiveDate::from_ymd_opt(
            2014,
            r[col("month")].parse().unwrap(),
            r[col("day")].parse().unwrap(),
        )
        .unwrap();
        let time = date
            .and_hms_opt(r[col("hour")].parse().unwrap(), 0, 0)
            .unwrap();
        for (i, c) in columns.iter().enumerate() {
            let v = (&r[*c] != "NA").then(|| {
                let v: f64 = r[*c].parse().unwrap();
                if i == 2 {
                    v / 1000.0
                } else {
                    v
                }
            });
            hourly[i].push((time, v));
        }
    }
    let o3_limit = limit(
        Edition::Gb3095_2012,
        Pollutant::O3,
        Averaging::Mda8,
        Grade::II,
    )
    .unwrap();
    let mut maps: Vec<HashMap<NaiveDate, f64>> = vec![HashMap::new(); 6];
    let mut o3_max = HashMap::new();
    for (i, hours) in hourly.into_iter().enumerate() {
        for day in group_by_day(hours).unwrap() {
            let value = if i == 3 {
                if day.valid_hours() >= 20 {
                    o3_max.insert(
                        day.date,
                        day.hours.iter().flatten().copied().fold(0.0, f64::max),
                    );
                }
                o3_mda8(&day).valid_value(o3_limit)
            } else {
                daily_mean(&day).valid_value()
            };
            if let Some(v) = value {
                maps[i].insert(day.date, v);
            }
        }
    }
    let mut levels = Vec::new();
    let mut day = NaiveDate::from_ymd_opt(2014, 1, 1).unwrap();
    while day.year() == 2014 {
        let on = |i: usize| maps[i].get(&day).copied();
        let input = cn::Daily {
            so2: on(0),
            no2: on(1),
            co: on(2),
            o3_1h_max: o3_max.get(&day).copied(),
            o3_8h_max: on(3),
            pm10: on(4),
            pm25: on(5),
        };
        levels.push(
            cn::daily(cn::Edition::Hj633_2012, &input)
                .unwrap()
                .level
                .map(cn::Level::number),
        );
        day = day.succ_opt().unwrap();
    }
    levels
}

/// One pollutant's figures in the standards crate's Beijing golden test (Dongsi 2014).
struct Golden {
    name: &'static str,
    factor: &'static str,
    /// Valid daily values.
    days: u64,
    /// The annual mean: rounded, exceedance multiple.
    mean: Option<(f64, Option<f64>)>,
    /// The percentile: p, rounded, limit, exceedance multiple.
    percentile: (u64, f64, f64, Option<f64>),
    /// Days over the 24-hour (O3: MDA8) limit.
    days_over: u64,
}

impl Golden {
    const fn new(
        name: &'static str,
        factor: &'static str,
        days: u64,
        mean: Option<(f64, Option<f64>)>,
        percentile: (u64, f64, f64, Option<f64>),
        days_over: u64,
    ) -> Golden {
        Golden {
            name,
            factor,
            days,
            mean,
            percentile,
            days_over,
        }
    }
}

#[test]
fn assess_dongsi_2014_from_an_imported_prsa_file() {
    let ws = workspace(&[]);
    let data = ws.path().join("data");
    let file = dongsi_file();
    let imported = ecolake_in(
        ws.path(),
        &[
            "import",
            "--data-dir",
            path_str(&data),
            "--format",
            "prsa",
            &file,
        ],
    );
    success(&imported);

    let out = ecolake_in(
        ws.path(),
        &[
            "assess",
            "--data-dir",
            path_str(&data),
            "--site",
            "1003A",
            "--year",
            "2014",
        ],
    );
    let json: Value = serde_json::from_str(&success(&out)).unwrap();
    assert_eq!(json["site"], "1003A");
    assert_eq!(json["year"], 2014);
    assert_eq!(json["period"]["start"], "2014-01-01");
    assert_eq!(json["period"]["end"], "2014-12-31");
    assert_eq!(json["time_zone"], "Asia/Shanghai");
    assert_eq!(json["time_zone_from"], "default");
    assert_eq!(json["standard"], "GB 3095-2012");
    assert_eq!(json["standard_basis"], "in_force");
    assert_eq!(json["aqi_standard"], "HJ 633-2012");
    assert_eq!(json["grade"], "II");
    assert_eq!(json["compliant"], false);

    // The golden figures of `ecolake-standards/tests/assess_beijing.rs` (Dongsi 2014): valid
    // days, rounded annual mean and percentile, compliance, exceedance multiples.
    let pollutant = |name: &str| {
        json["pollutants"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["pollutant"] == name)
            .unwrap_or_else(|| panic!("no {name}"))
            .clone()
    };
    let golden = [
        Golden::new(
            "SO2",
            "a21026",
            361,
            Some((24.0, None)),
            (98, 98.0, 150.0, None),
            0,
        ),
        Golden::new(
            "NO2",
            "a21004",
            318,
            Some((56.0, Some(0.4))),
            (98, 118.0, 80.0, Some(0.48)),
            44,
        ),
        Golden::new("CO", "a21005", 359, None, (95, 3.0, 4.0, None), 4),
        Golden::new(
            "O3",
            "a05024",
            356,
            None,
            (90, 182.0, 160.0, Some(0.14)),
            65,
        ),
        Golden::new(
            "PM10",
            "a34002",
            360,
            Some((116.0, Some(0.66))),
            (95, 273.0, 150.0, Some(0.82)),
            91,
        ),
        Golden::new(
            "PM2.5",
            "a34004",
            360,
            Some((86.0, Some(1.46))),
            (95, 233.0, 75.0, Some(2.11)),
            159,
        ),
    ];
    for g in golden {
        let name = g.name;
        let got = pollutant(name);
        assert_eq!(got["factors"], serde_json::json!([g.factor]), "{name}");
        assert_eq!(got["valid_days"], g.days, "{name}");
        assert_eq!(got["days_over_limit"], g.days_over, "{name}");
        match g.mean {
            Some((rounded, multiple)) => {
                assert_eq!(got["annual_mean"]["rounded"], rounded, "{name}");
                assert_eq!(
                    got["annual_mean"]["exceedance_multiple"],
                    serde_json::json!(multiple),
                    "{name}"
                );
            }
            None => assert!(got["annual_mean"].is_null(), "{name}"),
        }
        let (p, rounded, lim, multiple) = g.percentile;
        let pct = &got["percentile"];
        assert_eq!(pct["p"], p, "{name}");
        assert_eq!(pct["rounded"], rounded, "{name}");
        assert_eq!(pct["limit"], lim, "{name}");
        assert_eq!(pct["compliant"], multiple.is_none(), "{name}");
        assert_eq!(
            pct["exceedance_multiple"],
            serde_json::json!(multiple),
            "{name}"
        );
    }
    let pm25 = pollutant("PM2.5");
    assert_eq!(pm25["unit"], "ug/m3");
    assert_eq!(pm25["annual_mean"]["limit"], 35.0);
    assert_eq!(pm25["complete"], true);
    assert_eq!(pollutant("CO")["unit"], "mg/m3");
    // NO2 misses 27 days in January and February: incomplete, no verdict.
    assert_eq!(
        pollutant("NO2")["short_months"],
        serde_json::json!(["2014-01", "2014-02"])
    );
    assert!(pollutant("NO2")["compliant"].is_null());

    // Days per AQI level: the standards crate on the raw hourly data gives the same.
    let expected = aqi_level_days(&dongsi_2014_levels()).unwrap();
    let days = &json["aqi_days"];
    let levels: Vec<u64> = days["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["days"].as_u64().unwrap())
        .collect();
    let want: Vec<u64> = expected.days_by_level.iter().map(|n| *n as u64).collect();
    assert_eq!(levels, want);
    assert_eq!(days["valid_days"], expected.valid_days as u64);
    assert_eq!(days["days_without_aqi"], expected.days_without_aqi as u64);
    assert_eq!(days["good_days"], expected.good_days as u64);
    assert_eq!(
        days["good_ratio_pct"],
        serde_json::json!(expected.good_ratio_pct)
    );
    assert_eq!(days["levels"][0]["category"], "Excellent");
    assert_eq!(days["levels"][5]["category_zh"], "严重污染");

    // No 2014 value failed QC (the golden figures count every value); in 2015 the built-in QC
    // marks SO2 hours `flat` (194 with today's rules): `--qc ok` leaves them out, `--qc all`
    // counts them.
    for p in json["pollutants"].as_array().unwrap() {
        assert_eq!(p["hours_excluded_qc"], 0, "{}", p["pollutant"]);
    }
    let so2_2015 = |qc: &str| {
        let out = ecolake_in(
            ws.path(),
            &[
                "assess",
                "--data-dir",
                path_str(&data),
                "--site",
                "1003A",
                "--year",
                "2015",
                "--qc",
                qc,
            ],
        );
        let json: Value = serde_json::from_str(&success(&out)).unwrap();
        assert_eq!(json["qc"], qc);
        json["pollutants"][0].clone()
    };
    let (ok, all) = (so2_2015("ok"), so2_2015("all"));
    assert_eq!(ok["pollutant"], "SO2");
    let excluded = ok["hours_excluded_qc"].as_u64().unwrap();
    assert!(excluded > 0, "{ok}");
    assert_eq!(all["hours_excluded_qc"], 0);
    assert_eq!(
        all["hours"].as_u64().unwrap(),
        ok["hours"].as_u64().unwrap() + excluded
    );

    // Local days follow the site's time zone in the registry (here UTC: other days, another
    // 95th percentile); `--tz` overrides it.
    std::fs::write(
        ws.path().join("sites.csv"),
        "code,name,medium,lon,lat,time_zone\n1003A,东四,air,116.4174,39.9289,UTC\n",
    )
    .unwrap();
    success(&ecolake_in(
        ws.path(),
        &[
            "registry",
            "import",
            "--data-dir",
            path_str(&data),
            "--kind",
            "sites",
            "sites.csv",
        ],
    ));
    let pm25_p95 = |extra: &[&str]| {
        let mut args = vec![
            "assess",
            "--data-dir",
            path_str(&data),
            "--site",
            "1003A",
            "--year",
            "2014",
        ];
        args.extend_from_slice(extra);
        let json: Value = serde_json::from_str(&success(&ecolake_in(ws.path(), &args))).unwrap();
        let p95 = json["pollutants"][5]["percentile"]["rounded"]
            .as_f64()
            .unwrap();
        (
            json["time_zone"].clone(),
            json["time_zone_from"].clone(),
            json["site_name"].clone(),
            p95,
        )
    };
    let (tz, from, name, p95) = pm25_p95(&[]);
    assert_eq!(
        (tz, from, name),
        ("UTC".into(), "registry".into(), "东四".into())
    );
    assert_ne!(p95, 233.0);
    let (tz, from, _, p95) = pm25_p95(&["--tz", "Asia/Shanghai"]);
    assert_eq!((tz, from), ("Asia/Shanghai".into(), "option".into()));
    assert_eq!(p95, 233.0);

    // A site or a year without data is an error naming both.
    for (site, year) in [("9999Z", "2014"), ("1003A", "2012")] {
        let out = ecolake_in(
            ws.path(),
            &[
                "assess",
                "--data-dir",
                path_str(&data),
                "--site",
                site,
                "--year",
                year,
            ],
        );
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains(site) && err.contains(year), "{err}");
    }
}
