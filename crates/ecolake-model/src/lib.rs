//! The domain vocabulary every other ecolake crate speaks: factor codes of HJ 212 (Appendix B,
//! HJ 524/525) with Chinese and English names, the medium a value was measured in and the
//! canonical unit of each factor per medium, the one [`Period`] vocabulary of the project
//! (`rtd, min, hour, day, month, year`) and the HJ 212 data flags.
//!
//! ```
//! use ecolake_model::{DataFlag, Factor, Medium, Period};
//!
//! let pm25 = Factor::lookup("a34004").unwrap();
//! assert_eq!(pm25.name_en, "PM2.5");
//! // The standard prints ng/m³ for PM2.5; ambient-air stations report µg/m³.
//! assert_eq!(pm25.canonical_unit(Medium::AmbientAir).symbol(), "µg/m³");
//! assert_eq!("hour".parse::<Period>().unwrap(), Period::Hour);
//! assert_eq!("N".parse::<DataFlag>().unwrap(), DataFlag::Normal);
//! ```

mod data_flag;
mod error;
mod factor;
mod medium;
pub mod observation;
mod period;
mod unit;

pub use data_flag::DataFlag;
pub use error::Error;
pub use factor::{Factor, FactorClass};
pub use medium::Medium;
pub use period::Period;
pub use unit::Unit;
