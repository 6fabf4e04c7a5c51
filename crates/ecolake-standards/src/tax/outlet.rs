//! The tax of one outlet for one period (Environmental Protection Tax Law Art. 8, 9, 11, 13).

use serde::Serialize;

use super::{AmountUnit, Category, Medium, TaxItem};
use crate::assess::rounding::scaled_at_most;
use crate::Error;

/// The legal range of the air rate, CNY per pollution equivalent (Annex 1).
pub const AIR_RATE_RANGE: (f64, f64) = (1.2, 12.0);
/// The legal range of the water rate, CNY per pollution equivalent (Annex 1).
pub const WATER_RATE_RANGE: (f64, f64) = (1.4, 14.0);

/// Checks a local rate against the legal range of its medium (bounds included).
///
/// # Errors
/// [`Error::NotFinite`], or [`Error::OutOfRange`] outside 1.2–12 (air) or 1.4–14 (water).
pub fn check_rate(medium: Medium, rate_cny: f64) -> Result<(), Error> {
    if !rate_cny.is_finite() {
        return Err(Error::NotFinite { what: "tax rate" });
    }
    let ((min, max), allowed) = match medium {
        Medium::Air => (
            AIR_RATE_RANGE,
            "1.2..=12 CNY per pollution equivalent (air)",
        ),
        Medium::Water => (
            WATER_RATE_RANGE,
            "1.4..=14 CNY per pollution equivalent (water)",
        ),
    };
    if (min..=max).contains(&rate_cny) {
        Ok(())
    } else {
        Err(Error::OutOfRange {
            what: "tax rate",
            value: rate_cny,
            allowed,
        })
    }
}

/// How many items of each group an outlet is taxed on (Art. 9); provinces may raise them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TopN {
    /// Air pollutants per outlet (3).
    pub air: usize,
    /// Class I water pollutants per outlet (5).
    pub water_class_i: usize,
    /// Other water pollutants per outlet, pH/colour/coliform/livestock rows included (3).
    pub water_other: usize,
}

impl Default for TopN {
    /// The statutory numbers: air 3, class I water 5, other water 3.
    fn default() -> Self {
        TopN {
            air: 3,
            water_class_i: 5,
            water_other: 3,
        }
    }
}

/// A pollutant's concentration against its emission standard over the tax period, for the
/// reductions of Art. 13.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Concentration {
    /// The period's mean concentration (monthly mean of hourly means for air CEMS, of daily
    /// means for water CEMS, or the mean of the monitoring agency's results).
    pub mean: f64,
    /// The applicable national or local emission standard, same unit.
    pub limit: f64,
    /// Whether every hourly (air) or daily (water) value and every agency result met the
    /// standard; without it there is no reduction.
    pub all_values_within_limit: bool,
}

/// The share of the tax paid under Art. 13.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reduction {
    /// No reduction: 100 %.
    None,
    /// At least 30 % below the standard: 75 %.
    Pay75Percent,
    /// At least 50 % below the standard: 50 %.
    Pay50Percent,
}

impl Reduction {
    /// The share paid: 1, 0.75 or 0.5.
    pub fn factor(self) -> f64 {
        match self {
            Reduction::None => 1.0,
            Reduction::Pay75Percent => 0.75,
            Reduction::Pay50Percent => 0.5,
        }
    }

    /// The reduction a concentration earns: `mean ≤ 0.5·limit` → 50 %, `mean ≤ 0.7·limit` → 75 %
    /// (compared exactly on the decimal values), provided every value met the standard.
    ///
    /// # Errors
    /// [`Error::NotFinite`] / [`Error::Negative`] for such values; [`Error::OutOfRange`] for a
    /// limit that is not positive.
    pub fn of(c: &Concentration) -> Result<Reduction, Error> {
        for (what, v) in [("concentration", c.mean), ("emission standard", c.limit)] {
            if !v.is_finite() {
                return Err(Error::NotFinite { what });
            }
            if v < 0.0 {
                return Err(Error::Negative { what, value: v });
            }
        }
        if c.limit <= 0.0 {
            return Err(Error::OutOfRange {
                what: "emission standard",
                value: c.limit,
                allowed: "> 0",
            });
        }
        Ok(if !c.all_values_within_limit {
            Reduction::None
        } else if scaled_at_most(c.mean, 10, c.limit, 5) {
            Reduction::Pay50Percent
        } else if scaled_at_most(c.mean, 10, c.limit, 7) {
            Reduction::Pay75Percent
        } else {
            Reduction::None
        })
    }
}

