//! Identification codes the registry validates before anything is stored: the unified social
//! credit code of an enterprise (GB 32100-2015), administrative division codes (GB/T 2260),
//! industry codes (GB/T 4754), HJ 212 device codes (MN) and WGS84 coordinates. Each check
//! returns the reason a value is refused, naming the value.

/// The 31 characters of GB 32100 codes, in the order that gives each its value (no I, O, S, V,
/// Z: they read like digits).
const CREDIT_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights of the first 17 characters: 3^i mod 31.
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn credit_value(c: u8) -> Option<u32> {
    CREDIT_CHARS.iter().position(|&x| x == c).map(|i| i as u32)
}

/// Checks a unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters of the
/// code's alphabet (upper case), characters 3–8 a division code (digits), and the 18th the
/// check character, 31 − (Σ value × 3^i mod 31) mod 31.
pub fn check_credit_code(code: &str) -> Result<(), String> {
    let b = code.as_bytes();
    if b.len() != 18 {
        return Err(format!(
            "credit code `{code}`: {} characters, a unified social credit code has 18",
            code.chars().count()
        ));
    }
    let mut values = [0u32; 18];
    for (i, &c) in b.iter().enumerate() {
        values[i] = credit_value(c).ok_or_else(|| {
            format!(
                "credit code `{code}`: character {} `{}` is not one of 0-9 and A-Y without I, O, S, V",
                i + 1,
                char::from(c)
            )
        })?;
    }
    if !b[2..8].iter().all(u8::is_ascii_digit) {
        return Err(format!(
            "credit code `{code}`: characters 3-8 must be the division code (digits)"
        ));
    }
    let sum: u32 = values[..17]
        .iter()
        .zip(CREDIT_WEIGHTS)
        .map(|(v, w)| v * w)
        .sum();
    let check = (31 - sum % 31) % 31;
    if values[17] != check {
        return Err(format!(
            "credit code `{code}`: check character is `{}`, the code's first 17 characters give `{}`",
            char::from(b[17]),
            char::from(CREDIT_CHARS[check as usize])
        ));
    }
    Ok(())
}

/// Checks an administrative division code (GB/T 2260): six digits, the first two a province
/// (11–82), and not a province's, city's or county's code with a non-zero part below a zero one
/// (`110010` is not a code; `110000`, `110100` and `110105` are).
pub fn check_division_code(code: &str) -> Result<(), String> {
    let b = code.as_bytes();
    if b.len() != 6 || !b.iter().all(u8::is_ascii_digit) {
        return Err(format!(
            "division code `{code}`: must be six digits (GB/T 2260)"
        ));
    }
    let province = u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0');
    if !(11..=82).contains(&province) {
        return Err(format!(
            "division code `{code}`: {province:02} is not a province code (11-82)"
        ));
    }
    if &b[2..4] == b"00" && &b[4..6] != b"00" {
        return Err(format!(
            "division code `{code}`: a county part under a city part of 00"
        ));
    }
    Ok(())
}

/// The division one level up: `110105` → `110100`, `110100` → `110000`, `110000` → none
/// (and none for what is not a division code).
pub fn parent_division(code: &str) -> Option<String> {
    check_division_code(code).ok()?;
    match (&code[2..4], &code[4..6]) {
        ("00", "00") => None,
        (_, "00") => Some(format!("{}0000", &code[..2])),
        _ => Some(format!("{}00", &code[..4])),
    }
}

/// Checks an industry code (GB/T 4754-2017): a section letter A–T, optionally followed by a
/// two-, three- or four-digit division, group or class (`C`, `C26`, `C261`, `C2614`).
pub fn check_industry_code(code: &str) -> Result<(), String> {
    let b = code.as_bytes();
    let ok = matches!(b.first(), Some(b'A'..=b'T'))
        && matches!(b.len(), 1 | 3 | 4 | 5)
        && b[1..].iter().all(u8::is_ascii_digit);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "industry code `{code}`: must be a section letter A-T and 0, 2, 3 or 4 digits (GB/T 4754)"
        ))
    }
}

