//! Deviations from the standard that a receiver accepts and reports.

use std::borrow::Cow;
use std::fmt;

/// A deviation from HJ 212 that was accepted. Some are accepted in every mode because real
/// devices send them and nothing is ambiguous (`lowercase_crc`, `mn_not_24_hex`); the others only
/// in lenient mode, where strict mode rejects the packet with the matching error.
///
/// The variants are declared in the alphabetical order of their names, so sorting a packet's
/// warnings sorts them by name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Warning<'a> {
    /// Lenient: a date-time field is not `YYYYMMDDhhmmss` (kept as sent).
    BadDatatime(Cow<'a, str>),
    /// Lenient: Flag is not 0–255 (treated as absent).
    BadFlag,
    /// Lenient: QN is not `YYYYMMDDhhmmsszzz` (kept as sent, echoed in replies).
    BadQn,
    /// Lenient: a value does not fit its type (kept as sent).
    BadValue(Cow<'a, str>),
    /// Lenient: a `Flag=` item in CP that belongs to no factor (kept as a parameter).
    BareFlagInCp,
    /// Lenient: the D bit is set but PNUM/PNO are absent.
    DBitWithoutPnum,
    /// HJ/T 212-2005 requests set Flag=3 without PNUM/PNO; the D bit means nothing there.
    DBitWithoutPnum2005,
    /// Lenient: a CP key is repeated (every occurrence is kept, in wire order).
    DuplicateField(Cow<'a, str>),
    /// Lenient: the packet ends with LF only.
    LfTerminator,
    /// The CRC is written in lower-case hex.
    LowercaseCrc,
    /// Lenient: an item that is not `key=value` (dropped, named here).
    MalformedField(Cow<'a, str>),
    /// Lenient: no `;` between the header and `CP=`.
    MissingCpSeparator,
    /// No Flag field (HJ/T 212-2005 style).
    MissingFlag,
    /// Lenient: no PW field.
    MissingPw,
    /// No QN field (HJ/T 212-2005 style).
    MissingQn,
    /// MN is not 24 upper-case hex characters (EPC-96).
    MnNot24Hex,
    /// A data flag that the packet's edition does not define (e.g. `Md`).
    NonstandardDataFlag(Cow<'a, str>),
    /// ST is not two characters of `0-9A-Z`.
    NonstandardSt,
    /// PNUM/PNO present while the D bit is clear.
    PnumWithoutDBit,
    /// PW is longer than the standard's 6 characters.
    PwLongerThan6,
    /// PW is shorter than the standard's 6 characters.
    PwShorterThan6,
    /// A header key the standard does not define (kept).
    UnknownHeaderField(Cow<'a, str>),
    /// Whitespace around CP keys or values (trimmed).
    WhitespaceInCp,
    /// Lenient: whitespace around header keys or values (trimmed).
    WhitespaceInHeader,
}

impl Warning<'_> {
    /// The warning with owned text.
    pub fn into_owned(self) -> Warning<'static> {
        use Warning::*;
        let own = |c: Cow<'_, str>| Cow::Owned(c.into_owned());
        match self {
            BadDatatime(c) => BadDatatime(own(c)),
            BadValue(c) => BadValue(own(c)),
            DuplicateField(c) => DuplicateField(own(c)),
            MalformedField(c) => MalformedField(own(c)),
            NonstandardDataFlag(c) => NonstandardDataFlag(own(c)),
            UnknownHeaderField(c) => UnknownHeaderField(own(c)),
            BadFlag => BadFlag,
            BadQn => BadQn,
            BareFlagInCp => BareFlagInCp,
            DBitWithoutPnum => DBitWithoutPnum,
            DBitWithoutPnum2005 => DBitWithoutPnum2005,
            LfTerminator => LfTerminator,
            LowercaseCrc => LowercaseCrc,
            MissingCpSeparator => MissingCpSeparator,
            MissingFlag => MissingFlag,
            MissingPw => MissingPw,
            MissingQn => MissingQn,
            MnNot24Hex => MnNot24Hex,
            NonstandardSt => NonstandardSt,
            PnumWithoutDBit => PnumWithoutDBit,
            PwLongerThan6 => PwLongerThan6,
            PwShorterThan6 => PwShorterThan6,
            WhitespaceInCp => WhitespaceInCp,
            WhitespaceInHeader => WhitespaceInHeader,
        }
    }
}

impl fmt::Display for Warning<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Warning::*;
        let (name, arg) = match self {
            BadDatatime(k) => ("bad_datatime", Some(k)),
            BadFlag => ("bad_flag", None),
            BadQn => ("bad_qn", None),
            BadValue(k) => ("bad_value", Some(k)),
            BareFlagInCp => ("bare_flag_in_cp", None),
            DBitWithoutPnum => ("d_bit_without_pnum", None),
            DBitWithoutPnum2005 => ("d_bit_without_pnum_2005", None),
            DuplicateField(k) => ("duplicate_field", Some(k)),
            LfTerminator => ("lf_terminator", None),
            LowercaseCrc => ("lowercase_crc", None),
            MalformedField(k) => ("malformed_field", Some(k)),
            MissingCpSeparator => ("missing_cp_separator", None),
            MissingFlag => ("missing_flag", None),
            MissingPw => ("missing_pw", None),
            MissingQn => ("missing_qn", None),
            MnNot24Hex => ("mn_not_24_hex", None),
            NonstandardDataFlag(k) => ("nonstandard_data_flag", Some(k)),
            NonstandardSt => ("nonstandard_st", None),
            PnumWithoutDBit => ("pnum_without_d_bit", None),
            PwLongerThan6 => ("pw_longer_than_6", None),
            PwShorterThan6 => ("pw_shorter_than_6", None),
            UnknownHeaderField(k) => ("unknown_header_field", Some(k)),
            WhitespaceInCp => ("whitespace_in_cp", None),
            WhitespaceInHeader => ("whitespace_in_header", None),
        };
        match arg {
            Some(a) => write!(f, "{name}:{a}"),
            None => f.write_str(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declaration_order_is_name_order() {
        let all = [
            Warning::BadDatatime("k".into()),
            Warning::BadFlag,
            Warning::BadQn,
            Warning::BadValue("k".into()),
            Warning::BareFlagInCp,
            Warning::DBitWithoutPnum,
            Warning::DBitWithoutPnum2005,
            Warning::DuplicateField("k".into()),
            Warning::LfTerminator,
            Warning::LowercaseCrc,
            Warning::MalformedField("k".into()),
            Warning::MissingCpSeparator,
            Warning::MissingFlag,
            Warning::MissingPw,
            Warning::MissingQn,
            Warning::MnNot24Hex,
            Warning::NonstandardDataFlag("k".into()),
            Warning::NonstandardSt,
            Warning::PnumWithoutDBit,
            Warning::PwLongerThan6,
            Warning::PwShorterThan6,
            Warning::UnknownHeaderField("k".into()),
            Warning::WhitespaceInCp,
            Warning::WhitespaceInHeader,
        ];
        let names: Vec<String> = all.iter().map(|w| w.to_string()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        let mut by_ord = all.to_vec();
        by_ord.reverse();
        by_ord.sort();
        assert_eq!(by_ord, all.to_vec());
    }
}
