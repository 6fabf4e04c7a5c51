//! The IAQI breakpoint tables of HJ 633-2012 (Table 1) and HJ 633-2026 (Tables 2 and 3), and the
//! evaluation shared by the scalar and the columnar API.
//!
//! Two exact evaluations, which the tests check against each other and against rational
//! arithmetic at every step of every table:
//!
//! * a lookup table per (edition, pollutant, period) holding the IAQI of every concentration on
//!   the reporting grid (1 µg/m³; 0.1 mg/m³ for CO) from 0 to the top breakpoint, computed at
//!   compile time in integer arithmetic, `IL + ⌈(IH−IL)·(k−BPL)/(BPH−BPL)⌉`. Monitoring data
//!   sits on that grid (and HJ 633-2026 rounds every concentration onto it), so almost every
//!   value is one load;
//! * for other values (HJ 633-2012 only), the continuous piecewise-linear function written as
//!   a sum of hinges, `s₀·c + Σᵢ dᵢ·max(c − BPᵢ, 0)` (sᵢ the slope of segment i, dᵢ = sᵢ − sᵢ₋₁
//!   at each inner breakpoint), rounded up with the tolerance of [`crate::aqi::exact`].

use super::Edition;
use crate::aqi::exact::{ceil_tol, round_half_even_steps, MAGIC};
use crate::aqi::{Averaging, Pollutant};

/// One breakpoint of an IAQI table: the concentration (µg/m³, CO mg/m³) and its IAQI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Breakpoint {
    /// The concentration limit BP (µg/m³; mg/m³ for CO).
    pub concentration: u32,
    /// The IAQI at that concentration.
    pub iaqi: u16,
}

const fn bps<const N: usize>(c: [u32; N]) -> [Breakpoint; N] {
    const IAQI: [u16; 8] = [0, 50, 100, 150, 200, 300, 400, 500];
    let mut out = [Breakpoint {
        concentration: 0,
        iaqi: 0,
    }; N];
    let mut i = 0;
    while i < N {
        out[i] = Breakpoint {
            concentration: c[i],
            iaqi: IAQI[i],
        };
        i += 1;
    }
    out
}

static SO2_24H: [Breakpoint; 8] = bps([0, 50, 150, 475, 800, 1600, 2100, 2620]);
static SO2_1H: [Breakpoint; 5] = bps([0, 150, 500, 650, 800]);
static NO2_24H: [Breakpoint; 8] = bps([0, 40, 80, 180, 280, 565, 750, 940]);
static NO2_1H: [Breakpoint; 8] = bps([0, 100, 200, 700, 1200, 2340, 3090, 3840]);
static CO_24H: [Breakpoint; 8] = bps([0, 2, 4, 14, 24, 36, 48, 60]);
static CO_1H: [Breakpoint; 8] = bps([0, 5, 10, 35, 60, 90, 120, 150]);
static O3_1H: [Breakpoint; 8] = bps([0, 160, 200, 300, 400, 800, 1000, 1200]);
static O3_8H: [Breakpoint; 6] = bps([0, 100, 160, 215, 265, 800]);
static PM10_2012: [Breakpoint; 8] = bps([0, 50, 150, 250, 350, 420, 500, 600]);
static PM25_2012: [Breakpoint; 8] = bps([0, 35, 75, 115, 150, 250, 350, 500]);
static PM10_2026: [Breakpoint; 8] = bps([0, 50, 120, 250, 350, 420, 500, 600]);
static PM25_2026: [Breakpoint; 8] = bps([0, 35, 60, 115, 150, 250, 350, 500]);

/// The IAQI of every grid step `k` (concentration `k / steps`) from 0 to the top breakpoint,
/// in integer arithmetic: `IL + ⌈(IH − IL)·(k − BPL·steps)/((BPH − BPL)·steps)⌉`.
const fn lut<const LEN: usize>(points: &[Breakpoint], steps: u32) -> [i16; LEN] {
    let top = points[points.len() - 1].concentration * steps;
    assert!(LEN as u32 == top + 1, "lookup table length");
    let mut out = [0i16; LEN];
    let mut seg = 0;
    let mut k = 0u32;
    while k <= top {
        while points[seg + 1].concentration * steps < k {
            seg += 1;
        }
        let lo = points[seg].concentration * steps;
        let den = points[seg + 1].concentration * steps - lo;
        let il = points[seg].iaqi as u32;
        let num = (points[seg + 1].iaqi as u32 - il) * (k - lo);
        out[k as usize] = (il + num.div_ceil(den)) as i16;
        k += 1;
    }
    out
}

