//! The data segment: header fields `QN;ST;CN;PW;MN;Flag;[PNUM;PNO;]` then `CP=&&…&&`.

use std::borrow::Cow;

use memchr::{memchr_iter, memmem};

use crate::cp::{self, Cp};
use crate::value::is_datetime17;
use crate::{DecodeError, Packet, Profile, Warning};

/// Collects accepted deviations, or turns them into errors in strict mode.
pub(crate) struct Ctx<'a> {
    pub lenient: bool,
    pub warnings: Vec<Warning<'a>>,
}

impl<'a> Ctx<'a> {
    /// A deviation that lenient mode accepts with `warning` and strict mode rejects with `error`.
    pub fn deviate(
        &mut self,
        warning: Warning<'a>,
        error: DecodeError<'a>,
    ) -> Result<(), DecodeError<'a>> {
        if self.lenient {
            self.warnings.push(warning);
            Ok(())
        } else {
            Err(error)
        }
    }

    /// A deviation every mode accepts.
    pub fn warn(&mut self, warning: Warning<'a>) {
        self.warnings.push(warning);
    }
}

/// Header keys in the order the standard writes them; a bit each in `seen`.
const QN: usize = 0;
const ST: usize = 1;
const CN: usize = 2;
const PW: usize = 3;
const MN: usize = 4;
const FLAG: usize = 5;
const PNUM: usize = 6;
const PNO: usize = 7;

/// The index of a header key in `fields` (byte compares, no `memcmp` call).
fn header_key(k: &[u8]) -> Option<usize> {
    Some(match k {
        [b'Q', b'N'] => QN,
        [b'S', b'T'] => ST,
        [b'C', b'N'] => CN,
        [b'P', b'W'] => PW,
        [b'M', b'N'] => MN,
        [b'F', b'l', b'a', b'g'] => FLAG,
        [b'P', b'N', b'U', b'M'] => PNUM,
        [b'P', b'N', b'O'] => PNO,
        _ => return None,
    })
}

/// Parses a data segment (the bytes between the length field and the CRC).
///
/// `warnings` carries what the framer already found (e.g. `lowercase_crc`).
pub fn parse<'a>(
    seg: &'a [u8],
    profile: &Profile,
    warnings: Vec<Warning<'a>>,
) -> Result<Packet<'a>, DecodeError<'a>> {
    let text = std::str::from_utf8(seg).map_err(|_| DecodeError::InvalidUtf8)?;
    let ascii = seg.is_ascii();
    let mut ctx = Ctx {
        lenient: profile.is_lenient(),
        warnings,
    };

    let (header, body) = split_cp(text)?;
    let header = match header.strip_suffix(';') {
        Some(h) => h,
        None if header.is_empty() => header,
        None => {
            ctx.deviate(Warning::MissingCpSeparator, DecodeError::MissingCpSeparator)?;
            header
        }
    };
    if !ascii {
        if let Some(c) = header.chars().find(|c| !c.is_ascii()) {
            return Err(DecodeError::NonAsciiChar(c));
        }
    }

    let mut fields: [Option<&'a str>; 8] = [None; 8];
    let mut extra_header = Vec::new();
    let mut rest = header;
    while !rest.is_empty() {
        let end = rest.bytes().position(|c| c == b';').unwrap_or(rest.len());
        let token = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or("");
        let Some(eq) = token.bytes().position(|c| c == b'=') else {
            ctx.deviate(
                Warning::MalformedField(token.into()),
                DecodeError::HeaderItemWithoutEquals(token),
            )?;
            continue;
        };
        let (key, value) = (&token[..eq], &token[eq + 1..]);
        let (k, v) = (key.trim_ascii(), value.trim_ascii());
        if k.len() != key.len() || v.len() != value.len() {
            ctx.deviate(
                Warning::WhitespaceInHeader,
                DecodeError::HeaderWhitespace(token),
            )?;
        }
        if k.is_empty() {
            ctx.deviate(
                Warning::MalformedField(token.into()),
                DecodeError::EmptyHeaderKey(token),
            )?;
            continue;
        }
        match header_key(k.as_bytes()) {
            Some(i) if fields[i].is_some() => return Err(DecodeError::DuplicateHeader(k)),
            Some(i) => fields[i] = Some(v),
            None => {
                ctx.warn(Warning::UnknownHeaderField(k.into()));
                extra_header.push((Cow::Borrowed(k), Cow::Borrowed(v)));
            }
        }
    }

    let required = |i: usize| fields[i].filter(|v| !v.is_empty());
    let st = required(ST).ok_or(DecodeError::MissingField("ST"))?;
    let cn = required(CN).ok_or(DecodeError::MissingField("CN"))?;
    let pw = required(PW);
    if pw.is_none() {
        ctx.deviate(Warning::MissingPw, DecodeError::MissingField("PW"))?;
    }
    let mn = required(MN).ok_or(DecodeError::MissingField("MN"))?;

    match fields[QN] {
        None => ctx.warn(Warning::MissingQn),
        Some(qn) if !is_datetime17(qn.as_bytes()) => {
            ctx.deviate(Warning::BadQn, DecodeError::BadQn(qn))?;
        }
        Some(_) => {}
    }
    let flag = match fields[FLAG] {
        None => {
            ctx.warn(Warning::MissingFlag);
            None
        }
        Some(f) => match parse_small(f, 3).and_then(|v| u8::try_from(v).ok()) {
            Some(v) => Some(v),
            None => {
                ctx.deviate(Warning::BadFlag, DecodeError::BadFlag(f))?;
                None
            }
        },
    };
    let stb = st.as_bytes();
    if stb.len() != 2
        || !stb
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    {
        ctx.warn(Warning::NonstandardSt);
    }
    if cn.len() != 4 || !cn.bytes().all(|c| c.is_ascii_digit()) {
        ctx.deviate(
            Warning::BadValue("CN".into()),
            DecodeError::BadValue {
                key: "CN",
                value: cn,
                expected: "4 digits",
            },
        )?;
    }
    let mnb = mn.as_bytes();
    if mnb.len() != 24
        || !mnb
            .iter()
            .all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(c))
    {
        ctx.warn(Warning::MnNot24Hex);
    }
    match pw.map(str::len) {
        Some(n) if n > 6 => ctx.warn(Warning::PwLongerThan6),
        Some(n) if n < 6 => ctx.warn(Warning::PwShorterThan6),
        _ => {}
    }

    let (pnum, pno) = numbering(fields[PNUM], fields[PNO], flag, &mut ctx)?;
    let edition = profile.edition.resolve(flag.map(|f| f >> 2));

    let Cp {
        datatime,
        params,
        items,
    } = cp::parse(body, ascii, edition, &mut ctx)?;

    let mut warnings = ctx.warnings;
    if warnings.len() > 1 {
        warnings.sort_unstable();
        warnings.dedup();
    }
    Ok(Packet {
        qn: fields[QN].map(Cow::Borrowed),
        st: Cow::Borrowed(st),
        cn: Cow::Borrowed(cn),
        pw: pw.map(Cow::Borrowed),
        mn: Cow::Borrowed(mn),
        flag,
        pnum,
        pno,
        extra_header,
        datatime: datatime.map(Cow::Borrowed),
        params,
        items,
        warnings,
    })
}

