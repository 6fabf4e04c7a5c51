//! The PRSA Beijing multi-site files, read from /work/shared/data (never copied into the repo).

use std::io::Read;
use std::path::{Path, PathBuf};

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::TimestampMillisecondType;
use ecolake_ingest::{read_file, FileBatches, FileFormat, HourLabel, ImportError, ImportOptions};
use ecolake_model::observation::write_schema;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/data/beijing_multisite_prsa"
);

const STATIONS: [&str; 12] = [
    "Aotizhongxin",
    "Changping",
    "Dingling",
    "Dongsi",
    "Guanyuan",
    "Gucheng",
    "Huairou",
    "Nongzhanguan",
    "Shunyi",
    "Tiantan",
    "Wanliu",
    "Wanshouxigong",
];

/// Measurement columns of the file (indices 5..=16) and their factor codes.
const FACTORS: [(&str, &str); 12] = [
    ("PM2.5", "a34004"),
    ("PM10", "a34002"),
    ("SO2", "a21026"),
    ("NO2", "a21004"),
    ("CO", "a21005"),
    ("O3", "a05024"),
    ("TEMP", "a01001"),
    ("PRES", "a01006"),
    ("DEWP", "x01001"),
    ("RAIN", "x01002"),
    ("wd", "a01008"),
    ("WSPM", "a01007"),
];

fn data_file(station: &str) -> PathBuf {
    Path::new(DIR).join(format!("PRSA_Data_{station}_20130301-20170228.csv.gz"))
}

fn prsa() -> ImportOptions {
    ImportOptions {
        format: Some(FileFormat::Prsa),
        ..ImportOptions::default()
    }
}

/// The decompressed text of a data file, read independently of the importer.
fn raw_text(path: &Path) -> String {
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// One output row.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    time: i64,
    site: String,
    factor: String,
    period: String,
    value: f64,
    source: String,
}

fn rows(parsed: &FileBatches) -> Vec<Row> {
    let mut out = Vec::new();
    for b in &parsed.batches {
        assert_eq!(b.schema(), write_schema());
        let text = |i: usize| b.column(i).as_string::<i32>().clone();
        let time = b.column(0).as_primitive::<TimestampMillisecondType>();
        let (site, factor, period, source) = (text(1), text(2), text(3), text(11));
        let value = b.column(4).as_primitive::<arrow::datatypes::Float64Type>();
        for i in 5..11 {
            assert_eq!(
                b.column(i).null_count(),
                b.num_rows(),
                "column {i} is all null"
            );
        }
        for i in 0..b.num_rows() {
            assert!(value.is_valid(i));
            out.push(Row {
                time: time.value(i),
                site: site.value(i).to_owned(),
                factor: factor.value(i).to_owned(),
                period: period.value(i).to_owned(),
                value: value.value(i),
                source: source.value(i).to_owned(),
            });
        }
    }
    out
}

fn batch_rows(batches: &[RecordBatch]) -> u64 {
    batches.iter().map(|b| b.num_rows() as u64).sum()
}

