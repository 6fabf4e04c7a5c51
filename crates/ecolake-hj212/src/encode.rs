//! Writing packets: data segment, length, CRC, CR LF — and splitting a packet that is too
//! long into PNUM/PNO segments.

use std::borrow::Cow;
use std::io::Write as _;

use crate::crc::hex4;
use crate::{EncodeError, FlagBits, Packet, Profile};

/// Writes `packet` as a complete frame, with the profile's CRC dialect and size limit.
///
/// ```
/// use ecolake_hj212::{decode, encode, Packet, Profile};
///
/// let p = Packet {
///     qn: Some("20160801085857223".into()),
///     st: "32".into(),
///     cn: "1062".into(),
///     pw: Some("100000".into()),
///     mn: "010000A8900016F000169DC0".into(),
///     flag: Some(5),
///     params: vec![("RtdInterval".into(), "30".into())],
///     ..Packet::default()
/// };
/// let wire = encode(&p, &Profile::default()).unwrap();
/// assert!(wire.ends_with(b"CP=&&RtdInterval=30&&1C80\r\n"));
/// assert_eq!(decode(&wire, &Profile::default()).unwrap().packet, p);
/// ```
pub fn encode(packet: &Packet<'_>, profile: &Profile) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(128 + packet.items.len() * 24);
    encode_into(packet, profile, &mut out)?;
    Ok(out)
}

/// Appends `packet` as a complete frame to `out`. On error `out` is left as it was.
pub fn encode_into(
    packet: &Packet<'_>,
    profile: &Profile,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let start = out.len();
    out.extend_from_slice(b"##0000");
    if let Err(e) = write_segment(packet, out) {
        out.truncate(start);
        return Err(e);
    }
    let segment = &out[start + 6..];
    let len = segment.len();
    if len > profile.max_segment {
        out.truncate(start);
        return Err(EncodeError::Oversize {
            len,
            max: profile.max_segment,
        });
    }
    let crc = hex4(profile.crc.wire_value(segment));
    let digits = [
        b'0' + (len / 1000) as u8,
        b'0' + (len / 100 % 10) as u8,
        b'0' + (len / 10 % 10) as u8,
        b'0' + (len % 10) as u8,
    ];
    out[start + 2..start + 6].copy_from_slice(&digits);
    out.extend_from_slice(&crc);
    out.extend_from_slice(b"\r\n");
    Ok(())
}

/// Writes the data segment `QN=…;ST=…;…;CP=&&…&&`.
pub fn write_segment(p: &Packet<'_>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let header = |key: &str, value: &str, out: &mut Vec<u8>| -> Result<(), EncodeError> {
        check("header value", value, ";", false)?;
        if value.contains("CP=&&") {
            return Err(reserved("header value", value, '&'));
        }
        out.extend_from_slice(key.as_bytes());
        out.push(b'=');
        out.extend_from_slice(value.as_bytes());
        out.push(b';');
        Ok(())
    };
    for (name, value) in [("ST", &p.st), ("CN", &p.cn), ("MN", &p.mn)] {
        if value.is_empty() {
            return Err(EncodeError::Empty(name));
        }
    }
    if let Some(qn) = &p.qn {
        header("QN", qn, out)?;
    }
    header("ST", &p.st, out)?;
    header("CN", &p.cn, out)?;
    if let Some(pw) = &p.pw {
        header("PW", pw, out)?;
    }
    header("MN", &p.mn, out)?;
    // Writing into a Vec cannot fail.
    if let Some(flag) = p.flag {
        let _ = write!(out, "Flag={flag};");
    }
    if let (Some(pnum), Some(pno)) = (p.pnum, p.pno) {
        let _ = write!(out, "PNUM={pnum};PNO={pno};");
    }
    for (k, v) in &p.extra_header {
        check("header key", k, ";=", false)?;
        let standard = ["QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO", "CP"];
        if k.is_empty() || standard.contains(&k.as_ref()) {
            return Err(EncodeError::ReservedKey(k.to_string()));
        }
        header(k, v, out)?;
    }
    out.extend_from_slice(b"CP=&&");
    write_cp(p, out)?;
    out.extend_from_slice(b"&&");
    Ok(())
}

