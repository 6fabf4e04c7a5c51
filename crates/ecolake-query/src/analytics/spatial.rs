//! Spatial interpolation of site values onto a regular grid: inverse-distance weighting,
//! ordinary kriging (with variogram fitting) and GeoJSON contours of the result.
//!
//! Coordinates are Euclidean, taken as given: longitude/latitude in degrees are treated as
//! plane coordinates (pykrige's default `coordinates_type='euclidean'`), which is fine over a
//! city or a province but distorts distances east–west away from the equator; project the
//! sites first (e.g. to UTM metres) when that matters. Variogram ranges are then in the same
//! units as the coordinates.
//!
//! A grid is node-registered: value `(i, j)` is at `x = x0 + i·dx`, `y = y0 + j·dy`, stored
//! row-major from the southern row (`values[j·nx + i]`), the layout of pykrige's
//! `execute('grid', gridx, gridy)` with ascending `gridx`, `gridy`.

pub mod contour;
pub mod kriging;
mod linalg;
pub mod variogram;

use serde::{Deserialize, Serialize};

use super::AnalyticsError;

pub use contour::contours;
pub use kriging::{KrigedGrid, OrdinaryKriging, Prediction, VariogramModel};
pub use variogram::{
    empirical_variogram, fit_empirical, fit_variogram, EmpiricalVariogram, ModelKind, VariogramFit,
};

/// Distances at or below this are a coincidence with a site (pykrige's `eps`).
pub const COINCIDENT: f64 = 1e-10;

/// A site with its value (`x` east, `y` north, e.g. longitude and latitude).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Easting or longitude.
    pub x: f64,
    /// Northing or latitude.
    pub y: f64,
    /// The value to interpolate.
    pub value: f64,
}

impl Site {
    /// A site at `(x, y)` with `value`.
    pub fn new(x: f64, y: f64, value: f64) -> Self {
        Self { x, y, value }
    }

    fn distance(&self, x: f64, y: f64) -> f64 {
        (self.x - x).hypot(self.y - y)
    }
}

/// Checks that every site is finite; needs at least `needed` of them.
pub(crate) fn check_sites(
    sites: &[Site],
    what: &'static str,
    needed: usize,
) -> Result<(), AnalyticsError> {
    if let Some(k) = sites
        .iter()
        .position(|s| !(s.x.is_finite() && s.y.is_finite() && s.value.is_finite()))
    {
        return Err(AnalyticsError::invalid(
            "sites",
            format!("site {k} has a non-finite coordinate or value"),
        ));
    }
    if sites.len() < needed {
        return Err(AnalyticsError::TooFewPoints {
            what,
            needed,
            got: sites.len(),
        });
    }
    Ok(())
}

/// The nodes of a regular grid.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GridSpec {
    /// The x of the first column.
    pub x0: f64,
    /// The y of the first (southern) row.
    pub y0: f64,
    /// The spacing between columns (> 0).
    pub dx: f64,
    /// The spacing between rows (> 0).
    pub dy: f64,
    /// The number of columns (≥ 1).
    pub nx: usize,
    /// The number of rows (≥ 1).
    pub ny: usize,
}

/// At most this many nodes in a grid (16 Mi, 128 MiB of values).
pub const MAX_GRID_NODES: usize = 1 << 24;

impl GridSpec {
    /// A grid of `nx × ny` nodes from `(x0, y0)` spaced `dx`, `dy`.
    pub fn new(
        x0: f64,
        y0: f64,
        dx: f64,
        dy: f64,
        nx: usize,
        ny: usize,
    ) -> Result<Self, AnalyticsError> {
        if !(x0.is_finite() && y0.is_finite()) {
            return Err(AnalyticsError::invalid("x0, y0", "must be finite"));
        }
        if !(dx.is_finite() && dx > 0.0 && dy.is_finite() && dy > 0.0) {
            return Err(AnalyticsError::invalid(
                "dx, dy",
                "must be finite and positive",
            ));
        }
        if nx == 0 || ny == 0 || nx.saturating_mul(ny) > MAX_GRID_NODES {
            return Err(AnalyticsError::invalid(
                "nx, ny",
                format!("{nx} × {ny} is not between 1 and {MAX_GRID_NODES} nodes"),
            ));
        }
        Ok(Self {
            x0,
            y0,
            dx,
            dy,
            nx,
            ny,
        })
    }