/// Splits `…;CP=&&body&&` into the header (with its trailing `;`) and the CP body.
fn split_cp(text: &str) -> Result<(&str, &str), DecodeError<'_>> {
    let b = text.as_bytes();
    // The first "&&" preceded by "CP=": the header holds no '&', so this is one memchr.
    let cp = memchr_iter(b'&', b)
        .find(|&i| i >= 3 && &b[i - 3..i] == b"CP=" && b.get(i + 1) == Some(&b'&'));
    match cp.map(|i| i - 3) {
        Some(p) if b.len() >= p + 7 && b.ends_with(b"&&") => {
            Ok((&text[..p], &text[p + 5..b.len() - 2]))
        }
        Some(_) => Err(DecodeError::BadCp("CP does not end with '&&'")),
        None if memmem::find(b, b"CP=").is_some() => {
            Err(DecodeError::BadCp("CP does not start with '&&'"))
        }
        None => Err(DecodeError::MissingField("CP")),
    }
}

/// A non-negative integer of at most `max_digits` digits (leading zeros allowed).
fn parse_small(s: &str, max_digits: usize) -> Option<u32> {
    let b = s.as_bytes();
    (!b.is_empty() && b.len() <= max_digits && b.iter().all(u8::is_ascii_digit))
        .then(|| b.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
}

/// PNUM/PNO against the D bit (spec §6, §9).
fn numbering<'a>(
    pnum: Option<&'a str>,
    pno: Option<&'a str>,
    flag: Option<u8>,
    ctx: &mut Ctx<'a>,
) -> Result<(Option<u16>, Option<u16>), DecodeError<'a>> {
    let num = |s: &str, what: &'static str| {
        parse_small(s, 4)
            .map(|v| v as u16)
            .ok_or(DecodeError::BadNumbering(what))
    };
    let d_bit = flag.is_some_and(|f| f & 0b10 != 0);
    match (pnum, pno) {
        (None, None) => {
            if d_bit {
                if flag.is_some_and(|f| f >> 2 == 0) {
                    ctx.warn(Warning::DBitWithoutPnum2005);
                } else {
                    ctx.deviate(Warning::DBitWithoutPnum, DecodeError::DBitWithoutPnum)?;
                }
            }
            Ok((None, None))
        }
        (Some(n), Some(o)) => {
            let n = num(n, "PNUM is not a number of at most 4 digits")?;
            let o = num(o, "PNO is not a number of at most 4 digits")?;
            if n == 0 || o == 0 || o > n {
                return Err(DecodeError::PnoOutOfRange { pno: o, pnum: n });
            }
            if flag.is_some() && !d_bit {
                ctx.warn(Warning::PnumWithoutDBit);
            }
            Ok((Some(n), Some(o)))
        }
        _ => Err(DecodeError::BadNumbering("PNUM and PNO must come together")),
    }
}
