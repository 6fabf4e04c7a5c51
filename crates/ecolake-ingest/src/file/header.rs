//! The header of a long file (CSV, Parquet): which column of the file holds which column of
//! the observation schema, matched by name ignoring ASCII case and surrounding blanks.

use std::path::Path;

use super::output::column_list;
use crate::ImportError;

/// The value columns, in schema order.
pub(super) const VALUE_COLUMNS: [&str; 5] = ["value", "min", "max", "cou", "zs"];

/// The long-format columns a header names, by position.
#[derive(Debug, Default)]
pub(super) struct LongColumns {
    pub(super) time: Option<usize>,
    pub(super) site: Option<usize>,
    pub(super) factor: Option<usize>,
    pub(super) period: Option<usize>,
    /// In the order of [`VALUE_COLUMNS`].
    pub(super) values: [Option<usize>; 5],
    pub(super) flag: Option<usize>,
    pub(super) qc: Option<usize>,
    pub(super) source: Option<usize>,
}

/// The required columns found in a long header.
#[derive(Debug, Clone, Copy)]
pub(super) struct Required {
    pub(super) time: usize,
    pub(super) site: usize,
    pub(super) factor: usize,
    pub(super) period: usize,
}

/// A mapped long header: the columns, the required ones, and the names not used.
#[derive(Debug)]
pub(super) struct LongHeader {
    pub(super) columns: LongColumns,
    pub(super) required: Required,
    pub(super) unknown: Vec<String>,
}

impl LongHeader {
    /// Maps the header names of the file at `path` (see [`LongColumns::from_header`]).
    ///
    /// # Errors
    ///
    /// [`ImportError::Header`] when the header is unusable.
    pub(super) fn read<'a>(
        path: &Path,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<LongHeader, ImportError> {
        let (columns, required, unknown) =
            LongColumns::from_header(names).map_err(ImportError::header(path))?;
        Ok(LongHeader {
            columns,
            required,
            unknown,
        })
    }
}

impl LongColumns {
    /// Maps header names (ASCII case and surrounding blanks ignored, a UTF-8 byte order mark
    /// on the first name removed) to columns. Returns the map and the unknown names, or why the
    /// header is unusable.
    pub(super) fn from_header<'a>(
        names: impl IntoIterator<Item = &'a str>,
    ) -> Result<(LongColumns, Required, Vec<String>), String> {
        let mut cols = LongColumns::default();
        let mut unknown = Vec::new();
        for (i, raw) in names.into_iter().enumerate() {
            let name = raw.trim_start_matches('\u{feff}').trim();
            let slot = match name.to_ascii_lowercase().as_str() {
                "time" => &mut cols.time,
                "site" => &mut cols.site,
                "factor" => &mut cols.factor,
                "period" => &mut cols.period,
                "value" => &mut cols.values[0],
                "min" => &mut cols.values[1],
                "max" => &mut cols.values[2],
                "cou" => &mut cols.values[3],
                "zs" => &mut cols.values[4],
                "flag" => &mut cols.flag,
                "qc" => &mut cols.qc,
                "source" => &mut cols.source,
                _ => {
                    unknown.push(name.to_owned());
                    continue;
                }
            };
            if slot.is_some() {
                return Err(format!("column `{name}` appears twice"));
            }
            *slot = Some(i);
        }
        let missing: Vec<&str> = [
            ("time", cols.time),
            ("site", cols.site),
            ("factor", cols.factor),
            ("period", cols.period),
        ]
        .into_iter()
        .filter(|(_, c)| c.is_none())
        .map(|(n, _)| n)
        .collect();
        if !missing.is_empty() {
            return Err(format!("missing required {}", column_list(&missing)));
        }
        if cols.values.iter().all(Option::is_none) {
            return Err("no value column (one of `value`, `min`, `max`, `cou`, `zs`)".to_owned());
        }
        let required = Required {
            time: cols.time.unwrap_or_default(),
            site: cols.site.unwrap_or_default(),
            factor: cols.factor.unwrap_or_default(),
            period: cols.period.unwrap_or_default(),
        };
        Ok((cols, required, unknown))
    }

    /// Each schema column's position in the file (if the header names it) and its name, in
    /// schema order.
    pub(super) fn named(&self) -> [(Option<usize>, &'static str); 12] {
        let [value, min, max, cou, zs] = self.values;
        [
            (self.time, "time"),
            (self.site, "site"),
            (self.factor, "factor"),
            (self.period, "period"),
            (value, VALUE_COLUMNS[0]),
            (min, VALUE_COLUMNS[1]),
            (max, VALUE_COLUMNS[2]),
            (cou, VALUE_COLUMNS[3]),
            (zs, VALUE_COLUMNS[4]),
            (self.flag, "flag"),
            (self.qc, "qc"),
            (self.source, "source"),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_mapping() {
        let (c, r, unknown) =
            LongColumns::from_header(["\u{feff}Time", " SITE ", "factor", "period", "zs", "x"])
                .unwrap();
        assert_eq!((r.time, r.site, r.factor, r.period), (0, 1, 2, 3));
        assert_eq!(c.values, [None, None, None, None, Some(4)]);
        assert_eq!(unknown, ["x"]);
        let e = LongColumns::from_header(["time", "value"]).unwrap_err();
        assert_eq!(e, "missing required columns `site`, `factor`, `period`");
        let e = LongColumns::from_header(["time", "site", "factor", "period"]).unwrap_err();
        assert!(e.starts_with("no value column"), "{e}");
        let e = LongColumns::from_header(["time", "site", "site"]).unwrap_err();
        assert_eq!(e, "column `site` appears twice");
    }

    #[test]
    fn named_columns_in_schema_order() {
        let (c, _, _) =
            LongColumns::from_header(["qc", "period", "factor", "site", "time", "max"]).unwrap();
        let named = c.named();
        let names: Vec<&str> = named.iter().map(|&(_, n)| n).collect();
        let schema = ecolake_model::observation::write_schema();
        let want: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, want);
        let found: Vec<(usize, &str)> = named
            .into_iter()
            .filter_map(|(i, n)| Some((i?, n)))
            .collect();
        assert_eq!(
            found,
            [
                (4, "time"),
                (3, "site"),
                (2, "factor"),
                (1, "period"),
                (5, "max"),
                (0, "qc")
            ]
        );
    }
}
