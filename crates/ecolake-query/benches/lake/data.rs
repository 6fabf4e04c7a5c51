//! The generated data set, the queries and their expected answers.

use super::*;

pub const MINUTE_MS: i64 = 60_000;
pub const DAY_MS: i64 = 86_400_000;
/// 2024-03-01T00:00:00Z: the first day of the all-sites data.
pub const DAYS_START_MS: i64 = 1_709_251_200_000;
/// 2023-01-01T00:00:00Z: the first day of the year-long site-factor.
pub const YEAR_START_MS: i64 = 1_672_531_200_000;
pub const YEAR_SITE: &str = "Y0001";
pub const YEAR_FACTOR: &str = "a34004";
/// Stations report in China Standard Time: the diurnal cycle follows UTC+8.
pub const LOCAL_OFFSET_MIN: i64 = 8 * 60;

/// How a factor's minute values behave: a per-site level (spread ± `spread` × `level`), a
/// diurnal cycle (relative amplitude `diurnal`, peak at `peak_hour` local time), an AR(1)
/// component (time constant [`AR_MINUTES`], standard deviation `ar` × the site's level) and
/// measurement noise (`noise`, absolute); clamped to `lo..=hi` and rounded to `decimals`.
pub struct FactorModel {
    pub code: &'static str,
    pub decimals: i32,
    pub level: f64,
    pub spread: f64,
    pub diurnal: f64,
    pub peak_hour: f64,
    pub ar: f64,
    pub noise: f64,
    pub lo: f64,
    pub hi: f64,
}

pub const fn model(
    code: &'static str,
    decimals: i32,
    [level, spread, diurnal, peak_hour, ar, noise, lo, hi]: [f64; 8],
) -> FactorModel {
    FactorModel {
        code,
        decimals,
        level,
        spread,
        diurnal,
        peak_hour,
        ar,
        noise,
        lo,
        hi,
    }
}

/// The ten factors of an ambient air station (HJ 212-2017 codes; values in the canonical
/// units: µg/m³, CO mg/m³, °C, %, m/s, kPa).
pub const FACTORS: [FactorModel; 10] = [
    model("a34004", 1, [35.0, 0.5, 0.25, 21.0, 0.35, 1.5, 1.0, 999.9]), // PM2.5
    model("a34002", 1, [65.0, 0.5, 0.25, 20.0, 0.35, 3.0, 2.0, 1999.9]), // PM10
    model("a21026", 1, [9.0, 0.6, 0.2, 11.0, 0.3, 0.5, 1.0, 999.9]),    // SO2
    model("a21004", 1, [32.0, 0.5, 0.35, 8.0, 0.3, 1.5, 1.0, 999.9]),   // NO2
    model("a21005", 3, [0.75, 0.4, 0.2, 8.0, 0.25, 0.02, 0.05, 49.999]), // CO
    model("a05024", 1, [60.0, 0.3, 0.6, 15.0, 0.25, 2.0, 1.0, 999.9]),  // O3
    model("a01001", 1, [12.0, 0.4, 0.4, 14.0, 0.15, 0.1, -40.0, 50.0]), // temperature
    model("a01002", 1, [60.0, 0.2, -0.25, 14.0, 0.1, 0.5, 5.0, 100.0]), // humidity
    model("a01007", 1, [2.5, 0.4, 0.3, 14.0, 0.4, 0.3, 0.0, 40.0]),     // wind speed
    model(
        "a01006",
        2,
        [101.3, 0.02, 0.001, 10.0, 0.002, 0.01, 80.0, 110.0],
    ), // pressure
];
/// Time constant of the autocorrelated component, in minutes.
pub const AR_MINUTES: f64 = 240.0;

pub fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A standard normal variate, approximately (Irwin–Hall with four 16-bit uniforms).
pub fn normal(state: &mut u64) -> f64 {
    let r = splitmix(state);
    let sum = (r & 0xffff) + ((r >> 16) & 0xffff) + ((r >> 32) & 0xffff) + (r >> 48);
    (sum as f64 / 65_536.0 - 2.0) * 3f64.sqrt()
}

/// One site-factor's generator.
pub struct Series {
    pub model: &'static FactorModel,
    pub level: f64,
    pub ar: f64,
    pub ar_step: f64,
    pub rng: u64,
}

