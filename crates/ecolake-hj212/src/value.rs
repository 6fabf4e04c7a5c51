//! The value grammar of HJ 212 data types (§4.1): `YYYYMMDDhhmmss` date-times and decimal
//! numbers. Checks only; values stay the strings that were sent.

/// `YYYYMMDDhhmmss` naming a real calendar time (leap years included).
pub fn is_datetime14(s: &[u8]) -> bool {
    if s.len() != 14 || !s.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let n = |r: std::ops::Range<usize>| {
        s[r].iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let (y, mo, d, h, mi, se) = (n(0..4), n(4..6), n(6..8), n(8..10), n(10..12), n(12..14));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1900 && (1..=days).contains(&d) && h < 24 && mi < 60 && se < 60
}

/// A date-time with milliseconds appended (`YYYYMMDDhhmmsszzz`): the QN format, and a
/// deviation some devices use for `DataTime`.
pub fn is_datetime17(s: &[u8]) -> bool {
    s.len() == 17 && is_datetime14(&s[..14]) && s[14..].iter().all(u8::is_ascii_digit)
}

/// A decimal number as HJ 212 writes them: optional sign, digits, optional fraction
/// (`12`, `-0.052`, `00012.50`, `.5`, `3.`). No exponent, no spaces.
pub fn is_number(s: &[u8]) -> bool {
    let s = match s.first() {
        Some(b'+' | b'-') => &s[1..],
        _ => s,
    };
    let mut digits = 0;
    let mut dot = false;
    for &c in s {
        match c {
            b'0'..=b'9' => digits += 1,
            b'.' if !dot => dot = true,
            _ => return false,
        }
    }
    digits > 0
}

/// What a per-factor field (the part after `-`) is, by its name. Slice patterns compile to a
/// length check and byte compares: no `memcmp` call on the hot path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// `-Flag`: the factor's data flag.
    Flag,
    /// A measurement that must be a number (`Rtd`, `Avg`, `ZsMax`, `Cou`, `Data`, `RS` …).
    Numeric,
    /// `-SampleTime`: a `YYYYMMDDhhmmss` date-time.
    SampleTime,
    /// `-Info`: station information, possibly a `//…//` text.
    Info,
    /// Anything else (`EFlag`, `SN`, vendor fields): kept as sent.
    Other,
}

/// Classifies a per-factor field name.
pub fn field_kind(f: &[u8]) -> FieldKind {
    match f {
        [b'R', b't', b'd']
        | [b'M', b'i', b'n']
        | [b'A', b'v', b'g']
        | [b'M', b'a', b'x']
        | [b'C', b'o', b'u']
        | [b'A', b'l', b'a']
        | [b'R', b'S']
        | [b'R', b'T']
        | [b'D', b'a', b't', b'a']
        | [b'Z', b's', b'R', b't', b'd']
        | [b'Z', b's', b'M', b'i', b'n']
        | [b'Z', b's', b'A', b'v', b'g']
        | [b'Z', b's', b'M', b'a', b'x']
        | [b'D', b'a', b'y', b'D', b'a', b't', b'a']
        | [b'N', b'i', b'g', b'h', b't', b'D', b'a', b't', b'a']
        | [b'U', b'p', b'V', b'a', b'l', b'u', b'e']
        | [b'L', b'o', b'w', b'V', b'a', b'l', b'u', b'e'] => FieldKind::Numeric,
        [b'F', b'l', b'a', b'g'] => FieldKind::Flag,
        [b'I', b'n', b'f', b'o'] => FieldKind::Info,
        [b'S', b'a', b'm', b'p', b'l', b'e', b'T', b'i', b'm', b'e'] => FieldKind::SampleTime,
        _ => FieldKind::Other,
    }
}

/// What a CP key without `-` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// `DataTime`.
    DataTime,
    /// A bare `Flag` (belongs to no factor).
    Flag,
    /// A `YYYYMMDDhhmmss` parameter (`BeginTime`, `EndTime`, `SystemTime`, `RestartTime`,
    /// `AlarmTime`).
    DateTime,
    /// Any other parameter, kept as sent.
    Other,
}

/// Classifies a CP key that has no `-`.
pub fn param_kind(k: &[u8]) -> ParamKind {
    match k {
        [b'D', b'a', b't', b'a', b'T', b'i', b'm', b'e'] => ParamKind::DataTime,
        [b'F', b'l', b'a', b'g'] => ParamKind::Flag,
        [b'B', b'e', b'g', b'i', b'n', b'T', b'i', b'm', b'e']
        | [b'E', b'n', b'd', b'T', b'i', b'm', b'e']
        | [b'S', b'y', b's', b't', b'e', b'm', b'T', b'i', b'm', b'e']
        | [b'R', b'e', b's', b't', b'a', b'r', b't', b'T', b'i', b'm', b'e']
        | [b'A', b'l', b'a', b'r', b'm', b'T', b'i', b'm', b'e'] => ParamKind::DateTime,
        _ => ParamKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes() {
        assert!(is_datetime14(b"20160801085857"));
        assert!(is_datetime14(b"20240229235959"));
        assert!(!is_datetime14(b"20230229000000"), "2023 is not a leap year");
        assert!(!is_datetime14(b"20160801245857"));
        assert!(!is_datetime14(b"201608010858"));
        assert!(!is_datetime14(b"2016-08-01 085"));
        assert!(is_datetime17(b"20160801085857223"));
        assert!(!is_datetime17(b"1617936069734"));
        assert!(!is_datetime17(b"16179360697340000"), "year 1617");
    }

    #[test]
    fn kinds() {
        assert_eq!(field_kind(b"Rtd"), FieldKind::Numeric);
        assert_eq!(field_kind(b"ZsAvg"), FieldKind::Numeric);
        assert_eq!(field_kind(b"NightData"), FieldKind::Numeric);
        assert_eq!(field_kind(b"Flag"), FieldKind::Flag);
        assert_eq!(field_kind(b"EFlag"), FieldKind::Other);
        assert_eq!(field_kind(b"SampleTime"), FieldKind::SampleTime);
        assert_eq!(field_kind(b"Info"), FieldKind::Info);
        assert_eq!(
            field_kind(b"rtd"),
            FieldKind::Other,
            "names are case-sensitive"
        );
        assert_eq!(param_kind(b"DataTime"), ParamKind::DataTime);
        assert_eq!(param_kind(b"EndTime"), ParamKind::DateTime);
        assert_eq!(
            param_kind(b"CstartTime"),
            ParamKind::Other,
            "hhmmss, not a date-time"
        );
        assert_eq!(param_kind(b"Flag"), ParamKind::Flag);
    }

    #[test]
    fn numbers() {
        for ok in [
            "0",
            "12.3",
            "-0.052",
            "00012.50",
            "99999999999999.99",
            ".5",
            "3.",
            "+1",
        ] {
            assert!(is_number(ok.as_bytes()), "{ok}");
        }
        for bad in ["", "-", ".", "1.2.3", "1e5", " 1", "１２", "NaN", "1,5"] {
            assert!(!is_number(bad.as_bytes()), "{bad}");
        }
    }
}
