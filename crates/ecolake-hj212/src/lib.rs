//! A complete, fast codec for HJ 212-2017 and HJ/T 212-2005, the protocol every Chinese
//! pollution-source and monitoring-station data acquisition unit speaks: stream framing with
//! resynchronisation, the CRC of Appendix A and the dialects real devices use, the data segment
//! and its CP data area, typed command codes, segmented-packet reassembly, and an encoder for
//! every packet kind including the replies a platform must send. Pure: no I/O (the `tokio`
//! feature adds a `tokio_util` codec).
//!
//! Decoding borrows from the read buffer: a packet's fields are slices of the bytes received.
//! Strict mode reads the standard; lenient mode also accepts what real devices send, reporting
//! each deviation as a [`Warning`]. A [`Profile`] says how to read one device (edition, CRC
//! dialect, strictness, size limit).
//!
//! ```
//! use ecolake_hj212::{decode, encode, reply, Command, Edition, Profile};
//!
//! let wire = b"##0140QN=20250301120000123;ST=31;CN=2011;PW=123456;MN=0123456789ABCDEF01234567;Flag=5;CP=&&DataTime=20250301120000;a21026-Rtd=12.3,a21026-Flag=N&&42C0\r\n";
//! let profile = Profile::default();
//! let d = decode(wire, &profile).unwrap();
//! let p = &d.packet;
//! assert_eq!(p.command(Edition::Auto), Command::RealTimeData);
//! assert_eq!(p.datatime.as_deref(), Some("20250301120000"));
//! assert_eq!((p.items[0].code.as_ref(), p.items[0].value.as_ref()), ("a21026", "12.3"));
//! assert_eq!(p.items[0].flag.as_deref(), Some("N"));
//! // The station asked for an answer (Flag A bit): a 9014 echoing its QN.
//! let ack = reply::data_ack(p).unwrap();
//! assert_eq!(encode(&ack, &profile).unwrap()[6..46], *b"QN=20250301120000123;ST=91;CN=9014;PW=12");
//! // Encoding what was decoded gives the same bytes back.
//! assert_eq!(encode(p, &profile).unwrap(), wire);
//! ```

#[cfg(feature = "tokio")]
pub mod codec;
mod command;
mod cp;
pub mod crc;
mod encode;
mod error;
pub mod frame;
pub mod json;
mod packet;
mod profile;
pub mod reassembly;
pub mod reply;
mod segment;
mod stream;
mod value;
mod warning;

pub use command::{Command, ExeRtn, QnRtn};
pub use crc::CrcDialect;
pub use encode::{encode, encode_into, write_segment};
pub use error::{DecodeError, EncodeError, ErrorKind};
pub use packet::{FlagBits, Item, Packet};
pub use profile::{Edition, Mode, Profile, MAX_SEGMENT};
pub use reassembly::{Assembled, Reassembler};
pub use stream::{decode, Decoded, Event, StreamDecoder};
pub use warning::Warning;