impl Series {
    pub fn new(site_seed: u64, factor: usize) -> Series {
        let model = &FACTORS[factor];
        let mut rng = site_seed.wrapping_mul(1_000_003) ^ ((factor as u64 + 1) << 40);
        let u = (splitmix(&mut rng) >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
        let level = model.level * (1.0 + model.spread * u);
        let phi = (-1.0 / AR_MINUTES).exp();
        let sd = model.ar * level;
        Series {
            model,
            level,
            ar: sd * normal(&mut rng),
            ar_step: sd * (1.0 - phi * phi).sqrt(),
            rng,
        }
    }

    /// The value at minute `t_ms` (called once per minute, in time order).
    pub fn next(&mut self, t_ms: i64) -> f64 {
        let m = self.model;
        let local_minute = (t_ms / MINUTE_MS + LOCAL_OFFSET_MIN).rem_euclid(1440);
        let hour = local_minute as f64 / 60.0;
        let cycle = (std::f64::consts::TAU * (hour - m.peak_hour) / 24.0).cos();
        let phi = (-1.0 / AR_MINUTES).exp();
        self.ar = phi * self.ar + self.ar_step * normal(&mut self.rng);
        let v = self.level * (1.0 + m.diurnal * cycle) + self.ar + m.noise * normal(&mut self.rng);
        let scale = 10f64.powi(m.decimals);
        (v.clamp(m.lo, m.hi) * scale).round() / scale
    }
}

/// What the run covers.
#[derive(Debug, Clone)]
pub struct Scale {
    pub bench: bool,
    pub sites: usize,
    pub days: usize,
    pub year_days: usize,
    pub writers: usize,
    pub runs: usize,
}

impl Scale {
    pub fn from_env(bench: bool) -> Scale {
        let var = |name: &str, default: usize| -> usize {
            match std::env::var(name) {
                Ok(v) => v
                    .parse()
                    .unwrap_or_else(|_| panic!("{name}={v}: not a number")),
                Err(_) => default,
            }
        };
        if bench {
            Scale {
                bench,
                sites: var("LAKE_BENCH_SITES", 1000).max(1),
                days: var("LAKE_BENCH_DAYS", 7).max(1),
                year_days: var("LAKE_BENCH_YEAR_DAYS", 365).max(1),
                writers: var("LAKE_BENCH_WRITERS", 6).max(1),
                runs: var("LAKE_BENCH_RUNS", 5).max(1),
            }
        } else {
            Scale {
                bench,
                sites: 20,
                days: 1,
                year_days: 10,
                writers: 4,
                runs: 1,
            }
        }
    }

    pub fn minutes(&self) -> usize {
        self.days * 1440
    }

    pub fn rows(&self) -> u64 {
        (self.minutes() * self.sites * FACTORS.len() + self.year_days * 1440) as u64
    }

