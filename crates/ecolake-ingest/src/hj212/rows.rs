//! From an HJ 212 data upload to rows of observations.

use std::borrow::Cow;

use ecolake_hj212::{Command, Packet};
use ecolake_model::Period;

use crate::rows::Columns;
use crate::sink::Device;

/// What one packet gave.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Appended {
    /// Rows added.
    pub rows: usize,
    /// Fields whose value is not a finite number (left out; the row keeps its other fields).
    pub bad_values: usize,
}

/// The period of the rows an upload carries and the field that holds its value; `None` for
/// uploads that carry no measurements (restart time, station information …).
fn layout(command: Command) -> Option<(Period, Layout)> {
    Some(match command {
        Command::RealTimeData => (Period::Rtd, Layout::Values),
        Command::MinuteData => (Period::Min, Layout::Values),
        Command::HourlyData => (Period::Hour, Layout::Values),
        Command::DailyData => (Period::Day, Layout::Values),
        Command::RunningState => (Period::Rtd, Layout::One("RS")),
        Command::DailyRunTime => (Period::Day, Layout::One("RT")),
        _ => return None,
    })
}

/// One factor's row being gathered: code, `value, min, max, cou, zs`, data flag.
type FactorRow<'p> = (Cow<'p, str>, [Option<f64>; 5], Option<&'p str>);

#[derive(Debug, Clone, Copy)]
enum Layout {
    /// `Rtd`/`Avg` → value, `Min`, `Max`, `Cou`, `ZsRtd`/`ZsAvg` → zs.
    Values,
    /// One field is the value (`SB1-RS` running state, `SB1-RT` run time in hours).
    One(&'static str),
}

/// Where a field goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    /// The slot of `value, min, max, cou, zs` of the factor's row.
    Of(usize),
    /// A field of its own: the value of factor `code-field` (vendor sub-fields such as the
    /// `100000-Ia` currents of electricity monitoring, `ZsMin`, `ZsMax`).
    Own,
    /// Not a measurement: `SampleTime` (when a water analyser took its sample), `EFlag`
    /// (equipment state letters), `Info` (information codes of 3020).
    Skip,
}

fn slot(layout: Layout, field: &str) -> Slot {
    match (layout, field) {
        (_, "SampleTime" | "EFlag" | "Info" | "Flag") => Slot::Skip,
        (Layout::One(name), f) if f == name => Slot::Of(0),
        (Layout::One(_), _) => Slot::Own,
        (Layout::Values, "Rtd" | "Avg") => Slot::Of(0),
        (Layout::Values, "Min") => Slot::Of(1),
        (Layout::Values, "Max") => Slot::Of(2),
        (Layout::Values, "Cou") => Slot::Of(3),
        (Layout::Values, "ZsRtd" | "ZsAvg") => Slot::Of(4),
        (Layout::Values, _) => Slot::Own,
    }
}