fn write_cp(p: &Packet<'_>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let mut first = true;
    let mut sep = |out: &mut Vec<u8>, s: u8| {
        if !first {
            out.push(s);
        }
        first = false;
    };
    if let Some(dt) = &p.datatime {
        check("DataTime", dt, ";,", false)?;
        sep(out, b';');
        out.extend_from_slice(b"DataTime=");
        out.extend_from_slice(dt.as_bytes());
    }
    for (k, v) in &p.params {
        // `code-Flag` is a parameter only while no item has that code (the decoder keeps a
        // flag without a value that way); any other `-` would read back as an item.
        let orphan_flag = k.strip_suffix("-Flag").is_some_and(|code| {
            !code.is_empty() && !code.contains('-') && !p.items.iter().any(|i| i.code == code)
        });
        check("CP key", k, if orphan_flag { ";,=" } else { ";,=-" }, false)?;
        if k == "DataTime" {
            return Err(EncodeError::ReservedKey(k.to_string()));
        }
        check("CP value", v, ";,", false)?;
        sep(out, b';');
        out.extend_from_slice(k.as_bytes());
        out.push(b'=');
        out.extend_from_slice(v.as_bytes());
    }
    // One `code-Flag` per factor on the wire, after the factor's last run: the decoder gives
    // every item of a code that code's flag, wherever it stands.
    let mut done = 0;
    for run in p.items.chunk_by(|a, b| a.code == b.code) {
        done += run.len();
        let code = &run[0].code;
        check("factor code", code, ";,=-", false)?;
        if code.is_empty() {
            return Err(EncodeError::Empty("factor code"));
        }
        let flag = &run[0].flag;
        let later = &p.items[done..];
        if run
            .iter()
            .chain(later)
            .any(|i| i.code == *code && i.flag != *flag)
        {
            return Err(EncodeError::InconsistentFlags {
                code: code.to_string(),
            });
        }
        for (n, item) in run.iter().enumerate() {
            check("field", &item.field, ";,=", false)?;
            if item.field.is_empty() || item.field == "Flag" {
                return Err(EncodeError::ReservedKey(format!("{code}-{}", item.field)));
            }
            check("value", &item.value, ";,", item.field == "Info")?;
            sep(out, if n == 0 { b';' } else { b',' });
            write_item(out, code, &item.field, &item.value);
        }
        if let Some(flag) = flag
            .as_ref()
            .filter(|_| !later.iter().any(|i| i.code == *code))
        {
            check("data flag", flag, ";,", false)?;
            sep(out, b',');
            write_item(out, code, "Flag", flag);
        }
    }
    Ok(())
}

fn write_item(out: &mut Vec<u8>, code: &str, field: &str, value: &str) {
    out.extend_from_slice(code.as_bytes());
    out.push(b'-');
    out.extend_from_slice(field.as_bytes());
    out.push(b'=');
    out.extend_from_slice(value.as_bytes());
}

fn reserved(what: &'static str, text: &str, ch: char) -> EncodeError {
    EncodeError::ReservedChar {
        what,
        text: text.to_owned(),
        ch,
    }
}

/// Rejects text the decoder would read back differently: a separator in `seps`, surrounding
/// whitespace (the decoder trims it), non-ASCII outside an `-Info` text in `//…//`. An `-Info`
/// text may hold separators inside its `//…//`, as the decoder allows.
fn check(what: &'static str, text: &str, seps: &str, info: bool) -> Result<(), EncodeError> {
    let bytes = text.as_bytes();
    if let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) {
        if first.is_ascii_whitespace() || last.is_ascii_whitespace() {
            return Err(reserved(what, text, ' '));
        }
    }
    let quoted = info && text.starts_with("//");
    if !(quoted && text.len() >= 4 && text.ends_with("//")) {
        if let Some(ch) = text.chars().find(|c| !c.is_ascii()) {
            return Err(reserved(what, text, ch));
        }
    }
    // Separators count only after the closing "//" of an Info text.
    let open = match text.get(2..).and_then(|rest| rest.find("//")) {
        Some(close) if quoted => &text[2 + close + 2..],
        _ => text,
    };
    match open.chars().find(|c| seps.contains(*c)) {
        Some(ch) => Err(reserved(what, text, ch)),
        None => Ok(()),
    }
}

