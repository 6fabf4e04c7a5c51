//! Property tests: the AQI never falls when a concentration rises; the columnar API equals the
//! scalar one row by row; IAQIs of random three-decimal concentrations equal exact rational
//! arithmetic; EPA sub-indices are monotone.

use ecolake_standards::aqi::batch::{
    daily_batch, iaqi_batch, realtime_batch, DailyColumns, Output, RealtimeColumns, AQI_NA,
};
use ecolake_standards::aqi::cn::{self, Daily, Edition, Realtime};
use ecolake_standards::aqi::epa::{self, EpaTable};
use ecolake_standards::aqi::{Averaging, Pollutant};
use proptest::prelude::*;

fn edition() -> impl Strategy<Value = Edition> {
    prop_oneof![Just(Edition::Hj633_2012), Just(Edition::Hj633_2026)]
}

/// A concentration: a decimal with up to three places (as monitors report), or any `f64`.
fn conc(max: f64) -> impl Strategy<Value = f64> {
    let milli = (max * 1000.0) as u64;
    prop_oneof![
        3 => (0..=milli).prop_map(|m| m as f64 / 1000.0),
        2 => (0..=(max as u64)).prop_map(|m| m as f64),
        1 => 0.0..max,
    ]
}

fn opt(max: f64) -> impl Strategy<Value = Option<f64>> {
    proptest::option::weighted(0.9, conc(max))
}

/// Real-time inputs; SO2 up to 1000 µg/m³ unless `so2_max` says otherwise.
fn realtime(so2_max: f64) -> impl Strategy<Value = Realtime> {
    (
        opt(so2_max),
        opt(1500.0),
        opt(60.0),
        opt(1400.0),
        opt(700.0),
        opt(600.0),
        opt(3000.0),
    )
        .prop_map(|(so2, no2, co, o3, pm10, pm25, so2_24h)| Realtime {
            so2,
            no2,
            co,
            o3,
            pm10,
            pm25,
            so2_24h,
        })
}

fn daily(o3_8h_max: f64) -> impl Strategy<Value = Daily> {
    (
        opt(3000.0),
        opt(1000.0),
        opt(70.0),
        opt(700.0),
        opt(600.0),
        opt(1400.0),
        opt(o3_8h_max),
    )
        .prop_map(|(so2, no2, co, pm10, pm25, o3_1h_max, o3_8h_max)| Daily {
            so2,
            no2,
            co,
            pm10,
            pm25,
            o3_1h_max,
            o3_8h_max,
        })
}