/// Appends the measurements of a data upload from `device`: one row per factor, at the
/// packet's `DataTime` read in the device's time zone, stored under the device's site with the
/// MN as source and values scaled to canonical units. Fields other than the standard value
/// fields become factors of their own (`code-field`, see [`Slot::Own`]); fields that are not
/// measurements are left out ([`Slot::Skip`]).
pub(crate) fn append(
    packet: &Packet<'_>,
    command: Command,
    device: &Device,
    columns: &mut Columns,
) -> Result<Appended, String> {
    let Some((period, layout)) = layout(command) else {
        return Ok(Appended::default());
    };
    let Some(datatime) = packet.datatime.as_deref() else {
        return Err(format!("CN={} without DataTime", packet.cn));
    };
    let time = local_time_ms(datatime, device.time_zone)
        .ok_or_else(|| format!("DataTime `{datatime}` is not a time (YYYYMMDDhhmmss)"))?;
    // Group the fields by factor, in first-appearance order (a packet has tens of factors).
    let mut factors: Vec<FactorRow<'_>> = Vec::new();
    let mut bad_values = 0;
    for item in &packet.items {
        let code = packet
            .factor_2017(item)
            .map_or(item.code.as_ref(), |f| f.code);
        let (code, slot): (Cow<'_, str>, usize) = match slot(layout, &item.field) {
            Slot::Skip => continue,
            Slot::Of(slot) => (Cow::Borrowed(code), slot),
            Slot::Own => (Cow::Owned(format!("{code}-{}", item.field)), 0),
        };
        let i = match factors.iter().position(|f| f.0 == code) {
            Some(i) => i,
            None => {
                factors.push((code, [None; 5], None));
                factors.len() - 1
            }
        };
        let entry = &mut factors[i];
        if entry.2.is_none() {
            entry.2 = item.flag.as_deref();
        }
        match item.value.parse::<f64>() {
            Ok(v) if v.is_finite() => {
                let scale = match slot {
                    3 => None, // amounts (`Cou`) have their own unit
                    _ => device.scale.get(entry.0.as_ref()),
                };
                entry.1[slot] = Some(scale.map_or(v, |s| v * s));
            }
            _ => bad_values += 1,
        }
    }
    let mut rows = 0;
    for (code, values, flag) in factors {
        if values.iter().all(Option::is_none) {
            continue;
        }
        columns.push(
            time,
            &device.site,
            &code,
            period,
            values,
            flag,
            None,
            &device.mn,
        );
        rows += 1;
    }
    Ok(Appended { rows, bad_values })
}

