use std::sync::Arc;

use arrow::array::{Float64Array, Int64Array, StringArray, UInt64Array};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use ecolake_hj212::{decode, reply, Edition, Packet, Profile, QnRtn};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use super::link::Link;
use super::packets::{build, Plain, Qns, Routes};
use super::*;

fn upstream(address: &str) -> Upstream {
    toml::from_str(&format!(
        r#"name = "province"
address = "{address}"
st = "22"
time_zone = "Asia/Shanghai"
over_time = 1
re_count = 1
[[devices]]
mn = "LOCAL1"
upstream_mn = "UP0000000000000000000001"
password = "pw1"
[[devices]]
site = "S2"
upstream_mn = "UP0000000000000000000002"
password = "pw2"
st = "32"
"#
    ))
    .unwrap()
}

type Row<'a> = (
    i64,
    &'a str,
    &'a str,
    &'a str,
    [Option<f64>; 5],
    Option<&'a str>,
    Option<&'a str>,
);

/// Rows as the journal hands them (plain types), `seq` from 1.
fn rows(rows: &[Row<'_>]) -> RecordBatch {
    fn text<'a>(
        rows: &'a [Row<'a>],
        f: fn(&'a Row<'a>) -> Option<&'a str>,
    ) -> arrow::array::ArrayRef {
        Arc::new(rows.iter().map(f).collect::<StringArray>())
    }
    let value = |i: usize| {
        Arc::new(rows.iter().map(|r| r.4[i]).collect::<Float64Array>()) as arrow::array::ArrayRef
    };
    let mut fields = vec![Field::new("time", DataType::Int64, false)];
    for name in ["site", "factor", "period"] {
        fields.push(Field::new(name, DataType::Utf8, true));
    }
    for name in ["value", "min", "max", "cou", "zs"] {
        fields.push(Field::new(name, DataType::Float64, true));
    }
    fields.push(Field::new("flag", DataType::Utf8, true));
    fields.push(Field::new("source", DataType::Utf8, true));
    fields.push(Field::new("seq", DataType::UInt64, false));
    RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        vec![
            Arc::new(rows.iter().map(|r| r.0).collect::<Int64Array>()),
            text(rows, |r| Some(r.1)),
            text(rows, |r| Some(r.2)),
            text(rows, |r| Some(r.3)),
            value(0),
            value(1),
            value(2),
            value(3),
            value(4),
            text(rows, |r| r.5),
            text(rows, |r| r.6),
            Arc::new((1..=rows.len() as u64).collect::<UInt64Array>()),
        ],
    )
    .unwrap()
}

/// 2025-03-01 12:00:00 Beijing time.
const NOON: i64 = 1_740_801_600_000;

fn packets_of(batch: &RecordBatch, up: &Upstream) -> Vec<String> {
    let plain = [Plain::of(batch).unwrap()];
    let mut unsendable = Vec::new();
    let out = build(
        &plain,
        up,
        &Routes::new(up),
        &mut Qns::default(),
        &mut unsendable,
    );
    assert_eq!(unsendable, Vec::<String>::new());
    out.into_iter()
        .map(|o| String::from_utf8(o.wire).unwrap())
        .collect()
}

