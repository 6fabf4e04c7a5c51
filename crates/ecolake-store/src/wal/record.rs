//! The byte format: segment headers and length + CRC32C framed records holding one
//! `RecordBatch` each as an Arrow IPC stream.

use std::io::{self, Read};
use std::path::Path;

use arrow::array::RecordBatch;
use arrow::ipc::reader::StreamReader;
use arrow::ipc::writer::StreamWriter;

use super::{WalError, FRAME_HEADER_LEN, HEADER_LEN, MAGIC, MAX_PAYLOAD, VERSION};

/// The header of segment `id`.
pub(crate) fn header(id: u64) -> [u8; HEADER_LEN as usize] {
    let mut h = [0u8; HEADER_LEN as usize];
    h[..8].copy_from_slice(&MAGIC);
    h[8..12].copy_from_slice(&VERSION.to_le_bytes());
    h[12..20].copy_from_slice(&id.to_le_bytes());
    h
}

/// Checks a complete header read from `path`, which should be segment `id`.
pub(crate) fn check_header(
    h: &[u8; HEADER_LEN as usize],
    id: u64,
    path: &Path,
) -> Result<(), WalError> {
    let bad = |detail: String| WalError::BadHeader {
        path: path.to_path_buf(),
        detail,
    };
    if h[..8] != MAGIC {
        return Err(bad(format!(
            "bad magic {:02x?} (expected {:02x?}): not an ecolake WAL segment",
            &h[..8],
            MAGIC
        )));
    }
    let version = u32::from_le_bytes(h[8..12].try_into().expect("4 bytes"));
    if version != VERSION {
        return Err(bad(format!(
            "unknown format version {version} (this build reads version {VERSION})"
        )));
    }
    let found = u64::from_le_bytes(h[12..20].try_into().expect("8 bytes"));
    if found != id {
        return Err(bad(format!(
            "header says segment {found} but the file name says {id}"
        )));
    }
    Ok(())
}

/// Encodes `batch` as a complete record frame: length, CRC32C, Arrow IPC stream.
pub(crate) fn encode(batch: &RecordBatch) -> Result<Vec<u8>, WalError> {
    // Reserve the frame header in front so the payload is never copied.
    let mut writer = StreamWriter::try_new(vec![0u8; FRAME_HEADER_LEN as usize], &batch.schema())
        .map_err(WalError::Encode)?;
    writer.write(batch).map_err(WalError::Encode)?;
    writer.finish().map_err(WalError::Encode)?;
    let mut frame = writer.into_inner().map_err(WalError::Encode)?;
    let len = (frame.len() as u64) - FRAME_HEADER_LEN;
    if len > MAX_PAYLOAD {
        return Err(WalError::TooLarge {
            bytes: len,
            max: MAX_PAYLOAD,
        });
    }
    let crc = crc32c::crc32c(&frame[FRAME_HEADER_LEN as usize..]);
    frame[..4].copy_from_slice(&(len as u32).to_le_bytes());
    frame[4..8].copy_from_slice(&crc.to_le_bytes());
    Ok(frame)
}

/// What the next bytes of a segment hold.
#[derive(Debug)]
pub(crate) enum Next {
    /// A clean end of the file exactly at a record boundary.
    End,
    /// A good record and its frame length in bytes.
    Record(RecordBatch, u64),
    /// Bytes that are not a complete, valid record, and why.
    Bad(String),
}

