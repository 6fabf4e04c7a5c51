//! Emission loads from concentration and flow, and the reference-oxygen conversion of flue-gas
//! concentrations (CEMS practice; HJ 75-2017 text not obtained, formulas from
//! `shared/standards/cems_notes.json`, the oxygen conversion verified in two sources).
//!
//! Units are in the function names: flue gas in mg/m³ (standard state, dry) × m³/h (standard
//! state, dry) × hours gives kg; wastewater in mg/L × m³ gives kg.
//!
//! ```
//! use ecolake_standards::emission;
//!
//! // 50 mg/m³ × 100 000 m³/h × 24 h = 120 kg.
//! let kg = emission::gas_load_kg(50.0, 100_000.0, 24.0)?;
//! assert!((kg - 120.0).abs() < 1e-9);
//! // 120 mg/m³ measured at 9 % O2, coal boiler reference 6 %: 120 × 15/12 = 150 mg/m³.
//! let c = emission::reference_oxygen_mg_m3(120.0, 9.0, 6.0)?;
//! assert!((c - 150.0).abs() < 1e-9);
//! # Ok::<(), ecolake_standards::Error>(())
//! ```

use crate::Error;

/// Milligrams per kilogram.
const MG_PER_KG: f64 = 1e6;
/// Litres per cubic metre.
const L_PER_M3: f64 = 1e3;

/// The emission rate of flue gas in kg/h: `C [mg/m³] × Q [m³/h] × 10⁻⁶`.
///
/// # Errors
/// [`Error::NotFinite`] or [`Error::Negative`] for such inputs.
pub fn gas_rate_kg_per_h(concentration_mg_m3: f64, flow_m3_per_h: f64) -> Result<f64, Error> {
    check("concentration (mg/m3)", concentration_mg_m3)?;
    check("flow (m3/h)", flow_m3_per_h)?;
    Ok(concentration_mg_m3 * flow_m3_per_h / MG_PER_KG)
}

/// The load of flue gas in kg over a period: `C [mg/m³] × Q [m³/h] × t [h] × 10⁻⁶`.
///
/// # Errors
/// [`Error::NotFinite`] or [`Error::Negative`] for such inputs.
pub fn gas_load_kg(concentration_mg_m3: f64, flow_m3_per_h: f64, hours: f64) -> Result<f64, Error> {
    check("duration (h)", hours)?;
    Ok(gas_rate_kg_per_h(concentration_mg_m3, flow_m3_per_h)? * hours)
}

/// The load of flue gas in kg over consecutive hours, each given as `(C [mg/m³], Q [m³/h])` for
/// one hour: `Σ Cᵢ·Qᵢ × 10⁻⁶`.
///
/// # Errors
/// [`Error::NotFinite`] or [`Error::Negative`] for any input.
pub fn gas_load_kg_hourly(hours: &[(f64, f64)]) -> Result<f64, Error> {
    hours
        .iter()
        .try_fold(0.0, |sum, &(c, q)| Ok(sum + gas_rate_kg_per_h(c, q)?))
}

/// The load of wastewater in kg: `C [mg/L] × V [m³] × 10³ L/m³ × 10⁻⁶ kg/mg = C·V/1000`.
///
/// # Errors
/// [`Error::NotFinite`] or [`Error::Negative`] for such inputs.
pub fn water_load_kg(concentration_mg_l: f64, volume_m3: f64) -> Result<f64, Error> {
    check("concentration (mg/L)", concentration_mg_l)?;
    check("volume (m3)", volume_m3)?;
    Ok(concentration_mg_l * volume_m3 * L_PER_M3 / MG_PER_KG)
}

/// Converts a measured flue-gas concentration to the reference oxygen content of the sector's
/// emission standard (e.g. coal boilers 6 %, oil and gas boilers 3 %, waste incineration 11 %):
/// `C_ref = C · (21 − O2_ref)/(21 − O2_meas)`, oxygen in volume per cent.
///
/// The concentration's unit is kept (mg/m³ in CEMS practice).
///
/// # Errors
/// [`Error::NotFinite`] or [`Error::Negative`] for such inputs; [`Error::OutOfRange`] when either
/// oxygen content is 21 % or more (the formula needs `21 − O2 > 0`).
pub fn reference_oxygen_mg_m3(
    measured_mg_m3: f64,
    measured_o2_pct: f64,
    reference_o2_pct: f64,
) -> Result<f64, Error> {
    check("concentration (mg/m3)", measured_mg_m3)?;
    check("measured O2 (%)", measured_o2_pct)?;
    check("reference O2 (%)", reference_o2_pct)?;
    for (what, value) in [
        ("measured O2 (%)", measured_o2_pct),
        ("reference O2 (%)", reference_o2_pct),
    ] {
        if value >= 21.0 {
            return Err(Error::OutOfRange {
                what,
                value,
                allowed: "0 <= O2 < 21 %",
            });
        }
    }
    Ok(measured_mg_m3 * (21.0 - reference_o2_pct) / (21.0 - measured_o2_pct))
}

fn check(what: &'static str, value: f64) -> Result<(), Error> {
    if !value.is_finite() {
        return Err(Error::NotFinite { what });
    }
    if value < 0.0 {
        return Err(Error::Negative { what, value });
    }
    Ok(())
}