    /// The day of query (b): the middle one.
    pub fn query_day(&self) -> usize {
        self.days / 2
    }
}

/// A query's answer: every row as (key, value), the key made of every column but the last.
pub type Answer = Vec<(String, f64)>;

/// The generated write batches.
pub struct Data {
    pub minutes: Vec<RecordBatch>,
    pub year: Vec<RecordBatch>,
}

pub fn site_name(i: usize) -> String {
    format!("S{:04}", i + 1)
}

/// The write schema's columns the benchmark sends (the others are absent: null).
pub fn batch_schema() -> SchemaRef {
    let w = write_schema();
    Arc::new(Schema::new(
        ["time", "site", "factor", "period", "value", "flag"]
            .iter()
            .map(|n| w.field_with_name(n).expect("write schema column").clone())
            .collect::<Vec<_>>(),
    ))
}

pub fn text_column(values: impl Iterator<Item = String>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

/// The write batches and the answers of the three queries computed from them.
pub fn generate(scale: &Scale) -> (Data, [Answer; 3]) {
    let schema = batch_schema();
    let n = scale.sites * FACTORS.len();
    // Rows are site-major, as a station's packet carries every factor of one minute.
    let site = text_column((0..n).map(|i| site_name(i / FACTORS.len())));
    let factor = text_column((0..n).map(|i| FACTORS[i % FACTORS.len()].code.to_owned()));
    let period = text_column((0..n).map(|_| "min".to_owned()));
    let flag = text_column((0..n).map(|_| "N".to_owned()));
    let mut series: Vec<Series> = (0..n)
        .map(|i| Series::new(i as u64 / FACTORS.len() as u64 + 1, i % FACTORS.len()))
        .collect();
    let day = scale.query_day();
    let mut day_sums = vec![0.0; n];
    let mut last = vec![0.0; n];
    let mut minutes = Vec::with_capacity(scale.minutes());
    for m in 0..scale.minutes() {
        let t = DAYS_START_MS + m as i64 * MINUTE_MS;
        let values: Vec<f64> = series.iter_mut().map(|s| s.next(t)).collect();
        if m / 1440 == day {
            for (sum, v) in day_sums.iter_mut().zip(&values) {
                *sum += v;
            }
        }
        last.copy_from_slice(&values);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(TimestampMillisecondArray::from(vec![t; n]).with_timezone("UTC")),
            site.clone(),
            factor.clone(),
            period.clone(),
            Arc::new(Float64Array::from(values)),
            flag.clone(),
        ];
        minutes.push(RecordBatch::try_new(schema.clone(), columns).expect("a valid batch"));
    }

    // The year-long site-factor, written as a backfill: one day per batch.
    let mut year_series = Series::new(0x5EED, 0);
    let site = text_column((0..1440).map(|_| YEAR_SITE.to_owned()));
    let factor = text_column((0..1440).map(|_| YEAR_FACTOR.to_owned()));
    let period = text_column((0..1440).map(|_| "min".to_owned()));
    let flag = text_column((0..1440).map(|_| "N".to_owned()));
    let mut hourly = Vec::with_capacity(scale.year_days * 24);
    let mut year = Vec::with_capacity(scale.year_days);
    let mut year_last = (0, 0.0);
    for d in 0..scale.year_days {
        let times: Vec<i64> = (0..1440)
            .map(|m| YEAR_START_MS + d as i64 * DAY_MS + m * MINUTE_MS)
            .collect();
        let values: Vec<f64> = times.iter().map(|t| year_series.next(*t)).collect();
        for (h, hour) in values.chunks(60).enumerate() {
            let start = times[h * 60];
            hourly.push((start.to_string(), hour.iter().sum::<f64>() / 60.0));
        }
        year_last = (times[1439], values[1439]);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(TimestampMillisecondArray::from(times).with_timezone("UTC")),
            site.clone(),
            factor.clone(),
            period.clone(),
            Arc::new(Float64Array::from(values)),
            flag.clone(),
        ];
        year.push(RecordBatch::try_new(schema.clone(), columns).expect("a valid batch"));
    }

    let key = |i: usize| format!("{}|{}", site_name(i / FACTORS.len()), FACTORS[i % 10].code);
    let daily = (0..n).map(|i| (key(i), day_sums[i] / 1440.0)).collect();
    let last_minute = DAYS_START_MS + (scale.minutes() as i64 - 1) * MINUTE_MS;
    let mut latest: Answer = (0..n)
        .map(|i| (format!("{}|{last_minute}", key(i)), last[i]))
        .collect();
    latest.push((
        format!("{YEAR_SITE}|{YEAR_FACTOR}|{}", year_last.0),
        year_last.1,
    ));
    let mut expected = [hourly, daily, latest];
    for answer in &mut expected {
        answer.sort_by(|a, b| a.0.cmp(&b.0));
    }
    (Data { minutes, year }, expected)
}

/// A UTC time as an SQL literal both engines read the same way (their session time zone
/// is UTC).
pub fn timestamp_sql(ms: i64) -> String {
    let t = arrow::temporal_conversions::timestamp_ms_to_datetime(ms).expect("a valid time");
    format!("TIMESTAMP '{t}'")
}

/// One benchmark query: our SQL, DuckDB's (the same where DuckDB accepts it), and the
/// DuckDB query that fetches its answer with times as epoch milliseconds, for the check.
pub struct Query {
    pub id: &'static str,
    pub title: String,
    pub ours: String,
    pub duckdb: String,
    pub duckdb_fetch: String,
}