    /// A grid of `nx × ny` nodes (each ≥ 2) spanning `bbox = [min_x, min_y, max_x, max_y]`,
    /// nodes on its edges.
    pub fn from_bbox(bbox: [f64; 4], nx: usize, ny: usize) -> Result<Self, AnalyticsError> {
        let [x_min, y_min, x_max, y_max] = bbox;
        if nx < 2 || ny < 2 {
            return Err(AnalyticsError::invalid(
                "nx, ny",
                "need at least 2 nodes a side",
            ));
        }
        if !(x_max > x_min && y_max > y_min) {
            return Err(AnalyticsError::invalid(
                "bbox",
                "must have max > min on both axes",
            ));
        }
        let dx = (x_max - x_min) / (nx - 1) as f64;
        let dy = (y_max - y_min) / (ny - 1) as f64;
        Self::new(x_min, y_min, dx, dy, nx, ny)
    }

    /// The x of column `i`.
    pub fn x(&self, i: usize) -> f64 {
        self.x0 + i as f64 * self.dx
    }

    /// The y of row `j`.
    pub fn y(&self, j: usize) -> f64 {
        self.y0 + j as f64 * self.dy
    }

    /// `[min_x, min_y, max_x, max_y]` of the nodes.
    pub fn bbox(&self) -> [f64; 4] {
        [self.x0, self.y0, self.x(self.nx - 1), self.y(self.ny - 1)]
    }

    /// A grid of these nodes with `f(x, y)` at each, row-major from the southern row.
    pub fn map(&self, mut f: impl FnMut(f64, f64) -> f64) -> Grid {
        let mut values = Vec::with_capacity(self.nx * self.ny);
        for j in 0..self.ny {
            let y = self.y(j);
            for i in 0..self.nx {
                values.push(f(self.x(i), y));
            }
        }
        Grid::from_values(self, values)
    }
}

/// Values on a regular grid; serializes to JSON with NaN (no value) as `null`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grid {
    /// `[min_x, min_y, max_x, max_y]` of the nodes.
    pub bbox: [f64; 4],
    /// The number of columns.
    pub nx: usize,
    /// The number of rows.
    pub ny: usize,
    /// `[dx, dy]`: the spacing of the nodes.
    pub cell_size: [f64; 2],
    /// `nx · ny` values, row-major from the southern row: `values[j·nx + i]`; NaN where there
    /// is no value (outside a search radius or a distance mask).
    pub values: Vec<f64>,
}

impl Grid {
    fn from_values(spec: &GridSpec, values: Vec<f64>) -> Self {
        Self {
            bbox: spec.bbox(),
            nx: spec.nx,
            ny: spec.ny,
            cell_size: [spec.dx, spec.dy],
            values,
        }
    }

    /// The nodes of this grid.
    pub fn spec(&self) -> GridSpec {
        GridSpec {
            x0: self.bbox[0],
            y0: self.bbox[1],
            dx: self.cell_size[0],
            dy: self.cell_size[1],
            nx: self.nx,
            ny: self.ny,
        }
    }

    /// The value at column `i`, row `j`, if inside the grid.
    pub fn get(&self, i: usize, j: usize) -> Option<f64> {
        (i < self.nx && j < self.ny).then(|| self.values[j * self.nx + i])
    }
}

/// Options of inverse-distance weighting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IdwOptions {
    /// The power of the distance in the weights `1/dᵖ` (> 0; 2 is usual).
    pub power: f64,
    /// Use only the nearest this many sites (≥ 1).
    pub max_neighbours: Option<usize>,
    /// Use only the sites within this distance (> 0); a node with none gets NaN.
    pub radius: Option<f64>,
}

impl Default for IdwOptions {
    fn default() -> Self {
        Self {
            power: 2.0,
            max_neighbours: None,
            radius: None,
        }
    }
}

impl IdwOptions {
    fn check(&self) -> Result<(), AnalyticsError> {
        if !(self.power.is_finite() && self.power > 0.0) {
            return Err(AnalyticsError::invalid(
                "power",
                "must be finite and positive",
            ));
        }
        if self.max_neighbours == Some(0) {
            return Err(AnalyticsError::invalid(
                "max_neighbours",
                "must be at least 1",
            ));
        }
        if let Some(r) = self.radius {
            if r.is_nan() || r <= 0.0 {
                return Err(AnalyticsError::invalid("radius", "must be positive"));
            }
        }
        Ok(())
    }
}

