//! Quality control at the door: every incoming value gets a `qc` verdict before it is stored.
//!
//! [`Checker::check`] takes a batch in the store's write schema
//! ([`ecolake_model::observation::write_schema`]) and returns it with the `qc` column filled:
//! `ok`, or the failed checks joined by `,` in this order (see [`Check`]):
//!
//! | code | what failed |
//! |---|---|
//! | `flag` | the device's data flag is not `N` (maintenance, calibration, fault …) |
//! | `future` | the time is later than its arrival (plus a tolerance for clock drift) |
//! | `late` | live real-time or minute data far older than its arrival (history replies and re-uploads are never marked) |
//! | `negative` | a negative value of a factor that cannot be negative |
//! | `range` | outside the factor's physical range |
//! | `below_dl` | below the detection limit |
//! | `flat` | unchanged for the rule's number of consecutive readings (this one and the ones before) |
//! | `spike` | changed from the previous reading of the series by more than the rule's step |
//!
//! Nothing is dropped: QC marks, the store keeps every value, and analyses choose
//! (`WHERE qc = 'ok'`). A value that already carries a `qc` (a file that brings its own) keeps it.
//! Rules are data ([`Rules`]): a built-in table per factor and overrides per site from a CSV
//! file with the same columns.
//!
//! ```
//! use ecolake_qc::{Checker, Origin, Rules};
//!
//! let rules = Rules::builtin();
//! let pm25 = rules.rule("1003A", "a34004").unwrap();
//! assert_eq!((pm25.min, pm25.max), (Some(0.0), Some(3000.0)));
//! let checker = Checker::new(rules);
//! # let _ = (checker, Origin::Live { received_ms: 0 });
//! ```

mod check;
mod rules;

pub use check::{Check, Checker, Origin, Timing};
pub use rules::{Rule, Rules, RulesError};
