//! The JSON form of packets and errors used by `ecolake hj212 decode/encode` and the
//! conformance corpus: values are the exact wire strings; absent header fields are `null`.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::{DecodeError, Decoded, Event, Item, Packet};

#[derive(Serialize)]
struct FlagBitsJson {
    version: u8,
    d: bool,
    a: bool,
}

#[derive(Serialize)]
struct ItemJson<'p> {
    code: &'p str,
    field: &'p str,
    value: &'p str,
    flag: Option<&'p str>,
}

#[derive(Serialize)]
struct PacketJson<'p> {
    ok: bool,
    offset: u64,
    qn: Option<&'p str>,
    st: &'p str,
    cn: &'p str,
    pw: Option<&'p str>,
    mn: &'p str,
    flag: Option<u8>,
    flag_bits: Option<FlagBitsJson>,
    pnum: Option<u16>,
    pno: Option<u16>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extra_header: Vec<(&'p str, &'p str)>,
    datatime: Option<&'p str>,
    cp_empty: bool,
    params: Vec<(&'p str, &'p str)>,
    items: Vec<ItemJson<'p>>,
    crc: &'p str,
    length: usize,
    warnings: Vec<String>,
}

fn pairs<'p>(v: &'p [(Cow<'_, str>, Cow<'_, str>)]) -> Vec<(&'p str, &'p str)> {
    v.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect()
}

/// Writes a decoded packet as one JSON object (no newline).
pub fn write_packet<W: std::io::Write>(
    out: W,
    offset: u64,
    d: &Decoded<'_>,
) -> serde_json::Result<()> {
    let p = &d.packet;
    let view = PacketJson {
        ok: true,
        offset,
        qn: p.qn.as_deref(),
        st: &p.st,
        cn: &p.cn,
        pw: p.pw.as_deref(),
        mn: &p.mn,
        flag: p.flag,
        flag_bits: p.flag_bits().map(|b| FlagBitsJson {
            version: b.version,
            d: b.d,
            a: b.a,
        }),
        pnum: p.pnum,
        pno: p.pno,
        extra_header: pairs(&p.extra_header),
        datatime: p.datatime.as_deref(),
        cp_empty: p.cp_is_empty(),
        params: pairs(&p.params),
        items: p
            .items
            .iter()
            .map(|i| ItemJson {
                code: &i.code,
                field: &i.field,
                value: &i.value,
                flag: i.flag.as_deref(),
            })
            .collect(),
        crc: d.crc,
        length: d.length,
        warnings: p.warnings.iter().map(ToString::to_string).collect(),
    };
    serde_json::to_writer(out, &view)
}

#[derive(Serialize)]
struct ErrorJson {
    ok: bool,
    error: &'static str,
    offset: u64,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    crc_dialect_match: Option<&'static str>,
}

/// Writes a decoding error as one JSON object.
pub fn write_error<W: std::io::Write>(
    out: W,
    offset: u64,
    e: &DecodeError<'_>,
) -> serde_json::Result<()> {
    let crc_dialect_match = match e {
        DecodeError::CrcMismatch { would_match, .. } => would_match.map(|d| d.as_str()),
        _ => None,
    };
    serde_json::to_writer(
        out,
        &ErrorJson {
            ok: false,
            error: e.kind().as_str(),
            offset,
            detail: e.to_string(),
            crc_dialect_match,
        },
    )
}

#[derive(Serialize)]
struct GarbageJson {
    ok: bool,
    error: &'static str,
    offset: u64,
    bytes: usize,
}

/// Writes any stream event as one JSON object.
pub fn write_event<W: std::io::Write>(out: W, event: &Event<'_>) -> serde_json::Result<()> {
    match event {
        Event::Packet { offset, decoded } => write_packet(out, *offset, decoded),
        Event::Error { offset, error } => write_error(out, *offset, error),
        Event::Garbage { offset, bytes } => serde_json::to_writer(
            out,
            &GarbageJson {
                ok: false,
                error: "garbage",
                offset: *offset,
                bytes: *bytes,
            },
        ),
    }
}

#[derive(Deserialize)]
struct ItemIn {
    code: String,
    field: String,
    value: String,
    #[serde(default)]
    flag: Option<String>,
}

/// The fields `encode` reads; the computed ones (`crc`, `length`, `warnings`, `flag_bits`,
/// `cp_empty`, `offset`) are ignored.
#[derive(Deserialize)]
struct PacketIn {
    #[serde(default)]
    qn: Option<String>,
    st: String,
    cn: String,
    #[serde(default)]
    pw: Option<String>,
    mn: String,
    #[serde(default)]
    flag: Option<u8>,
    #[serde(default)]
    pnum: Option<u16>,
    #[serde(default)]
    pno: Option<u16>,
    #[serde(default)]
    extra_header: Vec<(String, String)>,
    #[serde(default)]
    datatime: Option<String>,
    #[serde(default)]
    params: Vec<(String, String)>,
    #[serde(default)]
    items: Vec<ItemIn>,
}

/// Reads a packet from its JSON form (as `write_packet` writes it).
pub fn read_packet(value: serde_json::Value) -> serde_json::Result<Packet<'static>> {
    let p: PacketIn = serde_json::from_value(value)?;
    let pairs = |v: Vec<(String, String)>| {
        v.into_iter()
            .map(|(k, v)| (Cow::Owned(k), Cow::Owned(v)))
            .collect()
    };
    Ok(Packet {
        qn: p.qn.map(Cow::Owned),
        st: p.st.into(),
        cn: p.cn.into(),
        pw: p.pw.map(Cow::Owned),
        mn: p.mn.into(),
        flag: p.flag,
        pnum: p.pnum,
        pno: p.pno,
        extra_header: pairs(p.extra_header),
        datatime: p.datatime.map(Cow::Owned),
        params: pairs(p.params),
        items: p
            .items
            .into_iter()
            .map(|i| Item {
                code: i.code.into(),
                field: i.field.into(),
                value: i.value.into(),
                flag: i.flag.map(Cow::Owned),
            })
            .collect(),
        warnings: Vec::new(),
    })
}