/// One pollutant discharged through the outlet in the period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Discharge {
    /// The taxable item.
    pub item: TaxItem,
    /// The amount, in the item's [`unit`](TaxItem::unit) (kg for most pollutants).
    pub amount: f64,
    /// Its concentration against the standard, for Art. 13; `None`: no reduction.
    pub concentration: Option<Concentration>,
}

/// Why a pollutant of the outlet is not taxed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotTaxed {
    /// Ranked below the top N of its group (Art. 9).
    BelowTopN,
    /// COD, BOD5 and TOC of an outlet are taxed once: the one with most equivalents.
    OneOfCodBod5Toc,
    /// Coliform count and residual chlorine are taxed once: the one with most equivalents.
    OneOfColiformChlorine,
}

/// One pollutant's line of the breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemTax {
    /// The item.
    pub item: TaxItem,
    /// Its part of the table.
    pub category: Category,
    /// The amount discharged.
    pub amount: f64,
    /// The unit of `amount` (kg for most pollutants).
    pub unit: AmountUnit,
    /// The pollution-equivalent value.
    pub equivalent_value: f64,
    /// `amount / equivalent_value`.
    pub equivalents: f64,
    /// Its rank by equivalents within its group (air, class I water, other water), 1 = most;
    /// `None` when excluded before ranking (COD/BOD5/TOC, coliform/chlorine).
    pub rank: Option<usize>,
    /// Whether it is taxed.
    pub taxed: bool,
    /// Why not, when not.
    pub not_taxed: Option<NotTaxed>,
    /// The Art. 13 reduction.
    pub reduction: Reduction,
    /// `equivalents × rate × reduction` when taxed, else 0 (CNY, not rounded).
    pub tax_cny: f64,
}

/// The tax of one outlet: the breakdown per pollutant (input order) and the totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutletTax {
    /// Air or water.
    pub medium: Medium,
    /// The local rate, CNY per pollution equivalent.
    pub rate_cny: f64,
    /// The numbers of items taxed per group.
    pub top_n: TopN,
    /// Every pollutant given.
    pub items: Vec<ItemTax>,
    /// The equivalents of the taxed pollutants.
    pub taxed_equivalents: f64,
    /// The total tax, CNY, not rounded.
    pub tax_cny: f64,
}

/// The ranking groups of Art. 9.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Air,
    ClassI,
    Other,
}

fn group(category: Category) -> Group {
    match category {
        Category::Air => Group::Air,
        Category::WaterClassI => Group::ClassI,
        _ => Group::Other,
    }
}

const COD_BOD5_TOC: [&str; 3] = ["CODcr", "BOD5", "TOC"];
const COLIFORM_CHLORINE: [&str; 2] = [
    "coliform count (exceeding)",
    "residual chlorine (hospital wastewater disinfected with chlorine)",
];

/// The tax of one outlet with the statutory top-N numbers ([`TopN::default`]).
///
/// # Errors
/// See [`outlet_tax_with`].
pub fn outlet_tax(
    medium: Medium,
    rate_cny: f64,
    discharges: &[Discharge],
) -> Result<OutletTax, Error> {
    outlet_tax_with(medium, rate_cny, TopN::default(), discharges)
}

