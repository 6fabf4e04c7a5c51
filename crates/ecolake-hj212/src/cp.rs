//! The CP data area: `key=value` items separated by `;` (between factors) or `,` (within one),
//! with `-Info` texts in `//…//` that may hold separators and UTF-8.

use std::borrow::Cow;

use memchr::memmem;

use crate::segment::Ctx;
use crate::value::{
    field_kind, is_datetime14, is_datetime17, is_number, param_kind, FieldKind, ParamKind,
};
use crate::{DecodeError, Edition, Item, Warning};

/// What CP holds.
pub(crate) struct Cp<'a> {
    pub datatime: Option<&'a str>,
    pub params: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    pub items: Vec<Item<'a>>,
}

/// A Bloom filter over the keys seen so far: a hit is confirmed by an exact look-up.
struct SeenKeys([u64; 32]);

impl SeenKeys {
    fn hash(key: &[u8]) -> usize {
        // Two overlapping loads cover keys of up to 16 bytes without a memcpy call; longer
        // keys that differ only in the middle collide, and the exact check sorts them out.
        let n = key.len();
        let (head, tail) = if n >= 8 {
            (load8(&key[..8]), load8(&key[n - 8..]))
        } else if n >= 4 {
            (u64::from(load4(&key[..4])), u64::from(load4(&key[n - 4..])))
        } else {
            let b = |i: usize| u64::from(key.get(i).copied().unwrap_or(0));
            (b(0) | b(1) << 8 | b(2) << 16, 0)
        };
        let h = (head ^ tail.rotate_left(29) ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        (h >> 53) as usize
    }

    /// Records `key`; true if it may have been seen before.
    fn insert(&mut self, key: &[u8]) -> bool {
        let h = Self::hash(key);
        let (word, bit) = (h / 64, 1u64 << (h % 64));
        let hit = self.0[word] & bit != 0;
        self.0[word] |= bit;
        hit
    }
}

fn load8(b: &[u8]) -> u64 {
    u64::from_le_bytes(b.try_into().expect("8 bytes"))
}

fn load4(b: &[u8]) -> u32 {
    u32::from_le_bytes(b.try_into().expect("4 bytes"))
}

/// Byte classes for the CP scanner.
const EQ: u8 = 1;
const SEP: u8 = 2;
const CLASS: [u8; 256] = {
    let mut c = [0u8; 256];
    c[b'=' as usize] = EQ;
    c[b';' as usize] = SEP;
    c[b',' as usize] = SEP;
    c
};

/// The first index at or after `from` whose byte is in `classes`, or `b.len()`. Tokens are
/// 5–20 bytes: a table-driven scan beats `memchr`'s per-call set-up at that length.
fn scan(b: &[u8], from: usize, classes: u8) -> usize {
    b[from..]
        .iter()
        .position(|&c| CLASS[c as usize] & classes != 0)
        .map_or(b.len(), |o| from + o)
}

/// Flags of up to this many factors are kept on the stack.
const INLINE_FLAGS: usize = 32;

/// The `code-Flag` values seen so far.
struct Flags<'a> {
    inline: [(&'a str, &'a str); INLINE_FLAGS],
    len: usize,
    spill: Vec<(&'a str, &'a str)>,
}

impl<'a> Flags<'a> {
    fn push(&mut self, code: &'a str, flag: &'a str) {
        if self.len < INLINE_FLAGS {
            self.inline[self.len] = (code, flag);
            self.len += 1;
        } else {
            self.spill.push((code, flag));
        }
    }

    fn as_slice(&self) -> &[(&'a str, &'a str)] {
        &self.inline[..self.len]
    }

    fn iter(&self) -> impl Iterator<Item = &(&'a str, &'a str)> {
        self.as_slice().iter().chain(&self.spill)
    }
}

