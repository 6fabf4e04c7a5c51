//! Why a packet was not decoded or encoded.
//!
//! Decoding errors borrow what they name from the input, so making one costs no allocation;
//! the detail text is only formatted when somebody displays it. Every error has a stable
//! category ([`ErrorKind`]) — the `error` of the CLI's JSON and of the conformance corpus.

use std::fmt;

use crate::CrcDialect;

/// The category of a decoding error: stable names that scripts and the corpus use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input does not start with `##` and 4 digits.
    MissingHeader,
    /// The length field does not end where the CR LF is.
    BadLength,
    /// The input ended inside a packet.
    Truncated,
    /// The data segment is longer than the profile allows (1024 bytes in the standard).
    Oversize,
    /// The stated CRC is not the one computed.
    CrcMismatch,
    /// The CRC field is not 4 hexadecimal digits.
    BadCrcFormat,
    /// Bytes that are not valid UTF-8, or non-ASCII outside an `-Info` text.
    NonAscii,
    /// An item that is not `key=value`, or has stray whitespace.
    MalformedField,
    /// A required header field (ST, CN, PW, MN, CP) is absent.
    MissingField,
    /// A header key or CP key appears twice.
    DuplicateField,
    /// QN is not `YYYYMMDDhhmmsszzz`.
    BadQn,
    /// A date-time (`DataTime`, `-SampleTime`, `BeginTime` …) is not `YYYYMMDDhhmmss`.
    BadDatatime,
    /// Flag is not an integer 0–255.
    BadFlag,
    /// CP is not `CP=&&…&&`.
    BadCp,
    /// A value does not fit its type (a measurement that is not a number, CN not 4 digits).
    BadValue,
    /// PNUM/PNO missing where the D bit asks for them, or PNO outside 1..PNUM.
    BadPacketNumbering,
}

