//! The HJ 212 CRC (Appendix A) and the dialects real devices use instead (spec §3.3).
//!
//! The standard calls its checksum "ANSI CRC16", but the byte step differs from CRC-16/MODBUS:
//! the register is shifted right by 8 *before* the byte is XORed in, so only 8 bits of state
//! survive between bytes. That makes the state machine `h' = H[h ^ b]` over one byte, with `H`
//! linear over GF(2), so `h` after 16 bytes is an XOR of 16 independent table look-ups
//! (slicing-by-16). The final 16-bit value is `T[h ^ last byte]` of the usual reflected 0xA001
//! table. About 8x faster than the serial table loop.

use std::fmt;
use std::str::FromStr;

/// The reflected polynomial constant of Appendix A (0x8005 reflected).
const POLY: u16 = 0xA001;

/// `T[x]`: eight reflected rounds over `x` (the classic CRC-16/ARC table).
const T: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut v = i as u16;
        let mut r = 0;
        while r < 8 {
            v = if v & 1 == 1 { (v >> 1) ^ POLY } else { v >> 1 };
            r += 1;
        }
        t[i] = v;
        i += 1;
    }
    t
};

/// `SLICE[k][x] = H^(k+1)(x)` where `H(x) = T[x] >> 8` is the byte-state transition.
const SLICE: [[u8; 256]; 16] = {
    let mut s = [[0u8; 256]; 16];
    let mut x = 0;
    while x < 256 {
        s[0][x] = (T[x] >> 8) as u8;
        x += 1;
    }
    let mut k = 1;
    while k < 16 {
        let mut x = 0;
        while x < 256 {
            s[k][x] = s[0][s[k - 1][x] as usize];
            x += 1;
        }
        k += 1;
    }
    s
};

/// HJ 212-2017 Appendix A CRC of a data segment.
///
/// ```
/// let seg = b"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&";
/// assert_eq!(ecolake_hj212::crc::hj212(seg), 0x1C80);
/// ```
pub fn hj212(data: &[u8]) -> u16 {
    let Some((&last, body)) = data.split_last() else {
        return 0xFFFF;
    };
    let mut h: u8 = 0xFF;
    let mut blocks = body.chunks_exact(16);
    for c in &mut blocks {
        h = SLICE[15][(h ^ c[0]) as usize]
            ^ SLICE[14][c[1] as usize]
            ^ SLICE[13][c[2] as usize]
            ^ SLICE[12][c[3] as usize]
            ^ SLICE[11][c[4] as usize]
            ^ SLICE[10][c[5] as usize]
            ^ SLICE[9][c[6] as usize]
            ^ SLICE[8][c[7] as usize]
            ^ SLICE[7][c[8] as usize]
            ^ SLICE[6][c[9] as usize]
            ^ SLICE[5][c[10] as usize]
            ^ SLICE[4][c[11] as usize]
            ^ SLICE[3][c[12] as usize]
            ^ SLICE[2][c[13] as usize]
            ^ SLICE[1][c[14] as usize]
            ^ SLICE[0][c[15] as usize];
    }
    for &b in blocks.remainder() {
        h = SLICE[0][(h ^ b) as usize];
    }
    T[(h ^ last) as usize]
}

/// Appendix A with one table look-up per byte: the classic loop, kept as the baseline the
/// sliced [`hj212`] is measured against.
pub fn hj212_bytewise(data: &[u8]) -> u16 {
    data.iter()
        .fold(0xFFFF, |reg, &b| T[((reg >> 8) ^ u16::from(b)) as usize])
}

/// One step of Appendix A with a 16-bit input unit: `reg = (reg >> 8) ^ u`, then eight rounds.
fn step_wide(reg: u16, unit: u16) -> u16 {
    let v = (reg >> 8) ^ unit;
    (v >> 8) ^ T[(v & 0xFF) as usize]
}

/// Appendix A over sign-extended bytes (C `char *` implementations): differs for bytes ≥ 0x80.
fn hj212_signed(data: &[u8]) -> u16 {
    data.iter()
        .fold(0xFFFF, |reg, &b| step_wide(reg, b as i8 as i16 as u16))
}

/// Appendix A over UTF-16 code units (Java, C#, Go-rune implementations).
fn hj212_utf16(data: &[u8]) -> u16 {
    match std::str::from_utf8(data) {
        Ok(s) => s.encode_utf16().fold(0xFFFF, step_wide),
        Err(_) => hj212(data),
    }
}

static MODBUS: crc::Crc<u16, crc::Table<16>> =
    crc::Crc::<u16, crc::Table<16>>::new(&crc::CRC_16_MODBUS);

/// CRC-16/MODBUS (`reg ^= b` before the rounds): what some devices send instead of Appendix A.
pub fn modbus(data: &[u8]) -> u16 {
    MODBUS.checksum(data)
}

/// Which checksum a device writes in the 4 hex digits after the data segment (spec §3.3).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum CrcDialect {
    /// HJ 212 Appendix A over UTF-8 bytes: the standard and nearly every device.
    #[default]
    Hj212,
    /// Appendix A over sign-extended bytes (C `char *`). Sign extension only reaches the
    /// register's low byte, which the next byte's step discards, so it differs from `Hj212`
    /// only when the last byte is non-ASCII — never for a data segment ending in `&&`.
    Hj212Signed,
    /// Appendix A over UTF-16 code units, with the length field counting characters
    /// (Java/C#/Go-rune implementations); differs only for non-ASCII text.
    Hj212Utf16,
    /// CRC-16/MODBUS written high byte first.
    ModbusBe,
    /// CRC-16/MODBUS written low byte first.
    ModbusLe,
}

