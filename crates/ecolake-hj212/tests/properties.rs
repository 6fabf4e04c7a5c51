//! Property tests: arbitrary packets encode → decode identically (split into segments and
//! reassembled when too long); arbitrary bytes never panic and are consumed exactly; chunking
//! never changes what is decoded; a corrupted packet never hides the good packet after it.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use ecolake_hj212::{
    decode, encode, Assembled, Event, Item, Packet, Profile, Reassembler, StreamDecoder,
};
use proptest::prelude::*;

fn datetime() -> impl Strategy<Value = String> {
    (
        2000u32..2100,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
    )
        .prop_map(|(y, mo, d, h, mi, s)| format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}"))
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        (-100_000i64..100_000).prop_map(|v| v.to_string()),
        (0u32..100_000, 0u32..1000).prop_map(|(a, b)| format!("{a}.{b:03}")),
        "-?[0-9]{1,6}\\.[0-9]{1,6}",
    ]
}

const FIELDS: [&str; 10] = [
    "Rtd",
    "Min",
    "Avg",
    "Max",
    "Cou",
    "ZsRtd",
    "ZsAvg",
    "EFlag",
    "SampleTime",
    "Info",
];

/// One factor: a code, some distinct fields with values, an optional data flag.
fn factor() -> impl Strategy<Value = (String, Vec<(String, String)>, Option<String>)> {
    (
        "[aw][0-9]{5}",
        proptest::sample::subsequence(FIELDS.to_vec(), 1..4),
        proptest::option::of(proptest::sample::select(vec![
            "N", "F", "M", "S", "D", "C", "T", "B",
        ])),
        number(),
        datetime(),
        "[A-Z][0-9]{2}",
        "//[a-z ;,=&]{0,12}//",
    )
        .prop_map(|(code, fields, flag, num, dt, eflag, info)| {
            let fields = fields
                .into_iter()
                .map(|f| {
                    let v = match f {
                        "SampleTime" => dt.clone(),
                        "EFlag" => eflag.clone(),
                        "Info" => info.clone(),
                        _ => num.clone(),
                    };
                    (f.to_owned(), v)
                })
                .collect();
            (code, fields, flag.map(str::to_owned))
        })
}

prop_compose! {
    fn packet()(
        qn_dt in datetime(),
        ms in 0u32..1000,
        st in "[0-9A-Z]{2}",
        cn in "[1-9][0-9]{3}",
        pw in "[0-9A-Za-z]{6}",
        mn in "[0-9A-F]{24}",
        a in any::<bool>(),
        datatime in proptest::option::of(datetime()),
        params in proptest::collection::btree_map("[A-Z][a-z]{1,8}", "[A-Za-z0-9.]{0,10}", 0..4),
        factors in proptest::collection::btree_map("[aw][0-9]{5}", factor(), 0..40),
    ) -> Packet<'static> {
        let items = factors
            .into_iter()
            .flat_map(|(code, (_, fields, flag))| {
                fields.into_iter().map(move |(field, value)| Item {
                    code: Cow::Owned(code.clone()),
                    field: field.into(),
                    value: value.into(),
                    flag: flag.clone().map(Cow::Owned),
                })
            })
            .collect();
        Packet {
            qn: Some(format!("{qn_dt}{ms:03}").into()),
            st: st.into(),
            cn: cn.into(),
            pw: Some(pw.into()),
            mn: mn.into(),
            flag: Some(4 | u8::from(a)),
            datatime: datatime.map(Cow::Owned),
            params: params
                .into_iter()
                .filter(|(k, _)| !matches!(k.as_str(), "Flag"))
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            items,
            ..Packet::default()
        }
    }
}

/// A valid wire packet built from an arbitrary one, split if needed (the first segment).
fn wire_of(p: &Packet<'_>) -> Vec<u8> {
    let parts = p.split(1024).unwrap();
    encode(&parts[0], &Profile::default()).unwrap()
}

