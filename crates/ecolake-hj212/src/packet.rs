//! A decoded HJ 212 packet: header fields, CP parameters and per-factor items.
//!
//! Text fields are `Cow<str>`: borrowed from the read buffer when decoded (no per-field
//! allocation), owned when built by hand, read from JSON or reassembled from segments.

use std::borrow::Cow;

use ecolake_model::{Factor, FactorClass, Medium};

use crate::{Command, Edition, Warning};

/// One HJ 212 packet (the data segment; the frame's length and CRC are computed on encode).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Packet<'a> {
    /// Request id `YYYYMMDDhhmmsszzz`; absent in HJ/T 212-2005 uploads.
    pub qn: Option<Cow<'a, str>>,
    /// System code (ST), e.g. `22` ambient air, `31` stack gas, `91` replies.
    pub st: Cow<'a, str>,
    /// Command code (CN), 4 digits; see [`Packet::command`].
    pub cn: Cow<'a, str>,
    /// Access password.
    pub pw: Option<Cow<'a, str>>,
    /// Device id (24 hex characters in 2017; 14 in 2005; other lengths in the wild).
    pub mn: Cow<'a, str>,
    /// Flag: bits `V5..V0 D A`; absent in HJ/T 212-2005 packets.
    pub flag: Option<u8>,
    /// Total number of segments (with the D bit).
    pub pnum: Option<u16>,
    /// This segment's number, 1-based.
    pub pno: Option<u16>,
    /// Header keys the standard does not define, in wire order.
    pub extra_header: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// `DataTime` of CP, as sent (`YYYYMMDDhhmmss`, local time of the device).
    pub datatime: Option<Cow<'a, str>>,
    /// CP `key=value` pairs that belong to no factor (`RtdInterval`, `QnRtn`, `BeginTime` …).
    pub params: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Per-factor fields in wire order (`-Flag` fields are folded into [`Item::flag`]).
    pub items: Vec<Item<'a>>,
    /// Accepted deviations, sorted by name.
    pub warnings: Vec<Warning<'a>>,
}

/// One per-factor field of CP, e.g. `a21026-Rtd=12.3` with `a21026-Flag=N`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item<'a> {
    /// The factor (or device, or information) code: `a21026`, `SB1`, `i13004`, `011` …
    pub code: Cow<'a, str>,
    /// The field after `-`: `Rtd`, `Avg`, `Cou`, `ZsAvg`, `SampleTime`, `Info`, `RS` …
    pub field: Cow<'a, str>,
    /// The value exactly as sent (numbers stay strings: `00012.50` is not `12.5`).
    pub value: Cow<'a, str>,
    /// The factor's data flag (`N`, `F` …) from its `-Flag` field, if any.
    pub flag: Option<Cow<'a, str>>,
}

/// The Flag field's bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlagBits {
    /// Protocol version, bits 2–7: 0 = 2005, 1 = 2017, 2 = 2025 or surface-water.
    pub version: u8,
    /// D: the packet carries PNUM and PNO.
    pub d: bool,
    /// A: the sender wants an answer.
    pub a: bool,
}

impl FlagBits {
    /// Splits a Flag value.
    pub fn from_flag(flag: u8) -> Self {
        FlagBits {
            version: flag >> 2,
            d: flag & 0b10 != 0,
            a: flag & 0b01 != 0,
        }
    }

    /// The Flag value.
    pub fn to_flag(self) -> u8 {
        (self.version << 2) | (u8::from(self.d) << 1) | u8::from(self.a)
    }
}

impl<'a> Packet<'a> {
    /// The Flag bits, if there is a Flag.
    pub fn flag_bits(&self) -> Option<FlagBits> {
        self.flag.map(FlagBits::from_flag)
    }