fn raise(v: Option<f64>, by: f64) -> Option<f64> {
    v.map(|c| c + by)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn realtime_aqi_is_monotone(e in edition(), h in realtime(800.0), which in 0usize..6, by in conc(300.0)) {
        // SO2 stays at or below 800 µg/m³: above it HJ 633-2012 swaps in another average.
        let mut up = h;
        match which {
            0 => up.so2 = raise(h.so2, by).map(|c| c.min(800.0)),
            1 => up.no2 = raise(h.no2, by),
            2 => up.co = raise(h.co, by / 10.0),
            3 => up.o3 = raise(h.o3, by),
            4 => up.pm10 = raise(h.pm10, by),
            _ => up.pm25 = raise(h.pm25, by),
        }
        let (a, b) = (cn::realtime(e, &h).unwrap(), cn::realtime(e, &up).unwrap());
        prop_assert!(b.max_iaqi >= a.max_iaqi, "{:?} -> {:?}", a.max_iaqi, b.max_iaqi);
        prop_assert!(b.aqi >= a.aqi, "{:?} -> {:?}", a.aqi, b.aqi); // None (NA) < Some
        prop_assert!(b.level >= a.level);
    }

    #[test]
    fn daily_aqi_is_monotone(e in edition(), d in daily(800.0), which in 0usize..7, by in conc(300.0)) {
        let mut up = d;
        match which {
            0 => up.so2 = raise(d.so2, by),
            1 => up.no2 = raise(d.no2, by),
            2 => up.co = raise(d.co, by / 10.0),
            3 => up.pm10 = raise(d.pm10, by),
            4 => up.pm25 = raise(d.pm25, by),
            5 => up.o3_1h_max = raise(d.o3_1h_max, by),
            _ => up.o3_8h_max = raise(d.o3_8h_max, by).map(|c| c.min(800.0)),
        }
        let (a, b) = (cn::daily(e, &d).unwrap(), cn::daily(e, &up).unwrap());
        prop_assert!(b.max_iaqi >= a.max_iaqi && b.aqi >= a.aqi);
    }

    #[test]
    fn iaqi_of_three_decimals_is_the_exact_ceiling(e in edition(), t in 0usize..10, frac in 0.0f64..1.1) {
        use Averaging::{Hour1 as H1, Hour24 as H24, Hour8 as H8};
        let (p, a) = [
            (Pollutant::So2, H24), (Pollutant::So2, H1), (Pollutant::No2, H24), (Pollutant::No2, H1),
            (Pollutant::Co, H24), (Pollutant::Co, H1), (Pollutant::O3, H1), (Pollutant::O3, H8),
            (Pollutant::Pm10, H24), (Pollutant::Pm25, H24),
        ][t];
        let points = cn::breakpoints(e, p, a).unwrap();
        let top = i64::from(points[points.len() - 1].concentration) * 1000;
        let mut milli = (frac * top as f64) as i64;
        if e == Edition::Hj633_2026 {
            // GB/T 8170 half-even onto 1 µg/m³ (CO 0.1 mg/m³), in integers.
            let step = if p == Pollutant::Co { 100 } else { 1000 };
            let (q, r) = (milli / step, milli % step);
            let q = if 2 * r > step || (2 * r == step && q % 2 == 1) { q + 1 } else { q };
            let rounded = q * step;
            let got = cn::iaqi(e, p, a, milli as f64 / 1000.0).unwrap();
            let again = cn::iaqi(e, p, a, rounded as f64 / 1000.0).unwrap();
            prop_assert_eq!(got, again);
            milli = rounded;
        }
        prop_assume!(milli <= top);
        let k = points.windows(2).position(|w| milli <= i64::from(w[1].concentration) * 1000).unwrap();
        let (lo, hi) = (points[k], points[k + 1]);
        let num = i64::from(hi.iaqi - lo.iaqi) * (milli - i64::from(lo.concentration) * 1000);
        let den = i64::from(hi.concentration - lo.concentration) * 1000;
        let want = i64::from(lo.iaqi) + (num + den - 1) / den;
        let got = cn::iaqi(e, p, a, milli as f64 / 1000.0).unwrap().map(i64::from);
        prop_assert_eq!(got, Some(want), "{:?} {} {} at {}e-3", e, p, a, milli);
    }

    #[test]
    fn iaqi_batch_equals_scalar(e in edition(), values in proptest::collection::vec(proptest::option::of(conc(900.0)), 1..50)) {
        let col: Vec<f64> = values.iter().map(|v| v.unwrap_or(f64::NAN)).collect();
        let mut out = vec![0u16; col.len()];
        iaqi_batch(e, Pollutant::O3, Averaging::Hour8, &col, &mut out).unwrap();
        for (v, o) in values.iter().zip(&out) {
            let want = v.and_then(|c| cn::iaqi(e, Pollutant::O3, Averaging::Hour8, c).unwrap());
            prop_assert_eq!(want.unwrap_or(AQI_NA), *o);
        }
    }

    #[test]
    fn epa_sub_indices_are_monotone(t in any::<bool>(), which in 0usize..6, c in conc(700.0), by in conc(50.0)) {
        use Averaging::{Hour1 as H1, Hour24 as H24, Hour8 as H8};
        let table = if t { EpaTable::Epa2024 } else { EpaTable::Epa2012 };
        let (p, a, scale) = [
            (Pollutant::O3, H1, 1000.0), (Pollutant::Pm25, H24, 1.0), (Pollutant::Pm10, H24, 1.0),
            (Pollutant::Co, H8, 10.0), (Pollutant::No2, H1, 1.0), (Pollutant::So2, H24, 1.0),
        ][which];
        let f = |c: f64| epa::sub_index(table, p, a, c / scale).unwrap();
        prop_assert!(f(c + by) >= f(c), "{} {} {} at {}", table, p, a, c / scale);
    }
}

