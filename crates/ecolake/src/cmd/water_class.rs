//! `ecolake water-class`: the GB 3838-2002 surface-water class of every row of a CSV, by the
//! single-factor method (`ecolake_standards::water::SectionAssessment`).
//!
//! Input columns (any of them, any case, anywhere): the factors `ph, do, codmn, cod, bod5,
//! nh3n, tp, tn, cu, zn, f, se, as, hg, cd, cr6, pb, cn, phenol, oil, las, s2,
//! fecal_coliform` (mg/L; pH dimensionless; fecal coliform per litre) and an optional
//! `waterbody` (`river`, `lake`; `reservoir` is `lake`; empty: `--waterbody`). Every column is
//! written through unchanged and in order, followed by `class` (`I` … `V`, `劣V`; empty when
//! no factor was evaluated), `worst_factors` (the factors that set the class, `;`-joined) and
//! one `class_<factor>` per factor column, in input order. Empty cells are missing and not
//! evaluated; total nitrogen is evaluated for lakes only (`class_tn` is empty for a river).
//! Bad cells, bad rows and the exit status: see the `aqi` command's filter.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use csv::ByteRecord;
use ecolake_standards::water::{classify, Factor, SectionAssessment, Waterbody};

use super::aqi::filter::{self, Rows};

#[derive(Debug, Args)]
pub struct WaterClassArgs {
    /// The kind of water body of rows without a `waterbody` cell: river, or lake (lakes and
    /// reservoirs: other total-phosphorus limits, and total nitrogen is evaluated).
    #[arg(long, value_enum, default_value_t = Body::River)]
    waterbody: Body,
    /// Exit with status 3 when some row had a bad cell (the output is complete all the same).
    #[arg(long)]
    strict: bool,
    /// The CSV file (with a header row); `-` or none: stdin.
    file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Body {
    /// A river (canal, estuary …).
    River,
    /// A lake or reservoir.
    Lake,
}

impl From<Body> for Waterbody {
    fn from(b: Body) -> Self {
        match b {
            Body::River => Waterbody::River,
            Body::Lake => Waterbody::Lake,
        }
    }
}

pub fn run(args: &WaterClassArgs) -> anyhow::Result<ExitCode> {
    filter::run(args.file.as_deref(), args.strict, |names| {
        let mut factors: Vec<(usize, Factor)> = Vec::new();
        let mut waterbody = None;
        for (i, name) in names.iter().enumerate() {
            if name.eq_ignore_ascii_case("waterbody") {
                if waterbody.is_some() {
                    anyhow::bail!("two `waterbody` columns");
                }
                waterbody = Some(i);
                continue;
            }
            let Ok(f) = name.parse::<Factor>() else {
                continue;
            };
            if let Some((j, _)) = factors.iter().find(|(_, g)| *g == f) {
                anyhow::bail!("columns {} and {} are both `{f}`", j + 1, i + 1);
            }
            factors.push((i, f));
        }
        if factors.is_empty() {
            anyhow::bail!(
                "no water-quality factor column in the header ({})",
                Factor::ALL.map(Factor::name).join(", ")
            );
        }
        let mut appended = vec!["class".to_owned(), "worst_factors".to_owned()];
        appended.extend(factors.iter().map(|(_, f)| format!("class_{f}")));
        Ok((
            appended,
            ClassRows {
                default: args.waterbody.into(),
                waterbody,
                factors,
                values: Vec::new(),
            },
        ))
    })
}

/// The row function of `ecolake water-class`.
struct ClassRows {
    default: Waterbody,
    /// The field index of the `waterbody` column.
    waterbody: Option<usize>,
    /// `(field index, factor)` of every factor column, in input order.
    factors: Vec<(usize, Factor)>,
    /// The row's values (reused).
    values: Vec<(Factor, f64)>,
}

impl Rows for ClassRows {
    fn compute(&mut self, row: &ByteRecord, out: &mut ByteRecord) -> Result<(), String> {
        let mut bad = Vec::new();
        let body = match self.waterbody.and_then(|i| row.get(i)) {
            Some(raw) => {
                let text = String::from_utf8_lossy(raw);
                match text.trim() {
                    "" => self.default,
                    t => t.parse::<Waterbody>().unwrap_or_else(|_| {
                        bad.push(format!(
                            "column `waterbody`: {} is not river, lake or reservoir",
                            filter::shown(t)
                        ));
                        self.default
                    }),
                }
            }
            None => self.default,
        };
        self.values.clear();
        for &(i, f) in &self.factors {
            match filter::number(row.get(i).unwrap_or_default(), f.name()) {
                // A value the standard rejects (a pH above 14) is a bad cell too.
                Ok(Some(v)) => match classify(f, v, body) {
                    Ok(_) => self.values.push((f, v)),
                    Err(e) => bad.push(format!("column `{f}`: {e}")),
                },
                Ok(None) => {}
                Err(reason) => bad.push(reason),
            }
        }
        if !bad.is_empty() {
            return Err(bad.join("; "));
        }
        let section = SectionAssessment::evaluate(&self.values, body).map_err(|e| e.to_string())?;
        out.push_field(section.class.map_or("", |c| c.name()).as_bytes());
        let worst: Vec<&str> = section.worst_factors.iter().map(|f| f.name()).collect();
        out.push_field(worst.join(";").as_bytes());
        for &(_, f) in &self.factors {
            let class = section
                .factors
                .iter()
                .find(|c| c.factor == f)
                .map_or("", |c| c.class.name());
            out.push_field(class.as_bytes());
        }
        Ok(())
    }
}