fn events(input: &[u8], profile: Profile, cuts: &[usize]) -> (Vec<String>, usize) {
    let mut dec = StreamDecoder::new(profile);
    let mut buf = Vec::new();
    let (mut out, mut discarded) = (Vec::new(), 0);
    let mut fed = 0;
    let mut bounds: Vec<usize> = cuts.iter().map(|c| c % (input.len() + 1)).collect();
    bounds.push(input.len());
    bounds.sort_unstable();
    for b in bounds {
        buf.extend_from_slice(&input[fed..b]);
        fed = b;
        let eof = fed == input.len();
        let mut pos = 0;
        while let Some((n, ev)) = dec.decode(&buf[pos..], eof) {
            assert!(n > 0 && n <= buf.len() - pos, "consumes a sane count");
            pos += n;
            match ev {
                Event::Packet { offset, decoded } => {
                    out.push(format!("{offset}:{:?}", decoded.packet))
                }
                Event::Error { offset, error } => {
                    discarded += n;
                    out.push(format!("{offset}:{}", error.kind()));
                }
                Event::Garbage { .. } => discarded += n,
            }
        }
        buf.drain(..pos);
    }
    assert!(buf.is_empty(), "at EOF everything is consumed");
    assert_eq!(dec.position() as usize, input.len());
    (out, discarded)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn encode_then_decode_is_the_identity(p in packet()) {
        let parts = p.split(1024).unwrap();
        let mut r = Reassembler::new(Duration::from_secs(60), 16);
        let now = Instant::now();
        let mut whole = None;
        for part in &parts {
            let wire = encode(part, &Profile::default()).unwrap();
            prop_assert!(wire.len() <= 1024 + 12);
            let decoded = decode(&wire, &Profile::default()).unwrap().packet;
            prop_assert_eq!(&decoded, part);
            match r.push(decoded, now) {
                Assembled::Whole(p) => whole = Some(p.into_owned()),
                Assembled::Complete(p) => whole = Some(p),
                Assembled::Pending => {}
            }
        }
        prop_assert_eq!(r.pending(), 0);
        prop_assert_eq!(whole.unwrap(), p);
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        noise in proptest::collection::vec(
            prop_oneof![any::<u8>(), Just(b'#'), Just(b'\r'), Just(b'\n'), Just(b'&'), Just(b'='), Just(b';'), b'0'..=b'9'],
            0..600,
        ),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
        lenient in any::<bool>(),
    ) {
        let profile = if lenient { Profile::lenient() } else { Profile::default() };
        events(&noise, profile, &cuts);
        let mut framed = b"##0100".to_vec();
        framed.extend_from_slice(&noise);
        events(&framed, profile, &cuts);
    }

    #[test]
    fn chunking_never_changes_the_result(
        p in packet(),
        q in packet(),
        noise in "[a-zA-Z0-9 #\r\n]{0,20}",
        cuts in proptest::collection::vec(any::<usize>(), 1..8),
    ) {
        let mut input = wire_of(&p);
        input.extend_from_slice(noise.as_bytes());
        input.extend_from_slice(&wire_of(&q));
        let (whole, d1) = events(&input, Profile::default(), &[]);
        let (chunked, d2) = events(&input, Profile::default(), &cuts);
        prop_assert_eq!(whole, chunked);
        prop_assert_eq!(d1, d2);
    }

    #[test]
    fn a_corrupt_packet_never_hides_the_next(
        p in packet(),
        q in packet(),
        at in any::<usize>(),
        byte in any::<u8>(),
        lenient in any::<bool>(),
    ) {
        let profile = if lenient { Profile::lenient() } else { Profile::default() };
        let mut input = wire_of(&p);
        let i = at % input.len();
        prop_assume!(input[i] != byte);
        input[i] = byte;
        let good = wire_of(&q);
        let expected = decode(&good, &profile).unwrap().packet;
        input.extend_from_slice(&good);
        let (found, _) = events(&input, profile, &[]);
        let last = found.last().unwrap();
        prop_assert!(last.ends_with(&format!("{expected:?}")), "{found:?}");
    }
}
