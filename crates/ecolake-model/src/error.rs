//! Errors of the vocabulary: a string that names no known member.

/// A boundary string that is not a member of the vocabulary it was parsed as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Not one of `rtd, min, hour, day, month, year`.
    #[error("unknown period '{0}' (expected rtd, min, hour, day, month or year)")]
    UnknownPeriod(String),
    /// Not an HJ 212 data flag of either edition.
    #[error("unknown data flag '{0}'")]
    UnknownDataFlag(String),
    /// Not a medium name.
    #[error("unknown medium '{0}'")]
    UnknownMedium(String),
    /// Not a unit symbol ecolake knows.
    #[error("unknown unit '{0}'")]
    UnknownUnit(String),
}
