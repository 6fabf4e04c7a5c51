//! The EPA AQI breakpoint tables: TAD May 2024 (EPA-454/B-24-002) and the tables in force
//! before 2024-05-06 (2012 PM2.5 and 2015 O3 standards, TAD September 2018).
//!
//! Concentrations are stored as integers in steps of the truncation: O3 0.001 ppm, PM2.5
//! 0.1 µg/m³, PM10 1 µg/m³, CO 0.1 ppm, SO2 and NO2 1 ppb. So the table arithmetic is exact.

use crate::aqi::{Averaging, Pollutant};

/// One row of an EPA table: index range and concentration range (in truncation steps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Row {
    pub(crate) i_lo: u16,
    pub(crate) i_hi: u16,
    pub(crate) c_lo: u32,
    pub(crate) c_hi: u32,
}

const fn rows<const N: usize>(r: [(u16, u16, u32, u32); N]) -> [Row; N] {
    let mut out = [Row {
        i_lo: 0,
        i_hi: 0,
        c_lo: 0,
        c_hi: 0,
    }; N];
    let mut k = 0;
    while k < N {
        out[k] = Row {
            i_lo: r[k].0,
            i_hi: r[k].1,
            c_lo: r[k].2,
            c_hi: r[k].3,
        };
        k += 1;
    }
    out
}

// Shared by both tables.
static O3_8H: [Row; 5] = rows([
    (0, 50, 0, 54),
    (51, 100, 55, 70),
    (101, 150, 71, 85),
    (151, 200, 86, 105),
    (201, 300, 106, 200),
]);
static SO2_1H: [Row; 4] = rows([
    (0, 50, 0, 35),
    (51, 100, 36, 75),
    (101, 150, 76, 185),
    (151, 200, 186, 304),
]);

// TAD 2024.
static O3_1H_2024: [Row; 4] = rows([
    (101, 150, 125, 164),
    (151, 200, 165, 204),
    (201, 300, 205, 404),
    (301, 500, 405, 604),
]);
static PM25_2024: [Row; 6] = rows([
    (0, 50, 0, 90),
    (51, 100, 91, 354),
    (101, 150, 355, 554),
    (151, 200, 555, 1254),
    (201, 300, 1255, 2254),
    (301, 500, 2255, 3254),
]);
static PM10_2024: [Row; 6] = rows([
    (0, 50, 0, 54),
    (51, 100, 55, 154),
    (101, 150, 155, 254),
    (151, 200, 255, 354),
    (201, 300, 355, 424),
    (301, 500, 425, 604),
]);
static CO_2024: [Row; 6] = rows([
    (0, 50, 0, 44),
    (51, 100, 45, 94),
    (101, 150, 95, 124),
    (151, 200, 125, 154),
    (201, 300, 155, 304),
    (301, 500, 305, 504),
]);
static SO2_24H_2024: [Row; 2] = rows([(201, 300, 305, 604), (301, 500, 605, 1004)]);
static NO2_2024: [Row; 6] = rows([
    (0, 50, 0, 53),
    (51, 100, 54, 100),
    (101, 150, 101, 360),
    (151, 200, 361, 649),
    (201, 300, 650, 1249),
    (301, 500, 1250, 2049),
]);

