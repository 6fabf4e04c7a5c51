//! Framing over a byte stream: `##` + 4-digit length + data segment + 4 hex CRC + CR LF.
//!
//! TCP gives no boundaries: several packets arrive in one read, a packet splits across reads
//! (even between CR and LF), and modems add noise. The framer finds `##dddd`, reads by the length
//! field (also past the 1024-byte limit, to report it), checks the CR LF where the length says,
//! and where it is not there finds where the packet really ends — never past the next `##` — so
//! that a bad packet never hides a good one after it.

use memchr::{memchr, memchr_iter};

use crate::crc::{parse_hex4, CrcDialect};
use crate::{DecodeError, Profile, Warning};

/// The largest frame the length field can describe: `##` 9999 bytes, CRC, CR LF.
pub const MAX_FRAME: usize = 6 + 9999 + 6;

/// What one framing step found at the start of the buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame<'a> {
    /// A frame whose terminator is where the length field says (checks follow).
    Packet {
        /// The data segment.
        segment: &'a [u8],
        /// The 4 CRC characters as sent.
        crc: &'a [u8],
        /// The length field.
        stated: usize,
        /// Ended with LF only (lenient mode).
        lf_only: bool,
    },
    /// Bytes that are not a packet.
    Garbage(usize),
    /// A packet-shaped run of bytes that is not a valid frame.
    Error(DecodeError<'a>),
}

/// Finds the next frame, garbage run or framing error at the start of `buf`, returning the
/// bytes it covers. `None`: more input is needed (never when `eof`, unless `buf` is empty).
pub fn next<'a>(buf: &'a [u8], eof: bool, profile: &Profile) -> Option<(usize, Frame<'a>)> {
    if buf.is_empty() {
        return None;
    }
    let start = match find_header(buf) {
        Some(p) => p,
        None => {
            // Keep a trailing '#': it may be the first half of the next header.
            let keep = usize::from(!eof && buf.last() == Some(&b'#'));
            let n = buf.len() - keep;
            return (n > 0).then_some((n, Frame::Garbage(n)));
        }
    };
    if start > 0 {
        return Some((start, Frame::Garbage(start)));
    }
    if !buf[2..buf.len().min(6)].iter().all(u8::is_ascii_digit) {
        return Some((1, Frame::Garbage(1)));
    }
    if buf.len() < 6 {
        let error = DecodeError::Truncated {
            need: 6,
            have: buf.len(),
        };
        return eof.then_some((buf.len(), Frame::Error(error)));
    }
    let stated = buf[2..6]
        .iter()
        .fold(0usize, |acc, d| acc * 10 + usize::from(d - b'0'));
    let term = 6 + stated + 4;
    let lenient = profile.is_lenient();
    let frame = |end: usize, lf_only: bool| Frame::Packet {
        segment: &buf[6..end - 4],
        crc: &buf[end - 4..end],
        stated,
        lf_only,
    };

    // The common case: the terminator is where the length field says.
    if buf.len() > term {
        match buf[term] {
            b'\r' if buf.len() == term + 1 => {
                let error = DecodeError::Truncated {
                    need: term + 2,
                    have: buf.len(),
                };
                return eof.then_some((buf.len(), Frame::Error(error)));
            }
            b'\r' if buf[term + 1] == b'\n' => return Some((term + 2, frame(term, false))),
            b'\n' if lenient => return Some((term + 1, frame(term, true))),
            _ => {}
        }
    }

    // Not (yet) a well-terminated frame: where does this packet really end?
    let next_start = find_header(&buf[2..]).map(|p| p + 2);
    let limit = next_start.unwrap_or(buf.len());
    if let Some((cr, len)) = terminator(&buf[..limit], lenient) {
        if profile.crc == CrcDialect::Hj212Utf16 && char_count(&buf[6..cr - 4]) == Some(stated) {
            return Some((cr + len, frame(cr, len == 1)));
        }
        let error = DecodeError::BadLength {
            stated,
            actual: cr - 10,
        };
        return Some((cr + len, Frame::Error(error)));
    }
    // The bytes of this packet (up to the next `##`) reach where the CR LF should be.
    let complete = limit > term;
    let error = |have| match complete {
        true => DecodeError::NoTerminator { stated },
        false => DecodeError::Truncated {
            need: term + 2,
            have,
        },
    };
    if let Some(n) = next_start {
        return Some((n, Frame::Error(error(n))));
    }
    if eof || buf.len() >= MAX_FRAME {
        return Some((buf.len(), Frame::Error(error(buf.len()))));
    }
    None
}