/// Checks an HJ 212 device code (MN): 1 to 24 characters of digits and letters, as HJ 212-2017
/// (24) and HJ/T 212-2005 (14) devices use; the decoder's stricter checks are per profile.
pub fn check_mn(mn: &str) -> Result<(), String> {
    if mn.is_empty() || mn.len() > 24 || !mn.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!(
            "MN `{mn}`: must be 1 to 24 letters or digits (HJ 212 device code)"
        ));
    }
    Ok(())
}

/// Checks WGS84 longitude and latitude (degrees; finite, within ±180 and ±90).
pub fn check_position(lon: f64, lat: f64) -> Result<(), String> {
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        return Err(format!(
            "longitude {lon}: must be within -180 and 180 degrees"
        ));
    }
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(format!("latitude {lat}: must be within -90 and 90 degrees"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn published_credit_codes_pass() {
        // The example of GB 32100-2015 and a well-known enterprise's published code.
        for code in ["91350100M000100Y43", "91440300708461136T"] {
            assert_eq!(check_credit_code(code), Ok(()), "{code}");
        }
    }

    #[test]
    fn bad_credit_codes_say_why() {
        let e = check_credit_code("91350100M000100Y44").unwrap_err();
        assert!(e.contains("give `3`"), "{e}");
        assert!(check_credit_code("91350100M000100Y4")
            .unwrap_err()
            .contains("17 characters"));
        assert!(check_credit_code("91350100M0001O0Y43")
            .unwrap_err()
            .contains("character 14 `O`"));
        assert!(check_credit_code("913501A0M000100Y43")
            .unwrap_err()
            .contains("division code"));
    }

    proptest! {
        /// Any single-character change of a valid code is caught (a weighted mod-31 check
        /// detects every substitution, since 31 is prime and no weight is 0).
        #[test]
        fn every_substitution_is_caught(pos in 0usize..18, c in 0usize..31) {
            let mut code = *b"91350100M000100Y43";
            prop_assume!(CREDIT_CHARS[c] != code[pos]);
            prop_assume!(!(2..8).contains(&pos) || CREDIT_CHARS[c].is_ascii_digit());
            code[pos] = CREDIT_CHARS[c];
            prop_assert!(check_credit_code(std::str::from_utf8(&code).unwrap()).is_err());
        }
    }

    #[test]
    fn division_codes() {
        for ok in ["110000", "110100", "110105", "820000", "650102"] {
            assert_eq!(check_division_code(ok), Ok(()), "{ok}");
        }
        for bad in ["11010", "1101051", "10000x", "990000", "100000", "110010"] {
            assert!(check_division_code(bad).is_err(), "{bad}");
        }
        assert_eq!(parent_division("110105").as_deref(), Some("110100"));
        assert_eq!(parent_division("110100").as_deref(), Some("110000"));
        assert_eq!(parent_division("110000"), None);
    }

    #[test]
    fn industry_codes_mn_and_positions() {
        for ok in ["C", "C26", "C261", "C2614", "D4411"] {
            assert_eq!(check_industry_code(ok), Ok(()), "{ok}");
        }
        for bad in ["", "c26", "C2", "Z26", "C26145", "CC6"] {
            assert!(check_industry_code(bad).is_err(), "{bad}");
        }
        assert_eq!(check_mn("010000A8900016F000169DC0"), Ok(()));
        assert_eq!(check_mn("88888880000001"), Ok(()));
        assert!(check_mn("").is_err());
        assert!(check_mn("010000A8900016F000169DC01").is_err());
        assert!(check_mn("0100-00").is_err());
        assert_eq!(check_position(116.3621, 39.8784), Ok(()));
        assert!(check_position(181.0, 0.0)
            .unwrap_err()
            .contains("longitude"));
        assert!(check_position(0.0, f64::NAN)
            .unwrap_err()
            .contains("latitude"));
    }
}
