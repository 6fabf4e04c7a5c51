//! Times of imported rows: parsing the accepted text forms, resolving local times in a time
//! zone, and moving end-of-period labels to the start of the period.
//!
//! Accepted text (surrounding whitespace ignored):
//!
//! * `yyyy-MM-dd HH:mm`, `yyyy-MM-dd HH:mm:ss`, `yyyy-MM-ddTHH:mm[:ss]`, optionally with a
//!   fraction of a second (`.123`): local time in the import's time zone;
//! * the same followed by `Z` or an offset `+08:00` (also `+0800`, `+08`): RFC 3339, an
//!   absolute instant. The date–time separator may be `T`, `t` or a space.
//!
//! Fractions finer than a millisecond are truncated. Leap seconds (`:60`) are not accepted.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone};
use chrono_tz::Tz;
use ecolake_model::Period;

use super::HourLabel;

/// A parsed time: an instant (the text had `Z` or an offset) or a wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parsed {
    /// UTC wall clock of an absolute instant.
    Utc(NaiveDateTime),
    /// Local wall clock, to be resolved in the import's time zone.
    Local(NaiveDateTime),
}

/// Parse the accepted forms (see the module documentation); `None` if the text is not one.
pub(crate) fn parse(text: &str) -> Option<Parsed> {
    let b = text.trim().as_bytes();
    if b.len() < 16
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
    {
        return None;
    }
    let year = digits(b, 0, 4)?;
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    let hour = digits(b, 11, 2)?;
    let minute = digits(b, 14, 2)?;
    let (mut second, mut nanos) = (0, 0);
    let mut i = 16;
    if b.get(i) == Some(&b':') {
        second = digits(b, i + 1, 2)?;
        i += 3;
        if matches!(b.get(i), Some(b'.' | b',')) {
            i += 1;
            let start = i;
            let mut scale = 100_000_000;
            while let Some(d) = b.get(i).filter(|d| d.is_ascii_digit()) {
                nanos += u32::from(d - b'0') * scale;
                scale /= 10;
                i += 1;
            }
            if i == start {
                return None;
            }
        }
    }
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    if second > 59 {
        return None;
    }
    let naive = date.and_time(time);
    let offset_minutes: i64 = match &b[i..] {
        [] => return Some(Parsed::Local(naive)),
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (h, m) = match rest {
                [_, _] => (digits(rest, 0, 2)?, 0),
                [_, _, b':', _, _] => (digits(rest, 0, 2)?, digits(rest, 3, 2)?),
                [_, _, _, _] => (digits(rest, 0, 2)?, digits(rest, 2, 2)?),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let minutes = i64::from(h * 60 + m);
            if *sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
        _ => return None,
    };
    let utc = naive.checked_sub_signed(TimeDelta::minutes(offset_minutes))?;
    Some(Parsed::Utc(utc))
}

/// `len` ASCII digits at `at` as a number.
fn digits(b: &[u8], at: usize, len: usize) -> Option<u32> {
    let s = b.get(at..at + len)?;
    s.iter().try_fold(0u32, |n, &d| {
        d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
    })
}

/// How far a label is moved back: one period for `min`, `hour` and `day` when the file
/// labels periods by their end; nothing otherwise.
pub(crate) fn label_shift(period: Period, label: HourLabel) -> Option<TimeDelta> {
    match (label, period) {
        (HourLabel::Start, _) => None,
        (HourLabel::End, Period::Min) => Some(TimeDelta::minutes(1)),
        (HourLabel::End, Period::Hour) => Some(TimeDelta::hours(1)),
        (HourLabel::End, Period::Day) => Some(TimeDelta::days(1)),
        (HourLabel::End, Period::Rtd | Period::Month | Period::Year) => None,
    }
}

/// Milliseconds since the epoch of a parsed time, moved back by `shift`. A local time is
/// resolved in `tz` first and then moved back by a minute or an hour in absolute time (so an
/// hour that ends just after a clock change starts an hour earlier, not at a wall time the
/// change skipped); a day is moved back on the calendar (a day is midnight to midnight, 23 or
/// 25 hours long across a change).
pub(crate) fn resolve(parsed: Parsed, tz: Tz, shift: Option<TimeDelta>) -> Result<i64, String> {
    match (parsed, shift) {
        (Parsed::Utc(naive), _) => Ok(back(naive, shift)?.and_utc().timestamp_millis()),
        (Parsed::Local(naive), Some(d)) if d < TimeDelta::days(1) => {
            Ok(local_millis(naive, tz)? - d.num_milliseconds())
        }
        (Parsed::Local(naive), _) => local_millis(back(naive, shift)?, tz),
    }
}

fn back(naive: NaiveDateTime, shift: Option<TimeDelta>) -> Result<NaiveDateTime, String> {
    match shift {
        None => Ok(naive),
        Some(d) => naive
            .checked_sub_signed(d)
            .ok_or_else(|| format!("{naive} minus one period is out of range")),
    }
}

/// A local wall-clock time in `tz` as milliseconds since the epoch. A time that occurs twice
/// (the hour repeated when daylight saving time ends) is taken as its first occurrence; a time
/// that does not exist (skipped when it starts) is an error.
pub(crate) fn local_millis(naive: NaiveDateTime, tz: Tz) -> Result<i64, String> {
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => Ok(t.timestamp_millis()),
        chrono::LocalResult::Ambiguous(first, _) => Ok(first.timestamp_millis()),
        chrono::LocalResult::None => Err(format!(
            "local time {naive} does not exist in {tz} (skipped by a clock change)"
        )),
    }
}

