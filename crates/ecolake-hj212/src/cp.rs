//! The CP data area: `key=value` items separated by `;` (between factors) or `,` (within one),
//! with `-Info` texts in `//…//` that may hold separators and UTF-8.

use std::borrow::Cow;

use ecolake_model::DataFlag;
use memchr::{memchr2, memchr2_iter, memchr3, memmem};

use crate::segment::Ctx;
use crate::value::{is_datetime14, is_datetime17, is_datetime_param, is_number, is_numeric_field};
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
        let head = load8(&key[..key.len().min(8)]);
        let tail = load8(&key[key.len().saturating_sub(8)..]);
        let h =
            (head ^ tail.rotate_left(29) ^ key.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
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
    let mut a = [0u8; 8];
    a[..b.len()].copy_from_slice(b);
    u64::from_le_bytes(a)
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
    cp.items.reserve(memchr2_iter(b';', b',', b).count() + 1);
    let mut flags: Vec<(&'a str, &'a str)> = Vec::new();
    let mut seen = SeenKeys([0; 32]);
    let mut trimmed = false;

    let mut i = 0;
    while i <= b.len() {
        let start = i;
        // One token: key=value up to the next separator (an Info text may hold separators).
        let (token_end, eq) = match memchr3(b'=', b';', b',', &b[i..]) {
            Some(o) if b[i + o] == b'=' => {
                let e = i + o;
                (value_end(b, start, e), Some(e))
            }
            Some(o) => (i + o, None),
            None => (b.len(), None),
        };
        let token = &body[start..token_end];
        i = token_end + 1;
        let Some(eq) = eq else {
            ctx.deviate(
                Warning::MalformedField(token.into()),
                DecodeError::CpItemWithoutEquals(token),
            )?;
            continue;
        };
        let raw_key = &body[start..eq];
        let raw_value = &body[eq + 1..token_end];
        let (key, value) = (raw_key.trim_ascii(), raw_value.trim_ascii());
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

        match key.split_once('-') {
            Some((code, field)) if !code.is_empty() && !field.is_empty() => {
                if field == "Flag" {
                    if !flag_in_edition(value, edition) {
                        ctx.warn(Warning::NonstandardDataFlag(value.into()));
                    }
                    flags.push((code, value));
                    continue;
                }
                if is_numeric_field(field) && !is_number(value.as_bytes()) {
                    ctx.deviate(
                        Warning::BadValue(key.into()),
                        DecodeError::BadValue {
                            key,
                            value,
                            expected: "a number",
                        },
                    )?;
                } else if field == "SampleTime" && !is_datetime14(value.as_bytes()) {
                    ctx.deviate(
                        Warning::BadDatatime(key.into()),
                        DecodeError::BadDatatime { key, value },
                    )?;
                }
                cp.items.push(Item {
                    code: Cow::Borrowed(code),
                    field: Cow::Borrowed(field),
                    value: Cow::Borrowed(value),
                    flag: None,
                });
            }
            Some(_) => {
                ctx.deviate(
                    Warning::MalformedField(token.into()),
                    DecodeError::CpItemWithoutEquals(token),
                )?;
            }
            None if key == "DataTime" => {
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
            None if key == "Flag" => {
                ctx.deviate(
                    Warning::BareFlagInCp,
                    DecodeError::BareFlag(token.trim_ascii()),
                )?;
                cp.params.push((Cow::Borrowed(key), Cow::Borrowed(value)));
            }
            None => {
                if is_datetime_param(key) && !is_datetime14(value.as_bytes()) {
                    ctx.deviate(
                        Warning::BadDatatime(key.into()),
                        DecodeError::BadDatatime { key, value },
                    )?;
                }
                cp.params.push((Cow::Borrowed(key), Cow::Borrowed(value)));
            }
        }
    }
    if trimmed {
        ctx.warn(Warning::WhitespaceInCp);
    }
    assign_flags(&mut cp.items, &flags);
    Ok(cp)
}

/// The end of the value that starts after `=` at `eq`: the next separator, except that an
/// `-Info` value in `//…//` runs to its closing `//`.
fn value_end(b: &[u8], start: usize, eq: usize) -> usize {
    let v = eq + 1;
    let mut from = v;
    if b[start..eq].trim_ascii_end().ends_with(b"-Info") {
        let rest = &b[v..];
        let lead = rest.len() - rest.trim_ascii_start().len();
        if rest[lead..].starts_with(b"//") {
            if let Some(c) = memmem::find(&rest[lead + 2..], b"//") {
                from = v + lead + 2 + c + 2;
            }
        }
    }
    memchr2(b';', b',', &b[from..]).map_or(b.len(), |o| from + o)
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

fn flag_in_edition(flag: &str, edition: Edition) -> bool {
    match flag.parse::<DataFlag>() {
        Ok(f) if edition == Edition::Hj212_2005 => f.in_2005(),
        Ok(f) => f.in_2017(),
        Err(_) => false,
    }
}

/// Gives every item the flag of its factor (`code-Flag`), wherever in CP that flag stands.
fn assign_flags<'a>(items: &mut [Item<'a>], flags: &[(&'a str, &'a str)]) {
    if flags.is_empty() {
        return;
    }
    let mut last = 0;
    for item in items {
        let code = item.code.as_ref();
        let hit = if flags[last].0 == code {
            Some(last)
        } else {
            flags.iter().position(|(c, _)| *c == code)
        };
        if let Some(h) = hit {
            last = h;
            item.flag = Some(Cow::Borrowed(flags[h].1));
        }
    }
}

impl Cp<'_> {
    /// Exact check behind a Bloom hit: was `key` already in this CP?
    fn has_key(&self, key: &str, flags: &[(&str, &str)]) -> bool {
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
