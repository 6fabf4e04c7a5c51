//! Single-factor evaluation of a section (GB 3838-2002 clause 5.1): each factor's class, the
//! section's class (the worst), the factors that set it, and the factors that miss a target
//! class with their exceedance multiples.

use serde::Serialize;

use super::{class_limit, class_limits, Comparison, Factor, WaterClass, Waterbody, PH_RANGE};
use crate::Error;

/// The class of one factor's value: the best class whose limit the value meets, 劣V when it
/// misses class V; `Ok(None)` when the factor is not evaluated for this water body (total
/// nitrogen in rivers).
///
/// A value equal to a limit meets it ("≤" for pollutants, "≥" for dissolved oxygen, 6 ≤ pH ≤ 9).
/// Where two classes share a limit (COD 15 for I and II) the better class is given.
///
/// # Errors
/// [`Error::NotFinite`] and [`Error::Negative`] for such values; [`Error::OutOfRange`] for a pH
/// outside 0–14.
pub fn classify(
    factor: Factor,
    value: f64,
    waterbody: Waterbody,
) -> Result<Option<WaterClass>, Error> {
    check_factor_value(factor, value)?;
    let Some(limits) = class_limits(factor, waterbody) else {
        return Ok(None);
    };
    let meets = |limit: f64| match factor.comparison() {
        Comparison::AtMost => value <= limit,
        Comparison::AtLeast => value >= limit,
        Comparison::Range => (PH_RANGE.0..=PH_RANGE.1).contains(&value),
    };
    let class = WaterClass::WITH_LIMITS
        .into_iter()
        .zip(limits)
        .find(|(_, limit)| meets(*limit))
        .map_or(WaterClass::WorseThanV, |(class, _)| class);
    Ok(Some(class))
}

/// The exceedance multiple of a value against a target class: `(C − S)/S` where `S` is the
/// class limit; `None` for pH and dissolved oxygen (the water-quality assessment notes give no
/// multiple for them), for 劣V (no limit) and for factors not evaluated for the water body.
///
/// The multiple is negative or zero when the value meets the target.
pub fn exceedance_multiple(
    factor: Factor,
    value: f64,
    waterbody: Waterbody,
    target: WaterClass,
) -> Result<Option<f64>, Error> {
    check_factor_value(factor, value)?;
    if factor.comparison() != Comparison::AtMost {
        return Ok(None);
    }
    Ok(class_limit(factor, waterbody, target).map(|limit| (value - limit) / limit))
}

/// One factor's value and class within a section's evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorClass {
    /// The factor.
    pub factor: Factor,
    /// Its value, in the factor's unit.
    pub value: f64,
    /// Its class.
    pub class: WaterClass,
}

/// A factor that misses a target class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exceedance {
    /// The factor.
    pub factor: Factor,
    /// Its value, in the factor's unit.
    pub value: f64,
    /// Its class.
    pub class: WaterClass,
    /// The target class's limit it misses (for pH the violated bound, 6 or 9).
    pub limit: f64,
    /// `(C − S)/S`; `None` for pH and dissolved oxygen.
    pub multiple: Option<f64>,
}

/// The single-factor evaluation of a section (GB 3838-2002 clause 5.1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionAssessment {
    /// The kind of water body the limits were taken for.
    pub waterbody: Waterbody,
    /// The section's class: the worst factor class; `None` when no factor was evaluated.
    pub class: Option<WaterClass>,
    /// The class of every evaluated factor, in input order.
    pub factors: Vec<FactorClass>,
    /// The factors whose class is the section's class (the worst factors), in input order.
    pub worst_factors: Vec<Factor>,
    /// Factors given but not evaluated for this water body (total nitrogen in rivers).
    pub not_evaluated: Vec<Factor>,
}

impl SectionAssessment {
    /// Evaluates a section from its factor values (each factor at most once).
    ///
    /// To follow the national evaluation practice that reports total nitrogen of lakes
    /// separately, leave `tn` out of `values`.
    ///
    /// # Errors
    /// A repeated factor ([`Error::Inconsistent`]) and any error of [`classify`].
    pub fn evaluate(values: &[(Factor, f64)], waterbody: Waterbody) -> Result<Self, Error> {
        let mut factors = Vec::with_capacity(values.len());
        let mut not_evaluated = Vec::new();
        for (i, &(factor, value)) in values.iter().enumerate() {
            if values[..i].iter().any(|(f, _)| *f == factor) {
                return Err(Error::Inconsistent {
                    what: "section values",
                    reason: format!("factor `{factor}` given twice"),
                });
            }
            match classify(factor, value, waterbody)? {
                Some(class) => factors.push(FactorClass {
                    factor,
                    value,
                    class,
                }),
                None => not_evaluated.push(factor),
            }
        }
        let class = factors.iter().map(|f| f.class).max();
        let worst_factors = factors
            .iter()
            .filter(|f| Some(f.class) == class)
            .map(|f| f.factor)
            .collect();
        Ok(SectionAssessment {
            waterbody,
            class,
            factors,
            worst_factors,
            not_evaluated,
        })
    }

    /// Whether the section meets a target class (every evaluated factor is at that class or
    /// better); `None` when no factor was evaluated.
    pub fn meets(&self, target: WaterClass) -> Option<bool> {
        self.class.map(|class| class <= target)
    }

    /// The factors that miss a target class (their class is worse than it), in input order,
    /// with the limit they miss and their exceedance multiple. Empty for target 劣V.
    pub fn exceedances(&self, target: WaterClass) -> Vec<Exceedance> {
        self.factors
            .iter()
            .filter(|f| f.class > target)
            .filter_map(|f| {
                let limit = match f.factor.comparison() {
                    Comparison::Range if f.value < PH_RANGE.0 => PH_RANGE.0,
                    Comparison::Range => PH_RANGE.1,
                    _ => class_limit(f.factor, self.waterbody, target)?,
                };
                let multiple = (f.factor.comparison() == Comparison::AtMost)
                    .then(|| (f.value - limit) / limit);
                Some(Exceedance {
                    factor: f.factor,
                    value: f.value,
                    class: f.class,
                    limit,
                    multiple,
                })
            })
            .collect()
    }
}

fn check_factor_value(factor: Factor, value: f64) -> Result<(), Error> {
    super::check_value(factor.name(), value)?;
    if factor == Factor::Ph && value > 14.0 {
        return Err(Error::OutOfRange {
            what: "pH",
            value,
            allowed: "0..=14",
        });
    }
    Ok(())
}
