//! Emission loads and the reference-oxygen conversion, with hand-computed values.

use ecolake_standards::emission::{
    gas_load_kg, gas_load_kg_hourly, gas_rate_kg_per_h, reference_oxygen_mg_m3, water_load_kg,
};
use ecolake_standards::Error;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn gas_loads() {
    // 35 mg/m³ × 200 000 m³/h = 7 000 000 mg/h = 7 kg/h; over 720 h: 5040 kg.
    assert!(close(gas_rate_kg_per_h(35.0, 200_000.0).unwrap(), 7.0));
    assert!(close(gas_load_kg(35.0, 200_000.0, 720.0).unwrap(), 5040.0));
    // Hourly pairs: 10·1e5 + 20·2e5 + 0·3e5 mg = 5e6 mg = 5 kg.
    let hours = [(10.0, 100_000.0), (20.0, 200_000.0), (0.0, 300_000.0)];
    assert!(close(gas_load_kg_hourly(&hours).unwrap(), 5.0));
    assert_eq!(gas_load_kg_hourly(&[]).unwrap(), 0.0);
}

#[test]
fn water_loads() {
    // 60 mg/L × 1000 m³ = 60 g/m³ × 1000 m³ = 60 kg.
    assert!(close(water_load_kg(60.0, 1000.0).unwrap(), 60.0));
    // 0.5 mg/L NH3-N × 20 000 m³ = 10 kg.
    assert!(close(water_load_kg(0.5, 20_000.0).unwrap(), 10.0));
}

#[test]
fn reference_oxygen() {
    // Coal boiler, reference 6 %: 120 mg/m³ at 9 % O2 → 120 × 15/12 = 150.
    assert!(close(
        reference_oxygen_mg_m3(120.0, 9.0, 6.0).unwrap(),
        150.0
    ));
    // Waste incineration, reference 11 %: 80 at 11 % is unchanged; 80 at 16 % → 80 × 10/5 = 160.
    assert!(close(
        reference_oxygen_mg_m3(80.0, 11.0, 11.0).unwrap(),
        80.0
    ));
    assert!(close(
        reference_oxygen_mg_m3(80.0, 16.0, 11.0).unwrap(),
        160.0
    ));
    // Gas boiler, reference 3 %: 30 at 1.2 % → 30 × 18/19.8 = 27.2727…
    assert!(close(
        reference_oxygen_mg_m3(30.0, 1.2, 3.0).unwrap(),
        30.0 * 18.0 / 19.8
    ));
    for (c, o2, reference) in [(1.0, 21.0, 6.0), (1.0, 25.0, 6.0), (1.0, 9.0, 21.0)] {
        assert!(matches!(
            reference_oxygen_mg_m3(c, o2, reference),
            Err(Error::OutOfRange { .. })
        ));
    }
    assert!(matches!(
        reference_oxygen_mg_m3(f64::NAN, 9.0, 6.0),
        Err(Error::NotFinite { .. })
    ));
    assert!(matches!(
        reference_oxygen_mg_m3(10.0, -1.0, 6.0),
        Err(Error::Negative { .. })
    ));
}

#[test]
fn invalid_inputs() {
    assert!(matches!(
        gas_load_kg(-1.0, 1.0, 1.0),
        Err(Error::Negative { .. })
    ));
    assert!(matches!(
        gas_load_kg(1.0, 1.0, f64::INFINITY),
        Err(Error::NotFinite { .. })
    ));
    assert!(matches!(
        water_load_kg(1.0, -5.0),
        Err(Error::Negative { .. })
    ));
    assert!(matches!(
        gas_load_kg_hourly(&[(1.0, 1.0), (f64::NAN, 1.0)]),
        Err(Error::NotFinite { .. })
    ));
}