/// Reads the record at the reader's position. I/O errors are returned as such; damaged or
/// partial data is [`Next::Bad`].
pub(crate) fn read_record(r: &mut impl Read) -> io::Result<Next> {
    let mut head = [0u8; FRAME_HEADER_LEN as usize];
    let got = read_full(r, &mut head)?;
    if got == 0 {
        return Ok(Next::End);
    }
    if got < head.len() {
        return Ok(Next::Bad(format!(
            "short frame header: {got} of {} bytes",
            head.len()
        )));
    }
    let len = u64::from(u32::from_le_bytes(head[..4].try_into().expect("4 bytes")));
    let crc = u32::from_le_bytes(head[4..].try_into().expect("4 bytes"));
    if len > MAX_PAYLOAD {
        return Ok(Next::Bad(format!(
            "record length {len} exceeds the maximum {MAX_PAYLOAD}"
        )));
    }
    let mut payload = Vec::new();
    r.take(len).read_to_end(&mut payload)?;
    if (payload.len() as u64) < len {
        return Ok(Next::Bad(format!(
            "short payload: {} of {len} bytes",
            payload.len()
        )));
    }
    let actual = crc32c::crc32c(&payload);
    if actual != crc {
        return Ok(Next::Bad(format!(
            "CRC32C mismatch: stored {crc:#010x}, computed {actual:#010x}"
        )));
    }
    Ok(match decode(&payload) {
        Ok(batch) => Next::Record(batch, FRAME_HEADER_LEN + len),
        Err(reason) => Next::Bad(reason),
    })
}

/// Decodes a payload holding exactly one batch.
fn decode(payload: &[u8]) -> Result<RecordBatch, String> {
    let undecodable = |e: arrow::error::ArrowError| format!("undecodable Arrow IPC: {e}");
    let mut reader = StreamReader::try_new(payload, None).map_err(undecodable)?;
    let batch = match reader.next() {
        Some(b) => b.map_err(undecodable)?,
        None => return Err("undecodable Arrow IPC: the stream holds no batch".into()),
    };
    match reader.next() {
        None => Ok(batch),
        Some(Err(e)) => Err(undecodable(e)),
        Some(Ok(_)) => Err("undecodable Arrow IPC: the stream holds more than one batch".into()),
    }
}

/// Reads until `buf` is full or the end of the input; returns the bytes read.
pub(crate) fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, Int64Array, StringArray};

    use super::*;

    fn batch() -> RecordBatch {
        RecordBatch::try_from_iter(vec![
            ("a", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
            (
                "b",
                Arc::new(StringArray::from(vec![Some("x"), None, Some("z")])) as ArrayRef,
            ),
        ])
        .unwrap()
    }

    #[test]
    fn frame_round_trips() {
        let frame = encode(&batch()).unwrap();
        let mut two = frame.clone();
        two.extend_from_slice(&frame);
        let mut r = &two[..];
        for _ in 0..2 {
            match read_record(&mut r).unwrap() {
                Next::Record(b, len) => {
                    assert_eq!(b, batch());
                    assert_eq!(len, frame.len() as u64);
                }
                other => panic!("expected a record, got {other:?}"),
            }
        }
        assert!(matches!(read_record(&mut r).unwrap(), Next::End));
    }

    #[test]
    fn damage_is_reported_not_fatal() {
        let frame = encode(&batch()).unwrap();
        for cut in 1..frame.len() {
            assert!(
                matches!(read_record(&mut &frame[..cut]).unwrap(), Next::Bad(_)),
                "cut {cut}"
            );
        }
        let mut flipped = frame.clone();
        *flipped.last_mut().unwrap() ^= 0x40;
        match read_record(&mut &flipped[..]).unwrap() {
            Next::Bad(reason) => assert!(reason.contains("CRC32C"), "{reason}"),
            other => panic!("expected damage, got {other:?}"),
        }
    }

    #[test]
    fn header_is_checked() {
        let p = Path::new("x.wal");
        check_header(&header(7), 7, p).unwrap();
        assert!(check_header(&header(7), 8, p).is_err());
        let mut h = header(7);
        h[0] = b'X';
        assert!(check_header(&h, 7, p)
            .unwrap_err()
            .to_string()
            .contains("magic"));
        let mut h = header(7);
        h[8] = 2;
        assert!(check_header(&h, 7, p)
            .unwrap_err()
            .to_string()
            .contains("version 2"));
    }
}