/// Parses the CP body (between `CP=&&` and the final `&&`).
pub(crate) fn parse<'a>(
    body: &'a str,
    ascii: bool,
    edition: Edition,
    ctx: &mut Ctx<'a>,
) -> Result<Cp<'a>, DecodeError<'a>> {
    let mut cp = Cp {
        datatime: None,
        params: Vec::new(),
        items: Vec::new(),
    };
    if body.is_empty() {
        return Ok(cp);
    }
    let b = body.as_bytes();
    // An item is rarely shorter than 12 bytes ("a01001-Rtd=1").
    cp.items.reserve(b.len() / 12 + 1);
    let mut flags = Flags {
        inline: [("", ""); INLINE_FLAGS],
        len: 0,
        spill: Vec::new(),
    };
    let mut seen = SeenKeys([0; 32]);
    let mut trimmed = false;

    let mut i = 0;
    while i <= b.len() {
        let start = i;
        // One token: key=value up to the next separator (an Info text may hold separators).
        let stop = scan(b, i, EQ | SEP);
        let Some(eq) = (stop < b.len() && b[stop] == b'=').then_some(stop) else {
            let end = scan(b, i, SEP);
            let token = &body[start..end];
            i = end + 1;
            ctx.deviate(
                Warning::MalformedField(token.into()),
                DecodeError::CpItemWithoutEquals(token),
            )?;
            continue;
        };
        let raw_key = &body[start..eq];
        let key = raw_key.trim_ascii();
        // Keys are short: a plain scan beats memchr's set-up.
        let dash = key.bytes().position(|c| c == b'-');
        let kind = dash.map(|d| field_kind(&key.as_bytes()[d + 1..]));
        let token_end = value_end(b, eq, kind == Some(FieldKind::Info));
        let raw_value = &body[eq + 1..token_end];
        let value = raw_value.trim_ascii();
        let token = &body[start..token_end];
        i = token_end + 1;
        trimmed |= key.len() != raw_key.len() || value.len() != raw_value.len();

        if !ascii {
            check_ascii(key, value)?;
        }
        if seen.insert(key.as_bytes()) && cp.has_key(key, &flags) {
            ctx.deviate(
                Warning::DuplicateField(key.into()),
                DecodeError::DuplicateCp(key),
            )?;
        }

        match (dash, kind) {
            (Some(d), Some(kind)) if d > 0 && d + 1 < key.len() => {
                let (code, field) = (&key[..d], &key[d + 1..]);
                match kind {
                    FieldKind::Flag => {
                        if !flag_in_edition(value, edition) {
                            ctx.warn(Warning::NonstandardDataFlag(value.into()));
                        }
                        flags.push(code, value);
                        continue;
                    }
                    FieldKind::Numeric if !is_number(value.as_bytes()) => {
                        ctx.deviate(
                            Warning::BadValue(key.into()),
                            DecodeError::BadValue {
                                key,
                                value,
                                expected: "a number",
                            },
                        )?;
                    }
                    FieldKind::SampleTime if !is_datetime14(value.as_bytes()) => {
                        ctx.deviate(
                            Warning::BadDatatime(key.into()),
                            DecodeError::BadDatatime { key, value },
                        )?;
                    }
                    _ => {}
                }
                cp.items.push(Item {
                    code: Cow::Borrowed(code),
                    field: Cow::Borrowed(field),
                    value: Cow::Borrowed(value),
                    flag: None,
                });
            }
            (Some(_), _) => {
                ctx.deviate(
                    Warning::MalformedField(token.into()),
                    DecodeError::CpItemWithoutEquals(token),
                )?;
            }
            (None, _) => match param_kind(key.as_bytes()) {
                ParamKind::DataTime => {
                    let v = value.as_bytes();
                    if !is_datetime14(v) {
                        let error = DecodeError::BadDatatime { key, value };
                        if !is_datetime17(v) {
                            return Err(error);
                        }
                        ctx.deviate(Warning::BadDatatime(key.into()), error)?;
                    }
                    if cp.datatime.is_none() {
                        cp.datatime = Some(value);
                    }
                }
                kind => {
                    if kind == ParamKind::Flag {
                        ctx.deviate(
                            Warning::BareFlagInCp,
                            DecodeError::BareFlag(token.trim_ascii()),
                        )?;
                    } else if kind == ParamKind::DateTime && !is_datetime14(value.as_bytes()) {
                        ctx.deviate(
                            Warning::BadDatatime(key.into()),
                            DecodeError::BadDatatime { key, value },
                        )?;
                    }
                    cp.params.push((Cow::Borrowed(key), Cow::Borrowed(value)));
                }
            },
        }
    }
    if trimmed {
        ctx.warn(Warning::WhitespaceInCp);
    }
    assign_flags(&mut cp.items, &flags);
    // A flag whose factor has no value in this packet is kept as a parameter (`code-Flag`),
    // never dropped.
    for (code, flag) in flags.iter() {
        if !cp.items.iter().any(|item| same(code, &item.code)) {
            cp.params
                .push((Cow::Owned(format!("{code}-Flag")), Cow::Borrowed(*flag)));
        }
    }
    Ok(cp)
}

/// The end of the value after the `=` at `eq`: the next separator, except that an `-Info`
/// value in `//…//` runs to its closing `//`.
fn value_end(b: &[u8], eq: usize, info: bool) -> usize {
    let v = eq + 1;
    let mut from = v;
    if info {
        let rest = &b[v..];
        let lead = rest.len() - rest.trim_ascii_start().len();
        if rest[lead..].starts_with(b"//") {
            if let Some(c) = memmem::find(&rest[lead + 2..], b"//") {
                from = v + lead + 2 + c + 2;
            }
        }
    }
    scan(b, from, SEP)
}