static LUT_SO2_24H: [i16; 2621] = lut(&SO2_24H, 1);
static LUT_SO2_1H: [i16; 801] = lut(&SO2_1H, 1);
static LUT_NO2_24H: [i16; 941] = lut(&NO2_24H, 1);
static LUT_NO2_1H: [i16; 3841] = lut(&NO2_1H, 1);
static LUT_CO_24H: [i16; 601] = lut(&CO_24H, 10);
static LUT_CO_1H: [i16; 1501] = lut(&CO_1H, 10);
static LUT_O3_1H: [i16; 1201] = lut(&O3_1H, 1);
static LUT_O3_8H: [i16; 801] = lut(&O3_8H, 1);
static LUT_PM10_2012: [i16; 601] = lut(&PM10_2012, 1);
static LUT_PM25_2012: [i16; 501] = lut(&PM25_2012, 1);
static LUT_PM10_2026: [i16; 601] = lut(&PM10_2026, 1);
static LUT_PM25_2026: [i16; 501] = lut(&PM25_2026, 1);

/// The value of an item above its table's top that the 2012 edition does not compute (SO2 1h
/// and O3 8h above 800 µg/m³: the report takes another average instead).
pub(crate) const FALLBACK: i16 = -2;
/// The value of a missing (NaN) concentration.
pub(crate) const MISSING: i16 = -1;
/// The value of a negative or infinite concentration (an error for the caller).
pub(crate) const INVALID: i16 = -3;

/// A compiled IAQI table.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Table {
    pub(crate) pollutant: Pollutant,
    pub(crate) points: &'static [Breakpoint],
    lut: &'static [i16],
    /// Grid steps per unit: 1 (µg/m³) or 10 (CO, mg/m³).
    steps: f64,
    /// The top breakpoint in grid steps.
    top_steps: f64,
    /// The IAQI above the top: 500 (cap), 200/300 (HJ 633-2026 SO2 1h / O3 8h) or [`FALLBACK`].
    over: i16,
    /// HJ 633-2026 clause 4.2.2: round the concentration half-even onto the grid first.
    round: bool,
    s0: f64,
    hinge_at: [f64; 6],
    hinge_d: [f64; 6],
}

impl Table {
    const fn new(
        pollutant: Pollutant,
        points: &'static [Breakpoint],
        lut: &'static [i16],
        over: i16,
        round: bool,
    ) -> Table {
        let n = points.len();
        let mut slopes = [0.0f64; 7];
        let mut k = 0;
        while k + 1 < n {
            let di = (points[k + 1].iaqi - points[k].iaqi) as f64;
            let dc = (points[k + 1].concentration - points[k].concentration) as f64;
            slopes[k] = di / dc;
            k += 1;
        }
        let mut hinge_at = [0.0f64; 6];
        let mut hinge_d = [0.0f64; 6];
        let mut i = 1;
        while i + 1 < n {
            hinge_at[i - 1] = points[i].concentration as f64;
            hinge_d[i - 1] = slopes[i] - slopes[i - 1];
            i += 1;
        }
        let steps = if matches!(pollutant, Pollutant::Co) {
            10.0
        } else {
            1.0
        };
        Table {
            pollutant,
            points,
            lut,
            steps,
            top_steps: (lut.len() - 1) as f64,
            over,
            round,
            s0: slopes[0],
            hinge_at,
            hinge_d,
        }
    }

    /// The IAQI of a concentration (µg/m³; CO mg/m³), or [`MISSING`] for NaN, [`INVALID`] for a
    /// negative or infinite value, [`FALLBACK`] where HJ 633-2012 does not index it. Above the
    /// top breakpoint: the table's `over` value.
    #[inline(always)]
    pub(crate) fn index(&self, c: f64) -> i16 {
        if self.round {
            self.index_with::<true>(c)
        } else {
            self.index_with::<false>(c)
        }
    }

    /// Whether the edition rounds concentrations onto the grid first (HJ 633-2026).
    pub(crate) fn rounds(&self) -> bool {
        self.round
    }

    /// [`Table::index`] with the rounding known at compile time (`ROUND == self.rounds()`).
    #[inline(always)]
    pub(crate) fn index_with<const ROUND: bool>(&self, c: f64) -> i16 {
        let x = c * self.steps;
        if let Some(v) = self.on_grid(x) {
            return v;
        }
        // Off the grid: HJ 633-2026 rounds onto it (a value on it is its own rounding).
        let x = if ROUND { round_half_even_steps(x) } else { x };
        if ROUND {
            if let Some(v) = self.on_grid(x) {
                return v;
            }
        }
        self.index_off_grid(c, x)
    }

    /// The lookup-table IAQI of `x` grid steps if `x` is an integer from 0 to the top.
    #[inline(always)]
    fn on_grid(&self, x: f64) -> Option<i16> {
        // `x + 2^52` holds an integer x in its low bits (no float-to-int conversion with its
        // saturation checks); a negative x wraps to a huge index and fails the bounds check.
        let y = x + MAGIC;
        if x <= self.top_steps && y - MAGIC == x {
            self.lut.get(y.to_bits() as u32 as usize).copied()
        } else {
            None
        }
    }