#[test]
fn dongsi() {
    let path = data_file("Dongsi");
    let parsed = read_file(&path, &prsa()).unwrap();
    assert_eq!(parsed.input_rows, 35_064);
    assert_eq!(parsed.rejected_count, 0, "{:?}", parsed.rejected);
    assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
    assert_eq!(parsed.rows, batch_rows(&parsed.batches));
    assert!(parsed.batches.iter().all(|b| b.num_rows() <= 65_536));
    let rows = rows(&parsed);
    assert_eq!(rows.len() as u64, parsed.rows);
    let source = "import:PRSA_Data_Dongsi_20130301-20170228.csv.gz";
    assert!(rows
        .iter()
        .all(|r| r.site == "1003A" && r.period == "hour" && r.source == source));

    // The raw CSV text: header and first row as read with our own eyes.
    let text = raw_text(&path);
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "\"No\",\"year\",\"month\",\"day\",\"hour\",\"PM2.5\",\"PM10\",\"SO2\",\"NO2\",\"CO\",\
         \"O3\",\"TEMP\",\"PRES\",\"DEWP\",\"RAIN\",\"wd\",\"WSPM\",\"station\""
    );
    assert_eq!(
        lines.next().unwrap(),
        "1,2013,3,1,0,9,9,3,17,300,89,-0.5,1024.5,-21.4,0,\"NNW\",5.7,\"Dongsi\""
    );
    // 2013-03-01 00:00 Beijing time (UTC+8) = 2013-02-28T16:00:00Z.
    let t0 = 1_362_067_200_000;
    assert_eq!(
        chrono::DateTime::from_timestamp_millis(t0)
            .unwrap()
            .to_rfc3339(),
        "2013-02-28T16:00:00+00:00"
    );
    let first: Vec<(&str, f64)> = rows
        .iter()
        .take_while(|r| r.time == t0)
        .map(|r| (r.factor.as_str(), r.value))
        .collect();
    assert_eq!(
        first,
        [
            ("a34004", 9.0),
            ("a34002", 9.0),
            ("a21026", 3.0),
            ("a21004", 17.0),
            ("a21005", 0.3), // CO 300 µg/m³ = 0.3 mg/m³
            ("a05024", 89.0),
            ("a01001", -0.5),
            ("a01006", 102.45), // 1024.5 hPa = 102.45 kPa
            ("x01001", -21.4),
            ("x01002", 0.0),
            ("a01008", 337.5), // NNW
            ("a01007", 5.7),
        ]
    );
    // Row 3 (02:00 local) has SO2 = NA; row 4 (03:00) CO and O3 = NA.
    let at = |h: i64| -> Vec<&str> {
        rows.iter()
            .filter(|r| r.time == t0 + h * 3_600_000)
            .map(|r| r.factor.as_str())
            .collect()
    };
    assert!(!at(2).contains(&"a21026") && at(2).len() == 11);
    assert!(!at(3).contains(&"a21005") && !at(3).contains(&"a05024") && at(3).len() == 10);

    // NA handling: one output row per non-NA cell, counted from the text per column.
    let mut expected = [0u64; 12];
    let mut data_lines = 0;
    for line in text.lines().skip(1) {
        data_lines += 1;
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells.len(), 18);
        for (k, cell) in cells[5..17].iter().enumerate() {
            if *cell != "NA" {
                expected[k] += 1;
            }
        }
    }
    assert_eq!(data_lines, 35_064);
    let total: u64 = expected.iter().sum();
    assert_eq!(parsed.rows, total);
    for ((column, code), want) in FACTORS.iter().zip(expected) {
        let got = rows.iter().filter(|r| r.factor == *code).count() as u64;
        assert_eq!(got, want, "{column} ({code})");
    }
    // Strictly hourly, first and last hour.
    let times: Vec<i64> = rows.iter().map(|r| r.time).collect();
    assert!(times
        .windows(2)
        .all(|w| w[1] - w[0] == 0 || w[1] - w[0] == 3_600_000));
    assert_eq!(*times.last().unwrap(), t0 + 35_063 * 3_600_000);
}

#[test]
fn hour_label_end_moves_back_one_hour() {
    let path = data_file("Dongsi");
    let options = ImportOptions {
        hour_label: HourLabel::End,
        batch_rows: 1_000,
        ..prsa()
    };
    let parsed = read_file(&path, &options).unwrap();
    assert!(parsed.batches.iter().all(|b| b.num_rows() <= 1_000));
    let first = rows(&parsed)[0].clone();
    assert_eq!(first.time, 1_362_067_200_000 - 3_600_000);
}

#[test]
fn all_twelve_stations() {
    let stations = std::fs::read_to_string(Path::new(DIR).join("beijing_stations.csv")).unwrap();
    let mut total = 0;
    for station in STATIONS {
        let code = stations
            .lines()
            .find_map(|l| {
                let cells: Vec<&str> = l.split(',').collect();
                (cells[1] == station).then(|| cells[0].to_owned())
            })
            .unwrap();
        let parsed = read_file(&data_file(station), &prsa()).unwrap();
        assert_eq!(parsed.input_rows, 35_064, "{station}");
        assert_eq!(parsed.rejected_count, 0, "{station}: {:?}", parsed.rejected);
        for b in &parsed.batches {
            let site = b.column(1).as_string::<i32>();
            assert!(site.iter().all(|s| s == Some(code.as_str())), "{station}");
        }
        // One row per non-NA measurement cell, counted from the text.
        let cells = raw_text(&data_file(station))
            .lines()
            .skip(1)
            .flat_map(|l| l.split(',').skip(5).take(12).filter(|c| *c != "NA"))
            .count();
        assert_eq!(parsed.rows, cells as u64, "{station}");
        total += parsed.rows;
    }
    // 12 × 35,064 × 12 = 5,049,216 cells, of which 74,027 are NA (checked with awk).
    assert_eq!(total, 4_975_189);
}

/// Writes a small PRSA-shaped file and a station list into a temp dir.
fn small(rows: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("PRSA_Data_Test.csv");
    let mut text = String::from(
        "\"No\",\"year\",\"month\",\"day\",\"hour\",\"PM2.5\",\"PM10\",\"SO2\",\"NO2\",\"CO\",\
         \"O3\",\"TEMP\",\"PRES\",\"DEWP\",\"RAIN\",\"wd\",\"WSPM\",\"station\"\n",
    );
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    std::fs::write(&path, text).unwrap();
    std::fs::write(
        dir.path().join("beijing_stations.csv"),
        "stationcode,prsa_station,name_zh\n1003A,Dongsi,东四\n1012A,Gucheng,古城\n",
    )
    .unwrap();
    (dir, path)
}