impl<'a> Packet<'a> {
    /// Splits a packet whose data segment exceeds `max_segment` into PNUM/PNO segments (spec §9):
    /// each repeats the header and `DataTime`, parameters go in the first, items are split
    /// between factors (or between fields when one factor does not fit), the D bit is set and
    /// each segment's QN is the previous one plus a millisecond. A packet that fits is returned
    /// as it is.
    pub fn split(&self, max_segment: usize) -> Result<Vec<Packet<'a>>, EncodeError> {
        let mut probe = Vec::new();
        write_segment(self, &mut probe)?;
        if probe.len() <= max_segment {
            return Ok(vec![self.clone()]);
        }
        let flag = FlagBits {
            d: true,
            ..self.flag.map_or(
                FlagBits {
                    version: 1,
                    d: true,
                    a: false,
                },
                FlagBits::from_flag,
            )
        };
        let shell = |params: Vec<(Cow<'a, str>, Cow<'a, str>)>| Packet {
            flag: Some(flag.to_flag()),
            pnum: Some(9999),
            pno: Some(9999),
            params,
            items: Vec::new(),
            warnings: Vec::new(),
            ..self.clone()
        };
        let mut fits = |p: &Packet<'a>| -> Result<bool, EncodeError> {
            probe.clear();
            write_segment(p, &mut probe)?;
            Ok(probe.len() <= max_segment)
        };
        let mut parts = vec![shell(self.params.clone())];
        if !fits(&parts[0])? {
            return Err(EncodeError::Oversize {
                len: probe.len(),
                max: max_segment,
            });
        }
        for item in &self.items {
            let last = parts.last_mut().expect("parts start non-empty");
            last.items.push(item.clone());
            if !fits(last)? {
                let item = last.items.pop().expect("just pushed");
                let mut next = shell(Vec::new());
                next.items.push(item);
                if !fits(&next)? {
                    return Err(EncodeError::Oversize {
                        len: probe.len(),
                        max: max_segment,
                    });
                }
                parts.push(next);
            }
        }
        let pnum = u16::try_from(parts.len()).map_err(|_| EncodeError::Oversize {
            len: parts.len(),
            max: 9999,
        })?;
        let mut qn = self.qn.clone();
        for (i, part) in parts.iter_mut().enumerate() {
            part.pnum = Some(pnum);
            part.pno = Some(i as u16 + 1);
            part.qn = qn.clone();
            qn = qn.map(|q| Cow::Owned(next_qn(&q)));
        }
        Ok(parts)
    }
}

/// QN plus one millisecond, carrying through the calendar; other text is kept as it is.
fn next_qn(qn: &str) -> String {
    let b = qn.as_bytes();
    if !crate::value::is_datetime17(b) {
        return qn.to_owned();
    }
    let n = |r: std::ops::Range<usize>| qn[r].parse::<u32>().unwrap_or(0);
    let (mut y, mut mo, mut d, mut h, mut mi, mut s, mut ms) = (
        n(0..4),
        n(4..6),
        n(6..8),
        n(8..10),
        n(10..12),
        n(12..14),
        n(14..17),
    );
    ms += 1;
    if ms == 1000 {
        ms = 0;
        s += 1;
    }
    if s == 60 {
        s = 0;
        mi += 1;
    }
    if mi == 60 {
        mi = 0;
        h += 1;
    }
    if h == 24 {
        h = 0;
        d += 1;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match mo {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if d > days {
        d = 1;
        mo += 1;
    }
    if mo > 12 {
        mo = 1;
        y += 1;
    }
    format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}{ms:03}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Item;

    #[test]
    fn qn_carries_through_the_calendar() {
        assert_eq!(next_qn("20160801085857534"), "20160801085857535");
        assert_eq!(next_qn("20231231235959999"), "20240101000000000");
        assert_eq!(next_qn("20240228235959999"), "20240229000000000");
        assert_eq!(next_qn("1617936069734"), "1617936069734");
    }

    #[test]
    fn reserved_characters_are_refused() {
        let mut p = Packet {
            st: "32".into(),
            cn: "2011".into(),
            mn: "MN1".into(),
            ..Packet::default()
        };
        p.params.push(("Note".into(), "a;b".into()));
        p.params.push(("Amp".into(), "a&b".into()));
        assert!(matches!(
            encode(&p, &Profile::default()),
            Err(EncodeError::ReservedChar { ch: ';', .. })
        ));
        p.params.clear();
        p.items.push(Item {
            code: "i11001".into(),
            field: "Info".into(),
            value: "//清洗;管路//".into(),
            flag: None,
        });
        assert!(encode(&p, &Profile::default()).is_ok());
        p.st = "".into();
        assert_eq!(
            encode(&p, &Profile::default()),
            Err(EncodeError::Empty("ST"))
        );
    }
}