impl CrcDialect {
    /// Every dialect, the standard one first.
    pub const ALL: [CrcDialect; 5] = [
        CrcDialect::Hj212,
        CrcDialect::Hj212Signed,
        CrcDialect::Hj212Utf16,
        CrcDialect::ModbusBe,
        CrcDialect::ModbusLe,
    ];

    /// The value of the 4 hex digits this dialect writes for `segment`, read high digit first.
    pub fn wire_value(self, segment: &[u8]) -> u16 {
        match self {
            CrcDialect::Hj212 => hj212(segment),
            CrcDialect::Hj212Signed => hj212_signed(segment),
            CrcDialect::Hj212Utf16 => hj212_utf16(segment),
            CrcDialect::ModbusBe => modbus(segment),
            CrcDialect::ModbusLe => modbus(segment).swap_bytes(),
        }
    }

    /// The first other dialect whose value equals `stated`, to name in a mismatch report.
    pub fn other_match(self, segment: &[u8], stated: u16) -> Option<CrcDialect> {
        CrcDialect::ALL
            .into_iter()
            .filter(|d| *d != self)
            .find(|d| d.wire_value(segment) == stated)
    }

    /// The name used in profiles and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            CrcDialect::Hj212 => "hj212",
            CrcDialect::Hj212Signed => "hj212-signed",
            CrcDialect::Hj212Utf16 => "hj212-utf16",
            CrcDialect::ModbusBe => "modbus-be",
            CrcDialect::ModbusLe => "modbus-le",
        }
    }
}

impl fmt::Display for CrcDialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CrcDialect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CrcDialect::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| {
                format!("unknown CRC dialect '{s}' (hj212, hj212-signed, hj212-utf16, modbus-be, modbus-le)")
            })
    }
}

/// Parses 4 hex digits (either case).
pub(crate) fn parse_hex4(b: &[u8]) -> Option<u16> {
    if b.len() != 4 {
        return None;
    }
    let mut v = 0u16;
    for &c in b {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'F' => c - b'A' + 10,
            b'a'..=b'f' => c - b'a' + 10,
            _ => return None,
        };
        v = (v << 4) | d as u16;
    }
    Some(v)
}

/// Writes `v` as 4 upper-case hex digits.
pub(crate) fn hex4(v: u16) -> [u8; 4] {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    [
        HEX[(v >> 12) as usize],
        HEX[((v >> 8) & 0xF) as usize],
        HEX[((v >> 4) & 0xF) as usize],
        HEX[(v & 0xF) as usize],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Appendix A exactly as the standard's pseudocode states it, bit by bit.
    fn reference(data: &[u8]) -> u16 {
        let mut reg: u16 = 0xFFFF;
        for &b in data {
            reg = (reg >> 8) ^ b as u16;
            for _ in 0..8 {
                let lsb = reg & 1;
                reg >>= 1;
                if lsb == 1 {
                    reg ^= POLY;
                }
            }
        }
        reg
    }

    #[test]
    fn worked_examples_of_spec_3_2() {
        let ex1 = b"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&";
        let ex2 = b"QN=20160801085857223;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&";
        let ex3 = b"QN=20231008125115215;ST=22;CN=9011;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&QnRtn=1&&";
        assert_eq!((hj212(ex1), modbus(ex1)), (0x1C80, 0x0759));
        assert_eq!((hj212(ex2), modbus(ex2)), (0x3240, 0x44BC));
        assert_eq!((hj212(ex3), modbus(ex3)), (0xCC01, 0x2473));
        // The two-byte trace of the spec.
        assert_eq!(reference(b"Q"), 0xBC81);
        assert_eq!(hj212(b"QN"), 0x8581);
        assert_eq!(hj212(b""), 0xFFFF);
    }

    #[test]
    fn dialects_differ_only_where_the_spec_says() {
        let ascii = b"CP=&&i11001-Info=//abc//&&";
        assert_eq!(hj212_signed(ascii), hj212(ascii));
        assert_eq!(hj212_utf16(ascii), hj212(ascii));
        let chinese = "CP=&&i11001-Info=//清洗管路//&&".as_bytes();
        assert_ne!(hj212_utf16(chinese), hj212(chinese));
        // Sign extension only touches the register's low byte, which the next step throws
        // away: the signed dialect differs only when the last byte is non-ASCII, which a data
        // segment (ending in "&&") never is.
        assert_eq!(hj212_signed(chinese), hj212(chinese));
        let tail = "//清洗管路".as_bytes();
        assert_eq!(hj212_signed(tail), hj212(tail) ^ 0x00FF);
        let v = modbus(ascii);
        assert_eq!(CrcDialect::ModbusLe.wire_value(ascii), v.rotate_left(8));
    }

    #[test]
    fn hex_helpers() {
        assert_eq!(parse_hex4(b"1c80"), Some(0x1C80));
        assert_eq!(parse_hex4(b"1C8G"), None);
        assert_eq!(parse_hex4(b"1C8"), None);
        assert_eq!(&hex4(0x0A0F), b"0A0F");
        for d in CrcDialect::ALL {
            assert_eq!(d.as_str().parse::<CrcDialect>().unwrap(), d);
        }
    }

    proptest! {
        #[test]
        fn sliced_equals_bitwise_reference(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            prop_assert_eq!(hj212(&data), reference(&data));
            prop_assert_eq!(hj212_bytewise(&data), reference(&data));
        }

        #[test]
        fn wide_step_equals_reference_on_bytes(data in proptest::collection::vec(0u8..0x80, 0..64)) {
            prop_assert_eq!(hj212_signed(&data), reference(&data));
        }
    }
}