/// The UTC wall clock of milliseconds since the epoch (for naive Parquet timestamps).
pub(crate) fn naive_of_millis(ms: i64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp_millis(ms).map(|t| t.naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, FixedOffset, Timelike};
    use proptest::prelude::*;

    fn ms(text: &str, tz: Tz) -> i64 {
        resolve(parse(text).unwrap(), tz, None).unwrap()
    }

    fn utc(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn an_hour_labelled_by_its_end_across_a_clock_change() {
        let paris = chrono_tz::Europe::Paris;
        let hour = label_shift(Period::Hour, HourLabel::End);
        // 2024-03-31: 02:00 CET jumps to 03:00 CEST. The hour ending 03:00 CEST began at
        // 01:00 CET (00:00 UTC); 02:00 on the wall clock never happened.
        let end = parse("2024-03-31 03:00").unwrap();
        assert_eq!(resolve(end, paris, hour), Ok(utc("2024-03-31T00:00:00Z")));
        // The day labelled by its end 2024-04-01 00:00 began at midnight the day before.
        let day = label_shift(Period::Day, HourLabel::End);
        let end = parse("2024-04-01 00:00").unwrap();
        assert_eq!(resolve(end, paris, day), Ok(utc("2024-03-30T23:00:00Z")));
    }

    #[test]
    fn accepted_forms() {
        let sh = chrono_tz::Asia::Shanghai;
        let want = utc("2013-02-28T16:00:00Z");
        for t in [
            "2013-03-01 00:00",
            "2013-03-01 00:00:00",
            "2013-03-01T00:00:00",
            "2013-03-01T00:00",
            " 2013-03-01 00:00:00.000 ",
            "2013-03-01T00:00:00+08:00",
            "2013-03-01T00:00:00+0800",
            "2013-03-01T00:00:00+08",
            "2013-03-01 00:00:00+08:00",
            "2013-02-28T16:00:00Z",
            "2013-02-28t16:00:00z",
            "2013-02-28T11:00:00-05:00",
        ] {
            assert_eq!(ms(t, sh), want, "{t}");
        }
        assert_eq!(
            ms("2013-03-01T00:00:00.1234Z", sh),
            utc("2013-03-01T00:00:00.123Z")
        );
        assert_eq!(
            ms("2013-03-01 00:00", chrono_tz::UTC),
            utc("2013-03-01T00:00:00Z")
        );
    }

    #[test]
    fn rejected_forms() {
        for t in [
            "",
            "2013-03-01",
            "2013-03-01 24:00",
            "2013-02-29 00:00",
            "2013-13-01 00:00",
            "2013/03/01 00:00",
            "2013-03-01 00:00:60",
            "2013-03-01 00:00:00.",
            "2013-03-01 00:00:00+8",
            "2013-03-01 00:00:00+24:00",
            "2013-03-01 00:00:00 UTC",
            "2013-03-01 0:00",
            "１０１３-03-01 00:00",
        ] {
            assert_eq!(parse(t), None, "{t}");
        }
    }

    #[test]
    fn daylight_saving_gaps_and_repeats() {
        let ny = chrono_tz::America::New_York;
        // 2024-03-10 02:30 does not exist in New York; 2024-11-03 01:30 occurs twice.
        assert!(resolve(parse("2024-03-10 02:30").unwrap(), ny, None)
            .unwrap_err()
            .contains("does not exist"));
        assert_eq!(ms("2024-11-03 01:30", ny), utc("2024-11-03T01:30:00-04:00"));
    }

    #[test]
    fn end_labels_move_back_one_period() {
        let sh = chrono_tz::Asia::Shanghai;
        let shift = |p| label_shift(p, HourLabel::End);
        let at = |t: &str, p| resolve(parse(t).unwrap(), sh, shift(p)).unwrap();
        assert_eq!(
            at("2024-01-01 00:00", Period::Hour),
            utc("2023-12-31T23:00:00+08:00")
        );
        assert_eq!(
            at("2024-01-01 00:00", Period::Day),
            utc("2023-12-31T00:00:00+08:00")
        );
        assert_eq!(
            at("2024-01-01 00:01", Period::Min),
            utc("2024-01-01T00:00:00+08:00")
        );
        assert_eq!(
            at("2024-01-01T00:00Z", Period::Hour),
            utc("2023-12-31T23:00:00Z")
        );
        for p in [Period::Rtd, Period::Month, Period::Year] {
            assert_eq!(shift(p), None);
        }
        for p in Period::ALL {
            assert_eq!(label_shift(p, HourLabel::Start), None);
        }
    }

    proptest! {
        #[test]
        fn agrees_with_chrono(
            secs in -2_000_000_000i64..4_000_000_000i64,
            millis in 0u32..1000,
            offset_min in -840i32..=840,
        ) {
            let instant = DateTime::from_timestamp(secs, millis * 1_000_000).unwrap();
            let offset = FixedOffset::east_opt(offset_min * 60).unwrap();
            let local = instant.with_timezone(&offset);
            prop_assume!((1000..=9999).contains(&local.year()));
            let rfc = local.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string();
            prop_assert_eq!(ms(&rfc, chrono_tz::UTC), instant.timestamp_millis());
            // The same wall clock without offset, in a zone with that fixed offset.
            let wall = local.naive_local();
            let text = format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                wall.year(), wall.month(), wall.day(), wall.hour(), wall.minute(), wall.second()
            );
            let parsed = parse(&text).unwrap();
            prop_assert_eq!(parsed, Parsed::Local(wall.with_nanosecond(0).unwrap()));
        }
    }
}