#[test]
fn rows_go_up_as_the_packets_they_came_in_under_the_upstream_identity() {
    let up = upstream("h:1");
    let batch = rows(&[
        // One real-time packet of LOCAL1: two factors.
        (
            NOON,
            "S1",
            "a34004",
            "rtd",
            [Some(35.5), None, None, None, None],
            Some("N"),
            Some("LOCAL1"),
        ),
        (
            NOON,
            "S1",
            "a21026",
            "rtd",
            [Some(9.0), None, None, None, Some(12.25)],
            Some("D"),
            Some("LOCAL1"),
        ),
        // A device nobody mapped: left out.
        (
            NOON,
            "S9",
            "a34004",
            "rtd",
            [Some(1.0), None, None, None, None],
            Some("N"),
            Some("OTHER"),
        ),
        // An hourly packet of site S2 from a file (no source): its own mapping and ST.
        (
            NOON,
            "S2",
            "w01018",
            "hour",
            [Some(20.0), Some(18.0), Some(22.5), Some(1200.0), None],
            Some("N"),
            None,
        ),
        // Running state and a vendor field.
        (
            NOON,
            "S1",
            "SB1",
            "rtd",
            [Some(1.0), None, None, None, None],
            None,
            Some("LOCAL1"),
        ),
        (
            NOON,
            "S1",
            "100000-Ia",
            "rtd",
            [Some(401.4), None, None, None, None],
            Some("N"),
            Some("LOCAL1"),
        ),
        // A period no HJ 212 upload carries.
        (
            NOON,
            "S1",
            "a34004",
            "month",
            [Some(40.0), None, None, None, None],
            None,
            Some("LOCAL1"),
        ),
    ]);
    let wires = packets_of(&batch, &up);
    assert_eq!(wires.len(), 4, "{wires:#?}");
    let decoded: Vec<Packet<'_>> = wires
        .iter()
        .map(|w| decode(w.as_bytes(), &Profile::default()).unwrap().packet)
        .collect();
    let p = &decoded[0];
    assert_eq!(
        (&*p.cn, &*p.st, &*p.mn),
        ("2011", "22", "UP0000000000000000000001")
    );
    assert_eq!((p.pw.as_deref(), p.flag), (Some("pw1"), Some(5)));
    assert_eq!(p.datatime.as_deref(), Some("20250301120000"));
    assert!(
        wires[0].contains(
            "a34004-Rtd=35.5,a34004-Flag=N;a21026-Rtd=9,a21026-ZsRtd=12.25,a21026-Flag=D"
        ),
        "{}",
        wires[0]
    );
    let p = &decoded[1];
    assert_eq!(
        (&*p.cn, &*p.st, &*p.mn),
        ("2061", "32", "UP0000000000000000000002")
    );
    assert!(
        wires[1]
            .contains("w01018-Avg=20,w01018-Min=18,w01018-Max=22.5,w01018-Cou=1200,w01018-Flag=N"),
        "{}",
        wires[1]
    );
    assert_eq!(&*decoded[2].cn, "2021");
    assert!(wires[2].contains("SB1-RS=1"), "{}", wires[2]);
    assert_eq!(&*decoded[3].cn, "2011");
    assert!(
        wires[3].contains("100000-Ia=401.4,100000-Flag=N"),
        "{}",
        wires[3]
    );
    // QNs increase in the upstream's zone.
    let qns: Vec<&str> = decoded.iter().map(|p| p.qn.as_deref().unwrap()).collect();
    assert!(qns.windows(2).all(|w| w[0] < w[1]), "{qns:?}");
}

#[test]
fn a_long_packet_is_split_into_acknowledged_segments() {
    let up = upstream("h:1");
    let codes: Vec<String> = (0..150).map(|i| format!("a99{i:03}")).collect();
    let many: Vec<Row<'_>> = codes
        .iter()
        .map(|c| {
            (
                NOON,
                "S1",
                c.as_str(),
                "rtd",
                [Some(123.456), None, None, None, None],
                Some("N"),
                Some("LOCAL1"),
            )
        })
        .collect();
    let wires = packets_of(&rows(&many), &up);
    assert!(wires.len() > 1);
    let mut items = 0;
    let mut qns = Vec::new();
    for w in &wires {
        let p = decode(w.as_bytes(), &Profile::default()).unwrap().packet;
        assert_eq!(p.flag, Some(5 | 2), "A and D bits");
        assert_eq!(p.pnum, Some(wires.len() as u16));
        items += p.items.len();
        qns.push(p.qn.unwrap().into_owned());
    }
    assert_eq!(items, 150);
    assert!(qns.windows(2).all(|w| w[0] < w[1]), "{qns:?}");
}

#[test]
fn a_bad_upstream_table_is_refused_naming_what_is_wrong() {
    let mut up = upstream("h:1");
    up.check().unwrap();
    up.devices[1].upstream_mn = None;
    assert!(up
        .check()
        .unwrap_err()
        .contains("a site needs an upstream_mn"));
    let mut up = upstream("h:1");
    up.devices[0].password = "has;semicolon".into();
    assert!(up.check().unwrap_err().contains("password"));
    let mut up = upstream("h:1");
    up.devices.push(up.devices[0].clone());
    assert!(up.check().unwrap_err().contains("mapped twice"));
    let mut up = upstream("nohost");
    assert!(up.check().unwrap_err().contains("host:port"));
    up = upstream("h:1");
    up.name = "a b".into();
    assert!(up.check().unwrap_err().contains("forward name"));
    let e = toml::from_str::<Upstream>(
        "name=\"x\"\naddress=\"h:1\"\nst=\"22\"\ntime_zone=\"Mars/Olympus\"\ndevices=[]",
    )
    .unwrap_err();
    assert!(e.to_string().contains("Mars/Olympus"), "{e}");
}

