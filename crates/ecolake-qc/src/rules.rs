//! QC rules: thresholds per factor, overridable per site, read from CSV.
//!
//! Columns: `site,factor,min,max,detection_limit,flat_readings,max_step,note`. A blank `site`
//! makes the row the factor's default; a site's row overrides the default for that site. In an
//! override, a blank field keeps what the row it overrides says and `none` switches that check
//! off. Values are in the canonical unit of the factor (what the store keeps).

use std::collections::HashMap;
use std::path::Path;

/// The built-in defaults: physical bounds, not limits (see `rules.csv` for why each is what it is).
const BUILTIN: &str = include_str!("rules.csv");

/// The thresholds for one factor (at one site).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rule {
    /// Lowest possible value; a value below it is `range` (`negative` when it is below 0 and
    /// the bound is ≥ 0).
    pub min: Option<f64>,
    /// Highest possible value.
    pub max: Option<f64>,
    /// Detection limit: a value below it is `below_dl`.
    pub detection_limit: Option<f64>,
    /// This many equal consecutive readings (or more) are `flat`.
    pub flat_readings: Option<u32>,
    /// A change from the previous reading larger than this is a `spike`.
    pub max_step: Option<f64>,
}

/// A rules file that cannot be used: where and why.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The file could not be read.
    #[error("reading QC rules {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A row is wrong.
    #[error("QC rules {file}, line {line}: {reason}")]
    Row {
        /// The file (`built-in` for the compiled table).
        file: String,
        /// 1-based line.
        line: u64,
        /// What is wrong.
        reason: String,
    },
}

/// A field of an override row: keep, switch off, or set.
#[derive(Debug, Clone, Copy)]
enum Field<T> {
    Keep,
    Off,
    Set(T),
}

impl<T: Copy> Field<T> {
    fn apply(self, to: &mut Option<T>) {
        match self {
            Field::Keep => {}
            Field::Off => *to = None,
            Field::Set(v) => *to = Some(v),
        }
    }
}

/// Every rule: defaults per factor and overrides per (site, factor).
#[derive(Debug, Clone, Default)]
pub struct Rules {
    defaults: HashMap<String, Rule>,
    /// site → factor → rule.
    sites: HashMap<String, HashMap<String, Rule>>,
}

impl Rules {
    /// The built-in table.
    pub fn builtin() -> Rules {
        let mut rules = Rules::default();
        rules
            .merge_csv(BUILTIN.as_bytes(), "built-in")
            .expect("the built-in QC table is valid");
        rules
    }

    /// No rules at all: only the flag and time checks run.
    pub fn none() -> Rules {
        Rules::default()
    }

