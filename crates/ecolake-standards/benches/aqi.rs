//! China real-time AQI for 10 million station-hours (6 pollutants, ~2 % missing values) with
//! the columnar API, per edition; plus the scalar report for comparison.
//!
//! `cargo bench -p ecolake-standards --bench aqi`

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ecolake_standards::aqi::batch::{realtime_batch, Output, RealtimeColumns};
use ecolake_standards::aqi::cn::{self, Edition};

const ROWS: usize = 10_000_000;

/// A small deterministic generator (xorshift64*), so the data is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Concentrations shaped like CNEMC hours: integers in µg/m³ (CO one decimal, mg/m³), a long
/// tail, and 2 % missing (NaN).
fn column(rng: &mut Rng, scale: f64, decimals: f64) -> Vec<f64> {
    (0..ROWS)
        .map(|_| {
            if rng.next() < 0.02 {
                f64::NAN
            } else {
                let u = rng.next();
                ((scale * u * u * 4.0) * decimals).round() / decimals
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let so2 = column(&mut rng, 30.0, 1.0);
    let no2 = column(&mut rng, 60.0, 1.0);
    let co = column(&mut rng, 1.5, 10.0);
    let o3 = column(&mut rng, 120.0, 1.0);
    let pm10 = column(&mut rng, 120.0, 1.0);
    let pm25 = column(&mut rng, 80.0, 1.0);
    let cols = RealtimeColumns {
        so2: &so2,
        no2: &no2,
        co: &co,
        o3: &o3,
        pm10: &pm10,
        pm25: &pm25,
        so2_24h: None,
    };
    let mut aqi = vec![0u16; ROWS];
    let mut level = vec![0u8; ROWS];
    let mut primary = vec![0u8; ROWS];

    let mut group = c.benchmark_group("cn_realtime_10M_station_hours");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.sample_size(10);
    for edition in Edition::ALL {
        group.bench_function(edition.name(), |b| {
            b.iter(|| {
                let out = Output {
                    aqi: &mut aqi,
                    level: &mut level,
                    primary: &mut primary,
                };
                realtime_batch(edition, black_box(&cols), out).expect("valid data");
            })
        });
    }
    group.finish();

    // The scalar report (allocates its sub-index list) on the first 100,000 rows.
    let n = 100_000;
    let opt = |v: f64| if v.is_nan() { None } else { Some(v) };
    let hours: Vec<cn::Realtime> = (0..n)
        .map(|i| cn::Realtime {
            so2: opt(so2[i]),
            no2: opt(no2[i]),
            co: opt(co[i]),
            o3: opt(o3[i]),
            pm10: opt(pm10[i]),
            pm25: opt(pm25[i]),
            so2_24h: None,
        })
        .collect();
    let mut group = c.benchmark_group("cn_realtime_scalar_100k");
    group.throughput(Throughput::Elements(n as u64));
    group.sample_size(10);
    group.bench_function("HJ 633-2012", |b| {
        b.iter_batched(
            || (),
            |()| {
                let mut sum = 0u64;
                for h in &hours {
                    let r = cn::realtime(Edition::Hj633_2012, black_box(h)).expect("valid");
                    sum += u64::from(r.aqi.unwrap_or(0));
                }
                sum
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