/// An upstream that answers each packet with `answer` (None: silence), counting packets.
async fn scripted(answer: Option<QnRtn>) -> (String, tokio::task::JoinHandle<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let task = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (r, mut w) = socket.into_split();
        let mut lines = BufReader::new(r).lines();
        let mut seen = 0;
        while let Ok(Some(line)) = lines.next_line().await {
            seen += 1;
            let wire = format!("{line}\r\n");
            let p = decode(wire.as_bytes(), &Profile::default()).unwrap().packet;
            let answer = match answer {
                Some(QnRtn::Ready) => reply::data_ack(&p),
                Some(rtn) => Some(reply::request_reply(&p, rtn, Edition::Hj212_2017)),
                None => None,
            };
            if let Some(a) = answer {
                w.write_all(&ecolake_hj212::encode(&a, &Profile::default()).unwrap())
                    .await
                    .unwrap();
            }
        }
        seen
    });
    (address, task)
}

fn three_packets(up: &Upstream) -> Vec<packets::Outgoing> {
    let batch = rows(&[
        (
            NOON,
            "S1",
            "a34004",
            "rtd",
            [Some(1.0), None, None, None, None],
            Some("N"),
            Some("LOCAL1"),
        ),
        (
            NOON + 30_000,
            "S1",
            "a34004",
            "rtd",
            [Some(2.0), None, None, None, None],
            Some("N"),
            Some("LOCAL1"),
        ),
        (
            NOON + 60_000,
            "S1",
            "a34004",
            "rtd",
            [Some(3.0), None, None, None, None],
            Some("N"),
            Some("LOCAL1"),
        ),
    ]);
    build(
        &[Plain::of(&batch).unwrap()],
        up,
        &Routes::new(up),
        &mut Qns::default(),
        &mut Vec::new(),
    )
}

#[tokio::test]
async fn delivery_waits_for_each_9014_and_reports_refusals_and_silence() {
    // Acknowledged: every packet delivered, none left.
    let (address, upstream_task) = scripted(Some(QnRtn::Ready)).await;
    let lane = Lane::new(upstream(&address), 0);
    let mut packets = three_packets(&lane.upstream);
    let mut link = Link::default();
    link.deliver(&lane.upstream, &mut packets, &lane)
        .await
        .unwrap();
    assert!(packets.is_empty());
    assert_eq!(lane.packets_acked.load(Ordering::Relaxed), 3);
    link.close(&lane);
    assert_eq!(upstream_task.await.unwrap(), 3);

    // Refused (wrong password): an error saying so; the packets stay queued.
    let (address, _task) = scripted(Some(QnRtn::PwError)).await;
    let lane = Lane::new(upstream(&address), 0);
    let mut packets = three_packets(&lane.upstream);
    let e = Link::default()
        .deliver(&lane.upstream, &mut packets, &lane)
        .await
        .unwrap_err();
    assert!(
        e.contains("QnRtn=3: wrong password") && e.contains("UP0000000000000000000001"),
        "{e}"
    );
    assert_eq!(packets.len(), 3);
    assert_eq!(lane.refusals.load(Ordering::Relaxed), 1);

    // Silent: each packet sent again after over_time, re_count times, then given up.
    let (address, upstream_task) = scripted(None).await;
    let lane = Lane::new(upstream(&address), 0);
    let mut packets = three_packets(&lane.upstream);
    let mut link = Link::default();
    let e = link
        .deliver(&lane.upstream, &mut packets, &lane)
        .await
        .unwrap_err();
    assert!(e.contains("no 9014") && e.contains("after 2 sends"), "{e}");
    assert_eq!(packets.len(), 3);
    assert!(lane.resends.load(Ordering::Relaxed) >= 1);
    drop(link);
    assert!(
        upstream_task.await.unwrap() >= 4,
        "three sends and a resend at least"
    );
}

#[test]
fn a_row_hj212_cannot_carry_is_left_out_with_its_reason_and_the_rest_goes_on() {
    let up = upstream("h:1");
    let batch = rows(&[
        (
            NOON,
            "S2",
            "odd;code",
            "hour",
            [Some(1.0), None, None, None, None],
            None,
            None,
        ),
        (
            NOON + 3_600_000,
            "S2",
            "w01018",
            "hour",
            [Some(20.0), None, None, None, None],
            Some("N"),
            None,
        ),
    ]);
    let mut unsendable = Vec::new();
    let out = build(
        &[Plain::of(&batch).unwrap()],
        &up,
        &Routes::new(&up),
        &mut Qns::default(),
        &mut unsendable,
    );
    assert_eq!(out.len(), 1);
    assert!(String::from_utf8_lossy(&out[0].wire).contains("w01018-Avg=20"));
    assert_eq!(unsendable.len(), 1);
    assert!(
        unsendable[0].contains("UP0000000000000000000002")
            && unsendable[0].contains("20250301120000"),
        "{unsendable:?}"
    );
}
