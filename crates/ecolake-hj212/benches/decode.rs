//! Stream decoding throughput on realistic real-time packets (CN 2011, 5–30 factors), the CRC
//! alone, and encoding. Run: `cargo bench -p ecolake-hj212 --bench decode`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ecolake_hj212::{crc, encode, Event, Item, Packet, Profile, StreamDecoder};

const CODES: [&str; 30] = [
    "a21026", "a21002", "a34013", "a19001", "a01012", "a01011", "a01013", "a01014", "a00000",
    "a21005", "a21004", "a21003", "a05001", "a24088", "a21024", "a21028", "a21001", "a25002",
    "a25003", "a25005", "a31001", "a30001", "a99051", "a23001", "a21017", "a21018", "a21022",
    "a20057", "a20043", "a20025",
];

/// A real-time packet with `n` factors, each `-Rtd` and `-Flag`, as CEMS data loggers send.
fn packet(n: usize, seq: usize) -> Vec<u8> {
    let p = Packet {
        qn: Some(
            format!(
                "20250301{:02}{:02}{:02}{:03}",
                seq / 3600 % 24,
                seq / 60 % 60,
                seq % 60,
                seq % 1000
            )
            .into(),
        ),
        st: "31".into(),
        cn: "2011".into(),
        pw: Some("123456".into()),
        mn: "0123456789ABCDEF01234567".into(),
        flag: Some(5),
        datatime: Some(
            format!(
                "20250301{:02}{:02}{:02}",
                seq / 3600 % 24,
                seq / 60 % 60,
                seq % 60
            )
            .into(),
        ),
        items: CODES[..n]
            .iter()
            .enumerate()
            .map(|(i, code)| Item {
                code: (*code).into(),
                field: "Rtd".into(),
                value: format!("{}.{:03}", (seq * 7 + i * 13) % 500, (seq + i) % 1000).into(),
                flag: Some("N".into()),
            })
            .collect(),
        ..Packet::default()
    };
    encode(&p, &Profile::default()).unwrap()
}

fn stream(n: usize, count: usize) -> Vec<u8> {
    (0..count).flat_map(|s| packet(n, s)).collect()
}

fn decode_all(input: &[u8], profile: &Profile) -> usize {
    let mut dec = StreamDecoder::new(*profile);
    let (mut pos, mut items) = (0, 0);
    while let Some((n, ev)) = dec.decode(&input[pos..], true) {
        pos += n;
        if let Event::Packet { decoded, .. } = ev {
            items += decoded.packet.items.len();
        }
    }
    items
}

fn bench_decode(c: &mut Criterion) {
    const COUNT: usize = 1000;
    let profile = Profile::default();
    for (unit, name) in [(true, "decode_packets"), (false, "decode_bytes")] {
        let mut g = c.benchmark_group(name);
        for n in [5, 7, 15, 25] {
            let input = stream(n, COUNT);
            let label = format!("{n}_factors_{}B", input.len() / COUNT);
            g.throughput(if unit {
                Throughput::Elements(COUNT as u64)
            } else {
                Throughput::Bytes(input.len() as u64)
            });
            g.bench_with_input(BenchmarkId::from_parameter(label), &input, |b, input| {
                b.iter(|| decode_all(black_box(input), &profile))
            });
        }
        g.finish();
    }
}

fn bench_crc(c: &mut Criterion) {
    let data = stream(8, 100);
    let mut g = c.benchmark_group("crc");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("hj212_sliced", |b| b.iter(|| crc::hj212(black_box(&data))));
    g.bench_function("hj212_bytewise", |b| {
        b.iter(|| crc::hj212_bytewise(black_box(&data)))
    });
    g.bench_function("modbus", |b| b.iter(|| crc::modbus(black_box(&data))));
    g.finish();
}

fn bench_encode(c: &mut Criterion) {
    let input = packet(8, 1);
    let d = ecolake_hj212::decode(&input, &Profile::default()).unwrap();
    let mut g = c.benchmark_group("encode");
    g.throughput(Throughput::Elements(1));
    g.bench_function("8_factors", |b| {
        let mut out = Vec::with_capacity(512);
        b.iter(|| {
            out.clear();
            ecolake_hj212::encode_into(black_box(&d.packet), &Profile::default(), &mut out)
                .unwrap();
        })
    });
    g.finish();
}

criterion_group!(benches, bench_decode, bench_crc, bench_encode);
criterion_main!(benches);