    /// The built-in table with the overrides of a CSV file.
    pub fn builtin_with(path: &Path) -> Result<Rules, RulesError> {
        let text = std::fs::read(path).map_err(|source| RulesError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let mut rules = Rules::builtin();
        rules.merge_csv(&text, &path.display().to_string())?;
        Ok(rules)
    }

    /// The rule for `factor` at `site`: the site's override on top of the default, if either exists.
    pub fn rule(&self, site: &str, factor: &str) -> Option<&Rule> {
        self.sites
            .get(site)
            .and_then(|s| s.get(factor))
            .or_else(|| self.defaults.get(factor))
    }

    /// Applies the rows of a rules CSV (header required) on top of these rules.
    pub fn merge_csv(&mut self, csv_text: &[u8], file: &str) -> Result<(), RulesError> {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(csv_text);
        let err = |line: u64, reason: String| RulesError::Row {
            file: file.to_owned(),
            line,
            reason,
        };
        let header = reader.headers().map_err(|e| err(1, e.to_string()))?.clone();
        let index = |name: &str| header.iter().position(|h| h == name);
        let (Some(site_i), Some(factor_i)) = (index("site"), index("factor")) else {
            return Err(err(
                1,
                "the header needs the columns site and factor".into(),
            ));
        };
        let known = [
            "site",
            "factor",
            "min",
            "max",
            "detection_limit",
            "flat_readings",
            "max_step",
            "note",
        ];
        if let Some(unknown) = header.iter().find(|h| !known.contains(h)) {
            return Err(err(
                1,
                format!("unknown column `{unknown}` (columns: {})", known.join(", ")),
            ));
        }
        for record in reader.records() {
            let record =
                record.map_err(|e| err(e.position().map_or(0, |p| p.line()), e.to_string()))?;
            let line = record.position().map_or(0, |p| p.line());
            let get = |name: &str| index(name).and_then(|i| record.get(i)).unwrap_or("");
            let factor = record.get(factor_i).unwrap_or("");
            if factor.is_empty() {
                return Err(err(line, "missing factor".into()));
            }
            let site = record.get(site_i).unwrap_or("");
            let number = |name: &str| -> Result<Field<f64>, RulesError> {
                match get(name) {
                    "" => Ok(Field::Keep),
                    "none" => Ok(Field::Off),
                    text => match text.parse::<f64>() {
                        Ok(v) if v.is_finite() => Ok(Field::Set(v)),
                        _ => Err(err(line, format!("{name} `{text}` is not a number"))),
                    },
                }
            };
            let min = number("min")?;
            let max = number("max")?;
            let detection_limit = number("detection_limit")?;
            let max_step = number("max_step")?;
            let flat_readings = match get("flat_readings") {
                "" => Field::Keep,
                "none" => Field::Off,
                text => match text.parse::<u32>() {
                    Ok(n) if n >= 2 => Field::Set(n),
                    _ => {
                        return Err(err(
                            line,
                            format!("flat_readings `{text}` is not a whole number ≥ 2"),
                        ))
                    }
                },
            };
            let mut rule = if site.is_empty() {
                self.defaults.get(factor).cloned().unwrap_or_default()
            } else {
                self.rule(site, factor).cloned().unwrap_or_default()
            };
            min.apply(&mut rule.min);
            max.apply(&mut rule.max);
            detection_limit.apply(&mut rule.detection_limit);
            flat_readings.apply(&mut rule.flat_readings);
            max_step.apply(&mut rule.max_step);
            if let (Some(lo), Some(hi)) = (rule.min, rule.max) {
                if lo > hi {
                    return Err(err(line, format!("min {lo} is above max {hi}")));
                }
            }
            if site.is_empty() {
                self.defaults.insert(factor.to_owned(), rule);
            } else {
                self.sites
                    .entry(site.to_owned())
                    .or_default()
                    .insert(factor.to_owned(), rule);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_overrides_inherit_blank_fields_and_switch_off_none() {
        let mut rules = Rules::builtin();
        rules
            .merge_csv(
                b"site,factor,max,flat_readings\n1003A,a34004,800,none\n,w01018,,6\n",
                "ov.csv",
            )
            .unwrap();
        let at = rules.rule("1003A", "a34004").unwrap();
        assert_eq!(
            (at.min, at.max, at.flat_readings),
            (Some(0.0), Some(800.0), None)
        );
        let elsewhere = rules.rule("1001A", "a34004").unwrap();
        assert_eq!(
            (elsewhere.max, elsewhere.flat_readings),
            (Some(3000.0), Some(48))
        );
        assert_eq!(rules.rule("x", "w01018").unwrap().flat_readings, Some(6));
        assert!(rules.rule("x", "zz999").is_none());
    }

    #[test]
    fn bad_rows_name_file_line_and_field() {
        let mut rules = Rules::none();
        let e = rules
            .merge_csv(b"site,factor,min\n,a34004,0\n,a34002,low\n", "my.csv")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "QC rules my.csv, line 3: min `low` is not a number"
        );
        let e = rules
            .merge_csv(b"site,factor,min,max\n,a1,5,1\n", "my.csv")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "QC rules my.csv, line 2: min 5 is above max 1"
        );
        let e = rules
            .merge_csv(b"site,factor,maximum\n", "my.csv")
            .unwrap_err();
        assert!(e.to_string().contains("unknown column `maximum`"), "{e}");
        let e = rules
            .merge_csv(b"site,factor,flat_readings\n,a1,1\n", "my.csv")
            .unwrap_err();
        assert!(e.to_string().contains("flat_readings `1`"), "{e}");
    }
}