    /// The command code as a number (`None` if CN is not 4 digits).
    pub fn cn_code(&self) -> Option<u16> {
        let b = self.cn.as_bytes();
        (b.len() == 4 && b.iter().all(u8::is_ascii_digit))
            .then(|| b.iter().fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0')))
    }

    /// The typed command. `edition` matters because HJ/T 212-2005 numbered some commands
    /// differently (3013, 3014); `Edition::Auto` uses the Flag version bits.
    pub fn command(&self, edition: Edition) -> Command {
        let edition = edition.resolve(self.flag_bits().map(|b| b.version));
        match self.cn_code() {
            Some(code) => Command::from_code(code, edition),
            None => Command::Unknown(0),
        }
    }

    /// Whether the sender asked for an answer (Flag A bit). Replies never want one, whatever
    /// their Flag says: answering a reply would loop.
    pub fn wants_ack(&self) -> bool {
        self.flag_bits().is_some_and(|b| b.a) && !self.command(Edition::Auto).is_reply()
    }

    /// The medium the packet's system code (ST) names, e.g. `31` → stack gas.
    pub fn medium(&self) -> Option<Medium> {
        Medium::from_system_code(&self.st)
    }

    /// The HJ 212-2017 factor of an item: its own code when that is a 2017 code, else the
    /// 2017 factor its HJ/T 212-2005 code maps to in the table the packet's ST names (water
    /// for 21, 24, 26, 32–34, 52; gas for 22, 27, 31, 39, 51). `None` for vendor codes.
    ///
    /// ```
    /// let wire = b"##0179ST=32;CN=2051;PW=123456;MN=88888880000001;CP=&&DataTime=20060101120000;B01-Cou=200;011-Cou=2.5,011-Min=1.1,011-Avg=1.1,011-Max=1.1;060-Min=0.2,060-Avg=0.3,060-Max=0.4,060-Flag=P&&6E80\r\n";
    /// let p = ecolake_hj212::decode(wire, &Default::default()).unwrap().packet;
    /// let codes: Vec<_> = p.items.iter().map(|i| p.factor_2017(i).unwrap().code).collect();
    /// assert_eq!(codes[..2], ["w00000", "w01018"]);
    /// assert_eq!(codes[7], "w21003");
    /// ```
    pub fn factor_2017(&self, item: &Item<'_>) -> Option<&'static Factor> {
        Factor::lookup(&item.code).or_else(|| {
            let class = match self.medium()? {
                m if m.is_water() => FactorClass::Water,
                m if m.is_air() => FactorClass::Gas,
                _ => return None,
            };
            Factor::from_2005(&item.code, class)
        })
    }

    /// The value of a CP parameter.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
    }

    /// Whether CP is empty (`CP=&&&&`).
    pub fn cp_is_empty(&self) -> bool {
        self.datatime.is_none() && self.params.is_empty() && self.items.is_empty()
    }

    /// A copy that owns all its text.
    pub fn into_owned(self) -> Packet<'static> {
        fn own(c: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(c.into_owned())
        }
        fn own_pairs(
            v: Vec<(Cow<'_, str>, Cow<'_, str>)>,
        ) -> Vec<(Cow<'static, str>, Cow<'static, str>)> {
            v.into_iter().map(|(k, v)| (own(k), own(v))).collect()
        }
        Packet {
            qn: self.qn.map(own),
            st: own(self.st),
            cn: own(self.cn),
            pw: self.pw.map(own),
            mn: own(self.mn),
            flag: self.flag,
            pnum: self.pnum,
            pno: self.pno,
            extra_header: own_pairs(self.extra_header),
            datatime: self.datatime.map(own),
            params: own_pairs(self.params),
            items: self
                .items
                .into_iter()
                .map(|i| Item {
                    code: own(i.code),
                    field: own(i.field),
                    value: own(i.value),
                    flag: i.flag.map(own),
                })
                .collect(),
            warnings: self.warnings.into_iter().map(Warning::into_owned).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_bits_round_trip() {
        for f in 0..=255u8 {
            assert_eq!(FlagBits::from_flag(f).to_flag(), f);
        }
        assert_eq!(
            FlagBits::from_flag(11),
            FlagBits {
                version: 2,
                d: true,
                a: true
            }
        );
    }

    #[test]
    fn vendor_codes_map_to_nothing() {
        let p = Packet {
            st: "31".into(),
            ..Packet::default()
        };
        let item = |code: &'static str| Item {
            code: code.into(),
            field: "Rtd".into(),
            value: "1".into(),
            flag: None,
        };
        assert_eq!(p.factor_2017(&item("02")).map(|f| f.code), Some("a21026"));
        // A vendor's 3-digit code on a stack-gas station is not the water code 023.
        assert!(p.factor_2017(&item("023")).is_none());
        assert_eq!(p.factor_2017(&item("a99948")), None);
    }

    #[test]
    fn replies_never_want_an_ack() {
        let p = Packet {
            cn: "9014".into(),
            flag: Some(5),
            ..Packet::default()
        };
        assert!(!p.wants_ack());
        let p = Packet {
            cn: "2011".into(),
            flag: Some(5),
            ..Packet::default()
        };
        assert!(p.wants_ack());
    }
}
