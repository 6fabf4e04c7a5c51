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
    Packet(u64, Box<Packet<'static>>),
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
                OwnedEvent::Packet(offset, Box::new(decoded.packet.into_owned()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_a_stream_and_encodes_replies() {
        let mut codec = Hj212Codec::new(Profile::default());
        let wire: &[u8] = b"junk##0087QN=20160801085857223;ST=32;CN=2012;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&&&3C00\r\n##0087QN=2016";
        let mut buf = BytesMut::from(wire);
        assert_eq!(
            codec.decode(&mut buf).unwrap(),
            Some(OwnedEvent::Garbage(0, 4))
        );
        let Some(OwnedEvent::Packet(4, p)) = codec.decode(&mut buf).unwrap() else {
            panic!("a packet at offset 4")
        };
        assert_eq!(p.cn, "2012");
        assert_eq!(
            codec.decode(&mut buf).unwrap(),
            None,
            "the tail waits for more bytes"
        );
        let Some(OwnedEvent::Error(_, kind, _)) = codec.decode_eof(&mut buf).unwrap() else {
            panic!("the tail is truncated at EOF")
        };
        assert_eq!(kind, crate::ErrorKind::Truncated);
        let mut out = BytesMut::new();
        codec
            .encode(&crate::reply::notification_ack(&p), &mut out)
            .unwrap();
        assert!(out.starts_with(b"##0087QN=20160801085857223;ST=91;CN=9013;"));
    }
}
