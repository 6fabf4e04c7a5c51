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

/// Whether a per-factor field carries a measurement (and so must be a number).
pub fn is_numeric_field(field: &str) -> bool {
    matches!(
        field,
        "Rtd"
            | "Min"
            | "Avg"
            | "Max"
            | "Cou"
            | "ZsRtd"
            | "ZsMin"
            | "ZsAvg"
            | "ZsMax"
            | "Data"
            | "DayData"
            | "NightData"
            | "RS"
            | "RT"
            | "Ala"
            | "UpValue"
            | "LowValue"
    )
}

/// Whether a CP parameter is a `YYYYMMDDhhmmss` date-time.
pub fn is_datetime_param(key: &str) -> bool {
    matches!(
        key,
        "BeginTime" | "EndTime" | "SystemTime" | "RestartTime" | "AlarmTime"
    )
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
