//! The stream decoder: framing, frame checks and segment parsing over a byte stream, yielding
//! packets, errors and garbage runs in stream order.

use crate::frame::{self, Frame};
use crate::{segment, DecodeError, Packet, Profile};

/// A decoded packet with what its frame said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// The packet.
    pub packet: Packet<'a>,
    /// The length field.
    pub length: usize,
    /// The CRC as sent (4 hex digits, either case).
    pub crc: &'a str,
}

/// One thing found in the stream. Offsets count bytes from the start of the stream.
// Events are consumed as soon as they are made; boxing the packet would cost an allocation per
// packet on the hot path.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<'a> {
    /// A valid packet.
    Packet {
        /// Where its `##` is.
        offset: u64,
        /// The packet.
        decoded: Decoded<'a>,
    },
    /// A packet that failed; the stream goes on after it.
    Error {
        /// Where the bad packet starts.
        offset: u64,
        /// Why it failed.
        error: DecodeError<'a>,
    },
    /// A run of bytes that are not a packet.
    Garbage {
        /// Where the run starts.
        offset: u64,
        /// Its length.
        bytes: usize,
    },
}

/// Decodes packets from a byte stream read in chunks of any size.
///
/// ```
/// use ecolake_hj212::{Event, Profile, StreamDecoder};
///
/// let mut input = b"AT+OK\r\n".to_vec();
/// input.extend_from_slice(b"##0087QN=20160801085857223;ST=32;CN=2012;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&&&3C00\r\n");
/// let mut dec = StreamDecoder::new(Profile::default());
/// let mut pos = 0;
/// let mut found = Vec::new();
/// while let Some((n, event)) = dec.decode(&input[pos..], true) {
///     pos += n;
///     found.push(match event {
///         Event::Packet { offset, decoded } => format!("packet {} at {offset}", decoded.packet.cn),
///         Event::Error { offset, error } => format!("{} at {offset}", error.kind()),
///         Event::Garbage { offset, bytes } => format!("{bytes} garbage bytes at {offset}"),
///     });
/// }
/// assert_eq!(found, ["7 garbage bytes at 0", "packet 2012 at 7"]);
/// ```
#[derive(Debug, Clone)]
pub struct StreamDecoder {
    profile: Profile,
    position: u64,
}

impl StreamDecoder {
    /// A decoder for one device profile.
    pub fn new(profile: Profile) -> Self {
        StreamDecoder {
            profile,
            position: 0,
        }
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Reads the rest of the stream with another profile (a gateway learns which device a
    /// connection carries from its first packet).
    pub fn set_profile(&mut self, profile: Profile) {
        self.profile = profile;
    }

    /// The stream offset of the next byte the decoder will look at.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Decodes the next event at the start of `buf`, which must begin at [`Self::position`]
    /// (i.e. the caller drops exactly the consumed bytes each time). Returns the bytes consumed
    /// and the event, or `None` when more input is needed. With `eof`, whatever remains is
    /// reported (a partial packet as `truncated`).
    pub fn decode<'a>(&mut self, buf: &'a [u8], eof: bool) -> Option<(usize, Event<'a>)> {
        let offset = self.position;
        let mut garbage = 0;
        loop {
            let step = frame::next(&buf[garbage..], eof, &self.profile);
            match step {
                Some((n, Frame::Garbage(_))) => garbage += n,
                _ if garbage > 0 => {
                    self.position += garbage as u64;
                    return Some((
                        garbage,
                        Event::Garbage {
                            offset,
                            bytes: garbage,
                        },
                    ));
                }
                None => return None,
                Some((n, Frame::Error(error))) => {
                    self.position += n as u64;
                    return Some((n, Event::Error { offset, error }));
                }
                Some((
                    n,
                    Frame::Packet {
                        segment,
                        crc,
                        stated,
                        lf_only,
                    },
                )) => {
                    self.position += n as u64;
                    let event = match decode_frame(segment, crc, stated, lf_only, &self.profile) {
                        Ok(decoded) => Event::Packet { offset, decoded },
                        Err(error) => Event::Error { offset, error },
                    };
                    return Some((n, event));
                }
            }
        }
    }
}

fn decode_frame<'a>(
    segment: &'a [u8],
    crc: &'a [u8],
    stated: usize,
    lf_only: bool,
    profile: &Profile,
) -> Result<Decoded<'a>, DecodeError<'a>> {
    let warnings = frame::check(segment, crc, stated, lf_only, profile)?;
    let packet = segment::parse(segment, profile, warnings)?;
    Ok(Decoded {
        packet,
        length: stated,
        // frame::check accepted 4 hex digits.
        crc: std::str::from_utf8(crc).unwrap_or_default(),
    })
}

/// Decodes one complete packet (`##…\r\n`); trailing bytes after it are an error.
///
/// ```
/// let wire = b"##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n";
/// let d = ecolake_hj212::decode(wire, &Default::default()).unwrap();
/// assert_eq!(d.packet.param("RtdInterval"), Some("30"));
/// assert_eq!(d.crc, "1C80");
/// ```
pub fn decode<'a>(wire: &'a [u8], profile: &Profile) -> Result<Decoded<'a>, DecodeError<'a>> {
    if !wire.starts_with(b"##") || wire.len() < 6 || !wire[2..6].iter().all(u8::is_ascii_digit) {
        return Err(DecodeError::MissingHeader);
    }
    match frame::next(wire, true, profile) {
        Some((
            n,
            Frame::Packet {
                segment,
                crc,
                stated,
                lf_only,
            },
        )) if n == wire.len() => decode_frame(segment, crc, stated, lf_only, profile),
        Some((_, Frame::Packet { stated, .. })) => Err(DecodeError::NoTerminator { stated }),
        Some((_, Frame::Error(e))) => Err(e),
        Some((_, Frame::Garbage(_))) | None => Err(DecodeError::MissingHeader),
    }
}