// Before 2024-05-06.
static O3_1H_2012: [Row; 5] = rows([
    (101, 150, 125, 164),
    (151, 200, 165, 204),
    (201, 300, 205, 404),
    (301, 400, 405, 504),
    (401, 500, 505, 604),
]);
static PM25_2012: [Row; 7] = rows([
    (0, 50, 0, 120),
    (51, 100, 121, 354),
    (101, 150, 355, 554),
    (151, 200, 555, 1504),
    (201, 300, 1505, 2504),
    (301, 400, 2505, 3504),
    (401, 500, 3505, 5004),
]);
static PM10_2012: [Row; 7] = rows([
    (0, 50, 0, 54),
    (51, 100, 55, 154),
    (101, 150, 155, 254),
    (151, 200, 255, 354),
    (201, 300, 355, 424),
    (301, 400, 425, 504),
    (401, 500, 505, 604),
]);
static CO_2012: [Row; 7] = rows([
    (0, 50, 0, 44),
    (51, 100, 45, 94),
    (101, 150, 95, 124),
    (151, 200, 125, 154),
    (201, 300, 155, 304),
    (301, 400, 305, 404),
    (401, 500, 405, 504),
]);
static SO2_24H_2012: [Row; 3] = rows([
    (201, 300, 305, 604),
    (301, 400, 605, 804),
    (401, 500, 805, 1004),
]);
static NO2_2012: [Row; 7] = rows([
    (0, 50, 0, 53),
    (51, 100, 54, 100),
    (101, 150, 101, 360),
    (151, 200, 361, 649),
    (201, 300, 650, 1249),
    (301, 400, 1250, 1649),
    (401, 500, 1650, 2049),
]);

/// The decimals a concentration is truncated to (TAD 2024 Table 6 note): O3 3 (ppm), PM2.5 1,
/// PM10 0, CO 1 (ppm), SO2 0 and NO2 0 (ppb).
pub(crate) const fn decimals(pollutant: Pollutant) -> u32 {
    match pollutant {
        Pollutant::O3 => 3,
        Pollutant::Pm25 | Pollutant::Co => 1,
        Pollutant::Pm10 | Pollutant::So2 | Pollutant::No2 => 0,
    }
}

/// The rows for a pollutant and averaging period: `new` selects the 2024 tables.
pub(crate) fn rows_for(
    new: bool,
    pollutant: Pollutant,
    averaging: Averaging,
) -> Option<&'static [Row]> {
    use Averaging::{Hour1 as H1, Hour24 as H24, Hour8 as H8};
    Some(match (pollutant, averaging, new) {
        (Pollutant::O3, H8, _) => &O3_8H,
        (Pollutant::O3, H1, true) => &O3_1H_2024,
        (Pollutant::O3, H1, false) => &O3_1H_2012,
        (Pollutant::Pm25, H24, true) => &PM25_2024,
        (Pollutant::Pm25, H24, false) => &PM25_2012,
        (Pollutant::Pm10, H24, true) => &PM10_2024,
        (Pollutant::Pm10, H24, false) => &PM10_2012,
        (Pollutant::Co, H8, true) => &CO_2024,
        (Pollutant::Co, H8, false) => &CO_2012,
        (Pollutant::So2, H1, _) => &SO2_1H,
        (Pollutant::So2, H24, true) => &SO2_24H_2024,
        (Pollutant::So2, H24, false) => &SO2_24H_2012,
        (Pollutant::No2, H1, true) => &NO2_2024,
        (Pollutant::No2, H1, false) => &NO2_2012,
        _ => return None,
    })
}

/// The index of `steps` (a truncated concentration) on `rows`, rounded half up; `None` below
/// the first row. Above the last row the last row is extrapolated (TAD 2024 footnote 4).
pub(crate) fn index(rows: &[Row], steps: i64) -> Option<u32> {
    let first = rows.first()?;
    if steps < i64::from(first.c_lo) {
        return None;
    }
    let last = rows[rows.len() - 1];
    let row = rows
        .iter()
        .find(|r| steps <= i64::from(r.c_hi))
        .copied()
        .unwrap_or(last);
    let di = i64::from(row.i_hi - row.i_lo);
    let dc = i64::from(row.c_hi - row.c_lo);
    let num = di * (steps - i64::from(row.c_lo));
    // I = I_lo + num/dc rounded half up = I_lo + floor((2·num + dc) / (2·dc)).
    let i = i64::from(row.i_lo) + (2 * num + dc).div_euclid(2 * dc);
    Some(u32::try_from(i).unwrap_or(u32::MAX))
}
