//! `ecolake serve --mqtt` against the real broker (Mosquitto on 127.0.0.1:1883 on development
//! and CI machines), on a topic prefix of its own.

mod binary;

use std::time::Duration;

use binary::server::Server;
use binary::{sql_csv, workspace};
use ecolake_hj212::{decode, encode, Item, Packet, Profile};
use rumqttc::{AsyncClient, Event, MqttOptions, Packet as Mqtt, QoS};

const MN: &str = "MQTT00000000000000000001";

fn upload(qn: &str, datatime: &str, pm25: &str) -> Vec<u8> {
    let packet = Packet {
        qn: Some(qn.into()),
        st: "22".into(),
        cn: "2011".into(),
        pw: Some("123456".into()),
        mn: MN.into(),
        flag: Some(5),
        datatime: Some(datatime.into()),
        items: vec![
            Item {
                code: "a34004".into(),
                field: "Rtd".into(),
                value: pm25.into(),
                flag: Some("N".into()),
            },
            Item {
                code: "a21026".into(),
                field: "Rtd".into(),
                value: "7.5".into(),
                flag: Some("N".into()),
            },
        ],
        ..Packet::default()
    };
    encode(&packet, &Profile::default()).unwrap()
}

#[test]
fn hj212_and_json_over_mqtt_are_stored_and_acknowledged() {
    let prefix = format!(
        "ecolake-test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let ws = workspace(&[]);
    let (cwd, data) = (ws.path(), ws.path().join("data"));
    binary::register(
        cwd,
        &data,
        "code,name,medium,lon,lat\nMQ1,mqtt site,air,116.4,39.9\n",
        &format!("mn,password,site\n{MN},123456,MQ1\n"),
    );
    let url = format!("mqtt://127.0.0.1:1883?client_id={prefix}-server");
    let server = Server::start(cwd, &data, &["--mqtt", &url, "--mqtt-prefix", &prefix]);
    server.wait_for_log("MQTT subscribed", Duration::from_secs(30));

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let replies = runtime.block_on(async {
        let mut options = MqttOptions::new(format!("{prefix}-device"), "127.0.0.1", 1883);
        options.set_keep_alive(Duration::from_secs(10));
        let (client, mut events) = AsyncClient::new(options, 64);
        client
            .subscribe(format!("{prefix}/hj212/+/reply"), QoS::AtLeastOnce)
            .await
            .unwrap();
        let mut replies = Vec::new();
        let mut sent = false;
        tokio::time::timeout(Duration::from_secs(30), async {
            loop {
                match events.poll().await.unwrap() {
                    Event::Incoming(Mqtt::SubAck(_)) if !sent => {
                        sent = true;
                        let topic = format!("{prefix}/hj212/{MN}");
                        // Two packets in one message, one in another.
                        let mut two = upload("20250301120000001", "20250301120000", "35.0");
                        two.extend(upload("20250301120100002", "20250301120100", "36.0"));
                        client.publish(&topic, QoS::AtLeastOnce, false, two).await.unwrap();
                        let one = upload("20250301120200003", "20250301120200", "-3.0");
                        client.publish(&topic, QoS::AtLeastOnce, false, one).await.unwrap();
                        let json = r#"[{"time": "2025-03-01T12:00:00+08:00", "site": "MQ2", "factor": "a21004", "period": "hour", "value": 40}]"#;
                        client
                            .publish(format!("{prefix}/observations"), QoS::AtLeastOnce, false, json)
                            .await
                            .unwrap();
                    }
                    Event::Incoming(Mqtt::Publish(p)) => {
                        let mut at = 0;
                        while at < p.payload.len() {
                            let end = at + p.payload[at..].iter().position(|&b| b == b'\n').unwrap() + 1;
                            let reply = decode(&p.payload[at..end], &Profile::default()).unwrap();
                            replies.push((reply.packet.cn.to_string(), reply.packet.qn.unwrap().to_string()));
                            at = end;
                        }
                        if replies.len() == 3 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
        })
        .await
        .expect("three 9014 replies within 30 s");
        client.disconnect().await.unwrap();
        replies
    });
    assert_eq!(
        replies,
        [
            ("9014".to_owned(), "20250301120000001".to_owned()),
            ("9014".to_owned(), "20250301120100002".to_owned()),
            ("9014".to_owned(), "20250301120200003".to_owned()),
        ]
    );
    // The JSON message has no reply: wait until the pipeline has written its row too.
    let start = std::time::Instant::now();
    loop {
        let json = server.stats();
        if json["pipeline"]["rows_accepted"].as_u64() == Some(7) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{json}");
        // Polling another process's counters, bounded above by the assertion.
        std::thread::sleep(Duration::from_millis(20));
    }
    server.stop();
    let rows = sql_csv(
        cwd,
        &data,
        "SELECT site, factor, value, qc, source FROM observations ORDER BY source, time, factor",
    );
    assert_eq!(
        rows,
        "site,factor,value,qc,source\n\
         MQ1,a21026,7.5,late,MQTT00000000000000000001\n\
         MQ1,a34004,35.0,late,MQTT00000000000000000001\n\
         MQ1,a21026,7.5,late,MQTT00000000000000000001\n\
         MQ1,a34004,36.0,late,MQTT00000000000000000001\n\
         MQ1,a21026,7.5,late,MQTT00000000000000000001\n\
         MQ1,a34004,-3.0,\"late,negative\",MQTT00000000000000000001\n\
         MQ2,a21004,40.0,ok,mqtt\n"
    );
}
