//! Contour lines (isolines) of a grid by marching squares, as GeoJSON.
//!
//! For each level, every grid cell whose four corners have values is classified by which
//! corners are at or above the level; the level crosses the cell's edges where the class
//! changes, at the linearly interpolated position. Saddle cells (two opposite corners above,
//! two below) are resolved by the mean of the four corners. The segments are then joined, by
//! the edges they share, into polylines (closed rings repeat their first point). Cells with a
//! NaN corner are skipped, so lines stop at the border of the data. These are isolines, not
//! filled bands (isobands).

use std::collections::HashMap;

use serde_json::{json, Value};

use super::Grid;
use crate::analytics::AnalyticsError;

/// A crossing point, identified by the grid edge it lies on: `2·(j·nx + i)` for the edge from
/// node `(i, j)` east to `(i+1, j)`, `+1` for the edge from `(i, j)` north to `(i, j+1)`.
type EdgeId = usize;

/// The contour lines of `grid` at each of `levels`: a GeoJSON `FeatureCollection` with one
/// `Feature` per level (in the given order, even when empty), whose geometry is a
/// `MultiLineString` in the grid's coordinates and whose properties are `{"level": level}`.
pub fn contours(grid: &Grid, levels: &[f64]) -> Result<Value, AnalyticsError> {
    if grid.nx < 2 || grid.ny < 2 || grid.values.len() != grid.nx * grid.ny {
        return Err(AnalyticsError::invalid(
            "grid",
            "needs at least 2 × 2 nodes and nx · ny values",
        ));
    }
    if let Some(l) = levels.iter().find(|l| !l.is_finite()) {
        return Err(AnalyticsError::invalid(
            "levels",
            format!("{l} is not finite"),
        ));
    }
    let features: Vec<Value> = levels
        .iter()
        .map(|&level| {
            let lines: Vec<Vec<[f64; 2]>> = isolines(grid, level);
            json!({
                "type": "Feature",
                "geometry": {"type": "MultiLineString", "coordinates": lines},
                "properties": {"level": level},
            })
        })
        .collect();
    Ok(json!({"type": "FeatureCollection", "features": features}))
}

/// The polylines of one level.
pub fn isolines(grid: &Grid, level: f64) -> Vec<Vec<[f64; 2]>> {
    let segments = segments(grid, level);
    join(grid, level, &segments)
}