/// The tax of one outlet: equivalents = amount / equivalent value; only one of COD/BOD5/TOC
/// and one of coliform/residual chlorine (the one with most equivalents; ties go to the
/// earlier table row); the top N of each group by equivalents (ties to the earlier table row);
/// tax = equivalents × rate × Art. 13 share.
///
/// # Errors
/// [`Error::OutOfRange`] for a rate outside the legal range of the medium; [`Error::Inconsistent`]
/// for an item of the other medium or an item given twice; [`Error::NotFinite`] /
/// [`Error::Negative`] for such amounts; errors of [`Reduction::of`].
pub fn outlet_tax_with(
    medium: Medium,
    rate_cny: f64,
    top_n: TopN,
    discharges: &[Discharge],
) -> Result<OutletTax, Error> {
    check_rate(medium, rate_cny)?;
    let mut items = Vec::with_capacity(discharges.len());
    for (i, d) in discharges.iter().enumerate() {
        if d.item.medium() != medium {
            return Err(Error::Inconsistent {
                what: "outlet discharges",
                reason: format!("`{}` is not a {medium:?} pollutant", d.item),
            });
        }
        if discharges[..i].iter().any(|o| o.item == d.item) {
            return Err(Error::Inconsistent {
                what: "outlet discharges",
                reason: format!("`{}` given twice", d.item),
            });
        }
        if !d.amount.is_finite() {
            return Err(Error::NotFinite { what: "amount" });
        }
        if d.amount < 0.0 {
            return Err(Error::Negative {
                what: "amount",
                value: d.amount,
            });
        }
        let reduction = d
            .concentration
            .as_ref()
            .map_or(Ok(Reduction::None), Reduction::of)?;
        items.push(ItemTax {
            item: d.item,
            category: d.item.category(),
            amount: d.amount,
            unit: d.item.unit(),
            equivalent_value: d.item.equivalent_value(),
            equivalents: d.amount / d.item.equivalent_value(),
            rank: None,
            taxed: false,
            not_taxed: None,
            reduction,
            tax_cny: 0.0,
        });
    }
    keep_one_of(&mut items, &COD_BOD5_TOC, NotTaxed::OneOfCodBod5Toc);
    keep_one_of(
        &mut items,
        &COLIFORM_CHLORINE,
        NotTaxed::OneOfColiformChlorine,
    );
    for (g, n) in [
        (Group::Air, top_n.air),
        (Group::ClassI, top_n.water_class_i),
        (Group::Other, top_n.water_other),
    ] {
        let mut ranked: Vec<usize> = (0..items.len())
            .filter(|&i| group(items[i].category) == g && items[i].not_taxed.is_none())
            .collect();
        ranked.sort_by(|&a, &b| by_equivalents(&items[a], &items[b]));
        for (rank, i) in ranked.into_iter().enumerate() {
            let item = &mut items[i];
            item.rank = Some(rank + 1);
            if rank < n {
                item.taxed = true;
                item.tax_cny = item.equivalents * rate_cny * item.reduction.factor();
            } else {
                item.not_taxed = Some(NotTaxed::BelowTopN);
            }
        }
    }
    let taxed = items.iter().filter(|i| i.taxed);
    let taxed_equivalents = taxed.clone().map(|i| i.equivalents).sum();
    let tax_cny = taxed.map(|i| i.tax_cny).sum();
    Ok(OutletTax {
        medium,
        rate_cny,
        top_n,
        items,
        taxed_equivalents,
        tax_cny,
    })
}

/// Most equivalents first; ties to the earlier table row.
fn by_equivalents(a: &ItemTax, b: &ItemTax) -> std::cmp::Ordering {
    b.equivalents
        .total_cmp(&a.equivalents)
        .then(a.item.order().cmp(&b.item.order()))
}

/// Of the items named in `names`, keeps the one with most equivalents and marks the others.
fn keep_one_of(items: &mut [ItemTax], names: &[&str], why: NotTaxed) {
    let members: Vec<usize> = (0..items.len())
        .filter(|&i| names.contains(&items[i].item.name()))
        .collect();
    let Some(&keep) = members
        .iter()
        .min_by(|&&a, &&b| by_equivalents(&items[a], &items[b]))
    else {
        return;
    };
    for i in members {
        if i != keep {
            items[i].not_taxed = Some(why);
        }
    }
}