/// The inverse-distance-weighted value at `(x, y)`: `Σ wᵢ vᵢ / Σ wᵢ` with `wᵢ = 1/dᵢᵖ` over
/// the selected sites; a point within [`COINCIDENT`] of sites takes their (mean) value; NaN
/// when no site is within the radius.
pub fn idw_at(sites: &[Site], x: f64, y: f64, options: &IdwOptions) -> Result<f64, AnalyticsError> {
    options.check()?;
    check_sites(sites, "inverse-distance weighting", 1)?;
    let mut scratch = Vec::with_capacity(sites.len());
    Ok(idw_one(sites, x, y, options, &mut scratch))
}

fn idw_one(
    sites: &[Site],
    x: f64,
    y: f64,
    options: &IdwOptions,
    near: &mut Vec<(f64, f64)>,
) -> f64 {
    near.clear();
    let radius = options.radius.unwrap_or(f64::INFINITY);
    let (mut coincident_sum, mut coincident_n) = (0.0, 0usize);
    for s in sites {
        let d = s.distance(x, y);
        if d <= COINCIDENT {
            coincident_sum += s.value;
            coincident_n += 1;
        } else if d <= radius {
            near.push((d, s.value));
        }
    }
    if coincident_n > 0 {
        return coincident_sum / coincident_n as f64;
    }
    if let Some(k) = options.max_neighbours {
        if k < near.len() {
            near.select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0));
            near.truncate(k);
        }
    }
    if near.is_empty() {
        return f64::NAN;
    }
    let (mut num, mut den) = (0.0, 0.0);
    for &(d, v) in near.iter() {
        let w = d.powf(-options.power);
        num += w * v;
        den += w;
    }
    num / den
}

/// Inverse-distance weighting of `sites` onto the nodes of `spec` (see [`idw_at`]).
pub fn idw(sites: &[Site], spec: &GridSpec, options: &IdwOptions) -> Result<Grid, AnalyticsError> {
    options.check()?;
    check_sites(sites, "inverse-distance weighting", 1)?;
    let mut scratch = Vec::with_capacity(sites.len());
    Ok(spec.map(|x, y| idw_one(sites, x, y, options, &mut scratch)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analytics_idw_known_values() {
        let sites = [Site::new(0.0, 0.0, 1.0), Site::new(2.0, 0.0, 3.0)];
        let o = IdwOptions::default();
        assert_eq!(idw_at(&sites, 1.0, 0.0, &o).unwrap(), 2.0);
        assert_eq!(idw_at(&sites, 0.0, 0.0, &o).unwrap(), 1.0);
        // d = 1 and 3: weights 1 and 1/9.
        let v = idw_at(&sites, -1.0, 0.0, &o).unwrap();
        assert!((v - (1.0 + 3.0 / 9.0) / (1.0 + 1.0 / 9.0)).abs() < 1e-15);
        let near = IdwOptions {
            max_neighbours: Some(1),
            ..o
        };
        assert_eq!(idw_at(&sites, -1.0, 0.0, &near).unwrap(), 1.0);
        let radius = IdwOptions {
            radius: Some(0.5),
            ..o
        };
        assert!(idw_at(&sites, 1.0, 0.0, &radius).unwrap().is_nan());
    }

    #[test]
    fn analytics_idw_refuses_bad_input() {
        let o = IdwOptions::default();
        assert!(idw_at(&[], 0.0, 0.0, &o).is_err());
        assert!(idw_at(&[Site::new(f64::NAN, 0.0, 1.0)], 0.0, 0.0, &o).is_err());
        let bad = IdwOptions { power: -1.0, ..o };
        assert!(idw_at(&[Site::new(0.0, 0.0, 1.0)], 0.0, 0.0, &bad).is_err());
        assert!(GridSpec::new(0.0, 0.0, 0.0, 1.0, 2, 2).is_err());
        assert!(GridSpec::from_bbox([0.0, 0.0, 1.0, 1.0], 1, 3).is_err());
    }

    #[test]
    fn analytics_grid_layout_is_row_major_from_the_south() {
        let spec = GridSpec::from_bbox([0.0, 10.0, 2.0, 11.0], 3, 2).unwrap();
        let g = spec.map(|x, y| x + 100.0 * y);
        assert_eq!(
            g.values,
            vec![1000.0, 1001.0, 1002.0, 1100.0, 1101.0, 1102.0]
        );
        assert_eq!(g.get(2, 1), Some(1102.0));
        assert_eq!(g.spec(), spec);
        assert_eq!(g.bbox, [0.0, 10.0, 2.0, 11.0]);
    }
}
