//! From stored rows back to HJ 212 data uploads, under an upstream's MN and password.

use std::borrow::Cow;
use std::collections::HashMap;

use arrow::array::{Array, AsArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Float64Type, Int64Type, UInt64Type};
use arrow::record_batch::RecordBatch;
use ecolake_hj212::{encode, Item, Packet, Profile, MAX_SEGMENT};

use super::Upstream;

/// One packet (or segment) ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outgoing {
    /// Its QN (the 9014 names it).
    pub qn: String,
    /// The bytes.
    pub wire: Vec<u8>,
    /// Its `DataTime`.
    pub data_time: String,
}

/// The columns of the rows read, as the forwarder needs them.
struct Rows<'a> {
    time: &'a arrow::array::PrimitiveArray<Int64Type>,
    site: &'a arrow::array::StringArray,
    factor: &'a arrow::array::StringArray,
    period: &'a arrow::array::StringArray,
    values: [&'a arrow::array::PrimitiveArray<Float64Type>; 5],
    flag: &'a arrow::array::StringArray,
    source: &'a arrow::array::StringArray,
    seq: &'a arrow::array::PrimitiveArray<UInt64Type>,
}

/// A batch's columns cast to plain types (the journal may hand dictionaries and timestamps).
pub(crate) struct Plain(Vec<arrow::array::ArrayRef>);

impl Plain {
    pub(crate) fn of(batch: &RecordBatch) -> Result<Plain, String> {
        let want: [(&str, DataType); 12] = [
            ("time", DataType::Int64),
            ("site", DataType::Utf8),
            ("factor", DataType::Utf8),
            ("period", DataType::Utf8),
            ("value", DataType::Float64),
            ("min", DataType::Float64),
            ("max", DataType::Float64),
            ("cou", DataType::Float64),
            ("zs", DataType::Float64),
            ("flag", DataType::Utf8),
            ("source", DataType::Utf8),
            ("seq", DataType::UInt64),
        ];
        let mut columns = Vec::with_capacity(want.len());
        for (name, to) in want {
            let column = batch
                .column_by_name(name)
                .ok_or_else(|| format!("the journal's rows have no `{name}` column"))?;
            let column = match column.data_type() {
                DataType::Timestamp(_, _) if to == DataType::Int64 => cast(
                    column,
                    &DataType::Timestamp(arrow::datatypes::TimeUnit::Millisecond, None),
                )
                .and_then(|c| cast(&c, &to)),
                _ => cast(column, &to),
            }
            .map_err(|e| format!("column `{name}`: {e}"))?;
            columns.push(column);
        }
        Ok(Plain(columns))
    }