pub fn queries(scale: &Scale) -> Vec<Query> {
    let year_end = YEAR_START_MS + scale.year_days as i64 * DAY_MS;
    let a = format!(
        "SELECT date_trunc('hour', time) AS hour, avg(value) AS mean FROM observations \
         WHERE site = '{YEAR_SITE}' AND factor = '{YEAR_FACTOR}' AND period = 'min' \
         AND time >= {} AND time < {} GROUP BY 1 ORDER BY 1",
        timestamp_sql(YEAR_START_MS),
        timestamp_sql(year_end)
    );
    let day = DAYS_START_MS + scale.query_day() as i64 * DAY_MS;
    let b = format!(
        "SELECT site, factor, avg(value) AS mean FROM observations \
         WHERE period = 'min' AND time >= {} AND time < {} \
         GROUP BY site, factor ORDER BY site, factor",
        timestamp_sql(day),
        timestamp_sql(day + DAY_MS)
    );
    let latest = |last: &str| {
        format!(
            "SELECT site, factor, max(time) AS time, {last} AS value FROM observations \
             WHERE period = 'min' GROUP BY site, factor ORDER BY site, factor"
        )
    };
    vec![
        Query {
            id: "a",
            title: format!(
                "(a) hourly means of one site-factor over a year ({} hours)",
                fmt_int(scale.year_days as u64 * 24)
            ),
            duckdb_fetch: format!("SELECT epoch_ms(hour), mean FROM ({a}) q"),
            ours: a.clone(),
            duckdb: a,
        },
        Query {
            id: "b",
            title: format!(
                "(b) daily means of every site and factor for one day ({} rows)",
                fmt_int((scale.sites * FACTORS.len()) as u64)
            ),
            duckdb_fetch: b.clone(),
            ours: b.clone(),
            duckdb: b,
        },
        Query {
            id: "c",
            title: format!(
                "(c) latest value of every site-factor ({} rows)",
                fmt_int((scale.sites * FACTORS.len() + 1) as u64)
            ),
            ours: latest("last_value(value ORDER BY time)"),
            duckdb: latest("arg_max(value, time)"),
            duckdb_fetch: format!(
                "SELECT site, factor, epoch_ms(time), value FROM ({}) q",
                latest("arg_max(value, time)")
            ),
        },
    ]
}

/// An answer from DataFusion batches: every column but the last is part of the key (times
/// as epoch milliseconds), the last is the value.
pub fn answer_of(batches: &[RecordBatch]) -> Answer {
    let mut out = Vec::new();
    for b in batches {
        let n = b.num_columns();
        let keys: Vec<Vec<String>> = b.columns()[..n - 1]
            .iter()
            .map(|c| match c.data_type() {
                DataType::Timestamp(_, tz) => {
                    let ms = cast(c, &DataType::Timestamp(TimeUnit::Millisecond, tz.clone()))
                        .and_then(|ms| cast(&ms, &DataType::Int64))
                        .expect("a time column");
                    let ms = ms.as_primitive::<Int64Type>();
                    (0..ms.len()).map(|i| ms.value(i).to_string()).collect()
                }
                _ => {
                    let s = cast(c, &DataType::Utf8).expect("a text column");
                    let s = s.as_string::<i32>();
                    (0..s.len()).map(|i| s.value(i).to_owned()).collect()
                }
            })
            .collect();
        let values = cast(b.column(n - 1), &DataType::Float64).expect("a numeric column");
        let values = values.as_primitive::<Float64Type>();
        for row in 0..b.num_rows() {
            let key: Vec<&str> = keys.iter().map(|k| k[row].as_str()).collect();
            out.push((key.join("|"), values.value(row)));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

pub fn close_enough(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) + 1e-12
}

/// Checks two answers row by row (same keys, values within 1e-9 relative).
pub fn compare(what: &str, got: &Answer, want: &Answer) -> Result<(), String> {
    if got.len() != want.len() {
        return Err(format!(
            "{what}: {} rows, expected {}",
            got.len(),
            want.len()
        ));
    }
    let bad: Vec<String> = got
        .iter()
        .zip(want)
        .filter(|((gk, gv), (wk, wv))| gk != wk || !close_enough(*gv, *wv))
        .take(5)
        .map(|(g, w)| format!("got {g:?}, expected {w:?}"))
        .collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(format!("{what}: answers differ: {}", bad.join("; ")))
    }
}

pub fn checksum(answer: &Answer) -> f64 {
    answer.iter().map(|(_, v)| v).sum()
}
