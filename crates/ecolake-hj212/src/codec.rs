//! A `tokio_util::codec` Decoder/Encoder over [`StreamDecoder`], for TCP gateways.
//!
//! A codec item cannot borrow the read buffer, so decoded packets are owned here; a gateway
//! that wants zero-copy decoding drives [`StreamDecoder`] over its own buffer instead.

use bytes::{Buf, BytesMut};
use tokio_util::codec::{Decoder, Encoder};

use crate::{encode_into, DecodeError, EncodeError, Event, Packet, Profile, StreamDecoder};

/// An owned stream event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnedEvent {
    /// A valid packet, with its stream offset.
    Packet(u64, Packet<'static>),
    /// A packet that failed: its offset, category and detail.
    Error(u64, crate::ErrorKind, String),
    /// Bytes that are not a packet.
    Garbage(u64, usize),
}

/// HJ 212 framing for `tokio_util::codec::Framed`.
#[derive(Debug, Clone)]
pub struct Hj212Codec {
    decoder: StreamDecoder,
}

impl Hj212Codec {
    /// A codec for one device profile.
    pub fn new(profile: Profile) -> Self {
        Hj212Codec {
            decoder: StreamDecoder::new(profile),
        }
    }

    fn step(&mut self, src: &mut BytesMut, eof: bool) -> Option<OwnedEvent> {
        let (n, event) = self.decoder.decode(src, eof)?;
        let owned = match event {
            Event::Packet { offset, decoded } => {
                OwnedEvent::Packet(offset, decoded.packet.into_owned())
            }
            Event::Error { offset, error } => owned_error(offset, &error),
            Event::Garbage { offset, bytes } => OwnedEvent::Garbage(offset, bytes),
        };
        src.advance(n);
        Some(owned)
    }
}

fn owned_error(offset: u64, e: &DecodeError<'_>) -> OwnedEvent {
    OwnedEvent::Error(offset, e.kind(), e.to_string())
}

impl Decoder for Hj212Codec {
    type Item = OwnedEvent;
    type Error = std::io::Error;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<OwnedEvent>, std::io::Error> {
        Ok(self.step(src, false))
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<OwnedEvent>, std::io::Error> {
        Ok(self.step(src, true))
    }
}

impl Encoder<&Packet<'_>> for Hj212Codec {
    type Error = std::io::Error;

    fn encode(&mut self, item: &Packet<'_>, dst: &mut BytesMut) -> Result<(), std::io::Error> {
        let mut out = Vec::new();
        encode_into(item, self.decoder.profile(), &mut out)
            .map_err(|e: EncodeError| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        dst.extend_from_slice(&out);
        Ok(())
    }
}