/// Non-ASCII is allowed only inside `-Info` texts enclosed in `//`.
fn check_ascii<'a>(key: &'a str, value: &'a str) -> Result<(), DecodeError<'a>> {
    if let Some(c) = key.chars().find(|c| !c.is_ascii()) {
        return Err(DecodeError::NonAsciiChar(c));
    }
    let info_text = key.ends_with("-Info")
        && value.len() >= 4
        && value.starts_with("//")
        && value.ends_with("//");
    if !info_text {
        if let Some(c) = value.chars().find(|c| !c.is_ascii()) {
            return Err(DecodeError::NonAsciiChar(c));
        }
    }
    Ok(())
}

/// Whether the edition defines this data flag (byte patterns: no `memcmp` per flag).
fn flag_in_edition(flag: &str, edition: Edition) -> bool {
    let v2005 = edition == Edition::Hj212_2005;
    match flag.as_bytes() {
        [b'N' | b'F' | b'M' | b'S' | b'D' | b'C' | b'T'] => true,
        [b'B'] => !v2005,
        [b'P' | b'0'..=b'3'] => v2005,
        _ => false,
    }
}

/// String equality for short codes without a `memcmp` call.
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        8..=16 => load8(&a[..8]) == load8(&b[..8]) && load8(&a[n - 8..]) == load8(&b[n - 8..]),
        4..=7 => load4(&a[..4]) == load4(&b[..4]) && load4(&a[n - 4..]) == load4(&b[n - 4..]),
        _ => a == b,
    }
}

/// Gives every item the flag of its factor (`code-Flag`), wherever in CP that flag stands.
fn assign_flags<'a>(items: &mut [Item<'a>], flags: &Flags<'a>) {
    if !flags.spill.is_empty() {
        let all: Vec<_> = flags.iter().copied().collect();
        return assign_from(items, &all);
    }
    assign_from(items, flags.as_slice());
}

fn assign_from<'a>(items: &mut [Item<'a>], flags: &[(&'a str, &'a str)]) {
    if flags.is_empty() {
        return;
    }
    let mut last = 0;
    for item in items {
        let code = item.code.as_ref();
        let hit = if same(flags[last].0, code) {
            Some(last)
        } else {
            flags.iter().position(|(c, _)| same(c, code))
        };
        if let Some(h) = hit {
            last = h;
            item.flag = Some(Cow::Borrowed(flags[h].1));
        }
    }
}

impl Cp<'_> {
    /// Exact check behind a Bloom hit: was `key` already in this CP?
    fn has_key(&self, key: &str, flags: &Flags<'_>) -> bool {
        let split = |code: &str, field: &str| {
            key.len() == code.len() + 1 + field.len()
                && key.starts_with(code)
                && key.ends_with(field)
                && key.as_bytes()[code.len()] == b'-'
        };
        (key == "DataTime" && self.datatime.is_some())
            || self.params.iter().any(|(k, _)| k == key)
            || self.items.iter().any(|i| split(&i.code, &i.field))
            || flags.iter().any(|(c, _)| split(c, "Flag"))
    }
}

#[cfg(test)]
mod tests {
    use crate::{decode, encode, Profile};

    /// Found by the fuzzer: `a08041-Flag=St` with no `a08041` value was dropped, so the packet
    /// lost it (and re-encoding changed the packet).
    #[test]
    fn a_flag_without_a_value_is_kept_as_a_parameter() {
        let segment = "QN=20250301120000123;ST=31;CN=2011;PW=123456;\
                       MN=0123456789ABCDEF01234567;Flag=5;CP=&&DataTime=20250301120000;\
                       a21026-Rtd=0,a21026-Flag=N;a08041-Flag=D&&";
        let wire = format!(
            "##{:04}{segment}{:04X}\r\n",
            segment.len(),
            crate::crc::hj212(segment.as_bytes())
        );
        let profile = Profile::default();
        let packet = decode(wire.as_bytes(), &profile).unwrap().packet;
        assert_eq!(packet.items.len(), 1);
        assert_eq!(packet.items[0].flag.as_deref(), Some("N"));
        let params: Vec<(&str, &str)> = packet
            .params
            .iter()
            .map(|(k, v)| (k.as_ref(), v.as_ref()))
            .collect();
        assert_eq!(params, [("a08041-Flag", "D")]);
        let again = encode(&packet, &profile).unwrap();
        assert_eq!(decode(&again, &profile).unwrap().packet, packet);
    }
}