/// The segments of every cell, as pairs of edges.
fn segments(grid: &Grid, level: f64) -> Vec<(EdgeId, EdgeId)> {
    let nx = grid.nx;
    let v = |i: usize, j: usize| grid.values[j * nx + i];
    let mut out = Vec::new();
    for j in 0..grid.ny - 1 {
        for i in 0..nx - 1 {
            let corners = [v(i, j), v(i + 1, j), v(i + 1, j + 1), v(i, j + 1)];
            if corners.iter().any(|c| c.is_nan()) {
                continue;
            }
            let above = corners.map(|c| c >= level);
            // Edges in order around the cell: south, east, north, west; edge k joins corners
            // k and k+1 (mod 4).
            let edges = [
                2 * (j * nx + i),
                2 * (j * nx + i + 1) + 1,
                2 * ((j + 1) * nx + i),
                2 * (j * nx + i) + 1,
            ];
            let crossed: Vec<usize> = (0..4).filter(|&k| above[k] != above[(k + 1) % 4]).collect();
            match crossed.len() {
                2 => out.push((edges[crossed[0]], edges[crossed[1]])),
                4 => {
                    let centre = corners.iter().sum::<f64>() / 4.0 >= level;
                    if centre == above[0] {
                        // Corners 0 and 2 joined through the centre: cut off corners 1 and 3.
                        out.push((edges[0], edges[1]));
                        out.push((edges[2], edges[3]));
                    } else {
                        // Cut off corners 0 and 2.
                        out.push((edges[3], edges[0]));
                        out.push((edges[1], edges[2]));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The point where `level` crosses `edge`.
fn point(grid: &Grid, level: f64, edge: EdgeId) -> [f64; 2] {
    let spec = grid.spec();
    let node = edge / 2;
    let (i, j) = (node % grid.nx, node / grid.nx);
    let (i2, j2) = if edge.is_multiple_of(2) {
        (i + 1, j)
    } else {
        (i, j + 1)
    };
    let a = grid.values[j * grid.nx + i];
    let b = grid.values[j2 * grid.nx + i2];
    let t = ((level - a) / (b - a)).clamp(0.0, 1.0);
    let (x1, y1) = (spec.x(i), spec.y(j));
    let (x2, y2) = (spec.x(i2), spec.y(j2));
    [x1 + t * (x2 - x1), y1 + t * (y2 - y1)]
}

/// Joins segments sharing an edge into polylines: open lines first (from an end), then rings.
fn join(grid: &Grid, level: f64, segments: &[(EdgeId, EdgeId)]) -> Vec<Vec<[f64; 2]>> {
    let mut at: HashMap<EdgeId, Vec<usize>> = HashMap::new();
    for (k, &(a, b)) in segments.iter().enumerate() {
        at.entry(a).or_default().push(k);
        at.entry(b).or_default().push(k);
    }
    let mut used = vec![false; segments.len()];
    let mut lines = Vec::new();
    let walk = |start_seg: usize, start_edge: EdgeId, used: &mut [bool]| {
        let mut edges = vec![start_edge];
        let (mut seg, mut edge) = (start_seg, start_edge);
        loop {
            used[seg] = true;
            let (a, b) = segments[seg];
            edge = if a == edge { b } else { a };
            edges.push(edge);
            match at[&edge].iter().find(|&&s| !used[s]) {
                Some(&next) => seg = next,
                None => break,
            }
        }
        edges
            .iter()
            .map(|&e| point(grid, level, e))
            .collect::<Vec<_>>()
    };
    // Open lines start at an edge with a single segment (the grid's border or a NaN cell).
    let mut ends: Vec<EdgeId> = at
        .iter()
        .filter(|(_, s)| s.len() == 1)
        .map(|(&e, _)| e)
        .collect();
    ends.sort_unstable();
    for e in ends {
        let seg = at[&e][0];
        if !used[seg] {
            lines.push(walk(seg, e, &mut used));
        }
    }
    for seg in 0..segments.len() {
        if !used[seg] {
            lines.push(walk(seg, segments[seg].0, &mut used));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::spatial::GridSpec;

    #[test]
    fn analytics_contour_of_a_cone_is_a_closed_ring() {
        let spec = GridSpec::from_bbox([-2.0, -2.0, 2.0, 2.0], 5, 5).unwrap();
        let g = spec.map(|x, y| 10.0 - (x.abs() + y.abs()));
        let lines = isolines(&g, 9.5);
        assert_eq!(lines.len(), 1);
        let ring = &lines[0];
        assert_eq!(ring.first(), ring.last());
        assert_eq!(ring.len(), 5);
        for p in ring {
            assert!((p[0].abs() + p[1].abs() - 0.5).abs() < 1e-12, "{p:?}");
        }
    }

    #[test]
    fn analytics_contour_geojson_shape() {
        let spec = GridSpec::from_bbox([0.0, 0.0, 3.0, 1.0], 4, 2).unwrap();
        let g = spec.map(|x, _| x);
        let fc = contours(&g, &[1.5, 10.0]).unwrap();
        assert_eq!(fc["type"], "FeatureCollection");
        let f = &fc["features"][0];
        assert_eq!(f["properties"]["level"], 1.5);
        assert_eq!(f["geometry"]["type"], "MultiLineString");
        let line = f["geometry"]["coordinates"][0].as_array().unwrap();
        assert_eq!(line.len(), 2);
        assert_eq!(line[0][0], 1.5);
        assert_eq!(fc["features"][1]["geometry"]["coordinates"], json!([]));
        assert!(contours(&g, &[f64::NAN]).is_err());
    }
}