impl ErrorKind {
    /// The stable snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::MissingHeader => "missing_header",
            ErrorKind::BadLength => "bad_length",
            ErrorKind::Truncated => "truncated",
            ErrorKind::Oversize => "oversize",
            ErrorKind::CrcMismatch => "crc_mismatch",
            ErrorKind::BadCrcFormat => "bad_crc_format",
            ErrorKind::NonAscii => "non_ascii",
            ErrorKind::MalformedField => "malformed_field",
            ErrorKind::MissingField => "missing_field",
            ErrorKind::DuplicateField => "duplicate_field",
            ErrorKind::BadQn => "bad_qn",
            ErrorKind::BadDatatime => "bad_datatime",
            ErrorKind::BadFlag => "bad_flag",
            ErrorKind::BadCp => "bad_cp",
            ErrorKind::BadValue => "bad_value",
            ErrorKind::BadPacketNumbering => "bad_packet_numbering",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A packet that could not be decoded. The stream goes on after every one of them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError<'a> {
    /// The input does not start with `##dddd`.
    #[error("no '##' and 4-digit length at the start")]
    MissingHeader,
    /// The CR LF that ends the packet is not where the length field says.
    #[error("stated {stated}, actual segment {actual} bytes")]
    BadLength {
        /// The length field.
        stated: usize,
        /// The data segment length the CR LF implies.
        actual: usize,
    },
    /// No CR LF where the length field says, and none before the next packet.
    #[error("stated {stated}, no CR LF after the CRC")]
    NoTerminator {
        /// The length field.
        stated: usize,
    },
    /// The input ended (or the next packet began) inside this packet.
    #[error("need {need} bytes, have {have}")]
    Truncated {
        /// Bytes the length field asks for, `##` to CR LF.
        need: usize,
        /// Bytes there were.
        have: usize,
    },
    /// The data segment exceeds the limit.
    #[error("data segment {len} > {max} bytes")]
    Oversize {
        /// The segment length.
        len: usize,
        /// The profile's limit.
        max: usize,
    },
    /// The stated CRC differs from the computed one.
    #[error("stated {stated} computed {computed:04X}")]
    CrcMismatch {
        /// The 4 hex digits as sent.
        stated: &'a str,
        /// The value of the profile's dialect.
        computed: u16,
        /// Another dialect that would have matched, for the operator to configure.
        would_match: Option<CrcDialect>,
    },
    /// The CRC field is not 4 hex digits.
    #[error("CRC field {0:?} is not 4 hex digits")]
    BadCrcFormat([u8; 4]),
    /// The data segment is not UTF-8.
    #[error("data segment is not valid UTF-8")]
    InvalidUtf8,
    /// A non-ASCII character where only ASCII is allowed.
    #[error("character '{0}' outside an Info text")]
    NonAsciiChar(char),
    /// A required header field is absent or empty.
    #[error("header lacks {0}")]
    MissingField(&'static str),
    /// A header key is repeated.
    #[error("header key {0} repeated")]
    DuplicateHeader(&'a str),
    /// A CP key is repeated.
    #[error("CP key {0} repeated")]
    DuplicateCp(&'a str),
    /// QN is not a 17-digit time stamp.
    #[error("QN '{0}' is not YYYYMMDDhhmmsszzz")]
    BadQn(&'a str),
    /// A date-time field is not `YYYYMMDDhhmmss` (a real calendar time).
    #[error("{key} '{value}'")]
    BadDatatime {
        /// `DataTime`, `w01018-SampleTime`, `BeginTime` …
        key: &'a str,
        /// The value as sent.
        value: &'a str,
    },
    /// Flag is not 0–255.
    #[error("Flag '{0}' is not an integer 0..255")]
    BadFlag(&'a str),
    /// CP is not `CP=&&…&&`.
    #[error("{0}")]
    BadCp(&'static str),
    /// A value does not fit its type.
    #[error("{key} '{value}' is not {expected}")]
    BadValue {
        /// The key, e.g. `a21026-Rtd` or `CN`.
        key: &'a str,
        /// The value as sent.
        value: &'a str,
        /// What it should be.
        expected: &'static str,
    },
    /// The D bit is set without PNUM/PNO.
    #[error("Flag D bit set but no PNUM/PNO")]
    DBitWithoutPnum,
    /// PNO is not within 1..PNUM.
    #[error("PNO {pno} outside 1..PNUM {pnum}")]
    PnoOutOfRange {
        /// PNO.
        pno: u16,
        /// PNUM.
        pnum: u16,
    },
    /// PNUM or PNO is not a number, or only one of them is present.
    #[error("{0}")]
    BadNumbering(&'static str),
    /// A CP item without `=`.
    #[error("CP item '{0}' has no '='")]
    CpItemWithoutEquals(&'a str),
    /// A header item without `=`.
    #[error("header item '{0}' has no '='")]
    HeaderItemWithoutEquals(&'a str),
    /// A header item with nothing before `=`.
    #[error("header item '{0}' has no key")]
    EmptyHeaderKey(&'a str),
    /// Whitespace around a header key or value.
    #[error("whitespace around header item '{0}'")]
    HeaderWhitespace(&'a str),
    /// A `Flag=` item in CP that belongs to no factor.
    #[error("bare {0} inside CP (no factor code)")]
    BareFlag(&'a str),
    /// The header does not end with `;` before `CP=`.
    #[error("no ';' between the header and CP")]
    MissingCpSeparator,
}

impl DecodeError<'_> {
    /// The error's category.
    pub fn kind(&self) -> ErrorKind {
        use DecodeError::*;
        match self {
            MissingHeader => ErrorKind::MissingHeader,
            BadLength { .. } | NoTerminator { .. } => ErrorKind::BadLength,
            Truncated { .. } => ErrorKind::Truncated,
            Oversize { .. } => ErrorKind::Oversize,
            CrcMismatch { .. } => ErrorKind::CrcMismatch,
            BadCrcFormat(_) => ErrorKind::BadCrcFormat,
            InvalidUtf8 | NonAsciiChar(_) => ErrorKind::NonAscii,
            MissingField(_) => ErrorKind::MissingField,
            DuplicateHeader(_) | DuplicateCp(_) => ErrorKind::DuplicateField,
            BadQn(_) => ErrorKind::BadQn,
            BadDatatime { .. } => ErrorKind::BadDatatime,
            BadFlag(_) => ErrorKind::BadFlag,
            BadCp(_) => ErrorKind::BadCp,
            BadValue { .. } => ErrorKind::BadValue,
            DBitWithoutPnum | PnoOutOfRange { .. } | BadNumbering(_) => {
                ErrorKind::BadPacketNumbering
            }
            CpItemWithoutEquals(_)
            | HeaderItemWithoutEquals(_)
            | EmptyHeaderKey(_)
            | HeaderWhitespace(_)
            | BareFlag(_)
            | MissingCpSeparator => ErrorKind::MalformedField,
        }
    }
}

/// A packet that cannot be written as HJ 212.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// The data segment would exceed the limit; split it with [`crate::Packet::split`].
    #[error("data segment {len} > {max} bytes; split it into PNUM/PNO segments")]
    Oversize {
        /// The segment length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A key or value holds a character that would change the packet's structure.
    #[error("{what} '{text}' contains '{ch}', which HJ 212 reserves")]
    ReservedChar {
        /// Which part.
        what: &'static str,
        /// The text.
        text: String,
        /// The character.
        ch: char,
    },
    /// A key the encoder writes itself (a standard header key, `DataTime`, `-Flag`).
    #[error("'{0}' is written from its own field, not as a free key")]
    ReservedKey(String),
    /// Items of one factor carry different data flags (the wire has one flag per factor).
    #[error("items of factor {code} carry different flags; HJ 212 has one flag per factor")]
    InconsistentFlags {
        /// The factor code.
        code: String,
    },
    /// A required field is empty.
    #[error("{0} is empty")]
    Empty(&'static str),
}