    /// [`Table::index`] for values off the grid, above the top, missing or invalid.
    #[inline(never)]
    fn index_off_grid(&self, c: f64, x: f64) -> i16 {
        if c.is_nan() {
            MISSING
        } else if !(0.0..f64::INFINITY).contains(&c) {
            INVALID
        } else if x > self.top_steps {
            self.over
        } else {
            self.hinge(if self.round { x / self.steps } else { c }) as i16
        }
    }

    /// The continuous IAQI function rounded up (exact within the tolerance), `0 <= c <= top`.
    fn hinge(&self, c: f64) -> f64 {
        let mut v = self.s0 * c;
        for i in 0..6 {
            let x = c - self.hinge_at[i];
            v += self.hinge_d[i] * if x > 0.0 { x } else { 0.0 };
        }
        ceil_tol(v)
    }

    /// Whether the concentration (rounded first for HJ 633-2026) is above the top breakpoint.
    pub(crate) fn is_over(&self, c: f64) -> bool {
        let x = if self.round {
            round_half_even_steps(c * self.steps)
        } else {
            c * self.steps
        };
        x > self.top_steps
    }
}

use Averaging::{Hour1 as H1, Hour24 as H24, Hour8 as H8};
use Pollutant::{Co, No2, Pm10, Pm25, So2, O3};

/// The tables of one edition, in the order of [`position`].
const fn edition_tables(edition: Edition) -> [Table; 10] {
    let new = matches!(edition, Edition::Hj633_2026);
    let (so2_over, o3_over) = if new {
        (200, 300)
    } else {
        (FALLBACK, FALLBACK)
    };
    let (pm10, pm25): (&'static [Breakpoint], &'static [Breakpoint]) = if new {
        (&PM10_2026, &PM25_2026)
    } else {
        (&PM10_2012, &PM25_2012)
    };
    let (pm10_lut, pm25_lut): (&'static [i16], &'static [i16]) = if new {
        (&LUT_PM10_2026, &LUT_PM25_2026)
    } else {
        (&LUT_PM10_2012, &LUT_PM25_2012)
    };
    [
        Table::new(So2, &SO2_24H, &LUT_SO2_24H, 500, new),
        Table::new(So2, &SO2_1H, &LUT_SO2_1H, so2_over, new),
        Table::new(No2, &NO2_24H, &LUT_NO2_24H, 500, new),
        Table::new(No2, &NO2_1H, &LUT_NO2_1H, 500, new),
        Table::new(Co, &CO_24H, &LUT_CO_24H, 500, new),
        Table::new(Co, &CO_1H, &LUT_CO_1H, 500, new),
        Table::new(O3, &O3_1H, &LUT_O3_1H, 500, new),
        Table::new(O3, &O3_8H, &LUT_O3_8H, o3_over, new),
        Table::new(Pm10, pm10, pm10_lut, 500, new),
        Table::new(Pm25, pm25, pm25_lut, 500, new),
    ]
}

static TABLES_2012: [Table; 10] = edition_tables(Edition::Hj633_2012);
static TABLES_2026: [Table; 10] = edition_tables(Edition::Hj633_2026);

/// The position of a (pollutant, averaging) table, if the standard has one.
const fn position(pollutant: Pollutant, averaging: Averaging) -> Option<usize> {
    Some(match (pollutant, averaging) {
        (So2, H24) => 0,
        (So2, H1) => 1,
        (No2, H24) => 2,
        (No2, H1) => 3,
        (Co, H24) => 4,
        (Co, H1) => 5,
        (O3, H1) => 6,
        (O3, H8) => 7,
        (Pm10, H24) => 8,
        (Pm25, H24) => 9,
        _ => return None,
    })
}

/// The compiled table, if the edition has one for this pollutant and averaging period.
pub(crate) fn table(
    edition: Edition,
    pollutant: Pollutant,
    averaging: Averaging,
) -> Option<&'static Table> {
    let i = position(pollutant, averaging)?;
    Some(match edition {
        Edition::Hj633_2012 => &TABLES_2012[i],
        Edition::Hj633_2026 => &TABLES_2026[i],
    })
}

/// The breakpoints of an edition's IAQI table for a pollutant and averaging period, or `None`
/// where the standard has no such table (PM has only the 24-hour table, O3 has 1h and 8h, the
/// others 1h and 24h).
pub fn breakpoints(
    edition: Edition,
    pollutant: Pollutant,
    averaging: Averaging,
) -> Option<&'static [Breakpoint]> {
    table(edition, pollutant, averaging).map(|t| t.points)
}
