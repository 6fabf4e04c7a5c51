//! The errors of the standards' functions.

/// Why a standard's computation has no answer for its input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A concentration or amount that must be a finite number is not.
    #[error("{what} is not a finite number")]
    NotFinite {
        /// What the number is (a pollutant, a factor, a parameter).
        what: &'static str,
    },
    /// A concentration or amount that cannot be negative is.
    #[error("{what} is negative ({value})")]
    Negative {
        /// What the number is.
        what: &'static str,
        /// The number given.
        value: f64,
    },
    /// A name that is not one the standard knows (pollutant, factor, edition, standard).
    #[error("unknown {kind} `{name}`")]
    Unknown {
        /// What kind of name (`pollutant`, `factor`, `standard` …).
        kind: &'static str,
        /// The name given.
        name: String,
    },
    /// A number outside the range the standard or the law allows for it.
    #[error("{what} = {value} is outside the allowed range {allowed}")]
    OutOfRange {
        /// What the number is (a tax rate, an oxygen content, a pH …).
        what: &'static str,
        /// The number given.
        value: f64,
        /// The allowed range, in words (`1.2..=12 CNY per equivalent`).
        allowed: &'static str,
    },
    /// Input that contradicts itself: a repeated key, a period that ends before it starts.
    #[error("{what}: {reason}")]
    Inconsistent {
        /// What the input is.
        what: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}
