//! MQTT ingestion: a subscriber on a broker (Mosquitto, EMQX …) for devices and gateways that
//! publish instead of connecting over TCP.
//!
//! Topics, under a prefix (`ecolake` by default):
//!
//! | topic | payload |
//! |---|---|
//! | `PREFIX/hj212/{mn}` | one or more raw HJ 212 packets, as on the wire; authenticated by their MN and PW like TCP packets (the topic's MN is informative) |
//! | `PREFIX/hj212/{mn}/reply` | published by ecolake: the replies a TCP device would get (9014 after durability, 9011 refusals, 9013 …) |
//! | `PREFIX/observations` | observations as JSON (an array of objects or NDJSON), the columns of `ecolake import`; `source` defaults to `mqtt` |
//!
//! Subscriptions are QoS 1 on a persistent session (clean session off, a stable client id), with
//! manual acknowledgement: a message is acknowledged to the broker only after its data is
//! durable in the store, so a crash between receipt and fsync makes the broker deliver it again
//! (and the store's key makes the second copy the same row). A message whose data could not be
//! stored is not acknowledged; the broker redelivers it when the session resumes.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use ecolake_hj212::StreamDecoder;
use ecolake_qc::Origin;
use rumqttc::{AsyncClient, Event, MqttOptions, Packet, Publish, QoS};
use tokio::sync::{mpsc, watch};
use tracing::{debug, info, warn};

use crate::hj212::connection::{decode_round, replies_to_send, store};
use crate::hj212::{Gateway, Hj212Stats};
use crate::{read_body, DeviceDirectory, FileFormat, ImportOptions};

/// Where and how to subscribe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MqttConfig {
    /// `mqtt://[user:password@]host[:port][?client_id=ID]` (`tcp://` too; port 1883 by default).
    pub url: String,
    /// The topic prefix.
    pub prefix: String,
}

/// A broker URL that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("MQTT URL `{url}`: {reason}")]
pub struct MqttUrlError {
    url: String,
    reason: String,
}

fn options(config: &MqttConfig) -> Result<MqttOptions, MqttUrlError> {
    let bad = |reason: &str| MqttUrlError {
        url: config.url.clone(),
        reason: reason.to_owned(),
    };
    let url = url::Url::parse(&config.url).map_err(|e| bad(&e.to_string()))?;
    if !matches!(url.scheme(), "mqtt" | "tcp") {
        return Err(bad(
            "the scheme must be mqtt:// or tcp:// (TLS: put a local bridge in front)",
        ));
    }
    let host = url.host_str().ok_or_else(|| bad("no host"))?;
    let port = url.port().unwrap_or(1883);
    // A stable client id keeps the persistent session (and its unacknowledged messages)
    // across restarts.
    let client_id = url
        .query_pairs()
        .find(|(k, _)| k == "client_id")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| format!("ecolake-{}", config.prefix.replace('/', "-")));
    let mut options = MqttOptions::new(client_id, host, port);
    options
        .set_keep_alive(Duration::from_secs(30))
        .set_clean_session(false)
        .set_manual_acks(true)
        .set_max_packet_size(16 << 20, 16 << 20);
    if !url.username().is_empty() {
        options.set_credentials(url.username(), url.password().unwrap_or(""));
    }
    Ok(options)
}

/// Checks a configuration without connecting (for start-up errors that name the URL).
pub fn check(config: &MqttConfig) -> Result<(), MqttUrlError> {
    options(config).map(|_| ())
}

struct Topic<'a>(&'a str);

impl fmt::Display for Topic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "mqtt {}", self.0)
    }
}