#[test]
fn bad_values_and_rows_are_rejected_with_reasons() {
    let (_dir, path) = small(&[
        "1,2013,3,1,0,9,9,3,17,300,89,-0.5,1024.5,-21.4,0,\"NNW\",5.7,\"Dongsi\"",
        "2,2013,3,1,1,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,NA,\"Gucheng\"",
        "3,2013,3,1,2,7,7,3,17,300,60,-1.2,1025.3,-24.6,0,\"CALM\",5.3,\"Dongsi\"",
        "4,2013,3,1,3,3,x3,5,18,NA,NA,-1.4,1026.2,-25.5,0,\"N\",4.9,\"Dongsi\"",
        "5,2013,3,1,4,3,3,5,18,NA,NA,-1.4,1026.2,-25.5,0,\"N\",4.9,\"Haidian\"",
        "6,2013,2,30,5,3,3,5,18,NA,NA,-1.4,1026.2,-25.5,0,\"N\",4.9,\"Dongsi\"",
        "7,2013,3,1,24,3,3,5,18,NA,NA,-1.4,1026.2,-25.5,0,\"N\",4.9,\"Dongsi\"",
        "8,2013,3,1,7,3,3,5,18,NA,NA,-1.4,1026.2,-25.5,0,\"N\",4.9",
    ]);
    let parsed = read_file(&path, &prsa()).unwrap();
    assert_eq!(parsed.input_rows, 8);
    // Row 1: 12 values; row 2: none (all NA, not an error); row 3: 11 (wd rejected);
    // row 4: 9 (PM10 rejected, CO and O3 NA).
    assert_eq!(parsed.rows, 12 + 11 + 9);
    let rejected: Vec<(u64, &str)> = parsed
        .rejected
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect();
    assert_eq!(
        rejected,
        [
            (4, "column `wd`: `CALM` is not a 16-point compass direction"),
            (5, "column `PM10`: `x3` is not a number"),
            (
                6,
                "column `station`: `Haidian` is not in beijing_stations.csv"
            ),
            (7, "year, month, day 2013-2-30 is not a date"),
            (8, "column `hour`: 24 is not an hour (0–23)"),
            (9, "the row has 17 fields, the header 18"),
        ]
    );
    assert_eq!(parsed.rejected_count, 6);
    let r = rows(&parsed);
    assert!(r
        .iter()
        .all(|r| r.site == "1003A" && r.source == "import:PRSA_Data_Test.csv"));
}

#[test]
fn station_list_option_and_errors() {
    let (dir, path) =
        small(&["1,2013,3,1,0,9,9,3,17,300,89,-0.5,1024.5,-21.4,0,\"NNW\",5.7,\"Dongsi\""]);
    // An explicit list elsewhere.
    let other = dir.path().join("other.csv");
    std::fs::write(&other, "prsa_station,stationcode\nDongsi,X1\n").unwrap();
    let parsed = read_file(
        &path,
        &ImportOptions {
            stations: Some(other.clone()),
            ..prsa()
        },
    )
    .unwrap();
    assert_eq!(rows(&parsed)[0].site, "X1");
    // A missing list is an error naming it.
    let missing = dir.path().join("nope.csv");
    let e = read_file(
        &path,
        &ImportOptions {
            stations: Some(missing.clone()),
            ..prsa()
        },
    )
    .unwrap_err();
    assert!(
        matches!(&e, ImportError::Open { path, .. } if *path == missing),
        "{e}"
    );
    assert!(e.to_string().contains("nope.csv"), "{e}");
    // A list without the needed columns.
    std::fs::write(&other, "code,name\n1003A,Dongsi\n").unwrap();
    let e = read_file(
        &path,
        &ImportOptions {
            stations: Some(other),
            ..prsa()
        },
    )
    .unwrap_err();
    assert!(matches!(&e, ImportError::Stations { .. }), "{e}");
    assert!(e.to_string().contains("`stationcode`"), "{e}");
    // A data file without the PRSA key columns.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "time,site,factor,period,value\n").unwrap();
    let e = read_file(&bad, &prsa()).unwrap_err();
    assert!(matches!(&e, ImportError::Header { .. }), "{e}");
    assert!(
        e.to_string().contains("`year`") && e.to_string().contains("`station`"),
        "{e}"
    );
}

#[test]
fn prsa_is_never_detected() {
    // By name the file is plain CSV; read as such it lacks the long columns.
    let e = read_file(&data_file("Dongsi"), &ImportOptions::default()).unwrap_err();
    assert!(matches!(&e, ImportError::Header { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("missing required columns `time`, `site`, `factor`, `period`"),
        "{e}"
    );
}
