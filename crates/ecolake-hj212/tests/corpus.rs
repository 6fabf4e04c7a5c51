//! The conformance corpus of `../shared/hj212/corpus.jsonl`, in full: every valid message
//! decodes to its `expect`, every invalid one fails with its category and detail (and, where the
//! corpus marks it `lenient_ok`, decodes in lenient mode), and every stream case delivers its
//! packets, discarded bytes and pending bytes.

use ecolake_hj212::{decode, encode, json, Event, Profile, StreamDecoder};
use serde_json::Value;

fn corpus() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/hj212/corpus.jsonl"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("corpus line is JSON"))
        .collect()
}

fn message(case: &Value) -> Vec<u8> {
    match case.get("message_hex").and_then(Value::as_str) {
        Some(hex) => (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect(),
        None => case["message"].as_str().unwrap().as_bytes().to_vec(),
    }
}

fn to_json(event: &Event<'_>) -> Value {
    let mut out = Vec::new();
    json::write_event(&mut out, event).unwrap();
    serde_json::from_slice(&out).unwrap()
}

/// The packet's JSON without the stream fields, to compare with a corpus `expect`.
fn packet_json(event: &Event<'_>) -> Value {
    let mut v = to_json(event);
    let obj = v.as_object_mut().unwrap();
    assert_eq!(obj.remove("ok"), Some(Value::Bool(true)), "{obj:?}");
    obj.remove("offset");
    v
}

/// All events of `input` decoded as one stream ending at EOF.
fn events(input: &[u8], profile: Profile) -> Vec<Value> {
    let mut dec = StreamDecoder::new(profile);
    let mut pos = 0;
    let mut out = Vec::new();
    while let Some((n, ev)) = dec.decode(&input[pos..], true) {
        pos += n;
        out.push(to_json(&ev));
    }
    assert_eq!(pos, input.len(), "everything is consumed at EOF");
    out
}

#[test]
fn single_messages() {
    let mut checked = 0;
    for case in corpus().iter().filter(|c| c.get("chunks").is_none()) {
        let id = case["id"].as_str().unwrap();
        let input = message(case);
        let expect = &case["expect"];
        let strict = events(&input, Profile::default());
        let lenient = events(&input, Profile::lenient());
        assert_eq!(strict.len(), 1, "{id}: one event, got {strict:?}");
        match case["kind"].as_str().unwrap() {
            "valid" => {
                let d = decode(&input, &Profile::default()).unwrap_or_else(|e| panic!("{id}: {e}"));
                let got = packet_json(&Event::Packet {
                    offset: 0,
                    decoded: d,
                });
                assert_eq!(&got, expect, "{id}");
                assert_eq!(
                    lenient, strict,
                    "{id}: lenient reads a valid packet the same"
                );
            }
            "invalid" => {
                let got = &strict[0];
                assert_eq!(got["ok"], false, "{id}: {got}");
                assert_eq!(got["error"], expect["error"], "{id}: {got}");
                assert_eq!(got["detail"], expect["detail"], "{id}: {got}");
                assert_eq!(got["offset"], 0, "{id}");
                let e = decode(&input, &Profile::default()).expect_err(id);
                assert_eq!(e.kind().as_str(), expect["error"], "{id}");
                if case["lenient_ok"] == true {
                    assert_eq!(
                        lenient[0]["ok"], true,
                        "{id}: lenient accepts it: {}",
                        lenient[0]
                    );
                    assert!(
                        !lenient[0]["warnings"].as_array().unwrap().is_empty(),
                        "{id}: the deviation is reported"
                    );
                } else {
                    assert_eq!(
                        lenient[0]["error"], expect["error"],
                        "{id}: lenient still rejects"
                    );
                }
            }
            other => panic!("{id}: kind {other}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 76, "every single-message case ran");
}

#[test]
fn streams_fed_chunk_by_chunk() {
    let mut checked = 0;
    for case in corpus().iter().filter(|c| c.get("chunks").is_some()) {
        let id = case["id"].as_str().unwrap();
        let expect = &case["expect"];
        let mut dec = StreamDecoder::new(Profile::default());
        let mut buf: Vec<u8> = Vec::new();
        let (mut packets, mut discarded, mut total) = (Vec::new(), 0u64, 0usize);
        for chunk in case["chunks"].as_array().unwrap() {
            let chunk = chunk.as_str().unwrap().as_bytes();
            total += chunk.len();
            buf.extend_from_slice(chunk);
            let mut pos = 0;
            while let Some((n, ev)) = dec.decode(&buf[pos..], false) {
                pos += n;
                match &ev {
                    Event::Packet { .. } => packets.push(packet_json(&ev)),
                    Event::Error { .. } | Event::Garbage { .. } => discarded += n as u64,
                }
            }
            buf.drain(..pos);
        }
        assert_eq!(&Value::Array(packets), &expect["packets"], "{id}: packets");
        assert_eq!(
            discarded,
            expect["discarded_bytes"].as_u64().unwrap(),
            "{id}: discarded"
        );
        assert_eq!(
            buf.len() as u64,
            expect["pending_bytes"].as_u64().unwrap(),
            "{id}: pending"
        );
        assert_eq!(
            dec.position() as usize + buf.len(),
            total,
            "{id}: offsets add up"
        );
        checked += 1;
    }
    assert_eq!(checked, 6);
}

#[test]
fn lf_only_sender_is_read_in_lenient_mode() {
    let case = corpus()
        .into_iter()
        .find(|c| c["id"] == "s-lf-only-sender")
        .unwrap();
    let input: Vec<u8> = case["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c.as_str().unwrap().bytes())
        .collect();
    let got = events(&input, Profile::lenient());
    assert_eq!(got.len(), 2, "{got:?}");
    for p in &got {
        assert_eq!(p["ok"], true);
        assert_eq!(p["warnings"], serde_json::json!(["lf_terminator"]));
    }
}

/// Messages whose wire form is not the encoder's canonical one, and why.
const NOT_CANONICAL: [(&str, &str); 8] = [
    ("c-lowercase-crc", "lower-case CRC"),
    ("index-real-9014-flag9", "lower-case CRC"),
    ("repo-xiaoyao-test-2005-lowercrc", "lower-case CRC"),
    ("repo-zblzbl-9014-lowercrc", "lower-case CRC"),
    ("std-C2-1011-space-after-cp", "space after CP=&&"),
    (
        "std-C14-2011-rtd",
        "w01018-Flag written before w01018-EFlag",
    ),
    ("std-C23-comma-between-times", "',' between two parameters"),
    ("std-C40-3020-log-charcount", "invalid anyway"),
];

#[test]
fn decode_encode_decode_is_the_identity() {
    let profile = Profile::default();
    let mut byte_identical = 0;
    for case in corpus()
        .iter()
        .filter(|c| c["kind"] == "valid" && c.get("chunks").is_none())
    {
        let id = case["id"].as_str().unwrap();
        let input = message(case);
        let first = decode(&input, &profile).unwrap().packet;
        let wire = encode(&first, &profile).unwrap_or_else(|e| panic!("{id}: {e}"));
        let second = decode(&wire, &profile)
            .unwrap_or_else(|e| panic!("{id}: {e}"))
            .packet;
        let formatting = |w: &ecolake_hj212::Warning<'_>| {
            !matches!(
                w,
                ecolake_hj212::Warning::LowercaseCrc | ecolake_hj212::Warning::WhitespaceInCp
            )
        };
        let mut expected = first.clone();
        expected.warnings.retain(formatting);
        assert_eq!(second, expected, "{id}");
        if NOT_CANONICAL.iter().any(|(n, _)| *n == id) {
            assert_ne!(wire, input, "{id} is listed as not canonical");
        } else {
            assert_eq!(
                String::from_utf8_lossy(&wire),
                String::from_utf8_lossy(&input),
                "{id}"
            );
            byte_identical += 1;
        }
    }
    assert!(byte_identical >= 40, "{byte_identical}");
}

#[test]
fn segmented_pair_reassembles() {
    use ecolake_hj212::{Assembled, Reassembler};
    use std::time::{Duration, Instant};

    let case = corpus()
        .into_iter()
        .find(|c| c["id"] == "s-segmented-pair")
        .unwrap();
    let input = case["chunks"][0].as_str().unwrap().as_bytes().to_vec();
    let mut dec = StreamDecoder::new(Profile::default());
    let mut r = Reassembler::new(Duration::from_secs(30), 8);
    let now = Instant::now();
    let mut pos = 0;
    let mut done = Vec::new();
    while let Some((n, ev)) = dec.decode(&input[pos..], true) {
        pos += n;
        let Event::Packet { decoded, .. } = ev else {
            panic!("{ev:?}")
        };
        match r.push(decoded.packet, now) {
            Assembled::Pending => assert!(done.is_empty(), "pending until the last part"),
            Assembled::Complete(p) => done.push(p),
            Assembled::Whole(p) => panic!("{p:?} is a segment"),
        }
    }
    assert_eq!(done.len(), 1);
    let whole = &done[0];
    assert_eq!((whole.pnum, whole.pno, whole.flag), (None, None, Some(4)));
    assert_eq!(
        whole.qn.as_deref(),
        Some("20160801085857534"),
        "the header of part 1"
    );
    let codes: Vec<_> = whole.items.iter().map(|i| i.code.as_ref()).collect();
    assert_eq!(
        codes,
        [
            "w00000", "w00000", "w00000", "w00000", "w01001", "w01001", "w01001", "w01018",
            "w01018", "w01018", "w01018"
        ]
    );
    assert_eq!(r.pending(), 0);

    // A lone part 1 is handed back by expire(), not dropped.
    let mut dec = StreamDecoder::new(Profile::default());
    let (_, ev) = dec.decode(&input, true).unwrap();
    let Event::Packet { decoded, .. } = ev else {
        panic!()
    };
    assert_eq!(r.push(decoded.packet, now), Assembled::Pending);
    assert!(r.expire(now).is_empty());
    let expired = r.expire(now + Duration::from_secs(31));
    assert_eq!((expired.len(), expired[0].len(), r.pending()), (1, 1, 0));
}

/// Found by the fuzzer: a factor whose items are not next to each other must get one
/// `-Flag` on the wire, not one per run (a second one is a duplicate key).
#[test]
fn a_factor_split_by_another_gets_one_flag() {
    let wire = b"##0162QN=20160801085857534;ST=32;CN=2061;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&DataTime=20160801080000;w01001-Min=1;x-Avg=7.5;w01001-Max=7.8,w01001-Flag=N&&";
    let mut framed = wire.to_vec();
    let crc = ecolake_hj212::crc::hj212(&framed[6..]);
    framed.extend_from_slice(format!("{crc:04X}\r\n").as_bytes());
    let p = decode(&framed, &Profile::default()).unwrap().packet;
    assert_eq!(
        p.items[0].flag.as_deref(),
        Some("N"),
        "the flag reaches the first run too"
    );
    let again = encode(&p, &Profile::default()).unwrap();
    assert_eq!(decode(&again, &Profile::default()).unwrap().packet, p);
    assert_eq!(again, framed, "written once, after the last run");
}