proptest! {
    // Up to 700 rows per case (the columnar loop works in chunks of 512).
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn realtime_batch_equals_scalar(
        e in edition(),
        rows in proptest::collection::vec(realtime(1000.0), 1..700),
        with_24h in any::<bool>(),
    ) {
        let col = |f: fn(&Realtime) -> Option<f64>| -> Vec<f64> {
            rows.iter().map(|h| f(h).unwrap_or(f64::NAN)).collect()
        };
        let so2_24h = col(|h| h.so2_24h);
        let cols = RealtimeColumns {
            so2: &col(|h| h.so2), no2: &col(|h| h.no2), co: &col(|h| h.co), o3: &col(|h| h.o3),
            pm10: &col(|h| h.pm10), pm25: &col(|h| h.pm25),
            so2_24h: with_24h.then_some(&so2_24h[..]),
        };
        let n = rows.len();
        let (mut aqi, mut level, mut primary) = (vec![0; n], vec![0; n], vec![0; n]);
        realtime_batch(e, &cols, Output { aqi: &mut aqi, level: &mut level, primary: &mut primary }).unwrap();
        for (i, h) in rows.iter().enumerate() {
            let h = Realtime { so2_24h: if with_24h { h.so2_24h } else { None }, ..*h };
            let r = cn::realtime(e, &h).unwrap();
            prop_assert_eq!(r.aqi.unwrap_or(AQI_NA), aqi[i], "row {}: {:?}", i, h);
            prop_assert_eq!(r.level.map_or(0, |l| l.number()), level[i]);
            prop_assert_eq!(r.primary.bits(), primary[i]);
        }
    }

    #[test]
    fn daily_batch_equals_scalar(
        e in edition(),
        rows in proptest::collection::vec(daily(1000.0), 1..700),
        with_1h in any::<bool>(),
    ) {
        let col = |f: fn(&Daily) -> Option<f64>| -> Vec<f64> {
            rows.iter().map(|d| f(d).unwrap_or(f64::NAN)).collect()
        };
        let o3_1h = col(|d| d.o3_1h_max);
        let cols = DailyColumns {
            so2: &col(|d| d.so2), no2: &col(|d| d.no2), co: &col(|d| d.co),
            pm10: &col(|d| d.pm10), pm25: &col(|d| d.pm25),
            o3_1h_max: with_1h.then_some(&o3_1h[..]), o3_8h_max: &col(|d| d.o3_8h_max),
        };
        let n = rows.len();
        let (mut aqi, mut level, mut primary) = (vec![0; n], vec![0; n], vec![0; n]);
        daily_batch(e, &cols, Output { aqi: &mut aqi, level: &mut level, primary: &mut primary }).unwrap();
        for (i, d) in rows.iter().enumerate() {
            let d = Daily { o3_1h_max: if with_1h { d.o3_1h_max } else { None }, ..*d };
            let r = cn::daily(e, &d).unwrap();
            prop_assert_eq!(r.aqi.unwrap_or(AQI_NA), aqi[i], "row {}: {:?}", i, d);
            prop_assert_eq!(r.level.map_or(0, |l| l.number()), level[i]);
            prop_assert_eq!(r.primary.bits(), primary[i]);
        }
    }
}

#[test]
fn batch_rejects_bad_values_and_lengths() {
    use ecolake_standards::Error;
    let ok = [1.0, 2.0];
    let bad = [1.0, -2.0];
    let cols = RealtimeColumns {
        so2: &ok,
        no2: &ok,
        co: &ok,
        o3: &ok,
        pm10: &bad,
        pm25: &ok,
        so2_24h: None,
    };
    let (mut aqi, mut level, mut primary) = ([0u16; 2], [0u8; 2], [0u8; 2]);
    let out = Output {
        aqi: &mut aqi,
        level: &mut level,
        primary: &mut primary,
    };
    let err = realtime_batch(Edition::Hj633_2012, &cols, out).unwrap_err();
    assert!(
        matches!(err, Error::Negative { what: "PM10", .. }),
        "{err:?}"
    );
    let inf = [f64::INFINITY, 1.0];
    let cols = RealtimeColumns {
        so2: &ok,
        no2: &ok,
        co: &ok,
        o3: &ok,
        pm10: &ok,
        pm25: &ok,
        so2_24h: Some(&inf),
    };
    let out = Output {
        aqi: &mut aqi,
        level: &mut level,
        primary: &mut primary,
    };
    assert!(matches!(
        realtime_batch(Edition::Hj633_2012, &cols, out),
        Err(Error::NotFinite { .. })
    ));
    let short = [1.0];
    let cols = RealtimeColumns {
        so2: &ok,
        no2: &short,
        co: &ok,
        o3: &ok,
        pm10: &ok,
        pm25: &ok,
        so2_24h: None,
    };
    let out = Output {
        aqi: &mut aqi,
        level: &mut level,
        primary: &mut primary,
    };
    assert!(matches!(
        realtime_batch(Edition::Hj633_2026, &cols, out),
        Err(Error::Inconsistent { .. })
    ));
}
