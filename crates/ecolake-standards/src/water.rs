//! Surface-water quality classes by GB 3838-2002 (地表水环境质量标准).
//!
//! * [`Factor`]: the 23 basic items of Table 1 (water temperature excepted) by their CLI column
//!   names, and [`Waterbody`] (river, or lake/reservoir: it selects the total-phosphorus limits
//!   and whether total nitrogen is evaluated).
//! * [`classify`]: a value's class I–V or 劣V. A value equal to a limit meets it (≤ for
//!   pollutants, ≥ for dissolved oxygen, 6 ≤ pH ≤ 9 in every class).
//! * [`SectionAssessment`]: the single-factor method of clause 5.1 — the section class is the
//!   worst factor class; the factors that set it; the factors that miss a target class with
//!   their exceedance multiples `(C − S)/S` (none for pH and dissolved oxygen).
//! * [`SupplementaryItem`]: Table 2 limits for centralised drinking-water sources.
//!
//! ```
//! use ecolake_standards::water::{Factor, SectionAssessment, WaterClass, Waterbody};
//!
//! let values = [(Factor::Do, 5.8), (Factor::Nh3n, 0.5), (Factor::Tp, 0.21)];
//! let section = SectionAssessment::evaluate(&values, Waterbody::River)?;
//! assert_eq!(section.class, Some(WaterClass::IV));
//! assert_eq!(section.worst_factors, vec![Factor::Tp]);
//! let missed = section.exceedances(WaterClass::III);
//! assert_eq!(missed.len(), 1);
//! assert!((missed[0].multiple.unwrap() - 0.05).abs() < 1e-12);
//! # Ok::<(), ecolake_standards::Error>(())
//! ```

mod class;
mod factor;
mod limits;
mod section;

pub use class::WaterClass;
pub use factor::{Comparison, Factor, Waterbody};
pub use limits::{class_limit, class_limits, SupplementaryItem, PH_RANGE};
pub use section::{classify, exceedance_multiple, Exceedance, FactorClass, SectionAssessment};

use crate::Error;

/// Rejects values that are not finite or negative.
fn check_value(what: &'static str, value: f64) -> Result<(), Error> {
    if !value.is_finite() {
        return Err(Error::NotFinite { what });
    }
    if value < 0.0 {
        return Err(Error::Negative { what, value });
    }
    Ok(())
}