/// `YYYYMMDDhhmmss` in `tz` as UTC milliseconds.
pub(crate) fn local_time_ms(text: &str, tz: chrono_tz::Tz) -> Option<i64> {
    use chrono::{NaiveDate, TimeZone};
    let b = text.as_bytes();
    if b.len() != 14 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| {
        b[r].iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    };
    let naive = NaiveDate::from_ymd_opt(n(0..4) as i32, n(4..6), n(6..8))?.and_hms_opt(
        n(8..10),
        n(10..12),
        n(12..14),
    )?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecolake_hj212::{decode, Edition, Profile};
    use std::collections::HashMap;

    fn device() -> Device {
        Device {
            mn: "MN1".into(),
            password: "123456".into(),
            site: "OUT-1".into(),
            profile: Profile::default(),
            time_zone: chrono_tz::Asia::Shanghai,
            scale: HashMap::from([("a21026".to_owned(), 1000.0)]),
            enabled: true,
        }
    }

    #[test]
    fn an_hourly_upload_gives_one_row_per_factor() {
        // The standard's C.50 segment.
        let wire = b"##0260QN=20160801085857534;ST=32;CN=2061;PW=123456;MN=010000A8900016F000169DC0;Flag=7;PNUM=2;PNO=1;CP=&&DataTime=20160801080000;w00000-Cou=63.0,w00000-Min=16.4,w00000-Avg=17.5,w00000-Max=20.1,w00000-Flag=N;w01001-Min=7.1,w01001-Avg=7.5,w01001-Max=7.8,w01001-Flag=N&&D941\r\n";
        let p = decode(wire, &Profile::default()).unwrap().packet;
        let mut cols = Columns::new(8, 8);
        let got = append(&p, p.command(Edition::Auto), &device(), &mut cols).unwrap();
        assert_eq!(
            got,
            Appended {
                rows: 2,
                bad_values: 0
            }
        );
        let b = cols.finish();
        let text = arrow::util::pretty::pretty_format_batches(&[b])
            .unwrap()
            .to_string();
        assert!(text.contains("| 2016-08-01T00:00:00Z | OUT-1 | w00000 | hour   | 17.5  | 16.4 | 20.1 | 63.0 |    | N    |    | MN1    |"), "{text}");
        assert!(
            text.contains("| w01001 | hour   | 7.5   | 7.1  | 7.8  |"),
            "{text}"
        );
    }

    #[test]
    fn real_time_values_are_scaled_and_bad_ones_counted() {
        let wire = b"##0140QN=20250301120000123;ST=31;CN=2011;PW=123456;MN=0123456789ABCDEF01234567;Flag=5;CP=&&DataTime=20250301120000;a21026-Rtd=12.3,a21026-Flag=N&&42C0\r\n";
        let p = decode(wire, &Profile::default()).unwrap().packet;
        let mut cols = Columns::new(8, 8);
        let got = append(&p, Command::RealTimeData, &device(), &mut cols).unwrap();
        assert_eq!(got.rows, 1);
        let b = cols.finish();
        let v = b
            .column(4)
            .as_any()
            .downcast_ref::<arrow::array::Float64Array>()
            .unwrap();
        assert_eq!(v.value(0), 12300.0);

        let mut p2 = p.clone();
        p2.items[0].value = "NaN".into();
        let mut cols = Columns::new(8, 8);
        let got = append(&p2, Command::RealTimeData, &device(), &mut cols).unwrap();
        assert_eq!(
            got,
            Appended {
                rows: 0,
                bad_values: 1
            }
        );
        let mut p3 = p;
        p3.datatime = Some("2025-03-01".into());
        assert!(append(&p3, Command::RealTimeData, &device(), &mut cols)
            .unwrap_err()
            .contains("`2025-03-01`"));
    }

    #[test]
    fn vendor_sub_fields_are_factors_of_their_own_and_sample_times_are_skipped() {
        let wire = b"##0635QN=20201015123632010;ST=80;CN=2011;PW=123456;MN=410183160889201000212505;Flag=5;CP=&&DataTime=20201015123000;100000-Ia=401.400,100000-Ib=394.000,100000-Ic=382.000,100000-Ua=231.0,100000-Ub=231.4,100000-Uc=232.3,100000-Pt=267.3919,100000-Pa=90.8620,100000-Pb=89.2773,100000-Pc=87.2527,100000-Pdem=1.1268,100000-Ept=162762.484,100000-Epa=58128.980,100000-Epb=55640.578,100000-Epc=48992.922,100000-Eg1=16698.939,100000-Eg2=1.260,100000-Eg3=37.600,100000-Eg4=2.960,100000-Pa_ave=0.3964,100000-Pb_ave=0.3860,100000-Pc_ave=0.3713,100000-Tpa=25.3,100000-Tpb=25.3,100000-Tpc=25.3,100000-Pga=11.5,100000-Pgb=11.7,100000-Pgc=10.5,100000-Flag=N&&8201\r\n";
        let p = decode(wire, &Profile::default()).unwrap().packet;
        let mut cols = Columns::new(8, 8);
        let got = append(&p, Command::RealTimeData, &device(), &mut cols).unwrap();
        assert_eq!(
            got,
            Appended {
                rows: 28,
                bad_values: 0
            }
        );
        let b = cols.finish();
        let f = b
            .column(2)
            .as_any()
            .downcast_ref::<arrow::array::StringArray>()
            .unwrap();
        assert_eq!((f.value(0), f.value(27)), ("100000-Ia", "100000-Pgc"));

        let mut q = p.clone();
        q.items.truncate(1);
        q.items[0].field = "SampleTime".into();
        let mut cols = Columns::new(8, 8);
        assert_eq!(
            append(&q, Command::RealTimeData, &device(), &mut cols)
                .unwrap()
                .rows,
            0
        );
    }

    #[test]
    fn local_times_follow_the_devices_zone() {
        let t = local_time_ms("20250301120000", chrono_tz::Asia::Shanghai).unwrap();
        assert_eq!(t, 1_740_801_600_000); // 04:00 UTC
        assert_eq!(local_time_ms("20250230120000", chrono_tz::UTC), None);
        assert_eq!(local_time_ms("2025030112000", chrono_tz::UTC), None);
    }
}
