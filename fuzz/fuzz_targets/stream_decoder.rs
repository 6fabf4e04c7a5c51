//! Fuzzes the HJ 212 stream decoder: any bytes, in any chunking, under any profile, must be
//! consumed exactly without a panic; every packet strict mode accepts must survive
//! encode → decode unchanged.
#![no_main]

use ecolake_hj212::{decode, encode, CrcDialect, Event, Profile, StreamDecoder, Warning};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&knobs, input)) = data.split_first() else {
        return;
    };
    let mut profile = if knobs & 1 == 0 { Profile::default() } else { Profile::lenient() };
    profile.crc = CrcDialect::ALL[usize::from(knobs >> 1 & 0b111) % CrcDialect::ALL.len()];
    let chunk = usize::from(knobs >> 4) * 7 + 1;

    let mut dec = StreamDecoder::new(profile);
    let mut buf = Vec::new();
    let mut fed = 0;
    while fed < input.len() || !buf.is_empty() {
        let end = (fed + chunk).min(input.len());
        buf.extend_from_slice(&input[fed..end]);
        fed = end;
        let eof = fed == input.len();
        let mut pos = 0;
        while let Some((n, event)) = dec.decode(&buf[pos..], eof) {
            assert!(n > 0 && pos + n <= buf.len());
            pos += n;
            if let Event::Packet { decoded, .. } = event {
                let p = decoded.packet;
                if !profile.is_lenient() {
                    let wire = encode(&p, &profile).expect("a strictly decoded packet encodes");
                    let mut again = decode(&wire, &profile).expect("and decodes again").packet;
                    let mut expected = p.clone();
                    expected.warnings.retain(|w| !matches!(w, Warning::LowercaseCrc | Warning::WhitespaceInCp));
                    again.warnings.retain(|w| !matches!(w, Warning::LowercaseCrc | Warning::WhitespaceInCp));
                    assert_eq!(again, expected);
                }
            }
        }
        buf.drain(..pos);
        if eof {
            assert!(buf.is_empty(), "EOF consumes everything");
            break;
        }
    }
    assert_eq!(dec.position() as usize, input.len());
});