/// Subscribes until `shutdown` turns true: the messages received by then are written and
/// acknowledged, then the client disconnects. Connection failures are logged and retried.
pub async fn subscribe<D: DeviceDirectory>(
    config: MqttConfig,
    gateway: Arc<Gateway<D>>,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), MqttUrlError> {
    let (client, mut events) = AsyncClient::new(options(&config)?, 1024);
    let prefix = config.prefix.trim_end_matches('/').to_owned();
    let (tx, mut rx) = mpsc::channel::<Publish>(1024);
    // The event loop must be polled all the time: it sends the acknowledgements too.
    let mut poll_stop = shutdown.clone();
    let subscriptions = [
        format!("{prefix}/hj212/+"),
        format!("{prefix}/observations"),
    ];
    let poller = {
        let client = client.clone();
        tokio::spawn(async move {
            let mut failures = 0u32;
            loop {
                let event = tokio::select! {
                    e = events.poll() => e,
                    _ = poll_stop.wait_for(|s| *s) => break,
                };
                match event {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => {
                        failures = 0;
                        info!(
                            "MQTT connected; subscribing to {}",
                            subscriptions.join(", ")
                        );
                        for topic in &subscriptions {
                            if let Err(e) = client.subscribe(topic, QoS::AtLeastOnce).await {
                                warn!("MQTT subscribe {topic}: {e}");
                            }
                        }
                    }
                    Ok(Event::Incoming(Packet::SubAck(ack))) => {
                        info!("MQTT subscribed (packet {})", ack.pkid);
                    }
                    Ok(Event::Incoming(Packet::Publish(p))) => {
                        if tx.send(p).await.is_err() {
                            break;
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        failures += 1;
                        if failures == 1 || failures.is_power_of_two() {
                            warn!("MQTT: {e} (retrying)");
                        }
                        let wait = Duration::from_millis(200 * u64::from(failures.min(25)));
                        tokio::select! {
                            _ = tokio::time::sleep(wait) => {}
                            _ = poll_stop.wait_for(|s| *s) => break,
                        }
                    }
                }
            }
            // Let the disconnect (and the last acknowledgements) go out.
            for _ in 0..16 {
                match tokio::time::timeout(Duration::from_millis(200), events.poll()).await {
                    Ok(Ok(Event::Outgoing(rumqttc::Outgoing::Disconnect)))
                    | Ok(Err(_))
                    | Err(_) => break,
                    Ok(Ok(_)) => {}
                }
            }
        })
    };
    loop {
        let first = tokio::select! {
            p = rx.recv() => p,
            _ = shutdown.wait_for(|s| *s) => None,
        };
        let Some(first) = first else { break };
        let mut group = vec![first];
        while group.len() < 1024 {
            match rx.try_recv() {
                Ok(p) => group.push(p),
                Err(_) => break,
            }
        }
        handle(&group, &prefix, &gateway, &client).await;
    }
    let _ = client.disconnect().await;
    let _ = poller.await;
    Ok(())
}

/// Stores a group of messages (their submissions share the pipeline's next write), then
/// acknowledges each whose data is durable, in the order received.
async fn handle<D: DeviceDirectory>(
    group: &[Publish],
    prefix: &str,
    gateway: &Gateway<D>,
    client: &AsyncClient,
) {
    let jobs = group.iter().map(|p| message(p, prefix, gateway, client));
    let results = futures::future::join_all(jobs).await;
    for (p, durable) in group.iter().zip(results) {
        if durable {
            if let Err(e) = client.ack(p).await {
                warn!("MQTT ack on {}: {e}", p.topic);
            }
        }
    }
}

/// One message; whether its data is durable (or it had none to keep).
async fn message<D: DeviceDirectory>(
    p: &Publish,
    prefix: &str,
    gateway: &Gateway<D>,
    client: &AsyncClient,
) -> bool {
    let peer = Topic(&p.topic);
    let Some(rest) = p
        .topic
        .strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('/'))
    else {
        return true;
    };
    if let Some(mn) = rest.strip_prefix("hj212/").filter(|mn| !mn.contains('/')) {
        let mut buf = BytesMut::from(&p.payload[..]);
        let mut decoder = StreamDecoder::new(gateway.config.default_profile);
        let round = decode_round(&mut buf, &mut decoder, true, gateway, &peer, None);
        let durable = store(round.columns, round.history, gateway, &peer).await;
        let (out, acks) = replies_to_send(&round.replies, durable, gateway, &peer.to_string());
        if !out.is_empty() {
            let topic = format!("{prefix}/hj212/{mn}/reply");
            match client.publish(topic, QoS::AtLeastOnce, false, out).await {
                Ok(()) => Hj212Stats::add(&gateway.stats.acks, acks),
                Err(e) => warn!("{peer}: publishing replies: {e}"),
            }
        }
        return durable;
    }
    if rest == "observations" {
        let options = ImportOptions {
            source: Some("mqtt".to_owned()),
            ..ImportOptions::default()
        };
        let parsed = match read_body(&p.topic, &p.payload, FileFormat::Json, &options) {
            Ok(parsed) => parsed,
            Err(e) => {
                warn!("{peer}: {e}");
                return true; // nothing to keep; redelivery would not help
            }
        };
        if parsed.rejected_count > 0 {
            debug!(
                "{peer}: {} rows rejected, first: line {}: {}",
                parsed.rejected_count, parsed.rejected[0].line, parsed.rejected[0].reason
            );
        }
        let received_ms = chrono::Utc::now().timestamp_millis();
        for batch in parsed.batches {
            match gateway
                .pipeline
                .submit(batch, Origin::Live { received_ms })
                .await
            {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    warn!("{peer}: not stored, not acknowledged: {e}");
                    return false;
                }
                Err(_) => return false,
            }
        }
        return true;
    }
    true
}