/// The first `##` (a `memchr` for '#', which is rare in a stream of packets).
fn find_header(buf: &[u8]) -> Option<usize> {
    memchr_iter(b'#', buf).find(|&i| buf.get(i + 1) == Some(&b'#'))
}

/// The first CR LF (or, lenient, lone LF) at or after the earliest place a CRC can end.
fn terminator(buf: &[u8], lenient: bool) -> Option<(usize, usize)> {
    let mut from = 10;
    while from < buf.len() {
        let lf = from + memchr(b'\n', &buf[from..])?;
        if buf[lf - 1] == b'\r' && lf > 10 {
            return Some((lf - 1, 2));
        }
        if lenient {
            return Some((lf, 1));
        }
        from = lf + 1;
    }
    None
}

fn char_count(segment: &[u8]) -> Option<usize> {
    std::str::from_utf8(segment)
        .ok()
        .map(|s| s.encode_utf16().count())
}

/// The checks on a frame before its segment is parsed: size, CRC format, CRC value.
/// Returns the warnings the frame itself earned.
pub fn check<'a>(
    segment: &'a [u8],
    crc: &'a [u8],
    stated: usize,
    lf_only: bool,
    profile: &Profile,
) -> Result<Vec<Warning<'a>>, DecodeError<'a>> {
    if stated > profile.max_segment {
        return Err(DecodeError::Oversize {
            len: stated,
            max: profile.max_segment,
        });
    }
    let Some(value) = parse_hex4(crc) else {
        let mut shown = [0u8; 4];
        shown.copy_from_slice(crc);
        return Err(DecodeError::BadCrcFormat(shown));
    };
    let computed = profile.crc.wire_value(segment);
    if computed != value {
        return Err(DecodeError::CrcMismatch {
            // parse_hex4 accepted the bytes, so they are ASCII hex digits.
            stated: std::str::from_utf8(crc).unwrap_or_default(),
            computed,
            would_match: profile.crc.other_match(segment, value),
        });
    }
    let mut warnings = Vec::new();
    if crc.iter().any(u8::is_ascii_lowercase) {
        warnings.push(Warning::LowercaseCrc);
    }
    if lf_only {
        warnings.push(Warning::LfTerminator);
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: &[u8] = b"##0087QN=20160801085857223;ST=32;CN=2012;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&&&3C00\r\n";

    fn strict() -> Profile {
        Profile::default()
    }

    #[test]
    fn one_frame() {
        let (n, f) = next(P, false, &strict()).unwrap();
        assert_eq!(n, P.len());
        assert!(matches!(
            f,
            Frame::Packet {
                stated: 87,
                lf_only: false,
                ..
            }
        ));
    }

    #[test]
    fn split_between_cr_and_lf_waits() {
        assert_eq!(next(&P[..P.len() - 1], false, &strict()), None);
        let (n, f) = next(&P[..P.len() - 1], true, &strict()).unwrap();
        assert_eq!(n, P.len() - 1);
        assert!(matches!(f, Frame::Error(DecodeError::Truncated { .. })));
    }

    #[test]
    fn every_prefix_waits_and_trailing_hash_is_kept() {
        for cut in 1..P.len() {
            assert_eq!(next(&P[..cut], false, &strict()), None, "cut {cut}");
        }
        assert_eq!(
            next(b"abc#", false, &strict()),
            Some((3, Frame::Garbage(3)))
        );
        assert_eq!(next(b"abc#", true, &strict()), Some((4, Frame::Garbage(4))));
    }

    #[test]
    fn fake_header_is_garbage_byte_by_byte() {
        assert_eq!(
            next(b"##xx", false, &strict()),
            Some((1, Frame::Garbage(1)))
        );
        assert_eq!(
            next(b"###0", false, &strict()),
            Some((1, Frame::Garbage(1)))
        );
    }

    #[test]
    fn truncated_by_the_next_packet() {
        let mut s = P[..50].to_vec();
        s.extend_from_slice(P);
        let (n, f) = next(&s, false, &strict()).unwrap();
        assert_eq!(n, 50);
        assert_eq!(
            f,
            Frame::Error(DecodeError::Truncated { need: 99, have: 50 })
        );
        let (n, f) = next(&s[50..], false, &strict()).unwrap();
        assert_eq!(n, P.len());
        assert!(matches!(f, Frame::Packet { .. }));
    }
}