    fn rows(&self) -> Rows<'_> {
        let c = &self.0;
        Rows {
            time: c[0].as_primitive(),
            site: c[1].as_string(),
            factor: c[2].as_string(),
            period: c[3].as_string(),
            values: [
                c[4].as_primitive(),
                c[5].as_primitive(),
                c[6].as_primitive(),
                c[7].as_primitive(),
                c[8].as_primitive(),
            ],
            flag: c[9].as_string(),
            source: c[10].as_string(),
            seq: c[11].as_primitive(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.0[0].len()
    }

    /// The same rows but the last.
    pub(crate) fn without_last(&self) -> Plain {
        Plain(self.0.iter().map(|c| c.slice(0, c.len() - 1)).collect())
    }

    pub(crate) fn seq(&self, row: usize) -> u64 {
        self.rows().seq.value(row)
    }
}

/// The command and the value fields of a stored row: equipment rows (`SB1` …) came from
/// running-state (2021) and run-time (2041) uploads, the rest from data uploads.
fn command(factor: &str, period: &str) -> Option<(&'static str, Layout)> {
    let equipment = factor.len() > 2
        && factor.starts_with("SB")
        && factor[2..].bytes().all(|b| b.is_ascii_digit());
    Some(match (period, equipment) {
        ("rtd", true) => ("2021", Layout::One("RS")),
        ("day", true) => ("2041", Layout::One("RT")),
        ("rtd", false) => ("2011", Layout::Rtd),
        ("min", false) => ("2051", Layout::Avg),
        ("hour", false) => ("2061", Layout::Avg),
        ("day", false) => ("2031", Layout::Avg),
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Rtd,
    Avg,
    One(&'static str),
}

impl Layout {
    /// Field names of `value, min, max, cou, zs`.
    fn fields(self) -> [&'static str; 5] {
        match self {
            Layout::Rtd => ["Rtd", "Min", "Max", "Cou", "ZsRtd"],
            Layout::Avg => ["Avg", "Min", "Max", "Cou", "ZsAvg"],
            Layout::One(name) => [name, "Min", "Max", "Cou", "Zs"],
        }
    }
}

/// Which mapping a row belongs to: by its source (the MN of the device that sent it), else by
/// its site.
pub(crate) struct Routes<'u> {
    by_mn: HashMap<&'u str, usize>,
    by_site: HashMap<&'u str, usize>,
}

impl<'u> Routes<'u> {
    pub(crate) fn new(upstream: &'u Upstream) -> Routes<'u> {
        let mut by_mn = HashMap::new();
        let mut by_site = HashMap::new();
        for (i, m) in upstream.devices.iter().enumerate() {
            if let Some(mn) = &m.mn {
                by_mn.insert(mn.as_str(), i);
            }
            if let Some(site) = &m.site {
                by_site.insert(site.as_str(), i);
            }
        }
        Routes { by_mn, by_site }
    }

    fn of(&self, source: Option<&str>, site: &str) -> Option<usize> {
        source
            .and_then(|s| self.by_mn.get(s))
            .or_else(|| self.by_site.get(site))
            .copied()
    }
}

/// Gives out QNs in the upstream's zone, each later than the one before (a split packet takes
/// one millisecond per segment).
#[derive(Debug, Default)]
pub(crate) struct Qns {
    last_ms: i64,
}

impl Qns {
    fn next(&mut self, zone: chrono_tz::Tz) -> (String, i64) {
        let now = chrono::Utc::now().timestamp_millis();
        let ms = now.max(self.last_ms + 1);
        self.last_ms = ms;
        (local(ms, zone, "%Y%m%d%H%M%S%3f"), ms)
    }
}

fn local(ms: i64, zone: chrono_tz::Tz, format: &str) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&zone)
        .format(format)
        .to_string()
}

/// One packet being gathered.
struct Group<'r> {
    mapping: usize,
    cn: &'static str,
    layout: Layout,
    time: i64,
    items: Vec<Item<'r>>,
}

/// Turns rows (in `seq` order) into packets for `upstream`: consecutive rows of one mapping,
/// command and time make one packet (a device's packet became consecutive rows), factors in
/// row order with their data flag. Rows no mapping covers, and periods the upstream does not
/// take, are skipped. A packet that cannot be encoded (a factor code HJ 212 cannot carry, from
/// a file or an HTTP post) is left out with the reason in `unsendable`: one bad row must not
/// hold up everything after it.
pub(crate) fn build(
    batches: &[Plain],
    upstream: &Upstream,
    routes: &Routes<'_>,
    qns: &mut Qns,
    unsendable: &mut Vec<String>,
) -> Vec<Outgoing> {
    let mut out = Vec::new();
    for plain in batches {
        let rows = plain.rows();
        let mut group: Option<Group<'_>> = None;
        for row in 0..plain.len() {
            let site = rows.site.value(row);
            let source = rows.source.is_valid(row).then(|| rows.source.value(row));
            let period = rows.period.value(row);
            let factor = rows.factor.value(row);
            let (Some(mapping), Some((cn, layout))) =
                (routes.of(source, site), command(factor, period))
            else {
                continue;
            };
            if !upstream.takes(period) {
                continue;
            }
            let time = rows.time.value(row);
            let same = group
                .as_ref()
                .is_some_and(|g| g.mapping == mapping && g.cn == cn && g.time == time);
            if !same {
                if let Some(g) = group.take() {
                    if let Err(e) = emit(g, upstream, qns, &mut out) {
                        unsendable.push(e);
                    }
                }
                group = Some(Group {
                    mapping,
                    cn,
                    layout,
                    time,
                    items: Vec::new(),
                });
            }
            let g = group.as_mut().expect("a group is open");
            // `code-field` factors were fields of their own (`100000-Ia`): give them back.
            let (code, own) = match factor.split_once('-') {
                Some((code, field)) => (code, Some(field)),
                None => (factor, None),
            };
            let flag = rows.flag.is_valid(row).then(|| rows.flag.value(row));
            for (slot, field) in g.layout.fields().into_iter().enumerate() {
                let values = rows.values[slot];
                if !values.is_valid(row) {
                    continue;
                }
                let field = match (own, slot) {
                    (Some(own), 0) => own,
                    (Some(_), _) => continue,
                    (None, _) => field,
                };
                g.items.push(Item {
                    code: Cow::Borrowed(code),
                    field: Cow::Borrowed(field),
                    value: Cow::Owned(number(values.value(row))),
                    flag: flag.map(Cow::Borrowed),
                });
            }
        }
        if let Some(g) = group.take() {
            if let Err(e) = emit(g, upstream, qns, &mut out) {
                unsendable.push(e);
            }
        }
    }
    out
}

/// A value as HJ 212 writes numbers: plain decimal, never an exponent.
fn number(v: f64) -> String {
    // `Display` for f64 is the shortest text that reads back exactly, without an exponent.
    format!("{v}")
}

fn emit(
    g: Group<'_>,
    upstream: &Upstream,
    qns: &mut Qns,
    out: &mut Vec<Outgoing>,
) -> Result<(), String> {
    if g.items.is_empty() {
        return Ok(());
    }
    let mapping = &upstream.devices[g.mapping];
    let data_time = local(g.time, upstream.zone, "%Y%m%d%H%M%S");
    let mut packet = Packet {
        st: Cow::Borrowed(mapping.st.as_deref().unwrap_or(&upstream.st)),
        cn: Cow::Borrowed(g.cn),
        pw: Some(Cow::Borrowed(&mapping.password)),
        mn: Cow::Borrowed(mapping.upstream_mn()),
        // Version bits 000001 (HJ 212-2017), A set when a 9014 is wanted.
        flag: Some(if upstream.ack { 5 } else { 4 }),
        datatime: Some(Cow::Borrowed(&data_time)),
        items: g.items,
        ..Packet::default()
    };
    // Number the packet, then split it if it is too long (each segment one millisecond later).
    let (qn, ms) = qns.next(upstream.zone);
    packet.qn = Some(Cow::Owned(qn));
    let segments = packet.split(MAX_SEGMENT).map_err(|e| {
        format!(
            "cannot encode the packet of {} at {data_time}: {e}",
            mapping.upstream_mn()
        )
    })?;
    qns.last_ms = ms + segments.len() as i64 - 1;
    for segment in segments {
        let wire = encode(&segment, &Profile::default()).map_err(|e| {
            format!(
                "cannot encode the packet of {} at {data_time}: {e}",
                mapping.upstream_mn()
            )
        })?;
        out.push(Outgoing {
            qn: segment.qn.as_deref().unwrap_or_default().to_owned(),
            wire,
            data_time: data_time.clone(),
        });
    }
    Ok(())
}
